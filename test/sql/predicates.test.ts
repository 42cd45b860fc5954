/**
 * WHERE-clause analysis for UPDATE/DELETE: which predicates bound the rows touched to a batch, which do not.
 */
import type { DeleteStmt, Node, SelectStmt, UpdateStmt } from "@pgsql/types";
import { describe, expect, it } from "vitest";
import { parseDocument } from "../../src/sql/document.js";
import { parseSql } from "../../src/sql/pg-parser.js";
import { conjuncts, doBlockVariables, isConstant, isLimitedSelect, rowBound, type RowBound } from "../../src/sql/predicates.js";
import type { ParsedStatement } from "../../src/sql/statement.js";

function stmt(sql: string): Node {
  const node = parseSql(sql).stmts?.[0]?.stmt;
  if (!node) throw new Error(`no statement in ${sql}`);
  return node;
}

function dml(sql: string): UpdateStmt | DeleteStmt {
  const node = stmt(sql);
  if ("UpdateStmt" in node) return node.UpdateStmt;
  if ("DeleteStmt" in node) return node.DeleteStmt;
  throw new Error(`not an UPDATE or DELETE: ${sql}`);
}

const bound = (sql: string, variables?: string[]): RowBound | undefined =>
  rowBound(dml(sql), variables ? { variables: new Set(variables) } : {});

describe("rowBound: bounded forms", () => {
  it.each<[string, RowBound]>([
    ["UPDATE t SET a = 1 WHERE id = 42", { kind: "equality", column: "id" }],
    ["UPDATE t SET a = 1 WHERE 42 = id", { kind: "equality", column: "id" }],
    ["UPDATE t SET a = 1 WHERE t.id = $1", { kind: "equality", column: "id" }],
    ["UPDATE t SET a = 1 WHERE id = $1::bigint AND a IS NULL", { kind: "equality", column: "id" }],
    ["UPDATE t SET a = 1 WHERE a IS NULL AND id = '5'::bigint", { kind: "equality", column: "id" }],
    ["UPDATE t SET a = 1 WHERE id IS NOT DISTINCT FROM $1", { kind: "equality", column: "id" }],
    ["UPDATE t SET a = 1 WHERE id OPERATOR(pg_catalog.=) 7", { kind: "equality", column: "id" }],
    ["UPDATE t SET a = 1 WHERE (a, b) = ($1, $2)", { kind: "equality", column: "(a,b)" }],
    ["UPDATE t SET a = 1 WHERE (a, b) > ($1, $2) AND (a, b) <= ($3, $4)", { kind: "range", column: "(a,b)" }],
    ["DELETE FROM t WHERE id IN (1, 2, 3)", { kind: "in-list", column: "id" }],
    ["DELETE FROM t WHERE id = ANY($1::bigint[])", { kind: "in-list", column: "id" }],
    ["DELETE FROM t WHERE id = ANY(ARRAY[1, 2])", { kind: "in-list", column: "id" }],
    ["DELETE FROM t WHERE id IN (SELECT id FROM t WHERE a IS NULL ORDER BY id LIMIT 1000)", { kind: "limited-subquery", column: "id" }],
    ["DELETE FROM t WHERE id = ANY(SELECT id FROM t LIMIT 10)", { kind: "limited-subquery", column: "id" }],
    ["DELETE FROM t WHERE id IN (SELECT id FROM t FETCH FIRST 10 ROWS ONLY)", { kind: "limited-subquery", column: "id" }],
    ["DELETE FROM t WHERE id IN (VALUES (1), (2))", { kind: "limited-subquery", column: "id" }],
    ["DELETE FROM t WHERE id = ANY(ARRAY(SELECT id FROM t WHERE a IS NULL LIMIT 500))", { kind: "limited-subquery", column: "id" }],
    ["DELETE FROM t WHERE id BETWEEN $1 AND $2", { kind: "range", column: "id" }],
    ["DELETE FROM t WHERE id BETWEEN SYMMETRIC 1 AND 1000", { kind: "range", column: "id" }],
    ["UPDATE t SET a = 1 WHERE id >= $1 AND a IS NULL AND id < $1 + 1000", { kind: "range", column: "id" }],
    ["UPDATE t SET a = 1 WHERE $2 > id AND id > $1", { kind: "range", column: "id" }],
    ["UPDATE t SET a = 1 WHERE created_at >= now() - interval '1 day' AND created_at < now()", { kind: "range", column: "created_at" }],
    ["UPDATE t SET a = 1 WHERE id = 1 OR id = 2", { kind: "equality", column: "id" }],
    ["UPDATE t SET a = 1 WHERE a IS NULL AND (id = 1 OR id IN (3, 4))", { kind: "equality", column: "id" }],
    ["DELETE FROM t WHERE CURRENT OF batch_cursor", { kind: "current-of" }],
  ])("%s", (sql, expected) => {
    expect(bound(sql)).toEqual(expected);
  });

  it("accepts the batch form of WORKFLOW.md step 3 (UPDATE … FROM a LIMITed subquery joined on the key)", () => {
    const sql = `UPDATE users u SET display_name = normalize(u.full_name)
FROM (SELECT id FROM users WHERE display_name IS NULL AND id > $1 ORDER BY id LIMIT 1000 FOR UPDATE SKIP LOCKED) b
WHERE u.id = b.id RETURNING u.id`;
    expect(bound(sql)).toEqual({ kind: "batch-join", source: "b" });
  });

  it("accepts DELETE … USING a LIMITed subquery, and a join on either side of the =", () => {
    expect(bound("DELETE FROM t USING (SELECT id FROM t LIMIT 10) b WHERE b.id = t.id")).toEqual({ kind: "batch-join", source: "b" });
  });

  it("accepts a LIMITed CTE used as the batch, joined or in IN (SELECT …)", () => {
    const cte = "WITH batch AS (SELECT id FROM users WHERE x IS NULL ORDER BY id LIMIT 500) ";
    expect(bound(`${cte}UPDATE users SET x = 1 FROM batch WHERE users.id = batch.id`)).toEqual({ kind: "batch-join", source: "batch" });
    expect(bound(`${cte}UPDATE users SET x = 1 FROM batch b WHERE users.id = b.id`)).toEqual({ kind: "batch-join", source: "b" });
    expect(bound(`${cte}UPDATE users SET x = 1 WHERE id IN (SELECT id FROM batch)`)).toEqual({ kind: "limited-subquery", column: "id" });
  });

  it("treats PL/pgSQL variables as values, not columns", () => {
    expect(bound("UPDATE t SET a = 1 WHERE id > last_id AND id <= last_id + 1000", ["last_id"])).toEqual({ kind: "range", column: "id" });
    expect(bound("UPDATE t SET a = 1 WHERE id = r.id", ["r"])).toEqual({ kind: "equality", column: "id" });
  });
});

