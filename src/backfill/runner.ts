/**
 * Runs one planned backfill against a database, batch by batch over keys or pages (walk.ts; the state says which):
 * each batch in its own transaction with SET LOCAL lock_timeout and statement_timeout, sized to stay under the
 * target duration, with an optional pause and a load/replication-lag guard between batches. A batch runs plain (the
 * UPDATE alone, under a 10 ms lock_timeout) until one meets a row another transaction holds; that batch runs again
 * at once skip-locked (SKIP LOCKED: it never waits for such a row), and so do the next few. It stops cleanly when
 * asked (after the batch in flight commits), retries lock timeouts, serialization failures and deadlocks with
 * backoff, halves a batch that hit the statement timeout, goes back over batches that skipped locked rows in later
 * passes, and when a row's expression fails (a bad cast…) finds that row by bisecting the batch — in transactions
 * that are always rolled back — and stops with its key. Nothing here reads files or the terminal: state and
 * progress go through the callbacks given.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Database } from "../db/database.js";
import { formatName } from "../sql/names.js";
import type { BackfillPlan, BatchForm } from "./plan.js";
import type { ProgressSink } from "./progress.js";
import { BatchSizer } from "./sizer.js";
import type { BackfillState } from "./state.js";
import { keyWalk, lastPage, type Step, type Walk } from "./walk.js";

export interface RunOptions {
  /** The order to go over the table in (walk.ts); by key when not given. It must be the one `state.order` says. */
  readonly walk?: Walk;
  /** The first batch's size (rows); later ones adapt. */
  readonly batchSize: number;
  /** Keep each batch's transaction under this (milliseconds). */
  readonly targetMs: number;
  /** Sleep between batches (milliseconds). */
  readonly pauseMs: number;
  readonly lockTimeoutMs: number;
  readonly statementTimeoutMs: number;
  /** SQL returning one row with a boolean column `ok`; while it says false, no batch starts. */
  readonly guard?: string | undefined;
  /** How often to ask the guard again while it says no (milliseconds). */
  readonly guardIntervalMs?: number;
  /** Attempts per batch for lock timeouts, serialization failures, deadlocks and statement timeouts. */
  readonly maxAttempts?: number;
  /** Passes: the walk over the key range, then going back over batches that skipped rows (locked, or changed). */
  readonly maxPasses?: number;
  /** The largest batch (rows) the adaptive size may reach. Default 100,000. */
  readonly maxBatchSize?: number;
  /** Aborting stops the run after the batch in flight. */
  readonly signal?: AbortSignal | undefined;
  readonly progress: ProgressSink;
  /** Called after every committed batch, and when the run ends. */
  readonly save: (state: BackfillState) => void;
}

export interface RunStats {
  /** Rows updated by this run (not counting earlier, resumed-from runs). */
  readonly updated: number;
  readonly batches: number;
  /** Time spent in the batch loop, pauses and guard waits included (milliseconds). */
  readonly elapsedMs: number;
  /** The longest batch transaction, BEGIN to COMMIT (milliseconds). */
  readonly maxBatchMs: number;
  readonly retries: number;
}

/** A row whose SET expression fails, found by bisecting the batch it was in. */
export interface RowFailure {
  readonly kind: "row";
  /** The key columns and the row's values, as text. */
  readonly key: Readonly<Record<string, string>>;
  readonly code: string | undefined;
  readonly message: string;
}

/** A batch that failed for another reason (or kept failing after every retry). */
export interface BatchFailure {
  readonly kind: "batch";
  readonly code: string | undefined;
  readonly message: string;
}

export type RunOutcome =
  | { readonly status: "done"; readonly stats: RunStats; readonly state: BackfillState }
  | { readonly status: "interrupted"; readonly stats: RunStats; readonly state: BackfillState }
  | { readonly status: "failed"; readonly stats: RunStats; readonly state: BackfillState; readonly failure: RowFailure | BatchFailure };

