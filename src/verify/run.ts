/**
 * Runs checks on a database, read-only for real: one `BEGIN READ ONLY` transaction with `statement_timeout` and
 * `lock_timeout` set locally, a first query that takes a snapshot (after which PostgreSQL refuses `SET TRANSACTION
 * READ WRITE`), each check alone in a savepoint so a failing one does not hide the others, and ROLLBACK at the end.
 * A check must be one SELECT: anything else is refused before it is sent; a SELECT that tries to write (a
 * data-modifying CTE, a function that writes, nextval) is refused by PostgreSQL itself.
 */
import type { Database } from "../db/database.js";
import { parseSql, PgSyntaxError } from "../sql/pg-parser.js";
import { unwrap } from "../sql/statement.js";
import type { Check, CheckResult } from "./check.js";

export interface RunOptions {
  /** statement_timeout for each check, as PostgreSQL reads it ('5min', '30s', 60000). Default 5min. */
  readonly statementTimeout?: string;
  /** lock_timeout: give up rather than queue behind an ACCESS EXCLUSIVE lock. Default 2s. */
  readonly lockTimeout?: string;
}

export const DEFAULT_STATEMENT_TIMEOUT = "5min";
export const DEFAULT_LOCK_TIMEOUT = "2s";

export class NotASelectError extends Error {
  constructor(id: string, why: string) {
    super(`check ${id} was not run: ${why}; a check must be exactly one SELECT`);
    this.name = "NotASelectError";
  }
}

/** Refuses SQL that is not exactly one plain SELECT (no SELECT INTO, no second statement smuggled after a `;`). */
export function assertSingleSelect(check: Pick<Check, "id" | "sql">): void {
  let stmts;
  try {
    stmts = parseSql(check.sql).stmts ?? [];
  } catch (error) {
    if (error instanceof PgSyntaxError) throw new NotASelectError(check.id, `it does not parse (${error.message})`);
    throw error;
  }
  if (stmts.length !== 1) throw new NotASelectError(check.id, `it holds ${stmts.length} statements`);
  const select = unwrap(stmts[0]!.stmt, "SelectStmt");
  if (!select) throw new NotASelectError(check.id, "it is not a SELECT");
  if (select.intoClause) throw new NotASelectError(check.id, "SELECT INTO creates a table");
}

/** A PostgreSQL interval setting as a literal; only plain values (digits, a unit) are accepted. */
function timeoutLiteral(name: string, value: string): string {
  if (!/^\s*\d+(\.\d+)?\s*(us|ms|s|min|h|d)?\s*$/.test(value)) throw new Error(`${name} must be a duration such as 30s, 5min or 60000 (ms); got ${JSON.stringify(value)}`);
  return `'${value.trim()}'`;
}

/**
 * Runs the checks in order and returns one result per check. The connection must not be inside a transaction
 * block: the run opens its own and rolls it back.
 */
export async function runChecks(db: Database, checks: readonly Check[], options: RunOptions = {}): Promise<CheckResult[]> {
  for (const check of checks) assertSingleSelect(check);
  const statementTimeout = timeoutLiteral("statement timeout", options.statementTimeout ?? DEFAULT_STATEMENT_TIMEOUT);
  const lockTimeout = timeoutLiteral("lock timeout", options.lockTimeout ?? DEFAULT_LOCK_TIMEOUT);
  const results: CheckResult[] = [];
  await db.query("BEGIN READ ONLY");
  try {
    await db.query(`SET LOCAL statement_timeout = ${statementTimeout}`);
    await db.query(`SET LOCAL lock_timeout = ${lockTimeout}`);
    // Takes the transaction's snapshot: from here on PostgreSQL refuses to make the transaction read-write.
    await db.query("SELECT 1");
    for (const check of checks) {
      await db.query("SAVEPOINT migration_safety_check");
      try {
        const { rows } = await db.query(check.sql);
        await db.query("RELEASE SAVEPOINT migration_safety_check");
        results.push(resultOf(check, rows));
      } catch (error) {
        await db.query("ROLLBACK TO SAVEPOINT migration_safety_check");
        const message = error instanceof Error ? error.message : String(error);
        results.push({ check: check.id, ok: false, detail: `the query failed: ${message}`, figures: {}, error: message });
      }
    }
  } finally {
    await db.query("ROLLBACK");
  }
  return results;
}

const RESERVED = new Set(["check", "ok", "detail"]);

function resultOf(check: Check, rows: readonly Record<string, unknown>[]): CheckResult {
  if (rows.length !== 1) {
    return { check: check.id, ok: false, detail: `the query returned ${rows.length} rows instead of 1`, figures: {}, error: "not exactly one row" };
  }
  const row = rows[0]!;
  const figures: Record<string, number | boolean | string | null> = {};
  for (const [key, value] of Object.entries(row)) if (!RESERVED.has(key)) figures[key] = figure(value);
  return { check: check.id, ok: row.ok === true, detail: typeof row.detail === "string" ? row.detail : String(row.detail ?? ""), figures };
}

/** Counts come back as bigint (a string through `pg`, a number or bigint through PGlite): numbers when exact. */
function figure(value: unknown): number | boolean | string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "number" || typeof value === "boolean") return value;
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  const text = String(value);
  if (/^-?\d+$/.test(text) && Number.isSafeInteger(Number(text))) return Number(text);
  return text;
}
