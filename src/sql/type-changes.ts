/**
 * Column types as the parser gives them (TypeName), printed readably, and the one question a type change raises:
 * can PostgreSQL make it without rewriting the table? It can when the old type is binary-coercible to the new one
 * and no length/precision check is needed (tablecmds.c ATColumnChangeRequiresRewrite, after the planner's
 * support functions varchar_support, numeric_support, varbit_support, interval_support and TemporalSimplify have had
 * their say), and for timestamp ↔ timestamptz in a UTC session.
 */
import type { CollateClause, Node, TypeName } from "@pgsql/types";
import { formatName, nameFromList, quoteIdent, quoteLiteral } from "./names.js";
import { unwrap } from "./statement.js";

/** A type modifier as written: `300` in varchar(300), `point` in geometry(point, 4326). */
export type TypeModifier = number | string;

/** A type reduced to what decides coercion: the built-in's canonical name (int8, varchar) or the user type's name. */
export interface ColumnType {
  /** pg_catalog's name of a built-in type ("int8", "varchar", "timestamptz"), or the SQL of a user type's name. */
  readonly name: string;
  readonly builtin: boolean;
  readonly modifiers: readonly TypeModifier[];
  /** Arrays of any number of dimensions are one type in PostgreSQL. */
  readonly array: boolean;
}

/**
 * Built-in types the parser may leave unqualified (`text`, `timestamptz`, `bool`) or qualify with pg_catalog (what
 * it does for SQL-standard spellings: `integer` → pg_catalog.int4). The internal single-byte `"char"` is "char";
 * char(n) is bpchar.
 */
const BUILTIN_TYPES = new Set([
  "int2", "int4", "int8", "float4", "float8", "numeric", "money", "text", "varchar", "bpchar", "char", "name", "bool",
  "date", "timestamp", "timestamptz", "time", "timetz", "interval", "uuid", "json", "jsonb", "bytea", "inet", "cidr",
  "macaddr", "macaddr8", "bit", "varbit", "xml", "oid", "tsvector", "tsquery", "point", "line", "lseg", "box", "path",
  "polygon", "circle", "int4range", "int8range", "numrange", "tsrange", "tstzrange", "daterange", "pg_lsn",
  "regclass", "regcollation", "regconfig", "regdictionary", "regnamespace", "regoper", "regoperator", "regproc",
  "regprocedure", "regrole", "regtype",
]);

/** Types whose storage is known well enough to say a change between two of them rewrites (see classifyTypeChange). */
const WELL_KNOWN = new Set([
  "int2", "int4", "int8", "float4", "float8", "numeric", "money", "text", "varchar", "bpchar", "bool", "date",
  "timestamp", "timestamptz", "time", "timetz", "interval", "uuid", "json", "jsonb", "bytea", "inet", "cidr",
  "macaddr", "macaddr8", "name", "xml", "bit", "varbit",
]);

/** How PostgreSQL's format_type spells a built-in, where that differs from its pg_catalog name. */
const DISPLAY: Readonly<Record<string, string>> = {
  int2: "smallint",
  int4: "integer",
  int8: "bigint",
  float4: "real",
  float8: "double precision",
  bool: "boolean",
  bpchar: "char",
  char: '"char"',
};

export function columnTypeOf(typeName: TypeName): ColumnType {
  const parts = (typeName.names ?? []).map((n) => unwrap(n, "String")?.sval ?? "");
  const unqualified = parts.length === 1 || (parts.length === 2 && parts[0] === "pg_catalog");
  const last = parts[parts.length - 1] ?? "";
  const builtin = unqualified && BUILTIN_TYPES.has(last);
  const modifiers = (typeName.typmods ?? []).map(modifierOf);
  return {
    name: builtin ? last : formatName(nameFromList(typeName.names) ?? { name: last }),
    builtin,
    modifiers: builtin && last === "numeric" && modifiers.length === 1 ? [modifiers[0]!, 0] : modifiers,
    array: (typeName.arrayBounds ?? []).length > 0,
  };
}

