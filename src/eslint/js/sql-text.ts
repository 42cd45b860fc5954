/**
 * Reads the SQL text a JavaScript expression evaluates to, statically: string literals, template literals (with
 * interpolations of known constants, or placeholders), `+` concatenation, `[…].join(…)`, constants declared in
 * scope, and Kysely's `sql.raw()` / `sql.ref()` / `sql.table()` helpers inside `sql` templates. Anything else is
 * "built beyond recognition" and reported as not analysed rather than guessed.
 */
import type { Scope, SourceCode } from "eslint";
import type * as ESTree from "estree";
import type { PieceMapping } from "./synthetic-sql.js";

export interface SqlPiece {
  readonly text: string;
  readonly mapping: PieceMapping;
  /** Set on a stand-in for an interpolated value the reader could not know: the expression's source text. */
  readonly placeholderFor?: string;
}

export type SqlText = { readonly ok: true; readonly pieces: readonly SqlPiece[] } | { readonly ok: false; readonly reason: string };

type Node = ESTree.Node & { range?: [number, number] };

export const rangeOf = (node: Node): [number, number] => node.range ?? [0, 0];

/** TypeScript wrappers that do not change the value: `x as string`, `x!`, `x satisfies T`, `(x)`. */
export function unwrapExpression(node: Node): Node {
  let current: Node = node;
  while (WRAPPERS.has(current.type)) current = (current as unknown as { expression: Node }).expression;
  return current;
}

const WRAPPERS = new Set(["TSAsExpression", "TSNonNullExpression", "TSSatisfiesExpression", "TSTypeAssertion", "ParenthesizedExpression"]);

export class SqlTextReader {
  readonly #sourceCode: SourceCode;
  readonly #seen = new Set<Node>();

  constructor(sourceCode: SourceCode) {
    this.#sourceCode = sourceCode;
  }

