/**
 * Names with quotes, spaces, upper case, `%`, line breaks and SQL-injection shapes, in a schema-qualified table:
 * every generated query, the SQL script and the markdown's code blocks run and report the right rows, and nothing
 * a name says is ever executed (the table `y` survives).
 */
import { fromMarkdown } from "mdast-util-from-markdown";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parseSql } from "../../src/sql/pg-parser.js";
import { planVerification, renderMarkdown, renderSqlScript, runChecks, type CheckResult } from "../../src/verify/index.js";
import { describeOnDatabases } from "../helpers/databases.js";

/** Always-quoted identifiers, written independently of the code under test. */
const q = (name: string): string => `"${name.replaceAll('"', '""')}"`;

const schema = `My "Schema" ${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
const table = `x"; DROP TABLE y; --`;
const old = "Full Name";
const neu = 'display"name';
const nullable = "multi\nDROP TABLE y; --line";
const narrowed = "a%sb";
const reference = "R%I";
const index = `idx "odd" %s`;
const check = "chk ' quote";
const fk = "fk %L \\ back";
const parent = "Ref Table";
const gone = "Gone');DROP TABLE y;--";
const S = (name: string): string => `${q(schema)}.${q(name)}`;

const MIGRATION = [
  `UPDATE ${S(table)} AS "Alias" SET ${q(neu)} = upper("Alias".${q(old)})`,
  `CREATE UNIQUE INDEX CONCURRENTLY ${q(index)} ON ${S(table)} (${q(neu)})`,
  `ALTER TABLE ${S(table)} ADD CONSTRAINT ${q(check)} CHECK (length(${q(old)}) > 1) NOT VALID`,
  `ALTER TABLE ${S(table)} ADD CONSTRAINT ${q(fk)} FOREIGN KEY (${q(reference)}) REFERENCES ${S(parent)} ("Id") NOT VALID`,
  `ALTER TABLE ${S(table)} VALIDATE CONSTRAINT ${q(check)}`,
  `ALTER TABLE ${S(table)} ALTER COLUMN ${q(nullable)} SET NOT NULL`,
  `ALTER TABLE ${S(table)} ALTER COLUMN ${q(narrowed)} TYPE varchar(2) USING upper(${q(narrowed)})`,
  `ALTER TABLE ${S(table)} DROP COLUMN ${q(old)}`,
  `DROP TABLE ${S(gone)}`,
].join(";\n");

