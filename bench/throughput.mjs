// Benchmark: linting speed and memory of the plugin through ESLint, against squawk (the Rust peer) on the same files.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ESLint } from "eslint";
import { parseDocument } from "eslint-plugin-migration-safety";
import { bin, corpusSqlFiles, mb, measure, ms, printTable, rate, ratio, resultsDir, spread, timeProcess, writeResults } from "./lib/common.mjs";
import { generateMigration } from "./lib/generate.mjs";

const results = {};

// The plugin's `configs.sql` on every .sql file, as a user would write it. Passing it with --config also turns off
// config lookup (a string --config wins over --no-config-lookup), so the repo's own eslint.config.js plays no part;
// and ESLint resolves file patterns against the cwd when --config is given, which lets us lint the corpus in place.
const configFile = join(resultsDir, "eslint.config.bench.mjs");
writeFileSync(
  configFile,
  `// Written by bench/throughput.mjs.\nimport migrationSafety from "eslint-plugin-migration-safety";\n\nexport default [migrationSafety.configs.sql];\n`,
);

const eslintCli = (cwd, files, extra = []) => async () => {
  const run = await timeProcess(bin("eslint"), ["--config", configFile, "--format", "json", ...extra, ...files], { cwd });
  if (run.code === 2) throw new Error(`eslint crashed:\n${run.stderr}`); // 1 only means "problems found"
  return run;
};
const squawk = (cwd, files, reporter = ["--reporter", "json"], options = {}) => () => timeProcess(bin("squawk"), [...reporter, ...files], { cwd, ...options });

/** Times a process runner; the last run's output is kept for counting findings. */
async function timeRuns(runner, options) {
  let last;
  const time = await measure(async () => ((last = await runner()), last.ms), options);
  return { time, last };
}

/** ESLint in-process: one ESLint instance per run, like one CLI invocation, minus process start-up and module loading. */
async function lintInProcess(cwd, files, options) {
  const run = async () => new ESLint({ cwd, overrideConfigFile: configFile }).lintFiles(files);
  let start = performance.now();
  let lintResults = await run();
  const cold = performance.now() - start; // first run pays for loading the config, the plugin and the rules
  const time = await measure(async () => void (lintResults = await run()), { warmup: 0, ...options });
  return { cold, time, findings: countEslint(lintResults) };
}

function countEslint(lintResults) {
  const messages = lintResults.flatMap((result) => result.messages);
  return { findings: messages.filter((m) => !m.fatal).length, fatal: messages.filter((m) => m.fatal).length };
}

function countSquawk(run) {
  try {
    return { findings: JSON.parse(run.stdout || "[]").length };
  } catch {
    return { error: `squawk exited ${run.code} without JSON: ${run.stderr.slice(0, 200)}` };
  }
}

/** Top-level statements by the package's own parser: what "statements/s" counts. */
function countStatements(text) {
  const outcome = parseDocument(text);
  return outcome.ok ? outcome.document.body.length : 0;
}

const findingsCell = (c) => (c.error ? "error" : `${c.findings}${c.fatal ? ` (+${c.fatal} fatal)` : ""}`);