/** Errors worth another try of the same batch: someone else held a lock, or the transaction lost a conflict. */
const LOCK_NOT_AVAILABLE = "55P03";
const RETRYABLE = new Set([LOCK_NOT_AVAILABLE, "40001", "40P01"]);
const STATEMENT_TIMEOUT = "57014";
/**
 * How long a plain batch (no lock step) waits for a row lock before it gives up and runs again skip-locked
 * (milliseconds): long enough for the write of an application transaction that is about to commit, short against
 * the batch target, so what the application waits for stays bounded as with SKIP LOCKED.
 */
const PLAIN_LOCK_WAIT_MS = 10;
/** After a plain batch met a held row, this many batches take their row locks skip-locked before one tries plain again. */
const SKIP_LOCKED_SPELL = 16;
/** SQLSTATE classes an expression raises for a bad value: data exceptions, constraint violations, RAISE. */
const ROW_ERROR_CLASSES = new Set(["22", "23", "P0", "38", "39", "2F"]);

export class GuardError extends Error {
  override name = "GuardError";
}

/** Run (or resume, from `state`) one backfill. */
export async function runBackfill(db: Database, plan: BackfillPlan, initial: BackfillState, options: RunOptions): Promise<RunOutcome> {
  const maxAttempts = options.maxAttempts ?? 8;
  const maxPasses = plan.convergent ? (options.maxPasses ?? 3) : 1;
  const walk = options.walk ?? keyWalk(plan);
  if ((initial.order ?? "key") !== walk.order) throw new Error(`the saved state walks in ${initial.order ?? "key"} order, the run in ${walk.order} order`);
  // Sizes are given in rows; the sizer counts the walk's units (keys, or pages of about rowsPerUnit rows).
  const units = (rows: number): number => Math.max(1, Math.round(rows / walk.rowsPerUnit));
  const sizer = new BatchSizer({ initial: units(options.batchSize), targetMs: options.targetMs, max: units(options.maxBatchSize ?? 100_000) });
  const { progress, signal } = options;
  let state: BackfillState = initial;
  let updated = 0;
  let batches = 0;
  let retries = 0;
  let maxBatchMs = 0;
  let lastBatchMs = 0;
  let started = performance.now();
  const stats = (): RunStats => ({ updated, batches, elapsedMs: performance.now() - started, maxBatchMs, retries });
  const save = (change: Partial<BackfillState>): void => {
    state = { ...state, ...change, savedAt: new Date().toISOString() };
    options.save(state);
  };

  const label = `${formatName(plan.target.table)} (${plan.assignments.map((a) => formatName({ name: a.column })).join(", ")})`;
  // One worker's share stops at its upper end; the passes after the walk start again at its lower one. A walk in
  // physical order that runs to the end of the table stops at the last page the table had when the pass began.
  const lower = state.range?.lower ?? null;
  const count = async (step: Step): Promise<number> => Number((await db.query<{ pending: unknown }>(step.text, step.params)).rows[0]?.pending ?? 0);
  // A share that runs to the end of the table: by key, to its last key; in physical order, to its last page now.
  const toTheEnd = async (): Promise<{ end?: string[] }> => (walk.order === "physical" && !state.range?.upper ? { end: [String(await lastPage(db, plan))] } : {});
  // Rows inserted behind the walk (a key it had passed, a page after its last one), or that application updates
  // moved to pages it had passed: the unfinished rows of the share, to its end as it is now.
  const leftBehind = async (): Promise<{ left: number; end: { end?: string[] } }> => {
    const end = await toTheEnd();
    return { left: await count(walk.pending(lower, state.range?.upper ?? end.end ?? null, true)), end };
  };
  if (state.done) {
    // Finished: unless rows were left behind since (verification would call them missing), and walking again
    // changes nothing else, there is nothing to do.
    const { left, end } = plan.convergent ? await leftBehind() : { left: 0, end: {} };
    if (left === 0) return { status: "done", stats: stats(), state };
    progress.note(`finished before, but ${left} rows are to do (added or moved behind the walk since): walking again`);
    save({ done: false, pass: state.pass + 1, cursor: lower, queue: null, skipped: [], ...end });
  }
  // Passes are counted per run: up to maxPasses from the one this run starts in.
  const lastPass = state.pass + maxPasses - 1;
  if (walk.order === "physical" && !state.range?.upper && !state.end) save(await toTheEnd());
  const upper = (): readonly string[] | null => state.range?.upper ?? state.end ?? null;
  let remaining = await count(walk.pending(lower, upper(), state.pass > 1));
  progress.start(label, state.updated, remaining);
  started = performance.now(); // the rate is the batches', not the count's that only feeds the progress display
  const report = (): void => {
    const seconds = (performance.now() - started) / 1000;
    progress.update({ processed: state.updated, remaining, rate: seconds > 0 ? updated / seconds : 0, batchSize: Math.round(sizer.size * walk.rowsPerUnit), batchMs: lastBatchMs });
  };
  type Ending = { status: "interrupted" } | { status: "failed"; failure: RowFailure | BatchFailure };
  const end = (ending: Ending): RunOutcome => {
    save({});
    progress.stop();
    return { ...ending, stats: stats(), state };
  };
  const setup = (lockTimeoutMs: number): string =>
    `SET LOCAL lock_timeout = '${Math.max(1, Math.round(lockTimeoutMs))}ms'; SET LOCAL statement_timeout = '${Math.max(1, Math.round(options.statementTimeoutMs))}ms'`;
  // Batches run plain (no lock step: faster) until one meets a row someone holds; then skip-locked for a while.
  let skipLockedUntil = 0;
  let saidHeld = false;

  for (;;) {
    if (signal?.aborted) return end({ status: "interrupted" });
    if (options.guard && !(await waitForGuard(db, options.guard, options.guardIntervalMs ?? 1000, progress, signal))) return end({ status: "interrupted" });

    // The next batch: the walk's next keys, or, in a pass that goes back for skipped rows, the next batch that had
    // some, over the same keys as then.
    const redo = state.queue?.[0];
    const from = redo ? redo.from : state.cursor;
    let outcome: { rows: number; todo: number; ms: number; end: string[]; span: number } | "exhausted" | undefined;
    // A pass that goes back for skipped rows goes back because rows were held: skip-locked from the start.
    let form: BatchForm = redo || batches < skipLockedUntil ? "skip-locked" : "plain";
    for (let attempt = 1; outcome === undefined; attempt++) {
      const size = redo ? redo.span : sizer.size;
      const step = walk.batch(size, from, upper(), { form, unfinished: state.pass > 1 });
      if (!step) {
        outcome = "exhausted";
        break;
      }
      const began = performance.now();
      try {
        await db.exec(`BEGIN; ${setup(form === "plain" ? Math.min(PLAIN_LOCK_WAIT_MS, options.lockTimeoutMs) : options.lockTimeoutMs)}`);
        const { rows } = await db.query<Record<string, unknown>>(step.text, step.params);
        await db.exec("COMMIT");
        const result = walk.read(step, rows);
        outcome = result ? { rows: result.updated, todo: result.todo, ms: performance.now() - began, end: result.end, span: result.span } : "exhausted";
      } catch (error) {
        await rollback(db);
        const code = sqlState(error);
        const message = errorMessage(error);
        const timedOut = code === STATEMENT_TIMEOUT;
        if (code === LOCK_NOT_AVAILABLE && form === "plain") {
          // A row (or the table) someone holds: run the same batch again at once, skip-locked; this try does not count.
          if (!saidHeld) progress.note(`a batch met a row another transaction holds; batches lock their rows with SKIP LOCKED first for a while (${SKIP_LOCKED_SPELL} batches after each such meeting)`);
          saidHeld = true;
          form = "skip-locked";
          skipLockedUntil = batches + SKIP_LOCKED_SPELL;
          attempt -= 1;
          continue;
        }
        if ((RETRYABLE.has(code ?? "") || timedOut) && attempt < maxAttempts) {
          if (timedOut && !redo) sizer.shrink();
          retries++;
          const wait = backoffMs(attempt);
          progress.note(`${message} (${code}); retrying the batch${timedOut && !redo ? ` over ${sizer.size} ${walk.unit}` : ""} in ${Math.round(wait)} ms (attempt ${attempt + 1} of ${maxAttempts})`);
          if (!(await pause(wait, signal))) return end({ status: "interrupted" });
          continue;
        }
        if (code && ROW_ERROR_CLASSES.has(code.slice(0, 2))) {
          progress.note(`a batch failed (${message}); looking for the row that fails`);
          const row = await findFailingRow(db, plan, walk, step, from, upper(), size, setup(options.lockTimeoutMs));
          if (row) return end({ status: "failed", failure: row });
        }
        return end({ status: "failed", failure: { kind: "batch", code, message } });
      }
    }

    if (outcome !== "exhausted") {
      updated += outcome.rows;
      batches++;
      maxBatchMs = Math.max(maxBatchMs, outcome.ms);
      lastBatchMs = outcome.ms;
      remaining = Math.max(0, remaining - outcome.rows);
      // Pending rows the batch saw but did not update: locked by someone else (SKIP LOCKED), or changed meanwhile.
      const skippedHere = outcome.todo > outcome.rows ? [{ from, span: outcome.span }] : [];
      const skipped: BackfillState["skipped"] =
        state.skipped === "many" || state.skipped.length + skippedHere.length > MAX_SKIPPED_BATCHES ? "many" : [...state.skipped, ...skippedHere];
      const progressMade = { updated: state.updated + outcome.rows, batches: state.batches + 1, skipped };
      if (redo) {
        save({ ...progressMade, queue: state.queue!.slice(1) });
      } else {
        // The batch's cost is the keys it visited: a range with few pending rows is cheap, and says so.
        sizer.record(outcome.span, outcome.ms);
        save({ ...progressMade, cursor: outcome.end });
      }
      report();
    } else if (redo) {
      save({ queue: state.queue!.slice(1) }); // its keys are gone
    }

    const passOver = redo ? state.queue!.length === 0 : outcome === "exhausted";
    if (passOver) {
      const again = state.skipped === "many" || state.skipped.length > 0;
      if (again && state.pass < lastPass && !signal?.aborted) {
        const count = state.skipped === "many" ? `more than ${MAX_SKIPPED_BATCHES}` : String(state.skipped.length);
        progress.note(`pass ${state.pass} done; ${count} batches had rows that were locked or changed meanwhile: pass ${state.pass + 1} goes over them again`);
        // Too many to list: walk the whole key range again.
        save({ pass: state.pass + 1, queue: state.skipped === "many" ? null : state.skipped, cursor: lower, skipped: [] });
        continue;
      }
      if (state.pass < lastPass && !signal?.aborted) {
        // Walked again while rows are left behind.
        const { left, end } = await leftBehind();
        if (left > 0) {
          progress.note(`pass ${state.pass} done; ${left} rows still to do (added or moved behind the walk): pass ${state.pass + 1} walks the ${walk.unit} again`);
          remaining = left;
          save({ pass: state.pass + 1, queue: null, cursor: lower, skipped: [], ...end });
          continue;
        }
      }
      save({ done: true });
      report();
      progress.stop();
      return { status: "done", stats: stats(), state };
    }
    if (options.pauseMs > 0 && !(await pause(options.pauseMs, signal))) return end({ status: "interrupted" });
  }
}

