// Benchmark: the migration history for the rules (`context.history`) on the corpus. Lints ../shared/corpus/sql with
// configs.recommended three ways — history off, on, and on with the last 20 migrations of each project marked
// unreleased — and prints findings per rule, the findings that differ (with a sample of each), crashes, and time.
// Each variant runs in a fresh process (the history and parse caches are per process), three times; the median
// counts. Run: npm run build && node bench/history.mjs
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { corpusSqlFiles, ms, printTable, ratio, repoRoot, summarize, writeResults } from "./lib/common.mjs";

const VARIANTS = {
  off: "history off (settings.history: false)",
  on: "history on (the default)",
  unreleased: "history on, the last 20 migrations of each folder unreleased",
};
const RUNS = 3;
const UNRELEASED_PER_PROJECT = 20;

const variantArg = process.argv.indexOf("--variant");
if (variantArg > 0) await child(process.argv[variantArg + 1]);
else await parent();

/** One variant, in this process: lint the corpus and print {ms, files, crashes, findings} as JSON. */
async function child(variant) {
  const { ESLint } = await import("eslint");
  const { default: plugin } = await import("eslint-plugin-migration-safety");
  const dist = (path) => join(repoRoot, "dist", "src", path);
  const { findFiles, defaultMigrationGlobs } = await import(dist("schema/load.js"));
  const { migrationScope } = await import(dist("schema/timeline.js"));
  const corpus = corpusSqlFiles();

  const settings = { history: variant !== "off" };
  // The tool ordering (the history's own), per migrations folder — one history each.
  const byScope = new Map();
  for (const path of findFiles(corpus.root, defaultMigrationGlobs())) {
    const scope = migrationScope(path);
    byScope.set(scope, [...(byScope.get(scope) ?? []), path]);
  }
  // The newest 20 of each folder are "not deployed yet".
  if (variant === "unreleased") settings.unreleasedMigrations = [...byScope.values()].flatMap((paths) => paths.slice(-UNRELEASED_PER_PROJECT));
  const eslint = new ESLint({
    cwd: corpus.root,
    overrideConfigFile: true,
    overrideConfig: [...plugin.configs.recommended, { settings: { "migration-safety": settings } }],
  });
  const started = performance.now();
  const results = await eslint.lintFiles(corpus.files);
  const elapsed = performance.now() - started;
  const findings = [];
  let fatal = 0;
  for (const result of results) {
    const file = result.filePath.slice(corpus.root.length + 1);
    for (const m of result.messages) {
      if (!m.ruleId) fatal++;
      else findings.push({ key: `${file}:${m.line}:${m.column}:${m.ruleId}`, rule: m.ruleId.replace("migration-safety/", ""), message: m.message });
    }
  }
  const unreleased = settings.unreleasedMigrations?.length ?? 0;
  const folders = Object.fromEntries([...byScope].map(([scope, paths]) => [scope, paths.length]));
  process.stdout.write(JSON.stringify({ ms: elapsed, files: results.length, fatal, unreleased, folders, findings }));
}

