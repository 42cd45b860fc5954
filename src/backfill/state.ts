/**
 * Where a backfill stopped, kept in a small JSON file so the next run resumes there: per backfill of the migration,
 * the cursor (the last key done, as text), the pass, and the counts so far. Written after every committed batch by
 * write-then-rename, so a crash at any instant leaves either the previous state or the new one, never half a file.
 * A crash between a batch's commit and the write loses nothing: the batch is redone, and its rows, no longer
 * pending, are skipped.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { WalkOrder } from "./walk.js";

export interface BackfillState {
  /** The table, for people reading the file. */
  readonly table: string;
  readonly line: number;
  /** The last key of the last committed batch of the walk (text), or null before its first batch. */
  readonly cursor: readonly string[] | null;
  /** 1 for the walk over the key range; later passes go back over batches that skipped rows. */
  readonly pass: number;
  /** Batches of this pass that skipped pending rows (locked by someone else): where the next pass goes. */
  readonly skipped: readonly RedoBatch[] | "many";
  /** In a later pass, the batches still to go over again; null while walking the key range. */
  readonly queue: readonly RedoBatch[] | null;
  readonly updated: number;
  readonly batches: number;
  readonly done: boolean;
  readonly savedAt: string;
  /**
   * One worker's share of the keys, when several run side by side (`--workers`): it starts after `lower` and stops
   * at `upper` (inclusive); null there means the first or the last key. Absent: the whole key range.
   */
  readonly range?: KeyRange;
  /**
   * The order the walk goes in (walk.ts); absent: by key. In physical order the cursor, the range's ends and `end`
   * are page numbers (the last page done, inclusive), and redo batches count pages.
   */
  readonly order?: WalkOrder;
  /** Physical order, a share that runs to the end of the table: the last page of the current pass. */
  readonly end?: readonly string[];
}

/** A share of the key range (or of the pages): after `lower` (exclusive), up to `upper` (inclusive); null for an open end. */
export interface KeyRange {
  readonly lower: readonly string[] | null;
  readonly upper: readonly string[] | null;
}

/** A batch to go over again: the keys after `from` (null: from the first key), `span` of them. */
export interface RedoBatch {
  readonly from: readonly string[] | null;
  readonly span: number;
}

/** Bumped when the file's shape changes: an older file is refused, not misread. */
export const STATE_VERSION = 4;

export interface StateFile {
  readonly version: typeof STATE_VERSION;
  readonly file: string;
  /**
   * By backfill identity (see backfillId): a changed UPDATE starts afresh instead of resuming a different one.
   * One state per worker's share of the keys: a single one for a run with one worker.
   */
  readonly backfills: Readonly<Record<string, readonly BackfillState[]>>;
}

/** `<dir>/.migration-safety/<name>.backfill.json` next to the migration. */
export function defaultStatePath(migration: string): string {
  return join(dirname(migration), ".migration-safety", `${basename(migration)}.backfill.json`);
}

/** A stable identity for one backfill: what it updates, how, and along which key. */
export function backfillId(parts: readonly string[]): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 16);
}

export class StateError extends Error {
  override name = "StateError";
}

/** The saved state, or undefined when there is none yet. A file that is not ours is an error, not a fresh start. */
export function readState(path: string, migration: string): StateFile | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new StateError(`${path} is not valid JSON; delete it (or use --restart) to start over`);
  }
  const state = parsed as Partial<Omit<StateFile, "version">> & { version?: unknown };
  // Version 3 had no walk order (it always walked the key, as a state without `order` says); version 2 no shares.
  if ((state.version !== STATE_VERSION && state.version !== 3 && state.version !== 2) || typeof state.backfills !== "object" || state.backfills === null) {
    throw new StateError(`${path} is not a backfill state file of this version; delete it (or use --restart) to start over`);
  }
  if (state.file !== migration) throw new StateError(`${path} belongs to ${state.file}, not ${migration}; give another --state-file`);
  if (state.version === 2) {
    // Version 2 kept one state per backfill: what a run with one worker keeps now.
    const single = state.backfills as unknown as Record<string, BackfillState>;
    return { version: STATE_VERSION, file: migration, backfills: Object.fromEntries(Object.entries(single).map(([id, one]) => [id, [one]])) };
  }
  return { ...(state as unknown as StateFile), version: STATE_VERSION };
}

export function writeState(path: string, state: StateFile): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(state, null, 2) + "\n");
  renameSync(temporary, path);
}
