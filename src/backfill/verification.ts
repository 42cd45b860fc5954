/**
 * The checks that prove a backfill complete, one per column written: how many rows in scope were not reached
 * (`missing`: still NULL although the expression gives a value) and how many disagree with the expression now
 * (`drifted`: written by something else, or changed since). They follow src/verify/check.ts's contract — one
 * read-only SELECT returning `check, ok, detail, …figures`, built by verify's own countsQuery — so the verify
 * runner and renderers show them too.
 *
 * The common case, a column filled from one other column over the whole table, IS a transition as `verify` infers
 * it from the same UPDATE: that check is used as it is, so both commands print the same one. The rest — a WHERE
 * that limits the backfill, several source columns, constants, volatile expressions — is generated here.
 *
 * "In scope" is the UPDATE's WHERE minus its conjuncts about the columns written: after `WHERE display_name IS
 * NULL`, done rows no longer match it, yet they are exactly the rows to verify.
 */
import type { Check, CheckOrigin, Transition } from "../verify/check.js";
import { transitionCheck } from "../verify/index.js";
import { countsQuery, type Count } from "../verify/queries.js";
import { formatName, quoteLiteral, sameRelation } from "../sql/names.js";
import type { BackfillPlan, PlannedAssignment } from "./plan.js";

/**
 * One check per written column, in SET order. `file` names the migration in the check's origin; `transitions` are
 * those verify inferred from the same migration (src/verify/transitions.ts inferTransitions).
 */
export function backfillChecks(plan: BackfillPlan, file?: string, transitions: readonly Transition[] = []): Check[] {
  const { target } = plan;
  const origin: CheckOrigin = {
    kind: "statement",
    ...(file !== undefined ? { file } : {}),
    line: target.line,
    excerpt: target.statement.text.split(/\r?\n/, 1)[0]!,
  };
  return plan.assignments.map((assignment) => {
    const transition = plainTransition(plan, assignment, transitions);
    if (transition) return transitionCheck(transition);
    const id = checkId(plan, assignment);
    return {
      id,
      kind: "transition",
      title: `${formatName(target.table)}.${formatName({ name: assignment.column })} is backfilled`,
      explanation: explanation(assignment),
      when: "after",
      origin,
      sql: checkSql(plan, assignment, id),
    } satisfies Check;
  });
}

/** verify's transition for this assignment, when its check says exactly what this backfill must achieve. */
function plainTransition(plan: BackfillPlan, assignment: PlannedAssignment, transitions: readonly Transition[]): Transition | undefined {
  if (assignment.mode !== "fill" || assignment.sources.length !== 1 || !assignment.drifted || plan.scope.length > 0) return undefined;
  return transitions.find(
    (t) =>
      sameRelation(t.table, plan.target.table) &&
      t.to === assignment.column &&
      t.from === assignment.sources[0] &&
      t.opaque === undefined &&
      t.origin?.kind === "statement" &&
      t.origin.line === plan.target.line,
  );
}

/** `transition:users.full_name->display_name`, `transition:users.(first_name,last_name)->name`, `transition:users->status`. */
function checkId(plan: BackfillPlan, assignment: PlannedAssignment): string {
  const table = formatName(plan.target.table);
  const column = formatName({ name: assignment.column });
  const sources = assignment.sources.map((s) => formatName({ name: s }));
  const from = sources.length === 0 ? "" : sources.length === 1 ? `.${sources[0]}` : `.(${sources.join(",")})`;
  return `transition:${table}${from}->${column}`;
}

function explanation(assignment: PlannedAssignment): string {
  const parts: string[] = [];
  if (assignment.missing) parts.push("rows the backfill has not reached (still NULL where the expression has a value)");
  if (assignment.drifted) parts.push(`rows whose value differs from ${assignment.expression} (written by something else, or changed since)`);
  if (parts.length === 0) return "The expression is volatile, so nothing about the written values can be checked; only the row count is reported.";
  return `Counts ${parts.join(", and ")}; both must be 0 before reads switch to the column.`;
}

function checkSql(plan: BackfillPlan, assignment: PlannedAssignment, id: string): string {
  const scope = plan.scope.map((s) => `(${s})`);
  const counts: Count[] = [{ name: "total", where: scope }];
  const verdict: string[] = [];
  const detail: string[] = [];
  for (const name of ["missing", "drifted"] as const) {
    const condition = assignment[name];
    if (!condition) continue;
    counts.push({ name, where: [...scope, condition] });
    verdict.push(`${name} = 0`);
    detail.push(`%s ${name}`);
  }
  const format = `${detail.length ? detail.join(", ") + " of " : ""}%s rows`;
  const args = [...counts.slice(1), counts[0]!].map((c) => c.name);
  return countsQuery(id, verdict.length ? verdict.join(" AND ") : "true", `format(${quoteLiteral(format)}, ${args.join(", ")})`, plan.tableSql, counts);
}
