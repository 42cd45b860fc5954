/**
 * src/db/apply-migrations.ts: which files a migration folder holds and in which order the tools apply them, their up
 * parts only, and applying them statement by statement on PGlite and the server (failures reported, run goes on).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations, findMigrationFiles, readMigration, readSqitchPlan, sortMigrations, withoutConcurrently } from "../../src/db/apply-migrations.js";
import { quoteIdent } from "../../src/sql/names.js";
import { describeOnDatabases } from "../helpers/databases.js";

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "migration-safety-apply-"));
  folders.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const names = (root: string, files: readonly string[]): string[] => files.map((file) => relative(root, file));

describe("findMigrationFiles", () => {
  it("takes up migrations, .sql and TS/JS, and skips rollbacks, type declarations and tests", () => {
    const root = tree({
      "db/1_init.up.sql": "",
      "db/1_init.down.sql": "",
      "diesel/2024-01-01_x/up.sql": "",
      "diesel/2024-01-01_x/down.sql": "",
      "flyway/V1__a.sql": "",
      "flyway/U1__a.sql": "",
      "sqitch/deploy/a.sql": "",
      "sqitch/revert/a.sql": "",
      "sqitch/verify/a.sql": "",
      "knex/20240101_add.ts": "",
      "knex/types.d.ts": "",
      "knex/20240101_add.test.ts": "",
      "README.md": "",
      "node_modules/pkg/migrations/1.sql": "",
    });
    const found = findMigrationFiles([root]);
    expect(names(root, found.files).sort()).toEqual(["db/1_init.up.sql", "diesel/2024-01-01_x/up.sql", "flyway/V1__a.sql", "knex/20240101_add.ts", "sqitch/deploy/a.sql"].sort());
    expect(found.skipped.map((s) => [relative(root, s.path), s.reason])).toEqual(
      expect.arrayContaining([
        ["db/1_init.down.sql", "a rollback (down) migration"],
        ["flyway/U1__a.sql", "a Flyway undo migration"],
        ["sqitch/revert/a.sql", "a sqitch revert script"],
      ]),
    );
    expect(found.skipped.some((s) => s.path.endsWith(".d.ts") || s.path.endsWith(".test.ts") || s.path.endsWith("README.md"))).toBe(false);
  });

  it("takes a file named explicitly even when a folder search would skip it, and fails on a missing path", () => {
    const root = tree({ "m/2.down.sql": "" });
    expect(names(root, findMigrationFiles([join(root, "m/2.down.sql")]).files)).toEqual(["m/2.down.sql"]);
    expect(() => findMigrationFiles([join(root, "nope")])).toThrow(/no such file or folder/);
  });
});

describe("sortMigrations: the tools' order", () => {
  it("compares versions as numbers, Flyway repeatables last", () => {
    const files = ["/m/V10__c.sql", "/m/R__views.sql", "/m/V2__b.sql", "/m/V1_1__a2.sql", "/m/V1__a.sql", "/m/notes.sql"];
    expect(sortMigrations(files)).toEqual(["/m/V1__a.sql", "/m/V1_1__a2.sql", "/m/V2__b.sql", "/m/V10__c.sql", "/m/notes.sql", "/m/R__views.sql"]);
  });

  it("orders goose / golang-migrate timestamps and zero-padded numbers numerically", () => {
    const files = ["/m/20240202_b.sql", "/m/9_a.sql", "/m/00010_c.sql", "/m/20240101_a.sql"];
    expect(sortMigrations(files)).toEqual(["/m/9_a.sql", "/m/00010_c.sql", "/m/20240101_a.sql", "/m/20240202_b.sql"]);
  });

  it("orders Prisma migration.sql by their folder, sqitch deploy scripts by sqitch.plan", () => {
    expect(sortMigrations(["/p/migrations/20240301_b/migration.sql", "/p/migrations/20240101_a/migration.sql"])).toEqual([
      "/p/migrations/20240101_a/migration.sql",
      "/p/migrations/20240301_b/migration.sql",
    ]);
    const root = tree({
      "sqitch.plan": "%syntax-version=1.0.0\n%project=x\n\nzeta 2024-01-01T00:00:00Z A <a@b> # first\n@v1 2024-01-01T00:00:00Z A <a@b>\nalpha [zeta] 2024-01-02T00:00:00Z A <a@b>\n",
      "deploy/alpha.sql": "",
      "deploy/zeta.sql": "",
    });
    expect(names(root, findMigrationFiles([root]).files)).toEqual(["deploy/zeta.sql", "deploy/alpha.sql"]);
    expect([...readSqitchPlan("# c\n%p=1\na 1\n@tag 2\nb 3\n").keys()]).toEqual(["a", "b"]);
  });
});

describe("readMigration", () => {
  it("keeps goose and dbmate up parts, and marks COPY data and transaction control as not sent", () => {
    const goose = readMigration("/m/1_x.sql", "-- +goose Up\nCREATE TABLE a (id int);\nBEGIN;\nCOPY a FROM stdin;\n1\n\\.\nCOMMIT;\n-- +goose Down\nDROP TABLE a;\n");
    expect(goose.ok && goose.statements.map((s) => [s.line, s.text, s.notRun ?? ""])).toEqual([
      [2, "CREATE TABLE a (id int)", ""],
      [3, "BEGIN", "transaction control: the runner decides how statements are grouped"],
      [4, "COPY a FROM stdin", "COPY … FROM stdin: the data that follows it in the file is not loaded"],
      [7, "COMMIT", "transaction control: the runner decides how statements are grouped"],
    ]);
    const dbmate = readMigration("/m/2_x.sql", "-- migrate:up\nALTER TABLE a ADD b int;\n-- migrate:down\nALTER TABLE a DROP b;\n");
    expect(dbmate.ok && dbmate.statements.map((s) => s.text)).toEqual(["ALTER TABLE a ADD b int"]);
    expect(readMigration("/m/3.down.sql", "DROP TABLE a;\n")).toMatchObject({ ok: true, statements: [] });
  });

  it("removes CONCURRENTLY from index builds and drops only, found by PostgreSQL's scanner", () => {
    const read = readMigration("/m/1.sql", 'CREATE INDEX CONCURRENTLY "concurrently" ON t (x);\nDROP INDEX CONCURRENTLY IF EXISTS i;\nREINDEX TABLE CONCURRENTLY t;\n');
    if (!read.ok) throw new Error(read.error);
    expect(read.statements.map((s) => withoutConcurrently(s.statement, read.document))).toEqual([
      'CREATE INDEX  "concurrently" ON t (x)',
      "DROP INDEX  IF EXISTS i",
      "REINDEX TABLE CONCURRENTLY t",
    ]);
  });
});

describeOnDatabases("applyMigrations", (db) => {
  beforeAll(async () => {
    const schema = (await db().query<{ s: string }>("SELECT current_schema() AS s")).rows[0]!.s;
    await db().exec(`SET search_path TO ${quoteIdent(schema)}`);
  });

  it("applies up parts in order, reports what fails and goes on, and does not send COPY data", async () => {
    const root = tree({
      "002_b.sql": "-- +goose Up\nALTER TABLE a ADD COLUMN b int;\nCREATE EXTENSION no_such_extension;\nALTER TABLE a ADD COLUMN c int;\n-- +goose Down\nDROP TABLE a;\n",
      "001_a.sql": "CREATE TABLE a (id int);\nCOPY a FROM stdin;\n1\n\\.\n",
      "001_a.down.sql": "DROP TABLE a;\n",
    });
    const found = findMigrationFiles([root]);
    const result = await applyMigrations(db(), found.files);
    expect(result).toMatchObject({ files: 2, applied: 3 });
    expect(result.failures.map((f) => [relative(root, f.file), f.line, f.statement])).toEqual([["002_b.sql", 3, "CREATE EXTENSION no_such_extension"]]);
    expect(result.failures[0]!.code).toMatch(/^[0-9A-Z]{5}$/);
    expect(result.skipped.map((s) => s.line)).toEqual([2]);
    const { rows } = await db().query<{ column_name: string }>("SELECT column_name FROM information_schema.columns WHERE table_name = 'a' AND table_schema = current_schema() ORDER BY ordinal_position");
    expect(rows.map((r) => r.column_name)).toEqual(["id", "b", "c"]);
  });

  it("inside a transaction: a failure undoes only its statement, and CONCURRENTLY builds run without it", async () => {
    const root = tree({ "1.sql": "CREATE TABLE inside (id int);\nSELECT 1/0;\nCREATE INDEX CONCURRENTLY inside_id ON inside (id);\n" });
    await db().exec("BEGIN");
    try {
      const result = await applyMigrations(db(), findMigrationFiles([root]).files, { insideTransaction: true });
      expect(result.applied).toBe(2);
      expect(result.failures.map((f) => f.code)).toEqual(["22012"]);
      const { rows } = await db().query("SELECT 1 FROM pg_indexes WHERE indexname = 'inside_id' AND schemaname = current_schema()");
      expect(rows).toHaveLength(1);
    } finally {
      await db().exec("ROLLBACK");
    }
    const { rows } = await db().query("SELECT 1 FROM pg_tables WHERE tablename = 'inside' AND schemaname = current_schema()");
    expect(rows).toHaveLength(0);
  });
});
