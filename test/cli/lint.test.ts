/**
 * `migration-safety lint` in-process: which files it lints with and without a config of the user's, the options,
 * and the exit codes (0 clean, 1 findings — a fatal parse error included —, 2 usage or internal error).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ESLint } from "eslint";
import { describe, expect, it } from "vitest";
import { git, gitRepo, runCli, tempProject, writeFiles } from "./helpers.js";

const UNSAFE_INDEX = "CREATE INDEX idx_users_email ON users (email);\n";
const SAFE = "CREATE TABLE accounts (id bigint PRIMARY KEY);\n";

const filesOf = (stdout: string): string[] => (JSON.parse(stdout) as ESLint.LintResult[]).map((r) => r.filePath);
const rulesOf = (stdout: string): string[] => (JSON.parse(stdout) as ESLint.LintResult[]).flatMap((r) => r.messages.map((m) => m.ruleId ?? "fatal"));

describe("lint with no ESLint config of the user's", () => {
  const project = tempProject({
    "db/migrations/001_accounts.sql": SAFE,
    "db/migrations/002_index.sql": UNSAFE_INDEX,
    "prisma/migrations/20240101_init/migration.sql": SAFE,
    "queries/report.sql": "UPDATE users SET flag = true;\n", // not a migration: not linted unless named
    "src/app.js": "export const x = 1;\n",
    "node_modules/dep/migrations/x.sql": UNSAFE_INDEX, // never linted
  });

  it("lints the migrations in the usual places, and only those", async () => {
    const { code, stdout, stderr } = await runCli(["lint", "--cwd", project, "--format", "json"]);
    expect(stderr).toBe("");
    expect(code).toBe(1);
    expect(filesOf(stdout)).toEqual([
      join(project, "db/migrations/001_accounts.sql"),
      join(project, "db/migrations/002_index.sql"),
      join(project, "prisma/migrations/20240101_init/migration.sql"),
    ]);
  });

  it("prints ESLint's stylish report by default, with paths and rule ids", async () => {
    const { code, stdout } = await runCli(["lint", "--cwd", project]);
    expect(code).toBe(1);
    expect(stdout).toContain(join(project, "db/migrations/002_index.sql"));
    expect(stdout).toMatch(/1:1\s+error\s+Creating index idx_users_email on users without CONCURRENTLY/);
    expect(stdout).toContain("migration-safety/require-concurrent-index");
  });

  it("lints a .sql file named on the command line wherever it lives", async () => {
    const { code, stdout } = await runCli(["lint", "--cwd", project, "--format", "json", "queries/report.sql"]);
    expect(code).toBe(1);
    expect(rulesOf(stdout)).toContain("migration-safety/no-unbounded-update");
  });

  it("lints every .sql file under a folder named on the command line, and says which named files it skipped", async () => {
    const named = await runCli(["lint", "--cwd", project, "--format", "json", "queries", "src/app.js"]);
    expect(filesOf(named.stdout)).toEqual([join(project, "queries/report.sql")]);
    expect(named.stderr).toContain("skipped src/app.js: no migration-safety rule applies to it");
  });

  it("exits 0 on clean migrations", async () => {
    const { code, stdout } = await runCli(["lint", "--cwd", project, "db/migrations/001_accounts.sql"]);
    expect(code).toBe(0);
    expect(stdout).toBe("");
  });

  it("writes the report to --output-file", async () => {
    const { code, stdout } = await runCli(["lint", "--cwd", project, "-f", "sarif", "-o", "reports/out.sarif", "db"]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    const log = JSON.parse(readFileSync(join(project, "reports/out.sarif"), "utf8")) as { version: string; runs: { results: unknown[] }[] };
    expect(log.version).toBe("2.1.0");
    expect(log.runs[0]!.results.length).toBeGreaterThan(0);
  });
});

describe("options", () => {
  it("--pg-version sets the target version the rules judge by", async () => {
    // A constant default rewrites the table before PostgreSQL 11, and is metadata-only from 11 on.
    const project = tempProject({ "migrations/1.sql": "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN n int NOT NULL DEFAULT 0;\n" });
    const old = await runCli(["lint", "--cwd", project, "--format", "json", "--pg-version", "10"]);
    expect(rulesOf(old.stdout)).toContain("migration-safety/no-volatile-default");
    expect(old.code).toBe(1);
    const current = await runCli(["lint", "--cwd", project, "--format", "json", "--pg-version", "16"]);
    expect(rulesOf(current.stdout)).toEqual([]);
    expect(current.code).toBe(0);
  });

  it("counts a file that cannot be parsed at all as a finding (exit 1)", async () => {
    const project = tempProject({ "migrations/1.sql": "SELECT 'never closed" });
    const { code, stdout } = await runCli(["lint", "--cwd", project, "--format", "json"]);
    expect(rulesOf(stdout)).toEqual(["fatal"]);
    expect(code).toBe(1);
  });

  it.each([
    [["--format", "xml"], /argument 'xml' is invalid/],
    [["--pg-version", "fifteen"], /expected a PostgreSQL major version/],
    [["--pg-version", "8"], /expected a PostgreSQL major version/],
    [["--max-warnings", "-1"], /expected a whole number/],
    [["--no-such-option"], /unknown option/],
    [["missing/path.sql"], /No such file or directory: missing\/path\.sql/],
    [["--changed-since", "no-such-ref"], /not a git repository|git rev-parse failed/],
  ])("exits 2 on a usage error: %j", async (args, message) => {
    const project = tempProject({ "migrations/1.sql": SAFE });
    const { code, stderr } = await runCli(["lint", "--cwd", project, ...args]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });
});

describe("lint with the user's eslint.config.js", () => {
  it("uses it, and refuses to pass silently when it applies no migration-safety rule to the migrations", async () => {
    const project = tempProject({
      "eslint.config.js": "export default [{ files: ['**/*.js'], rules: { 'no-undef': 'off' } }];\n",
      "package.json": '{ "type": "module" }\n',
      "migrations/1.sql": UNSAFE_INDEX,
    });
    const withConfig = await runCli(["lint", "--cwd", project]);
    expect(withConfig.code).toBe(2);
    expect(withConfig.stderr).toMatch(/nothing was checked: eslint\.config\.js applies no migration-safety rule to the migrations migrations\/1\.sql; add migrationSafety\.configs\.recommended to it, or run with --no-config-lookup/);

    const withoutLookup = await runCli(["lint", "--cwd", project, "--no-config-lookup", "--format", "json"]);
    expect(withoutLookup.code).toBe(1);
    expect(rulesOf(withoutLookup.stdout)).toContain("migration-safety/require-concurrent-index");
  });

  it("exits 2 when the config file itself fails", async () => {
    const project = tempProject({ "eslint.config.mjs": "throw new Error('broken config');\n", "migrations/1.sql": SAFE });
    const { code, stderr } = await runCli(["lint", "--cwd", project]);
    expect(code).toBe(2);
    expect(stderr).toContain("broken config");
  });
});

