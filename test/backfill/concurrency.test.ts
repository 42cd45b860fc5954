/**
 * A backfill running while the application writes (PostgreSQL server only: it takes a second connection). The app
 * here is the dual-writing one of the expand/contract sequence: every write sets the old column and the new one
 * together. "Correct" then means, for every row: the new column equals the expression over the old one (the
 * backfill's verification is clean), and for every row the app wrote, the old column holds the app's last value —
 * no write of the app was lost, and the backfill never overwrote a row with a value computed from a stale read.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { keyWalk, pageWalk, physicalSupport, runBackfill } from "../../src/backfill/index.js";
import { defaultDatabaseUrl, type Database } from "../../src/db/database.js";
import { runChecks } from "../../src/verify/index.js";
import { backfillsOf, freshState, recordingProgress, serverSessions } from "./helpers.js";

const serverUrl = defaultDatabaseUrl();

describe.runIf(serverUrl)("a backfill next to a concurrent writer [PostgreSQL server]", () => {
  const sessions = serverSessions(serverUrl, 2, "ms_backfill_writer");
  let db: Database;
  let app: Database;
  beforeAll(() => void ([db, app] = sessions as [Database, Database]));

  it.each(["key", "physical"] as const)("never makes the writer wait longer than the batch target plus the lock timeout, loses none of its writes and overwrites none (%s order)", async (order) => {
    const rows = 100_000;
    await db.exec(`
      DROP TABLE IF EXISTS accounts;
      CREATE TABLE accounts (id bigint PRIMARY KEY, balance_cents bigint NOT NULL, balance text);
      INSERT INTO accounts SELECT g, (g * 7919) % 100000, NULL FROM generate_series(1, ${rows}) AS g;
    `);
    const [backfill] = await backfillsOf("UPDATE accounts SET balance = to_char(balance_cents / 100.0, 'FM999990.00');", { db });
    const support = await physicalSupport(db, backfill!.plan);
    if (!support.ok) throw new Error(support.reason);
    const walk = order === "key" ? keyWalk(backfill!.plan) : pageWalk(backfill!.plan, support.rowsPerPage);
    const targetMs = 100;
    const lockTimeoutMs = 1000;

    // The writer gives up on any lock it waits for longer than the backfill's promise: a 55P03 would be a broken one.
    await app.exec(`SET lock_timeout = '${targetMs + lockTimeoutMs}ms'`);
    const lastWrite = new Map<number, number>();
    const failures: string[] = [];
    let longestWaitMs = 0;
    let writes = 0;
    let running = true;
    let cursor = 0; // where the backfill is (an id): half of the writes go just ahead of it, into the rows it is about to lock
    const writer = (async () => {
      let seed = 42;
      const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed / 2 ** 31);
      while (running) {
        const id = writes % 2 === 0 ? Math.min(rows, cursor + 1 + Math.floor(random() * 3000)) : 1 + Math.floor(random() * rows);
        const cents = Math.floor(random() * 100_000);
        // Every fifth write is a transaction that holds its row a little while, as app transactions do.
        const slow = writes % 5 === 0;
        const started = performance.now();
        try {
          if (slow) await app.exec("BEGIN");
          await app.query("UPDATE accounts SET balance_cents = $2::bigint, balance = to_char($2::bigint / 100.0, 'FM999990.00') WHERE id = $1", [id, cents]);
          if (slow) {
            await new Promise((resolve) => setTimeout(resolve, 20));
            await app.exec("COMMIT");
          }
          lastWrite.set(id, cents);
          writes++;
        } catch (error) {
          if (slow) await app.exec("ROLLBACK").catch(() => {});
          failures.push(`${(error as { code?: string }).code}: ${(error as Error).message}`);
        }
        longestWaitMs = Math.max(longestWaitMs, performance.now() - started - (slow ? 20 : 0));
      }
    })();

    const outcome = await runBackfill(db, backfill!.plan, { ...freshState(), ...(order === "physical" ? { order } : {}) }, {
      walk,
      batchSize: 1000,
      targetMs,
      pauseMs: 0,
      lockTimeoutMs,
      statementTimeoutMs: targetMs + lockTimeoutMs, // the default of `backfill run`: no batch holds its locks longer
      progress: recordingProgress(),
      // The rows were inserted in id order, so in physical order the next page holds about the ids after these.
      save: (state) => void (cursor = Math.round((Number(state.cursor?.[0] ?? -1) + 1) * walk.rowsPerUnit)),
    });
    running = false;
    await writer;

    console.log(`${order} order, concurrent writer: ${writes} writes, longest ${Math.round(longestWaitMs)} ms; backfill: ${outcome.stats.batches} batches in ${outcome.state.pass} passes, longest ${Math.round(outcome.stats.maxBatchMs)} ms, ${outcome.stats.retries} retries`);
    expect(outcome.status).toBe("done");
    expect(failures).toEqual([]);
    expect(writes).toBeGreaterThan(20);

    // Nothing lost: every row the app wrote holds its last value.
    const { rows: current } = await db.query<{ id: string; balance_cents: string }>("SELECT id, balance_cents FROM accounts WHERE id = ANY($1::bigint[])", [[...lastWrite.keys()]]);
    const lost = current.filter((r) => lastWrite.get(Number(r.id)) !== Number(r.balance_cents));
    expect(lost).toEqual([]);
    // Nothing overwritten from a stale read, nothing missed: the new column agrees with the old one everywhere.
    const results = await runChecks(db, backfill!.checks);
    expect(results).toEqual([expect.objectContaining({ ok: true, figures: expect.objectContaining({ total: rows, missing: 0, drifted: 0 }) })]);
  }, 300_000);
});
