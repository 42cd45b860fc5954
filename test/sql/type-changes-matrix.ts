/**
 * The type-change matrix no-column-type-change relies on: every binary-coercible cast of PostgreSQL's pg_cast
 * (castmethod 'b') between types a column can have, the modifier changes the support functions let through, and the
 * rewriting counterparts. test/sql/type-changes-db.test.ts runs each row on PostgreSQL (relfilenode before and
 * after); test/rules/no-column-type-change.test.ts lints each row with the old type known from a migration history.
 */

export interface MatrixRow {
  /** The column's type before (SQL). */
  readonly from: string;
  /** ALTER COLUMN … TYPE <to>. */
  readonly to: string;
  /** An SQL expression giving a value of `from`, for the rows inserted before the change. */
  readonly value: string;
  /** Run in a session with this TimeZone (and settings.sessionTimeZone set to it). */
  readonly timeZone?: string;
  /** A USING clause, when the row is about one. */
  readonly using?: string;
  /** What PostgreSQL does, as measured: the table kept or rewritten; and, when kept, its btree index kept or rebuilt. */
  readonly expect: "kept" | "index-rebuilt" | "rewrite";
}

/** The internal types of pg_cast's binary-coercible list that no migration declares as a column type. */
export const INTERNAL_CASTS = ["pg_dependencies→bytea", "pg_mcv_list→bytea", "pg_ndistinct→bytea", "pg_node_tree→text"];

const REG_TYPES = ["regclass", "regcollation", "regconfig", "regdictionary", "regnamespace", "regoper", "regoperator", "regproc", "regprocedure", "regrole", "regtype"];

/** A value of each reg* type that exists on every PostgreSQL. */
const REG_VALUES: Record<string, string> = {
  regclass: "'pg_class'",
  regcollation: `'"C"'`,
  regconfig: "'english'",
  regdictionary: "'simple'",
  regnamespace: "'pg_catalog'",
  regoper: "'||/'",
  regoperator: "'+(integer,integer)'",
  regproc: "'now'",
  regprocedure: "'now()'",
  regrole: "current_user::text::regrole",
  regtype: "'integer'",
};

const text = "'abc'";
const bits = "B'101'";
const now = "now()";

/** pg_cast's binary-coercible rows, each as the change a migration would write. */
export const BINARY_COERCIBLE: readonly MatrixRow[] = [
  { from: "varchar(10)", to: "text", value: text, expect: "kept" },
  { from: "text", to: "varchar", value: text, expect: "kept" },
  { from: "varchar(10)", to: "bpchar", value: text, expect: "index-rebuilt" },
  { from: "text", to: "bpchar", value: text, expect: "index-rebuilt" },
  { from: "bit(3)", to: "varbit", value: bits, expect: "index-rebuilt" },
  // Binary-coercible, but bit always has a length, and bit() has no support function to skip the check.
  { from: "varbit(3)", to: "bit(3)", value: bits, expect: "rewrite" },
  { from: "cidr", to: "inet", value: "'10.0.0.0/8'", expect: "kept" },
  { from: "xml", to: "text", value: "'<a/>'", expect: "kept" },
  { from: "xml", to: "varchar", value: "'<a/>'", expect: "kept" },
  { from: "xml", to: "bpchar", value: "'<a/>'", expect: "kept" },
  { from: "integer", to: "oid", value: "1", expect: "index-rebuilt" },
  { from: "oid", to: "integer", value: "1", expect: "index-rebuilt" },
  ...REG_TYPES.flatMap((reg): MatrixRow[] => [
    { from: "integer", to: reg, value: "1", expect: "index-rebuilt" },
    { from: "oid", to: reg, value: "1", expect: "kept" },
    { from: reg, to: "integer", value: REG_VALUES[reg]!, expect: "index-rebuilt" },
    { from: reg, to: "oid", value: REG_VALUES[reg]!, expect: "kept" },
  ]),
  { from: "regproc", to: "regprocedure", value: REG_VALUES.regproc!, expect: "kept" },
  { from: "regprocedure", to: "regproc", value: REG_VALUES.regprocedure!, expect: "kept" },
  { from: "regoper", to: "regoperator", value: REG_VALUES.regoper!, expect: "kept" },
  { from: "regoperator", to: "regoper", value: REG_VALUES.regoperator!, expect: "kept" },
];

