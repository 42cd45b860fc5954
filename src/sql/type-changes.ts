/**
 * Column types as the parser gives them (TypeName), printed readably, and the one question a type change raises:
 * can PostgreSQL make it without rewriting the table? It can when the old type is binary-coercible to the new one
 * and no length/precision check is needed (tablecmds.c ATColumnChangeRequiresRewrite, after the planner's
 * support functions varchar_support, numeric_support, varbit_support and TemporalSimplify have had their say).
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
]);

/** Types whose storage is known well enough to say a change between two of them rewrites (see classifyTypeChange). */
const WELL_KNOWN = new Set([
  "int2", "int4", "int8", "float4", "float8", "numeric", "money", "text", "varchar", "bpchar", "bool", "date",
  "timestamp", "timestamptz", "time", "timetz", "interval", "uuid", "json", "jsonb", "bytea", "inet", "cidr",
  "macaddr", "macaddr8",
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
  /** Binary-coercible and no value needs checking: a catalog update, no rewrite, indexes kept. */
  | { readonly kind: "no-rewrite"; readonly reason: string }
  /** Every row is converted (or checked) and written again, indexes rebuilt. */
  | { readonly kind: "rewrite"; readonly reason: string }
  /** Cannot be told from the types alone (user types, domains, collations, session settings). */
  | { readonly kind: "unproven"; readonly reason: string };

export interface TypeChangeSide {
  readonly typeName: TypeName;
  /** The COLLATE clause written with the type, if any (absent means the type's default collation). */
  readonly collation?: CollateClause;
}

const TEMPORAL_MAX_PRECISION = 6; // MAX_TIMESTAMP_PRECISION, MAX_TIME_PRECISION

/**
 * Whether changing a column from one type to another rewrites the table. Only changes PostgreSQL documents as
 * binary-coercible without a check are "no-rewrite": the same type; varchar(n) → varchar(m ≥ n), varchar, text;
 * text → varchar; numeric(p,s) → numeric(q ≥ p, s) or numeric; cidr → inet; varbit(n) → varbit(m ≥ n);
 * timestamp/timestamptz/time/timetz(p) → the same type with a precision ≥ p (or none). A USING clause is always
 * treated as a rewrite (PostgreSQL skips the rewrite only when the expression is the column itself).
 */
export function classifyTypeChange(from: TypeChangeSide, to: TypeChangeSide, options: { using?: boolean } = {}): TypeChangeVerdict {
  if (options.using) return { kind: "rewrite", reason: "a USING expression recomputes every row" };
  const a = columnTypeOf(from.typeName);
  const b = columnTypeOf(to.typeName);
  const verdict = a.array || b.array ? arrayChange(a, b) : scalarChange(a, b);
  if (verdict.kind !== "no-rewrite") return verdict;
  const before = collationName(from.collation);
  const after = collationName(to.collation);
  if (before !== after && isCollatable(b)) {
    return { kind: "unproven", reason: "the collation changes, so every index on the column is rebuilt" };
  }
  return verdict;
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
  const element = scalarChange({ ...a, array: false }, { ...b, array: false });
  if (a.array === b.array && a.name === b.name && sameModifiers(a, b)) return { kind: "no-rewrite", reason: "the type does not change" };
  if (a.array !== b.array) {
    return a.builtin && b.builtin ? { kind: "rewrite", reason: "a change between an array and a scalar converts every value" } : { kind: "unproven", reason: "user-defined types" };
  }
  // An array coercion is an ArrayCoerceExpr, which ALTER TABLE does not look through even when each element is a
  // mere relabelling; only a change that rewrites every element is known for sure.
  return element.kind === "rewrite" ? element : { kind: "unproven", reason: "array element coercions are not analysed" };
}

function scalarChange(a: ColumnType, b: ColumnType): TypeChangeVerdict {
  if (a.name === b.name && a.builtin === b.builtin && sameModifiers(a, b)) return { kind: "no-rewrite", reason: "the type does not change" };
  if (!a.builtin || !b.builtin) return { kind: "unproven", reason: "user-defined types and domains are not analysed" };
  const [n] = a.modifiers;
  const [m] = b.modifiers;
  const widens = (from: TypeModifier | undefined, to: TypeModifier | undefined): boolean =>
    to === undefined || (typeof from === "number" && typeof to === "number" && from <= to);

  switch (`${a.name}→${b.name}`) {
    case "varchar→varchar":
      return widens(n, m)
        ? { kind: "no-rewrite", reason: "the new length limit admits every existing value" }
        : { kind: "rewrite", reason: "every value must be checked against the shorter length limit" };
    case "varchar→text":
      return { kind: "no-rewrite", reason: "varchar is binary-coercible to text" };
    case "text→varchar":
      return m === undefined
        ? { kind: "no-rewrite", reason: "text is binary-coercible to varchar without a length limit" }
        : { kind: "rewrite", reason: "every value must be checked against the length limit" };
    case "numeric→numeric": {
      const [p, s] = a.modifiers;
      const [q, t] = b.modifiers;
      if (q === undefined) return { kind: "no-rewrite", reason: "unconstrained numeric admits every existing value" };
      return p !== undefined && s === t && widens(p, q)
        ? { kind: "no-rewrite", reason: "same scale and a precision at least as large" }
        : { kind: "rewrite", reason: "a different scale or smaller precision converts every value" };
    }
    case "cidr→inet":
      return { kind: "no-rewrite", reason: "cidr is binary-coercible to inet" };
    case "varbit→varbit":
      return widens(n, m)
        ? { kind: "no-rewrite", reason: "the new length limit admits every existing value" }
        : { kind: "rewrite", reason: "every value must be checked against the shorter length limit" };
    case "timestamp→timestamp":
    case "timestamptz→timestamptz":
    case "time→time":
    case "timetz→timetz":
      return m === undefined || m === TEMPORAL_MAX_PRECISION || widens(n, m)
        ? { kind: "no-rewrite", reason: "the new precision is at least the old one" }
        : { kind: "rewrite", reason: "a lower fractional-second precision rounds every value" };
    case "bpchar→bpchar":
      return { kind: "rewrite", reason: "char(n) values are stored padded to the length, so every value changes" };
    case "timestamp→timestamptz":
    case "timestamptz→timestamp":
      return { kind: "unproven", reason: "PostgreSQL skips the rewrite only when the session TimeZone is UTC" };
    case "text→bpchar":
    case "varchar→bpchar":
    case "bit→varbit":
    case "varbit→bit":
      return { kind: "unproven", reason: "binary-coercible, but a length limit may force a check of every value" };
  }
  if (a.name === b.name) return { kind: "unproven", reason: "type modifier changes of this type are not analysed" };
  if (WELL_KNOWN.has(a.name) && WELL_KNOWN.has(b.name)) {
    return { kind: "rewrite", reason: `${formatColumnType(a)} is not binary-coercible to ${formatColumnType(b)}` };
  }
  return { kind: "unproven", reason: "this pair of types is not analysed" };
}
