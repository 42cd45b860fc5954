/**
 * Reading migrations from disk: which files, in which order, cached across files of one run and rebuilt when a
 * migration is edited, added or removed; the fingerprint for `eslint --cache` users.
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clearSchemaCache, compareMigrationPaths, defaultMigrationGlobs, findFiles, loadSchemaModel, migrationsFingerprint } from "../../src/schema/load.js";
import * as pluginModule from "../../src/eslint/plugin.js";

let cwd: string;

beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), "migration-safety-schema-"));
  clearSchemaCache();
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

function write(path: string, text: string): void {
  mkdirSync(join(cwd, path, ".."), { recursive: true });
  writeFileSync(join(cwd, path), text);
}

/** Make a later edit visible even on file systems with coarse timestamps. */
function touchLater(path: string, seconds: number): void {
  const at = new Date(Date.now() + seconds * 1000);
  utimesSync(join(cwd, path), at, at);
}

const settings = (extra: Record<string, unknown> = {}) => ({ "migration-safety": { migrations: ["db/migrations/**/*.sql"], ...extra } });

describe("order", () => {
  it("compares folder by folder, digit runs as numbers", () => {
    const paths = ["m/V10__c.sql", "m/V2__b.sql", "m/V1__a.sql", "m/10_x.sql", "m/9_y.sql", "a/1.sql", "m/sub/1.sql"];
    expect([...paths].sort(compareMigrationPaths)).toEqual(["a/1.sql", "m/9_y.sql", "m/10_x.sql", "m/sub/1.sql", "m/V1__a.sql", "m/V2__b.sql", "m/V10__c.sql"]);
  });

  it("orders Prisma migrations by their timestamped folder", () => {
    write("prisma/migrations/20260102000000_b/migration.sql", "SELECT 1;");
    write("prisma/migrations/20260101000000_a/migration.sql", "SELECT 1;");
    write("prisma/migrations/migration_lock.toml", "");
    expect(findFiles(cwd, ["prisma/migrations/**/migration.sql"])).toEqual([
      "prisma/migrations/20260101000000_a/migration.sql",
      "prisma/migrations/20260102000000_b/migration.sql",
    ]);
  });

  it("skips node_modules and hidden folders, and honours ! exclusions", () => {
    write("node_modules/pkg/migrations/1.sql", "");
    write(".git/migrations/1.sql", "");
    write("db/migrations/1.sql", "");
    write("db/migrations/seed/2.sql", "");
    expect(findFiles(cwd, ["**/migrations/**/*.sql", "!**/seed/**"])).toEqual(["db/migrations/1.sql"]);
  });
});

