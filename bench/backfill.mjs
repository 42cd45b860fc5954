// The batched backfill (`backfill run`) against the two ways people write it by hand, on the same uuid-keyed table:
// (a) the naive row-by-row loop (select a page of ids, one UPDATE per row) and (b) the one-shot UPDATE, the physical
// limit, which holds a lock on every row until it commits. On the PostgreSQL server at DATABASE_URL (1,000,000 rows),
// else on the embedded PGlite with fewer rows (the output says which). Goal: at least 90 % of the one-shot's rows/s,
// with every batch under 100 ms. `backfill run` is measured with one worker walking the pages (its default), one walking
// the key (--order key), and, on a server, two walking the pages (--workers 2: two shares side by side, two backends)
// — the one-shot UPDATE is one backend. BACKFILL_BENCH_ROWS, BACKFILL_BENCH_RUNS, BACKFILL_BENCH_NAIVE_SECONDS change sizes;
// BACKFILL_BENCH_TARGET_MS the batch target.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ms, printTable, repoRoot, summarize, writeResults } from "./lib/common.mjs";

const dist = (path) => pathToFileURL(join(repoRoot, "dist", "src", path)).href;
const { defaultDatabaseUrl, openDatabase } = await import(dist("db/database.js"));
const { keyWalk, pageWalk, physicalSupport, prepareBackfills, readCatalog, runWorkers, shareState, splitKeyRange, splitPages } = await import(dist("backfill/index.js"));

const url = defaultDatabaseUrl();
const ROWS = Number(process.env.BACKFILL_BENCH_ROWS ?? (url ? 1_000_000 : 100_000));
const RUNS = Number(process.env.BACKFILL_BENCH_RUNS ?? 3);
const NAIVE_SECONDS = Number(process.env.BACKFILL_BENCH_NAIVE_SECONDS ?? (url ? 8 : 4));
// The batch target of `backfill run` (--target-ms); the goal's 100 ms is its default.
const TARGET_MS = Number(process.env.BACKFILL_BENCH_TARGET_MS ?? 100);
/** The goal: every batch under this. */
const GOAL_MS = 100;
const engine = url ? "PostgreSQL server (DATABASE_URL)" : "PGlite (embedded; set DATABASE_URL to measure a server)";
if (!url) console.log("NOTICE: DATABASE_URL is not set: measuring a smaller table on PGlite, which says little about a server.");
const schema = `ms_bench_backfill_${process.pid}`;
// The WORKFLOW.md backfill.
const EXPRESSION = "normalize(full_name)";

const db = await openDatabase({ url });
let tableNumber = 0;

/** Connections for the workers after the first (server only). */
const extra = [];
for (let i = 1; i < (url ? 2 : 1); i++) {
  const other = await openDatabase({ url });
  await other.exec(`SET search_path TO ${schema}`);
  extra.push(other);
}

/** A fresh copy of the template (same rows, same physical order: uuids in random key order), indexed and vacuumed. */
async function freshTable() {
  const name = `run_${++tableNumber}`;
  await db.exec(`DROP TABLE IF EXISTS run_${tableNumber - 1}; CREATE TABLE ${name} AS TABLE template; ALTER TABLE ${name} ADD PRIMARY KEY (id);`);
  await db.exec(`VACUUM ANALYZE ${name}`);
  return name;
}

/**
 * `backfill run`'s engine, in process, with `workers` shares of the table, walked in `order` (physical: page by page,
 * what `backfill run` does by default on PostgreSQL 14+; key: keyset pagination on the uuid key): its rows/s (the
 * batch loops) and every batch's duration.
 */
