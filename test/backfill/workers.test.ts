/**
 * Several workers on one backfill: the key range split into shares, each walked on its own server connection.
 * Every row is updated exactly once (a trigger counts), the shares cover the keys without overlap, a stop and a
 * resume from the saved shares end with the same result, a failing row stops every worker, and the display shows
 * the sum of the workers' figures. Also: a version 2 state file reads as one share.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  readState,
  runWorkers,
  shareState,
  sharedProgress,
  splitKeyRange,
  STATE_VERSION,
  type BackfillState,
  type ProgressSink,
  type ProgressUpdate,
} from "../../src/backfill/index.js";
import { defaultDatabaseUrl, type Database } from "../../src/db/database.js";
import { runChecks } from "../../src/verify/index.js";
import { backfillsOf, freshState, recordingProgress, serverSessions } from "./helpers.js";

const serverUrl = defaultDatabaseUrl();
const base = { batchSize: 1000, targetMs: 100, pauseMs: 0, lockTimeoutMs: 1000, statementTimeoutMs: 10_000 };

async function count(db: Database, sql: string): Promise<number> {
  const { rows } = await db.query<{ n: unknown }>(sql);
  return Number(rows[0]!.n);
}

describe.runIf(serverUrl)("backfill run with several workers [PostgreSQL server]", () => {
  const dbs = serverSessions(serverUrl, 3, "ms_backfill_workers");

  const people = async (table: string, rows: number): Promise<void> => {
    await dbs[0]!.exec(`
      CREATE TABLE ${table} (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), first text, last text, full_name text, touched int NOT NULL DEFAULT 0);
      INSERT INTO ${table} (first, last) SELECT 'First' || g, 'Last' || g FROM generate_series(1, ${rows}) AS g;
      CREATE FUNCTION ${table}_touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.touched := OLD.touched + 1; RETURN NEW; END $$;
      CREATE TRIGGER touch BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION ${table}_touch();
    `);
  };

  it("splits the keys into shares of about equal size that cover every row once", async () => {
    await people("split", 30_000);
    const [backfill] = await backfillsOf("UPDATE split SET full_name = first || ' ' || last;", { db: dbs[0]! });
    const ranges = await splitKeyRange(dbs[0]!, backfill!.plan, 3);
    expect(ranges).toHaveLength(3);
    expect(ranges[0]!.lower).toBeNull();
    expect(ranges[2]!.upper).toBeNull();
    expect(ranges[1]!.lower).toEqual(ranges[0]!.upper);
    expect(ranges[2]!.lower).toEqual(ranges[1]!.upper);
    const sizes = [];
    for (const { lower, upper } of ranges) {
      const conditions = [...(lower ? [`id > '${lower[0]}'`] : []), ...(upper ? [`id <= '${upper[0]}'`] : [])];
      sizes.push(await count(dbs[0]!, `SELECT count(*) AS n FROM split WHERE ${conditions.join(" AND ")}`));
    }
    expect(sizes).toEqual([10_000, 10_000, 10_000]);
    // A table with fewer rows than workers gets fewer shares; an empty one, one.
    await dbs[0]!.exec("CREATE TABLE tiny (id int PRIMARY KEY, a int, b int); INSERT INTO tiny VALUES (1, 1, NULL), (2, 2, NULL); CREATE TABLE empty (id int PRIMARY KEY, a int, b int);");
    const [tiny] = await backfillsOf("UPDATE tiny SET b = a;", { db: dbs[0]! });
    expect(await splitKeyRange(dbs[0]!, tiny!.plan, 5)).toEqual([
      { lower: null, upper: ["1"] },
      { lower: ["1"], upper: null },
    ]);
    const [empty] = await backfillsOf("UPDATE empty SET b = a;", { db: dbs[0]! });
    expect(await splitKeyRange(dbs[0]!, empty!.plan, 3)).toEqual([{ lower: null, upper: null }]);
  }, 60_000);

  it("three workers update every row exactly once; stopped and resumed from the saved shares, the same result", async () => {
    await people("shared", 60_000);
    const [backfill] = await backfillsOf("UPDATE shared SET full_name = first || ' ' || last;", { db: dbs[0]! });
    const ranges = await splitKeyRange(dbs[0]!, backfill!.plan, 3);
    let saved: readonly BackfillState[] = ranges.map((range) => shareState(freshState("shared"), range));
    // Batches of 1,000 keys: 60 in all. Stop all three after 10 (each finishes the batch it has in flight).
    const stop = new AbortController();
    const stopping = recordingProgress((n) => n === 10 && stop.abort());
    const first = await runWorkers(dbs, backfill!.plan, saved, { ...base, maxBatchSize: 1000, signal: stop.signal, progress: stopping, save: (states) => void (saved = states) });
    expect(first.status).toBe("interrupted");
    expect(saved).toHaveLength(3);
    const doneSoFar = saved.reduce((n, s) => n + s.updated, 0);
    expect(doneSoFar).toBe(first.stats.updated);
    expect(doneSoFar).toBeGreaterThan(0);
    expect(doneSoFar).toBeLessThan(60_000);
    expect(await count(dbs[0]!, "SELECT count(*) AS n FROM shared WHERE full_name IS NOT NULL")).toBe(doneSoFar);

    const second = await runWorkers(dbs, backfill!.plan, saved, { ...base, progress: recordingProgress(), save: (states) => void (saved = states) });
    expect(second.status).toBe("done");
    expect(second.stats.updated).toBe(60_000 - doneSoFar);
    expect(saved.map((s) => s.done)).toEqual([true, true, true]);
    expect(saved.map((s) => s.range)).toEqual(ranges);
    expect(await count(dbs[0]!, "SELECT count(*) AS n FROM shared WHERE touched <> 1 OR full_name IS DISTINCT FROM first || ' ' || last")).toBe(0);
    const results = await runChecks(dbs[0]!, backfill!.checks);
    expect(results.every((r) => r.ok)).toBe(true);
  }, 120_000);

  it("a row that fails in one share stops the other workers too, with its key, and nothing half-written", async () => {
    await dbs[0]!.exec("CREATE TABLE raw (id int PRIMARY KEY, v text, n int); INSERT INTO raw SELECT g, g::text, NULL FROM generate_series(1, 40000) AS g; UPDATE raw SET v = 'x' WHERE id = 30123;");
    const [backfill] = await backfillsOf("UPDATE raw SET n = v::int;", { db: dbs[0]! });
    const ranges = await splitKeyRange(dbs[0]!, backfill!.plan, 2);
    const outcome = await runWorkers(dbs, backfill!.plan, ranges.map((range) => shareState(freshState("raw"), range)), {
      ...base,
      batchSize: 500,
      maxBatchSize: 500,
      pauseMs: 20,
      progress: recordingProgress(),
      save: () => {},
    });
    expect(outcome.status).toBe("failed");
    expect(outcome.status === "failed" && outcome.failure).toMatchObject({ kind: "row", key: { id: "30123" }, code: "22P02" });
    // The first worker stopped after its batch in flight rather than walk its whole share to the end.
    expect(outcome.states[0]!.done).toBe(false);
    expect(await count(dbs[0]!, "SELECT count(n) AS n FROM raw")).toBe(outcome.stats.updated);
  }, 60_000);
});

describe("sharedProgress", () => {
  it("shows the workers' figures added up, and their notes with the worker's number", () => {
    const shown: ProgressUpdate[] = [];
    const starts: unknown[][] = [];
    const notes: string[] = [];
    let stops = 0;
    const sink: ProgressSink = { start: (...args) => void starts.push(args), update: (u) => void shown.push(u), note: (n) => void notes.push(n), stop: () => void stops++ };
    const [a, b] = sharedProgress(sink, 2);
    a!.start("users (display_name)", 0, 500);
    expect(starts).toEqual([]); // not before every worker has counted its rows
    b!.start("users (display_name)", 10, 400);
    a!.update({ processed: 100, remaining: 400, rate: 1000, batchSize: 100, batchMs: 40 });
    b!.update({ processed: 60, remaining: 350, rate: 500, batchSize: 50, batchMs: 30 });
    b!.note("retrying");
    a!.stop();
    expect(starts).toEqual([["users (display_name), 2 workers", 10, 900]]);
    expect(shown.at(-1)).toEqual({ processed: 160, remaining: 750, rate: 1500, batchSize: 50, batchMs: 30 });
    expect(notes).toEqual(["worker 2: retrying"]);
    expect(stops).toBe(0); // the caller stops the display once every worker is done
  });
});

describe("state files", () => {
  it("reads a version 2 file (one state per backfill) as one share each", () => {
    const dir = mkdtempSync(join(tmpdir(), "ms-state-"));
    const path = join(dir, "state.json");
    const one = { ...freshState("users"), cursor: ["42"], updated: 42, batches: 1 };
    writeFileSync(path, JSON.stringify({ version: 2, file: "/m/020.sql", backfills: { abc: one } }));
    expect(readState(path, "/m/020.sql")).toEqual({ version: STATE_VERSION, file: "/m/020.sql", backfills: { abc: [one] } });
    writeFileSync(path, JSON.stringify({ version: 1, file: "/m/020.sql", backfills: {} }));
    expect(() => readState(path, "/m/020.sql")).toThrow(/not a backfill state file of this version/);
  });

  it("reads a version 3 file (before the walk in physical order) as walking the key", () => {
    const dir = mkdtempSync(join(tmpdir(), "ms-state-"));
    const path = join(dir, "state.json");
    const shares = [{ ...freshState("users"), cursor: ["42"], range: { lower: null, upper: ["99"] } }];
    writeFileSync(path, JSON.stringify({ version: 3, file: "/m/020.sql", backfills: { abc: shares } }));
    const read = readState(path, "/m/020.sql")!;
    expect(read).toEqual({ version: STATE_VERSION, file: "/m/020.sql", backfills: { abc: shares } });
    expect(read.backfills.abc![0]!.order).toBeUndefined(); // what runBackfill takes for the key walk
  });
});
