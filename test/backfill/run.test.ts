import { beforeAll, describe, expect, it } from "vitest";
import { runBackfill, type BackfillState } from "../../src/backfill/index.js";
import { defaultDatabaseUrl, type Database } from "../../src/db/database.js";
import { runChecks } from "../../src/verify/index.js";
import { describeOnDatabases } from "../helpers/databases.js";
import { backfillsOf, freshState, recordingProgress, runOptions, serverSessions } from "./helpers.js";

const options = runOptions;

async function count(db: Database, sql: string): Promise<number> {
  const { rows } = await db.query<{ n: unknown }>(sql);
  return Number(rows[0]!.n);
}

describeOnDatabases("backfill run", (db) => {
  it("backfills 100,000 rows keyed by uuid, hostile names and all, and ends with the verification clean", async () => {
    await db().exec(`
      CREATE TABLE "Odd ""Users""" ("ID" uuid PRIMARY KEY DEFAULT gen_random_uuid(), "Full Name" text, "Display Name" text);
      INSERT INTO "Odd ""Users""" ("Full Name") SELECT CASE WHEN g % 1000 = 0 THEN NULL ELSE 'user ' || g END FROM generate_series(1, 100000) AS g;
    `);
    const [backfill] = await backfillsOf(`UPDATE "Odd ""Users""" AS "u x" SET "Display Name" = upper("u x"."Full Name");`, { db: db() });
    expect(backfill!.plan.key).toEqual({ columns: [{ name: "ID", type: "uuid" }], source: { kind: "database" } });
    const saved: BackfillState[] = [];
    const outcome = await runBackfill(db(), backfill!.plan, freshState(), options({ save: (s) => void saved.push(s) }));
    expect(outcome.status).toBe("done");
    // Rows whose expression is NULL are visited too: every one of the 100,000 rows is updated exactly once.
    expect(outcome.stats.updated).toBe(100_000);
    expect(outcome.state).toMatchObject({ done: true, updated: 100_000, pass: 1 });
    expect(saved.length).toBe(outcome.stats.batches + 1);
    const results = await runChecks(db(), backfill!.checks);
    expect(results).toEqual([expect.objectContaining({ ok: true, figures: { total: 100_000, missing: 0, drifted: 0 } })]);
    expect(await count(db(), `SELECT count(*) AS n FROM "Odd ""Users""" WHERE "Display Name" IS DISTINCT FROM upper("Full Name")`)).toBe(0);
  }, 300_000);

  it("backfills 100,000 rows with a composite (text, bigint) key, schema-qualified, and ends clean", async () => {
    const schema = (await db().query<{ s: string }>("SELECT current_schema() AS s")).rows[0]!.s;
    await db().exec(`
      CREATE TABLE ledger ("Tenant" text, seq bigint, amount_cents bigint NOT NULL, amount numeric, PRIMARY KEY ("Tenant", seq));
      INSERT INTO ledger SELECT 'tenant ' || (g % 37), g, g * 7 FROM generate_series(1, 100000) AS g;
    `);
    const [backfill] = await backfillsOf(`UPDATE ${schema}.ledger SET amount = amount_cents / 100.0 WHERE amount IS NULL;`, { db: db() });
    expect(backfill!.plan.key.columns).toEqual([
      { name: "Tenant", type: "text" },
      { name: "seq", type: "bigint" },
    ]);
    const outcome = await runBackfill(db(), backfill!.plan, freshState(), options({ batchSize: 777 }));
    expect(outcome).toMatchObject({ status: "done", stats: { updated: 100_000 } });
    const results = await runChecks(db(), backfill!.checks);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(await count(db(), "SELECT count(*) AS n FROM ledger WHERE amount IS DISTINCT FROM amount_cents / 100.0")).toBe(0);
  }, 300_000);

  it("verifies what verify's transition check cannot describe (a WHERE scope, two source columns), hostile names and all", async () => {
    await db().exec(`
      CREATE TABLE "Odd ""T""" (id int PRIMARY KEY, "First" text, "last'name" text, kind text, "Full %s Name" text);
      INSERT INTO "Odd ""T""" SELECT g, 'f' || g, 'l' || g, CASE WHEN g % 2 = 0 THEN 'x' ELSE 'y' END, NULL FROM generate_series(1, 1000) AS g;
    `);
    const sql = `UPDATE "Odd ""T""" AS "t x" SET "Full %s Name" = "t x"."First" || ' ' || "last'name" WHERE kind LIKE 'x%' AND "Full %s Name" IS NULL;`;
    const [backfill] = await backfillsOf(sql, { db: db() });
    expect(backfill!.plan.scope).toEqual(["kind LIKE 'x%'"]);
    expect(backfill!.checks.map((c) => c.id)).toEqual([`transition:"Odd ""T""".("First","last'name")->"Full %s Name"`]);
    expect(await runChecks(db(), backfill!.checks)).toEqual([
      expect.objectContaining({ ok: false, detail: "500 missing, 500 drifted of 500 rows", figures: { total: 500, missing: 500, drifted: 500 } }),
    ]);
    expect(await runBackfill(db(), backfill!.plan, freshState(), options())).toMatchObject({ status: "done", stats: { updated: 500 } });
    expect(await runChecks(db(), backfill!.checks)).toEqual([
      expect.objectContaining({ ok: true, detail: "0 missing, 0 drifted of 500 rows", figures: { total: 500, missing: 0, drifted: 0 } }),
    ]);
    // Out of scope (odd ids: kind 'y') a changed row is not the backfill's business; in scope it is drift.
    await db().exec(`UPDATE "Odd ""T""" SET "Full %s Name" = 'changed' WHERE id IN (1, 2)`);
    expect(await runChecks(db(), backfill!.checks)).toEqual([expect.objectContaining({ ok: false, figures: { total: 500, missing: 0, drifted: 1 } })]);
  });

  it("stops after the batch in flight when asked, and resumes from the saved cursor to the same result", async () => {
    await db().exec(`
      CREATE TABLE counted (id int PRIMARY KEY, src int, dst int, touched int NOT NULL DEFAULT 0);
      INSERT INTO counted SELECT g, g, NULL FROM generate_series(1, 20000) AS g;
      CREATE FUNCTION count_touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.touched := OLD.touched + 1; RETURN NEW; END $$;
      CREATE TRIGGER count_touch BEFORE UPDATE ON counted FOR EACH ROW EXECUTE FUNCTION count_touch();
    `);
    const [backfill] = await backfillsOf("UPDATE counted SET dst = src * 2;", { db: db() });
    const controller = new AbortController();
    let saved = freshState();
    const first = await runBackfill(db(), backfill!.plan, saved, options({
      batchSize: 1000,
      maxBatchSize: 1000, // fixed-size batches (never larger, and with this target never smaller): three, then stop
      targetMs: 60_000,
      signal: controller.signal,
      progress: recordingProgress((n) => n === 3 && controller.abort()),
      save: (s) => void (saved = s),
    }));
    expect(first.status).toBe("interrupted");
    expect(saved).toMatchObject({ done: false, updated: 3000, batches: 3, cursor: ["3000"] });
    expect(await count(db(), "SELECT count(*) AS n FROM counted WHERE dst IS NOT NULL")).toBe(3000);

    const second = await runBackfill(db(), backfill!.plan, saved, options({ save: (s) => void (saved = s) }));
    expect(second).toMatchObject({ status: "done", stats: { updated: 17_000 }, state: { updated: 20_000, done: true } });
    // Every row updated exactly once, and correctly.
    expect(await count(db(), "SELECT count(*) AS n FROM counted WHERE touched <> 1 OR dst IS DISTINCT FROM src * 2")).toBe(0);
    // A finished backfill run again does nothing.
    const third = await runBackfill(db(), backfill!.plan, saved, options());
    expect(third).toMatchObject({ status: "done", stats: { updated: 0, batches: 0 } });
  }, 120_000);

  it("reports the key of a row whose expression fails, stops without a half-written batch, and resumes once it is fixed", async () => {
    await db().exec(`
      CREATE TABLE imports (id int PRIMARY KEY, raw text, amount int);
      INSERT INTO imports SELECT g, g::text, NULL FROM generate_series(1, 5000) AS g;
      UPDATE imports SET raw = 'twelve' WHERE id = 1234;
      UPDATE imports SET raw = '4O0' WHERE id = 3001;
    `);
    const [backfill] = await backfillsOf("UPDATE imports SET amount = raw::int;", { db: db() });
    let saved = freshState();
    const progress = recordingProgress();
    const run = () => runBackfill(db(), backfill!.plan, saved, options({ maxBatchSize: 1000, targetMs: 60_000, progress, save: (s) => void (saved = s) }));

    const first = await run();
    expect(first.status).toBe("failed");
    expect(first.status === "failed" && first.failure).toEqual({
      kind: "row",
      key: { id: "1234" },
      code: "22P02",
      message: 'invalid input syntax for type integer: "twelve"',
    });
    // The first batch (1–1000) committed; the failing one (1001–2000) left nothing behind.
    expect(await count(db(), "SELECT count(*) AS n FROM imports WHERE amount IS NOT NULL")).toBe(1000);
    expect(saved).toMatchObject({ cursor: ["1000"], updated: 1000, done: false });
    expect(progress.notes.some((n) => n.includes("looking for the row that fails"))).toBe(true);

    await db().exec("UPDATE imports SET raw = '12' WHERE id = 1234");
    const second = await run();
    expect(second.status === "failed" && second.failure).toMatchObject({ kind: "row", key: { id: "3001" } });
    expect(saved.cursor).toEqual(["3000"]);

    await db().exec("UPDATE imports SET raw = '400' WHERE id = 3001");
    expect(await run()).toMatchObject({ status: "done", state: { updated: 5000 } });
    expect(await count(db(), "SELECT count(*) AS n FROM imports WHERE amount IS DISTINCT FROM raw::int")).toBe(0);
  }, 120_000);

  it("waits while the guard says no, and refuses a guard without an ok column", async () => {
    await db().exec(`
      CREATE TABLE guarded (id int PRIMARY KEY, a int, b int);
      INSERT INTO guarded SELECT g, g, NULL FROM generate_series(1, 3000) AS g;
      CREATE SEQUENCE guard_polls;
    `);
    const [backfill] = await backfillsOf("UPDATE guarded SET b = a + 1;", { db: db() });
    const progress = recordingProgress();
    const outcome = await runBackfill(db(), backfill!.plan, freshState(), options({
      guard: "SELECT nextval('guard_polls') % 3 = 0 AS ok", // every third poll says ok
      guardIntervalMs: 5,
      progress,
    }));
    expect(outcome).toMatchObject({ status: "done", stats: { updated: 3000 } });
    expect(progress.notes.filter((n) => n.startsWith("the guard says not ok")).length).toBeGreaterThan(0);
    // Each batch (and the final, empty one) waited for an ok.
    expect(await count(db(), "SELECT last_value AS n FROM guard_polls")).toBeGreaterThanOrEqual(3 * (outcome.stats.batches + 1));

    await expect(runBackfill(db(), backfill!.plan, freshState(), options({ guard: "SELECT true AS fine" }))).rejects.toThrow(/column named ok/);
  }, 60_000);
});

