// Child process for bench/throughput's memory runs: lints one file in-process `repeat` times, prints memory as JSON.
// A fresh process per measurement because WebAssembly memory only ever grows: a big file linted earlier in the same
// process would inflate every later figure.
import { dirname } from "node:path";
import { ESLint } from "eslint";
import "eslint-plugin-migration-safety"; // load the parser's WASM now, so `before` includes the fixed cost

const [file, configFile, repeat = "1"] = process.argv.slice(2);

/** Memory after a full GC (run with --expose-gc), so garbage awaiting collection does not read as growth. */
function sample() {
  globalThis.gc?.();
  const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
  return { rss, heapUsed, external, arrayBuffers };
}

const eslint = new ESLint({ cwd: dirname(file), overrideConfigFile: configFile });
const before = sample();
const after = [];
const lintMs = [];
let findings = 0;
for (let i = 0; i < Number(repeat); i++) {
  const start = performance.now();
  const [result] = await eslint.lintFiles([file]);
  lintMs.push(performance.now() - start);
  findings = result.messages.length;
  after.push(sample());
}
process.stdout.write(JSON.stringify({ before, after, lintMs, findings }));