function modifierOf(node: Node): TypeModifier {
  const constant = unwrap(node, "A_Const");
  if (constant?.ival) return constant.ival.ival ?? 0; // proto3 leaves out zero: numeric(5,0) arrives as `ival: {}`
  if (constant?.sval) return quoteLiteral(constant.sval.sval ?? "");
  if (constant?.fval) return constant.fval.fval ?? "0";
  const column = unwrap(node, "ColumnRef");
  if (column) return (column.fields ?? []).map((f) => quoteIdent(unwrap(f, "String")?.sval ?? "")).join(".");
  return "?";
}

/** INTERVAL field masks (datetime.h INTERVAL_MASK) as written. */
const INTERVAL_FIELDS: ReadonlyMap<number, string> = new Map([
  [4, "year"], [2, "month"], [8, "day"], [1024, "hour"], [2048, "minute"], [4096, "second"],
  [6, "year to month"], [1032, "day to hour"], [3080, "day to minute"], [7176, "day to second"],
  [3072, "hour to minute"], [7168, "hour to second"], [6144, "minute to second"],
]);
const INTERVAL_FULL_RANGE = 0x7fff;

/** `varchar(300)`, `bigint`, `numeric(12,2)`, `timestamptz(3)`, `integer[]`, `interval day to second`, `app."Money"`. */
export function formatTypeName(typeName: TypeName): string {
  const type = columnTypeOf(typeName);
  const bounds = (typeName.arrayBounds ?? []).map((b) => {
    const size = unwrap(b, "Integer")?.ival ?? -1;
    return size >= 0 ? `[${size}]` : "[]";
  });
  return formatColumnType(type) + (type.array ? bounds.join("") : "");
}

function formatColumnType(type: ColumnType): string {
  const name = type.builtin ? DISPLAY[type.name] ?? type.name : type.name;
  const mods = type.modifiers;
  if (type.builtin && type.name === "interval" && mods.length > 0) {
    const [range, precision] = mods;
    const fields = typeof range === "number" && range !== INTERVAL_FULL_RANGE ? INTERVAL_FIELDS.get(range) : undefined;
    const p = precision === undefined ? "" : `(${precision})`;
    return fields ? `interval ${fields}${p}` : `interval${p}`;
  }
  if (type.builtin && type.name === "numeric" && mods.length === 2 && mods[1] === 0) return `numeric(${mods[0]})`;
  return mods.length > 0 ? `${name}(${mods.join(",")})` : name;
}

/** What a column type change costs, as far as the types alone tell. */
export type TypeChangeVerdict =
  /**
   * Binary-coercible and no value needs checking: a catalog update, no rewrite. `indexes` says whether PostgreSQL
   * keeps the indexes on the column (same operator class) or rebuilds them under the ACCESS EXCLUSIVE lock.
   */
  | { readonly kind: "no-rewrite"; readonly reason: string; readonly indexes: "kept" | "rebuilt" }
  /** Every row is converted (or checked) and written again, indexes rebuilt. */
  | { readonly kind: "rewrite"; readonly reason: string }
  /** Cannot be told from the types alone (user types, domains, collations, session settings). */
  | { readonly kind: "unproven"; readonly reason: string };

export interface TypeChangeSide {
  readonly typeName: TypeName;
  /** The COLLATE clause written with the type, if any (absent means the type's default collation). */
  readonly collation?: CollateClause;
}

export interface TypeChangeOptions {
  /** A USING expression other than the column itself (see isPlainUsing): PostgreSQL then recomputes every row. */
  readonly using?: boolean;
  /** The migration session's TimeZone when known (settings.sessionTimeZone): decides timestamp ↔ timestamptz. */
  readonly sessionTimeZone?: string | undefined;
}

const TEMPORAL_MAX_PRECISION = 6; // MAX_TIMESTAMP_PRECISION, MAX_TIME_PRECISION, MAX_INTERVAL_PRECISION

/**
 * Whether changing a column from one type to another rewrites the table, following tablecmds.c
 * ATColumnChangeRequiresRewrite: no rewrite when the conversion is a relabelling — a binary-coercible cast
 * (pg_cast castmethod 'b') with no length or precision check left after the support functions varchar_support,
 * numeric_support, varbit_support, timestamp_support, time_support and interval_support — or timestamp ↔ timestamptz
 * in a UTC session. Each verdict is checked against PostgreSQL (15 and PGlite's 18) by comparing pg_class.relfilenode
 * before and after, in test/sql/type-changes-db.test.ts.
 */
