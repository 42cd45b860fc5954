/**
 * Rows the walk leaves behind: inserted at a key (or onto a page) it has passed, or moved there by an update. Both
 * walks count the rows still unfinished over their range when the walk is over and walk again while there are
 * some; a finished backfill run again walks again only if some have appeared since. A row whose expression is NULL
 * stays NULL and so "pending", but is done: it must not cause another pass.
 */
import { expect, it } from "vitest";
import { keyWalk, pageWalk, physicalSupport, runBackfill, type BackfillPlan, type BackfillState, type Walk, type WalkOrder } from "../../src/backfill/index.js";
import type { Database } from "../../src/db/database.js";
import { describeOnDatabases } from "../helpers/databases.js";
import { backfillsOf, freshState, recordingProgress, runOptions } from "./helpers.js";

async function count(db: Database, sql: string): Promise<number> {
  const { rows } = await db.query<{ n: unknown }>(sql);
  return Number(rows[0]!.n);
}

async function walkIn(order: WalkOrder, db: Database, plan: BackfillPlan): Promise<{ walk: Walk; state: BackfillState }> {
  if (order === "key") return { walk: keyWalk(plan), state: freshState() };
  const support = await physicalSupport(db, plan);
  if (!support.ok) throw new Error(support.reason);
  return { walk: pageWalk(plan, support.rowsPerPage), state: { ...freshState(), order: "physical" } };
}

/** `table` with 10,000 rows keyed 1001…11000 (room for keys before them), every 100th with a NULL source, and an update counter. */
async function counted(db: Database, table: string): Promise<void> {
  await db.exec(`
    CREATE TABLE ${table} (id int PRIMARY KEY, a int, b int, touched int NOT NULL DEFAULT 0);
    INSERT INTO ${table} SELECT g, CASE WHEN g % 100 = 0 THEN NULL ELSE g END, NULL FROM generate_series(1001, 11000) AS g;
    CREATE FUNCTION ${table}_touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.touched := OLD.touched + 1; RETURN NEW; END $$;
    CREATE TRIGGER touch BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION ${table}_touch();
  `);
}

describeOnDatabases("rows left behind the walk", (db) => {
  for (const order of ["key", "physical"] as const) {
    it(`${order} order: rows whose expression is NULL are done in one pass, each row updated once`, async () => {
      const table = `nulls_${order}`;
      await counted(db(), table);
      const [backfill] = await backfillsOf(`UPDATE ${table} SET b = a * 2;`, { db: db() });
      const { walk, state } = await walkIn(order, db(), backfill!.plan);
      const progress = recordingProgress();
      const outcome = await runBackfill(db(), backfill!.plan, state, runOptions({ walk, progress, batchSize: 500, maxBatchSize: 500, targetMs: 60_000 }));
      expect(outcome).toMatchObject({ status: "done", stats: { updated: 10_000 }, state: { pass: 1 } });
      expect(progress.notes).toEqual([]);
      expect(await count(db(), `SELECT count(*) AS n FROM ${table} WHERE touched <> 1`)).toBe(0);
    });

    it(`${order} order: a row inserted behind the walk is walked to in another pass; a finished backfill run again does it too`, async () => {
      const table = `behind_${order}`;
      await counted(db(), table);
      const [backfill] = await backfillsOf(`UPDATE ${table} SET b = a * 2;`, { db: db() });
      const { walk, state: fresh } = await walkIn(order, db(), backfill!.plan);
      let state = fresh;
      const options = runOptions({ walk, batchSize: 500, maxBatchSize: 500, targetMs: 60_000, save: (s) => void (state = s) });

      // Stopped after two batches; then a row arrives before the cursor (by key: id 5; by page: onto page 0, where
      // a deleted row left room once vacuumed).
      const stop = new AbortController();
      const first = await runBackfill(db(), backfill!.plan, state, { ...options, signal: stop.signal, progress: recordingProgress((n) => n === 2 && stop.abort()) });
      expect(first.status).toBe("interrupted");
      await db().exec(`DELETE FROM ${table} WHERE id = 1001`);
      await db().exec(`VACUUM ${table}`);
      await db().exec(`INSERT INTO ${table} (id, a) VALUES (5, 5)`);
      if (order === "physical") expect(await count(db(), `SELECT (ctid::text::point)[0] AS n FROM ${table} WHERE id = 5`)).toBeLessThanOrEqual(Number(state.cursor![0]));
      const progress = recordingProgress();
      const second = await runBackfill(db(), backfill!.plan, state, { ...options, progress });
      expect(second).toMatchObject({ status: "done", state: { pass: 2, done: true } });
      expect(progress.notes.join("\n")).toMatch(new RegExp(`pass 1 done; 1 rows still to do \\(added or moved behind the walk\\): pass 2 walks the ${walk.unit} again`));
      expect(await count(db(), `SELECT count(*) AS n FROM ${table} WHERE b IS DISTINCT FROM a * 2`)).toBe(0);

      // Finished. Run again with nothing new: nothing done. With a new row behind the walk: walked to, and only it updated.
      expect(await runBackfill(db(), backfill!.plan, state, options)).toMatchObject({ status: "done", stats: { updated: 0, batches: 0 } });
      await db().exec(`INSERT INTO ${table} (id, a) VALUES (6, 6)`);
      const reopened = recordingProgress();
      const third = await runBackfill(db(), backfill!.plan, state, { ...options, progress: reopened });
      expect(third).toMatchObject({ status: "done", stats: { updated: 1 }, state: { done: true } });
      expect(reopened.notes).toEqual(["finished before, but 1 rows are to do (added or moved behind the walk since): walking again"]);
      expect(await count(db(), `SELECT count(*) AS n FROM ${table} WHERE b IS DISTINCT FROM a * 2 OR touched <> 1`)).toBe(0);
    });
  }
});
