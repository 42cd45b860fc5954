/**
 * How volatile an expression is, decided from the raw parse tree the way PostgreSQL's contain_volatile_functions
 * would decide it after parse analysis — as far as that can be known without a database: built-in functions by
 * name (pg_catalog, and a few well-known extension functions), everything else "unknown". ADD COLUMN … DEFAULT
 * rewrites the table exactly when the default is volatile (PostgreSQL 11 and later), so the rules need this.
 */
import type { FuncCall, Node } from "@pgsql/types";
import { formatName, nameFromList, quoteIdent, type QualifiedName } from "./names.js";
import { kindOf, unwrap } from "./statement.js";

/** PostgreSQL's volatility classes, plus "unknown" for a function we cannot look up (a user or extension one). */
export type Volatility = "immutable" | "stable" | "unknown" | "volatile";

/** Least to most dangerous: an expression is as volatile as its most volatile part. */
const ORDER: readonly Volatility[] = ["immutable", "stable", "unknown", "volatile"];

export interface VolatilityVerdict {
  readonly volatility: Volatility;
  /** What decided a "volatile" or "unknown" verdict, as SQL: `random()`, `app.next_code()`, `a subquery`. */
  readonly culprit?: string;
}

const IMMUTABLE: VolatilityVerdict = { volatility: "immutable" };

/**
 * Built-in functions by name. PostgreSQL overloads names (to_timestamp(double) is immutable, to_timestamp(text,
 * text) stable), so each name carries its most volatile overload. Only what a column default plausibly calls is
 * listed; a name missing here is "unknown", never assumed safe.
 */
const BUILTIN_FUNCTIONS: ReadonlyMap<string, Volatility> = new Map<string, Volatility>([
  // VOLATILE: a new value per call.
  ...names("volatile", [
    "random", "random_normal", "setseed", "nextval", "currval", "lastval", "setval", "clock_timestamp", "timeofday",
    "gen_random_uuid", "uuidv4", "uuidv7", "pg_sleep", "set_config", "pg_notify",
  ]),
  // STABLE: fixed within a statement; the default is evaluated once for all existing rows.
  ...names("stable", [
    "now", "statement_timestamp", "transaction_timestamp", "current_setting", "current_database", "current_schema",
    "current_schemas", "current_user", "current_role", "session_user", "user", "system_user", "current_catalog",
    "version", "pg_backend_pid", "inet_client_addr", "inet_client_port", "inet_server_addr", "inet_server_port",
    "txid_current", "pg_current_xact_id", "to_char", "to_date", "to_timestamp", "to_number", "age", "date_trunc",
    "date_part", "extract", "timezone", "make_timestamptz", "concat", "concat_ws", "format", "quote_literal",
    "quote_nullable", "to_json", "to_jsonb", "array_to_json", "row_to_json", "json_build_object", "json_build_array",
    "jsonb_build_object", "jsonb_build_array", "json_object", "jsonb_object", "to_tsvector", "to_tsquery",
    "plainto_tsquery", "websearch_to_tsquery",
  ]),
  // IMMUTABLE: same arguments, same result, forever.
  ...names("immutable", [
    "lower", "upper", "initcap", "length", "char_length", "character_length", "octet_length", "bit_length", "abs",
    "ceil", "ceiling", "floor", "round", "trunc", "sign", "sqrt", "cbrt", "exp", "ln", "log", "log10", "power", "pow",
    "mod", "div", "pi", "md5", "sha224", "sha256", "sha384", "sha512", "encode", "decode", "btrim", "ltrim", "rtrim",
    "substr", "substring", "left", "right", "lpad", "rpad", "repeat", "replace", "reverse", "split_part", "strpos",
    "position", "overlay", "translate", "ascii", "chr", "quote_ident", "regexp_replace", "make_interval", "make_date",
    "make_time", "make_timestamp", "array_fill", "array_length", "cardinality", "jsonb_set", "uuid_nil",
    "uuid_extract_timestamp", "uuid_extract_version",
  ]),
]);

/**
 * Functions of common extensions (uuid-ossp, pgcrypto, pg_uuidv7), recognised in whatever schema the extension was
 * installed in (they usually live in `public` or `extensions`).
 */
const EXTENSION_FUNCTIONS: ReadonlyMap<string, Volatility> = new Map<string, Volatility>([
  ...names("volatile", [
    "uuid_generate_v1", "uuid_generate_v1mc", "uuid_generate_v4", "uuid_generate_v7", "gen_random_uuid", "gen_random_bytes", "gen_salt",
  ]),
  ...names("immutable", ["uuid_generate_v3", "uuid_generate_v5", "uuid_nil", "uuid_ns_dns", "uuid_ns_url", "uuid_ns_oid", "uuid_ns_x500"]),
]);

function names(volatility: Volatility, list: readonly string[]): [string, Volatility][] {
  return list.map((name) => [name, volatility]);
}

