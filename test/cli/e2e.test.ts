/**
 * The built `migration-safety` executable end to end, on a copy of examples/project (its own eslint.config.js, the
 * package installed as a project installs it).
 */
import { cpSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fromMarkdown } from "mdast-util-from-markdown";
import { beforeAll, describe, expect, it } from "vitest";
import { installPlugin, repoRoot, requireBuild, runBuiltCli, tempProject } from "./helpers.js";

beforeAll(requireBuild);

function exampleProject(): string {
  const dir = tempProject();
  cpSync(join(repoRoot, "examples/project"), dir, { recursive: true });
  installPlugin(dir);
  return dir;
}

describe("migration-safety (built)", () => {
  it("lists lint and init in --help, exit 0", () => {
    const help = runBuiltCli(["--help"], repoRoot);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^\s+lint \[options\] \[paths\.\.\.\]/m);
    expect(help.stdout).toMatch(/^\s+init \[options\]/m);
  });

  it("the example project lints clean with its own config; an unsafe migration added to it fails with a PR summary", () => {
    const project = exampleProject();
    const clean = runBuiltCli(["lint"], project);
    expect(clean.stderr).toBe("");
    expect(clean.status).toBe(0);

    writeFileSync(join(project, "db/migrations/004_contract.sql"), "SET lock_timeout = '2s';\nALTER TABLE users DROP COLUMN full_name;\n");
    const dirty = runBuiltCli(["lint", "--format", "markdown"], project);
    expect(dirty.status).toBe(1);
    expect(dirty.stdout).toContain("### ❌ `db/migrations/004_contract.sql` — 1 error");
    expect(dirty.stdout).toContain("migration-safety/no-drop-column");
    expect(fromMarkdown(dirty.stdout).children[0]).toMatchObject({ type: "heading", depth: 2 });
  });

  it("--max-warnings turns warnings into a failing exit code, as in ESLint", () => {
    const project = tempProject({
      "package.json": '{ "type": "module" }\n',
      "eslint.config.js": [
        'import migrationSafety from "eslint-plugin-migration-safety";',
        'export default [...migrationSafety.configs.recommended, { files: ["**/*.sql"], rules: { "migration-safety/require-concurrent-index": "warn" } }];',
        "",
      ].join("\n"),
      "migrations/1.sql": "SET lock_timeout = '2s';\nCREATE INDEX i ON users (email);\n",
    });
    installPlugin(project);
    expect(runBuiltCli(["lint"], project).status).toBe(0);
    const strict = runBuiltCli(["lint", "--max-warnings", "0"], project);
    expect(strict.status).toBe(1);
    expect(strict.stderr).toContain("1 warnings, more than --max-warnings 0.");
  });
});
