/**
 * `--format markdown`: the pull-request summary. Findings are grouped by migration; each names its rule (linked to the
 * safe sequence on the rule's page), says what breaks, and shows the suggested rewrite when the rule has one; each
 * rule that fired adds its safe sequence, folded; each migration ends with "How to verify this migration" when a
 * verification renderer is given. Everything taken from the linted files or messages is escaped, so a hostile
 * identifier cannot break the document (test/cli parses the output with mdast-util-from-markdown).
 */
import type { ESLint, Linter } from "eslint";
import { packageVersion } from "../package-info.js";
import { byPosition, countResults, displayPath, levelOf, ownRuleName, safeSequenceUrl, type ReportInput } from "./common.js";
import { loadSafeSequence } from "./rule-docs.js";

/** A linted migration, as handed to the verification renderer. */
export interface MigrationSource {
  /** Absolute path. */
  readonly filePath: string;
  /** The path as printed (relative to the working directory, forward slashes). */
  readonly displayPath: string;
  /** The file's text when ESLint kept it (files with findings), else undefined: read `filePath`. */
  readonly source: string | undefined;
}

/**
 * Renders the body of the "How to verify this migration" section (markdown; the heading is added here), or
 * undefined when there is nothing to verify. src/verify provides it; see `verificationSection` in src/report/index.ts.
 */
export type VerificationRenderer = (migration: MigrationSource) => string | undefined;

export interface MarkdownOptions {
  /** The safe-sequence text of one of this plugin's rules (by rule name); default: read from docs/rules/. */
  readonly safeSequence?: (ruleName: string) => string | undefined;
  readonly verification?: VerificationRenderer | undefined;
}

export const VERIFY_HEADING = "How to verify this migration";

/** Text safe to put inline in markdown: punctuation that starts markup is backslash-escaped, line breaks flattened. */
export function escapeMarkdown(text: string): string {
  return text.replace(/\r?\n|\r/g, " ").replace(/[\\`*_[\]<>|~&#!]/g, "\\$&");
}

/** An inline code span that holds any text: delimiters longer than the longest backtick run inside it. */
export function inlineCode(text: string): string {
  const flat = text.replace(/\r?\n|\r/g, " ");
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const ticks = "`".repeat(longest + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") || flat.startsWith(" ") ? " " : "";
  return `${ticks}${pad}${flat}${pad}${ticks}`;
}

/** A fenced code block that holds any text: the fence is longer than any backtick run inside it. */
export function codeBlock(text: string, language = "", indent = ""): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const body = text.replace(/\r\n?/g, "\n").replace(/\n$/, "");
  return [`${fence}${language}`, ...body.split("\n"), fence].map((line) => (line ? indent + line : line)).join("\n");
}

/** The string index of a 1-based line and column of `text` (ESLint's message positions). */
export function indexOfPosition(text: string, line: number, column: number): number {
  let index = 0;
  for (let current = 1; current < line; current++) {
    const next = text.indexOf("\n", index);
    if (next < 0) return text.length;
    index = next + 1;
  }
  return Math.min(text.length, index + Math.max(0, column - 1));
}

/**
 * The whole lines that a suggestion touches, once applied, together with the reported range (`focus`, string
 * indices of `source`): what the statement looks like after the rewrite. At most `maxLines` lines.
 */
