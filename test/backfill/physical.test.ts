/**
 * The walk in physical order (src/backfill/walk.ts): batches over page ranges instead of key ranges. What must hold
 * is what holds for the key walk — every row updated exactly once (a trigger counts), resumable from the saved
 * page, the failing row found by its key — plus what is its own: each batch reads only its pages (a TID range
 * scan, never the whole table), a row that moves behind the walk is not lost, and where PostgreSQL cannot walk a
 * table by pages it says why.
 */
import { describe, expect, it } from "vitest";
import {
  pageWalk,
  physicalSupport,
  planText,
  runBackfill,
  runWorkers,
  shareState,
  splitPages,
  type BackfillPlan,
  type BackfillState,
  type RunOptions,
  type Walk,
} from "../../src/backfill/index.js";
import { defaultDatabaseUrl, type Database } from "../../src/db/database.js";
import { runChecks } from "../../src/verify/index.js";
import { markerKind } from "../../src/context/conventions.js";
import { parseDocument } from "../../src/sql/document.js";
import { describeOnDatabases } from "../helpers/databases.js";
import { backfillsOf, freshState, recordingProgress, runOptions, serverSessions } from "./helpers.js";

const options = (walk: Walk, overrides: Partial<RunOptions> = {}): RunOptions => runOptions({ walk, ...overrides });

const physicalState = (table: string): BackfillState => ({ ...freshState(table), order: "physical" });

async function count(db: Database, sql: string): Promise<number> {
  const { rows } = await db.query<{ n: unknown }>(sql);
  return Number(rows[0]!.n);
}

async function walkOf(db: Database, plan: BackfillPlan): Promise<Walk> {
  const support = await physicalSupport(db, plan);
  if (!support.ok) throw new Error(support.reason);
  return pageWalk(plan, support.rowsPerPage);
}

/** A table of `rows` people keyed by random uuids (so key order is not page order), with an update counter. */
async function people(db: Database, table: string, rows: number): Promise<void> {
  await db.exec(`
    CREATE TABLE ${table} (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), n int NOT NULL, full_name text, display_name text, touched int NOT NULL DEFAULT 0);
    INSERT INTO ${table} (n, full_name) SELECT g, 'User ' || g FROM generate_series(1, ${rows}) AS g;
    CREATE FUNCTION ${table}_touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.touched := OLD.touched + 1; RETURN NEW; END $$;
    CREATE TRIGGER touch BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION ${table}_touch();
  `);
}

