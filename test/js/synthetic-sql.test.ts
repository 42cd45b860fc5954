/**
 * The map from assembled SQL back to JavaScript source: character by character through strings (escapes take more
 * than one source character), whole spans for builder calls and interpolations, and ranges across pieces widened to
 * what they stand for.
 */
import { describe, expect, it } from "vitest";
import { SyntheticSql } from "../../src/eslint/js/synthetic-sql.js";

/**
 * Source `knex.raw('a\nDROP x')` — the string's text starts at index 10; `\n` takes source 11–12.
 *          0123456789012345678901
 */
const SOURCE = "knex.raw('a\\nDROP x')";

function fromString(): SyntheticSql {
  const sql = new SyntheticSql();
  sql.appendGlue("-- up\n");
  // "a", "\n" (from the two characters `\n`), then "DROP x"
  sql.append("a\nDROP x", { kind: "chars", sourceIndices: [10, 11, 13, 14, 15, 16, 17, 18], end: 19 });
  sql.appendGlue("\n;\n");
  return sql;
}

describe("SyntheticSql", () => {
  it("maps characters of a string through its escapes", () => {
    const sql = fromString();
    const at = (text: string) => [sql.text.indexOf(text), sql.text.indexOf(text) + text.length] as [number, number];
    expect(sql.toSource(at("DROP x"))).toEqual([13, 19]);
    expect(SOURCE.slice(13, 19)).toBe("DROP x");
    // The newline stands for the two source characters of its escape.
    expect(sql.toSource(at("\nD"))).toEqual([11, 14]);
    expect(sql.toSource(at("a"))).toEqual([10, 11]);
  });

  it("tells whether a range maps verbatim (no escapes inside)", () => {
    const sql = fromString();
    const start = sql.text.indexOf("DROP");
    expect(sql.isVerbatim([start, start + 6])).toBe(true);
    expect(sql.isVerbatim([start - 2, start + 2])).toBe(false);
  });

  it("maps a span piece as a whole", () => {
    const sql = new SyntheticSql();
    sql.append("ALTER TABLE users DROP COLUMN legacy", { kind: "span", range: [40, 75] });
    expect(sql.toSource([12, 17])).toEqual([40, 75]);
  });

  it("widens a range over several pieces to the call that holds them", () => {
    // pgm.dropColumns('users', ['a', 'b']) at 0–37: the head maps to the call, each DROP to its name.
    const sql = new SyntheticSql();
    sql.append("ALTER TABLE users ", { kind: "span", range: [0, 37] });
    sql.append("DROP a", { kind: "span", range: [26, 29] });
    sql.append(", DROP b", { kind: "span", range: [31, 34] });
    expect(sql.toSource([0, sql.text.length])).toEqual([0, 37]);
    // One action alone stays on its own argument.
    const b = sql.text.indexOf("DROP b");
    expect(sql.toSource([b, b + 6])).toEqual([31, 34]);
  });

  it("widens over a chain whose head is its first link (Kysely)", () => {
    // db.schema.alterTable('t') at 0–25, .dropColumn('x') at 26–41
    const sql = new SyntheticSql();
    sql.append("ALTER TABLE t ", { kind: "span", range: [0, 25] });
    sql.append("DROP COLUMN x", { kind: "span", range: [26, 41] });
    expect(sql.toSource([0, sql.text.length])).toEqual([0, 41]);
  });

  it("knows which interpolated expression a placeholder stands for", () => {
    const sql = new SyntheticSql();
    sql.append("ALTER TABLE ", { kind: "chars", sourceIndices: Array.from({ length: 12 }, (_, i) => 20 + i), end: 32 });
    sql.append("_tableName", { kind: "span", range: [34, 43] }, "tableName");
    sql.append(" DROP COLUMN x", { kind: "chars", sourceIndices: Array.from({ length: 14 }, (_, i) => 44 + i), end: 58 });
    expect(sql.placeholderAt(sql.text.indexOf("_tableName") + 3)).toBe("tableName");
    expect(sql.placeholderAt(0)).toBeUndefined();
    // A range ending in the placeholder ends with the expression.
    expect(sql.toSource([0, sql.text.indexOf(" DROP")])).toEqual([20, 43]);
  });

  it("maps glue (separators, section markers) to nothing of its own", () => {
    const sql = fromString();
    expect(sql.toSource([0, 3])).toEqual([0, 0]);
  });
});
