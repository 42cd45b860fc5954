// The transition check (total, missing and drifted rows in one scan) against a plain count(*) on the same
// 1,000,000-row table — on the PostgreSQL server at DATABASE_URL when it is set, else on the embedded PGlite (the
// output says which). Goal: the check costs at most 1.5× the count(*). Set VERIFY_BENCH_ROWS for another size.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { measure, ms, printTable, ratio, repoRoot, spread, writeResults } from "./lib/common.mjs";

const dist = (path) => pathToFileURL(join(repoRoot, "dist", "src", path)).href;
const { defaultDatabaseUrl, openDatabase } = await import(dist("db/database.js"));
const { parseTransitionOption, planVerification, runChecks } = await import(dist("verify/index.js"));

const ROWS = Number(process.env.VERIFY_BENCH_ROWS ?? 1_000_000);
const url = defaultDatabaseUrl();
const engine = url ? "PostgreSQL server (DATABASE_URL)" : "PGlite (embedded; set DATABASE_URL to measure a server)";
const schema = `ms_bench_verify_${process.pid}`;

const db = await openDatabase({ url });
try {
  const { rows: version } = await db.query("SELECT current_setting('server_version') AS v");
  console.log(`engine: ${engine}, PostgreSQL ${version[0].v}; ${ROWS.toLocaleString("en-US")} rows`);

  // A users table as the WORKFLOW.md example has it mid-backfill: 90% done, 9% missing, 1% drifted.
  const started = performance.now();
  await db.exec(`
    CREATE SCHEMA ${schema};
    SET search_path TO ${schema};
    CREATE TABLE users (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      email text NOT NULL,
      full_name text,
      display_name text,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    INSERT INTO users (email, full_name, display_name)
    SELECT format('user%s@example.com', n), format('User Number %s', n),
           CASE WHEN n % 100 < 90 THEN format('User Number %s', n) WHEN n % 100 < 99 THEN NULL ELSE 'stale' END
    FROM generate_series(1, ${ROWS}) AS n;
  `);
  await db.exec("VACUUM ANALYZE users"); // not in the script above: VACUUM refuses a transaction block
  console.log(`table built in ${ms(performance.now() - started)}`);

  const checkOf = (spec) => planVerification([], { transitions: [parseTransitionOption(spec)] }).checks[0];
  const cases = [
    ["transition check, plain copy (full_name → display_name)", checkOf("users.full_name:display_name")],
    ["transition check, WORKFLOW.md backfill: normalize(full_name)", checkOf("users.full_name:display_name=normalize(full_name)")],
  ];

  const options = { runs: 7, warmup: 2 };
  const count = await measure(async () => {
    await db.query("SELECT count(*) FROM users");
  }, options);
  // What evaluating the backfill's expression once per row costs on its own, whatever query does it.
  const expressionOnly = await measure(async () => {
    await db.query("SELECT count(normalize(full_name)) FROM users");
  }, options);
  const rows = [
    ["SELECT count(*) FROM users", spread(count), "1.00×", ""],
    ["SELECT count(normalize(full_name)) FROM users", spread(expressionOnly), ratio(expressionOnly.median, count.median), "the expression alone"],
  ];
  const results = { engine, rows: ROWS, countMs: count.median, expressionOnlyMs: expressionOnly.median, cases: [] };
  for (const [name, check] of cases) {
    let figures;
    const timing = await measure(async () => {
      const [result] = await runChecks(db, [check]);
      figures = result.figures;
    }, options);
    rows.push([name, spread(timing), ratio(timing.median, count.median), `missing=${figures.missing} drifted=${figures.drifted}`]);
    results.cases.push({ name, medianMs: timing.median, ratio: timing.median / count.median, figures });
  }
  printTable(`medians over ${options.runs} runs (after ${options.warmup} warm-up runs), ${engine}`, ["query", "time", "vs count(*)", "result"], rows);
  const { rows: plan } = await db.query("EXPLAIN SELECT count(*) FROM users");
  console.log(`\ncount(*) plan: ${plan.map((r) => r["QUERY PLAN"].trim()).join(" / ")}`);
  console.log("goal: the transition check at most 1.5× count(*)");
  writeResults("verify", results);
} finally {
  await db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
  await db.close();
}
