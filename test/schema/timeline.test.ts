/**
 * The history before each migration (`context.history`): the schema as the migrations ordered before a file — in its
 * migrations folder — leave it, replayed once and looked up per file; unreleased migrations' tables are brand new;
 * loaded from disk at the ESLint edge, cached, and refreshed when a migration changes.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { markerKind } from "../../src/context/conventions.js";
import { analyzeMigration } from "../../src/context/migration-context.js";
import { DEFAULT_SETTINGS, readSettings } from "../../src/context/settings.js";
import { clearSchemaCache, loadSchemaHistory, rememberDocument } from "../../src/schema/load.js";
import type { MigrationSource } from "../../src/schema/history.js";
import { parseSchemaSettings } from "../../src/schema/settings.js";
import { HistoryTimeline, migrationScope } from "../../src/schema/timeline.js";
import { parseDocument, type SqlDocument } from "../../src/sql/document.js";
import { lintSql, ruleIds } from "../helpers/lint.js";

const documentOf = (text: string): SqlDocument => {
  const outcome = parseDocument(text, { markerKind });
  if (!outcome.ok) throw new Error(outcome.message);
  return outcome.document;
};

function timeline(files: Record<string, string>, onLoad: (path: string) => void = () => {}): HistoryTimeline {
  const sources = new Map<string, MigrationSource>(Object.entries(files).map(([path, text]) => [path, { path, document: documentOf(text) }]));
  return new HistoryTimeline(
    Object.keys(files),
    (path) => {
      onLoad(path);
      return sources.get(path);
    },
    { migration: DEFAULT_SETTINGS, schema: parseSchemaSettings({}) },
  );
}

describe("HistoryTimeline", () => {
  const files = {
    "db/migrations/1_users.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100));",
    "db/migrations/2_widen.sql": "ALTER TABLE users ALTER COLUMN email TYPE varchar(200);\nCREATE TABLE audit (id bigint);",
    "db/migrations/3_rename.sql": "ALTER TABLE users RENAME TO accounts;\nDROP TABLE audit;",
    "db/migrations/4_last.sql": "SELECT 1;",
  };

  it("gives each migration the schema the migrations before it leave", () => {
    const t = timeline(files);
    const email = (path: string, table = "users") => t.before(path)?.table({ name: table })?.columnDetails.get("email")?.typeText;
    expect(t.before("db/migrations/1_users.sql")?.table({ name: "users" })).toBeUndefined();
    expect(email("db/migrations/2_widen.sql")).toBe("varchar(100)");
    expect(email("db/migrations/3_rename.sql")).toBe("varchar(200)");
    expect(t.before("db/migrations/3_rename.sql")?.table({ name: "audit" })).toBeDefined();
    expect(email("db/migrations/4_last.sql")).toBeUndefined();
    expect(email("db/migrations/4_last.sql", "accounts")).toBe("varchar(200)");
    expect(t.before("db/migrations/4_last.sql")?.table({ name: "audit" })).toBeUndefined();
    expect(t.before("db/migrations/4_last.sql")).toMatchObject({ file: "db/migrations/4_last.sql", migrationCount: 3 });
  });

  it("is undefined for a file that is not one of the migrations", () => {
    expect(timeline(files).before("db/other.sql")).toBeUndefined();
  });

  it("replays each migration once, lazily, however the files are asked for; earlier answers do not change", () => {
    const loads: string[] = [];
    const t = timeline(files, (path) => loads.push(path));
    const early = t.before("db/migrations/2_widen.sql")!;
    expect(loads).toEqual(["db/migrations/1_users.sql"]);
    t.before("db/migrations/4_last.sql");
    t.before("db/migrations/3_rename.sql");
    t.before("db/migrations/1_users.sql");
    expect(loads).toEqual(["db/migrations/1_users.sql", "db/migrations/2_widen.sql", "db/migrations/3_rename.sql"]);
    // The snapshot handed out before later migrations were replayed still shows the schema before 2_widen.
    expect(early.table({ name: "users" })?.columnDetails.get("email")?.typeText).toBe("varchar(100)");
  });

  it("unchanged tables are shared between snapshots, not copied per migration", () => {
    const t = timeline({ "m/1.sql": "CREATE TABLE a (id int);\nCREATE TABLE b (id int);", "m/2.sql": "ALTER TABLE b ADD COLUMN x int;", "m/3.sql": "SELECT 1;" });
    expect(t.before("m/3.sql")!.table({ name: "a" })).toBe(t.before("m/2.sql")!.table({ name: "a" }));
    expect(t.before("m/3.sql")!.table({ name: "b" })).not.toBe(t.before("m/2.sql")!.table({ name: "b" }));
  });

  it("keeps migrations folders apart: one project's tables are not another's", () => {
    const t = timeline({
      "services/billing/migrations/1.sql": "CREATE TABLE users (id bigint, plan text);",
      "services/auth/migrations/1.sql": "CREATE TABLE sessions (id bigint);",
      "services/auth/migrations/2.sql": "SELECT 1;",
      "services/billing/migrations/2.sql": "SELECT 1;",
    });
    expect(t.before("services/auth/migrations/2.sql")!.table({ name: "users" })).toBeUndefined();
    expect(t.before("services/billing/migrations/2.sql")!.table({ name: "users" })?.columns).toEqual(["id", "plan"]);
  });

  it("a table an unreleased migration created is brand new", () => {
    const t = timeline({ "m/1.sql": "CREATE TABLE old (id int);", "m/2.sql": "CREATE TABLE fresh (id int);\nALTER TABLE old ADD COLUMN x int;", "m/3.sql": "SELECT 1;" });
    const history = t.before("m/3.sql", (path) => path === "m/2.sql")!;
    expect(history.isUnreleased({ name: "fresh" })).toBe(true);
    expect(history.isUnreleased({ name: "old" })).toBe(false); // altered by it, not created
    expect(history.isUnreleased({ name: "unknown" })).toBe(false);
  });
});

describe("migrationScope: the folder whose migrations form one history", () => {
  it.each([
    ["db/migrations/001_x.sql", "db/migrations"],
    ["prisma/migrations/20240101_init/migration.sql", "prisma/migrations"],
    ["atc/db/migration/migrations/1_x.up.sql", "atc/db/migration/migrations"],
    ["db/migrate/20240101_x.sql", "db/migrate"],
    ["sqitch/deploy/users.sql", "sqitch/deploy"],
    ["drizzle/0000_init.sql", "drizzle"],
    ["db/Migrations/v1/V1__x.sql", "db/Migrations"],
    ["schema/changes/2024-01-01-000000_users/up.sql", "schema/changes"],
    ["sql/001.sql", "sql"],
    ["001.sql", ""],
  ])("%s → %s", (path, scope) => {
    expect(migrationScope(path)).toBe(scope);
  });
});

describe("the migration context", () => {
  const history = timeline({ "m/1.sql": "CREATE TABLE fresh (id int);", "m/2.sql": "SELECT 1;" }).before("m/2.sql", () => true)!;

  it("hands the history to up statements, and counts tables of unreleased migrations as new", () => {
    const document = documentOf("-- +goose Up\nALTER TABLE fresh ADD COLUMN a int;\n-- +goose Down\nALTER TABLE fresh DROP COLUMN a;\n");
    const [up, down] = analyzeMigration(document, DEFAULT_SETTINGS, "m/2.sql", undefined, history);
    expect(up!.history).toBe(history);
    expect(up!.isNewTable({ name: "fresh" })).toBe(true);
    expect(up!.isNewTable({ name: "other" })).toBe(false);
    // A rollback runs against the schema after this migration, which the history does not describe.
    expect(down!.history).toBeUndefined();
    expect(down!.isNewTable({ name: "fresh" })).toBe(false);
  });

  it("without a history, nothing changes", () => {
    const [context] = analyzeMigration(documentOf("ALTER TABLE fresh ADD COLUMN a int;"), DEFAULT_SETTINGS, "m/2.sql");
    expect(context!.history).toBeUndefined();
    expect(context!.isNewTable({ name: "fresh" })).toBe(false);
  });
});

describe("loadSchemaHistory (from disk)", () => {
  let cwd: string;
  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), "migration-safety-history-"));
    clearSchemaCache();
  });
  afterEach(() => {
    vi.useRealTimers();
    rmSync(cwd, { recursive: true, force: true });
  });
  const write = (path: string, text: string) => {
    mkdirSync(join(cwd, path, ".."), { recursive: true });
    writeFileSync(join(cwd, path), text);
  };
  const settings = (extra: Record<string, unknown> = {}) => ({ "migration-safety": { ...extra } });

  it("finds the file among the migrations of the recommended places, by absolute or relative path", () => {
    write("db/migrations/1.sql", "CREATE TABLE a (id int);");
    write("db/migrations/2.sql", "SELECT 1;");
    for (const filename of ["db/migrations/2.sql", join(cwd, "db/migrations/2.sql")]) {
      expect(loadSchemaHistory({ cwd, settings: settings(), filename })?.table({ name: "a" })?.columns).toEqual(["id"]);
    }
    expect(loadSchemaHistory({ cwd, settings: settings(), filename: "queries/report.sql" })).toBeUndefined();
    expect(loadSchemaHistory({ cwd, settings: settings(), filename: "../elsewhere/migrations/2.sql" })).toBeUndefined();
  });

  it("is off with `history: false`; honours the `migrations` globs and `unreleasedMigrations` (paths or globs)", () => {
    write("database/changes/1.sql", "CREATE TABLE a (id int);");
    write("database/changes/2.sql", "SELECT 1;");
    const filename = "database/changes/2.sql";
    expect(loadSchemaHistory({ cwd, settings: settings(), filename })).toBeUndefined(); // not a usual place
    const migrations = ["database/changes/*.sql"];
    expect(loadSchemaHistory({ cwd, settings: settings({ migrations, history: false }), filename })).toBeUndefined();
    expect(loadSchemaHistory({ cwd, settings: settings({ migrations }), filename })?.isUnreleased({ name: "a" })).toBe(false);
    for (const unreleasedMigrations of [["database/changes/1.sql"], ["./database/changes/1.sql"], ["database/**/1.*"], "database/changes/1.sql"]) {
      expect(loadSchemaHistory({ cwd, settings: settings({ migrations, unreleasedMigrations }), filename })?.isUnreleased({ name: "a" })).toBe(true);
    }
  });

  it("a migration path with glob characters is matched as written", () => {
    write("migrations/1_[draft] (v2).sql", "CREATE TABLE a (id int);");
    write("migrations/2.sql", "SELECT 1;");
    const history = loadSchemaHistory({ cwd, settings: settings({ unreleasedMigrations: ["migrations/1_[draft] (v2).sql"] }), filename: "migrations/2.sql" });
    expect(history?.isUnreleased({ name: "a" })).toBe(true);
  });

  it("rejects wrong settings with the key's name", () => {
    expect(() => loadSchemaHistory({ cwd, settings: settings({ history: "yes" }), filename: "x.sql" })).toThrow('settings["migration-safety"].history must be true or false');
    expect(() => loadSchemaHistory({ cwd, settings: settings({ unreleasedMigrations: [1] }), filename: "x.sql" })).toThrow('settings["migration-safety"].unreleasedMigrations must be');
    expect(() => readSettings({ "migration-safety": { sessionTimeZone: 0 } })).toThrow('settings["migration-safety"].sessionTimeZone must be a time zone name');
    expect(readSettings({ "migration-safety": { sessionTimeZone: " UTC " } }).sessionTimeZone).toBe("UTC");
  });

  it("sees an edited migration on the next lint once the short trust window has passed", () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    write("migrations/1.sql", "CREATE TABLE a (id int);");
    write("migrations/2.sql", "SELECT 1;");
    const columns = () => loadSchemaHistory({ cwd, settings: settings(), filename: "migrations/2.sql" })?.table({ name: "a" })?.columns;
    expect(columns()).toEqual(["id"]);
    write("migrations/1.sql", "CREATE TABLE a (id int, added_later int);");
    vi.setSystemTime(Date.now() + 5_000);
    expect(columns()).toEqual(["id", "added_later"]);
  });

  it("replays the document ESLint parsed when the file on disk has the same text", () => {
    const text = "CREATE TABLE a (id int);";
    write("migrations/1.sql", text);
    write("migrations/2.sql", "SELECT 1;");
    const parsed = documentOf(text);
    rememberDocument(join(cwd, "migrations/1.sql"), text, parsed);
    const history = loadSchemaHistory({ cwd, settings: settings(), filename: "migrations/2.sql" });
    expect(history?.table({ name: "a" })?.columns).toEqual(["id"]);
    // An editor buffer that differs from the file on disk is not used: the history is what is on disk.
    clearSchemaCache();
    rememberDocument(join(cwd, "migrations/1.sql"), "CREATE TABLE a (id int, unsaved int);", documentOf("CREATE TABLE a (id int, unsaved int);"));
    expect(loadSchemaHistory({ cwd, settings: settings(), filename: "migrations/2.sql" })?.table({ name: "a" })?.columns).toEqual(["id"]);
  });
});

