/**
 * The batched form of an unbounded UPDATE, as SQL: pure functions from a BackfillTarget and its key to the
 * statements the runner executes and `backfill plan` prints. One batch is one statement, in its own transaction:
 *
 *   WITH ahead (row_id, todo, ahead_key) AS MATERIALIZED (   -- the next n keys after the cursor, in key order
 *     SELECT u.ctid, (<the UPDATE's WHERE> AND <pending>) IS TRUE, u.id
 *     FROM users AS u WHERE u.id > $1 ORDER BY u.id LIMIT 1000
 *   ), done AS (                                              -- the user's SET list, verbatim, on the pending ones
 *     UPDATE users AS u SET display_name = normalize(u.full_name)
 *     WHERE u.ctid = ANY (ARRAY(SELECT u.ctid FROM users AS u
 *                               WHERE u.ctid = ANY (ARRAY(SELECT row_id FROM ahead WHERE todo)) AND (…) IS TRUE
 *                               FOR NO KEY UPDATE SKIP LOCKED))
 *       AND (…) IS TRUE
 *     RETURNING 1
 *   )
 *   SELECT <the last key of ahead: the next cursor>, <keys visited>, <pending rows seen>, <rows updated>;
 *
 * A batch is a RANGE of n keys rather than "the next n pending rows" (`… AND pending ORDER BY id LIMIT n`): a batch
 * costs the rows it visits, not the rows it changes. When pending rows are sparse — a selective WHERE, a resumed
 * run, a second pass — "the next n pending rows" may scan most of the table inside one batch, holding the row locks
 * it took on the way; and when the statistics say pending rows are rare (they do, right after a first backfill),
 * the planner turns it into a sequential scan and sort of the whole table, for every batch. A key range has neither
 * problem, and the batch size bounds the work. The cursor for the next batch is the range's last key.
 *
 * The statement leaves the planner one reasonable plan whatever its estimates (which are often wrong here: a range
 * of uuids, a column just added): the only indexable condition is the key range (the rest is wrapped in `IS TRUE`,
 * so an index on, say, display_name cannot lure it into reading every NULL row of the table); the locking subquery
 * runs once (an InitPlan, not a join the planner could re-run per row) and fetches its rows by ctid (a TID scan),
 * as does the UPDATE. The outer condition repeats the WHERE and the pending predicate, again not indexable, so only
 * rows the backfill is meant to write are ever written — which also keeps a partitioned or inherited table correct,
 * where a ctid is unique only within one partition.
 *
 * Keyset pagination (never OFFSET) on the primary key; composite keys compare as rows, `(a, b) > ($1, $2)`, which a
 * btree on (a, b) serves. The "pending" predicate makes a batch idempotent: a row already done no longer matches,
 * so a resumed or repeated run changes nothing twice. FOR NO KEY UPDATE is the row lock the UPDATE itself takes
 * (FOR UPDATE would also block inserts into tables with a foreign key to these rows); SKIP LOCKED means a batch
 * never waits for a row an application transaction holds: the row is left to a later pass (`todo` − `updated` says
 * how many). Names generated (`ahead`, `done`, `last`, their columns) are chosen so that they cannot capture a name
 * the user's SQL uses.
 */
import type { Node } from "@pgsql/types";
import { columnsReferenced } from "../context/effects.js";
import { formatName, quoteIdent } from "../sql/names.js";
import { expressionVolatility } from "../sql/volatility.js";
import { tokensOf } from "../sql/locate.js";
import { isConditionText } from "../sql/slices.js";
import type { SourceText } from "../sql/source-text.js";
import type { ColumnFacts, TableKey } from "./keys.js";
import type { BackfillTarget } from "./targets.js";

/**
 * How a batch recognises a row that is not done yet:
 * - fill: `new IS NULL` — the column is being filled for the first time (from other columns, or with a fresh
 *   value). A value the application already wrote is never overwritten.
 * - refresh: `new IS DISTINCT FROM <expression>` — a NULL cannot mean "not done" (the column has a default or is
 *   NOT NULL, or is assigned a constant, or is rewritten from itself).
 */