/** Beyond this many batches with skipped rows, a later pass walks the whole key range instead of a list of batches. */
const MAX_SKIPPED_BATCHES = 10_000;

/** Wait until the guard says ok; false when the run was asked to stop meanwhile. */
async function waitForGuard(db: Database, guard: string, intervalMs: number, progress: ProgressSink, signal: AbortSignal | undefined): Promise<boolean> {
  let said = false;
  for (;;) {
    if (await guardSaysOk(db, guard)) return true;
    if (!said) progress.note(`the guard says not ok; waiting (asking again every ${intervalMs} ms)`);
    said = true;
    if (!(await pause(intervalMs, signal))) return false;
  }
}

/** Run the guard query: its first row's `ok` column decides. */
export async function guardSaysOk(db: Database, guard: string): Promise<boolean> {
  let rows: Record<string, unknown>[];
  try {
    ({ rows } = await db.query<Record<string, unknown>>(guard));
  } catch (error) {
    throw new GuardError(`the guard query failed: ${errorMessage(error)}`);
  }
  const row = rows[0];
  if (!row || !("ok" in row)) throw new GuardError("the guard query must return a row with a boolean column named ok");
  const ok = row.ok;
  return ok === true || ok === "t" || ok === "true";
}

/**
 * The first row of the failed batch whose update fails: list the batch's pending rows again (without locking), then
 * binary-search the shortest failing prefix, each try an UPDATE of some of those rows in a transaction that is
 * always rolled back. The key walk finds the batch's range again and tries key ranges; the walk in physical order
 * lists the rows of the batch's pages and tries them by tid.
 */
