/**
 * `migration-safety verify <files…>`: the SQL that proves a migration worked — printed as one script, as a PR
 * section (`--format markdown`), or run read-only (`--run`) against DATABASE_URL / --database-url, or by default on
 * an embedded PGlite with the migration folder applied first. Exit code 0 clean, 1 a check failed, 2 usage or
 * internal error.
 */
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { Command, Option } from "commander";
import { applyMigrations, findMigrationFiles, readMigration } from "../../db/apply-migrations.js";
import { defaultDatabaseUrl, openDatabase, type Database } from "../../db/database.js";
import { nodeOf } from "../../sql/statement.js";
import {
  DEFAULT_LOCK_TIMEOUT,
  DEFAULT_STATEMENT_TIMEOUT,
  parseTransitionOption,
  planVerification,
  renderMarkdown,
  renderResults,
  renderSqlScript,
  resultsAsJson,
  runChecks,
  TransitionSyntaxError,
  type CheckResult,
  type SqlFile,
  type Transition,
  type VerificationPlan,
} from "../../verify/index.js";
import { EXIT } from "../main.js";

const FORMATS = ["sql", "markdown", "json", "text"] as const;
type Format = (typeof FORMATS)[number];

interface VerifyOptions {
  readonly format?: Format;
  readonly run?: boolean;
  readonly databaseUrl?: string;
  readonly migrations?: string;
  readonly seed?: string[];
  readonly transition?: string[];
  readonly statementTimeout: string;
  readonly lockTimeout: string;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function register(program: Command): void {
  program
    .command("verify")
    .description("Print the read-only SQL that proves a migration worked (or run it with --run).")
    .argument("<files...>", "migration files, and backfill scripts whose UPDATEs define column transitions")
    .addOption(new Option("-f, --format <format>", "output: sql (the default), markdown or json; with --run, text (the default), json or markdown").choices(FORMATS))
    .option("--run", "run the checks read-only and print the results; exit 1 when one fails")
    .option("--database-url <url>", "the PostgreSQL server to run on (default: DATABASE_URL; without either, an embedded PGlite)")
    .option("--migrations <dir>", "PGlite only: the migrations folder to apply first (default: the first file's folder)")
    .option("--seed <file>", "PGlite only: SQL to run after the migrations, e.g. sample rows (repeatable)", collect)
    .option("--transition <spec>", "a column transition to verify: [schema.]table.old:new[=expression] (repeatable)", collect)
    .option("--statement-timeout <duration>", "statement_timeout for each check", DEFAULT_STATEMENT_TIMEOUT)
    .option("--lock-timeout <duration>", "lock_timeout for each check", DEFAULT_LOCK_TIMEOUT)
    .action(async function (this: Command, files: string[], options: VerifyOptions) {
      process.exitCode = await verify(this, files, options);
    });
}

const note = (text: string): void => void process.stderr.write(`migration-safety: ${text}\n`);

async function verify(command: Command, paths: readonly string[], options: VerifyOptions): Promise<number> {
  const format = options.format ?? (options.run ? "text" : "sql");
  if (options.run && format === "sql") command.error("error: --format sql prints the checks; with --run use text, json or markdown", { exitCode: EXIT.error });
  if (!options.run && format === "text") command.error("error: --format text is the result table of --run", { exitCode: EXIT.error });
  let transitions: Transition[];
  try {
    transitions = (options.transition ?? []).map(parseTransitionOption);
  } catch (error) {
    if (error instanceof TransitionSyntaxError) command.error(`error: ${error.message}`, { exitCode: EXIT.error });
    throw error;
  }
  const files: SqlFile[] = paths.map((path) => ({ path, text: readFileSync(path, "utf8") }));
  const plan = planVerification(files, { transitions });
  for (const line of plan.unchecked) note(`not analysed, so not verified: ${line}`);
  const render = { files: paths, skipped: plan.skipped, statementTimeout: options.statementTimeout, lockTimeout: options.lockTimeout };

  if (!options.run) {
    const runCommand = `migration-safety verify --run ${paths.map(shellWord).join(" ")}`;
    if (format === "markdown") process.stdout.write(renderMarkdown(plan.checks, { ...render, command: runCommand }));
    else if (format === "json") process.stdout.write(`${JSON.stringify(plan.checks, null, 2)}\n`);
    else process.stdout.write(renderSqlScript(plan.checks, render));
    return EXIT.ok;
  }

  const url = options.databaseUrl ?? defaultDatabaseUrl();
  if (url && (options.seed !== undefined || options.migrations !== undefined)) {
    command.error("error: --migrations and --seed prepare the embedded PGlite; verify never writes to a server", { exitCode: EXIT.error });
  }
  const results = await runPlan(plan, paths, url, options);
  for (const skipped of plan.skipped) note(`not checked: ${skipped.kind}:${skipped.object}: ${skipped.reason}`);
  if (format === "json") process.stdout.write(resultsAsJson(results));
  else if (format === "markdown") process.stdout.write(renderMarkdown(plan.checks, { ...render, results }));
  else process.stdout.write(renderResults(results));
  return results.every((r) => r.ok) ? EXIT.ok : EXIT.findings;
}

async function runPlan(plan: VerificationPlan, paths: readonly string[], url: string | undefined, options: VerifyOptions): Promise<CheckResult[]> {
  const folder = options.migrations ?? dirname(paths[0]!);
  const migrations = url ? [] : findMigrationFiles([folder]).files;
  const db: Database = await openDatabase({ url, extensions: url ? [] : extensionsCreatedBy(migrations) });
  try {
    if (!url) await prepareScratchDatabase(db, folder, migrations, options.seed ?? []);
    note(`running ${plan.checks.length} checks on ${url ? "the server" : "an in-memory PGlite"}, read-only`);
    return await runChecks(db, plan.checks, { statementTimeout: options.statementTimeout, lockTimeout: options.lockTimeout });
  } finally {
    await db.close();
  }
}

/** PGlite: the migration folder (up parts, in the tools' order), then the seeds — what the checks will read. */
async function prepareScratchDatabase(db: Database, folder: string, migrations: readonly string[], seeds: readonly string[]): Promise<void> {
  const applied = await applyMigrations(db, migrations);
  note(`applied ${applied.applied} statements of ${applied.files} migrations from ${folder} to an in-memory PGlite`);
  for (const failure of [...applied.failures, ...applied.skipped]) note(`${failure.file}:${failure.line}: ${failure.error}`);
  for (const seed of seeds) {
    try {
      await db.exec(readFileSync(seed, "utf8"));
    } catch (error) {
      throw new Error(`${seed}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** Extensions the migrations create, so PGlite can load the ones it ships before they run. */
function extensionsCreatedBy(files: readonly string[]): string[] {
  const names = new Set<string>();
  for (const file of files) {
    const read = readMigration(file, readFileSync(file, "utf8"));
    if (!read.ok) continue;
    for (const { statement } of read.statements) {
      const name = statement.checked ? nodeOf(statement, "CreateExtensionStmt")?.extname : undefined;
      if (name) names.add(name);
    }
  }
  return [...names];
}

/** A path as a shell word, quoted only when it needs it. */
function shellWord(text: string): string {
  return /^[\w./:@%+=,-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}
