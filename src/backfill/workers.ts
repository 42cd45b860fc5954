/**
 * Several workers on one backfill, side by side: the key range is split into contiguous shares, one per worker,
 * and each worker walks its share with its own connection, exactly as a single run walks the whole range (its own
 * batch sizing, retries, passes and saved state). One backend applies an UPDATE at one core's speed; a server
 * with cores to spare finishes sooner with two or three, while every batch stays as short as one worker's.
 *
 * By key, the shares are cut at keys found by position in key order (`OFFSET n/k`, an index-only walk done once), so
 * they hold about as many rows each (in physical order they are ranges of about as many pages: walk.ts, splitPages);
 * they are saved with the state and reused on resume, whatever --workers says then.
 */
import type { Database } from "../db/database.js";
import type { BackfillPlan } from "./plan.js";
import type { ProgressSink, ProgressUpdate } from "./progress.js";
import { runBackfill, type BatchFailure, type RowFailure, type RunOptions, type RunOutcome, type RunStats } from "./runner.js";
import type { BackfillState, KeyRange } from "./state.js";

/** Cut the table's key range into (at most) `workers` shares of about equal row counts, in key order. */
export async function splitKeyRange(db: Database, plan: BackfillPlan, workers: number): Promise<KeyRange[]> {
  if (workers <= 1) return [{ lower: null, upper: null }];
  const { rows } = await db.query<{ n: unknown }>(`SELECT count(*) AS n FROM ${plan.tableSql}`);
  const total = Number(rows[0]?.n ?? 0);
  const cuts: string[][] = [];
  for (let i = 1; i < workers; i++) {
    const position = Math.floor((i * total) / workers) - 1;
    if (position < 0) continue; // fewer rows than workers
    const { rows: at } = await db.query<Record<string, unknown>>(plan.keyAtSql, [position]);
    const row = at[0];
    if (!row) continue; // rows deleted since the count
    const key = plan.key.columns.map((_, c) => String(row[`key_${c + 1}`]));
    if (!cuts.some((cut) => cut.every((value, c) => value === key[c]))) cuts.push(key);
  }
  const ends = [null, ...cuts];
  return ends.map((lower, i) => ({ lower, upper: cuts[i] ?? null }));
}

/** A fresh state for one share of the keys (the cursor starts at the share's lower end). */
export function shareState(base: BackfillState, range: KeyRange): BackfillState {
  return { ...base, cursor: range.lower, range };
}

export type WorkersOutcome =
  | { readonly status: "done" | "interrupted"; readonly stats: RunStats; readonly states: readonly BackfillState[] }
  | { readonly status: "failed"; readonly stats: RunStats; readonly states: readonly BackfillState[]; readonly failure: RowFailure | BatchFailure };

/**
 * Run one backfill's shares, each on its own connection (`dbs[i]` for `states[i]`). A share that fails stops the
 * others after their batch in flight, so the run ends as a single one would: with the failure, and progress saved.
 */
export async function runWorkers(
  dbs: readonly Database[],
  plan: BackfillPlan,
  states: readonly BackfillState[],
  options: Omit<RunOptions, "save"> & { readonly save: (states: readonly BackfillState[]) => void },
): Promise<WorkersOutcome> {
  if (dbs.length < states.length) throw new Error(`${states.length} shares need as many connections, got ${dbs.length}`);
  const current = [...states];
  const failed = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, failed.signal]) : failed.signal;
  const sinks = states.length === 1 ? [options.progress] : sharedProgress(options.progress, states.length);
  const outcomes = await Promise.all(
    states.map(async (state, i) => {
      const outcome = await runBackfill(dbs[i]!, plan, state, {
        ...options,
        signal,
        progress: sinks[i]!,
        save: (saved) => {
          current[i] = saved;
          options.save(current);
        },
      });
      if (outcome.status === "failed") failed.abort();
      return outcome;
    }),
  );
  return combineOutcomes(outcomes);
}

/** One outcome for the shares: failed if one failed, interrupted if one stopped, else done; counts added up. */
export function combineOutcomes(outcomes: readonly RunOutcome[]): WorkersOutcome {
  const stats: RunStats = {
    updated: sum(outcomes.map((o) => o.stats.updated)),
    batches: sum(outcomes.map((o) => o.stats.batches)),
    retries: sum(outcomes.map((o) => o.stats.retries)),
    // They ran side by side: the run took as long as the longest share.
    elapsedMs: Math.max(0, ...outcomes.map((o) => o.stats.elapsedMs)),
    maxBatchMs: Math.max(0, ...outcomes.map((o) => o.stats.maxBatchMs)),
  };
  const states = outcomes.map((o) => o.state);
  const failure = outcomes.find((o) => o.status === "failed");
  if (failure?.status === "failed") return { status: "failed", stats, states, failure: failure.failure };
  return { status: outcomes.every((o) => o.status === "done") ? "done" : "interrupted", stats, states };
}

/**
 * One display for several workers: each worker's sink records its own figures, and the display shows their sum
 * (processed, remaining, rate) with the batch size and duration of the worker that reported last.
 */
export function sharedProgress(sink: ProgressSink, count: number): ProgressSink[] {
  const figures: (ProgressUpdate | undefined)[] = Array.from({ length: count }, () => undefined);
  let label: string | undefined;
  let started = false;
  // The display starts once every worker has counted its rows (or one has done a batch already: a worker whose
  // share was finished before never starts), so its first line shows the whole count.
  const show = (latest: ProgressUpdate | undefined): void => {
    const known = figures.filter((f): f is ProgressUpdate => f !== undefined);
    const processed = sum(known.map((f) => f.processed));
    const remaining = sum(known.map((f) => f.remaining));
    if (!started) {
      if (!latest && known.length < count) return;
      started = true;
      sink.start(`${label}, ${count} workers`, processed, remaining);
    }
    if (latest) sink.update({ processed, remaining, rate: sum(known.map((f) => f.rate)), batchSize: latest.batchSize, batchMs: latest.batchMs });
  };
  return figures.map((_, i) => ({
    start(name, processed, remaining) {
      label ??= name;
      figures[i] = { processed, remaining, rate: 0, batchSize: 0, batchMs: 0 };
      show(undefined);
    },
    update(progress) {
      figures[i] = progress;
      show(progress);
    },
    note(message) {
      sink.note(`worker ${i + 1}: ${message}`);
    },
    // The display stays until the caller stops it: the other workers may still be running.
    stop() {},
  }));
}

/** Rows updated by every share of a backfill, earlier runs included. */
export function totalUpdated(states: readonly BackfillState[]): number {
  return sum(states.map((s) => s.updated));
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