async function findFailingRow(
  db: Database,
  plan: BackfillPlan,
  walk: Walk,
  step: Step,
  cursor: readonly string[] | null,
  upper: readonly string[] | null,
  size: number,
  timeouts: string,
): Promise<RowFailure | undefined> {
  const keyOf = (row: Record<string, unknown>): string[] => plan.key.columns.map((_, i) => String(row[`key_${i + 1}`]));
  let keys: string[][];
  let tryRows: (from: number, to: number) => Step;
  if (walk.order === "physical") {
    const { rows } = await db.query<Record<string, unknown>>(plan.pageListSql(), step.params);
    keys = rows.map(keyOf);
    const tids = rows.map((row) => String(row.row_id));
    const text = plan.tidUpdateSql();
    tryRows = (from, to) => ({ text, params: [`{${tids.slice(from, to + 1).map((t) => `"${t}"`).join(",")}}`] });
  } else {
    const first = cursor === null;
    const { rows: ends } = await db.query<Record<string, unknown>>(plan.rangeEndSql(size, first, upper !== null), [...(cursor ?? []), ...(upper ?? [])]);
    const endRow = ends[0];
    if (!endRow) return undefined;
    const { rows } = await db.query<Record<string, unknown>>(plan.listSql(first), [...(cursor ?? []), ...keyOf(endRow)]);
    keys = rows.map(keyOf);
    const text = plan.rangeUpdateSql();
    tryRows = (from, to) => ({ text, params: [...keys[from]!, ...keys[to]!] });
  }
  if (keys.length === 0) return undefined;
  const fails = async (from: number, to: number): Promise<unknown> => {
    try {
      await db.exec(`BEGIN; ${timeouts}`);
      const attempt = tryRows(from, to);
      await db.query(attempt.text, attempt.params);
      return undefined;
    } catch (error) {
      const code = sqlState(error);
      return code && ROW_ERROR_CLASSES.has(code.slice(0, 2)) ? error : undefined;
    } finally {
      await rollback(db);
    }
  };
  if (!(await fails(0, keys.length - 1))) return undefined;
  let lo = 0;
  let hi = keys.length - 1; // invariant: the prefix [0, hi] fails
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (await fails(0, mid)) hi = mid;
    else lo = mid + 1;
  }
  const error = (await fails(lo, lo)) ?? (await fails(0, lo));
  const key = Object.fromEntries(plan.key.columns.map((c, i) => [c.name, keys[lo]![i]!]));
  return { kind: "row", key, code: sqlState(error), message: errorMessage(error) };
}

async function rollback(db: Database): Promise<void> {
  try {
    await db.exec("ROLLBACK");
  } catch {
    // Nothing to roll back (the error came before BEGIN took effect) or the connection is gone: the next call says.
  }
}

/** Sleep, unless the run is asked to stop: false then. */
async function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return false;
  try {
    await sleep(ms, undefined, signal ? { signal } : {});
    return true;
  } catch {
    return false;
  }
}

/** Exponential backoff with jitter: ~100 ms, 200 ms, 400 ms … up to 5 s. */
export function backoffMs(attempt: number): number {
  const base = Math.min(5000, 100 * 2 ** (attempt - 1));
  return base / 2 + Math.random() * (base / 2);
}

export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

