/**
 * Pre-commit use on a real temporary git repository, with the built CLI: `lint --changed-since HEAD` sees only the
 * new migration; a plain .git/hooks/pre-commit blocks the commit of an unsafe one; the hook of .pre-commit-hooks.yaml
 * and the lint-staged entry of the example project are run the way pre-commit and lint-staged run them (neither
 * tool is installed here: pre-commit is Python, lint-staged an npm package this repository does not depend on).
 */
import { spawnSync } from "node:child_process";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ESLint } from "eslint";
import picomatch from "picomatch";
import { beforeAll, describe, expect, it } from "vitest";
import { builtCli, git, gitEnv, gitRepo, repoRoot, requireBuild, runBuiltCli, writeFiles } from "./helpers.js";

const SAFE = "CREATE TABLE accounts (id bigint PRIMARY KEY);\n";
const UNSAFE = "ALTER TABLE users RENAME COLUMN full_name TO display_name;\n";

beforeAll(requireBuild);

const commitCount = (repo: string) => Number(git(repo, "rev-list", "--count", "HEAD").trim());
const staged = (repo: string) => git(repo, "diff", "--cached", "--name-only", "--diff-filter=ACMR", "-z").split("\0").filter(Boolean);

describe("lint --changed-since HEAD in a fresh repository (built CLI)", () => {
  it("reports only the migration added after the last commit", () => {
    const repo = gitRepo({ "db/migrations/001_safe.sql": SAFE });
    writeFiles(repo, { "db/migrations/002_unsafe.sql": UNSAFE });
    const run = runBuiltCli(["lint", "--changed-since", "HEAD", "--format", "json"], repo);
    expect(run.status, run.stderr).toBe(1);
    const results = JSON.parse(run.stdout) as ESLint.LintResult[];
    expect(results.map((r) => r.filePath)).toEqual([join(repo, "db/migrations/002_unsafe.sql")]);
    expect(results[0]!.messages.map((m) => m.ruleId)).toContain("migration-safety/no-rename-column");

    const all = runBuiltCli(["lint", "--format", "json"], repo);
    expect((JSON.parse(all.stdout) as ESLint.LintResult[]).length).toBe(2);
  });
});

describe("a .git/hooks/pre-commit script", () => {
  it("lets a safe migration through and blocks an unsafe one", () => {
    const repo = gitRepo({ "README.md": "app\n" });
    const hook = join(repo, ".git", "hooks", "pre-commit");
    writeFileSync(
      hook,
      [
        "#!/bin/sh",
        "# Lint the staged SQL files; a non-zero exit aborts the commit.",
        `git diff --cached --name-only --diff-filter=ACMR -z -- '*.sql' | xargs -0 -r "${process.execPath}" "${builtCli}" lint`,
        "",
      ].join("\n"),
    );
    chmodSync(hook, 0o755);
    const commit = (message: string) => spawnSync("git", ["commit", "--message", message], { cwd: repo, encoding: "utf8", env: { ...process.env, ...gitEnv } });

    writeFiles(repo, { "db/migrations/001_safe.sql": SAFE });
    git(repo, "add", "--all");
    const ok = commit("safe migration");
    expect(ok.status, ok.stderr + ok.stdout).toBe(0);
    expect(commitCount(repo)).toBe(2);

    writeFiles(repo, { "db/migrations/002_rename.sql": UNSAFE });
    git(repo, "add", "--all");
    const blocked = commit("rename a column");
    expect(blocked.status).not.toBe(0);
    expect(blocked.stdout + blocked.stderr).toContain("migration-safety/no-rename-column");
    expect(commitCount(repo)).toBe(2);
    expect(staged(repo)).toEqual(["db/migrations/002_rename.sql"]);
  });
});

