/**
 * From what the trace observed to what it means: how long each lock was held (to the end of its transaction), the
 * findings — named with the static rule's id where the static rule checks the same thing — and the comparison with
 * what the static lint said. Pure: no database, so every case is testable from hand-made observations.
 */
import { blocks, type LockMode } from "../sql/locks.js";
import { nodeOf, type ParsedStatement } from "../sql/statement.js";
import { TABLE_LIKE, type CatalogDiff, type RelationInfo } from "./catalog.js";
import { COMPARED_RULES, type Comparison, type LockSource, type NotTraced, type StatementTrace, type TraceFinding, type TraceRuleId, type TraceStatementInput, type TracedLock } from "./model.js";

/** One statement as the runner saw it. */
export interface ObservedStatement {
  readonly input: TraceStatementInput;
  /** Oids of the relations that existed before the file's first statement. */
  readonly preExisting: ReadonlySet<number>;
  readonly notTraced?: NotTraced & { readonly refusedInTransaction?: boolean };
  readonly ms: number | null;
  readonly lockTimeout: string | null;
  readonly locks: readonly { readonly relation: RelationInfo; readonly mode: LockMode; readonly source: LockSource }[];
  readonly diff: CatalogDiff;
  readonly outsideTransaction: boolean;
  /** PostgreSQL refused the statement inside a transaction block (SQLSTATE 25001). */
  readonly refusedInTransaction: boolean;
  /**
   * Tables the statement newly locked ROW SHARE: PostgreSQL takes that lock on the referenced table only to check
   * a foreign key against existing rows.
   */
  readonly validatedReferences: ReadonlySet<number>;
}

/** A lock that blocks writes (SHARE or stronger) on a relation the application already uses. */
const isBlocking = (lock: { relation: RelationInfo; mode: LockMode }, preExisting: ReadonlySet<number>): boolean =>
  blocks(lock.mode).writes && TABLE_LIKE.has(lock.relation.kind) && preExisting.has(lock.relation.oid);

export function deriveFindings(file: string, observed: readonly ObservedStatement[], unindexedForeignKeys: ReadonlySet<number>): StatementTrace[] {
  const held = heldTimes(observed);
  return observed.map((o, index) => {
    const locks: TracedLock[] = [...o.locks].sort((a, b) => byKindThenName(a.relation, b.relation)).map((lock) => ({
      relation: lock.relation.name,
      kind: lock.relation.kind,
      mode: lock.mode,
      blocksReads: blocks(lock.mode).reads,
      blocksWrites: blocks(lock.mode).writes,
      source: lock.source,
      preExisting: o.preExisting.has(lock.relation.oid),
      heldMs: held[index]!,
    }));
    const findings = o.notTraced
      ? o.notTraced.refusedInTransaction && o.input.transaction !== null
        ? [REFUSED]
        : []
      : findingsOf(o, index, observed, unindexedForeignKeys);
    const traceIds = [...new Set(findings.map((f) => f.rule))];
    return {
      file,
      line: o.input.line,
      statement: o.input.text,
      ...(o.notTraced ? { notTraced: { why: o.notTraced.why, message: o.notTraced.message, ...(o.notTraced.code ? { code: o.notTraced.code } : {}) } } : {}),
      outsideTransaction: o.outsideTransaction,
      locks,
      rewritten: [...o.diff.rewritten].sort(byKindThenName).map((r) => r.name),
      constraints: o.diff.constraints,
      columns: o.diff.columns,
      lockTimeout: o.lockTimeout,
      ms: o.ms,
      findings,
      lint: [...o.input.lint],
      // A statement that did not run confirms only what made it fail; it refutes nothing.
      comparison: o.notTraced ? { ...compare(o.input.lint, traceIds), lintOnly: [] } : compare(o.input.lint, traceIds),
    } satisfies StatementTrace;
  });
}