/** A suite on the PostgreSQL server only: what needs a second connection. */
const serverUrl = defaultDatabaseUrl();
describe.runIf(serverUrl)("backfill run, with other sessions [PostgreSQL server]", () => {
  const sessions = serverSessions(serverUrl, 2, "ms_backfill");
  let db: Database;
  let other: Database;
  beforeAll(() => void ([db, other] = sessions as [Database, Database]));

  it("retries a batch that hit lock_timeout, with backoff, and finishes", async () => {
    await db.exec("CREATE TABLE busy (id int PRIMARY KEY, a int, b int); INSERT INTO busy SELECT g, g, NULL FROM generate_series(1, 2000) AS g;");
    const [backfill] = await backfillsOf("UPDATE busy SET b = a;", { db });
    // After the first batch, another session takes the table for 400 ms: the batches meanwhile hit lock_timeout.
    let release: NodeJS.Timeout | undefined;
    const progress = recordingProgress((n) => {
      if (n !== 1) return;
      void other.exec("BEGIN; LOCK TABLE busy IN ACCESS EXCLUSIVE MODE").then(() => (release = setTimeout(() => void other.exec("COMMIT"), 400)));
    });
    const outcome = await runBackfill(db, backfill!.plan, freshState(), options({ batchSize: 200, maxBatchSize: 200, pauseMs: 50, lockTimeoutMs: 50, progress }));
    clearTimeout(release);
    await other.exec("ROLLBACK").catch(() => {});
    expect(outcome.status).toBe("done");
    expect(outcome.stats.retries).toBeGreaterThan(0);
    expect(progress.notes.some((n) => n.includes("(55P03); retrying the batch"))).toBe(true);
    expect(await count(db, "SELECT count(*) AS n FROM busy WHERE b IS DISTINCT FROM a")).toBe(0);
  }, 60_000);

  it("skips rows another transaction holds, and picks them up in a second pass", async () => {
    await db.exec("CREATE TABLE held (id int PRIMARY KEY, a int, b int); INSERT INTO held SELECT g, g, NULL FROM generate_series(1, 20000) AS g;");
    const [backfill] = await backfillsOf("UPDATE held SET b = a * 3;", { db });
    await other.exec("BEGIN; SELECT id FROM held WHERE id IN (5, 500, 1500) FOR UPDATE");
    // The other transaction ends after the third batch; the next batch starts only once it has.
    let released: Promise<void> | undefined;
    const progress = recordingProgress((n) => n === 3 && void (released = other.exec("COMMIT")));
    const waitingDb: Database = { ...db, kind: db.kind, query: db.query.bind(db), close: db.close.bind(db), exec: async (sql) => (await released, db.exec(sql)) };
    let saved = freshState();
    const outcome = await runBackfill(waitingDb, backfill!.plan, saved, options({ batchSize: 1000, maxBatchSize: 1000, targetMs: 60_000, progress, save: (s) => void (saved = s) }));
    expect(outcome.status).toBe("done");
    expect(progress.notes.filter((n) => n.startsWith("pass 1 done; "))).toEqual(["pass 1 done; 2 batches had rows that were locked or changed meanwhile: pass 2 goes over them again"]);
    expect(saved).toMatchObject({ pass: 2, done: true, updated: 20_000 });
    expect(await count(db, "SELECT count(*) AS n FROM held WHERE b IS DISTINCT FROM a * 3")).toBe(0);
  }, 60_000);

  it("runs batches plain until one meets a held row, runs that one again skip-locked at once, and the next 15 too", async () => {
    await db.exec("CREATE TABLE plain (id int PRIMARY KEY, a int, b int); INSERT INTO plain SELECT g, g, NULL FROM generate_series(1, 30000) AS g;");
    const [backfill] = await backfillsOf("UPDATE plain SET b = a + 1;", { db });
    await other.exec("BEGIN; SELECT id FROM plain WHERE id = 5500 FOR UPDATE");
    // Which form each batch statement took, in order: the database is the real one, its queries recorded on the way.
    const forms: string[] = [];
    const recording: Database = {
      ...db,
      kind: db.kind,
      exec: db.exec.bind(db),
      close: db.close.bind(db),
      query: (sql, params) => {
        if (sql.startsWith("WITH")) forms.push(sql.includes("SKIP LOCKED") ? "skip-locked" : "plain");
        return db.query(sql, params);
      },
    };
    const progress = recordingProgress((n) => n === 10 && void other.exec("COMMIT"));
    const outcome = await runBackfill(recording, backfill!.plan, freshState(), options({ batchSize: 1000, maxBatchSize: 1000, targetMs: 60_000, progress }));
    expect(outcome).toMatchObject({ status: "done", stats: { updated: 30_000, retries: 0 }, state: { pass: 2 } });
    // Batches 1–5 plain; the 6th (ids 5001–6000) plain, failed fast on id 5500, again skip-locked; 7–21 skip-locked;
    // 22–30 plain, and the one that finds no key left; then pass 2 goes back over the 6th's keys, skip-locked.
    expect(forms).toEqual([...Array(6).fill("plain"), ...Array(16).fill("skip-locked"), ...Array(10).fill("plain"), "skip-locked"]);
    expect(progress.notes.filter((n) => n.includes("another transaction holds"))).toHaveLength(1);
    expect(await count(db, "SELECT count(*) AS n FROM plain WHERE b IS DISTINCT FROM a + 1")).toBe(0);
  }, 60_000);
});