describeOnDatabases("verify: hostile identifiers", (db) => {
  const plan = planVerification([{ path: "migrations/0001 odd\nname.sql", text: MIGRATION }]);
  let results: Record<string, CheckResult>;

  beforeAll(async () => {
    await db().exec(`
      CREATE TABLE y (id int);
      CREATE SCHEMA ${q(schema)};
      CREATE TABLE ${S(parent)} ("Id" int PRIMARY KEY);
      INSERT INTO ${S(parent)} VALUES (1);
      CREATE TABLE ${S(table)} (${q(old)} text, ${q(neu)} text, ${q(reference)} int, ${q(nullable)} text, ${q(narrowed)} text);
      INSERT INTO ${S(table)} VALUES
        ('a', NULL, 1, NULL, 'abc'),   -- missing; violates the CHECK; NULL in the NOT NULL column; too long
        ('cd', 'CD', 2, 'x', 'ab'),    -- clean; an orphan
        (NULL, '', NULL, 'y', NULL);   -- drifted ('' where NULL is expected)
      ALTER TABLE ${S(table)} ADD CONSTRAINT ${q(check)} CHECK (length(${q(old)}) > 1) NOT VALID;
      CREATE VIEW ${S("V \"iew\"")} AS SELECT ${q(old)} FROM ${S(table)};
      CREATE TABLE ${S(gone)} (id int);
    `);
    await db().exec(`CREATE UNIQUE INDEX CONCURRENTLY ${q(index)} ON ${S(table)} (${q(neu)})`);
    results = Object.fromEntries((await runChecks(db(), plan.checks)).map((r) => [r.check, r]));
  }, 120_000); // the concurrent build waits for other sessions' transactions on a shared server
  afterAll(async () => {
    await db().exec(`DROP SCHEMA IF EXISTS ${q(schema)} CASCADE`);
  });

  const T = `${q(schema)}.${q(table)}`;

  it("names every object as PostgreSQL would print it, and runs every query", () => {
    expect(plan.skipped).toEqual([]);
    expect(plan.checks.map((c) => c.id)).toEqual([
      `duplicates:${T}(${q(neu)})`,
      `index-valid:${q(schema)}.${q(index)}`,
      `check-violations:${T}.${q(check)}`,
      `fk-orphans:${T}.${q(fk)}`,
      `constraint-validated:${T}.${q(check)}`,
      `nulls:${T}.${q(nullable)}`,
      `type-fit:${T}.${q(narrowed)}`,
      `dependents:${T}.${q(old)}`,
      `queries:${T}.${q(old)}`,
      `dependents:${q(schema)}.${q(gone)}`,
      `queries:${q(schema)}.${q(gone)}`,
      `transition:${T}.${q(old)}->${q(neu)}`,
    ]);
    expect(Object.values(results).filter((r) => r.error !== undefined)).toEqual([]);
  });

  it("reports the right rows", () => {
    const figures = Object.fromEntries(Object.entries(results).map(([id, r]) => [id, r.figures]));
    expect(figures).toEqual({
      [`duplicates:${T}(${q(neu)})`]: { duplicate_groups: 0, duplicate_rows: 0 },
      [`index-valid:${q(schema)}.${q(index)}`]: { present: true, valid: true, ready: true },
      [`check-violations:${T}.${q(check)}`]: { violations: 1 },
      [`fk-orphans:${T}.${q(fk)}`]: { orphans: 1 },
      [`constraint-validated:${T}.${q(check)}`]: { present: true, validated: false },
      [`nulls:${T}.${q(nullable)}`]: { total: 3, nulls: 1 },
      [`type-fit:${T}.${q(narrowed)}`]: { total: 3, misfits: 1 },
      [`dependents:${T}.${q(old)}`]: { dependents: 1, mentions: 0 },
      [`queries:${T}.${q(old)}`]: { installed: false, statements: 0, calls: 0 },
      [`dependents:${q(schema)}.${q(gone)}`]: { dependents: 0, mentions: 0 },
      [`queries:${q(schema)}.${q(gone)}`]: { installed: false, statements: 0, calls: 0 },
      [`transition:${T}.${q(old)}->${q(neu)}`]: { total: 3, missing: 1, drifted: 2 },
    });
    expect(results[`dependents:${T}.${q(old)}`]!.detail).toContain(`view ${q(schema)}.${q('V "iew"')}`);
  });

  it("the SQL script runs as a whole, and the comments hold the names on their lines", async () => {
    const script = renderSqlScript(plan.checks, { files: ["migrations/0001 odd\nname.sql"], skipped: plan.skipped });
    // PostgreSQL's parser sees exactly the statements meant: nothing a name or a file name says became SQL.
    const kinds = (parseSql(script).stmts ?? []).map((s) => Object.keys(s.stmt!)[0]);
    expect(kinds).toEqual(["TransactionStmt", "VariableSetStmt", "VariableSetStmt", ...plan.checks.map(() => "SelectStmt"), "TransactionStmt"]);
    await db().exec(script);
    const { rows } = await db().query<{ n: number }>("SELECT count(*)::int AS n FROM y");
    expect(rows).toEqual([{ n: 0 }]);
  });

  it("the markdown keeps each query whole in its code block, and each block runs", async () => {
    const markdown = renderMarkdown(plan.checks, { skipped: plan.skipped, command: "migration-safety verify --run 'migrations/0001 odd\nname.sql'" });
    const tree = fromMarkdown(markdown);
    const blocks = tree.children.filter((node) => node.type === "code");
    expect(blocks.map((b) => b.value)).toEqual(plan.checks.map((c) => `${c.sql};`));
    expect(tree.children.filter((node) => node.type === "heading" && node.depth === 3)).toHaveLength(plan.checks.length);
    for (const block of blocks) await db().query(block.value.replace(/;$/, ""));
  });
});
