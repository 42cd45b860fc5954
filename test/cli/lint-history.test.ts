/**
 * `migration-safety lint` and the migration history: the migrations `--changed-since` selects are the unreleased
 * ones, so a table one of them creates is brand new for the rules of the later ones; and a user's config can still
 * say which migrations are unreleased, or turn the history off.
 */
import type { ESLint } from "eslint";
import { describe, expect, it } from "vitest";
import { git, gitRepo, installPlugin, runCli, writeFiles } from "./helpers.js";

const messagesOf = (stdout: string) =>
  (JSON.parse(stdout) as ESLint.LintResult[]).flatMap((r) => r.messages.map((m) => `${r.filePath.split("/").slice(-1)[0]}:${m.line} ${m.ruleId}`));

const INVOICES = "CREATE TABLE invoices (id bigint PRIMARY KEY, amount integer);\n";
const INDEX = "CREATE INDEX invoices_amount_idx ON invoices (amount);\nALTER TABLE invoices ALTER COLUMN amount TYPE bigint;\n";

/** main has the users table; the branch adds invoices and, in a later migration, indexes and retypes it. */
function branch(): string {
  const repo = gitRepo({ "migrations/001_users.sql": "CREATE TABLE users (id bigint PRIMARY KEY);\n" });
  git(repo, "checkout", "--quiet", "-b", "feature");
  writeFiles(repo, { "migrations/002_invoices.sql": INVOICES });
  git(repo, "add", "--all");
  git(repo, "commit", "--quiet", "--message", "invoices");
  writeFiles(repo, { "migrations/003_index.sql": INDEX }); // not committed yet: changed all the same
  return repo;
}

describe("lint --changed-since: the changed migrations are the unreleased ones", () => {
  it("a table an earlier changed migration creates is brand new: indexing and retyping it is not reported", async () => {
    const repo = branch();
    const { code, stdout } = await runCli(["lint", "--cwd", repo, "--format", "json", "--changed-since", "main"]);
    expect(messagesOf(stdout)).toEqual([]);
    expect(code).toBe(0);
  });

  it("without --changed-since every migration counts as released: the same statements are reported", async () => {
    const repo = branch();
    const { code, stdout } = await runCli(["lint", "--cwd", repo, "--format", "json"]);
    expect(code).toBe(1);
    expect(messagesOf(stdout)).toEqual(
      expect.arrayContaining(["003_index.sql:1 migration-safety/require-concurrent-index", "003_index.sql:2 migration-safety/no-column-type-change"]),
    );
  });

  it("once the table is on main, a branch that indexes it is reported", async () => {
    const repo = gitRepo({ "migrations/001_users.sql": "SELECT 1;\n", "migrations/002_invoices.sql": INVOICES });
    git(repo, "checkout", "--quiet", "-b", "feature");
    writeFiles(repo, { "migrations/003_index.sql": INDEX });
    const { stdout } = await runCli(["lint", "--cwd", repo, "--format", "json", "--changed-since", "main"]);
    expect(messagesOf(stdout)).toEqual(expect.arrayContaining(["003_index.sql:1 migration-safety/require-concurrent-index"]));
  });

  it("with the user's config: --changed-since still marks the changed migrations, and history: false turns it all off", async () => {
    const repo = branch();
    installPlugin(repo);
    writeFiles(repo, { "eslint.config.mjs": 'import m from "eslint-plugin-migration-safety";\nexport default [...m.configs.recommended];\n' });
    const own = await runCli(["lint", "--cwd", repo, "--format", "json", "--changed-since", "main"]);
    expect(messagesOf(own.stdout)).toEqual([]);
    writeFiles(repo, {
      "eslint.config.mjs":
        'import m from "eslint-plugin-migration-safety";\nexport default [...m.configs.recommended, { settings: { "migration-safety": { history: false } } }];\n',
    });
    const off = await runCli(["lint", "--cwd", repo, "--format", "json", "--changed-since", "main"]);
    expect(messagesOf(off.stdout)).toEqual(expect.arrayContaining(["003_index.sql:1 migration-safety/require-concurrent-index"]));
  });
});
