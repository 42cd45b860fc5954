// Benchmark: `migration-safety trace` on PGlite — start-up, then whole real migration folders of the corpus (hatchet,
// concourse): time, statements traced and not traced (grouped by reason), findings, and where trace and lint disagree;
// then one concourse migration traced after the rest as history, with and without generated rows.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { corpusDir, measure, ms, printTable, repoRoot, spread, writeResults } from "./lib/common.mjs";

// trace is not part of the plugin's entry point: import the built modules directly.
const dist = (path) => join(repoRoot, "dist", "src", path);
const { openDatabase } = await import(dist("db/database.js"));
const { traceMigrations } = await import(dist("trace/trace.js"));
const { summarize } = await import(dist("trace/report.js"));
const { findMigrationFiles } = await import(dist("db/apply-migrations.js"));

const results = {};

const startup = await measure(
  async () => {
    const started = performance.now();
    const db = await openDatabase({});
    const elapsed = performance.now() - started;
    await db.close();
    return elapsed;
  },
  { runs: 3, warmup: 0 },
);
results.startup = startup;
printTable("PGlite start-up (openDatabase, in memory)", ["runs", "time"], [[startup.runs, spread(startup)]]);

const FOLDERS = { hatchet: "hatchet-dev__hatchet", concourse: "concourse__concourse" };
const present = Object.entries(FOLDERS).filter(([, folder]) => existsSync(join(corpusDir, "sql", folder)));
if (present.length === 0) console.log(`NOTICE: corpus not found at ${join(corpusDir, "sql")}; skipping the corpus traces.`);

results.corpus = {};
for (const [name, folder] of present) {
  const root = join(corpusDir, "sql", folder);
  const files = findMigrationFiles([root]).files;
  const started = performance.now();
  const run = await traceMigrations({ targets: [root], cwd: root });
  const wall = performance.now() - started;
  const summary = summarize(run);
  const statements = run.files.flatMap((f) => f.statements);
  const disagreements = {};
  for (const s of statements) {
    for (const id of s.comparison.lintOnly) (disagreements[`lint only: ${id}`] ??= []).push(`${s.file}:${s.line}`);
    for (const id of s.comparison.traceOnly) (disagreements[`trace only: ${id}`] ??= []).push(`${s.file}:${s.line}`);
  }
  results.corpus[name] = {
    files: files.length,
    statements: summary.statements,
    traced: summary.traced,
    notTraced: summary.notTraced.map((g) => ({ reason: g.reason, count: g.where.length, where: g.where.slice(0, 5) })),
    findings: Object.fromEntries(summary.findings),
    disagreements: Object.fromEntries(Object.entries(disagreements).map(([k, where]) => [k, { count: where.length, where: where.slice(0, 5) }])),
    wallMs: wall,
    traceMs: run.ms,
  };
  printTable(`${folder}: ${files.length} files traced on PGlite`, ["statements", "traced", "not traced", "wall time (start-up included)", "trace only", "per statement"], [
    [summary.statements, summary.traced, summary.statements - summary.traced, ms(wall), ms(run.ms), ms(run.ms / Math.max(1, summary.statements))],
  ]);
  if (summary.notTraced.length) printTable(`${folder}: not traced, by reason`, ["count", "reason", "first at"], summary.notTraced.map((g) => [g.where.length, g.reason.slice(0, 90), g.where[0]]));
  printTable(`${folder}: trace findings (statements)`, ["rule", "statements"], [...summary.findings]);
  printTable(
    `${folder}: trace vs lint disagreements (${summary.disagreements.length} statements)`,
    ["where", "count", "first at"],
    Object.entries(disagreements).sort((a, b) => b[1].length - a[1].length).map(([k, where]) => [k, where.length, where[0]]),
  );
}

// The last concourse migration, traced after all the others as history: the usual "trace my new migration" run.
const concourse = join(corpusDir, "sql", FOLDERS.concourse);
if (existsSync(concourse)) {
  const folder = join(concourse, readdirSync(concourse, { recursive: true }).find((p) => String(p).endsWith("migrations")) ?? "");
  const files = findMigrationFiles([folder]).files;
  const target = files.at(-1);
  const rows = [];
  results.history = {};
  for (const count of [0, 1000]) {
    const started = performance.now();
    const run = await traceMigrations({ targets: [target], history: [folder], rows: count, cwd: folder });
    const wall = performance.now() - started;
    results.history[count] = { wallMs: wall, historyStatements: run.history?.applied, seedingMs: run.seeding?.ms ?? 0, seeded: run.seeding?.tables.length ?? 0, traceMs: run.ms };
    rows.push([count, run.history?.applied ?? 0, run.seeding ? `${run.seeding.tables.length} tables, ${ms(run.seeding.ms)}` : "—", ms(run.ms), ms(wall)]);
  }
  printTable(`last concourse migration after ${files.length - 1} files of history`, ["--rows", "history statements", "seeding", "trace", "wall (start-up included)"], rows);
}

writeResults("trace", results);