export function classifyTypeChange(from: TypeChangeSide, to: TypeChangeSide, options: TypeChangeOptions = {}): TypeChangeVerdict {
  if (options.using) return { kind: "rewrite", reason: "a USING expression recomputes every row" };
  const a = columnTypeOf(from.typeName);
  const b = columnTypeOf(to.typeName);
  const verdict = a.array || b.array ? arrayChange(a, b) : scalarChange(a, b, options.sessionTimeZone);
  if (verdict.kind !== "no-rewrite") return verdict;
  const before = collationName(from.collation);
  const after = collationName(to.collation);
  if (before !== after && isCollatable(b)) {
    return { kind: "unproven", reason: "the collation changes, so every index on the column is rebuilt" };
  }
  return verdict;
}

/**
 * A USING clause that is the column itself, or the column cast to the new type (`USING total::numeric(12,2)`):
 * PostgreSQL builds the same conversion as without USING, so it rewrites no more than that does.
 */
export function isPlainUsing(using: Node, column: string, to: TypeName): boolean {
  const isColumn = (node: Node | undefined): boolean => {
    const fields = unwrap(node, "ColumnRef")?.fields ?? [];
    return fields.length === 1 && unwrap(fields[0], "String")?.sval === column;
  };
  if (isColumn(using)) return true;
  const cast = unwrap(using, "TypeCast");
  return cast !== undefined && isColumn(cast.arg) && cast.typeName !== undefined && formatTypeName(cast.typeName) === formatTypeName(to);
}

function collationName(clause: CollateClause | undefined): string | undefined {
  const name = clause ? nameFromList(clause.collname) : undefined;
  return name ? formatName(name) : undefined;
}

function isCollatable(type: ColumnType): boolean {
  return !type.builtin || type.name === "text" || type.name === "varchar" || type.name === "bpchar" || type.name === "name";
}

function sameModifiers(a: ColumnType, b: ColumnType): boolean {
  return a.modifiers.length === b.modifiers.length && a.modifiers.every((m, i) => m === b.modifiers[i]);
}

function arrayChange(a: ColumnType, b: ColumnType): TypeChangeVerdict {
  if (a.array === b.array && a.name === b.name && a.builtin === b.builtin && sameModifiers(a, b)) return KEPT("the type does not change");
  if (!a.builtin || !b.builtin) return { kind: "unproven", reason: "user-defined types and domains are not analysed" };
  // Any other change converts each array with an ArrayCoerceExpr, which ALTER TABLE does not look through: even
  // varchar[] → text[] or cidr[] → inet[], binary-coercible element by element, rewrites the table.
  return { kind: "rewrite", reason: a.array && b.array ? "an array type change converts every array, even between binary-coercible element types" : "a change between an array and a scalar converts every value" };
}

const KEPT = (reason: string): TypeChangeVerdict => ({ kind: "no-rewrite", reason, indexes: "kept" });
const REBUILT = (reason: string): TypeChangeVerdict => ({ kind: "no-rewrite", reason, indexes: "rebuilt" });
const REWRITE = (reason: string): TypeChangeVerdict => ({ kind: "rewrite", reason });

const LENGTH_CHECK = "every value must be checked against the length limit";
const SHORTER = "every value must be checked against the shorter length limit";

/** oid and the reg* types: one storage (an OID), one btree operator class. */
const OID_TYPES = new Set(["oid", "regclass", "regcollation", "regconfig", "regdictionary", "regnamespace", "regoper", "regoperator", "regproc", "regprocedure", "regrole", "regtype"]);
/** reg* pairs with a binary-coercible cast of their own (besides each reg* type ↔ oid and int4). */
const REG_PAIRS = new Set(["regproc→regprocedure", "regprocedure→regproc", "regoper→regoperator", "regoperator→regoper"]);