export function applySuggestion(source: string, fix: { range: [number, number]; text: string }, focus?: [number, number], maxLines = 30): string {
  const [from, to] = fix.range;
  const after = source.slice(0, from) + fix.text + source.slice(to);
  const shift = (index: number) => (index >= to ? index + fix.text.length - (to - from) : Math.min(index, from + fix.text.length));
  const start = Math.min(from, focus ? shift(focus[0]) : from);
  const end = Math.max(from + fix.text.length, focus ? shift(focus[1]) : from);
  const lineStart = after.lastIndexOf("\n", start - 1) + 1;
  const newline = after.indexOf("\n", Math.max(end - 1, lineStart));
  const lines = after.slice(lineStart, newline < 0 ? after.length : newline).split("\n");
  return (lines.length > maxLines ? [...lines.slice(0, maxLines), "-- …"] : lines).join("\n");
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

function renderMessage(message: Linter.LintMessage, result: ESLint.LintResult, input: ReportInput): string[] {
  const where = message.line > 0 ? `**Line ${message.line}**` : "**File**";
  const url = safeSequenceUrl(message.ruleId, input.rulesMeta);
  const rule = message.ruleId ? (url ? `[${inlineCode(message.ruleId)}](${url})` : inlineCode(message.ruleId)) : "parsing error";
  const level = levelOf(message) === "warning" ? " (warning)" : "";
  const lines = [`- ${where} · ${rule}${level}: ${escapeMarkdown(message.message)}`];
  const source = result.source;
  if (source === undefined) return lines;
  const focus: [number, number] = [
    indexOfPosition(source, message.line, message.column),
    indexOfPosition(source, message.endLine ?? message.line, message.endColumn ?? message.column),
  ];
  for (const suggestion of message.suggestions ?? []) {
    lines.push("", `  Suggested rewrite — ${escapeMarkdown(suggestion.desc)}`, "", codeBlock(applySuggestion(source, suggestion.fix, focus), "sql", "  "));
  }
  return lines;
}

function renderMigration(result: ESLint.LintResult, input: ReportInput, options: MarkdownOptions): string[] {
  const path = displayPath(result.filePath, input.cwd);
  const messages = [...result.messages].sort(byPosition);
  const lines: string[] = [];
  if (messages.length === 0) {
    lines.push(`### ✅ ${inlineCode(path)}`, "", "No unsafe step found.");
  } else {
    const errors = messages.filter((m) => levelOf(m) === "error").length;
    const counts = [errors ? plural(errors, "error") : "", messages.length - errors ? plural(messages.length - errors, "warning") : ""];
    lines.push(`### ${errors ? "❌" : "⚠️"} ${inlineCode(path)} — ${counts.filter(Boolean).join(", ")}`, "");
    for (const message of messages) lines.push(...renderMessage(message, result, input));

    const safeSequence = options.safeSequence ?? loadSafeSequence;
    const rules = [...new Set(messages.map((m) => ownRuleName(m.ruleId, input.rulesMeta)).filter((name) => name !== undefined))];
    for (const rule of rules) {
      const text = safeSequence(rule);
      if (!text) continue;
      // Blank lines around the markdown inside <details> make GitHub render it as markdown, not as raw HTML text.
      lines.push("", "<details>", `<summary>Safe sequence: ${rule}</summary>`, "", text, "", "</details>");
    }
  }
  const verification = options.verification?.({ filePath: result.filePath, displayPath: path, source: result.source });
  if (verification?.trim()) {
    // Folded: the queries are long, and a reviewer opens them when verifying, not when reading the findings.
    lines.push("", `#### ${VERIFY_HEADING}`, "", "<details>", "<summary>Read-only checks to run before and after this migration</summary>", "", verification.trim(), "", "</details>");
  }
  return lines;
}

export function formatMarkdown(input: ReportInput, options: MarkdownOptions = {}): string {
  const results = [...input.results].sort((a, b) => Number(b.messages.length > 0) - Number(a.messages.length > 0) || a.filePath.localeCompare(b.filePath));
  const { errors, warnings, filesWithFindings } = countResults(results);
  const findings = errors + warnings;
  const summary =
    results.length === 0
      ? "No migration files were checked."
      : findings === 0
        ? `No unsafe step found in ${plural(results.length, "migration")}.`
        : `**${plural(findings, "finding")}** in ${filesWithFindings} of ${plural(results.length, "migration")} (${plural(errors, "error")}, ${plural(warnings, "warning")}).`;
  const lines = ["## Migration safety", "", summary];
  for (const result of results) lines.push("", ...renderMigration(result, input, options));
  lines.push("", `<sub>eslint-plugin-migration-safety ${escapeMarkdown(packageVersion())}</sub>`);
  return `${lines.join("\n")}\n`;
}