/** `entry` and `files` of the hook in .pre-commit-hooks.yaml (the file is kept flat: one `key: value` per line). */
function preCommitHook(): { entry: string; files: RegExp; language: string } {
  const text = readFileSync(join(repoRoot, ".pre-commit-hooks.yaml"), "utf8");
  const value = (key: string) => {
    const raw = new RegExp(`^\\s*-?\\s*${key}:\\s*(.+)$`, "m").exec(text)?.[1]?.trim();
    if (!raw) throw new Error(`.pre-commit-hooks.yaml has no ${key}`);
    return raw.startsWith("'") ? raw.slice(1, -1).replace(/''/g, "'") : raw;
  };
  // pre-commit matches `files` with Python's re.search; this pattern uses only syntax JavaScript reads the same way.
  return { entry: value("entry"), files: new RegExp(value("files")), language: value("language") };
}

describe("the pre-commit framework hook (.pre-commit-hooks.yaml)", () => {
  const hook = preCommitHook();

  it("is a node hook whose entry is the lint command", () => {
    expect(hook.language).toBe("node");
    expect(hook.entry).toBe("migration-safety lint");
  });

  it("selects migrations in the usual folders, SQL and JS/TS, and nothing else", () => {
    const selected = [
      "db/migrations/001.sql",
      "migrations/2024_x.ts",
      "prisma/migrations/20240101/migration.sql",
      "db/migrate/001.sql",
      "drizzle/0001_x.sql",
      "src/migration/1700000000-AddName.ts",
    ];
    const ignored = ["queries/report.sql", "src/app.ts", "README.md", "migrations.md"];
    expect(selected.filter((f) => hook.files.test(f))).toEqual(selected);
    expect(ignored.filter((f) => hook.files.test(f))).toEqual([]);
  });

  it("run as pre-commit runs it (entry + the staged files that match), fails on an unsafe migration", () => {
    const repo = gitRepo({ "db/migrations/001_safe.sql": SAFE });
    writeFiles(repo, { "db/migrations/002_rename.sql": UNSAFE, "db/migrations/003_safe.sql": SAFE, "src/app.ts": "export {};\n" });
    git(repo, "add", "--all");
    const runHook = () => {
      const files = staged(repo).filter((f) => hook.files.test(f));
      const [command, ...args] = hook.entry.split(" ");
      expect(command).toBe("migration-safety");
      return { files, run: runBuiltCli([...args, ...files], repo) };
    };
    const first = runHook();
    expect(first.files).toEqual(["db/migrations/002_rename.sql", "db/migrations/003_safe.sql"]);
    expect(first.run.status).toBe(1);
    expect(first.run.stdout).toContain("no-rename-column");

    git(repo, "rm", "--cached", "--quiet", "db/migrations/002_rename.sql");
    const second = runHook();
    expect(second.files).toEqual(["db/migrations/003_safe.sql"]);
    expect(second.run.status, second.run.stderr).toBe(0);
  });
});

describe("the lint-staged entry of examples/project", () => {
  it("runs the CLI on the staged migrations (absolute paths, as lint-staged passes them) and fails on an unsafe one", () => {
    const manifest = JSON.parse(readFileSync(join(repoRoot, "examples/project/package.json"), "utf8")) as { "lint-staged": Record<string, string> };
    const [[glob, command]] = Object.entries(manifest["lint-staged"]) as [[string, string]];
    expect(command).toBe("migration-safety lint");
    const repo = gitRepo({ "package.json": "{}\n" });
    writeFiles(repo, { "db/migrations/001_rename.sql": UNSAFE, "src/app.sql.md": "x\n", "src/index.ts": "export {};\n" });
    git(repo, "add", "--all");
    // lint-staged matches with micromatch against paths relative to the repository (dot files included).
    const matches = picomatch(glob, { dot: true });
    const files = staged(repo).filter((file) => matches(file));
    expect(files).toEqual(["db/migrations/001_rename.sql"]);
    const run = runBuiltCli([...command.split(" ").slice(1), ...files.map((f) => join(repo, f))], repo);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain("no-rename-column");
  });
});
