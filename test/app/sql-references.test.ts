/**
 * Column and table references of SQL statements, attributed to tables the way PostgreSQL resolves names.
 */
import { describe, expect, it } from "vitest";
import { columnNameRange, referencesOf, tableNameRange } from "../../src/app/sql-references.js";
import { parseSql } from "../../src/sql/pg-parser.js";

function refs(sql: string) {
  const found = referencesOf((parseSql(sql).stmts ?? []).map((s) => s.stmt));
  return {
    columns: found.columns.map((c) => `${c.access} ${c.tables.map((t) => (t.schema ? `${t.schema}.${t.name}` : t.name)).join("|") || "-"}.${c.column}`),
    tables: found.tables.map((t) => t.table.name),
    writes: found.writes.map((w) => `${w.table.name}(${w.columns.map((c) => c.column).join(",")})`),
  };
}

describe("referencesOf", () => {
  it("resolves aliases and qualified names; unqualified names in a join may belong to either table", () => {
    // The join condition is read with the FROM list, before the select list.
    expect(refs("SELECT u.full_name, display_name FROM app.users u JOIN orders o ON o.user_id = u.id").columns).toEqual([
      "read orders.user_id",
      "read app.users.id",
      "read app.users.full_name",
      "read app.users|orders.display_name",
    ]);
  });

  it("columns of subqueries and CTEs are not table columns; correlated references reach the outer query", () => {
    expect(refs("WITH recent AS (SELECT id FROM users) SELECT r.id FROM recent r").columns).toEqual(["read users.id", "read -.id"]);
    expect(refs("SELECT x.a FROM (SELECT b AS a FROM t) x").columns).toEqual(["read t.b", "read -.a"]);
    expect(refs("SELECT 1 FROM users u WHERE EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.id)").columns).toEqual(["read orders.user_id", "read users.id"]);
    expect(refs("WITH recent AS (SELECT 1) SELECT * FROM recent").tables).toEqual([]);
  });

  it("set operations, INSERT … SELECT, UPDATE … FROM, DELETE … USING, RETURNING", () => {
    expect(refs("SELECT a FROM x UNION SELECT b FROM y").columns).toEqual(["read x.a", "read y.b"]);
    expect(refs("INSERT INTO users (email, full_name) SELECT email, name FROM staging").columns).toEqual(["write users.email", "write users.full_name", "read staging.email", "read staging.name"]);
    expect(refs("UPDATE users u SET display_name = s.name FROM staging s WHERE s.id = u.id RETURNING u.id").columns).toEqual([
      "write users.display_name",
      "read staging.name",
      "read staging.id",
      "read users.id",
      "read users.id",
    ]);
    expect(refs("DELETE FROM users u USING bans b WHERE b.user_id = u.id").columns).toEqual(["read bans.user_id", "read users.id"]);
  });

  it("groups the columns each INSERT or UPDATE writes, with ON CONFLICT's update as a write of its own", () => {
    const found = refs("INSERT INTO users (id, full_name) VALUES (1, 'a') ON CONFLICT (id) DO UPDATE SET display_name = EXCLUDED.full_name");
    expect(found.writes).toEqual(["users(id,full_name)", "users(display_name)"]);
    expect(found.columns).toContain("read -.full_name"); // EXCLUDED.full_name is the proposed row, not a table column
  });

  it("finds the exact token of a column and of a table name, quoted names included", () => {
    const sql = 'SELECT u."Full Name" FROM app."Users" u';
    const found = referencesOf((parseSql(sql).stmts ?? []).map((s) => s.stmt));
    const [start, end] = columnNameRange(sql, found.columns[0]!)!;
    expect(sql.slice(start, end)).toBe('"Full Name"');
    const [tStart, tEnd] = tableNameRange(sql, found.tables[0]!.location)!;
    expect(sql.slice(tStart, tEnd)).toBe('app."Users"');
  });
});