async function batched(workers, order) {
  const table = await freshTable();
  const { backfills, refused } = await prepareBackfills({
    text: `UPDATE ${table} SET display_name = ${EXPRESSION};`,
    catalog: (name) => readCatalog(db, name),
    needCatalog: true,
  });
  if (refused.length) throw new Error(refused[0].reason);
  const batchMs = [];
  const plan = backfills[0].plan;
  const state = { table, line: 1, cursor: null, pass: 1, skipped: [], queue: null, updated: 0, batches: 0, done: false, savedAt: "", ...(order === "physical" ? { order } : {}) };
  const support = await physicalSupport(db, plan);
  if (order === "physical" && !support.ok) throw new Error(support.reason);
  const walk = order === "physical" ? pageWalk(plan, support.rowsPerPage) : keyWalk(plan);
  const ranges = order === "physical" ? splitPages(support.pages, workers) : await splitKeyRange(db, plan, workers);
  const states = ranges.map((range) => shareState(state, range));
  const outcome = await runWorkers([db, ...extra.slice(0, workers - 1)], plan, states, {
    walk,
    batchSize: 1000,
    targetMs: TARGET_MS,
    pauseMs: 0,
    lockTimeoutMs: 1000,
    statementTimeoutMs: TARGET_MS + 1000,
    progress: { start() {}, note() {}, stop() {}, update: (p) => void batchMs.push(p.batchMs) },
    save() {},
  });
  if (outcome.status !== "done" || outcome.stats.updated !== ROWS) throw new Error(`batched run ended ${outcome.status} after ${outcome.stats.updated} rows`);
  const sorted = [...batchMs].sort((a, b) => a - b);
  return {
    rate: (ROWS / outcome.stats.elapsedMs) * 1000,
    maxBatchMs: outcome.stats.maxBatchMs,
    p95BatchMs: sorted[Math.floor(sorted.length * 0.95)] ?? 0,
    batches: outcome.stats.batches,
    overGoal: batchMs.filter((t) => t >= GOAL_MS).length,
  };
}

/** The one statement: the whole table in one transaction. */
async function oneShot() {
  const table = await freshTable();
  const started = performance.now();
  await db.query(`UPDATE ${table} SET display_name = ${EXPRESSION}`);
  const elapsed = performance.now() - started;
  return { rate: (ROWS / elapsed) * 1000, maxBatchMs: elapsed };
}

/** The loop people write first: a page of ids, then one UPDATE (and one commit) per row. Time-boxed. */
async function rowByRow() {
  const table = await freshTable();
  let cursor = "00000000-0000-0000-0000-000000000000";
  let done = 0;
  let longest = 0;
  const started = performance.now();
  while (performance.now() - started < NAIVE_SECONDS * 1000) {
    const { rows } = await db.query(`SELECT id FROM ${table} WHERE display_name IS NULL AND id > $1 ORDER BY id LIMIT 1000`, [cursor]);
    if (rows.length === 0) break;
    for (const { id } of rows) {
      const t = performance.now();
      await db.query(`UPDATE ${table} SET display_name = ${EXPRESSION} WHERE id = $1`, [id]);
      longest = Math.max(longest, performance.now() - t);
      done++;
      cursor = id;
      if (performance.now() - started >= NAIVE_SECONDS * 1000) break;
    }
  }
  return { rate: (done / (performance.now() - started)) * 1000, maxBatchMs: longest };
}

