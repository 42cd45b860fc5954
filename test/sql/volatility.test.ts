// Volatility of default expressions, decided from the raw parse tree as PostgreSQL's pg_proc.provolatile would.
import type { Node } from "@pgsql/types";
import { describe, expect, it } from "vitest";
import { parseSql } from "../../src/sql/pg-parser.js";
import { expressionVolatility, functionVolatility, isNonVolatile, isNullConstant } from "../../src/sql/volatility.js";

/** The raw expression of `ALTER TABLE t ADD COLUMN c <type> DEFAULT <sql>`. */
function defaultExpr(sql: string, type = "text"): Node {
  const result = parseSql(`ALTER TABLE t ADD COLUMN c ${type} DEFAULT ${sql}`);
  const alter = (result.stmts?.[0]?.stmt as { AlterTableStmt: { cmds: { AlterTableCmd: { def: { ColumnDef: { constraints: { Constraint: { raw_expr: Node } }[] } } } }[] } })
    .AlterTableStmt;
  return alter.cmds[0]!.AlterTableCmd.def.ColumnDef.constraints[0]!.Constraint.raw_expr;
}

const verdict = (sql: string) => expressionVolatility(defaultExpr(sql));

describe("expressionVolatility", () => {
  it.each([
    ["42"],
    ["'active'"],
    ["-1.5"],
    ["true"],
    ["'{}'::jsonb"],
    ["CAST('1' AS int)"],
    ["interval '1 day'"],
    ["ARRAY[1, 2, 3]"],
    ["ROW(1, 'a')"],
    ["(1 + 2) * 3"],
    ["'a' || 'b'"],
    ["lower('ABC')"],
    ["upper(btrim('  x  '))"],
    ["coalesce(NULL, 1)"],
    ["greatest(1, 2)"],
    ["nullif('a', 'b')"],
    ["CASE WHEN true THEN 'a' ELSE 'b' END"],
    ["make_interval(days => 1)"],
    ["md5('x')"],
    ["pg_catalog.lower('X')"],
    ["uuid_generate_v5(uuid_ns_url(), 'https://example.com')"],
    ["'x' COLLATE \"C\""],
  ])("%s is immutable", (sql) => {
    expect(verdict(sql)).toEqual({ volatility: "immutable" });
  });

  it.each([
    ["now()"],
    ["CURRENT_TIMESTAMP"],
    ["current_timestamp(3)"],
    ["CURRENT_DATE"],
    ["localtimestamp"],
    ["LOCALTIME"],
    ["current_user"],
    ["statement_timestamp()"],
    ["transaction_timestamp()"],
    ["now() + interval '30 days'"],
    ["date_trunc('day', now())"],
    ["EXTRACT(year FROM now())"],
    ["to_char(now(), 'YYYY')"],
    ["current_setting('app.tenant')"],
    ["jsonb_build_object('a', 1)"],
    ["concat('a', 1)"],
    ["to_tsvector('english', '')"],
    ["(now() AT TIME ZONE 'utc')"],
  ])("%s is stable: evaluated once, no rewrite", (sql) => {
    expect(verdict(sql)).toEqual({ volatility: "stable" });
  });

  it.each([
    ["random()", "random()"],
    ["gen_random_uuid()", "gen_random_uuid()"],
    ["uuid_generate_v4()", "uuid_generate_v4()"],
    ["uuid_generate_v1()", "uuid_generate_v1()"],
    ["public.uuid_generate_v7()", "public.uuid_generate_v7()"],
    ["extensions.uuid_generate_v1mc()", "extensions.uuid_generate_v1mc()"],
    ["public.gen_random_uuid()", "public.gen_random_uuid()"],
    ["clock_timestamp()", "clock_timestamp()"],
    ["timeofday()", "timeofday()"],
    ["nextval('users_id_seq')", "nextval()"],
    ["pg_catalog.nextval('s'::regclass)", "pg_catalog.nextval()"],
    ["setseed(0.5)", "setseed()"],
    ["floor(random() * 100)::int", "random()"],
    ["md5(random()::text)", "random()"],
    ["encode(gen_random_bytes(16), 'hex')", "gen_random_bytes()"],
    ["ARRAY[gen_random_uuid()]", "gen_random_uuid()"],
    ["CASE WHEN random() > 0.5 THEN 1 END", "random()"],
    ["coalesce(NULL, clock_timestamp())", "clock_timestamp()"],
    ["ROW(1, random())", "random()"],
    ["my_fn(random())", "random()"],
  ])("%s is volatile because of %s", (sql, culprit) => {
    expect(verdict(sql)).toEqual({ volatility: "volatile", culprit });
  });

  it.each([
    ["my_fn()", "my_fn()"],
    ["app.next_code('U')", "app.next_code()"],
    ["\"Odd\".\"Fn\"()", '"Odd"."Fn"()'],
    ["lower(app.slug())", "app.slug()"],
    ["1 OPERATOR(app.+) 2", "OPERATOR(app.+)"],
    ["now() + app.skew()", "app.skew()"],
    ["app.\"offset\"()", "app.\"offset\"()"],
    ["(SELECT 1)", "a subquery"],
    ["$1", "an expression of kind ParamRef"],
  ])("%s cannot be proven non-volatile because of %s", (sql, culprit) => {
    expect(verdict(sql)).toEqual({ volatility: "unknown", culprit });
  });

  it("names the leftmost culprit among equals", () => {
    expect(verdict("concat(a_fn(), b_fn())")).toEqual({ volatility: "unknown", culprit: "a_fn()" });
    expect(verdict("concat(random(), clock_timestamp())")).toEqual({ volatility: "volatile", culprit: "random()" });
  });

  it("does not trust a user-schema function that shadows a built-in name", () => {
    expect(verdict("app.lower('x')")).toEqual({ volatility: "unknown", culprit: "app.lower()" });
  });

  it("treats an absent expression as immutable", () => {
    expect(expressionVolatility(undefined)).toEqual({ volatility: "immutable" });
  });
});

