/**
 * The fixture app (fixtures/app: Prisma-style, knex-style and Drizzle-style data layers, a worker, BI reports) linted
 * through ESLint's Node API with `configs.app`, the way a project would: with and without type information, with
 * the same findings. Also: `eslint --cache` sees migration changes only through the fingerprint in the settings.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { ESLint, Linter } from "eslint";
import { afterAll, describe, expect, it } from "vitest";
import plugin from "../../src/index.js";
import { migrationsFingerprint } from "../../src/schema/load.js";
import { fixtureApp } from "./helpers.js";
import { lintSql } from "../helpers/lint.js";
import { readdirSync, readFileSync } from "node:fs";

const history = { migrations: ["db/migrations/*.sql", "db/backfill/*.sql"] };

function config(typed: boolean, cwd: string, extraSettings: Record<string, unknown> = {}): Linter.Config[] {
  return [
    ...plugin.configs.app,
    { settings: { "migration-safety": { ...history, ...extraSettings } } },
    ...(typed ? [{ files: ["**/*.ts"], languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: cwd } } }] : []),
  ];
}

async function findings(cwd: string, typed: boolean, options: Partial<ESLint.Options> = {}, extraSettings: Record<string, unknown> = {}): Promise<string[]> {
  const eslint = new ESLint({ cwd, overrideConfigFile: true, overrideConfig: config(typed, cwd, extraSettings), ...options });
  const results = await eslint.lintFiles(["src", "reports"]);
  return results
    .flatMap((r) => r.messages.map((m) => `${relative(cwd, r.filePath)}:${m.line}:${m.column} ${m.ruleId?.replace("migration-safety/", "")} ${m.messageId ?? m.message}`))
    .sort();
}

const expected = [
  "reports/audit_activity.sql:2:30 no-dropped-column-reference droppedTable",
  "reports/orders_by_status.sql:2:10 no-dropped-column-reference droppedColumn",
  "reports/orders_by_status.sql:4:12 no-dropped-column-reference droppedColumn",
  "src/drizzle/users.ts:23:32 require-dual-write writesOldOnly",
  "src/knex/users.ts:13:38 require-dual-read oldOnly",
  "src/knex/users.ts:18:47 require-dual-write writesOldOnly",
  "src/knex/users.ts:23:49 require-dual-read newBeforeFlip",
  "src/knex/users.ts:29:47 require-dual-write writesOldOnly",
  "src/prisma/orders.ts:6:69 no-dropped-column-reference droppedColumn",
  "src/prisma/users.ts:19:16 require-dual-read newBeforeFlip",
  "src/prisma/users.ts:24:25 require-dual-read oldOnly",
  "src/prisma/users.ts:29:49 require-dual-write writesNewOnly",
  "src/workers/export-orders.ts:10:39 no-dropped-column-reference droppedColumn",
  "src/workers/export-orders.ts:14:16 no-dropped-column-reference droppedTable",
  "src/workers/export-orders.ts:5:53 no-dropped-column-reference droppedColumn",
].sort();

describe("fixtures/app with configs.app", () => {
  it("reports each failure mode where it is, without type information", async () => {
    expect(await findings(fixtureApp, false)).toEqual(expected);
  });

  it("reports the same with type information (typescript-eslint's project service)", async () => {
    expect(await findings(fixtureApp, true)).toEqual(expected);
  });

  it("configs.app leaves migration files to the migration rules, and lints .sql files elsewhere", async () => {
    const eslint = new ESLint({ cwd: fixtureApp, overrideConfigFile: true, overrideConfig: config(false, fixtureApp) });
    const rulesFor = async (path: string) => Object.keys((await eslint.calculateConfigForFile(path))?.rules ?? {}).sort();
    expect(await rulesFor("db/migrations/20261101000000_expand_display_name.sql")).toEqual([]);
    expect(await rulesFor("db/migrations/20261201_x.ts")).toEqual([]);
    expect(await rulesFor("reports/orders_by_status.sql")).toEqual(["migration-safety/no-dropped-column-reference"]);
    expect(await rulesFor("src/prisma/users.ts")).toEqual([
      "migration-safety/no-dropped-column-reference",
      "migration-safety/require-dual-read",
      "migration-safety/require-dual-write",
    ]);
  });

  it("works on plain JavaScript parsed by ESLint's own parser (espree), without typescript-eslint", () => {
    const linter = new Linter({ configType: "flat", cwd: fixtureApp });
    const code = 'export async function rename(knex, id, name) {\n  await knex("users").where({ id }).update({ display_name: name });\n  const row = await knex("users").where({ id }).first();\n  return row.display_name;\n}\n';
    const messages = linter.verify(code, [{ files: ["**/*.js"], plugins: { "migration-safety": plugin as never }, rules: plugin.configs.app[0]!.rules, settings: { "migration-safety": history } }], { filename: "src/rename.js" });
    expect(messages.map((m) => [m.messageId, m.line, m.column])).toEqual([
      ["writesNewOnly", 2, 46],
      ["newBeforeFlip", 4, 14],
    ]);
  });

  it("its migrations follow the workflow: they lint clean with the recommended migration rules", () => {
    const dir = join(fixtureApp, "db/migrations");
    for (const file of readdirSync(dir)) {
      expect(lintSql(readFileSync(join(dir, file), "utf8"), { filename: `db/migrations/${file}` }), file).toEqual([]);
    }
  });
});

describe("eslint --cache and migration changes", () => {
  const copy = mkdtempSync(join(tmpdir(), "migration-safety-app-"));
  cpSync(fixtureApp, copy, { recursive: true, filter: (path) => !path.includes("node_modules") });
  afterAll(() => rmSync(copy, { recursive: true, force: true }));
  const cacheLocation = join(copy, ".eslintcache");
  const contract = join(copy, "db/migrations/20261201000000_contract_full_name.sql");

  it("cached results go stale when only a migration changes, unless the fingerprint is in the settings", async () => {
    const cached = { cache: true, cacheLocation, cacheStrategy: "content" as const };
    const before = await findings(copy, false, cached);
    expect(before.filter((f) => f.includes("require-dual"))).not.toHaveLength(0);

    // The contract step lands: full_name is dropped. The app files did not change.
    writeFileSync(contract, "SET lock_timeout = '2s';\nALTER TABLE users DROP COLUMN full_name;\n");
    const stale = await findings(copy, false, cached);
    expect(stale).toEqual(before); // ESLint's cache key cannot see the migration: the old results come back

    const fresh = await findings(copy, false, cached, { migrationsFingerprint: migrationsFingerprint({ cwd: copy, migrations: history.migrations }) });
    expect(fresh).not.toEqual(before);
    expect(fresh.filter((f) => f.includes("require-dual"))).toEqual([]);
    expect(fresh).toContain("src/prisma/users.ts:24:25 no-dropped-column-reference droppedColumn");
  });
});
