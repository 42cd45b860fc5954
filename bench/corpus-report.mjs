// Lints every .sql file of ../shared/corpus the way a user's `eslint` with configs.recommended would (file paths as
// in their repositories, so each tool's conventions apply), and prints what a reviewer needs to judge the result:
// files and statements linted, crashes, statements not checked and why, and findings per rule.
// With --ts, the same for the TypeScript/JavaScript migrations of ../shared/corpus/ts (configs.typescript and
// configs.javascript): files, crashes, what was not analysed and why, findings per rule.
// Run: npm run build && node bench/corpus-report.mjs [--ts] [--show rule-id [n]]
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ESLint } from "eslint";
import plugin, { parseDocument } from "eslint-plugin-migration-safety";
import { corpusDir, corpusSqlFiles } from "./lib/common.mjs";

const show = process.argv.indexOf("--show");
const showRule = show > 0 ? process.argv[show + 1] : undefined;
let toShow = show > 0 ? Number(process.argv[show + 2] ?? 5) : 0;

if (process.argv.includes("--ts")) await reportTypescript();
else await reportSql();

async function reportSql() {
  const corpus = corpusSqlFiles();
  if (!corpus) return;
  // All .sql files of the corpus, whatever their folder: configs.sql applies the recommended rules to **/*.sql.
  const eslint = new ESLint({ cwd: corpus.root, overrideConfigFile: true, overrideConfig: [plugin.configs.sql] });
  const started = performance.now();
  const results = await eslint.lintFiles(corpus.files);
  const ms = performance.now() - started;
  let statements = 0;
  for (const result of results) {
    const parsed = parseDocument(readFileSync(result.filePath, "utf8"));
    if (parsed.ok) statements += parsed.document.statements.length;
  }
  console.log(`corpus: ${results.length} files, ${statements} statements (DO-block statements included) linted in ${ms.toFixed(0)} ms`);
  printTally(tally(results, corpus.root), "not checked");
}

async function reportTypescript() {
  const root = join(corpusDir, "ts");
  if (!existsSync(root)) {
    console.log(`NOTICE: corpus not found at ${root}; nothing to report.`);
    return;
  }
  const files = readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(ts|mts|cts|js|mjs|cjs)$/.test(entry.name))
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name).slice(root.length + 1))
    .sort();
  const eslint = new ESLint({ cwd: root, overrideConfigFile: true, overrideConfig: [plugin.configs.javascript, plugin.configs.typescript] });
  const started = performance.now();
  const results = await eslint.lintFiles(files);
  const ms = performance.now() - started;
  const perProject = new Map();
  for (const result of results) {
    const project = result.filePath.slice(root.length + 1).split("/")[0];
    perProject.set(project, (perProject.get(project) ?? 0) + 1);
  }
  console.log(`corpus/ts: ${results.length} files linted in ${ms.toFixed(0)} ms (${[...perProject].map(([p, n]) => `${p} ${n}`).join(", ")})`);
  printTally(tally(results, root), "not analysed");
}

/** Findings per rule, statements not checked, fatal errors; prints the findings of --show's rule on the way. */
function tally(results, root) {
  const perRule = new Map();
  const unchecked = [];
  const fatal = [];
  for (const result of results) {
    const relative = result.filePath.slice(root.length + 1);
    for (const m of result.messages) {
      if (!m.ruleId) fatal.push(`${relative}:${m.line}:${m.column} ${m.message}`);
      else perRule.set(m.ruleId, (perRule.get(m.ruleId) ?? 0) + 1);
      if (m.ruleId === "migration-safety/no-unchecked-statement") unchecked.push(`${relative}:${m.line}:${m.column} ${m.message}`);
      if (m.ruleId === `migration-safety/${showRule}` && toShow > 0) {
        const lines = readFileSync(result.filePath, "utf8").split(/\r?\n/).slice(m.line - 1, m.endLine ?? m.line);
        console.log(`--- ${relative}:${m.line}\n${lines.join("\n").slice(0, 400)}\n>>> ${m.message}\n`);
        if (--toShow <= 0) process.exit(0);
      }
    }
  }
  return { perRule, unchecked, fatal };
}

function printTally({ perRule, unchecked, fatal }, uncheckedLabel) {
  console.log(`crashes: 0 (every file produced a result); fatal parsing errors: ${fatal.length}`);
  for (const line of fatal) console.log(`  fatal ${line}`);
  console.log(`${uncheckedLabel} (no-unchecked-statement): ${unchecked.length}`);
  for (const line of unchecked) console.log(`  ${line.slice(0, 220)}`);
  console.log("findings per rule:");
  for (const [rule, count] of [...perRule].sort((a, b) => b[1] - a[1])) console.log(`  ${String(count).padStart(6)}  ${rule}`);
}