async function parent() {
  const corpus = corpusSqlFiles();
  if (!corpus) return;
  const self = fileURLToPath(import.meta.url);
  const runs = {};
  for (const variant of Object.keys(VARIANTS)) {
    runs[variant] = [];
    for (let i = 0; i < RUNS; i++) {
      const { status, stdout, stderr } = spawnSync(process.execPath, [self, "--variant", variant], { cwd: repoRoot, maxBuffer: 512 * 2 ** 20, encoding: "utf8" });
      if (status !== 0) {
        console.error(`variant ${variant} crashed (exit ${status}):\n${stderr}`);
        process.exit(1);
      }
      runs[variant].push(JSON.parse(stdout));
    }
  }
  const first = Object.fromEntries(Object.entries(runs).map(([v, list]) => [v, list[0]]));
  console.log("migrations folders (one history each):");
  for (const [folder, count] of Object.entries(first.on.folders)) console.log(`  ${String(count).padStart(5)}  ${folder}`);
  const time = Object.fromEntries(Object.entries(runs).map(([v, list]) => [v, summarize(list.map((r) => r.ms))]));

  const perRule = (run) => {
    const counts = new Map();
    for (const f of run.findings) counts.set(f.rule, (counts.get(f.rule) ?? 0) + 1);
    return counts;
  };
  const counts = Object.fromEntries(Object.entries(first).map(([v, run]) => [v, perRule(run)]));
  const rules = [...new Set(Object.values(counts).flatMap((c) => [...c.keys()]))].sort((a, b) => (counts.off.get(b) ?? 0) - (counts.off.get(a) ?? 0) || a.localeCompare(b));
  const delta = (a, b) => {
    const d = b - a;
    return d === 0 ? "0" : d > 0 ? `+${d}` : String(d);
  };
  printTable(
    `Findings per rule on the corpus (${first.off.files} files; configs.recommended)`,
    ["rule", "off", "on", "on − off", `on + ${first.unreleased.unreleased} unreleased`, "unreleased − on"],
    [
      ...rules.map((rule) => {
        const [off, on, unreleased] = ["off", "on", "unreleased"].map((v) => counts[v].get(rule) ?? 0);
        return [rule, off, on, delta(off, on), unreleased, delta(on, unreleased)];
      }),
      ["total", first.off.findings.length, first.on.findings.length, delta(first.off.findings.length, first.on.findings.length), first.unreleased.findings.length, delta(first.on.findings.length, first.unreleased.findings.length)],
    ],
  );
  printTable(
    "Crashes and time (fresh process per run; ESLint#lintFiles wall time, median of 3)",
    ["variant", "files", "fatal parse errors", "time", "vs off"],
    Object.keys(VARIANTS).map((v) => [VARIANTS[v], first[v].files, first[v].fatal, ms(time[v].median), ratio(time[v].median, time.off.median)]),
  );

  // What the history adds to the findings that remain: the old type of a type change, complete index knowledge.
  const typeChanges = (run) => run.findings.filter((f) => f.rule === "no-column-type-change");
  // "Changing t.c from <old> to <new> …" names the old type; "Changing t.c to <new> …" (not known, or USING) does not.
  const unknownType = (run) => typeChanges(run).filter((f) => !/^Changing \S+ from /.test(f.message)).length;
  printTable(
    "no-column-type-change: does the finding name the column's old type?",
    ["variant", "findings", "old type not known", "old type named"],
    Object.keys(VARIANTS).map((v) => [VARIANTS[v], typeChanges(first[v]).length, unknownType(first[v]), typeChanges(first[v]).length - unknownType(first[v])]),
  );

  // What changed, rule by rule, with one example each way.
  const diff = (from, to) => {
    const keys = new Set(to.findings.map((f) => f.key));
    return from.findings.filter((f) => !keys.has(f.key));
  };
  const changes = {};
  for (const [label, from, to] of [
    ["gone with the history", first.off, first.on],
    ["new with the history", first.on, first.off],
    ["gone with unreleased migrations", first.on, first.unreleased],
    ["new with unreleased migrations", first.unreleased, first.on],
  ]) {
    const list = diff(from, to);
    const byRule = new Map();
    for (const f of list) byRule.set(f.rule, [...(byRule.get(f.rule) ?? []), f]);
    changes[label] = Object.fromEntries([...byRule].map(([rule, fs]) => [rule, fs.length]));
    if (list.length === 0) continue;
    console.log(`\n${label}: ${list.length}`);
    for (const [rule, fs] of byRule) console.log(`  ${String(fs.length).padStart(5)}  ${rule}  e.g. ${fs[0].key.replace(/:[^:]*$/, "")}\n         ${fs[0].message.slice(0, 200)}`);
  }

  writeResults("history", {
    files: first.off.files,
    folders: first.on.folders,
    unreleasedMarked: first.unreleased.unreleased,
    time: Object.fromEntries(Object.entries(time).map(([v, s]) => [v, s])),
    perRule: Object.fromEntries(rules.map((rule) => [rule, { off: counts.off.get(rule) ?? 0, on: counts.on.get(rule) ?? 0, unreleased: counts.unreleased.get(rule) ?? 0 }])),
    fatal: Object.fromEntries(Object.entries(first).map(([v, r]) => [v, r.fatal])),
    typeChangeOldTypeUnknown: Object.fromEntries(Object.entries(first).map(([v, r]) => [v, unknownType(r)])),
    changes,
  });
}
