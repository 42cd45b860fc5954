/**
 * What `backfill plan` prints: for each unbounded UPDATE, a commented SQL script — where it comes from, the key
 * walked and where that was learned, how a pending row is recognised and why, one batch inside its transaction
 * with the timeouts (over keys, or over pages with order "physical": then with the query that says where the table
 * ends and the count that says whether to walk again), and the verification query — valid SQL from top to bottom,
 * so it can be pasted into a job.
 */
import { formatName, quoteLiteral } from "../sql/names.js";
import { describeKey, describeKeySource } from "./keys.js";
import type { PreparedBackfill } from "./prepare.js";
import type { WalkOrder } from "./walk.js";

export interface PlanTextOptions {
  readonly file?: string | undefined;
  /** The walk to print: by key (works everywhere; the default), or page by page (PostgreSQL 14+, what `run` does there). */
  readonly order?: WalkOrder;
  readonly batchSize: number;
  readonly lockTimeoutMs: number;
  readonly statementTimeoutMs: number;
}

export function planText(backfill: PreparedBackfill, options: PlanTextOptions): string {
  const { plan, checks } = backfill;
  const { target, key } = plan;
  const where = options.file ? `${options.file}:${target.line}` : `line ${target.line}`;
  const columns = plan.assignments.map((a) => formatName({ name: a.column })).join(", ");
  const cursor = key.columns.map((_, i) => `$${i + 1}`).join(", ");
  const returned = key.columns.map((_, i) => `key_${i + 1}`).join(", ");
  const header = [
    `-- Backfill of ${formatName(target.table)} (${columns}): the batched form of the UPDATE at ${where}:`,
    ...comment(firstLines(target.statement.text, 3)),
    `-- Key: ${describeKey(key.columns)}, ${describeKeySource(key.source)}.`,
    ...plan.assignments.map((a) => `-- Pending while ${a.pending}: ${a.why}.`),
    ...plan.warnings.map((w) => `-- WARNING: ${w}`),
  ];
  const verification = [`-- Afterwards, verify: ok must be true (missing and drifted 0).`, ...checks.flatMap((check) => [`-- ${check.title}.`, `${check.sql};`])];
  if (options.order === "physical") return [...header, ...pageWalkLines(backfill, options), ``, ...verification].join("\n") + "\n";
  const lines = [
    ...header,
    `--`,
    `-- Run it outside the migration's transaction, one batch per transaction, ${options.batchSize} keys at a time, until`,
    `-- a batch returns no row. Each batch passes the ${returned} the previous one returned as ${cursor}; the first batch`,
    `-- runs without the line so marked. \`migration-safety backfill run${options.file ? ` ${options.file}` : ""}\` does all of this, with a`,
    `-- batch size that adapts to the target duration, progress, retries, resume after a stop, and verification; on`,
    `-- PostgreSQL 14+ it walks the table page by page (ctid ranges) rather than by key: the same batch, read in disk order.`,
    ``,
    `BEGIN;`,
    `SET LOCAL lock_timeout = '${options.lockTimeoutMs}ms';`,
    `SET LOCAL statement_timeout = '${options.statementTimeoutMs}ms';`,
    `${plan.batchSql(options.batchSize, false, "not in the first batch")};`,
    `COMMIT;`,
    ``,
    ...verification,
  ];
  return lines.join("\n") + "\n";
}

/** The walk page by page, by hand: where the table ends, one batch over a page range, and the count that says when it is done. */
function pageWalkLines(backfill: PreparedBackfill, options: PlanTextOptions): string[] {
  const { plan } = backfill;
  const table = plan.tableName;
  return [
    `--`,
    `-- Walked page by page, in the order rows lie on disk (PostgreSQL 14 or later, a table that is neither partitioned`,
    `-- nor inherited from: there a ctid range is read by a TID range scan). First, where the table ends now and how many`,
    `-- rows a page holds:`,
    `SELECT pg_catalog.pg_relation_size(${quoteLiteral(table)}::regclass) / current_setting('block_size')::int - 1 AS last_page,`,
    `       ceil(${options.batchSize} / greatest(reltuples / greatest(relpages, 1), 1))::int AS pages_per_batch`,
    `FROM pg_catalog.pg_class WHERE oid = ${quoteLiteral(table)}::regclass;`,
    `--`,
    `-- Then, outside the migration's transaction, one batch per transaction: $1 = '(p,0)' and $2 = '(p + pages_per_batch,0)',`,
    `-- from p = 0, then p + pages_per_batch, while p <= last_page (about ${options.batchSize} rows a batch).`,
    `-- \`migration-safety backfill run${options.file ? ` ${options.file}` : ""}\` does all of this, sizing the batches to the target`,
    `-- duration and running them without the lock step until one meets a row another transaction holds.`,
    ``,
    `BEGIN;`,
    `SET LOCAL lock_timeout = '${options.lockTimeoutMs}ms';`,
    `SET LOCAL statement_timeout = '${options.statementTimeoutMs}ms';`,
    `${plan.pageBatchSql()};`,
    `COMMIT;`,
    ``,
    `-- When the walk is over, count what is still to do: rows inserted, or moved by the application's updates, onto`,
    `-- pages the walk had passed, or after its last page. While it is not 0, walk the pages again (to the new last_page).`,
    `${plan.pendingSql(true, false, true)};`,
  ];
}

function firstLines(text: string, count: number): string[] {
  const all = text.split(/\r?\n/);
  return all.length > count ? [...all.slice(0, count), "…"] : all;
}

function comment(lines: readonly string[]): string[] {
  return lines.map((line) => `--   ${line}`);
}
