// Shared benchmark plumbing: paths, repeated timing with medians, spawning timed processes, tables and JSON output.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(fileURLToPath(new URL("../..", import.meta.url)));
export const resultsDir = join(repoRoot, "bench", ".results");
// The corpus sits beside the repository, never inside it (see /work/shared/corpus/README.md).
export const corpusDir = resolve(repoRoot, "..", "shared", "corpus");
export const bin = (name) => join(repoRoot, "node_modules", ".bin", name);

mkdirSync(resultsDir, { recursive: true });

/** The corpus's .sql files (paths relative to `root`, sorted), or null when the corpus is not there. */
export function corpusSqlFiles() {
  const root = join(corpusDir, "sql");
  if (!existsSync(root)) {
    console.log(`NOTICE: corpus not found at ${root}; skipping the corpus parts of this benchmark.`);
    return null;
  }
  const files = readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".sql"))
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name).slice(root.length + 1))
    .sort();
  return { root, files };
}

/** Median, min and max of a list of numbers. */
export function summarize(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted.at(-1), runs: sorted.length };
}

/**
 * Runs `fn` (sync or async, returning elapsed ms or void) `runs` times after `warmup` unmeasured runs, stopping early
 * once `budgetMs` of measured time is spent so slow cases still finish; at least one run is always measured.
 */
export async function measure(fn, { runs = 5, warmup = 1, budgetMs = Infinity } = {}) {
  for (let i = 0; i < warmup; i++) await fn();
  const times = [];
  let spent = 0;
  while (times.length < runs && (times.length === 0 || spent < budgetMs)) {
    const start = performance.now();
    const reported = await fn();
    const ms = typeof reported === "number" ? reported : performance.now() - start;
    times.push(ms);
    spent += ms;
  }
  return summarize(times);
}

/**
 * Runs a command to completion and returns its wall time, exit code and stdout. With `timeoutMs`, the process is
 * killed at the deadline and `timedOut` is set. `keepStdout: false` drains stdout without keeping it, so a
 * reporter's output cost is paid (it writes to a pipe) without holding 100 MB of text in memory.
 */
export function timeProcess(command, args, { cwd = repoRoot, timeoutMs, keepStdout = true } = {}) {
  return new Promise((resolvePromise, reject) => {
    const start = performance.now();
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    const chunks = [];
    let bytes = 0;
    let stderr = "";
    let timedOut = false;
    const timer = timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill("SIGKILL");
        }, timeoutMs)
      : null;
    child.stdout.on("data", (chunk) => {
      bytes += chunk.length;
      if (keepStdout) chunks.push(chunk);
    });
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      if (timer) clearTimeout(timer);
      resolvePromise({
        ms: performance.now() - start,
        code,
        timedOut,
        stdout: Buffer.concat(chunks).toString("utf8"),
        stdoutBytes: bytes,
        stderr,
      });
    });
  });
}

/** Prints rows (arrays of cells) as an aligned table; numbers are right-aligned. */
export function printTable(title, header, rows) {
  const cells = [header, ...rows].map((row) => row.map((cell) => String(cell ?? "")));
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  const numeric = header.map((_, i) => rows.every((row) => /^[\s\d.,×x%<>~+-]*(ms|s|MB|\/s)?$/.test(String(row[i] ?? ""))));
  const line = (row) => row.map((cell, i) => (numeric[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join("  ").trimEnd();
  console.log(`\n${title}`);
  console.log(line(cells[0]));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of cells.slice(1)) console.log(line(row));
}

export const ms = (value) => (value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(value < 10 ? 2 : 0)} ms`);
/** "median (min–max)" for a summarize() result. */
export const spread = (s) => `${ms(s.median)} (${ms(s.min)}–${ms(s.max)}, n=${s.runs})`;
export const rate = (count, milliseconds) => `${Math.round((count / milliseconds) * 1000).toLocaleString("en-US")}/s`;
export const ratio = (ours, theirs) => `${(ours / theirs).toFixed(2)}×`;
export const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

/** Writes bench/.results/<name>.json with the run's environment, so figures from different machines are not mixed up. */
export function writeResults(name, data) {
  const file = join(resultsDir, `${name}.json`);
  const environment = { date: new Date().toISOString(), node: process.version, platform: process.platform, arch: process.arch };
  writeFileSync(file, JSON.stringify({ benchmark: name, environment, ...data }, null, 2) + "\n");
  console.log(`\nwrote ${file}`);
}