describe("loadSchemaModel", () => {
  it("the default places are the recommended config's (the model keeps a copy of the lists to avoid a module cycle)", () => {
    expect(defaultMigrationGlobs()).toEqual([...pluginModule.MIGRATION_SQL_FILES, ...pluginModule.MIGRATION_JS_FILES, ...pluginModule.MIGRATION_TS_FILES]);
  });

  it("uses the recommended config's places by default", () => {
    write("db/migrations/1_expand.sql", "ALTER TABLE users ADD COLUMN display_name text;");
    write("db/migrations/2_backfill.sql", "UPDATE users SET display_name = full_name;");
    write("reports/x.sql", "ALTER TABLE users DROP COLUMN full_name;"); // not a migration
    const model = loadSchemaModel({ cwd, settings: {} });
    expect(model.migrations).toEqual(["db/migrations/1_expand.sql", "db/migrations/2_backfill.sql"]);
    expect(model.transitions.map((t) => t.phase)).toEqual(["backfilled"]);
  });

  it("lists files it cannot read instead of dropping them silently", () => {
    write("db/migrations/1.sql", "SELECT 'unterminated");
    write("db/migrations/2.ts", "export async function up() {}");
    const model = loadSchemaModel({ cwd, settings: { "migration-safety": { migrations: ["db/migrations/*"] } } });
    expect(model.skipped.map((s) => s.migration)).toEqual(["db/migrations/1.sql", "db/migrations/2.ts"]);
    expect(model.skipped[0]!.reason).toContain("could not be split into statements");
    expect(model.skipped[1]!.reason).toContain("runs no SQL");
  });

  it("reads knex and TypeScript migrations through the migration rules' extractor, down parts excluded", () => {
    write(
      "db/migrations/20260101_expand.js",
      `exports.up = (knex) => knex.schema.alterTable("users", (t) => { t.text("display_name"); });
exports.down = (knex) => knex.schema.alterTable("users", (t) => { t.dropColumn("display_name"); });`,
    );
    write(
      "db/migrations/20260102_backfill.ts",
      `import type { Knex } from "knex";
export async function up(knex: Knex): Promise<void> {
  await knex.raw("UPDATE users SET display_name = full_name WHERE display_name IS NULL");
}
export async function down(): Promise<void> {}`,
    );
    write("db/migrations/20260103_contract.sql", "ALTER TABLE users DROP COLUMN full_name;");
    const model = loadSchemaModel({ cwd, settings: {} });
    expect(model.skipped).toEqual([]);
    expect(model.migrations).toEqual(["db/migrations/20260101_expand.js", "db/migrations/20260102_backfill.ts", "db/migrations/20260103_contract.sql"]);
    expect(model.transitions.map((t) => [t.from, t.to, t.phase, t.evidence.map((e) => e.migration)])).toEqual([
      ["full_name", "display_name", "contracted", ["db/migrations/20260102_backfill.ts"]],
    ]);
  });

  it("returns the cached model while nothing changed, and rebuilds it when a migration is edited", () => {
    write("db/migrations/1.sql", "ALTER TABLE users ADD COLUMN display_name text;\nUPDATE users SET display_name = full_name;");
    const first = loadSchemaModel({ cwd, settings: settings() });
    expect(loadSchemaModel({ cwd, settings: settings() })).toBe(first);
    expect(first.transitions[0]!.phase).toBe("backfilled");

    write("db/migrations/1.sql", "ALTER TABLE users ADD COLUMN display_name text;\nUPDATE users SET display_name = nickname;");
    touchLater("db/migrations/1.sql", 5);
    const edited = loadSchemaModel({ cwd, settings: settings() });
    expect(edited).not.toBe(first);
    expect(edited.transitions[0]!.from).toBe("nickname");
  });

  it("rebuilds when a migration is added to or removed from a folder", () => {
    write("db/migrations/1.sql", "ALTER TABLE users ADD COLUMN display_name text;\nUPDATE users SET display_name = full_name;");
    expect(loadSchemaModel({ cwd, settings: settings() }).transitions[0]!.phase).toBe("backfilled");
    write("db/migrations/2.sql", "ALTER TABLE users DROP COLUMN full_name;");
    utimesSync(join(cwd, "db/migrations"), new Date(), new Date(Date.now() + 5000));
    expect(loadSchemaModel({ cwd, settings: settings() }).transitions[0]!.phase).toBe("contracted");
    rmSync(join(cwd, "db/migrations/2.sql"));
    expect(loadSchemaModel({ cwd, settings: settings() }).transitions[0]!.phase).toBe("backfilled");
  });

  it("rebuilds when the declared transitions change", () => {
    write("db/migrations/1.sql", "ALTER TABLE users ADD COLUMN display_name text;");
    expect(loadSchemaModel({ cwd, settings: settings() }).transitions).toEqual([]);
    const declared = settings({ transitions: [{ table: "users", from: "full_name", to: "display_name", phase: "flipped" }] });
    expect(loadSchemaModel({ cwd, settings: declared }).transitions.map((t) => t.phase)).toEqual(["flipped"]);
  });
});

describe("migrationsFingerprint", () => {
  it("changes when a migration or the Prisma schema changes, and only then", () => {
    write("db/migrations/1.sql", "ALTER TABLE users ADD COLUMN display_name text;");
    write("prisma/schema.prisma", "model User { id Int @id }");
    const before = migrationsFingerprint({ cwd });
    expect(before).toMatch(/^[0-9a-f]{16}$/);
    expect(migrationsFingerprint({ cwd })).toBe(before);
    write("src/app.ts", "export {};");
    expect(migrationsFingerprint({ cwd })).toBe(before);
    write("db/migrations/2.sql", "ALTER TABLE users DROP COLUMN full_name;");
    const added = migrationsFingerprint({ cwd });
    expect(added).not.toBe(before);
    write("prisma/schema.prisma", "model User { id Int @id\n  name String }");
    expect(migrationsFingerprint({ cwd })).not.toBe(added);
    expect(migrationsFingerprint({ cwd, migrations: "db/migrations/1.sql", prismaSchema: [] })).not.toBe(migrationsFingerprint({ cwd, migrations: [], prismaSchema: [] }));
  });
});