export type PendingMode = "fill" | "refresh";

export interface PlannedAssignment {
  readonly column: string;
  /** The SET expression as the user wrote it. */
  readonly expression: string;
  readonly mode: PendingMode;
  /** Why this mode, as a clause for the plan's comments. */
  readonly why: string;
  /** SQL: the row still needs this assignment. */
  readonly pending: string;
  /** SQL: the row was not reached (fill mode), for verification; undefined in refresh mode. */
  readonly missing: string | undefined;
  /** SQL: the column's value differs from the expression; undefined when the expression is volatile. */
  readonly drifted: string | undefined;
  /** The columns the expression reads (other than the one it writes). */
  readonly sources: readonly string[];
}

export interface BackfillPlan {
  readonly target: BackfillTarget;
  readonly key: TableKey;
  /** `ONLY app.users AS u`: the table as the statements name it. */
  readonly tableSql: string;
  /** `app.users`: the table's name alone (for `$1::regclass`). */
  readonly tableName: string;
  readonly assignments: readonly PlannedAssignment[];
  /** The combined pending predicate (an OR over the assignments). */
  readonly pending: string;
  /** The WHERE conditions a batch adds to the key range: the user's WHERE, then the pending predicate. */
  readonly conditions: readonly string[];
  /** The conditions verification applies: the user's WHERE without the conjuncts about the columns written. */
  readonly scope: readonly string[];
  /**
   * True when running the batches again reaches a fixed point: a second pass over rows skipped (locked) in the
   * first changes nothing else. False for an expression that reads the column it writes (`n = n + 1` would apply
   * twice) or a volatile one in refresh mode (always "different").
   */
  readonly convergent: boolean;
  readonly warnings: readonly string[];
  /**
   * One batch: the next `limit` keys after the cursor ($1…$k; the condition is left out when `first`, and its line
   * carries `note`), and the update of the pending rows among them. Returns one row — `key_1…key_k` (text, the last
   * key visited: the next cursor), `span` (keys visited) and `updated` — or no row when no key is left. With
   * `upTo`, the range also stops at an upper key, inclusive, given after the cursor's parameters: the end of one
   * worker's share of the keys when several run side by side. `options` say how it takes its row locks and which
   * rows it updates (BatchOptions).
   */
  batchSql(limit: number, first: boolean, note?: string, upTo?: boolean, options?: BatchOptions): string;
  /** Where the next range ends (`key_1…`, `span`), as batchSql would find it, without updating: for bisecting. */
  rangeEndSql(limit: number, first: boolean, upTo?: boolean): string;
  /**
   * `SELECT count(*) AS pending …`: rows the backfill has still to do (for progress; the expression is not
   * evaluated), after the cursor unless `first`, and up to an upper key with `upTo` (parameters as in batchSql).
   * With `unfinished`, only the rows whose update would still change something (see BatchOptions.unfinished).
   */
  pendingSql(first: boolean, upTo: boolean, unfinished?: boolean): string;
  /** The key (text, `key_1…`) of the row at position $1 (0-based) in key order: where to split the keys between workers. */
  readonly keyAtSql: string;
  /** The keys (text, `key_1…`) of the pending rows of (cursor, end]: $1…$k the cursor ($1…$k the end when `first`). */
  listSql(first: boolean): string;
  /** The UPDATE restricted to keys between $1…$k and $k+1…$2k (inclusive): one bisection step, always rolled back. */
  rangeUpdateSql(): string;

  // The walk in physical order (see walk.ts): the same batch over a range of the table's pages instead of keys.
  /**
   * One batch over the pages from $1 (inclusive) to $2 (exclusive), both given as tids `(page,0)`: a TID range scan
   * reads them in the order they lie on disk. Returns one row: `todo` (pending rows seen) and `updated`.
   */
  pageBatchSql(options?: BatchOptions): string;
  /** `SELECT count(*) AS pending …` over the pages from $1 (a tid, inclusive), up to $2 (exclusive) with `upTo`. */
  pagePendingSql(upTo: boolean, unfinished?: boolean): string;
  /** The pending rows of the pages from $1 to $2 (tids as in pageBatchSql): `row_id` (the ctid as text) and `key_1…`, in page order. */
  pageListSql(): string;
  /** The UPDATE restricted to the rows at the tids $1 (an array): one bisection step, always rolled back. */
  tidUpdateSql(): string;
}

