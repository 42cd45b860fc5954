/**
 * `migration-safety lint [paths…]`: lint migrations with no ESLint set-up of the user's (the plugin's recommended
 * configs), or with theirs when they have an eslint.config.*; report in the format the place needs (terminal, JSON,
 * SARIF for code scanning, markdown for the PR, GitHub annotations). Exit code 0 clean, 1 findings, 2 usage or
 * internal error.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import type { ESLint, Linter } from "eslint";
import { countResults, ownRuleName, type ReportInput } from "../../report/common.js";
import { FORMATS, formatReport, type FormatName } from "../../report/index.js";
import { verificationRenderer } from "../../report/verification.js";
import { readSettings, type MigrationSettings } from "../../context/settings.js";
import { changedFiles } from "../git.js";
import { createLintSetup, selectFiles } from "../lint-setup.js";
import { EXIT } from "../main.js";

export interface LintOptions {
  readonly format: FormatName;
  readonly changedSince?: string | undefined;
  readonly pgVersion?: number | undefined;
  readonly maxWarnings?: number | undefined;
  readonly outputFile?: string | undefined;
  readonly configLookup: boolean;
  readonly cwd?: string | undefined;
}

export function parsePgVersion(value: string): number {
  const version = Number(value);
  if (!/^\d+$/.test(value) || version < 9 || version > 99) throw new InvalidArgumentError("expected a PostgreSQL major version such as 15.");
  return version;
}

function parseCount(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError("expected a whole number of 0 or more.");
  return Number(value);
}

export function register(program: Command): void {
  program
    .command("lint")
    .description("Lint migrations: every migration under the working directory, or the files and folders given.")
    .argument("[paths...]", "files or folders to lint; any .sql file named here is linted, wherever it lives")
    .addOption(new Option("-f, --format <name>", "report format").choices(FORMATS).default("stylish"))
    .option(
      "--changed-since <ref>",
      "only migrations added or changed since the git ref (plus staged, modified and untracked ones); they count as unreleased, so tables they create are brand new",
    )
    .option("--pg-version <major>", "target PostgreSQL major version (settings.postgresVersion)", parsePgVersion)
    .option("--max-warnings <n>", "exit with 1 when there are more warnings than this", parseCount)
    .option("-o, --output-file <path>", "write the report to a file instead of standard output")
    .option("--no-config-lookup", "ignore eslint.config.* and use the plugin's recommended configs")
    .option("--cwd <dir>", "run as if started in this directory")
    .action(async (paths: string[], options: LintOptions) => {
      process.exitCode = await lint(paths, options);
    });
}

const note = (text: string): void => void process.stderr.write(`migration-safety: ${text}\n`);

/**
 * Only this plugin's findings and parse errors: with the user's config, other plugins' rules may run on the same
 * files, and `eslint` reports those. Counts are recomputed so that they (and the exit code) match what is shown.
 */
function keepOwnFindings(result: ESLint.LintResult, rulesMeta: ReportInput["rulesMeta"]): ESLint.LintResult {
  const messages = result.messages.filter((m: Linter.LintMessage) => m.ruleId === null || ownRuleName(m.ruleId, rulesMeta) !== undefined);
  if (messages.length === result.messages.length) return result;
  const errors = messages.filter((m) => m.fatal || m.severity === 2);
  const warnings = messages.filter((m) => !m.fatal && m.severity === 1);
  return {
    ...result,
    messages,
    errorCount: errors.length,
    fatalErrorCount: messages.filter((m) => m.fatal).length,
    warningCount: warnings.length,
    fixableErrorCount: errors.filter((m) => m.fix).length,
    fixableWarningCount: warnings.filter((m) => m.fix).length,
  };
}

/** The migration-safety settings ESLint used for each linted file (the verification SQL is generated with them). */
async function settingsOf(eslint: ESLint, results: readonly ESLint.LintResult[]): Promise<(filePath: string) => MigrationSettings | undefined> {
  const settings = new Map<string, MigrationSettings>();
  for (const result of results) {
    const config = (await eslint.calculateConfigForFile(result.filePath)) as Linter.Config | undefined;
    settings.set(result.filePath, readSettings(config?.settings as Record<string, unknown> | undefined));
  }
  return (filePath) => settings.get(filePath);
}

export async function lint(paths: readonly string[], options: LintOptions): Promise<number> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const only = options.changedSince === undefined ? undefined : await changedFiles(cwd, options.changedSince);
  // The migrations a branch adds or changes are not deployed yet: a table one of them creates is brand new for the
  // rules of the later ones (settings.unreleasedMigrations, read through the migration history).
  const unreleasedMigrations = only?.map((file) => relative(cwd, file).split(sep).join("/")).filter((path) => !path.startsWith("../") && !isAbsolute(path));
  const setup = await createLintSetup({
    cwd,
    configLookup: options.configLookup,
    explicitPaths: paths.length > 0,
    postgresVersion: options.pgVersion,
    unreleasedMigrations,
  });
  const selection = await selectFiles(setup, { cwd, paths, only });
  const shown = (file: string) => relative(cwd, file) || file;
  const configName = setup.configFile ? shown(setup.configFile) : undefined;

  for (const file of selection.skippedExplicit) {
    note(`skipped ${shown(file)}: no migration-safety rule applies to it${configName ? ` in ${configName}` : ""}.`);
  }
  if (selection.uncovered.length) {
    const list = selection.uncovered.map(shown).join(", ");
    const remedy = "add migrationSafety.configs.recommended to it, or run with --no-config-lookup";
    if (selection.files.length === 0) {
      throw new Error(`nothing was checked: ${configName} applies no migration-safety rule to the migrations ${list}; ${remedy}.`);
    }
    note(`warning: not checked, ${configName} applies no migration-safety rule to them: ${list} (${remedy}).`);
  }
  if (selection.files.length === 0) {
    note(options.changedSince === undefined ? "no migration files found." : `no migration file changed since ${options.changedSince}.`);
  }

  const linted = selection.files.length ? await setup.eslint.lintFiles(selection.files) : [];
  const rulesMeta = setup.eslint.getRulesMetaForResults(linted);
  const results = linted.map((result) => keepOwnFindings(result, rulesMeta)).sort((a, b) => a.filePath.localeCompare(b.filePath));
  const markdown = options.format === "markdown" ? { verification: verificationRenderer(await settingsOf(setup.eslint, results)) } : undefined;
  const report = await formatReport(options.format, { results, rulesMeta, cwd }, { eslint: setup.eslint, ...(markdown ? { markdown } : {}) });

  if (options.outputFile) {
    const target = resolve(cwd, options.outputFile);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, report);
  } else {
    process.stdout.write(report);
  }

  const { errors, warnings } = countResults(results);
  if (errors > 0) return EXIT.findings;
  if (options.maxWarnings !== undefined && warnings > options.maxWarnings) {
    note(`${warnings} warnings, more than --max-warnings ${options.maxWarnings}.`);
    return EXIT.findings;
  }
  return EXIT.ok;
}
