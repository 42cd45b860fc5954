#!/usr/bin/env node
// The executable behind `migration-safety` (package.json "bin"); everything else is in main.ts, testable in-process.
import { run } from "./main.js";

process.exitCode = await run(process.argv);