  read(expression: Node, inSqlTemplate = false): SqlText {
    const node = unwrapExpression(expression);
    if (this.#seen.has(node)) return { ok: false, reason: "the SQL refers to itself" };
    this.#seen.add(node);
    try {
      return this.#read(node, inSqlTemplate);
    } finally {
      this.#seen.delete(node);
    }
  }

  #read(node: Node, inSqlTemplate: boolean): SqlText {
    switch (node.type) {
      case "Literal":
        if (typeof node.value === "string") return ok([cookString(this.#sourceCode.text, rangeOf(node))]);
        if (typeof node.value === "number") return ok([span(String(node.value), node)]);
        break;
      case "TemplateLiteral":
        return this.#template(node, inSqlTemplate);
      case "TaggedTemplateExpression":
        if (isSqlTag(node.tag)) return this.#template(node.quasi, true);
        break;
      case "BinaryExpression":
        if (node.operator === "+") return concat([this.read(node.left as Node, inSqlTemplate), this.read(node.right as Node, inSqlTemplate)]);
        break;
      case "Identifier":
        return this.#constant(node);
      case "CallExpression":
        return this.#call(node, inSqlTemplate);
      default:
        break;
    }
    return { ok: false, reason: `the SQL is built from ${describe(node)}, which cannot be read without running the code` };
  }

  #template(node: ESTree.TemplateLiteral, inSqlTemplate: boolean): SqlText {
    const parts: SqlText[] = [];
    node.quasis.forEach((quasi, i) => {
      const [start, end] = rangeOf(quasi as Node);
      // A quasi's range includes the backtick or `}` before it and the backtick or `${` after it.
      const rawStart = start + 1;
      const rawEnd = quasi.tail ? end - 1 : end - 2;
      parts.push(ok([cookTemplate(this.#sourceCode.text, rawStart, rawEnd)]));
      const expression = node.expressions[i] as Node | undefined;
      if (expression) parts.push(this.#interpolation(expression, inSqlTemplate));
    });
    return concat(parts);
  }

  /** An interpolation: its text when it is a known constant (or a Kysely helper), else a placeholder. */
  #interpolation(expression: Node, inSqlTemplate: boolean): SqlText {
    const node = unwrapExpression(expression);
    if (inSqlTemplate && node.type === "CallExpression") {
      const helper = kyselyHelper(node) ?? identifierHelper(node);
      if (helper) return helper;
    }
    const known = this.read(node, inSqlTemplate);
    if (known.ok) return known;
    const source = this.#sourceCode.getText(node as ESTree.Node);
    // In a `sql` template a plain value is sent as a bind parameter: `$1` (a constant, as the boundedness check must
    // see it). A call there builds SQL (`ref(name)`, `sql(name)`), and a plain template pastes text in: a
    // name-shaped placeholder parses where a name or a value is expected.
    const text = inSqlTemplate && !buildsSql(node) ? "$1" : placeholderName(source);
    return ok([{ ...span(text, node), placeholderFor: source }]);
  }

  #constant(node: ESTree.Identifier): SqlText {
    const variable = findVariable(this.#sourceCode.getScope(node as ESTree.Node), node.name);
    const definition = variable?.defs[0];
    if (definition?.type === "Variable" && definition.parent.kind === "const" && definition.node.init) {
      return this.read(definition.node.init as Node);
    }
    return { ok: false, reason: `the SQL comes from \`${node.name}\`, whose value is not a constant in this file` };
  }

  #call(node: ESTree.CallExpression, inSqlTemplate: boolean): SqlText {
    // [ "…", "…" ].join("\n")
    const callee = node.callee;
    if (callee.type === "MemberExpression" && !callee.computed && callee.property.type === "Identifier" && callee.property.name === "join") {
      const array = unwrapExpression(callee.object as Node);
      const separator = node.arguments[0] ? this.read(node.arguments[0] as Node) : ok([span(",", node as Node)]);
      if (array.type === "ArrayExpression" && separator.ok) {
        const parts: SqlText[] = [];
        array.elements.forEach((element, i) => {
          if (i > 0) parts.push(separator);
          parts.push(element && element.type !== "SpreadElement" ? this.read(element as Node, inSqlTemplate) : { ok: false, reason: "an array with holes or spreads" });
        });
        return concat(parts);
      }
    }
    // String(x).trim(), dedent(`…`), sql.raw(`…`)
    if (callee.type === "Identifier" && ["dedent", "outdent", "stripIndent"].includes(callee.name) && node.arguments[0]) {
      return this.read(node.arguments[0] as Node, inSqlTemplate);
    }
    const helper = kyselyHelper(node);
    if (helper) return helper;
    return { ok: false, reason: `the SQL is built by a call (\`${this.#sourceCode.getText(callee as ESTree.Node).slice(0, 40)}(…)\`) that cannot be read without running the code` };
  }
}

function findVariable(scope: Scope.Scope | null, name: string): Scope.Variable | undefined {
  for (let s: Scope.Scope | null = scope; s; s = s.upper) {
    const variable = s.set.get(name);
    if (variable) return variable;
  }
  return undefined;
}

/** Tags whose template is SQL text: `sql`, `SQL`, `db.sql`, `sql.unsafe` (Kysely, Drizzle, Slonik, postgres.js). */
export function isSqlTag(tag: ESTree.Node): boolean {
  const node = unwrapExpression(tag as Node);
  if (node.type === "Identifier") return node.name === "sql" || node.name === "SQL";
  if (node.type === "MemberExpression" && !node.computed && node.property.type === "Identifier") {
    return node.property.name === "sql" || (node.property.name === "unsafe" && isSqlTag(node.object));
  }
  return false;
}

/** Kysely's `sql.raw('…')` (text as is), `sql.ref('t.c')`, `sql.id('c')`, `sql.table('t')` (identifiers). */
function kyselyHelper(node: ESTree.CallExpression): SqlText | undefined {
  const callee = node.callee;
  if (callee.type !== "MemberExpression" || callee.computed || callee.property.type !== "Identifier") return undefined;
  if (!isSqlTag(callee.object)) return undefined;
  const arg = node.arguments[0] ? unwrapExpression(node.arguments[0] as Node) : undefined;
  const value = arg?.type === "Literal" && typeof arg.value === "string" ? arg.value : undefined;
  if (value === undefined) return undefined;
  switch (callee.property.name) {
    case "raw":
    case "lit":
      return ok([span(callee.property.name === "raw" ? value : `'${value.replaceAll("'", "''")}'`, node as Node)]);
    case "ref":
    case "id":
    case "table":
      return ok([span(value.split(".").map((part) => `"${part.replaceAll('"', '""')}"`).join("."), node as Node)]);
    default:
      return undefined;
  }
}

/**
 * Helpers that put an identifier into a `sql` template: Kysely's `ref('t.c')`, `eb.ref('c')`, `db.dynamic.ref('c')`,
 * Slonik's `sql.identifier(['s', 't'])`, postgres.js's `sql('name')`. With constant names they are the quoted names.
 */
function identifierHelper(node: ESTree.CallExpression): SqlText | undefined {
  const callee = unwrapExpression(node.callee as Node);
  const name = callee.type === "Identifier" ? callee.name : callee.type === "MemberExpression" && !callee.computed && callee.property.type === "Identifier" ? callee.property.name : undefined;
  const postgresJs = isSqlTag(callee);
  if (!postgresJs && !(name && ["ref", "id", "table", "identifier"].includes(name))) return undefined;
  const arg = node.arguments[0] ? unwrapExpression(node.arguments[0] as Node) : undefined;
  const parts =
    arg?.type === "Literal" && typeof arg.value === "string"
      ? name === "identifier" ? [arg.value] : arg.value.split(".")
      : arg?.type === "ArrayExpression" && arg.elements.every((e) => e?.type === "Literal" && typeof e.value === "string")
        ? arg.elements.map((e) => (e as ESTree.Literal).value as string)
        : undefined;
  if (!parts || (postgresJs && arg?.type === "ArrayExpression")) return undefined;
  return ok([span(parts.map((part) => `"${part.replaceAll('"', '""')}"`).join("."), node as Node)]);
}

/** An interpolated expression that builds SQL text rather than a value: a helper call or a nested template. */
function buildsSql(node: Node): boolean {
  return node.type === "CallExpression" || node.type === "TaggedTemplateExpression";
}

/**
 * Bind markers a library replaces before PostgreSQL sees the text — knex's `?`/`??` (with a bindings array) and
 * `:name`/`:name:` (with a bindings object), Sequelize's `?`/`:name` replacements — as `$1` (a value) or a name-shaped
 * placeholder (an identifier), keeping the map back to the source. `\?` is knex's escaped question mark.
 */
export function replaceBindMarkers(text: SqlText, style: "positional" | "named"): SqlText {
  if (!text.ok) return text;
  const pattern = style === "positional" ? /\\\?|\?\??/g : /::|:(\w+):?/g;
  return ok(text.pieces.map((piece) => substitute(piece, pattern, (match) => {
    if (match === "\\?") return "?";
    if (match === "::") return "::";
    if (match === "??" || (style === "named" && match.endsWith(":"))) return `_${match.replace(/\W/g, "") || "identifier"}`;
    return "$1";
  })));
}

/** Replaces matches in a piece's text, keeping each replacement mapped to the source characters it stands for. */
function substitute(piece: SqlPiece, pattern: RegExp, replace: (match: string) => string): SqlPiece {
  if (piece.mapping.kind !== "chars") return piece;
  const source = piece.mapping.sourceIndices;
  let text = "";
  const indices: number[] = [];
  let last = 0;
  for (const match of piece.text.matchAll(pattern)) {
    const at = match.index;
    text += piece.text.slice(last, at);
    indices.push(...source.slice(last, at));
    const replacement = replace(match[0]);
    text += replacement;
    for (let k = 0; k < replacement.length; k++) indices.push(source[at + Math.min(k, match[0].length - 1)]!);
    last = at + match[0].length;
  }
  if (last === 0) return piece;
  text += piece.text.slice(last);
  indices.push(...source.slice(last));
  return { ...piece, text, mapping: { kind: "chars", sourceIndices: indices, end: piece.mapping.end } };
}

function placeholderName(expressionText: string): string {
  const cleaned = expressionText.replace(/[^A-Za-z0-9_]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 40);
  return `_${cleaned || "value"}`;
}

function describe(node: Node): string {
  const names: Record<string, string> = {
    CallExpression: "a function call",
    MemberExpression: "a property read",
    ConditionalExpression: "a conditional",
    AwaitExpression: "an awaited value",
    ObjectExpression: "an object",
  };
  return names[node.type] ?? `a ${node.type}`;
}

const ok = (pieces: SqlPiece[]): SqlText => ({ ok: true, pieces });
const span = (text: string, node: Node): SqlPiece => ({ text, mapping: { kind: "span", range: rangeOf(node) } });

function concat(parts: readonly SqlText[]): SqlText {
  const pieces: SqlPiece[] = [];
  for (const part of parts) {
    if (!part.ok) return part;
    pieces.push(...part.pieces);
  }
  return { ok: true, pieces };
}

/** A JS string literal's value with, for each character, where it starts in the source. */
function cookString(source: string, [start, end]: [number, number]): SqlPiece {
  return cook(source, start + 1, end - 1);
}

function cookTemplate(source: string, rawStart: number, rawEnd: number): SqlPiece {
  return cook(source, rawStart, rawEnd);
}

/** Decodes JavaScript escapes between `from` and `to`, recording each decoded character's source start. */
function cook(source: string, from: number, to: number): SqlPiece {
  let text = "";
  const indices: number[] = [];
  let i = from;
  const push = (value: string, at: number): void => {
    for (let k = 0; k < value.length; k++) indices.push(at);
    text += value;
  };
  while (i < to) {
    const c = source[i]!;
    if (c !== "\\") {
      push(c, i);
      i++;
      continue;
    }
    const next = source[i + 1] ?? "";
    const simple: Record<string, string> = { n: "\n", r: "\r", t: "\t", b: "\b", f: "\f", v: "\v", "0": "\0" };
    if (next in simple && !(next === "0" && /[0-9]/.test(source[i + 2] ?? ""))) {
      push(simple[next]!, i);
      i += 2;
    } else if (next === "x") {
      push(String.fromCharCode(parseInt(source.slice(i + 2, i + 4), 16)), i);
      i += 4;
    } else if (next === "u" && source[i + 2] === "{") {
      const close = source.indexOf("}", i + 3);
      push(String.fromCodePoint(parseInt(source.slice(i + 3, close), 16)), i);
      i = close + 1;
    } else if (next === "u") {
      push(String.fromCharCode(parseInt(source.slice(i + 2, i + 6), 16)), i);
      i += 6;
    } else if (next === "\r" || next === "\n" || next === "\u2028" || next === "\u2029") {
      // Line continuation: the backslash and the line break vanish.
      i += next === "\r" && source[i + 2] === "\n" ? 3 : 2;
    } else {
      push(next, i);
      i += 2;
    }
  }
  return { text, mapping: { kind: "chars", sourceIndices: indices, end: to } };
}