function scalarChange(a: ColumnType, b: ColumnType, sessionTimeZone: string | undefined): TypeChangeVerdict {
  if (a.name === b.name && a.builtin === b.builtin && sameModifiers(a, b)) return KEPT("the type does not change");
  if (!a.builtin || !b.builtin) return { kind: "unproven", reason: "user-defined types and domains are not analysed" };
  const [n] = a.modifiers;
  const [m] = b.modifiers;
  /** varchar_support, varbit_support: no check when the new limit is none, or at least an old one. */
  const widens = (from: TypeModifier | undefined, to: TypeModifier | undefined): boolean =>
    to === undefined || (typeof from === "number" && typeof to === "number" && from <= to);

  switch (`${a.name}→${b.name}`) {
    case "varchar→varchar":
    case "varbit→varbit":
      return widens(n, m) ? KEPT("the new length limit admits every existing value") : REWRITE(SHORTER);
    case "varchar→text":
      return KEPT("varchar is binary-coercible to text");
    case "text→varchar":
      return m === undefined ? KEPT("text is binary-coercible to varchar without a length limit") : REWRITE(LENGTH_CHECK);
    case "text→bpchar":
    case "varchar→bpchar":
    case "xml→bpchar":
      // Binary-coercible; char(n) then needs bpchar(), which has no support function to skip it.
      if (m !== undefined) return REWRITE("every value must be converted to the fixed length");
      return a.name === "xml" ? KEPT("xml is binary-coercible to bpchar") : REBUILT(`${a.name} is binary-coercible to bpchar, whose indexes sort with another operator class`);
    case "bpchar→bpchar":
      return m === undefined ? KEPT("bpchar without a length admits every existing value") : REWRITE("char(n) values are stored padded to the length, so every value changes");
    case "xml→text":
      return KEPT("xml is binary-coercible to text");
    case "xml→varchar":
      return m === undefined ? KEPT("xml is binary-coercible to varchar without a length limit") : REWRITE(LENGTH_CHECK);
    case "numeric→numeric": {
      const [p, s] = a.modifiers;
      const [q, t] = b.modifiers;
      if (q === undefined) return KEPT("unconstrained numeric admits every existing value");
      return p !== undefined && s === t && widens(p, q) ? KEPT("same scale and a precision at least as large") : REWRITE("a different scale or smaller precision converts every value");
    }
    case "cidr→inet":
      return KEPT("cidr is binary-coercible to inet");
    case "bit→varbit":
      // The relabelled value has no length to compare a new limit with: only an unlimited varbit skips the check.
      return m === undefined ? REBUILT("bit is binary-coercible to varbit, whose indexes sort with another operator class") : REWRITE(LENGTH_CHECK);
    case "varbit→bit":
    case "bit→bit":
      return REWRITE("every value must be checked against the fixed bit length");
    case "timestamp→timestamp":
    case "timestamptz→timestamptz":
    case "time→time":
    case "timetz→timetz":
      // TemporalSimplify: no change when the new precision is none, the maximum, or at least an old one.
      return m === undefined || m === TEMPORAL_MAX_PRECISION || widens(n, m)
        ? KEPT("the new precision is at least the old one")
        : REWRITE("a lower fractional-second precision rounds every value");
    case "interval→interval":
      return intervalNoop(a.modifiers, b.modifiers)
        ? KEPT("the new interval fields and precision admit every existing value")
        : REWRITE("a narrower interval range or lower precision truncates every value");
    case "timestamp→timestamptz":
    case "timestamptz→timestamp": {
      if (sessionTimeZone === undefined) {
        return { kind: "unproven", reason: "PostgreSQL skips the rewrite only when the session TimeZone is UTC; set sessionTimeZone in the settings if the migrations run in UTC" };
      }
      if (!isUtc(sessionTimeZone)) return REWRITE(`the session TimeZone ${sessionTimeZone} is not UTC, so every value is converted`);
      // The conversion function's result has no precision of its own, so only none or the maximum skips the rounding.
      return m === undefined || m === TEMPORAL_MAX_PRECISION
        ? REBUILT(`in a UTC session ${DISPLAY_OF(a)} and ${DISPLAY_OF(b)} store the same values, though their indexes sort with another operator class`)
        : REWRITE("a fractional-second precision below 6 rounds every value");
    }
  }
  if ((a.name === "int4" || OID_TYPES.has(a.name)) && (b.name === "int4" || OID_TYPES.has(b.name))) {
    const binary = a.name === "int4" || b.name === "int4" || a.name === "oid" || b.name === "oid" || REG_PAIRS.has(`${a.name}→${b.name}`);
    if (!binary) return REWRITE(`${a.name} is not binary-coercible to ${b.name}`);
    return a.name === "int4" || b.name === "int4"
      ? REBUILT(`${DISPLAY_OF(a)} is binary-coercible to ${DISPLAY_OF(b)}, whose indexes sort with another operator class`)
      : KEPT(`${a.name} is binary-coercible to ${b.name}`);
  }
  if (a.name === b.name) return { kind: "unproven", reason: "type modifier changes of this type are not analysed" };
  if (WELL_KNOWN.has(a.name) && WELL_KNOWN.has(b.name)) return REWRITE(`${formatColumnType(a)} is not binary-coercible to ${formatColumnType(b)}`);
  return { kind: "unproven", reason: "this pair of types is not analysed" };
}

