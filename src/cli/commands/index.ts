/**
 * Every subcommand of the CLI, in the order `--help` lists them. A command module exports `register(program)`.
 */
import type { Command } from "commander";

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [
  // commands: one line per subcommand, e.g. lint, verify, backfill, trace, init
];
