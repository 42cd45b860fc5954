/**
 * What every report format gets, and the small facts they share: the path to print, which rule of this plugin a
 * message comes from, and the counts that decide the exit code.
 */
import { relative, sep } from "node:path";
import type { ESLint, Linter, Rule } from "eslint";
import { DOCS_BASE_URL } from "../eslint/to-eslint-rule.js";

/** The input of every format: ESLint's results and the metadata of the rules that reported. */
export interface ReportInput {
  readonly results: readonly ESLint.LintResult[];
  /** From `ESLint#getRulesMetaForResults`; keys are rule ids as reported (`<plugin key>/<rule>`). */
  readonly rulesMeta: Readonly<Record<string, Rule.RuleMetaData | undefined>>;
  /** Paths are printed relative to this directory. */
  readonly cwd: string;
}

/** A file path relative to `cwd`, with forward slashes (what CI annotations, SARIF and PR text expect). */
export function displayPath(filePath: string, cwd: string): string {
  const rel = relative(cwd, filePath) || filePath;
  return sep === "/" ? rel : rel.split(sep).join("/");
}

/**
 * The rule name (file name in docs/rules/) of a message from this plugin, whatever key the user registered the plugin
 * under; undefined for messages of other rules and for parse errors. Recognised by the docs url our rules carry.
 */
export function ownRuleName(ruleId: string | null, rulesMeta: ReportInput["rulesMeta"]): string | undefined {
  if (!ruleId) return undefined;
  const url = rulesMeta[ruleId]?.docs?.url;
  if (!url?.startsWith(DOCS_BASE_URL)) return undefined;
  return url.slice(DOCS_BASE_URL.length).replace(/\.md$/, "");
}

export interface Counts {
  readonly errors: number;
  readonly warnings: number;
  /** Files with at least one message. */
  readonly filesWithFindings: number;
}

export function countResults(results: readonly ESLint.LintResult[]): Counts {
  let errors = 0;
  let warnings = 0;
  let filesWithFindings = 0;
  for (const result of results) {
    errors += result.errorCount;
    warnings += result.warningCount;
    if (result.messages.length > 0) filesWithFindings++;
  }
  return { errors, warnings, filesWithFindings };
}

/** "error" or "warning": a fatal parse error is an error whatever its severity says. */
export const levelOf = (message: Linter.LintMessage): "error" | "warning" => (message.fatal || message.severity === 2 ? "error" : "warning");

/** Messages in file order, so every format lists them the same way. */
export const byPosition = (a: Linter.LintMessage, b: Linter.LintMessage): number => a.line - b.line || a.column - b.column;

/** The anchor of the "Safe alternative, step by step" section that every rule page has (test/cli checks it). */
export const SAFE_SEQUENCE_ANCHOR = "safe-alternative-step-by-step";

/** Where to read the safe sequence for a message: our rule page's section, another rule's docs page, or nothing. */
export function safeSequenceUrl(ruleId: string | null, rulesMeta: ReportInput["rulesMeta"]): string | undefined {
  if (!ruleId) return undefined;
  const url = rulesMeta[ruleId]?.docs?.url;
  return url && ownRuleName(ruleId, rulesMeta) ? `${url}#${SAFE_SEQUENCE_ANCHOR}` : url;
}