/** Tables (and views) before their indexes and sequences, then by name: the order reports list relations in. */
function byKindThenName(a: RelationInfo, b: RelationInfo): number {
  const rank = (r: RelationInfo): number => (TABLE_LIKE.has(r.kind) ? 0 : 1);
  return rank(a) - rank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/**
 * How long the locks each statement took stay held: from the statement to the end of its transaction (the
 * durations of it and every later statement in the same transaction).
 */
function heldTimes(observed: readonly ObservedStatement[]): number[] {
  const out = new Array<number>(observed.length).fill(0);
  let running = 0;
  for (let i = observed.length - 1; i >= 0; i--) {
    const key = observed[i]!.input.transaction;
    const sameAsNext = key !== null && observed[i + 1]?.input.transaction === key;
    running = (sameAsNext ? running : 0) + (observed[i]!.ms ?? 0);
    out[i] = running;
  }
  return out;
}

function findingsOf(o: ObservedStatement, index: number, all: readonly ObservedStatement[], unindexed: ReadonlySet<number>): TraceFinding[] {
  const findings: TraceFinding[] = [];
  const add = (rule: TraceRuleId, message: string): void => void findings.push({ rule, message });
  const parsed = o.input.parsed;
  const blocking = o.locks.filter((l) => isBlocking(l, o.preExisting));

  if (o.lockTimeout === null && blocking.length > 0) {
    add("require-lock-timeout", `Took ${describeLocks(blocking)} with no lock_timeout set.`);
  }

  const rewrittenTables = o.diff.rewritten.filter((r) => TABLE_LIKE.has(r.kind) && o.preExisting.has(r.oid));
  if (rewrittenTables.length > 0) {
    const names = list(rewrittenTables.map((r) => r.name));
    for (const rule of rewriteRules(parsed)) add(rule, `Rewrote ${names} (new storage file).`);
  }

  const blocksWritesTo = (table: number): boolean => o.locks.some((l) => l.relation.oid === table && blocks(l.mode).writes);
  const blocksReadsOf = (table: number): boolean => o.locks.some((l) => l.relation.oid === table && blocks(l.mode).reads);
  for (const created of o.diff.createdIndexes) {
    if (created.table === undefined || !o.preExisting.has(created.table) || !blocksWritesTo(created.table)) continue;
    const table = tableName(o, created.table);
    if (parsed && nodeOf(parsed, "IndexStmt")) add("require-concurrent-index", `Built index ${created.name} on ${table} while holding a lock that blocks writes to it.`);
    else if (parsed && nodeOf(parsed, "AlterTableStmt")) add("no-unique-constraint-without-index", `Built index ${created.name} for a constraint on ${table} while holding a lock that blocks writes to it.`);
  }
  for (const dropped of o.diff.droppedIndexes) {
    if (dropped.table === undefined || !o.preExisting.has(dropped.table) || !blocksReadsOf(dropped.table)) continue;
    if (parsed && nodeOf(parsed, "DropStmt")?.removeType === "OBJECT_INDEX") add("require-concurrent-index", `Dropped index ${dropped.name} while holding an ACCESS EXCLUSIVE lock on ${tableName(o, dropped.table)}.`);
  }
  if (parsed && nodeOf(parsed, "ReindexStmt") && o.diff.rewritten.some((r) => r.table !== undefined && o.preExisting.has(r.table) && blocksWritesTo(r.table))) {
    add("require-concurrent-index", `Rebuilt ${list(o.diff.rewritten.map((r) => r.name))} while holding a lock that blocks writes.`);
  }

  const earlierBlocking = earlierBlockingLocks(index, all);
  for (const constraint of o.diff.constraints) {
    if (!o.preExisting.has(constraint.tableOid)) continue;
    // A foreign key on columns the statement added (all NULL) is marked valid without a check, unless PostgreSQL
    // checked it anyway (a default on the new column): then it locked the referenced table ROW SHARE to do so.
    const scanned =
      constraint.type === "CHECK" ||
      (constraint.type === "FOREIGN KEY" && (!constraint.onNewColumns || (constraint.referenced !== undefined && o.validatedReferences.has(constraint.referenced))));
    if (constraint.change === "added" && constraint.validated && scanned) {
      add("require-not-valid-constraint", `Added ${constraint.type} constraint ${constraint.name} to ${constraint.table} already validated, checking every existing row under the lock.`);
    }
    if (constraint.change === "validated" && earlierBlocking.some((e) => e.lock.relation.oid === constraint.tableOid)) {
      add("no-validate-in-same-transaction", `Validated ${constraint.name} in the transaction that still holds a write-blocking lock on ${constraint.table}.`);
    }
  }

  const earlierExclusive = earlierBlocking.filter((e) => blocks(e.lock.mode).reads);
  if (earlierExclusive.length > 0 && doesWork(parsed) && !o.refusedInTransaction) {
    add(
      "no-statement-after-exclusive-lock",
      `Ran while the transaction still holds ${describeLocks(earlierExclusive.map((e) => e.lock))} (taken on line ${earlierExclusive[0]!.line}).`,
    );
  }

  for (const constraint of o.diff.constraints) {
    if (constraint.type === "FOREIGN KEY" && constraint.change === "added" && unindexed.has(constraint.oid)) {
      add("no-foreign-key-without-index", `Foreign key ${constraint.name} on ${constraint.table}: no index leads with its columns at the end of the migration.`);
    }
  }

  if (o.refusedInTransaction && o.input.transaction !== null) findings.push(REFUSED);
  return findings;
}

const REFUSED: TraceFinding = {
  rule: "no-concurrently-in-transaction",
  message: "PostgreSQL refused it inside a transaction block, and the migration tool runs it inside one.",
};

/** The rule a table rewrite is reported under, from what kind of statement did it. */
function rewriteRules(parsed: ParsedStatement | undefined): TraceRuleId[] {
  if (!parsed) return ["no-table-rewrite"];
  const alter = nodeOf(parsed, "AlterTableStmt");
  if (alter) {
    const subtypes = new Set((alter.cmds ?? []).map((c) => ("AlterTableCmd" in c ? c.AlterTableCmd.subtype : undefined)));
    const rules: TraceRuleId[] = [];
    if (subtypes.has("AT_AlterColumnType")) rules.push("no-column-type-change");
    if (subtypes.has("AT_AddColumn")) rules.push("no-volatile-default");
    return rules.length > 0 ? rules : ["no-table-rewrite"];
  }
  if (nodeOf(parsed, "VacuumStmt") || nodeOf(parsed, "ClusterStmt") || nodeOf(parsed, "RefreshMatViewStmt")) return ["no-blocking-maintenance"];
  if (nodeOf(parsed, "TruncateStmt")) return ["no-truncate"];
  return ["no-table-rewrite"];
}

/** Write-blocking locks on tables in use that earlier statements of the same transaction took (and still hold). */
function earlierBlockingLocks(index: number, all: readonly ObservedStatement[]): { lock: ObservedStatement["locks"][number]; line: number }[] {
  const key = all[index]!.input.transaction;
  if (key === null) return [];
  const out: { lock: ObservedStatement["locks"][number]; line: number }[] = [];
  for (let i = index - 1; i >= 0 && all[i]!.input.transaction === key; i--) {
    const earlier = all[i]!;
    for (const lock of earlier.locks) if (isBlocking(lock, earlier.preExisting)) out.unshift({ lock, line: earlier.input.line });
  }
  return out;
}

/**
 * Statements that make a held lock last longer: not settings, SHOW, transaction control, a `SELECT set_config(…)`
 * or a COMMENT (a catalog write that waits for nothing), as the static rule counts them.
 */
function doesWork(parsed: ParsedStatement | undefined): boolean {
  if (!parsed) return true;
  if (["VariableSetStmt", "VariableShowStmt", "TransactionStmt", "CommentStmt"].includes(parsed.type)) return false;
  const select = nodeOf(parsed, "SelectStmt");
  const settingsOnly =
    select !== undefined &&
    !select.fromClause?.length &&
    !select.intoClause &&
    (select.targetList ?? []).length > 0 &&
    (select.targetList ?? []).every((target) => {
      const call = "ResTarget" in target ? target.ResTarget.val : undefined;
      const name = call && "FuncCall" in call ? (call.FuncCall.funcname ?? []).map((n) => ("String" in n ? n.String.sval : "")).join(".") : "";
      return ["set_config", "pg_catalog.set_config", "current_setting", "pg_catalog.current_setting"].includes(name);
    });
  return !settingsOnly;
}

function tableName(o: ObservedStatement, oid: number): string {
  return o.locks.find((l) => l.relation.oid === oid)?.relation.name ?? `table ${oid}`;
}

/** "ACCESS EXCLUSIVE on users and SHARE on orders" (strongest per relation, each once). */
function describeLocks(locks: readonly { relation: RelationInfo; mode: LockMode }[]): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const lock of locks) {
    const text = `${lock.mode} on ${lock.relation.name}`;
    if (!seen.has(text)) parts.push(text);
    seen.add(text);
  }
  return list(parts);
}

function list(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/** The rule ids both sides check, split into agreement and disagreement. */
export function compare(lint: readonly string[], trace: readonly string[]): Comparison {
  const lintSet = new Set(lint.filter((id) => COMPARED_RULES.has(id)));
  const traceSet = new Set(trace.filter((id) => COMPARED_RULES.has(id)));
  return {
    agree: [...lintSet].filter((id) => traceSet.has(id)),
    lintOnly: [...lintSet].filter((id) => !traceSet.has(id)),
    traceOnly: [...traceSet].filter((id) => !lintSet.has(id)),
  };
}
