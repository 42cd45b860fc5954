/**
 * The trace on a real PostgreSQL: PGlite (each statement committed on its own) and, when DATABASE_URL is set, the
 * server (the whole trace in one transaction rolled back). Every expectation is a lock or a rewrite PostgreSQL showed,
 * not what the static rules predict; on the server the suite also checks that nothing of the trace is left behind.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Database } from "../../src/db/database.js";
import { quoteIdent } from "../../src/sql/names.js";
import type { StatementTrace, TraceRun } from "../../src/trace/model.js";
import { traceMigrations, type TraceOptions } from "../../src/trace/trace.js";
import { describeOnDatabases } from "../helpers/databases.js";

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** A folder holding migration files (name → SQL). */
function migrations(files: Record<string, string>): string {
  const folder = mkdtempSync(join(tmpdir(), "migration-safety-trace-"));
  folders.push(folder);
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(folder, name), sql);
  return folder;
}

/** Trace one migration against the suite's database: committed on PGlite, rolled back on the server. */
async function trace(db: Database, sql: string, options: Partial<TraceOptions> = {}): Promise<TraceRun> {
  const folder = migrations({ "0002_change.sql": sql });
  return traceMigrations({ targets: [folder], db: { database: db, isolation: db.kind === "pglite" ? "commit" : "rollback" }, ...options });
}

const statements = (run: TraceRun): StatementTrace[] => run.files.flatMap((f) => f.statements);
/** The lock modes the trace reports on a relation, with how each was known. */
const locksOn = (s: StatementTrace, relation: string): string[] => s.locks.filter((l) => l.relation === relation).map((l) => `${l.mode} (${l.source})`);

