/**
 * What `backfill plan` prints: for each unbounded UPDATE, a commented SQL script — where it comes from, the key
 * walked and where that was learned, how a pending row is recognised and why, one batch inside its transaction
 * with the timeouts, and the verification query — valid SQL from top to bottom, so it can be pasted into a job.
 */
import { formatName } from "../sql/names.js";
import { describeKey, describeKeySource } from "./keys.js";
import type { PreparedBackfill } from "./prepare.js";

export interface PlanTextOptions {
  readonly file?: string | undefined;
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
  const lines = [
    `-- Backfill of ${formatName(target.table)} (${columns}): the batched form of the UPDATE at ${where}:`,
    ...comment(firstLines(target.statement.text, 3)),
    `-- Key: ${describeKey(key.columns)}, ${describeKeySource(key.source)}.`,
    ...plan.assignments.map((a) => `-- Pending while ${a.pending}: ${a.why}.`),
    ...plan.warnings.map((w) => `-- WARNING: ${w}`),
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
    `-- Afterwards, verify: ok must be true (missing and drifted 0).`,
    ...checks.flatMap((check) => [`-- ${check.title}.`, `${check.sql};`]),
  ];
  return lines.join("\n") + "\n";
}

function firstLines(text: string, count: number): string[] {
  const all = text.split(/\r?\n/);
  return all.length > count ? [...all.slice(0, count), "…"] : all;
}

function comment(lines: readonly string[]): string[] {
  return lines.map((line) => `--   ${line}`);
}
