/**
 * Every subcommand of the CLI, in the order `--help` lists them. A command module exports `register(program)`.
 */
import type { Command } from "commander";
import { register as lint } from "./lint.js";
import { register as init } from "./init.js";
import { register as verify } from "./verify.js";
import { register as backfill } from "./backfill.js";
import { register as trace } from "./trace.js";

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [
  // commands: one line per subcommand, e.g. lint, verify, backfill, trace, init
  lint,
  init,
  verify,
  backfill,
  trace,
];