/** Changes of modifiers within one type that a support function (or TemporalSimplify) turns into a relabelling. */
export const MODIFIER_WIDENING: readonly MatrixRow[] = [
  { from: "varchar(10)", to: "varchar(20)", value: text, expect: "kept" },
  { from: "varchar(10)", to: "varchar", value: text, expect: "kept" },
  { from: "numeric(10,2)", to: "numeric(12,2)", value: "1.5", expect: "kept" },
  { from: "numeric(10,2)", to: "numeric", value: "1.5", expect: "kept" },
  { from: "numeric(10)", to: "numeric(12)", value: "1", expect: "kept" },
  { from: "varbit(3)", to: "varbit(5)", value: bits, expect: "kept" },
  { from: "varbit(3)", to: "varbit", value: bits, expect: "kept" },
  { from: "char(5)", to: "bpchar", value: text, expect: "kept" },
  { from: "timestamp(3)", to: "timestamp(6)", value: now, expect: "kept" },
  { from: "timestamp(3)", to: "timestamp", value: now, expect: "kept" },
  { from: "timestamp", to: "timestamp(6)", value: now, expect: "kept" },
  { from: "timestamptz(3)", to: "timestamptz(5)", value: now, expect: "kept" },
  { from: "time(2)", to: "time(4)", value: now, expect: "kept" },
  { from: "timetz(2)", to: "timetz(4)", value: now, expect: "kept" },
  { from: "interval(2)", to: "interval(4)", value: "'1 day'", expect: "kept" },
  { from: "interval(4)", to: "interval", value: "'1 day'", expect: "kept" },
  { from: "interval day", to: "interval", value: "'1 day'", expect: "kept" },
  { from: "interval hour", to: "interval day to second", value: "'1 hour'", expect: "kept" },
  { from: "interval", to: "interval day to second", value: "'1 day'", expect: "kept" },
  { from: "interval day to second(2)", to: "interval day to second(4)", value: "'1 day'", expect: "kept" },
  { from: "varchar(10)", to: "text", using: "c", value: text, expect: "kept" },
  { from: "varchar(10)", to: "text", using: "c::text", value: text, expect: "kept" },
];

/** timestamp ↔ timestamptz: a relabelling only in a session whose TimeZone is UTC, and only to full precision. */
export const TIME_ZONE_ROWS: readonly MatrixRow[] = [
  { from: "timestamp", to: "timestamptz", value: now, timeZone: "UTC", expect: "index-rebuilt" },
  { from: "timestamptz", to: "timestamp", value: now, timeZone: "UTC", expect: "index-rebuilt" },
  { from: "timestamp(3)", to: "timestamptz", value: now, timeZone: "Etc/UTC", expect: "index-rebuilt" },
  { from: "timestamp(3)", to: "timestamptz(6)", value: now, timeZone: "GMT", expect: "index-rebuilt" },
  { from: "timestamp(3)", to: "timestamptz(3)", value: now, timeZone: "UTC", expect: "rewrite" },
  { from: "timestamp", to: "timestamptz(3)", value: now, timeZone: "UTC", expect: "rewrite" },
  { from: "timestamp", to: "timestamptz", value: now, timeZone: "Europe/Paris", expect: "rewrite" },
  { from: "timestamptz", to: "timestamp", value: now, timeZone: "America/New_York", expect: "rewrite" },
];

