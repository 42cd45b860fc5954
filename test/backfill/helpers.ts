/**
 * Helpers for the backfill tests: prepare a migration's backfills from text, with the history and catalog given
 * explicitly, and a fresh state to run one from.
 */
import { prepareBackfills, readCatalog, upStatements, type BackfillState, type PreparedBackfill, type ProgressSink } from "../../src/backfill/index.js";
import type { Database } from "../../src/db/database.js";

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
