/**
 * Helpers for the CLI tests: run `migration-safety` in-process with its output captured, make temporary projects
 * and git repositories, and find the built CLI for the end-to-end tests.
 */
import { execFileSync, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, vi } from "vitest";
import { run } from "../../src/cli/main.js";

export const repoRoot = resolve(fileURLToPath(new URL("../..", import.meta.url)));
export const builtCli = join(repoRoot, "dist", "src", "cli", "bin.js");

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run the CLI in this process (as `migration-safety <args>`), capturing what it writes. */
export async function runCli(args: readonly string[]): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    process.exitCode = undefined;
    const code = await run(["node", "migration-safety", ...args]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    // Commands report through process.exitCode; leaving it set would fail the test worker.
    process.exitCode = undefined;
  }
}

/** Run the built CLI as a separate process (end-to-end). */
export function runBuiltCli(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [builtCli, ...args], { cwd, encoding: "utf8", env: { ...process.env, ...env } });
}

/** Fails with a clear message when dist/ is missing: the end-to-end tests run the built CLI (`npm test` builds first). */
export function requireBuild(): void {
  if (!existsSync(builtCli)) throw new Error(`${builtCli} is missing: run \`npm run build\` before these tests (npm test does).`);
}

const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  process.exitCode = undefined;
});

/** A temporary directory holding `files` (path → content), removed after the test file. */
export function tempProject(files: Record<string, string> = {}): string {
  // realpath: macOS's /var → /private/var would otherwise make git's paths and ours disagree.
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "migration-safety-cli-")));
  made.push(dir);
  writeFiles(dir, files);
  return dir;
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

/**
 * Make `dir` resolve `eslint-plugin-migration-safety` (this repository, through its package.json exports: dist/)
 * and `eslint`, as an installed project would, so a user's eslint.config.js there can import them.
 */
export function installPlugin(dir: string): void {
  mkdirSync(join(dir, "node_modules"), { recursive: true });
  symlinkSync(repoRoot, join(dir, "node_modules", "eslint-plugin-migration-safety"), "dir");
  symlinkSync(join(repoRoot, "node_modules", "eslint"), join(dir, "node_modules", "eslint"), "dir");
}

// Git without the user's or the system's configuration (hooks paths, signing, templates), with a fixed identity.
export const gitEnv: NodeJS.ProcessEnv = {
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.com",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.com",
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", env: { ...process.env, ...gitEnv } });
}

/** A git repository with `files` committed on branch main. */
export function gitRepo(files: Record<string, string>): string {
  const dir = tempProject(files);
  git(dir, "init", "--quiet", "--initial-branch=main");
  git(dir, "add", "--all");
  git(dir, "commit", "--quiet", "--message", "initial");
  return dir;
}