describe("rowBound: unbounded forms", () => {
  it.each([
    "UPDATE t SET a = 1",
    "UPDATE users SET display_name = full_name WHERE display_name IS NULL",
    "DELETE FROM events WHERE created_at < now()",
    "DELETE FROM t WHERE id > $1",
    "DELETE FROM t WHERE id > 1 AND other < 5",
    "UPDATE t SET a = 1 WHERE (a, b) > ($1, $2)",
    "DELETE FROM t WHERE id NOT IN (1, 2)",
    "DELETE FROM t WHERE id <> 5",
    "DELETE FROM t WHERE id NOT BETWEEN 1 AND 5",
    "DELETE FROM t WHERE id BETWEEN 1 AND other_col",
    "DELETE FROM t WHERE id = other_col",
    "DELETE FROM t WHERE lower(email) = 'a@b.c'",
    "DELETE FROM t WHERE id = (SELECT max(id) FROM t)",
    "DELETE FROM t WHERE id IN (SELECT id FROM t WHERE a IS NULL)",
    "DELETE FROM t WHERE id IN (SELECT id FROM t LIMIT ALL)",
    "DELETE FROM t WHERE id = ANY(ARRAY(SELECT id FROM t))",
    "DELETE FROM t WHERE EXISTS (SELECT 1 FROM other LIMIT 1)",
    "DELETE FROM t WHERE id = 1 OR a IS NULL",
    "DELETE FROM t WHERE NOT (id = 1)",
    "UPDATE t SET a = 1 WHERE true",
    "UPDATE t SET a = 1 WHERE last_id < id AND id <= last_id + 10",
  ])("%s", (sql) => {
    expect(bound(sql)).toBeUndefined();
  });

  it("needs the join to the LIMITed source: a cross join touches every row", () => {
    expect(bound("UPDATE t SET a = 1 FROM (SELECT id FROM t LIMIT 10) b WHERE t.a IS NULL")).toBeUndefined();
    expect(bound("UPDATE t SET a = 1 FROM (SELECT id FROM t LIMIT 10) b WHERE t.a = t.b")).toBeUndefined();
    expect(bound("UPDATE t SET a = 1 FROM (SELECT id FROM t) b WHERE t.id = b.id")).toBeUndefined();
    expect(bound("UPDATE t SET a = 1 FROM s WHERE t.id = s.id")).toBeUndefined();
  });

  it("does not take a table named like a CTE of another statement, or a schema-qualified table, for the batch", () => {
    expect(bound("UPDATE t SET a = 1 FROM app.batch WHERE t.id = batch.id")).toBeUndefined();
    expect(bound("WITH batch AS (SELECT id FROM t) UPDATE t SET a = 1 FROM batch WHERE t.id = batch.id")).toBeUndefined();
  });
});