describeOnDatabases("backfill run in physical order", (db) => {
  it("reads each batch's pages with a TID range scan, not the whole table", async () => {
    await people(db(), "scanned", 2000);
    await db().exec("ANALYZE scanned");
    const [backfill] = await backfillsOf("UPDATE scanned SET display_name = upper(full_name);", { db: db() });
    const { rows } = await db().query<Record<string, string>>(`EXPLAIN ${backfill!.plan.pageBatchSql()}`.replaceAll("$1", "'(0,0)'").replaceAll("$2", "'(3,0)'"));
    const text = rows.map((r) => Object.values(r)[0]).join("\n");
    expect(text).toMatch(/Tid Range Scan on scanned/);
    expect(text).not.toMatch(/Seq Scan/);
  });

  it("updates 100,000 uuid-keyed rows exactly once, page by page, and ends with the verification clean", async () => {
    await people(db(), "walked", 100_000);
    const [backfill] = await backfillsOf("UPDATE walked SET display_name = upper(full_name);", { db: db() });
    const walk = await walkOf(db(), backfill!.plan);
    const saved: BackfillState[] = [];
    const outcome = await runBackfill(db(), backfill!.plan, physicalState("walked"), options(walk, { save: (s) => void saved.push(s) }));
    expect(outcome).toMatchObject({ status: "done", stats: { updated: 100_000 }, state: { done: true, pass: 1, order: "physical" } });
    // The cursor is a page number, growing batch by batch, and the last one is the table's last page at the start.
    const cursors = saved.map((s) => s.cursor).filter((c) => c !== null).map((c) => Number(c![0]));
    expect(cursors).toEqual([...cursors].sort((a, b) => a - b));
    expect(cursors.at(-1)).toBe(Number(outcome.state.end![0]));
    expect(await count(db(), "SELECT count(*) AS n FROM walked WHERE touched <> 1 OR display_name IS DISTINCT FROM upper(full_name)")).toBe(0);
    expect(await runChecks(db(), backfill!.checks)).toEqual([expect.objectContaining({ ok: true, figures: { total: 100_000, missing: 0, drifted: 0 } })]);
  }, 300_000);

  it("stops after the batch in flight, resumes from the saved page, and goes back for a row that moved behind it", async () => {
    await people(db(), "moving", 20_000);
    const [backfill] = await backfillsOf("UPDATE moving SET display_name = upper(full_name);", { db: db() });
    const walk = await walkOf(db(), backfill!.plan);
    const controller = new AbortController();
    let saved = physicalState("moving");
    const first = await runBackfill(db(), backfill!.plan, saved, options(walk, {
      maxBatchSize: 2000,
      targetMs: 60_000,
      signal: controller.signal,
      progress: recordingProgress((n) => n === 3 && controller.abort()),
      save: (s) => void (saved = s),
    }));
    expect(first.status).toBe("interrupted");
    expect(saved).toMatchObject({ done: false, batches: 3, order: "physical" });
    const cursor = Number(saved.cursor![0]);
    expect(await count(db(), "SELECT count(*) AS n FROM moving WHERE display_name IS NOT NULL")).toBe(saved.updated);

    // An application update moves a row not reached yet onto a page the walk has passed (where the batches left
    // room), and adds one after the walk's last page.
    await db().exec("VACUUM moving");
    await db().exec("UPDATE moving SET full_name = 'Moved' WHERE n = 19000");
    await db().exec("INSERT INTO moving (n, full_name) VALUES (20001, 'Late')");
    const page = async (n: number): Promise<number> => {
      const { rows } = await db().query<{ ctid: string }>(`SELECT ctid::text FROM moving WHERE n = ${n}`);
      return Number(rows[0]!.ctid.slice(1, rows[0]!.ctid.indexOf(",")));
    };
    expect(await page(19000)).toBeLessThanOrEqual(cursor); // the situation this test is about: the row is behind the walk
    const progress = recordingProgress();
    const second = await runBackfill(db(), backfill!.plan, saved, options(walk, { progress, save: (s) => void (saved = s) }));
    expect(second).toMatchObject({ status: "done", state: { done: true, pass: 2 } });
    expect(progress.notes.join("\n")).toMatch(/pass 1 done; \d+ rows still to do .*pass 2 walks the pages again/);
    expect(await count(db(), "SELECT count(*) AS n FROM moving WHERE display_name IS DISTINCT FROM upper(full_name)")).toBe(0);
    // Exactly once: the moved row was touched by the application's update and the backfill's, every other by the backfill's.
    expect(await count(db(), "SELECT count(*) AS n FROM moving WHERE touched <> CASE WHEN n = 19000 THEN 2 ELSE 1 END")).toBe(0);
  }, 120_000);

  it("finds a failing row by its key within the batch's pages, with nothing of that batch written", async () => {
    await db().exec(`
      CREATE TABLE raw (id int PRIMARY KEY, v text, n int);
      INSERT INTO raw SELECT g, g::text, NULL FROM generate_series(1, 5000) AS g;
      UPDATE raw SET v = 'oops' WHERE id = 4321;
    `);
    const [backfill] = await backfillsOf("UPDATE raw SET n = v::int;", { db: db() });
    const walk = await walkOf(db(), backfill!.plan);
    let saved = physicalState("raw");
    const outcome = await runBackfill(db(), backfill!.plan, saved, options(walk, { maxBatchSize: 500, targetMs: 60_000, save: (s) => void (saved = s) }));
    expect(outcome).toMatchObject({ status: "failed", failure: { kind: "row", key: { id: "4321" }, code: "22P02" } });
    expect(await count(db(), "SELECT count(n) AS n FROM raw")).toBe(saved.updated);
    expect(saved.updated).toBeGreaterThan(0);

    await db().exec("UPDATE raw SET v = '4321' WHERE id = 4321");
    const resumed = await runBackfill(db(), backfill!.plan, saved, options(walk));
    expect(resumed.status).toBe("done");
    expect(await count(db(), "SELECT count(*) AS n FROM raw WHERE n IS DISTINCT FROM v::int")).toBe(0);
  }, 60_000);

  it("walks a table whose name needs quoting, in a schema of such a name", async () => {
    const table = `"Odd ""Schema"""."Pages; DROP"`;
    await db().exec(`
      DROP SCHEMA IF EXISTS "Odd ""Schema""" CASCADE;
      CREATE SCHEMA "Odd ""Schema""";
      CREATE TABLE ${table} ("ID" int PRIMARY KEY, "Full Name" text, "Display" text);
      INSERT INTO ${table} SELECT g, 'user ' || g, NULL FROM generate_series(1, 3000) AS g;
    `);
    const [backfill] = await backfillsOf(`UPDATE ${table} AS p SET "Display" = upper(p."Full Name");`, { db: db() });
    const walk = await walkOf(db(), backfill!.plan);
    expect(walk.rowsPerUnit).toBeGreaterThan(1);
    const outcome = await runBackfill(db(), backfill!.plan, physicalState("odd"), options(walk));
    expect(outcome).toMatchObject({ status: "done", stats: { updated: 3000 } });
    expect(await count(db(), `SELECT count(*) AS n FROM ${table} WHERE "Display" IS DISTINCT FROM upper("Full Name")`)).toBe(0);
    await db().exec(`DROP SCHEMA "Odd ""Schema""" CASCADE`);
  });

  it("`backfill plan --order physical` prints a walk that, run by hand statement by statement, backfills every row", async () => {
    await people(db(), "by_hand", 5000);
    await db().exec("UPDATE by_hand SET full_name = NULL WHERE n % 100 = 0; ANALYZE by_hand");
    const [backfill] = await backfillsOf("UPDATE by_hand SET display_name = upper(full_name);", { db: db() });
    const printed = planText(backfill!, { order: "physical", batchSize: 700, lockTimeoutMs: 1000, statementTimeoutMs: 1100 });
    const parsed = parseDocument(printed, { markerKind });
    if (!parsed.ok) throw new Error(parsed.message);
    const [ends, begin, lockTimeout, statementTimeout, batch, commit, unfinished, check] = parsed.document.statements.map((st) => st.text);
    expect([begin, commit]).toEqual(["BEGIN", "COMMIT"]);
    const { rows } = await db().query<{ last_page: number; pages_per_batch: number }>(ends!);
    const { last_page: lastPage, pages_per_batch: pages } = rows[0]!;
    expect(pages).toBeGreaterThan(1);
    let batches = 0;
    for (let page = 0; page <= lastPage; page += pages, batches++) {
      await db().exec(`${begin}; ${lockTimeout}; ${statementTimeout}`);
      await db().query(batch!, [`(${page},0)`, `(${page + pages},0)`]);
      await db().exec(commit!);
    }
    expect(batches).toBeGreaterThan(3);
    expect(Number((await db().query<{ pending: unknown }>(unfinished!)).rows[0]!.pending)).toBe(0);
    // Each row updated once by the walk (those given a NULL name above, once before it too).
    expect(await count(db(), "SELECT count(*) AS n FROM by_hand WHERE touched <> CASE WHEN n % 100 = 0 THEN 2 ELSE 1 END OR display_name IS DISTINCT FROM upper(full_name)")).toBe(0);
    const { rows: verified } = await db().query<{ ok: boolean }>(check!);
    expect(verified[0]!.ok).toBe(true);
  });

  it("says why a partitioned table or an inheritance parent cannot be walked by pages", async () => {
    await db().exec(`
      CREATE TABLE parted (id int PRIMARY KEY, a int, b int) PARTITION BY RANGE (id);
      CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (1000);
      CREATE TABLE parent (id int PRIMARY KEY, a int, b int);
      CREATE TABLE child () INHERITS (parent);
    `);
    const [parted] = await backfillsOf("UPDATE parted SET b = a;", { db: db() });
    expect(await physicalSupport(db(), parted!.plan)).toEqual({ ok: false, reason: expect.stringMatching(/partitioned/) });
    const [parent] = await backfillsOf("UPDATE parent SET b = a;", { db: db() });
    expect(await physicalSupport(db(), parent!.plan)).toEqual({ ok: false, reason: expect.stringMatching(/inherit/) });
    const [only] = await backfillsOf("UPDATE ONLY parent SET b = a;", { db: db() });
    expect(await physicalSupport(db(), only!.plan)).toMatchObject({ ok: true });
    const [child] = await backfillsOf("UPDATE child SET b = a;", { db: db(), key: ["id"] });
    expect(await physicalSupport(db(), child!.plan)).toMatchObject({ ok: true });
  });

  it("refuses to run a state saved in one order with a walk in the other", async () => {
    await db().exec("CREATE TABLE mixed (id int PRIMARY KEY, a int, b int); INSERT INTO mixed SELECT g, g, NULL FROM generate_series(1, 10) AS g;");
    const [backfill] = await backfillsOf("UPDATE mixed SET b = a;", { db: db() });
    await expect(runBackfill(db(), backfill!.plan, freshState("mixed"), options(await walkOf(db(), backfill!.plan)))).rejects.toThrow(/saved state walks in key order/);
  });
});