// (a) The real corpus, as CI would lint it: one process per tool over every file.
const corpus = corpusSqlFiles();
if (corpus) {
  const { root, files } = corpus;
  const statements = files.reduce((sum, file) => sum + countStatements(readFileSync(join(root, file), "utf8")), 0);
  const ours = await timeRuns(eslintCli(root, files), { runs: 5 });
  const oursParallel = await timeRuns(eslintCli(root, files, ["--concurrency", "auto"]), { runs: 5 });
  const peer = await timeRuns(squawk(root, files), { runs: 5 });
  const inProcess = await lintInProcess(root, files, { runs: 5 });
  const a = (results.corpus = {
    files: files.length,
    statements,
    eslintCli: { ms: ours.time, ...countEslint(JSON.parse(ours.last.stdout)) },
    eslintCliConcurrencyAuto: { ms: oursParallel.time, ...countEslint(JSON.parse(oursParallel.last.stdout)) },
    eslintInProcess: { coldMs: inProcess.cold, ms: inProcess.time, ...inProcess.findings },
    squawkJson: { ms: peer.time, exitCode: peer.last.code, ...countSquawk(peer.last) },
  });
  const row = (label, r) => [label, spread(r.ms), ratio(r.ms.median, a.squawkJson.ms.median), rate(files.length, r.ms.median), rate(statements, r.ms.median), findingsCell(r)];
  printTable(
    `(a) corpus: ${files.length} files, ${statements.toLocaleString("en-US")} statements (wall time, median (min–max))`,
    ["tool", "time", "vs squawk", "files/s", "statements/s", "findings"],
    [
      row("eslint CLI", a.eslintCli),
      row("eslint CLI --concurrency auto", a.eslintCliConcurrencyAuto),
      row("ESLint API lintFiles (warm)", a.eslintInProcess),
      row("squawk --reporter json", a.squawkJson),
    ],
  );
  console.log(
    `in-process cold first run: ${ms(a.eslintInProcess.coldMs)}; process start-up + module loading ≈ ` +
      `${ms(a.eslintCli.ms.median - a.eslintInProcess.ms.median)} of the CLI's ${ms(a.eslintCli.ms.median)}. ` +
      `Findings differ by design: squawk runs more rules (timeouts, robustness) than this plugin's recommended set.`,
  );
}

// (b) One huge generated migration: the parser and rules must stay linear, and reporters must not blow up.
const N = 20_000;
const bigFile = join(resultsDir, `generated-${N}.sql`);
const bigText = generateMigration(N);
writeFileSync(bigFile, bigText);
{
  const statements = countStatements(bigText);
  const parseOnly = await measure(() => void parseDocument(bigText), { runs: 5 });
  const ours = await timeRuns(eslintCli(resultsDir, [bigFile]), { runs: 3 });
  const inProcess = await lintInProcess(resultsDir, [bigFile], { runs: 3 });
  const peerJson = await timeRuns(squawk(resultsDir, [bigFile]), { runs: 3 });
  // The text reporter renders a code frame per finding and is known to be slow here: one capped run.
  const TEXT_CAP_MS = 60_000;
  const peerText = await squawk(resultsDir, [bigFile], [], { timeoutMs: TEXT_CAP_MS, keepStdout: false })();
  const b = (results.generated = {
    statements,
    bytes: Buffer.byteLength(bigText),
    parseDocumentMs: parseOnly,
    eslintCli: { ms: ours.time, ...countEslint(JSON.parse(ours.last.stdout)) },
    eslintInProcess: { coldMs: inProcess.cold, ms: inProcess.time, ...inProcess.findings, goalMs: 1000, meetsGoal: inProcess.time.median < 1000 },
    squawkJson: { ms: peerJson.time, exitCode: peerJson.last.code, ...countSquawk(peerJson.last) },
    squawkText: peerText.timedOut ? { timedOut: true, capMs: TEXT_CAP_MS } : { ms: peerText.ms, outputBytes: peerText.stdoutBytes, exitCode: peerText.code },
  });
  const row = (label, r) => [label, spread(r.ms), ratio(r.ms.median, b.squawkJson.ms.median), rate(statements, r.ms.median), findingsCell(r)];
  const textTime = b.squawkText.timedOut ? `> ${TEXT_CAP_MS / 1000} s (killed)` : `${ms(b.squawkText.ms)} (n=1, ${mb(b.squawkText.outputBytes)} of output)`;
  printTable(
    `(b) generated migration: ${statements.toLocaleString("en-US")} statements, ${mb(b.bytes)} (wall time, median (min–max))`,
    ["tool", "time", "vs squawk json", "statements/s", "findings"],
    [
      row("eslint CLI", b.eslintCli),
      row("ESLint API lintFiles (warm)", b.eslintInProcess),
      ["  of which parseDocument", spread(b.parseDocumentMs), "", rate(statements, b.parseDocumentMs.median), ""],
      row("squawk --reporter json", b.squawkJson),
      ["squawk (default text reporter)", textTime, b.squawkText.timedOut ? "" : ratio(b.squawkText.ms, b.squawkJson.ms.median), "", ""],
    ],
  );
  console.log(`goal: in-process lint < 1 s — ${b.eslintInProcess.meetsGoal ? "met" : "NOT met"} (${ms(b.eslintInProcess.ms.median)}).`);
}

