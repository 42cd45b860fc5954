// Benchmark: libpg-query (our parser) vs pgsql-ast-parser (the rejected one) — speed, scaling and coverage.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { corpusSqlFiles, measure, printTable, rate, ratio, spread, summarize, writeResults } from "./lib/common.mjs";
import { parsers } from "./lib/parser-adapters.mjs";

const NAMES = ["libpg-query", "pgsql-ast-parser"];
const parse = Object.fromEntries(await Promise.all(NAMES.map(async (name) => [name, await parsers[name]()])));
const results = {};

// (a) Per-statement parsing: the plugin's fallback path parses statement by statement, and so does an editor.
const TYPICAL = [
  "ALTER TABLE users ADD COLUMN email text",
  "ALTER TABLE users ADD COLUMN active boolean NOT NULL DEFAULT true",
  "CREATE INDEX CONCURRENTLY users_email_idx ON users (email)",
  "CREATE UNIQUE INDEX users_email_key ON users (lower(email))",
  "UPDATE users SET active = false WHERE id BETWEEN 1 AND 10000",
  "ALTER TABLE users RENAME COLUMN email TO email_address",
  "ALTER TABLE users DROP COLUMN legacy",
  "CREATE TABLE accounts (id bigserial PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())",
  "ALTER TABLE users ALTER COLUMN name SET NOT NULL",
  "ALTER TABLE users ADD CONSTRAINT users_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id)",
  "DROP INDEX CONCURRENTLY users_email_idx",
  "INSERT INTO settings (key, value) VALUES ('feature', 'on')",
  "SET lock_timeout = '2s'",
  "COMMENT ON COLUMN users.email IS 'primary email'",
  "DO $$ BEGIN UPDATE users SET active = true WHERE id < 1000; END $$",
];
// Only statements both parsers accept, so neither is timed on its error path.
const mix = TYPICAL.filter((sql) => NAMES.every((name) => accepts(name, sql)));
if (mix.length < TYPICAL.length) console.log(`NOTICE: ${TYPICAL.length - mix.length} typical statement(s) dropped: not accepted by both parsers`);

results.perStatement = { statements: mix.length };
for (const name of NAMES) {
  // Each run parses the mix for ~300 ms and reports ms per 1000 statements, so runs are comparable in length.
  const s = await measure(() => {
    let count = 0;
    const start = performance.now();
    while (performance.now() - start < 300) for (const sql of mix) (parse[name](sql), count++);
    return ((performance.now() - start) / count) * 1000;
  }, { runs: 7 });
  results.perStatement[name] = { msPer1000: s, statementsPerSecond: 1e6 / s.median };
}
const per = results.perStatement;
printTable(
  `(a) per-statement parse, ${mix.length} typical migration statements parsed one at a time (median of ${per[NAMES[0]].msPer1000.runs} runs)`,
  ["parser", "statements/s", "ms per 1000 (min–max)", "vs libpg-query"],
  NAMES.map((name) => [name, rate(1000, per[name].msPer1000.median), spread(per[name].msPer1000), ratio(per[name].msPer1000.median, per["libpg-query"].msPer1000.median)]),
);

// (b) Whole-file parsing. pgsql-ast-parser is an Earley (nearley) parser whose cost grows faster than the input,
// so each parse runs in a worker that is killed past CAP_MS, and bigger sizes are skipped once one overruns.
const SIZES = [1000, 5000, 20000];
const CAP_MS = 20_000;
const BUDGET_MS = 10_000; // stop repeating a size once this much time went into it
results.wholeFile = { capMs: CAP_MS, sizes: {} };
const overran = {};
for (const statements of SIZES) {
  const row = (results.wholeFile.sizes[statements] = {});
  for (const name of NAMES) {
    if (overran[name]) {
      row[name] = { skipped: true, note: `not run: ${overran[name]} statements already took > ${CAP_MS / 1000} s` };
      continue;
    }
    const { times, timedOut } = await parseInWorker(name, statements, { runs: 5, budgetMs: BUDGET_MS, capMs: CAP_MS });
    row[name] = timedOut ? { timedOut: true } : summarize(times);
    if (timedOut) overran[name] = statements;
  }
}
const cell = (r) => (r.median !== undefined ? spread(r) : `> ${CAP_MS / 1000} s${r.skipped ? " (skipped)" : ""}`);
const perStmt = (r, n) => (r.median !== undefined ? `${((r.median / n) * 1000).toFixed(1)} µs` : "");
printTable(
  `(b) whole-file parse of generated migrations (median (min–max) per parse; pgsql-ast-parser capped at ${CAP_MS / 1000} s)`,
  ["statements", "libpg-query", "µs/stmt", "pgsql-ast-parser", "µs/stmt", "ratio"],
  SIZES.map((n) => {
    const { "libpg-query": ours, "pgsql-ast-parser": theirs } = results.wholeFile.sizes[n];
    const r = theirs.median !== undefined ? ratio(theirs.median, ours.median) : `> ${ratio(CAP_MS, ours.median)}`;
    return [n.toLocaleString("en-US"), cell(ours), perStmt(ours, n), cell(theirs), perStmt(theirs, n), r];
  }),
);
console.log("ratio = pgsql-ast-parser time / libpg-query time; linear growth keeps µs/stmt constant across sizes.");

