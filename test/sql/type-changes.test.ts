// Column types as written, and which type changes PostgreSQL makes without rewriting the table.
import type { CollateClause, Node, TypeName } from "@pgsql/types";
import { describe, expect, it } from "vitest";
import { parseSql } from "../../src/sql/pg-parser.js";
import { classifyTypeChange, columnTypeOf, formatTypeName, isPlainUsing } from "../../src/sql/type-changes.js";

interface ParsedType {
  typeName: TypeName;
  collation?: CollateClause;
}

/** The TypeName (and COLLATE clause) of `ALTER TABLE t ALTER COLUMN c TYPE <sql>`. */
function typeOf(sql: string): ParsedType {
  const result = parseSql(`ALTER TABLE t ALTER COLUMN c TYPE ${sql}`);
  const stmt = result.stmts?.[0]?.stmt as {
    AlterTableStmt: { cmds: { AlterTableCmd: { def: { ColumnDef: { typeName: TypeName; collClause?: CollateClause } } } }[] };
  };
  const def = stmt.AlterTableStmt.cmds[0]!.AlterTableCmd.def.ColumnDef;
  return def.collClause ? { typeName: def.typeName, collation: def.collClause } : { typeName: def.typeName };
}

const change = (from: string, to: string, using = false) => classifyTypeChange(typeOf(from), typeOf(to), { using }).kind;

describe("formatTypeName", () => {
  it.each([
    ["varchar(300)", "varchar(300)"],
    ["character varying(300)", "varchar(300)"],
    ["varchar", "varchar"],
    ["text", "text"],
    ["pg_catalog.text", "text"],
    ["bigint", "bigint"],
    ["int8", "bigint"],
    ["int", "integer"],
    ["smallint", "smallint"],
    ["numeric(12,2)", "numeric(12,2)"],
    ["decimal(10)", "numeric(10)"],
    ["numeric(5,0)", "numeric(5)"],
    ["numeric", "numeric"],
    ["timestamptz", "timestamptz"],
    ["timestamp with time zone", "timestamptz"],
    ["timestamp(3) without time zone", "timestamp(3)"],
    ["time with time zone", "timetz"],
    ["double precision", "double precision"],
    ["float", "double precision"],
    ["real", "real"],
    ["boolean", "boolean"],
    ["bool", "boolean"],
    ["char(5)", "char(5)"],
    ["character", "char(1)"],
    ['"char"', '"char"'],
    ["bit varying(8)", "varbit(8)"],
    ["interval", "interval"],
    ["interval day to second", "interval day to second"],
    ["interval(3)", "interval(3)"],
    ["interval second(3)", "interval second(3)"],
    ["integer[]", "integer[]"],
    ["int[3][]", "integer[3][]"],
    ["text[]", "text[]"],
    ["uuid", "uuid"],
    ["public.citext", "public.citext"],
    ['"Weird"."Type"', '"Weird"."Type"'],
    ["geometry(Point, 4326)", "geometry(point,4326)"],
    ["mytype('x')", "mytype('x')"],
  ])("%s → %s", (sql, expected) => {
    expect(formatTypeName(typeOf(sql).typeName)).toBe(expected);
  });
});

describe("columnTypeOf", () => {
  it("canonicalises SQL-standard spellings to pg_catalog names", () => {
    expect(columnTypeOf(typeOf("character varying(20)").typeName)).toEqual({ name: "varchar", builtin: true, modifiers: [20], array: false });
    expect(columnTypeOf(typeOf("decimal(10)").typeName)).toEqual({ name: "numeric", builtin: true, modifiers: [10, 0], array: false });
  });

  it("does not take a type in another schema for a built-in", () => {
    expect(columnTypeOf(typeOf("app.text").typeName)).toEqual({ name: "app.text", builtin: false, modifiers: [], array: false });
  });
});

