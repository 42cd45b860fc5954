/**
 * The trace's data: what goes in (statements with their file and line, from .sql files today and from the TS/JS
 * extractors later) and what comes out (per statement: locks, rewrites, constraint and column changes, lock_timeout,
 * duration, findings, and what the static lint said about the same statement).
 */
import type { LockMode } from "../sql/locks.js";
import type { ParsedStatement } from "../sql/statement.js";
import type { ApplyResult } from "../db/apply-migrations.js";
import type { ColumnChange, ConstraintChange, RelationKind } from "./catalog.js";
import type { SeedReport } from "./seed.js";

// ---------------------------------------------------------------------------------------------------------------
// Input

/** One statement to trace. Any front end that can say "this SQL runs at this line of this file" can produce it. */
export interface TraceStatementInput {
  /** 1-based line in the migration file (for a TS/JS migration: the line of the call that runs the SQL). */
  readonly line: number;
  /** The SQL sent to the database. */
  readonly text: string;
  /** The statement's AST when it parsed: the static lock model and the kind of statement come from it. */
  readonly parsed?: ParsedStatement;
  /**
   * Statements with the same key run in one transaction under the migration tool (the file wrapped by the runner,
   * or an explicit BEGIN … COMMIT); null: the statement runs on its own. Locks are held until the key changes.
   */
  readonly transaction: string | null;
  /** Rule ids the static lint reported on this statement (after inline disable comments). */
  readonly lint: readonly string[];
  /** Why the statement is not sent at all (COPY data not loaded…): it is reported as not traced. */
  readonly notRun?: string;
  /** Transaction control (BEGIN, COMMIT…): not sent; `transaction` keys already express the grouping. */
  readonly control?: boolean;
}

export interface TraceFileInput {
  /** The file's path as shown in reports (relative to the working directory when inside it). */
  readonly file: string;
  readonly statements: readonly TraceStatementInput[];
  /** The file could not be split into statements at all: nothing of it is traced. */
  readonly error?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Output

/**
 * Where a lock in the report comes from. observed: pg_locks inside the statement's own transaction; static: the
 * statement cannot run in a transaction block (CONCURRENTLY, VACUUM), so its locks are what src/sql/locks.ts says;
 * held: the run's transaction already held that lock when the statement asked for it (server trace rolled back at
 * the end), so pg_locks cannot show the request and the static model names it.
 */
export type LockSource = "observed" | "static" | "held";

export interface TracedLock {
  readonly relation: string;
  readonly kind: RelationKind;
  readonly mode: LockMode;
  readonly blocksReads: boolean;
  readonly blocksWrites: boolean;
  readonly source: LockSource;
  /** The relation existed before the migration file started (a lock on it can make the application wait). */
  readonly preExisting: boolean;
  /** How long the lock stays held: from this statement to the end of its transaction (ms, as traced). */
  readonly heldMs: number;
}

/**
 * Rule ids of trace findings: the static rule's id where the trace checks the same thing, and ids of checks only a
 * trace can make (see docs/trace.md).
 */
export type TraceRuleId =
  | "require-lock-timeout"
  | "no-volatile-default"
  | "no-column-type-change"
  | "no-blocking-maintenance"
  | "no-truncate"
  | "require-concurrent-index"
  | "require-not-valid-constraint"
  | "no-unique-constraint-without-index"
  | "no-concurrently-in-transaction"
  /** A further statement in the transaction while an ACCESS EXCLUSIVE lock on a table in use is held. */
  | "no-statement-after-exclusive-lock"
  /** A foreign key whose referencing columns lead no index. */
  | "no-foreign-key-without-index"
  /** VALIDATE CONSTRAINT in the transaction that still holds the write-blocking lock of the ADD. */
  | "no-validate-in-same-transaction"
  /** Trace only: a rewrite no static rule names (SET TABLESPACE, SET LOGGED…). */
  | "no-table-rewrite";

/** Ids a static rule also checks: for these, "lint said" and "trace saw" are compared. */
export const COMPARED_RULES: ReadonlySet<string> = new Set<TraceRuleId>([
  "require-lock-timeout",
  "no-volatile-default",
  "no-column-type-change",
  "require-concurrent-index",
  "require-not-valid-constraint",
  "no-unique-constraint-without-index",
  "no-concurrently-in-transaction",
  "no-statement-after-exclusive-lock",
  "no-foreign-key-without-index",
  "no-validate-in-same-transaction",
]);

export interface TraceFinding {
  readonly rule: TraceRuleId;
  /** A sentence saying what the trace saw. */
  readonly message: string;
}

export type NotTraced = {
  /** Why the statement was not traced, as a short category ("failed", "not run", "no transaction"). */
  readonly why: "failed" | "not run" | "needs no transaction block";
  readonly message: string;
  readonly code?: string;
};

/** Agreement between the static lint and the trace on the rule ids both check. */
export interface Comparison {
  readonly agree: readonly string[];
  /** The lint reported it; the trace did not see it. */
  readonly lintOnly: readonly string[];
  /** The trace saw it; the lint did not report it. */
  readonly traceOnly: readonly string[];
}

export interface StatementTrace {
  readonly file: string;
  readonly line: number;
  readonly statement: string;
  /** Absent when the statement ran and was traced. */
  readonly notTraced?: NotTraced;
  /** The statement ran outside a transaction block (CONCURRENTLY, VACUUM): locks are from the static model. */
  readonly outsideTransaction: boolean;
  readonly locks: readonly TracedLock[];
  readonly rewritten: readonly string[];
  readonly constraints: readonly ConstraintChange[];
  readonly columns: readonly ColumnChange[];
  /** lock_timeout in force when the statement ran; null when none (0). */
  readonly lockTimeout: string | null;
  /** Time the statement took to run (ms); null when it did not run. */
  readonly ms: number | null;
  readonly findings: readonly TraceFinding[];
  readonly lint: readonly string[];
  readonly comparison: Comparison;
}

export interface FileTrace {
  readonly file: string;
  readonly statements: readonly StatementTrace[];
  readonly error?: string;
}

export interface EngineInfo {
  readonly kind: "pglite" | "postgres";
  /** `18.1`, `15.18`. */
  readonly version: string;
  readonly major: number;
}

export interface TraceRun {
  readonly engine: EngineInfo;
  /** commit: each statement committed on its own (PGlite, or --commit); rollback: one transaction, rolled back. */
  readonly isolation: "commit" | "rollback";
  readonly history?: ApplyResult;
  readonly seeding?: SeedReport;
  readonly files: readonly FileTrace[];
  /** Files found but not traced (rollback parts, TS/JS migrations). */
  readonly skippedFiles: readonly { readonly path: string; readonly reason: string }[];
  /** Wall time of the target files' trace (ms), without start-up, history and seeding. */
  readonly ms: number;
}