describe("helpers", () => {
  it("conjuncts flattens nested ANDs only", () => {
    const where = dml("DELETE FROM t WHERE a = 1 AND (b = 2 AND (c = 3 OR d = 4))").whereClause;
    expect(conjuncts(where).map((n) => Object.keys(n)[0])).toEqual(["A_Expr", "A_Expr", "BoolExpr"]);
    expect(conjuncts(undefined)).toEqual([]);
  });

  it("isConstant accepts values that do not depend on the row", () => {
    const where = (sql: string) => dml(`DELETE FROM t WHERE x = ${sql}`).whereClause!;
    const right = (sql: string) => ("A_Expr" in where(sql) ? (where(sql) as { A_Expr: { rexpr: Node } }).A_Expr.rexpr : undefined);
    expect(isConstant(right("$1 + 1000"))).toBe(true);
    expect(isConstant(right("coalesce($1, 0)"))).toBe(true);
    expect(isConstant(right("CURRENT_DATE - 7"))).toBe(true);
    expect(isConstant(right("y"))).toBe(false);
    expect(isConstant(right("y"), { variables: new Set(["y"]) })).toBe(true);
    expect(isConstant(right("count(*)"))).toBe(false);
    expect(isConstant(right("(SELECT 1)"))).toBe(false);
  });

  it("isLimitedSelect follows single-source SELECTs down to a LIMIT", () => {
    const select = (sql: string): SelectStmt => (stmt(sql) as { SelectStmt: SelectStmt }).SelectStmt;
    expect(isLimitedSelect(select("SELECT id FROM (SELECT id FROM t LIMIT 5) s WHERE id > 2"))).toBe(true);
    expect(isLimitedSelect(select("WITH b AS (SELECT id FROM t LIMIT 5) SELECT id FROM b"))).toBe(true);
    expect(isLimitedSelect(select("SELECT id FROM t UNION SELECT id FROM u"))).toBe(false);
    expect(isLimitedSelect(select("(SELECT id FROM t UNION SELECT id FROM u) LIMIT 3"))).toBe(true);
    expect(isLimitedSelect(select("SELECT id FROM (SELECT id FROM t LIMIT 5) s, u"))).toBe(false);
    expect(isLimitedSelect(select("WITH b AS (SELECT id FROM b LIMIT 5) SELECT id FROM c"))).toBe(false);
  });

  it("doBlockVariables lists DECLAREd and loop variables of a DO block", () => {
    const outcome = parseDocument(
      "DO $$\nDECLARE last_id bigint := 0; r record;\nBEGIN\n  FOR i IN 1..3 LOOP\n    UPDATE t SET a = 1 WHERE id > last_id;\n  END LOOP;\nEND $$;",
    );
    if (!outcome.ok) throw new Error(outcome.message);
    const doStatement = outcome.document.statements[0] as ParsedStatement;
    const names = doBlockVariables(doStatement);
    expect([...names].sort()).toEqual(expect.arrayContaining(["i", "last_id", "r"]));
    expect(doBlockVariables(doStatement)).toBe(names);
  });
});