describe("splitPages", () => {
  it("cuts the pages into contiguous shares that cover each page once; the last runs to the end of the table", () => {
    expect(splitPages(100, 3)).toEqual([
      { lower: null, upper: ["32"] },
      { lower: ["32"], upper: ["65"] },
      { lower: ["65"], upper: null },
    ]);
    expect(splitPages(2, 4)).toEqual([
      { lower: null, upper: ["0"] },
      { lower: ["0"], upper: null },
    ]);
    expect(splitPages(0, 3)).toEqual([{ lower: null, upper: null }]);
    expect(splitPages(100, 1)).toEqual([{ lower: null, upper: null }]);
  });
});

const serverUrl = defaultDatabaseUrl();

describe.runIf(serverUrl)("several workers in physical order [PostgreSQL server]", () => {
  const dbs = serverSessions(serverUrl, 3, "ms_backfill_pages");

  it("three shares of the pages update every row exactly once", async () => {
    await people(dbs[0]!, "shared", 60_000);
    await dbs[0]!.exec("VACUUM ANALYZE shared");
    const [backfill] = await backfillsOf("UPDATE shared SET display_name = upper(full_name);", { db: dbs[0]! });
    const support = await physicalSupport(dbs[0]!, backfill!.plan);
    if (!support.ok) throw new Error(support.reason);
    const walk = pageWalk(backfill!.plan, support.rowsPerPage);
    const states = splitPages(support.pages, 3).map((range) => shareState(physicalState("shared"), range));
    const outcome = await runWorkers(dbs, backfill!.plan, states, { ...options(walk), save: () => {} });
    expect(outcome).toMatchObject({ status: "done", stats: { updated: 60_000 } });
    expect(outcome.states.map((s) => s.updated).every((n) => n > 10_000)).toBe(true);
    expect(await count(dbs[0]!, "SELECT count(*) AS n FROM shared WHERE touched <> 1 OR display_name IS DISTINCT FROM upper(full_name)")).toBe(0);
  }, 120_000);

  it("leaves a row another transaction holds for a later pass, without waiting for it", async () => {
    const [db, other] = dbs as [Database, Database];
    await people(db, "held", 20_000);
    const [backfill] = await backfillsOf("UPDATE held SET display_name = upper(full_name);", { db });
    await other.exec("BEGIN; SELECT n FROM held WHERE n IN (100, 15000) FOR UPDATE");
    const progress = recordingProgress((n) => n === 3 && void other.exec("COMMIT"));
    const outcome = await runBackfill(db, backfill!.plan, physicalState("held"), options(await walkOf(db, backfill!.plan), { maxBatchSize: 1000, targetMs: 60_000, progress }));
    expect(outcome).toMatchObject({ status: "done", stats: { updated: 20_000, retries: 0 }, state: { pass: 2 } });
    expect(outcome.stats.maxBatchMs).toBeLessThan(1000); // the lock timeout: no batch waited for the held rows
    expect(progress.notes.join("\n")).toMatch(/a batch met a row another transaction holds/);
    expect(progress.notes.join("\n")).toMatch(/pass 1 done; 1 batches had rows that were locked or changed meanwhile/);
    expect(await count(db, "SELECT count(*) AS n FROM held WHERE touched <> 1 OR display_name IS DISTINCT FROM upper(full_name)")).toBe(0);
  }, 60_000);
});