try {
  const { rows: version } = await db.query("SELECT current_setting('server_version') AS v");
  console.log(`engine: ${engine}, PostgreSQL ${version[0].v}; ${ROWS.toLocaleString("en-US")} rows, uuid keys, SET display_name = ${EXPRESSION}`);
  const started = performance.now();
  await db.exec(`
    CREATE SCHEMA ${schema};
    SET search_path TO ${schema};
    CREATE TABLE template AS
      SELECT gen_random_uuid() AS id, format('User Number %s', n) AS full_name, NULL::text AS display_name
      FROM generate_series(1, ${ROWS}) AS n;
  `);
  console.log(`template table built in ${ms(performance.now() - started)}; each run gets a fresh copy`);

  // Interleaved, so a checkpoint or an autovacuum falls on each method alike.
  const runs = { batched: [], byKey: [], workers: [], oneShot: [], rowByRow: [] };
  for (let i = 0; i < RUNS; i++) {
    runs.batched.push(await batched(1, "physical"));
    runs.byKey.push(await batched(1, "key"));
    if (extra.length > 0) runs.workers.push(await batched(2, "physical"));
    runs.oneShot.push(await oneShot());
    runs.rowByRow.push(await rowByRow());
    const last = (list) => Math.round(list.at(-1).rate).toLocaleString("en-US");
    console.log(`run ${i + 1}/${RUNS}: batched ${last(runs.batched)} rows/s, by key ${last(runs.byKey)} rows/s${extra.length ? `, two workers ${last(runs.workers)} rows/s` : ""}, one-shot ${last(runs.oneShot)} rows/s, row by row ${last(runs.rowByRow)} rows/s`);
  }

  const median = (list, field) => summarize(list.map((r) => r[field]));
  const oneShotRate = median(runs.oneShot, "rate").median;
  const line = (name, list, lockNote) => {
    const rate = median(list, "rate");
    const longest = median(list, "maxBatchMs");
    return [
      name,
      `${Math.round(rate.median).toLocaleString("en-US")}/s (${Math.round(rate.min).toLocaleString("en-US")}–${Math.round(rate.max).toLocaleString("en-US")})`,
      `${(rate.median / oneShotRate).toFixed(2)}×`,
      ms(longest.median),
      lockNote,
    ];
  };
  const batchedStats = { p95: median(runs.batched, "p95BatchMs").median, batches: median(runs.batched, "batches").median };
  printTable(
    `medians over ${RUNS} runs, ${engine}`,
    ["method", "rows/s (min–max)", "vs one-shot", "longest lock hold", "notes"],
    [
      line("backfill run (page ranges)", runs.batched, `${batchedStats.batches} batches, p95 ${ms(batchedStats.p95)}`),
      line("backfill run --order key (keyset batches)", runs.byKey, `${median(runs.byKey, "batches").median} batches, p95 ${ms(median(runs.byKey, "p95BatchMs").median)}`),
      ...(runs.workers.length ? [line("backfill run --workers 2", runs.workers, `${median(runs.workers, "batches").median} batches, p95 ${ms(median(runs.workers, "p95BatchMs").median)}; two backends`)] : []),
      line("one-shot UPDATE", runs.oneShot, "every row locked until the end"),
      line(`row by row (${NAIVE_SECONDS} s sample)`, runs.rowByRow, "one commit per row"),
    ],
  );
  const batchedRate = median(runs.batched, "rate").median;
  const goal = (label, list) => {
    const rate = median(list, "rate").median;
    const longest = Math.max(...list.map((r) => r.maxBatchMs));
    const over = Math.max(...list.map((r) => r.overGoal));
    console.log(`  ${label}: ${Math.round((rate / oneShotRate) * 100)} % of the one-shot rate, longest batch ${ms(longest)} (${over} of the batches of the worst run at or over ${GOAL_MS} ms)`);
  };
  console.log(`\ngoal: ≥ 90 % of the one-shot rate with every batch under ${GOAL_MS} ms (batch target: ${TARGET_MS} ms)`);
  goal("one worker", runs.batched);
  goal("one worker, --order key", runs.byKey);
  if (runs.workers.length) goal("two workers", runs.workers);
  writeResults("backfill", {
    engine,
    rows: ROWS,
    runs: RUNS,
    expression: EXPRESSION,
    targetMs: TARGET_MS,
    batched: runs.batched,
    byKey: runs.byKey,
    workers: runs.workers,
    oneShot: runs.oneShot,
    rowByRow: runs.rowByRow,
    medianRates: { batched: batchedRate, byKey: median(runs.byKey, "rate").median, ...(runs.workers.length ? { twoWorkers: median(runs.workers, "rate").median } : {}), oneShot: oneShotRate, rowByRow: median(runs.rowByRow, "rate").median },
  });
} finally {
  await db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
  await Promise.all(extra.map((other) => other.close()));
  await db.close();
}
