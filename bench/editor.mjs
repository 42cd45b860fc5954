// Benchmark: what an editor keystroke costs. The VS Code ESLint extension keeps one ESLint instance per workspace
// and calls lintText(text, { filePath }) on every change; this does the same on a 20-statement migration (and a
// 100-statement one for scale), each call on slightly different text, and prints median and p95 latency.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ESLint, Linter } from "eslint";
import plugin from "eslint-plugin-migration-safety";
import { ms, printTable, writeResults } from "./lib/common.mjs";
import { generateMigration } from "./lib/generate.mjs";

// V8 keeps optimising the parser glue and the rules for the first ~200 calls (calls 2–100 have a median near 10 ms,
// later ones near 1 ms), so "warm" is measured after 200 calls, and the warming phase is printed on its own.
const WARMING = 100;
const WARMUP = 200;
const RUNS = 500;

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
function stats(times) {
  const sorted = [...times].sort((a, b) => a - b);
  return { runs: sorted.length, median: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted.at(-1) };
}

/** The text after keystroke `i`: the migration with a comment line that changes on every call (no caching helps). */
const keystroke = (text, i) => `${text}-- typing ${"x".repeat(i % 17)}${i}\n`;

// A workspace folder with the recommended configs. (The extension's ESLint finds the project's eslint.config.js
// instead; ESLint loads it once, on the first call, so warm figures are the same.)
const workspace = mkdtempSync(join(tmpdir(), "migration-safety-editor-bench-"));
const eslint = new ESLint({ cwd: workspace, overrideConfigFile: true, overrideConfig: [...plugin.configs.recommended] });
const linter = new Linter({ configType: "flat" });

const results = { warming: WARMING, warmup: WARMUP, runs: RUNS, cases: {} };
const rows = [];
for (const statements of [20, 100]) {
  const text = generateMigration(statements);
  const relativePath = `db/migrations/0042_${statements}_statements.sql`;
  const filePath = join(workspace, relativePath);

  let start = performance.now();
  const [first] = await eslint.lintText(text, { filePath });
  const cold = performance.now() - start;

  const api = [];
  const warming = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    start = performance.now();
    await eslint.lintText(keystroke(text, i), { filePath });
    if (i >= WARMUP) api.push(performance.now() - start);
    else if (i < WARMING) warming.push(performance.now() - start);
  }

  // The same work without ESLint's file and config handling: the language and rules alone.
  const config = [...plugin.configs.recommended];
  const core = [];
  // Linter resolves `files` patterns against process.cwd(): give it the path relative to the config's base.
  const verifyFindings = linter.verify(text, config, relativePath).length;
  if (verifyFindings !== first.messages.length) throw new Error(`Linter found ${verifyFindings} problems, lintText ${first.messages.length}`);
  for (let i = 0; i < WARMUP + RUNS; i++) {
    start = performance.now();
    linter.verify(keystroke(text, i), config, relativePath);
    if (i >= WARMUP) core.push(performance.now() - start);
  }

  const apiStats = stats(api);
  const warmingStats = stats(warming);
  const coreStats = stats(core);
  results.cases[`${statements} statements`] = {
    bytes: text.length,
    findings: first.messages.length,
    coldMs: cold,
    lintTextWarming: warmingStats,
    lintText: apiStats,
    linterVerify: coreStats,
  };
  rows.push([`${statements} statements`, "lintText, first call", ms(cold), "", "", "", first.messages.length]);
  rows.push(["", `lintText, calls 2–${WARMING} (warming)`, ms(warmingStats.median), ms(warmingStats.p95), ms(warmingStats.p99), ms(warmingStats.max), ""]);
  rows.push(["", `lintText, warm (the extension)`, ms(apiStats.median), ms(apiStats.p95), ms(apiStats.p99), ms(apiStats.max), ""]);
  rows.push(["", "Linter#verify, warm (engine only)", ms(coreStats.median), ms(coreStats.p95), ms(coreStats.p99), ms(coreStats.max), ""]);
}
rmSync(workspace, { recursive: true, force: true });

printTable(
  `Per-keystroke lint latency (each call on changed text; warm: ${RUNS} calls after ${WARMUP})`,
  ["file", "what", "median", "p95", "p99", "max", "findings"],
  rows,
);
writeResults("editor", results);
