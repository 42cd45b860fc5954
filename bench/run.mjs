// Runs the benchmarks: `npm run bench` runs all, `npm run bench -- <name>...` runs the named ones. They only print
// and write bench/.results/<name>.json; timings never decide pass or fail.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./lib/common.mjs";

const BENCHMARKS = {
  parsers: "libpg-query vs pgsql-ast-parser: per-statement, whole-file scaling, coverage",
  throughput: "ESLint (CLI and API) vs squawk on the corpus and a 20k-statement file; memory",
  editor: "warm per-keystroke lint latency of a 20-statement migration through ESLint#lintText (median, p95)",
  verify: "the transition check vs count(*) on 1,000,000 rows (the server at DATABASE_URL, else PGlite)",
  trace: "trace on PGlite: start-up, the corpus's hatchet and concourse folders (traced, not traced, trace vs lint), history and --rows",
  backfill: "backfill run (one worker and two) vs row-by-row and one-shot UPDATE on 1,000,000 uuid-keyed rows (the server at DATABASE_URL, else PGlite)",
  "squawk-parity": "rule parity with squawk on the corpus: statements both flag, squawk only, ours only, each difference by reason",
  history: "the migration history for the rules on the corpus: findings per rule with it off, on, and with unreleased migrations; time",
};

const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !(name in BENCHMARKS));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(", ")}\navailable:`);
  for (const [name, what] of Object.entries(BENCHMARKS)) console.error(`  ${name.padEnd(13)} ${what}`);
  process.exit(2);
}

// The benchmarks import the built package (dist/), so a stale build would measure old code without saying so.
const entry = join(repoRoot, "dist", "src", "index.js");
if (!existsSync(entry)) {
  console.error("dist/ is missing: run `npm run build` first.");
  process.exit(1);
}
const newest = (dir) =>
  readdirSync(join(repoRoot, dir), { recursive: true })
    .filter((file) => file.endsWith(".ts"))
    .reduce((latest, file) => Math.max(latest, statSync(join(repoRoot, dir, file)).mtimeMs), 0);
const newestDist = readdirSync(join(repoRoot, "dist"), { recursive: true })
  .filter((file) => file.endsWith(".js"))
  .reduce((latest, file) => Math.max(latest, statSync(join(repoRoot, "dist", file)).mtimeMs), 0);
if (Math.max(newest("src"), newest("rules")) > newestDist) {
  console.warn("WARNING: src/ or rules/ changed after the last build; figures are for the old dist/ (run `npm run build`).");
}

// One process per benchmark, so one's JIT state, heap and loaded WASM do not colour the next one's figures.
let failed = false;
for (const name of requested.length ? requested : Object.keys(BENCHMARKS)) {
  console.log(`\n=== bench/${name}: ${BENCHMARKS[name]} ===`);
  const started = performance.now();
  const { status } = spawnSync(process.execPath, [join(repoRoot, "bench", `${name}.mjs`)], { stdio: "inherit", cwd: repoRoot });
  console.log(`=== bench/${name}: ${status === 0 ? "done" : `FAILED (exit ${status})`} in ${((performance.now() - started) / 1000).toFixed(0)} s ===`);
  failed ||= status !== 0;
}
process.exit(failed ? 1 : 0);
