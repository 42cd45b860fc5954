/**
 * Checks for a set of migration files (and backfill scripts): each parsed and analysed the way the linter reads it,
 * transitions inferred across all of them and merged with the ones given explicitly, every check once.
 */
import { markerKind } from "../context/conventions.js";
import { analyzeMigration, type StatementContext } from "../context/migration-context.js";
import { DEFAULT_SETTINGS, type MigrationSettings } from "../context/settings.js";
import { parseDocument, type SqlDocument } from "../sql/document.js";
import type { Check, SkippedCheck, Transition } from "./check.js";
import { generateChecks, transitionCheck } from "./generate.js";
import { inferTransitions, sameTransition } from "./transitions.js";

export interface SqlFile {
  /** The path as it should appear in the output (relative to the working directory, usually). */
  readonly path: string;
  readonly text: string;
}

export interface VerificationPlan {
  readonly checks: readonly Check[];
  readonly skipped: readonly SkippedCheck[];
  readonly transitions: readonly Transition[];
  /** Parts of the files that were not analysed (syntax errors, SQL built at run time): no check covers them. */
  readonly unchecked: readonly string[];
}

export interface PlanOptions {
  readonly settings?: MigrationSettings;
  /** Transitions given explicitly (`--transition`); they win over inferred ones for the same columns. */
  readonly transitions?: readonly Transition[];
}

export interface AnalysedFile {
  readonly path: string;
  readonly document: SqlDocument;
  readonly contexts: readonly StatementContext[];
}

/** Parse and analyse a file as the linter would; a file that cannot be split into statements is an Error. */
export function analyseFile(file: SqlFile, settings: MigrationSettings = DEFAULT_SETTINGS): AnalysedFile {
  const parsed = parseDocument(file.text, { markerKind });
  if (!parsed.ok) {
    const { line } = parsed.source.positionOf(parsed.index);
    throw new Error(`${file.path}:${line}: ${parsed.message}`);
  }
  return { path: file.path, document: parsed.document, contexts: analyzeMigration(parsed.document, settings, file.path) };
}

export function planVerification(files: readonly SqlFile[], options: PlanOptions = {}): VerificationPlan {
  const analysed = files.map((file) => analyseFile(file, options.settings));
  const checks: Check[] = [];
  const skipped: SkippedCheck[] = [];
  const unchecked: string[] = [];
  const ids = new Set<string>();
  const add = (check: Check): void => {
    if (ids.has(check.id)) return;
    ids.add(check.id);
    checks.push(check);
  };
  for (const { path, document, contexts } of analysed) {
    const generated = generateChecks(document, contexts, [], { file: path });
    generated.checks.forEach(add);
    skipped.push(...generated.skipped);
    for (const statement of document.statements) {
      if (!statement.checked) unchecked.push(`${path}:${statement.loc.start.line}: ${statement.reason}`);
    }
  }
  const inferred = analysed.flatMap(({ path, document, contexts }) => inferTransitions(document, contexts, path));
  const transitions = mergeTransitions(options.transitions ?? [], inferred);
  transitions.map(transitionCheck).forEach(add);
  return { checks, skipped, transitions, unchecked };
}

/**
 * Given transitions first, then inferred ones for other columns. A given transition without an expression takes
 * the inferred backfill's (a plain copy is only the default when nothing better is known).
 */
export function mergeTransitions(given: readonly Transition[], inferred: readonly Transition[]): Transition[] {
  const out: Transition[] = [];
  for (const transition of given) {
    const match = inferred.find((t) => sameTransition(t, transition));
    const merged =
      transition.expression === undefined && match
        ? { ...transition, ...(match.expression !== undefined ? { expression: match.expression } : {}), ...(match.opaque !== undefined ? { opaque: match.opaque } : {}) }
        : transition;
    if (!out.some((t) => sameTransition(t, merged))) out.push(merged);
  }
  for (const transition of inferred) if (!out.some((t) => sameTransition(t, transition))) out.push(transition);
  return out;
}
