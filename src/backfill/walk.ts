/**
 * The order in which a backfill goes over its table. Both walks run the same batch — the pending rows of a range,
 * updated (plain, or locked with SKIP LOCKED first: see BatchForm) — over a different kind of range:
 *
 * - key: the next n keys of the primary key (keyset pagination). Works on every PostgreSQL and every kind of
 *   table, and is what `backfill plan` prints by default. But a batch reads its rows where they lie, and when the key's order
 *   is not the order on disk (random uuids, a key that was rewritten) each batch touches a page per row, all over
 *   the table: on a 1M-row uuid table that costs a third of the rows/s.
 * - physical: the next n pages of the table (a TID range scan, PostgreSQL 14 and later), in the order they lie
 *   on disk, as a sequential scan reads them — which is what the one-shot UPDATE does. Its walk ends at the last
 *   page the table had when the pass began (the new row versions the batches write land after it, and are not
 *   visited again); since a row that an application updates while the walk goes on may move to a page the walk
 *   has passed, the run counts what is still unfinished once it has gone over every page, and goes over the
 *   pages again while some is (the key walk does the same for rows inserted at keys it has passed).
 *
 * A cursor is text either way: the last key of the walk's last batch, or the number of its last page (inclusive).
 */
import type { Database } from "../db/database.js";
import type { BackfillPlan, BatchOptions } from "./plan.js";
import type { KeyRange } from "./state.js";

export type WalkOrder = "key" | "physical";

/** A statement and its parameters. */
export interface Step {
  readonly text: string;
  readonly params: readonly string[];
}

/** What one batch did: where the walk is now, and how far it went. */
export interface BatchResult {
  /** The next cursor. */
  readonly end: string[];
  /** Units visited (keys or pages): what the batch sizer measures. */
  readonly span: number;
  /** Pending rows the batch saw. */
  readonly todo: number;
  readonly updated: number;
}

export interface Walk {
  readonly order: WalkOrder;
  /** What a batch size counts. */
  readonly unit: "keys" | "pages";
  /** About how many rows one unit holds: to turn sizes given in rows into units and back. */
  readonly rowsPerUnit: number;
  /**
   * The batch after `from` (the start of the range when null), `size` units, stopping at `upper` (inclusive; the
   * end when null), as `options` say. Undefined when the range has nothing left to visit, as far as the walk can
   * tell without asking.
   */
  batch(size: number, from: readonly string[] | null, upper: readonly string[] | null, options: BatchOptions): Step | undefined;
  /** Read the batch's result; undefined when the key walk found no key left. */
  read(step: Step, rows: readonly Record<string, unknown>[]): BatchResult | undefined;
  /** Count the rows still pending (or only the unfinished ones: see BatchOptions.unfinished) after `lower` and up to `upper` (inclusive). */
  pending(lower: readonly string[] | null, upper: readonly string[] | null, unfinished?: boolean): Step;
}

/** Keyset pagination on the plan's key. */
export function keyWalk(plan: BackfillPlan): Walk {
  const bounds = (from: readonly string[] | null, upper: readonly string[] | null): string[] => [...(from ?? []), ...(upper ?? [])];
  return {
    order: "key",
    unit: "keys",
    rowsPerUnit: 1,
    batch: (size, from, upper, options) => ({ text: plan.batchSql(size, from === null, undefined, upper !== null, options), params: bounds(from, upper) }),
    read(_step, rows) {
      const row = rows[0];
      if (!row) return undefined;
      return {
        end: plan.key.columns.map((_, i) => String(row[`key_${i + 1}`])),
        span: Number(row.span),
        todo: Number(row.todo),
        updated: Number(row.updated),
      };
    },
    pending: (lower, upper, unfinished) => ({ text: plan.pendingSql(lower === null, upper !== null, unfinished), params: bounds(lower, upper) }),
  };
}

/** Page ranges in physical order; `upper` must be known (the end of the table when the pass began) for batches. */
export function pageWalk(plan: BackfillPlan, rowsPerPage: number): Walk {
  return {
    order: "physical",
    unit: "pages",
    rowsPerUnit: rowsPerPage,
    batch(size, from, upper, options) {
      const first = pageAfter(from);
      if (upper === null) throw new Error("a walk in physical order needs the last page of its range");
      const last = Math.min(first + Math.max(1, Math.floor(size)) - 1, Number(upper[0]));
      if (first > last) return undefined;
      return { text: plan.pageBatchSql(options), params: [tid(first), tid(last + 1)] };
    },
    read(step, rows) {
      const row = rows[0] ?? {};
      const last = pageOf(step.params[1]!) - 1;
      return { end: [String(last)], span: last - pageOf(step.params[0]!) + 1, todo: Number(row.todo ?? 0), updated: Number(row.updated ?? 0) };
    },
    pending: (lower, upper, unfinished) => ({
      text: plan.pagePendingSql(upper !== null, unfinished),
      params: [tid(pageAfter(lower)), ...(upper === null ? [] : [tid(Number(upper[0]) + 1)])],
    }),
  };
}

