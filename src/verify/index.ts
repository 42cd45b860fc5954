/**
 * Verification SQL, as an API for the CLI's `verify`, `backfill` and `lint` commands: generate checks from parsed
 * migrations or files, render them as a SQL script or a PR section, run them read-only on a Database.
 *
 *   const plan = planVerification([{ path, text }]);
 *   process.stdout.write(renderMarkdown(plan.checks, { skipped: plan.skipped }));
 *   const results = await runChecks(db, plan.checks);
 */
export type { Check, CheckKind, CheckOrigin, CheckResult, SkippedCheck, Transition } from "./check.js";
export { CHECK_KINDS } from "./check.js";
export { checksForMigration, generateChecks, transitionCheck, type GeneratedChecks, type GenerateOptions } from "./generate.js";
export { analyseFile, mergeTransitions, planVerification, type AnalysedFile, type PlanOptions, type SqlFile, type VerificationPlan } from "./plan.js";
export { inferTransitions, parseTransitionOption, TransitionSyntaxError } from "./transitions.js";
export { renderMarkdown, renderResults, renderSqlScript, resultsAsJson, type MarkdownOptions, type RenderOptions } from "./render.js";
export { assertSingleSelect, DEFAULT_LOCK_TIMEOUT, DEFAULT_STATEMENT_TIMEOUT, NotASelectError, runChecks, type RunOptions } from "./run.js";