describe("through ESLint: rules see tables of unreleased migrations as brand new", () => {
  const FIXTURE = "test/schema/fixtures/unreleased/migrations";
  const lint = (code: string, extra: Record<string, unknown> = {}) =>
    ruleIds(lintSql(code, { filename: `${FIXTURE}/003_lint.sql`, settings: { "migration-safety": { migrations: [`${FIXTURE}/*.sql`], ...extra } } }));
  const code = "CREATE INDEX invoices_amount_idx ON invoices (amount);\nALTER TABLE invoices ALTER COLUMN amount TYPE bigint;\nALTER TABLE invoices ADD COLUMN due date NOT NULL;\n";

  it("released: the index, the type change and the required column on invoices are reported", () => {
    expect(lint(code)).toEqual(expect.arrayContaining(["require-concurrent-index", "no-column-type-change", "no-add-required-column"]));
  });

  it("unreleased: none of them is", () => {
    const ids = lint(code, { unreleasedMigrations: [`${FIXTURE}/002_invoices.sql`] });
    expect(ids).not.toContain("require-concurrent-index");
    expect(ids).not.toContain("no-column-type-change");
    expect(ids).not.toContain("no-add-required-column");
  });

  it("a table of a released migration stays in use", () => {
    const ids = lint("CREATE INDEX users_email_idx ON users (email);", { unreleasedMigrations: [`${FIXTURE}/002_invoices.sql`] });
    expect(ids).toContain("require-concurrent-index");
  });
});
