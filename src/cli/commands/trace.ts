/**
 * `migration-safety trace <migrations…>`: run the migrations on an embedded PostgreSQL (PGlite), or on a server in
 * one transaction rolled back at the end, and report the locks and rewrites each statement really takes, next to
 * what the lint said. Exit code 0 clean, 1 findings or statements that failed to run, 2 usage or internal error.
 */
import cliProgress from "cli-progress";
import { Command, InvalidArgumentError, Option } from "commander";
import { MIGRATION_TOOLS, type MigrationTool } from "../../context/conventions.js";
import { defaultDatabaseUrl } from "../../db/database.js";
import { formatJson, formatMarkdown, formatText, summarize } from "../../trace/report.js";
import { traceMigrations, TraceUsageError } from "../../trace/trace.js";
import { EXIT } from "../main.js";

const FORMATS = ["text", "markdown", "json"] as const;
type Format = (typeof FORMATS)[number];

interface TraceCommandOptions {
  readonly format: Format;
  readonly history: string[];
  readonly rows?: number;
  readonly databaseUrl?: string;
  readonly pglite?: boolean;
  readonly commit?: boolean;
  readonly migrationTool?: MigrationTool | "auto";
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function parseRows(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 100_000_000) throw new InvalidArgumentError("expected a whole number of rows (0 to 100000000).");
  return Number(value);
}

export function register(program: Command): void {
  program
    .command("trace")
    .description("Run migrations on an embedded PostgreSQL and report the locks and rewrites each statement really takes.")
    .argument("<migrations...>", "migration files or folders to trace, in the migration tool's order")
    .option("--history <path>", "migrations to apply first without tracing: the schema the traced ones run against (repeatable)", collect, [])
    .option("--rows <n>", "fill every table that exists before the traced migrations with N generated rows, so durations mean something", parseRows)
    .addOption(new Option("-f, --format <format>", "report format").choices(FORMATS).default("text"))
    .option("--database-url <url>", "trace on this PostgreSQL server (default: DATABASE_URL), in one transaction rolled back at the end")
    .option("--pglite", "trace on an embedded PGlite even when DATABASE_URL is set")
    .option("--commit", "on a server: commit each statement instead of rolling the whole run back")
    .addOption(new Option("--migration-tool <tool>", "the migration tool whose conventions apply (default: recognised per file)").choices(["auto", ...MIGRATION_TOOLS]))
    .action(async function (this: Command, paths: string[], options: TraceCommandOptions) {
      process.exitCode = await trace(this, paths, options);
    });
}

async function trace(command: Command, paths: readonly string[], options: TraceCommandOptions): Promise<number> {
  const url = options.pglite ? undefined : (options.databaseUrl ?? defaultDatabaseUrl());
  if (options.pglite && options.databaseUrl) command.error("error: --pglite and --database-url exclude each other", { exitCode: EXIT.error });
  const progress = process.stderr.isTTY ? new cliProgress.SingleBar({ format: "{phase} [{bar}] {value}/{total} {file}", stream: process.stderr, clearOnComplete: true }, cliProgress.Presets.shades_classic) : null;
  let phase = "";
  try {
    const run = await traceMigrations({
      targets: paths,
      history: options.history,
      ...(options.rows ? { rows: options.rows } : {}),
      ...(url ? { url } : {}),
      commit: options.commit ?? false,
      ...(options.migrationTool ? { settings: { migrationTool: options.migrationTool } } : {}),
      onProgress: (name, file, index, total) => {
        if (!progress) return;
        if (name !== phase) {
          if (phase) progress.stop();
          phase = name;
          progress.start(total, 0, { phase: name, file });
        }
        progress.update(index + 1, { phase: name, file });
      },
    });
    progress?.stop();
    const output = options.format === "json" ? formatJson(run) : options.format === "markdown" ? formatMarkdown(run) : formatText(run);
    process.stdout.write(output);
    const summary = summarize(run);
    return summary.findings.size > 0 || summary.failed > 0 ? EXIT.findings : EXIT.ok;
  } catch (error) {
    progress?.stop();
    if (error instanceof TraceUsageError) command.error(`error: ${error.message}`, { exitCode: EXIT.error });
    throw error;
  }
}