/**
 * How a batch gets the row locks of the rows it updates:
 * - skip-locked: first `SELECT … FOR NO KEY UPDATE SKIP LOCKED` over the batch's pending rows, then the UPDATE of
 *   the rows it locked: a row an application transaction holds is left for a later pass, never waited for. The
 *   lock is a second visit of every row and a WAL record per row: about a tenth of the batch's cost.
 * - plain: the UPDATE alone, which locks each row as it writes it; run under a short lock_timeout, so that a row
 *   someone holds makes the batch fail fast (and be run again skip-locked) rather than wait.
 */
export type BatchForm = "skip-locked" | "plain";

export interface BatchOptions {
  /** Skip-locked unless said. */
  readonly form?: BatchForm;
  /**
   * Update only the unfinished rows rather than every pending one. A row filled with an expression that is NULL for
   * it stays "pending" (still NULL) after its batch, but is done: unfinished is pending less those rows (the
   * verification's "missing"), what a run counts to know whether rows were left behind. For the walks after the
   * first, where those rows would otherwise be written again. It evaluates the expression in the condition, which
   * the first walk, where nearly every row is to do, spares.
   */
  readonly unfinished?: boolean;
}

export type PlanOutcome = { readonly ok: true; readonly plan: BackfillPlan } | { readonly ok: false; readonly reason: string };