const DISPLAY_OF = (type: ColumnType): string => DISPLAY[type.name] ?? type.name;

/** Time zones with a fixed offset of zero, as PostgreSQL's pg_get_timezone_offset sees them (checked on the server). */
export const UTC_TIME_ZONES: readonly string[] = [
  "UTC", "Etc/UTC", "UCT", "Etc/UCT", "GMT", "Etc/GMT", "GMT0", "Etc/GMT0", "GMT+0", "Etc/GMT+0", "GMT-0", "Etc/GMT-0",
  "Universal", "Etc/Universal", "Zulu", "Etc/Zulu", "Greenwich", "Etc/Greenwich",
];
const UTC_ZONES = new Set(UTC_TIME_ZONES.map((zone) => zone.toLowerCase()));

/** Whether a TimeZone setting names a zone with a fixed offset of zero (PostgreSQL compares zone names case-insensitively). */
export function isUtc(timeZone: string): boolean {
  return UTC_ZONES.has(timeZone.trim().toLowerCase());
}

/** INTERVAL typmod fields (datetime.h): the least field of a range decides what a value keeps. */
const INTERVAL_SECOND = 1 << 12;
const INTERVAL_MINUTE = 1 << 11;
const INTERVAL_HOUR = 1 << 10;
const INTERVAL_DAY = 1 << 3;
const INTERVAL_MONTH = 1 << 1;
const INTERVAL_FULL_PRECISION = 0xffff;

/** intervaltypmodleastfield: 0 second, 1 minute, 2 hour, 3 day, 4 month, 5 year. */
function leastField(range: number | undefined): number {
  if (range === undefined || range & INTERVAL_SECOND) return 0;
  if (range & INTERVAL_MINUTE) return 1;
  if (range & INTERVAL_HOUR) return 2;
  if (range & INTERVAL_DAY) return 3;
  if (range & INTERVAL_MONTH) return 4;
  return 5;
}

/** interval_support: no change when the least field stays or decreases and the sub-second precision does not drop. */
function intervalNoop(from: readonly TypeModifier[], to: readonly TypeModifier[]): boolean {
  if (to.length === 0) return true;
  const number = (m: TypeModifier | undefined): number | undefined => (typeof m === "number" ? m : undefined);
  const oldLeast = from.length === 0 ? 0 : leastField(number(from[0]));
  const newLeast = leastField(number(to[0]));
  const oldPrecision = from.length < 2 ? INTERVAL_FULL_PRECISION : (number(from[1]) ?? INTERVAL_FULL_PRECISION);
  const newPrecision = to.length < 2 ? INTERVAL_FULL_PRECISION : (number(to[1]) ?? INTERVAL_FULL_PRECISION);
  return newLeast <= oldLeast && (oldLeast > 0 || newPrecision >= TEMPORAL_MAX_PRECISION || newPrecision >= oldPrecision);
}