describeOnDatabases("trace", (db) => {
  let schema = "";
  beforeAll(async () => {
    // Only this suite's schema on the search_path: seeding must not touch anything else on a shared server.
    schema = (await db().query<{ s: string }>("SELECT current_schema() AS s")).rows[0]!.s;
    await db().exec(`SET search_path TO ${quoteIdent(schema)}`);
  });

  /** Whether a column exists now, in the suite's schema: on the server, the trace must have been rolled back. */
  async function columnExists(table: string, column: string): Promise<boolean> {
    const { rows } = await db().query<{ n: number }>(
      "SELECT count(*)::int AS n FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 AND column_name = $3",
      [schema, table, column],
    );
    return rows[0]!.n > 0;
  }
  const committed = (): boolean => db().kind === "pglite";
  /**
   * How a lock the run's transaction already holds is known: on the server, the whole trace is one transaction and
   * PostgreSQL lists a lock once, so a second statement asking for the same mode gets it from the static model.
   */
  const again = (mode: string): string => `${mode} (${committed() ? "observed" : "held"})`;

  it("ADD COLUMN takes ACCESS EXCLUSIVE and rewrites nothing", async () => {
    await db().exec("CREATE TABLE add_plain (id int PRIMARY KEY); INSERT INTO add_plain SELECT generate_series(1, 50);");
    const [add] = statements(await trace(db(), "ALTER TABLE add_plain ADD COLUMN note text;\n"));
    expect(add!.notTraced).toBeUndefined();
    expect(locksOn(add!, "add_plain")).toEqual(["ACCESS EXCLUSIVE (observed)"]);
    expect(add!.rewritten).toEqual([]);
    expect(add!.lockTimeout).toBeNull();
    expect(add!.findings.map((f) => f.rule)).toEqual(["require-lock-timeout"]);
    expect(add!.lint).toContain("require-lock-timeout");
    expect(await columnExists("add_plain", "note")).toBe(committed());
  });

  it("ADD COLUMN with a volatile default rewrites the table and its index", async () => {
    await db().exec("CREATE TABLE add_volatile (id int PRIMARY KEY); INSERT INTO add_volatile SELECT generate_series(1, 50);");
    const [add] = statements(await trace(db(), "SET lock_timeout = '1s';\nALTER TABLE add_volatile ADD COLUMN r float8 DEFAULT random();\n")).slice(1);
    expect(locksOn(add!, "add_volatile")).toEqual(["ACCESS EXCLUSIVE (observed)"]);
    expect(add!.rewritten).toEqual(expect.arrayContaining(["add_volatile", "add_volatile_pkey"]));
    expect(add!.lockTimeout).toBe("1s");
    expect(add!.findings.map((f) => f.rule)).toEqual(["no-volatile-default"]);
    expect(add!.comparison.agree).toContain("no-volatile-default");
  });

  it("ALTER COLUMN TYPE int → bigint rewrites; varchar(10) → varchar(20) does not", async () => {
    await db().exec("CREATE TABLE retype (id int PRIMARY KEY, code varchar(10)); INSERT INTO retype SELECT g, g::text FROM generate_series(1, 50) g;");
    const [widen, lengthen] = statements(await trace(db(), "ALTER TABLE retype ALTER COLUMN id TYPE bigint;\nALTER TABLE retype ALTER COLUMN code TYPE varchar(20);\n"));
    expect(locksOn(widen!, "retype")).toEqual(["ACCESS EXCLUSIVE (observed)"]);
    expect(widen!.rewritten).toEqual(expect.arrayContaining(["retype", "retype_pkey"]));
    expect(widen!.columns).toMatchObject([{ table: "retype", column: "id", from: { type: "integer" }, to: { type: "bigint" } }]);
    expect(widen!.findings.map((f) => f.rule)).toContain("no-column-type-change");

    expect(locksOn(lengthen!, "retype")).toEqual([again("ACCESS EXCLUSIVE")]);
    expect(lengthen!.rewritten).toEqual([]);
    expect(lengthen!.columns).toMatchObject([{ column: "code", from: { type: "character varying(10)" }, to: { type: "character varying(20)" } }]);
    // The lint cannot know the old type; the trace shows no rewrite, and says they disagree.
    expect(lengthen!.findings.map((f) => f.rule)).not.toContain("no-column-type-change");
    expect(lengthen!.comparison.lintOnly).toContain("no-column-type-change");
  });

  it("CREATE INDEX takes SHARE; CREATE INDEX CONCURRENTLY runs outside a transaction (or is not traced on a rolled-back server run)", async () => {
    await db().exec("CREATE TABLE indexed (id int PRIMARY KEY, email text); INSERT INTO indexed SELECT g, g::text FROM generate_series(1, 50) g;");
    const [plain, concurrent] = statements(
      await trace(db(), "CREATE INDEX indexed_email ON indexed (email);\nCREATE INDEX CONCURRENTLY indexed_email_2 ON indexed (email);\n"),
    );
    expect(locksOn(plain!, "indexed")).toEqual(["SHARE (observed)"]);
    expect(plain!.rewritten).toEqual([]);
    expect(plain!.findings.map((f) => f.rule).sort()).toEqual(["require-concurrent-index", "require-lock-timeout"]);

    if (committed()) {
      expect(concurrent!.notTraced).toBeUndefined();
      expect(concurrent!.outsideTransaction).toBe(true);
      expect(locksOn(concurrent!, "indexed")).toEqual(["SHARE UPDATE EXCLUSIVE (static)"]);
      expect(concurrent!.findings).toEqual([]);
      const { rows } = await db().query("SELECT 1 FROM pg_indexes WHERE schemaname = $1 AND indexname = 'indexed_email_2'", [schema]);
      expect(rows).toHaveLength(1);
    } else {
      expect(concurrent!.notTraced).toMatchObject({ why: "needs no transaction block", code: "25001" });
    }
  });

  it("ADD FOREIGN KEY locks both tables SHARE ROW EXCLUSIVE and validates; NOT VALID + VALIDATE splits the work", async () => {
    await db().exec(`
      CREATE TABLE fk_parent (id int PRIMARY KEY);
      CREATE TABLE fk_child (id int PRIMARY KEY, parent_id int, other_id int);
      INSERT INTO fk_parent SELECT generate_series(1, 50);
      INSERT INTO fk_child SELECT g, g, g FROM generate_series(1, 50) g;`);
    const [validated, notValid, validate] = statements(
      await trace(
        db(),
        [
          "ALTER TABLE fk_child ADD CONSTRAINT fk_child_parent FOREIGN KEY (parent_id) REFERENCES fk_parent (id);",
          "ALTER TABLE fk_child ADD CONSTRAINT fk_child_other FOREIGN KEY (other_id) REFERENCES fk_parent (id) NOT VALID;",
          "ALTER TABLE fk_child VALIDATE CONSTRAINT fk_child_other;",
          "",
        ].join("\n"),
      ),
    );
    expect(locksOn(validated!, "fk_child")).toEqual(["SHARE ROW EXCLUSIVE (observed)"]);
    expect(locksOn(validated!, "fk_parent")).toEqual(["SHARE ROW EXCLUSIVE (observed)"]);
    expect(validated!.constraints).toMatchObject([{ name: "fk_child_parent", type: "FOREIGN KEY", change: "added", validated: true }]);
    expect(validated!.findings.map((f) => f.rule)).toEqual(["require-lock-timeout", "require-not-valid-constraint", "no-foreign-key-without-index"]);

    expect(locksOn(notValid!, "fk_child")).toEqual([again("SHARE ROW EXCLUSIVE")]);
    expect(notValid!.constraints).toMatchObject([{ name: "fk_child_other", change: "added", validated: false }]);
    expect(notValid!.findings.map((f) => f.rule)).not.toContain("require-not-valid-constraint");

    expect(locksOn(validate!, "fk_child")).toEqual(["SHARE UPDATE EXCLUSIVE (observed)"]);
    expect(validate!.locks.filter((l) => l.relation === "fk_parent").every((l) => !l.blocksWrites)).toBe(true);
    expect(validate!.constraints).toMatchObject([{ name: "fk_child_other", change: "validated", validated: true }]);
    expect(validate!.findings).toEqual([]);
  });

  it("a foreign key on a new all-NULL column is not checked; with a default it is (ROW SHARE on the referenced table)", async () => {
    await db().exec("CREATE TABLE ref_parent (id int PRIMARY KEY); INSERT INTO ref_parent VALUES (1); CREATE TABLE ref_child (id int); INSERT INTO ref_child VALUES (1);");
    const [unchecked, checked] = statements(
      await trace(db(), "ALTER TABLE ref_child ADD COLUMN a int REFERENCES ref_parent;\nALTER TABLE ref_child ADD COLUMN b int DEFAULT 1 REFERENCES ref_parent;\n"),
    );
    expect(unchecked!.constraints).toMatchObject([{ type: "FOREIGN KEY", change: "added", validated: true }]);
    expect(unchecked!.findings.map((f) => f.rule)).not.toContain("require-not-valid-constraint");
    expect(checked!.findings.map((f) => f.rule)).toContain("require-not-valid-constraint");
    expect(checked!.comparison.agree).toContain("require-not-valid-constraint");
  });

  it("a foreign key needs an index leading with its columns; a partial one serves only if it keeps every non-NULL key", async () => {
    await db().exec("CREATE TABLE fki_parent (id int PRIMARY KEY);");
    const sql = (name: string, index: string): string =>
      `CREATE TABLE ${name} (id int PRIMARY KEY, parent_id int REFERENCES fki_parent, kind text);\n${index.replaceAll("$t", name)}\n`;
    const rulesOf = async (name: string, index: string): Promise<string[]> =>
      statements(await trace(db(), sql(name, index)))[0]!.findings.map((f) => f.rule);
    expect(await rulesOf("fki_none", "SELECT 1;")).toContain("no-foreign-key-without-index");
    expect(await rulesOf("fki_full", "CREATE INDEX ON $t (parent_id, kind);")).not.toContain("no-foreign-key-without-index");
    expect(await rulesOf("fki_second", "CREATE INDEX ON $t (kind, parent_id);")).toContain("no-foreign-key-without-index");
    expect(await rulesOf("fki_not_null", "CREATE INDEX ON $t (parent_id) WHERE parent_id IS NOT NULL;")).not.toContain("no-foreign-key-without-index");
    expect(await rulesOf("fki_other", "CREATE INDEX ON $t (parent_id) WHERE kind IS NULL;")).toContain("no-foreign-key-without-index");
  });

  it("a statement that cannot run is reported with PostgreSQL's error, and the run goes on", async () => {
    await db().exec("CREATE TABLE goes_on (id int PRIMARY KEY);");
    const [missing, after] = statements(await trace(db(), "CREATE EXTENSION no_such_extension;\nALTER TABLE goes_on ADD COLUMN x int;\n"));
    expect(missing!.notTraced).toMatchObject({ why: "failed" });
    expect(missing!.notTraced!.message).toMatch(/no_such_extension/);
    expect(locksOn(after!, "goes_on")).toEqual(["ACCESS EXCLUSIVE (observed)"]);
  });

  it("statements of one transaction: locks are held to its end, and a further statement while they are is a finding", async () => {
    await db().exec("CREATE TABLE tx_a (id int PRIMARY KEY); CREATE TABLE tx_b (id int PRIMARY KEY);");
    const run = await trace(db(), "BEGIN;\nSET LOCAL lock_timeout = '3s';\nALTER TABLE tx_a ADD COLUMN x int;\nALTER TABLE tx_b ADD COLUMN y int;\nCOMMIT;\n");
    const [set, first, second] = statements(run);
    expect(set!.statement).toMatch(/^SET LOCAL/);
    // SET LOCAL is in force for the rest of the migration's transaction, though each statement was traced on its own.
    expect(first!.lockTimeout).toBe("3s");
    expect(second!.lockTimeout).toBe("3s");
    expect(first!.findings.map((f) => f.rule)).toEqual([]);
    expect(second!.findings.map((f) => f.rule)).toEqual(["no-statement-after-exclusive-lock"]);
    const held = first!.locks.find((l) => l.relation === "tx_a")!;
    expect(held.heldMs).toBeCloseTo((first!.ms ?? 0) + (second!.ms ?? 0), 5);
    // After the transaction, SET LOCAL is gone.
    const { rows } = await db().query<{ v: string }>("SELECT current_setting('lock_timeout') AS v");
    expect(rows[0]!.v).toBe("0");
  });

  it("traces hostile identifiers and seeds their tables (--rows)", async () => {
    const table = 'We"ird Table; DROP TABLE x; --';
    const column = 'Col "1"';
    const odd = quoteIdent(table);
    await db().exec(`
      CREATE TABLE ${odd} (${quoteIdent(column)} int PRIMARY KEY, "Name" varchar(5) NOT NULL UNIQUE, note text);
      CREATE TABLE "Child ""Rows""" (id bigserial PRIMARY KEY, parent int NOT NULL REFERENCES ${odd} (${quoteIdent(column)}), kind boolean NOT NULL);`);
    const run = await trace(db(), `ALTER TABLE ${odd} ADD COLUMN ${quoteIdent("New Col")} int;\n`, { rows: 40 });
    expect(run.seeding?.skipped).toEqual([]);
    expect(run.seeding?.tables.map((t) => [t.table, t.rows])).toEqual(
      expect.arrayContaining([
        [`${quoteIdent(schema)}.${odd}`, 40],
        [`${quoteIdent(schema)}."Child ""Rows"""`, 40],
      ]),
    );
    const [add] = statements(run);
    expect(locksOn(add!, odd)).toEqual(["ACCESS EXCLUSIVE (observed)"]);
    if (committed()) {
      const { rows } = await db().query<{ n: number }>(`SELECT count(*)::int AS n FROM "Child ""Rows""" c JOIN ${odd} p ON p.${quoteIdent(column)} = c.parent`);
      expect(rows[0]!.n).toBe(40);
    } else {
      const { rows } = await db().query<{ n: number }>(`SELECT count(*)::int AS n FROM ${odd}`);
      expect(rows[0]!.n).toBe(0); // the seeded rows went with the rollback
    }
  });

  it("compares with the lint ESLint gives in the project's directory: the migrations before the file, from there", async () => {
    // A project whose migrations are where the history looks for them by default (db/migrations).
    const project = migrations({});
    const folder = join(project, "db", "migrations");
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, "001_tables.sql"), "CREATE TABLE parents (id int PRIMARY KEY);\nCREATE TABLE kids (id int PRIMARY KEY, parent_id int);\n");
    writeFileSync(join(folder, "002_fk.sql"), "ALTER TABLE kids ADD CONSTRAINT kids_parent_fk FOREIGN KEY (parent_id) REFERENCES parents (id) NOT VALID;\n");
    const isolation = db().kind === "pglite" ? "commit" : "rollback";
    const fkOf = (run: TraceRun) => statements(run).find((s) => s.statement.includes("kids_parent_fk"))!;
    // In the project (cwd): the lint knows from 001 that kids has no index on parent_id, as the trace sees.
    const inside = await traceMigrations({ targets: [join(folder, "002_fk.sql")], history: [folder], cwd: project, db: { database: db(), isolation } });
    expect(fkOf(inside).comparison.agree).toContain("no-foreign-key-without-index");
    await db().exec("DROP TABLE IF EXISTS kids, parents");
    // A file outside the working directory is linted without the history (not searched for from the disk's root):
    // the lint cannot know the table's indexes and stays silent; the trace still sees it.
    const outside = await traceMigrations({ targets: [join(folder, "002_fk.sql")], history: [folder], cwd: join(project, "elsewhere"), db: { database: db(), isolation } });
    expect(fkOf(outside).comparison.traceOnly).toContain("no-foreign-key-without-index");
    await db().exec("DROP TABLE IF EXISTS kids, parents");
  });

  it("traces TS/JS migrations through the extractor: the SQL they run, at their lines, under the framework's transaction", async () => {
    const project = migrations({});
    const folder = join(project, "migrations");
    mkdirSync(folder, { recursive: true });
    // TypeORM: raw queryRunner.query strings, the file wrapped in one transaction; the first migration is history.
    writeFileSync(
      join(folder, "1700000000000-Create.ts"),
      `import { MigrationInterface, QueryRunner } from "typeorm";
export class Create1700000000000 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(\`CREATE TABLE "accounts" ("id" SERIAL PRIMARY KEY, "email" varchar(40) NOT NULL)\`);
  }
  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(\`DROP TABLE "accounts"\`);
  }
}
`,
    );
    writeFileSync(
      join(folder, "1700000000001-Change.ts"),
      `import { MigrationInterface, QueryRunner } from "typeorm";
export class Change1700000000001 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(\`ALTER TABLE "accounts" ALTER COLUMN "id" TYPE bigint\`);
    await queryRunner.query(
      \`CREATE INDEX "accounts_email_idx" ON "accounts" ("email")\`,
    );
  }
  public async down(queryRunner: QueryRunner): Promise<void> {}
}
`,
    );
    // knex (JavaScript): a builder call translated to the SQL knex sends.
    writeFileSync(
      join(folder, "1700000000002_nickname.js"),
      `exports.up = async function (knex) {
  await knex.schema.alterTable("accounts", (table) => {
    table.string("nickname");
  });
};
exports.down = async function () {};
`,
    );
    writeFileSync(join(folder, "helpers.ts"), "export const TABLE = 'accounts';\n");
    const isolation = db().kind === "pglite" ? "commit" : "rollback";
    const run = await traceMigrations({
      targets: [join(folder, "1700000000001-Change.ts"), join(folder, "1700000000002_nickname.js"), join(folder, "helpers.ts")],
      history: [folder],
      cwd: project,
      db: { database: db(), isolation },
    });
    const byFile = Object.fromEntries(run.files.map((f) => [f.file.split("/").pop(), f]));
    const [retype, index] = byFile["1700000000001-Change.ts"]!.statements;
    // Lines of the TS file (the second statement's SQL starts on the line after its call); what PostgreSQL did.
    expect([retype!.line, index!.line]).toEqual([4, 6]);
    expect(retype!.rewritten).toContain("accounts");
    expect(locksOn(retype!, "accounts")).toEqual([again("ACCESS EXCLUSIVE")]);
    expect(retype!.comparison.agree).toEqual(expect.arrayContaining(["no-column-type-change", "require-lock-timeout"]));
    // TypeORM runs the file in one transaction: the index is built while the ACCESS EXCLUSIVE lock is still held.
    expect(index!.findings.map((f: { rule: string }) => f.rule)).toEqual(expect.arrayContaining(["require-concurrent-index", "no-statement-after-exclusive-lock"]));
    expect(index!.comparison.agree).toEqual(expect.arrayContaining(["require-concurrent-index", "no-statement-after-exclusive-lock"]));
    const [nickname] = byFile["1700000000002_nickname.js"]!.statements;
    // At the line of the call it comes from (`table.string("nickname")`).
    expect(nickname).toMatchObject({ line: 3, statement: "ALTER TABLE accounts ADD COLUMN nickname varchar(255)" });
    expect(nickname!.notTraced).toBeUndefined();
    expect(await columnExists("accounts", "nickname")).toBe(committed());
    // A file in the folder that runs no migration SQL is said to be one, not traced as an empty migration.
    expect(byFile["helpers.ts"]).toMatchObject({ statements: [], error: expect.stringContaining("not read as a migration") });
    if (committed()) await db().exec("DROP TABLE accounts");
  });
});