/** The volatility of a function called by this (possibly schema-qualified) name. */
export function functionVolatility(name: QualifiedName): Volatility {
  const builtin = name.schema === undefined || name.schema === "pg_catalog";
  return (builtin ? BUILTIN_FUNCTIONS.get(name.name) : undefined) ?? EXTENSION_FUNCTIONS.get(name.name) ?? "unknown";
}

/**
 * The volatility of an expression of the raw parse tree: the most volatile of its parts. Constants, casts,
 * operators of pg_catalog, CASE, COALESCE, ARRAY[…], ROW(…) add nothing of their own; CURRENT_TIMESTAMP and its
 * kin are stable; function calls are looked up by name. Anything not understood is "unknown".
 */
export function expressionVolatility(expr: Node | undefined): VolatilityVerdict {
  if (!expr) return IMMUTABLE;
  const kind = kindOf(expr);
  const fields = (expr as Record<string, unknown>)[kind] as Record<string, unknown>;
  switch (kind) {
    case "A_Const":
    case "ColumnRef": // a column value (generated columns); not allowed in a DEFAULT, so never a reason to rewrite
    case "String":
    case "Integer":
    case "Float":
    case "Boolean":
      return IMMUTABLE;
    case "SQLValueFunction":
      return { volatility: "stable" };
    case "FuncCall":
      return funcCallVolatility(fields as FuncCall);
    case "A_Expr": {
      const operator = nameFromList(fields.name as Node[] | undefined);
      const own: VolatilityVerdict =
        operator?.schema !== undefined && operator.schema !== "pg_catalog"
          ? { volatility: "unknown", culprit: `OPERATOR(${quoteIdent(operator.schema)}.${operator.name})` }
          : IMMUTABLE;
      return most([own, expressionVolatility(fields.lexpr as Node), expressionVolatility(fields.rexpr as Node)]);
    }
    case "List":
      return most(((fields.items as Node[] | undefined) ?? []).map(expressionVolatility));
    case "TypeCast":
    case "CollateClause":
    case "NullTest":
    case "BooleanTest":
    case "NamedArgExpr":
      return expressionVolatility(fields.arg as Node);
    case "BoolExpr":
    case "CoalesceExpr":
    case "MinMaxExpr":
    case "RowExpr":
      return most(((fields.args as Node[] | undefined) ?? []).map(expressionVolatility));
    case "A_ArrayExpr":
      return most(((fields.elements as Node[] | undefined) ?? []).map(expressionVolatility));
    case "CaseExpr":
      return most([
        expressionVolatility(fields.arg as Node),
        ...((fields.args as Node[] | undefined) ?? []).map(expressionVolatility),
        expressionVolatility(fields.defresult as Node),
      ]);
    case "CaseWhen":
      return most([expressionVolatility(fields.expr as Node), expressionVolatility(fields.result as Node)]);
    case "A_Indirection":
      return most([expressionVolatility(fields.arg as Node), ...((fields.indirection as Node[] | undefined) ?? []).map(expressionVolatility)]);
    case "A_Indices":
      return most([expressionVolatility(fields.lidx as Node), expressionVolatility(fields.uidx as Node)]);
    case "SubLink":
      return { volatility: "unknown", culprit: "a subquery" };
    default:
      return { volatility: "unknown", culprit: `an expression of kind ${kind}` };
  }
}

function funcCallVolatility(call: FuncCall): VolatilityVerdict {
  const name = nameFromList(call.funcname);
  const parts: VolatilityVerdict[] = [];
  if (!name) parts.push({ volatility: "unknown", culprit: "a function call" });
  else {
    const volatility = call.over ? "unknown" : functionVolatility(name);
    parts.push(volatility === "immutable" || volatility === "stable" ? { volatility } : { volatility, culprit: `${formatName(name)}()` });
  }
  for (const arg of call.args ?? []) parts.push(expressionVolatility(arg));
  for (const sort of call.agg_order ?? []) parts.push(expressionVolatility(unwrap(sort, "SortBy")?.node));
  if (call.agg_filter) parts.push(expressionVolatility(call.agg_filter));
  return most(parts);
}

/** The most volatile verdict of a list (the first one, on ties, so the culprit is the leftmost). */
function most(verdicts: readonly VolatilityVerdict[]): VolatilityVerdict {
  let result = IMMUTABLE;
  for (const verdict of verdicts) if (ORDER.indexOf(verdict.volatility) > ORDER.indexOf(result.volatility)) result = verdict;
  return result;
}

/** Whether the expression is NULL, possibly cast (`NULL`, `NULL::text`): a default that changes nothing. */
export function isNullConstant(expr: Node | undefined): boolean {
  if (!expr) return false;
  if (unwrap(expr, "A_Const")?.isnull) return true;
  const cast = unwrap(expr, "TypeCast");
  return cast !== undefined && isNullConstant(cast.arg);
}

/** Whether evaluating the expression once, at ALTER time, gives the same result as evaluating it for each row. */
export function isNonVolatile(verdict: VolatilityVerdict): boolean {
  return verdict.volatility === "immutable" || verdict.volatility === "stable";
}