describe("functionVolatility", () => {
  it("looks built-ins up only in pg_catalog or unqualified", () => {
    expect(functionVolatility({ name: "now" })).toBe("stable");
    expect(functionVolatility({ schema: "pg_catalog", name: "random" })).toBe("volatile");
    expect(functionVolatility({ schema: "app", name: "now" })).toBe("unknown");
  });

  it("recognises extension functions in any schema", () => {
    expect(functionVolatility({ schema: "extensions", name: "uuid_generate_v4" })).toBe("volatile");
    expect(functionVolatility({ schema: "public", name: "uuid_generate_v3" })).toBe("immutable");
  });

  it("classifies an overloaded name by its most volatile overload", () => {
    expect(functionVolatility({ name: "to_timestamp" })).toBe("stable");
    expect(functionVolatility({ name: "date_trunc" })).toBe("stable");
  });
});

describe("isNullConstant", () => {
  it.each([["NULL"], ["NULL::text"], ["CAST(NULL AS uuid)"]])("%s is null", (sql) => {
    expect(isNullConstant(defaultExpr(sql))).toBe(true);
  });

  it.each([["0"], ["''"], ["'NULL'"], ["coalesce(NULL, NULL)"]])("%s is not a null constant", (sql) => {
    expect(isNullConstant(defaultExpr(sql))).toBe(false);
  });
});

describe("isNonVolatile", () => {
  it("accepts immutable and stable, rejects volatile and unknown", () => {
    expect(isNonVolatile({ volatility: "immutable" })).toBe(true);
    expect(isNonVolatile({ volatility: "stable" })).toBe(true);
    expect(isNonVolatile({ volatility: "unknown", culprit: "f()" })).toBe(false);
    expect(isNonVolatile({ volatility: "volatile", culprit: "random()" })).toBe(false);
  });
});
