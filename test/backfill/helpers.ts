/**
 * Helpers for the backfill tests: prepare a migration's backfills from text, with the history and catalog given
 * explicitly, and a fresh state to run one from.
 */
import { afterAll, beforeAll } from "vitest";
import { prepareBackfills, readCatalog, upStatements, type BackfillState, type PreparedBackfill, type ProgressSink, type RunOptions } from "../../src/backfill/index.js";
import { openDatabase, type Database } from "../../src/db/database.js";

/** The backfills of `text`; with `db`, the catalog is read from it (as `backfill run` does). */
export async function backfillsOf(text: string, options: { db?: Database; key?: string[]; history?: string; file?: string } = {}): Promise<PreparedBackfill[]> {
  const { db, key, history, file } = options;
  const prepared = await prepareBackfills({
    text,
    file,
    key,
    history: history === undefined ? undefined : () => upStatements(history, "history.sql"),
    catalog: db ? (table) => readCatalog(db, table) : undefined,
    needCatalog: db !== undefined,
  });
  if (prepared.refused.length > 0) throw new Error(prepared.refused.map((r) => `line ${r.line}: ${r.reason}`).join("\n"));
  return [...prepared.backfills];
}

export function freshState(table = "t"): BackfillState {
  return { table, line: 1, cursor: null, pass: 1, skipped: [], queue: null, updated: 0, batches: 0, done: false, savedAt: new Date(0).toISOString() };
}

/** A progress sink that records what it is told, and can call back on each update. */
export function recordingProgress(onUpdate?: (count: number) => void): ProgressSink & { notes: string[]; updates: number } {
  const sink = {
    notes: [] as string[],
    updates: 0,
    start() {},
    update() {
      sink.updates++;
      onUpdate?.(sink.updates);
    },
    note(message: string) {
      sink.notes.push(message);
    },
    stop() {},
  };
  return sink;
}

/** Options for runBackfill: batches of 1000 rows aiming at 100 ms, nothing saved, unless overridden. */
export function runOptions(overrides: Partial<RunOptions> = {}): RunOptions {
  return { batchSize: 1000, targetMs: 100, pauseMs: 0, lockTimeoutMs: 1000, statementTimeoutMs: 10_000, progress: recordingProgress(), save: () => {}, ...overrides };
}

/**
 * `count` sessions on the server at `url`, opened before the suite's tests, all with the search_path set to a fresh
 * schema (named after `prefix`) that is dropped afterwards. The array is filled in beforeAll.
 */
export function serverSessions(url: string | undefined, count: number, prefix: string): Database[] {
  const sessions: Database[] = [];
  const schema = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  beforeAll(async () => {
    for (let i = 0; i < count; i++) {
      const db = await openDatabase({ url });
      await db.exec(i === 0 ? `CREATE SCHEMA ${schema}; SET search_path TO ${schema}` : `SET search_path TO ${schema}`);
      sessions.push(db);
    }
  });
  afterAll(async () => {
    await sessions[0]?.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await Promise.all(sessions.map((db) => db.close()));
  });
  return sessions;
}
