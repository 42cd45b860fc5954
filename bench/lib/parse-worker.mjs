// Worker for bench/parsers: parses one text repeatedly and posts each time, so the parent can kill a parse that
// overruns its time budget (a synchronous parse cannot be interrupted from its own thread).
import { parentPort, workerData } from "node:worker_threads";
import { generateMigration } from "./generate.mjs";
import { parsers } from "./parser-adapters.mjs";

const { parser, statements, runs, budgetMs } = workerData;
const parse = await parsers[parser]();
parse(generateMigration(200, 7)); // warm the JIT on a small file: we measure steady-state parsing, not compilation
const text = generateMigration(statements);
let spent = 0;
for (let i = 0; i < runs && (i === 0 || spent < budgetMs); i++) {
  parentPort.postMessage({ started: true }); // the parent's time cap runs from here
  const start = performance.now();
  parse(text);
  const ms = performance.now() - start;
  spent += ms;
  parentPort.postMessage({ ms });
}