describe("--changed-since", () => {
  it("lints only migrations added or changed since the ref: committed on a branch, staged, modified or untracked", async () => {
    const repo = gitRepo({ "migrations/001_safe.sql": SAFE, "migrations/002_old_unsafe.sql": UNSAFE_INDEX, "README.md": "x\n" });
    git(repo, "checkout", "--quiet", "-b", "feature");
    writeFiles(repo, { "migrations/003_branch.sql": UNSAFE_INDEX });
    git(repo, "add", "--all");
    git(repo, "commit", "--quiet", "--message", "branch work");
    writeFiles(repo, {
      "migrations/004_staged.sql": UNSAFE_INDEX,
      "migrations/001_safe.sql": `${SAFE}${UNSAFE_INDEX}`, // modified, not staged
      "migrations/005 untracked.sql": UNSAFE_INDEX,
      "notes.md": "not a migration\n",
    });
    git(repo, "add", "migrations/004_staged.sql");

    const { code, stdout } = await runCli(["lint", "--cwd", repo, "--format", "json", "--changed-since", "main"]);
    expect(code).toBe(1);
    expect(filesOf(stdout).map((f) => f.slice(repo.length + 1))).toEqual([
      "migrations/001_safe.sql",
      "migrations/003_branch.sql",
      "migrations/004_staged.sql",
      "migrations/005 untracked.sql",
    ]);
  });

  it("reports nothing, exit 0, when no migration changed", async () => {
    const repo = gitRepo({ "migrations/001.sql": UNSAFE_INDEX });
    const { code, stdout, stderr } = await runCli(["lint", "--cwd", repo, "--format", "json", "--changed-since", "HEAD"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([]);
    expect(stderr).toContain("no migration file changed since HEAD");
  });

  it("rejects a ref that is not a commit, or that looks like an option", async () => {
    const repo = gitRepo({ "migrations/001.sql": SAFE });
    const unknown = await runCli(["lint", "--cwd", repo, "--changed-since", "origin/nope"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/"origin\/nope" is not a commit/);
    const option = await runCli(["lint", "--cwd", repo, "--changed-since=--output=/tmp/x"]);
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/is not a git ref/);
  });
});

describe("--format markdown", () => {
  it("ends each migration with the verification SQL of `migration-safety verify`, folded, under its own heading", async () => {
    const { fromMarkdown } = await import("mdast-util-from-markdown");
    const project = tempProject({ "migrations/0001_index.sql": "CREATE INDEX CONCURRENTLY idx_users_email ON users (email);\n" });
    const { code, stdout } = await runCli(["lint", "--cwd", project, "--format", "markdown"]);
    expect(code).toBe(0);
    const headings = fromMarkdown(stdout).children.filter((node) => node.type === "heading");
    expect(headings.map((h) => h.depth)).toEqual([2, 3, 4, ...headings.slice(3).map(() => 5)]);
    expect(stdout).toContain("#### How to verify this migration");
    expect(stdout).toMatch(/indisvalid/);
    expect(stdout).toContain("`migration-safety verify --run migrations/0001_index.sql`");
  });
});