describe("classifyTypeChange", () => {
  it.each([
    ["varchar(100)", "varchar(300)"],
    ["varchar(100)", "varchar(100)"],
    ["varchar(100)", "varchar"],
    ["character varying(100)", "text"],
    ["varchar", "text"],
    ["text", "varchar"],
    ["text", "text"],
    ["numeric(10,2)", "numeric(12,2)"],
    ["numeric(10,2)", "numeric"],
    ["decimal(10)", "numeric(12,0)"],
    ["cidr", "inet"],
    ["bit varying(8)", "bit varying(16)"],
    ["bit varying(8)", "bit varying"],
    ["timestamp(3)", "timestamp(6)"],
    ["timestamp(3)", "timestamp"],
    ["timestamp", "timestamp(6)"],
    ["timestamptz(0)", "timestamptz(3)"],
    ["time(2)", "time"],
    ["integer[]", "int4[]"],
    ["int", "integer"],
    ["public.citext", "public.citext"],
    ['text COLLATE "C"', 'varchar COLLATE "C"'],
    ["text", "bpchar"],
    ["interval", "interval day to second"],
    ["interval hour", "interval day to second(3)"],
    ["xml", "text"],
    ["oid", "regclass"],
    ["regproc", "regprocedure"],
  ])("%s → %s needs no rewrite", (from, to) => {
    expect(change(from, to)).toBe("no-rewrite");
  });

  it.each([
    ["varchar(300)", "varchar(100)"],
    ["varchar", "varchar(100)"],
    ["text", "varchar(100)"],
    ["numeric(12,2)", "numeric(10,2)"],
    ["numeric(10,2)", "numeric(12,3)"],
    ["numeric", "numeric(12,2)"],
    ["int", "bigint"],
    ["smallint", "integer"],
    ["integer", "numeric"],
    ["real", "double precision"],
    ["text", "uuid"],
    ["varchar(36)", "uuid"],
    ["json", "jsonb"],
    ["inet", "cidr"],
    ["char(5)", "char(10)"],
    ["char(5)", "text"],
    ["date", "timestamptz"],
    ["timestamp(6)", "timestamp(3)"],
    ["timestamp", "timestamp(3)"],
    ["bit varying(16)", "bit varying(8)"],
    ["int", "bigint[]"],
    ["int[]", "bigint[]"],
    ["varchar(10)[]", "text[]"],
    ["text", "char(5)"],
    ["bit(3)", "varbit(5)"],
    ["interval", "interval day"],
    ["interval", "interval(3)"],
  ])("%s → %s rewrites", (from, to) => {
    expect(change(from, to)).toBe("rewrite");
  });

  it.each([
    ["timestamp", "timestamptz"],
    ["timestamptz", "timestamp"],
    ["text", "public.citext"],
    ["public.email", "text"],
    ["public.email[]", "text[]"],
    ["text", 'text COLLATE "C"'],
    ["point", "box"],
  ])("%s → %s is not proven either way", (from, to) => {
    expect(change(from, to)).toBe("unproven");
  });

  it("timestamp ↔ timestamptz follows the session time zone when the settings give it", () => {
    const at = (from: string, to: string, sessionTimeZone: string) => classifyTypeChange(typeOf(from), typeOf(to), { sessionTimeZone });
    expect(at("timestamp", "timestamptz", "UTC")).toMatchObject({ kind: "no-rewrite", indexes: "rebuilt" });
    expect(at("timestamptz", "timestamp", "etc/utc")).toMatchObject({ kind: "no-rewrite", indexes: "rebuilt" });
    expect(at("timestamp(3)", "timestamptz(3)", "UTC")).toMatchObject({ kind: "rewrite" });
    expect(at("timestamp", "timestamptz", "Europe/London")).toEqual({ kind: "rewrite", reason: "the session TimeZone Europe/London is not UTC, so every value is converted" });
  });

  it("says whether the indexes on the column survive a change that keeps the table", () => {
    expect(classifyTypeChange(typeOf("varchar(10)"), typeOf("text"))).toMatchObject({ kind: "no-rewrite", indexes: "kept" });
    expect(classifyTypeChange(typeOf("text"), typeOf("bpchar"))).toMatchObject({ kind: "no-rewrite", indexes: "rebuilt" });
    expect(classifyTypeChange(typeOf("integer"), typeOf("oid"))).toMatchObject({ kind: "no-rewrite", indexes: "rebuilt" });
    expect(classifyTypeChange(typeOf("oid"), typeOf("regclass"))).toMatchObject({ kind: "no-rewrite", indexes: "kept" });
  });

  it("treats a USING clause as a rewrite, even on an otherwise free change", () => {
    expect(change("varchar(10)", "text", true)).toBe("rewrite");
    expect(classifyTypeChange(typeOf("varchar(10)"), typeOf("text"), { using: true }).reason).toBe("a USING expression recomputes every row");
  });

  it("a USING clause that is the column, or the column cast to the new type, is no USING at all", () => {
    const using = (sql: string) => {
      const result = parseSql(`ALTER TABLE t ALTER COLUMN c TYPE numeric(12,2) USING ${sql}`);
      const def = (result.stmts?.[0]?.stmt as { AlterTableStmt: { cmds: { AlterTableCmd: { def: { ColumnDef: { typeName: TypeName; raw_default: Node } } } }[] } })
        .AlterTableStmt.cmds[0]!.AlterTableCmd.def.ColumnDef;
      return isPlainUsing(def.raw_default, "c", def.typeName);
    };
    expect(using("c")).toBe(true);
    expect(using("c::numeric(12,2)")).toBe(true);
    expect(using("CAST(c AS decimal(12,2))")).toBe(true);
    expect(using("c::numeric")).toBe(false);
    expect(using("c * 100")).toBe(false);
    expect(using("other")).toBe(false);
  });

  it("sees a collation change when the old column had one and the new type does not repeat it", () => {
    expect(classifyTypeChange(typeOf('varchar(10) COLLATE "C"'), typeOf("text"))).toEqual({
      kind: "unproven",
      reason: "the collation changes, so every index on the column is rebuilt",
    });
    expect(change('varchar(10) COLLATE "C"', 'text COLLATE "C"')).toBe("no-rewrite");
  });

  it("explains a known rewrite with both types", () => {
    expect(classifyTypeChange(typeOf("int"), typeOf("bigint"))).toEqual({ kind: "rewrite", reason: "integer is not binary-coercible to bigint" });
  });
});
