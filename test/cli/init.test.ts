/**
 * `migration-safety init`: framework detection, the merge of existing files, --dry-run, and a generated config that
 * lints the project's migrations (folders outside configs.recommended's globs included).
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ESLINT_VALIDATE, HOOK_FILES_REGEX, LINT_STAGED_GLOB, planVscodeSettings } from "../../src/cli/init-plan.js";
import { detectProject, snapshotProject, type FrameworkId } from "../../src/cli/project.js";
import { installPlugin, requireBuild, runCli, tempProject } from "./helpers.js";

const manifest = (deps: Record<string, string>, extra: Record<string, unknown> = {}) => `${JSON.stringify({ name: "app", ...extra, dependencies: deps }, null, 2)}\n`;

describe("detectProject", () => {
  it.each<[string, Record<string, string>, FrameworkId, string]>([
    ["Prisma", { "package.json": manifest({ "@prisma/client": "5" }), "prisma/migrations/20240101_init/migration.sql": "" }, "prisma", "prisma/migrations"],
    ["Drizzle", { "package.json": manifest({ "drizzle-orm": "0.30" }), "drizzle/0000_init.sql": "" }, "drizzle", "drizzle"],
    ["knex", { "knexfile.ts": "", "migrations/20240101_users.ts": "" }, "knex", "migrations"],
    ["Kysely", { "package.json": manifest({ kysely: "0.27" }), "src/migrations/2024_01_users.ts": "" }, "kysely", "src/migrations"],
    ["TypeORM", { "package.json": manifest({ typeorm: "0.3" }), "src/migration/1700000000000-AddName.ts": "" }, "typeorm", "src/migration"],
    ["node-pg-migrate", { "package.json": manifest({ "node-pg-migrate": "7" }), "migrations/1700000000000_users.js": "" }, "node-pg-migrate", "migrations"],
    ["Sequelize", { ".sequelizerc": "", "db/migrations/20240101-users.cjs": "" }, "sequelize", "db/migrations"],
    ["plain SQL (Flyway names)", { "database/changes/V1__init.sql": "", "database/changes/V2__users.sql": "" }, "sql", "database/changes"],
    ["plain SQL (migrate folder)", { "db/migrate/0001_init.sql": "" }, "sql", "db/migrate"],
  ])("%s", (_, files, framework, folder) => {
    const detection = detectProject(snapshotProject(tempProject(files)));
    expect(detection.frameworks.map((f) => f.id)).toEqual([framework]);
    expect(detection.migrationFolders.map((f) => f.path)).toEqual([folder]);
  });

  it("finds nothing in a project without migrations, and never looks into node_modules", () => {
    const detection = detectProject(snapshotProject(tempProject({ "src/index.ts": "", "node_modules/x/migrations/1.sql": "" })));
    expect(detection).toEqual({ frameworks: [], migrationFolders: [] });
  });
});

describe("VS Code settings", () => {
  const parse = (plan: ReturnType<typeof planVscodeSettings>) => {
    if (plan.kind !== "write") throw new Error(plan.instructions);
    return JSON.parse(plan.content) as Record<string, unknown>;
  };

  it("lists sql and the JS/TS ids in eslint.validate and asks for block disable comments", () => {
    expect(parse(planVscodeSettings(undefined))).toEqual({
      "eslint.validate": [...ESLINT_VALIDATE],
      "eslint.codeAction.disableRuleComment": { enable: true, location: "separateLine", commentStyle: "block" },
    });
  });

  it("merges into existing settings, keeping the user's entries and choices", () => {
    const existing = JSON.stringify({
      "editor.tabSize": 4,
      "eslint.validate": ["vue", { language: "typescript", autoFix: true }],
      "eslint.codeAction.disableRuleComment": { location: "sameLine", commentStyle: "line" },
    });
    expect(parse(planVscodeSettings(existing))).toEqual({
      "editor.tabSize": 4,
      "eslint.validate": ["vue", { language: "typescript", autoFix: true }, "javascript", "javascriptreact", "typescriptreact", "sql"],
      "eslint.codeAction.disableRuleComment": { enable: true, location: "sameLine", commentStyle: "block" },
    });
  });

  it("does not rewrite settings with comments: prints what to add", () => {
    const plan = planVscodeSettings('{\n  // mine\n  "editor.tabSize": 2,\n}\n');
    expect(plan.kind).toBe("manual");
    expect(plan.kind === "manual" && plan.instructions).toContain('"commentStyle": "block"');
  });
});

describe("migration-safety init", () => {
  it("writes eslint.config, VS Code settings and a pre-commit config, and the config lints the migrations", async () => {
    requireBuild(); // the written config imports the package, i.e. its build (dist/)
    const project = tempProject({
      "package.json": manifest({ "@prisma/client": "5" }, { type: "module" }),
      "prisma/migrations/20240101_init/migration.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
      "database/changes/V2__index.sql": "CREATE INDEX idx_users_email ON users (email);\n",
    });
    installPlugin(project);
    const { code, stdout } = await runCli(["init", "--cwd", project, "--pg-version", "16"]);
    expect(code).toBe(0);
    expect(stdout).toContain('Detected: Prisma (dependency "@prisma/client").');
    expect(stdout).toContain("created eslint.config.js");

    const config = readFileSync(join(project, "eslint.config.js"), "utf8");
    expect(config).toContain('import migrationSafety from "eslint-plugin-migration-safety";');
    expect(config).toContain('files: ["database/changes/**"],');
    expect(config).toContain("extends: [migrationSafety.configs.sql],");
    expect(config).toContain("postgresVersion: 16,");
    expect(JSON.parse(readFileSync(join(project, ".vscode/settings.json"), "utf8"))["eslint.validate"]).toContain("sql");
    expect(readFileSync(join(project, ".pre-commit-config.yaml"), "utf8")).toContain(`files: '${HOOK_FILES_REGEX}'`);

    // The user's config is used from now on, and it covers the folder outside the usual places.
    const lint = await runCli(["lint", "--cwd", project, "--format", "json"]);
    expect(lint.stderr).toBe("");
    expect(lint.code).toBe(1);
    const results = JSON.parse(lint.stdout) as { filePath: string; messages: { ruleId: string }[] }[];
    expect(results.map((r) => r.filePath.slice(project.length + 1))).toEqual(["database/changes/V2__index.sql", "prisma/migrations/20240101_init/migration.sql"]);
    expect(results[0]!.messages.map((m) => m.ruleId)).toContain("migration-safety/require-concurrent-index");
  });

  it("--dry-run prints the files and writes nothing", async () => {
    const project = tempProject({ "package.json": manifest({ knex: "3" }), "migrations/001_users.sql": "" });
    const before = readdirSync(project).sort();
    const { code, stdout } = await runCli(["init", "--cwd", project, "--dry-run"]);
    expect(code).toBe(0);
    expect(stdout).toContain("would create eslint.config.mjs"); // not "type": "module": .mjs
    expect(stdout).toContain("would create .vscode/settings.json");
    expect(stdout).toContain("    export default defineConfig([");
    expect(readdirSync(project).sort()).toEqual(before);
  });

  it("leaves an existing eslint.config and pre-commit config alone and prints the lines to add; merges lint-staged", async () => {
    const eslintConfig = "export default [];\n";
    const preCommit = "repos:\n  - repo: https://example.com/other\n    rev: v1\n    hooks:\n      - id: other\n";
    const project = tempProject({
      "package.json": manifest({ "lint-staged": "15" }, { "lint-staged": { "*.js": "eslint" } }),
      "eslint.config.js": eslintConfig,
      ".pre-commit-config.yaml": preCommit,
      "db/migrations/001.sql": "",
    });
    const { code, stdout } = await runCli(["init", "--cwd", project]);
    expect(code).toBe(0);
    expect(readFileSync(join(project, "eslint.config.js"), "utf8")).toBe(eslintConfig);
    expect(stdout).toContain("eslint.config.js: not changed");
    expect(stdout).toContain('    import migrationSafety from "eslint-plugin-migration-safety";');
    expect(readFileSync(join(project, ".pre-commit-config.yaml"), "utf8")).toBe(preCommit);
    expect(JSON.parse(readFileSync(join(project, "package.json"), "utf8"))["lint-staged"]).toEqual({ "*.js": "eslint", [LINT_STAGED_GLOB]: "migration-safety lint" });
    expect(existsSync(join(project, ".vscode/settings.json"))).toBe(true);
  });

  it("exits 2 for a directory that does not exist", async () => {
    const { code, stderr } = await runCli(["init", "--cwd", join(tempProject(), "nope")]);
    expect(code).toBe(2);
    expect(stderr).toContain("not a directory");
  });
});