/** The rewriting counterparts: shrinking, scale changes, conversions, length checks. */
export const REWRITES: readonly MatrixRow[] = [
  { from: "text", to: "varchar(20)", value: text, expect: "rewrite" },
  { from: "varchar(20)", to: "varchar(10)", value: text, expect: "rewrite" },
  { from: "varchar(10)", to: "char(10)", value: text, expect: "rewrite" },
  { from: "text", to: "char(5)", value: text, expect: "rewrite" },
  { from: "char(5)", to: "char(10)", value: text, expect: "rewrite" },
  { from: "char(5)", to: "text", value: text, expect: "rewrite" },
  { from: "char(5)", to: "varchar(10)", value: text, expect: "rewrite" },
  { from: "bit(3)", to: "varbit(5)", value: bits, expect: "rewrite" },
  { from: "varbit(5)", to: "bit(3)", value: bits, expect: "rewrite" },
  { from: "varbit(5)", to: "varbit(3)", value: bits, expect: "rewrite" },
  { from: "inet", to: "cidr", value: "'10.0.0.0/8'", expect: "rewrite" },
  { from: "xml", to: "varchar(100)", value: "'<a/>'", expect: "rewrite" },
  { from: "numeric(10,2)", to: "numeric(12,3)", value: "1.5", expect: "rewrite" },
  { from: "numeric(10,2)", to: "numeric(8,2)", value: "1.5", expect: "rewrite" },
  { from: "numeric", to: "numeric(12,2)", value: "1.5", expect: "rewrite" },
  { from: "timestamp", to: "timestamp(3)", value: now, expect: "rewrite" },
  { from: "time(4)", to: "time(2)", value: now, expect: "rewrite" },
  { from: "interval", to: "interval(4)", value: "'1 day'", expect: "rewrite" },
  { from: "interval", to: "interval day", value: "'1 day'", expect: "rewrite" },
  { from: "integer", to: "bigint", value: "1", expect: "rewrite" },
  { from: "smallint", to: "integer", value: "1", expect: "rewrite" },
  { from: "bigint", to: "integer", value: "1", expect: "rewrite" },
  { from: "integer", to: "numeric", value: "1", expect: "rewrite" },
  { from: "real", to: "double precision", value: "1", expect: "rewrite" },
  { from: "json", to: "jsonb", value: "'{}'", expect: "rewrite" },
  { from: "uuid", to: "text", value: "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", expect: "rewrite" },
  { from: "date", to: "timestamp", value: now, expect: "rewrite" },
  { from: "text", to: "name", value: text, expect: "rewrite" },
  { from: "varchar(10)[]", to: "text[]", value: "'{a}'", expect: "rewrite" },
  { from: "cidr[]", to: "inet[]", value: "'{10.0.0.0/8}'", expect: "rewrite" },
  { from: "integer[]", to: "bigint[]", value: "'{1}'", expect: "rewrite" },
  { from: "varchar(10)", to: "text", using: "upper(c)", value: text, expect: "rewrite" },
];

export const MATRIX: readonly MatrixRow[] = [...BINARY_COERCIBLE, ...MODIFIER_WIDENING, ...TIME_ZONE_ROWS, ...REWRITES];

/** The column of the fixture table that holds `type`: c_varchar_10, c_interval_day_to_second_2, c_integer_array. */
export function columnFor(type: string): string {
  return `c_${type.replaceAll("[]", " array").replace(/[^a-z0-9]+/gi, "_").replace(/_+$/, "").toLowerCase()}`;
}

/** Every source type of the matrix, once, in order of first use. */
export const SOURCE_TYPES: readonly string[] = [...new Set(MATRIX.map((row) => row.from))];

/** The CREATE TABLE of the fixture history: one column per source type. */
export function fixtureTable(table: string): string {
  return `CREATE TABLE ${table} (\n  id bigint PRIMARY KEY,\n${SOURCE_TYPES.map((type) => `  ${columnFor(type)} ${type}`).join(",\n")}\n);\n`;
}
