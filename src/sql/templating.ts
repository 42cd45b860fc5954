/**
 * Templating placeholders that migration tools and psql substitute before PostgreSQL sees the text — `${schema}`
 * (Flyway, shell heredocs), `{{ var }}` (Jinja, Go templates), and psql variables `:var`, `:'var'`, `:"var"` —
 * would make an otherwise valid statement fail to parse. They are masked with same-length stand-ins so the
 * statement parses and every offset stays where it was:
 *
 *   ${schema}  → __schema_   (an identifier)      :'var' →  'var'   (a string literal)
 *   {{ var }}  → ___var___   (an identifier)      :"var" →  "var"   (a quoted identifier)
 *   :var       → _var        (an identifier)
 *
 * Only the stand-in's shape matters to the rules (a name where a name was); messages quote the original text.
 */
import type { Range } from "./source-text.js";

export interface MaskedText {
  /** The text with placeholders replaced; same length, same line breaks. */
  readonly text: string;
  readonly placeholders: readonly Range[];
}

const isWordStart = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isWord = (c: number): boolean => isWordStart(c) || (c >= 48 && c <= 57);

export function maskTemplating(text: string): MaskedText {
  if (!text.includes("${") && !text.includes("{{") && !text.includes(":")) return { text, placeholders: [] };
  const placeholders: Range[] = [];
  let out = "";
  let copied = 0;
  const replace = (start: number, end: number, replacement: string): void => {
    out += text.slice(copied, start) + replacement;
    copied = end;
    placeholders.push([start, end]);
  };

  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 36 /* $ */ && text.charCodeAt(i + 1) === 123 /* { */) {
      const close = text.indexOf("}", i + 2);
      const name = close > 0 ? text.slice(i + 2, close) : "";
      if (close > 0 && isPlaceholderName(name)) {
        replace(i, close + 1, `__${name.replace(/[^A-Za-z0-9_]/g, "_")}_`);
        i = close;
      }
      continue;
    }
    if (c === 123 && text.charCodeAt(i + 1) === 123) {
      const close = text.indexOf("}}", i + 2);
      const inner = close > 0 ? text.slice(i + 2, close) : "";
      if (close > 0 && isPlaceholderName(inner.trim())) {
        replace(i, close + 2, `__${inner.replace(/[^A-Za-z0-9_]/g, "_")}__`);
        i = close + 1;
      }
      continue;
    }
    if (c === 58 /* : */) {
      const before = text.charCodeAt(i - 1);
      const next = text.charCodeAt(i + 1);
      // Not a cast (::), an assignment (:=), an array slice (a[1:n]) or part of a word.
      if (before === 58 || next === 58 || next === 61 || isWord(before) || before === 93 || before === 41) continue;
      if (next === 39 || next === 34) {
        // :'var' / :"var"
        let j = i + 2;
        while (j < text.length && isWord(text.charCodeAt(j))) j++;
        if (j > i + 2 && text.charCodeAt(j) === next) replace(i, i + 1, " ");
        continue;
      }
      if (isWordStart(next)) {
        let j = i + 1;
        while (j < text.length && isWord(text.charCodeAt(j))) j++;
        replace(i, i + 1, "_");
        i = j - 1;
      }
    }
  }
  if (placeholders.length === 0) return { text, placeholders };
  return { text: out + text.slice(copied), placeholders };
}

/** Template variable names: letters, digits, `_`, `.`, `-` (Helm/Jinja paths like `.Values.schema`). */
function isPlaceholderName(name: string): boolean {
  if (name.length === 0 || name.length > 100) return false;
  for (let k = 0; k < name.length; k++) {
    const c = name.charCodeAt(k);
    if (!(isWord(c) || c === 46 || c === 45)) return false;
  }
  return true;
}