/** The first page after a cursor (the last page done), or page 0. */
function pageAfter(cursor: readonly string[] | null): number {
  return cursor === null ? 0 : Number(cursor[0]) + 1;
}

function tid(page: number): string {
  return `(${page},0)`;
}

function pageOf(text: string): number {
  return Number(text.slice(1, text.indexOf(",")));
}

/** What the database says of walking a table in physical order: possible or why not, and the table's size. */
export type PhysicalSupport =
  | { readonly ok: true; readonly pages: number; readonly rowsPerPage: number }
  | { readonly ok: false; readonly reason: string };

/**
 * Whether a batch over a page range reads only those pages here: PostgreSQL 14 brought TID range scans (before,
 * `ctid >= …` is a sequential scan of the whole table per batch); an ordinary heap table (a partitioned or
 * inherited one has pages per child, another access method may have no TID ranges at all).
 */
export async function physicalSupport(db: Database, plan: BackfillPlan): Promise<PhysicalSupport> {
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT current_setting('server_version_num')::int AS version, c.relkind, am.amname,
            EXISTS (SELECT 1 FROM pg_catalog.pg_inherits AS i WHERE i.inhparent = c.oid) AS parent,
            c.reltuples, c.relpages,
            pg_catalog.pg_relation_size(c.oid) / current_setting('block_size')::int AS pages
     FROM pg_catalog.pg_class AS c LEFT JOIN pg_catalog.pg_am AS am ON am.oid = c.relam
     WHERE c.oid = $1::regclass`,
    [plan.tableName],
  );
  const row = rows[0];
  if (!row) return { ok: false, reason: "the table was not found" };
  if (Number(row.version) < 140000) return { ok: false, reason: "PostgreSQL before 14 has no TID range scans: a batch over a page range would read the whole table" };
  if (row.relkind !== "r") return { ok: false, reason: "the table is partitioned: its pages are its partitions'" };
  // UPDATE ONLY parent: its own pages are exactly its rows.
  if ((row.parent === true || row.parent === "t") && !plan.target.only) return { ok: false, reason: "other tables inherit from it: its pages are not all of its rows" };
  if (row.amname !== "heap") return { ok: false, reason: `its access method is ${String(row.amname)}, not heap` };
  const pages = Number(row.pages);
  const tuples = Number(row.reltuples);
  const relpages = Number(row.relpages);
  // reltuples is -1 until the table is first analysed or vacuumed: then count the rows of its first pages.
  let rowsPerPage = tuples > 0 && relpages > 0 ? tuples / relpages : undefined;
  if (rowsPerPage === undefined && pages > 0) {
    const sample = Math.min(pages, SAMPLE_PAGES);
    const { rows: counted } = await db.query<{ n: unknown }>(`SELECT count(*) AS n FROM ONLY ${plan.tableName} WHERE ctid < $1::tid`, [`(${sample},0)`]);
    rowsPerPage = Number(counted[0]?.n ?? 0) / sample;
  }
  return { ok: true, pages, rowsPerPage: Math.max(1, rowsPerPage ?? 1) };
}

/** Pages counted for the rows per page of a table without statistics: a TID range scan of these is cheap. */
const SAMPLE_PAGES = 8;

/** Cut the table's pages into (at most) `workers` contiguous shares; the last runs to the end of the table. */
export function splitPages(pages: number, workers: number): KeyRange[] {
  const cuts: string[][] = [];
  for (let i = 1; i < workers; i++) {
    const last = Math.floor((i * pages) / workers) - 1;
    if (last >= 0 && !cuts.some((cut) => cut[0] === String(last))) cuts.push([String(last)]);
  }
  const ends = [null, ...cuts];
  return ends.map((lower, i) => ({ lower, upper: cuts[i] ?? null }));
}

/** The table's last page now (−1 when it has none): where a pass in physical order ends. */
export async function lastPage(db: Database, plan: BackfillPlan): Promise<number> {
  const { rows } = await db.query<{ pages: unknown }>(
    "SELECT pg_catalog.pg_relation_size($1::regclass) / current_setting('block_size')::int AS pages",
    [plan.tableName],
  );
  return Number(rows[0]?.pages ?? 0) - 1;
}