// (c) Statements real migrations need that pgsql-ast-parser rejects: each would be an unchecked statement for us.
const UNSUPPORTED = [
  "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID",
  "ALTER TABLE orders ADD CONSTRAINT orders_total_ck CHECK (total >= 0) NOT VALID",
  "ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk",
  "ALTER TABLE users ALTER COLUMN age TYPE bigint USING age::bigint",
  "ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_id_idx",
  "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx",
  "ALTER TABLE users ALTER COLUMN email SET STATISTICS 500",
  "ALTER TABLE users SET (fillfactor = 70)",
  "ALTER TABLE users REPLICA IDENTITY FULL",
  "ALTER TABLE users DISABLE TRIGGER ALL",
  "ALTER TABLE events DETACH PARTITION events_2020 CONCURRENTLY",
  "CREATE TABLE events_2021 PARTITION OF events FOR VALUES FROM ('2021-01-01') TO ('2022-01-01')",
  "CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch()",
  "CREATE POLICY users_own ON users USING (owner_id = current_user_id())",
  "REINDEX INDEX CONCURRENTLY users_email_idx",
  "LOCK TABLE users IN ACCESS EXCLUSIVE MODE",
  "CLUSTER users USING users_pkey",
  "VACUUM ANALYZE users",
  "ANALYZE users",
  "GRANT SELECT ON users TO reader",
  "REVOKE ALL ON users FROM PUBLIC",
];
results.unsupported = UNSUPPORTED.map((sql) => ({ sql, "libpg-query": verdict("libpg-query", sql), "pgsql-ast-parser": verdict("pgsql-ast-parser", sql) }));
printTable(
  "(c) statements pgsql-ast-parser cannot parse, with libpg-query's verdict",
  ["statement", "pgsql-ast-parser", "libpg-query"],
  results.unsupported.map((r) => [r.sql.length > 70 ? `${r.sql.slice(0, 69)}…` : r.sql, r["pgsql-ast-parser"], r["libpg-query"]]),
);

// (d) The real corpus: how many files each parser accepts whole, and how long a pass over all of them takes.
const corpus = corpusSqlFiles();
if (corpus) {
  const texts = corpus.files.map((file) => readFileSync(join(corpus.root, file), "utf8"));
  results.corpus = { files: texts.length };
  for (const name of NAMES) {
    const accepted = texts.filter((text) => accepts(name, text)).length;
    const time = await measure(() => texts.forEach((text) => accepts(name, text)), { runs: 3 });
    results.corpus[name] = { accepted, ms: time };
  }
  printTable(
    `(d) corpus: ${texts.length} real migration files, each parsed whole (median of 3 passes; failures included)`,
    ["parser", "files accepted", "pass time (min–max)", "vs libpg-query"],
    NAMES.map((name) => {
      const r = results.corpus[name];
      return [name, `${r.accepted} (${((r.accepted / texts.length) * 100).toFixed(1)}%)`, spread(r.ms), ratio(r.ms.median, results.corpus["libpg-query"].ms.median)];
    }),
  );
}

writeResults("parsers", results);

function accepts(name, sql) {
  try {
    parse[name](sql);
    return true;
  } catch {
    return false;
  }
}

/** "ok (NodeType)" or the parser's error, shortened to its first line. */
function verdict(name, sql) {
  try {
    const result = parse[name](sql);
    const node = name === "libpg-query" ? Object.keys(result.stmts?.[0]?.stmt ?? {})[0] : result[0]?.type;
    return `ok (${node})`;
  } catch (error) {
    const first = String(error?.message ?? error).split("\n")[0].replace(/:$/, "");
    return `FAIL: ${first.length > 40 ? `${first.slice(0, 39)}…` : first}`;
  }
}

/**
 * Parses a generated file of `statements` statements in a worker; kills the worker if one parse exceeds capMs.
 * timedOut is set only when not even one parse finished in time (then the size counts as "> cap").
 */
function parseInWorker(parser, statements, { runs, budgetMs, capMs }) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./lib/parse-worker.mjs", import.meta.url), { workerData: { parser, statements, runs, budgetMs } });
    const times = [];
    let timer;
    let killed = false;
    worker.on("message", (message) => {
      clearTimeout(timer);
      if (message.started) timer = setTimeout(() => ((killed = true), worker.terminate()), capMs);
      else times.push(message.ms);
    });
    worker.on("error", (error) => (clearTimeout(timer), reject(error)));
    worker.on("exit", () => (clearTimeout(timer), resolve({ times, timedOut: killed && times.length === 0 })));
  });
}