// (c) Memory: peak RSS of linting ever bigger files, each in a fresh process, then one file linted many times.
{
  const timeBinary = existsSync("/usr/bin/time") ? "/usr/bin/time" : null;
  const child = async (file, repeat) => {
    const peakFile = join(resultsDir, "peak-rss.txt");
    const nodeArgs = ["--expose-gc", join(import.meta.dirname, "lib", "lint-child.mjs"), file, configFile, String(repeat)];
    // GNU time's %M is the true peak (kB); in-process samples only see memory between lint calls.
    const run = timeBinary
      ? await timeProcess(timeBinary, ["-f", "%M", "-o", peakFile, process.execPath, ...nodeArgs])
      : await timeProcess(process.execPath, nodeArgs);
    if (run.code !== 0) throw new Error(`lint child failed:\n${run.stderr}`);
    const report = JSON.parse(run.stdout);
    const peak = timeBinary ? Number(readFileSync(peakFile, "utf8").trim().split("\n").at(-1)) * 1024 : Math.max(...report.after.map((s) => s.rss));
    return { ...report, peakRss: peak, peakSource: timeBinary ? "/usr/bin/time %M" : "sampled after each lint" };
  };

  const SIZES = [1, 1000, 5000, 20000, 50000];
  results.memory = { sizes: {} };
  for (const n of SIZES) {
    const file = join(resultsDir, `generated-${n}.sql`);
    if (n !== N) writeFileSync(file, generateMigration(n));
    results.memory.sizes[n] = await child(file, 1);
  }
  const base = results.memory.sizes[1].peakRss;
  printTable(
    `(c) memory: one in-process lint per fresh process (peak RSS by ${results.memory.sizes[1].peakSource}; 1 statement = fixed cost)`,
    ["statements", "peak RSS", "above 1-stmt", "MB per 1k stmts vs previous row", "RSS after lint", "lint time (cold)"],
    SIZES.map((n, i) => {
      const r = results.memory.sizes[n];
      const previous = i > 1 ? SIZES[i - 1] : null; // the 1k row's growth is mostly one-off warm-up, not per statement
      const slope = previous ? ((r.peakRss - results.memory.sizes[previous].peakRss) / 2 ** 20 / ((n - previous) / 1000)).toFixed(2) : "";
      return [n.toLocaleString("en-US"), mb(r.peakRss), mb(r.peakRss - base), slope, mb(r.after[0].rss), ms(r.lintMs[0])];
    }),
  );

  const REPEAT = 20;
  const repeated = await child(join(resultsDir, "generated-5000.sql"), REPEAT);
  const first = repeated.after[0];
  const last = repeated.after.at(-1);
  results.memory.repeated = { statements: 5000, times: REPEAT, ...repeated };
  printTable(
    `(c) memory: the same 5,000-statement file linted ${REPEAT} times in one process (after a full GC each time)`,
    ["when", "RSS", "heap used", "external (WASM)", "lint time"],
    [
      ["before the first lint", mb(repeated.before.rss), mb(repeated.before.heapUsed), mb(repeated.before.external), ""],
      ["after lint 1", mb(first.rss), mb(first.heapUsed), mb(first.external), ms(repeated.lintMs[0])],
      [`after lint ${REPEAT}`, mb(last.rss), mb(last.heapUsed), mb(last.external), ms(repeated.lintMs.at(-1))],
      ["peak over the process", mb(repeated.peakRss), "", "", ""],
    ],
  );
  // The whole series, to tell a plateau (allocator and JIT settling) from a leak (steady climb).
  console.log(`RSS after each lint (MB): ${repeated.after.map((s) => Math.round(s.rss / 2 ** 20)).join(" ")}`);
}

writeResults("throughput", results);
