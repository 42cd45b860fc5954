/**
 * The `migration-safety` command. Each subcommand lives in src/cli/commands/<name>.ts and registers itself on the
 * program; this file only wires them up and turns outcomes into exit codes: 0 clean, 1 findings or failed
 * checks, 2 usage or internal error.
 */
import { Command, CommanderError } from "commander";
import { commands } from "./commands/index.js";
import { packageVersion } from "../package-info.js";

export const EXIT = { ok: 0, findings: 1, error: 2 } as const;

export function buildProgram(): Command {
  const program = new Command("migration-safety")
    .description("Make PostgreSQL schema changes hard to do unsafely: lint migrations, verify them, backfill in batches, trace their locks.")
    .version(packageVersion())
    .showHelpAfterError()
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

/** Run the CLI with `argv` (as process.argv); resolves to the exit code. */
export async function run(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end with exit code 0; every usage error with 2.
      return error.exitCode === 0 ? EXIT.ok : EXIT.error;
    }
    process.stderr.write(`migration-safety: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.error;
  }
}