/** Build the batched form of `target`, walking `key`. `columns` tells what is known of the written columns. */
export function planBackfill(target: BackfillTarget, key: TableKey, columns: ReadonlyMap<string, ColumnFacts>, source: SourceText): PlanOutcome {
  if (key.columns.length === 0) return { ok: false, reason: "the key has no columns" };
  const written = new Set(target.assignments.map((a) => a.column));
  const keyWritten = key.columns.find((c) => written.has(c.name));
  if (keyWritten) return { ok: false, reason: `it writes the key column ${quoteIdent(keyWritten.name)}, which keyset batches walk; it cannot be batched on that key` };

  const warnings: string[] = [];
  let convergent = true;
  const assignments = target.assignments.map((a): PlannedAssignment => {
    const column = quoteIdent(a.column);
    const expression = `(${a.text})`;
    const refs = columnsReferenced(a.node);
    const sources = refs.filter((r) => r !== a.column);
    const volatile = expressionVolatility(a.node).volatility === "volatile";
    const facts = columns.get(a.column);
    let mode: PendingMode;
    let why: string;
    if (refs.includes(a.column)) {
      mode = "refresh";
      why = `the expression reads ${column} itself`;
      convergent = false;
      warnings.push(
        `SET ${column} = … reads ${column}: a batch repeated after a crash (between its commit and the saved cursor) applies it twice, which is harmless only when applying it twice gives the same value (lower(), trim(); not n + 1).`,
      );
    } else if (facts?.hasDefault || facts?.notNull) {
      mode = "refresh";
      why = `${column} ${facts.hasDefault ? "has a default" : "is NOT NULL"}, so NULL cannot mark a row not done yet`;
    } else if (sources.length > 0) {
      mode = "fill";
      why = `${column} is filled from other columns; a value the application already wrote is left alone`;
    } else if (expressionVolatility(a.node).volatility === "immutable") {
      mode = "refresh";
      why = `${column} is set to a constant`;
    } else {
      mode = "fill";
      why = `${column} gets a value that changes from one evaluation to the next, so it is written once, where NULL`;
    }
    if (mode === "refresh" && volatile) {
      convergent = false;
      warnings.push(`SET ${column} = ${a.text} is volatile and ${column} cannot be recognised as done: every row is rewritten on every run.`);
    }
    const drifted = volatile ? undefined : `${column} IS DISTINCT FROM ${expression}`;
    return {
      column: a.column,
      expression: a.text,
      mode,
      why,
      pending: mode === "fill" ? `${column} IS NULL` : `${column} IS DISTINCT FROM ${expression}`,
      missing: mode === "fill" ? (volatile ? `${column} IS NULL` : `${column} IS NULL AND ${expression} IS NOT NULL`) : undefined,
      drifted,
      sources,
    };
  });
  const pending = assignments.length === 1 ? assignments[0]!.pending : assignments.map((a) => `(${a.pending})`).join(" OR ");
  const unfinished = assignments.map((a) => `(${a.missing ?? a.pending})`).join(" OR ");

  // The user's WHERE often is the pending predicate already (`WHERE display_name IS NULL`): do not say it twice.
  const saysPendingAlready = (target.conjuncts ?? []).some((c) => isConditionText(pending, c.node));
  const conditions = [...(target.where ? [target.where.text] : []), ...(saysPendingAlready ? [] : [pending])];
  const scope = scopeOf(target, written);

  const taken = takenNames(target, source);
  const fresh = (base: string): string => {
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
    taken.add(name);
    return name;
  };
  const ahead = fresh("ahead");
  const done = fresh("done");
  const last = fresh("last");
  const rowId = fresh("row_id");
  const todo = fresh("todo");
  const single = key.columns.length === 1;
  const aheadKeys = key.columns.map((_, i) => fresh(single ? "ahead_key" : `ahead_key_${i + 1}`));

  const ref = quoteIdent(target.alias ?? target.table.name);
  const tableSql = `${target.only ? "ONLY " : ""}${formatName(target.table)}${target.alias ? ` AS ${quoteIdent(target.alias)}` : ""}`;
  const keyCols = key.columns.map((c) => `${ref}.${quoteIdent(c.name)}`);
  const row = (items: readonly string[]): string => (items.length === 1 ? items[0]! : `(${items.join(", ")})`);
  const keyRow = row(keyCols);
  const k = key.columns.length;
  const params = (offset: number): string => row(key.columns.map((c, i) => `$${offset + i + 1}${c.type ? `::${c.type}` : ""}`));
  const lowerBound = (note: string | undefined): string => `${keyRow} > ${params(0)}${note ? `  -- ${note}` : ""}`;
  const upperBound = (first: boolean): string => `${keyRow} <= ${params(first ? 0 : k)}`;
  const keyRange = (first: boolean, upTo: boolean, note?: string): string[] => [...(first ? [] : [lowerBound(note)]), ...(upTo ? [upperBound(first)] : [])];
  const whereLines = (parts: readonly string[], indent: string): string => (parts.length ? `\n${indent}WHERE ${parts.join(`\n${indent}  AND `)}` : "");
  const setList = assignments.map((a) => `${quoteIdent(a.column)} = ${a.expression}`).join(",\n      ");
  const userConditions = conditions.map((c) => `(${c})`);
  const unfinishedConditions = [...(target.where ? [target.where.text] : []), unfinished].map((c) => `(${c})`);
  // Not indexable on purpose (see the header): the key is the only way in.
  const pendingPredicate = `(${conditions.length === 1 ? conditions[0] : userConditions.join(" AND ")}) IS TRUE`;
  const unfinishedPredicate = `(${unfinishedConditions.join(" AND ")}) IS TRUE`;
  const todoOf = (options: BatchOptions): string => (options.unfinished ? unfinishedPredicate : pendingPredicate);
  const a = (column: string): string => `${quoteIdent(ahead)}.${quoteIdent(column)}`;
  const aheadSelect = (limit: number, first: boolean, note: string | undefined, upTo: boolean, columns: string, indent: string): string =>
    [
      `SELECT ${columns}`,
      `FROM ${tableSql}${whereLines(keyRange(first, upTo, note), indent)}`,
      `ORDER BY ${keyCols.join(", ")}`,
      `LIMIT ${Math.max(1, Math.floor(limit))}`,
    ].join(`\n${indent}`);

  // The rows of `ahead` still to do, updated: locked first unless someone else holds them (skip-locked), or by the
  // UPDATE itself (plain). Shared by both walks.
  const updateOf = (options: BatchOptions): string[] => {
    const todoPredicate = todoOf(options);
    if (options.form === "plain") {
      return [
        `  UPDATE ${tableSql}`,
        `  SET ${setList}`,
        `  WHERE ${ref}.ctid = ANY (ARRAY(SELECT ${a(rowId)} FROM ${quoteIdent(ahead)} WHERE ${a(todo)}))`,
        `    AND ${todoPredicate}`,
        `  RETURNING 1`,
      ];
    }
    return [
      `  UPDATE ${tableSql}`,
      `  SET ${setList}`,
      `  WHERE ${ref}.ctid = ANY (ARRAY(`,
      `          SELECT ${ref}.ctid`,
      `          FROM ${tableSql}`,
      `          WHERE ${ref}.ctid = ANY (ARRAY(SELECT ${a(rowId)} FROM ${quoteIdent(ahead)} WHERE ${a(todo)}))`,
      `            AND ${todoPredicate}`,
      `          FOR NO KEY UPDATE SKIP LOCKED))`,
      `    AND ${todoPredicate}`,
      `  RETURNING 1`,
    ];
  };
  const countSql = (range: readonly string[], unfinishedOnly: boolean): string =>
    `SELECT count(*) AS pending\nFROM ${tableSql}${whereLines([...range, ...(unfinishedOnly ? unfinishedConditions : userConditions)], "")}`;
  const pageRange = (upTo: boolean): string => `${ref}.ctid >= $1::tid${upTo ? ` AND ${ref}.ctid < $2::tid` : ""}`;

  const plan: BackfillPlan = {
    target,
    key,
    tableSql,
    tableName: formatName(target.table),
    assignments,
    pending,
    conditions,
    scope,
    convergent,
    warnings,
    batchSql(limit, first, note, upTo = false, options = {}) {
      const lastKeys = aheadKeys.map((x) => a(x));
      return [
        `WITH ${quoteIdent(ahead)} (${[rowId, todo, ...aheadKeys].map(quoteIdent).join(", ")}) AS MATERIALIZED (`,
        `  ${aheadSelect(limit, first, note, upTo, [`${ref}.ctid`, todoOf(options), ...keyCols].join(", "), "  ")}`,
        `), ${quoteIdent(done)} AS (`,
        ...updateOf(options),
        `)`,
        `SELECT ${aheadKeys.map((x, i) => `${quoteIdent(last)}.${quoteIdent(x)}::text AS key_${i + 1}`).join(", ")}, ${quoteIdent(last)}.span,`,
        `       (SELECT count(*) FROM ${quoteIdent(ahead)} WHERE ${a(todo)}) AS todo,`,
        `       (SELECT count(*) FROM ${quoteIdent(done)}) AS updated`,
        `FROM (SELECT ${lastKeys.join(", ")}, count(*) OVER () AS span`,
        `      FROM ${quoteIdent(ahead)}`,
        `      ORDER BY ${lastKeys.map((x) => `${x} DESC`).join(", ")}`,
        `      LIMIT 1) AS ${quoteIdent(last)}`,
      ].join("\n");
    },
    rangeEndSql(limit, first, upTo = false) {
      return [
        `SELECT ${aheadKeys.map((x, i) => `${a(x)}::text AS key_${i + 1}`).join(", ")}, count(*) OVER () AS span`,
        `FROM (${aheadSelect(limit, first, undefined, upTo, keyCols.join(", "), "      ")}) AS ${quoteIdent(ahead)} (${aheadKeys.map(quoteIdent).join(", ")})`,
        `ORDER BY ${aheadKeys.map((x) => `${a(x)} DESC`).join(", ")}`,
        `LIMIT 1`,
      ].join("\n");
    },
    listSql(first) {
      const columns = keyCols.map((c, i) => `${c}::text AS key_${i + 1}`).join(", ");
      const range = [...(first ? [] : [lowerBound(undefined)]), `${keyRow} <= ${params(first ? 0 : k)}`];
      return `SELECT ${columns}\nFROM ${tableSql}${whereLines([...range, ...userConditions], "")}\nORDER BY ${keyCols.join(", ")}`;
    },
    rangeUpdateSql() {
      return `UPDATE ${tableSql}\nSET ${setList}${whereLines([`${keyRow} >= ${params(0)}`, `${keyRow} <= ${params(k)}`, ...userConditions], "")}`;
    },
    pageBatchSql(options = {}) {
      const todoPredicate = todoOf(options);
      if (options.form === "plain") {
        // Without the lock step nothing is skipped: every pending row seen is updated, or the batch fails.
        return [
          `WITH ${quoteIdent(done)} AS (`,
          `  UPDATE ${tableSql}`,
          `  SET ${setList}`,
          `  WHERE ${pageRange(true)}`,
          `    AND ${todoPredicate}`,
          `  RETURNING 1`,
          `)`,
          `SELECT count(*) AS todo, count(*) AS updated FROM ${quoteIdent(done)}`,
        ].join("\n");
      }
      return [
        `WITH ${quoteIdent(ahead)} (${[rowId, todo].map(quoteIdent).join(", ")}) AS MATERIALIZED (`,
        `  SELECT ${ref}.ctid, ${todoPredicate}`,
        `  FROM ${tableSql}`,
        `  WHERE ${pageRange(true)}`,
        `), ${quoteIdent(done)} AS (`,
        ...updateOf(options),
        `)`,
        `SELECT (SELECT count(*) FROM ${quoteIdent(ahead)} WHERE ${a(todo)}) AS todo,`,
        `       (SELECT count(*) FROM ${quoteIdent(done)}) AS updated`,
      ].join("\n");
    },
    pagePendingSql(upTo, unfinishedOnly = false) {
      return countSql([pageRange(upTo)], unfinishedOnly);
    },
    pageListSql() {
      const columns = [`${ref}.ctid::text AS row_id`, ...keyCols.map((c, i) => `${c}::text AS key_${i + 1}`)].join(", ");
      return `SELECT ${columns}\nFROM ${tableSql}${whereLines([pageRange(true), ...userConditions], "")}\nORDER BY ${ref}.ctid`;
    },
    tidUpdateSql() {
      return `UPDATE ${tableSql}\nSET ${setList}${whereLines([`${ref}.ctid = ANY ($1::tid[])`, ...userConditions], "")}`;
    },
    pendingSql(first, upTo, unfinishedOnly = false) {
      return countSql(keyRange(first, upTo), unfinishedOnly);
    },
    keyAtSql: `SELECT ${keyCols.map((c, i) => `${c}::text AS key_${i + 1}`).join(", ")}\nFROM ${tableSql}\nORDER BY ${keyCols.join(", ")}\nOFFSET $1 LIMIT 1`,
  };
  return { ok: true, plan };
}

/** The user's WHERE without the conjuncts that read a written column: those say "not done yet", not "in scope". */
function scopeOf(target: BackfillTarget, written: ReadonlySet<string>): string[] {
  if (!target.where) return [];
  const readsWritten = (node: Node): boolean => columnsReferenced(node).some((c) => written.has(c));
  if (!readsWritten(target.where.node)) return [target.where.text];
  // Without an exact split, keep the whole condition: verification then looks at fewer rows, never at wrong ones.
  if (!target.conjuncts) return [target.where.text];
  return target.conjuncts.filter((c) => !readsWritten(c.node)).map((c) => c.text);
}

/** Every name the statement spells (identifiers folded as PostgreSQL folds them, quoted ones as written). */
function takenNames(target: BackfillTarget, source: SourceText): Set<string> {
  const names = new Set<string>();
  for (const token of tokensOf(target.statement, source)) {
    const text = token.text;
    names.add(text.startsWith('"') ? text.slice(1, -1).replaceAll('""', '"') : text.toLowerCase());
  }
  return names;
}
