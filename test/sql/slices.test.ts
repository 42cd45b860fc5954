/**
 * The proofs behind every slice of statement text (src/sql/slices.ts): a piece of SQL is accepted as an expression
 * or a condition only when it parses to exactly the tree the statement holds, positions aside.
 */
import { describe, expect, it } from "vitest";
import type { Node } from "@pgsql/types";
import { parseSql } from "../../src/sql/pg-parser.js";
import { unwrap } from "../../src/sql/statement.js";
import { isConditionText, isExpressionText, treeShape } from "../../src/sql/slices.js";

/** The WHERE condition and first SELECT value of a parsed statement. */
function partsOf(sql: string): { value: Node; where: Node } {
  const select = unwrap(parseSql(sql).stmts![0]!.stmt, "SelectStmt")!;
  return { value: unwrap(select.targetList![0], "ResTarget")!.val!, where: select.whereClause! };
}

describe("slice proofs", () => {
  const { value, where } = partsOf("SELECT   ARRAY[a, 'x'] || b FROM t WHERE   c IN (1, 2) AND d = ANY (ARRAY[3])");

  it("compare trees without any of their positions (PostgreSQL 18 records list_start, rexpr_list_start, …)", () => {
    expect(JSON.stringify(where)).toMatch(/rexpr_list_start|list_start/);
    expect(treeShape(where)).not.toMatch(/location|list_start|list_end/);
    expect(isExpressionText("ARRAY[a, 'x'] || b", value)).toBe(true);
    expect(isConditionText("c IN (1, 2) AND d = ANY (ARRAY[3])", where)).toBe(true);
  });

  it("refuse a text that is another expression, or more than one", () => {
    expect(isExpressionText("ARRAY[a, 'y'] || b", value)).toBe(false);
    expect(isExpressionText("ARRAY[a, 'x'] || b, c", value)).toBe(false);
    expect(isExpressionText("ARRAY[a, 'x'] || b FROM t", value)).toBe(false);
    expect(isConditionText("c IN (1, 2)", where)).toBe(false);
    expect(isConditionText("c IN (1, 2) AND d = ANY (ARRAY[3]) GROUP BY e", where)).toBe(false);
  });

  it("refuse text that does not parse, without throwing", () => {
    expect(isExpressionText("ARRAY[a, 'x'", value)).toBe(false);
    expect(isConditionText("c IN (1, 2) AND", where)).toBe(false);
  });
});
