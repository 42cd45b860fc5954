/**
 * Every verdict of classifyTypeChange that no-column-type-change relies on, checked against PostgreSQL itself: for
 * each row of the matrix a table with rows and a btree index on the column is created, the column's type changed,
 * and pg_class.relfilenode compared before and after (a rewrite gives the table — and a rebuild the index — a new
 * file). Runs on PGlite (PostgreSQL 18) and on the server at DATABASE_URL (PostgreSQL 15 here).
 */
import type { CollateClause, Node, TypeName } from "@pgsql/types";
import { expect, it } from "vitest";
import { quoteIdent, quoteLiteral } from "../../src/sql/names.js";
import { parseSql } from "../../src/sql/pg-parser.js";
import { classifyTypeChange, columnTypeOf, isPlainUsing, UTC_TIME_ZONES } from "../../src/sql/type-changes.js";
import { describeOnDatabases } from "../helpers/databases.js";
import { BINARY_COERCIBLE, INTERNAL_CASTS, MATRIX, type MatrixRow } from "./type-changes-matrix.js";

/** The ALTER COLUMN … TYPE of a matrix row, parsed: the new type, and the USING expression if any. */
function alterOf(type: string, using?: string): { typeName: TypeName; collation?: CollateClause; using?: Node } {
  const result = parseSql(`ALTER TABLE t ALTER COLUMN c TYPE ${type}${using ? ` USING ${using}` : ""}`);
  const stmt = result.stmts?.[0]?.stmt as {
    AlterTableStmt: { cmds: { AlterTableCmd: { def: { ColumnDef: { typeName: TypeName; collClause?: CollateClause; raw_default?: Node } } } }[] };
  };
  const def = stmt.AlterTableStmt.cmds[0]!.AlterTableCmd.def.ColumnDef;
  return { typeName: def.typeName, ...(def.collClause ? { collation: def.collClause } : {}), ...(def.raw_default ? { using: def.raw_default } : {}) };
}

/** What classifyTypeChange says of a row, in the matrix's terms. */
function predicted(row: MatrixRow): string {
  const to = alterOf(row.to, row.using);
  const using = to.using !== undefined && !isPlainUsing(to.using, "c", to.typeName);
  const verdict = classifyTypeChange(alterOf(row.from), to, { using, ...(row.timeZone ? { sessionTimeZone: row.timeZone } : {}) });
  if (verdict.kind === "no-rewrite") return verdict.indexes === "kept" ? "kept" : "index-rebuilt";
  return verdict.kind;
}

const label = (row: MatrixRow) => `${row.from} → ${row.to}${row.using ? ` USING ${row.using}` : ""}${row.timeZone ? ` (TimeZone ${row.timeZone})` : ""}`;

it.each(MATRIX.map((row) => [label(row), row] as const))("classifyTypeChange: %s", (_, row) => {
  expect(predicted(row)).toBe(row.expect);
});

describeOnDatabases("type changes on PostgreSQL", (db) => {
  /** Files of the table and of its index on c, before and after the change. */
  async function files(): Promise<{ table: number; index: number | null }> {
    const { rows } = await db().query<{ table: number; index: number | null }>(
      "SELECT t.relfilenode::int AS table, (SELECT i.relfilenode::int FROM pg_class i WHERE i.oid = to_regclass('type_change_probe_c')) AS index FROM pg_class t WHERE t.oid = to_regclass('type_change_probe')",
    );
    return rows[0]!;
  }

  it.each(MATRIX.map((row) => [label(row), row] as const))("%s", async (_, row) => {
    await db().exec("DROP TABLE IF EXISTS type_change_probe; RESET TIME ZONE;");
    await db().exec(`CREATE TABLE type_change_probe (id int, c ${row.from}); INSERT INTO type_change_probe SELECT g, ${row.value} FROM generate_series(1, 20) g;`);
    const indexed = await db()
      .exec("CREATE INDEX type_change_probe_c ON type_change_probe (c)")
      .then(() => true, () => false); // xml has no btree operator class
    const before = await files();
    if (row.timeZone) await db().exec(`SET TIME ZONE ${quoteLiteral(row.timeZone)}`);
    await db().exec(`ALTER TABLE type_change_probe ALTER COLUMN c TYPE ${row.to}${row.using ? ` USING ${row.using}` : ""}`);
    const after = await files();
    await db().exec("RESET TIME ZONE");
    const measured = before.table !== after.table ? "rewrite" : indexed && before.index !== after.index ? "index-rebuilt" : "kept";
    expect(measured).toBe(row.expect);
  });

  it("the matrix has a row for every binary-coercible cast of pg_cast between column types", async () => {
    const { rows } = await db().query<{ source: string; target: string }>(
      "SELECT s.typname AS source, t.typname AS target FROM pg_cast c JOIN pg_type s ON s.oid = c.castsource JOIN pg_type t ON t.oid = c.casttarget WHERE c.castmethod = 'b' ORDER BY 1, 2",
    );
    const covered = new Set(BINARY_COERCIBLE.map((row) => `${columnTypeOf(alterOf(row.from).typeName).name}→${columnTypeOf(alterOf(row.to).typeName).name}`));
    const casts = rows.map((r) => `${r.source}→${r.target}`).filter((cast) => !INTERNAL_CASTS.includes(cast));
    expect(casts.filter((cast) => !covered.has(cast))).toEqual([]);
    expect([...covered].filter((cast) => !casts.includes(cast))).toEqual([]);
  });

  it.each(UTC_TIME_ZONES)("TimeZone %s: timestamp → timestamptz keeps the table (a fixed offset of zero)", async (zone) => {
    await db().exec(`DROP TABLE IF EXISTS type_change_probe; CREATE TABLE type_change_probe (id int, c timestamp); INSERT INTO type_change_probe VALUES (1, now());`);
    const before = await files();
    await db().exec(`SET TIME ZONE ${quoteLiteral(zone)}; ALTER TABLE type_change_probe ALTER COLUMN ${quoteIdent("c")} TYPE timestamptz; RESET TIME ZONE;`);
    expect((await files()).table).toBe(before.table);
  });
});
