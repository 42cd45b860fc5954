/**
 * What CREATE TABLE, ALTER TABLE and CREATE INDEX declare, read off libpg-query's nodes as the plain data of the
 * history model: a column's type and nullability, the index behind a PRIMARY KEY or UNIQUE constraint, an index's
 * key columns, and the names PostgreSQL picks when the SQL gives none (so a later DROP INDEX or DROP CONSTRAINT of
 * that name finds it). Pure functions; history.ts folds them, the rules read them for the statements of one file.
 */
import type { ColumnDef, Constraint, IndexElem, IndexStmt, Node, TypeName } from "@pgsql/types";
import { columnsReferenced } from "../context/effects.js";
import { byteLength, makeObjectName, MAX_IDENTIFIER_BYTES, relationName } from "../sql/names.js";
import { unwrap } from "../sql/statement.js";
import { formatTypeName } from "../sql/type-changes.js";
import type { ColumnModel, ConstraintKind, ConstraintModel, IndexModel } from "./model.js";

/** serial types are integers with a sequence default: the column's type is the integer. */
const SERIAL_TYPES: Readonly<Record<string, string>> = { smallserial: "int2", serial2: "int2", serial: "int4", serial4: "int4", bigserial: "int8", serial8: "int8" };

/** The column type a declared type stands for: `serial` → pg_catalog.int4; anything else as written. */
export function declaredType(typeName: TypeName): TypeName {
  const names = (typeName.names ?? []).map((n) => unwrap(n, "String")?.sval);
  const integer = names.length === 1 && !typeName.arrayBounds?.length ? SERIAL_TYPES[names[0] ?? ""] : undefined;
  if (!integer) return typeName;
  return { ...typeName, names: [{ String: { sval: "pg_catalog" } }, { String: { sval: integer } }] };
}

/**
 * A column as a ColumnDef declares it (CREATE TABLE, ADD COLUMN). A new column is nullable unless a NOT NULL,
 * PRIMARY KEY or identity clause says otherwise (a PRIMARY KEY elsewhere in the table is applied by the caller).
 */
export function columnOf(def: ColumnDef): ColumnModel {
  const type = def.typeName ? declaredType(def.typeName) : undefined;
  let notNull = def.is_not_null === true;
  for (const constraint of constraintsOf(def.constraints)) {
    if (constraint.contype === "CONSTR_NOTNULL" || constraint.contype === "CONSTR_PRIMARY" || constraint.contype === "CONSTR_IDENTITY") notNull = true;
    if (constraint.contype === "CONSTR_NULL") notNull = false;
  }
  return {
    name: def.colname ?? "",
    ...(type ? { type, typeText: formatTypeName(type) } : {}),
    ...(def.collClause ? { collation: def.collClause } : {}),
    notNull,
  };
}

export const constraintsOf = (nodes: readonly Node[] | undefined): Constraint[] =>
  (nodes ?? []).map((n) => unwrap(n, "Constraint")).filter((c): c is Constraint => c !== undefined);

export const stringsOf = (nodes: readonly Node[] | undefined): string[] => (nodes ?? []).map((n) => unwrap(n, "String")?.sval ?? "");

const KINDS: Partial<Record<NonNullable<Constraint["contype"]>, ConstraintKind>> = {
  CONSTR_PRIMARY: "primary-key",
  CONSTR_UNIQUE: "unique",
  CONSTR_FOREIGN: "foreign-key",
  CONSTR_CHECK: "check",
  CONSTR_EXCLUSION: "exclusion",
};

/** Labels PostgreSQL's ChooseConstraintName appends. */
const LABELS: Record<ConstraintKind, string> = { "primary-key": "pkey", unique: "key", "foreign-key": "fkey", check: "check", exclusion: "excl" };

/**
 * A table or column constraint as the model keeps it, named as written or as PostgreSQL would name it;
 * undefined for NOT NULL, DEFAULT and the other column clauses that are not pg_constraint rows here.
 */
export function constraintOf(constraint: Constraint, table: string, columnLevel?: string): ConstraintModel | undefined {
  const kind = constraint.contype ? KINDS[constraint.contype] : undefined;
  if (!kind) return undefined;
  const columns = constraintColumns(constraint, kind, columnLevel);
  const references = kind === "foreign-key" ? relationName(constraint.pktable) : undefined;
  return {
    name: constraint.conname ?? defaultConstraintName(kind, table, columns, constraint),
    kind,
    columns: columns.filter((c): c is string => c !== null),
    validated: constraint.skip_validation !== true,
    ...(references ? { references } : {}),
  };
}

function constraintColumns(constraint: Constraint, kind: ConstraintKind, columnLevel: string | undefined): (string | null)[] {
  if (columnLevel !== undefined && kind !== "check") return [columnLevel];
  switch (kind) {
    case "foreign-key":
      return stringsOf(constraint.fk_attrs);
    case "exclusion":
      return (constraint.exclusions ?? []).map((pair) => unwrap(unwrap(pair, "List")?.items?.[0], "IndexElem")?.name ?? null);
    case "check":
      return [];
    default:
      return stringsOf(constraint.keys);
  }
}

function defaultConstraintName(kind: ConstraintKind, table: string, columns: readonly (string | null)[], constraint: Constraint): string {
  if (kind === "primary-key") return makeObjectName(table, undefined, LABELS[kind]);
  if (kind === "check") {
    // tab_col_check when the expression reads one column, tab_check otherwise (AddRelationNewConstraints).
    const read = columnsReferenced(constraint.raw_expr);
    return makeObjectName(table, read.length === 1 ? read[0] : undefined, LABELS[kind]);
  }
  return makeObjectName(table, nameAddition(columns.map((c) => c ?? "expr")), LABELS[kind]);
}

/**
 * The index behind a PRIMARY KEY, UNIQUE or EXCLUDE constraint; undefined for other constraints, and for one that
 * adopts an existing index (`USING INDEX`), which the caller looks up by name.
 */
export function constraintIndexOf(constraint: Constraint, table: string, columnLevel?: string): IndexModel | undefined {
  const model = constraintOf(constraint, table, columnLevel);
  if (!model || constraint.indexname || (model.kind !== "primary-key" && model.kind !== "unique" && model.kind !== "exclusion")) return undefined;
  const columns = constraintColumns(constraint, model.kind, columnLevel);
  const notNull = notNullPredicate(constraint.where_clause);
  return {
    name: model.name,
    columns,
    include: stringsOf(constraint.including),
    unique: model.kind !== "exclusion",
    primary: model.kind === "primary-key",
    method: constraint.access_method ?? (model.kind === "exclusion" ? "gist" : "btree"),
    partial: constraint.where_clause !== undefined,
    ...(constraint.where_clause !== undefined && notNull ? { notNullPredicate: notNull } : {}),
    constraint: model.name,
  };
}

/** CREATE INDEX as the model keeps it, named as written or as PostgreSQL would name it (`name` chooses among taken names). */
export function indexOf(index: IndexStmt, table: string, taken: (name: string) => boolean = () => false): IndexModel {
  const elements = (index.indexParams ?? []).map((p) => unwrap(p, "IndexElem")).filter((e): e is IndexElem => e !== undefined);
  const columns = elements.map((e) => e.name ?? null);
  const notNull = notNullPredicate(index.whereClause);
  const label = index.primary ? "pkey" : index.isconstraint ? "key" : "idx";
  const addition = nameAddition(elements.map(indexColumnName));
  const name = index.idxname ?? chooseName((suffix) => makeObjectName(table, addition, label + suffix), taken);
  return {
    name,
    columns,
    include: (index.indexIncludingParams ?? []).map((p) => unwrap(p, "IndexElem")?.name ?? "").filter((n) => n !== ""),
    unique: index.unique === true,
    primary: index.primary === true,
    method: index.accessMethod ?? "btree",
    partial: index.whereClause !== undefined,
    ...(index.whereClause !== undefined && notNull ? { notNullPredicate: notNull } : {}),
  };
}

/** The name an index column contributes to a default index name (FigureIndexColname): the column, a function, or "expr". */
function indexColumnName(element: IndexElem): string {
  if (element.indexcolname) return element.indexcolname;
  if (element.name) return element.name;
  return expressionName(element.expr) ?? "expr";
}

function expressionName(node: Node | undefined): string | undefined {
  const call = unwrap(node, "FuncCall");
  if (call) return unwrap(call.funcname?.[call.funcname.length - 1], "String")?.sval;
  const cast = unwrap(node, "TypeCast");
  if (cast) return expressionName(cast.arg) ?? unwrap(cast.typeName?.names?.[cast.typeName.names.length - 1], "String")?.sval;
  const ref = unwrap(node, "ColumnRef");
  if (ref) return unwrap(ref.fields?.[ref.fields.length - 1], "String")?.sval;
  return undefined;
}

/**
 * The columns a partial index's predicate requires to be NOT NULL when it is only that (`WHERE a IS NOT NULL AND
 * b IS NOT NULL`); [] without a predicate; undefined for any other predicate.
 */
export function notNullPredicate(where: Node | undefined): string[] | undefined {
  if (!where) return [];
  const bool = unwrap(where, "BoolExpr");
  const parts = bool?.boolop === "AND_EXPR" ? (bool.args ?? []) : [where];
  const columns: string[] = [];
  for (const part of parts) {
    const test = unwrap(part, "NullTest");
    const fields = unwrap(test?.arg, "ColumnRef")?.fields;
    const column = unwrap(fields?.[fields.length - 1], "String")?.sval;
    if (test?.nulltesttype !== "IS_NOT_NULL" || !column) return undefined;
    columns.push(column);
  }
  return columns;
}

// ---------------------------------------------------------------------------------------------------------------
// PostgreSQL's default names (indexcmds.c ChooseIndexName; makeObjectName is in src/sql/names.ts).

/** Column names joined with `_` until the result is long enough to be truncated anyway (ChooseIndexNameAddition). */
function nameAddition(columns: readonly string[]): string {
  let addition = "";
  for (const column of columns) {
    addition = addition ? `${addition}_${column}` : column;
    if (byteLength(addition) > MAX_IDENTIFIER_BYTES) break;
  }
  return addition;
}

/** ChooseIndexName for plain columns: `table_col1_col2_idx` (label `key` for a unique constraint, `excl` for an exclusion one). */
export function defaultIndexName(table: string, columns: readonly string[], label = "idx"): string {
  return makeObjectName(table, nameAddition(columns), label);
}

/** ChooseRelationName: when the name is taken, PostgreSQL tries the label with 1, 2, … appended (`t_a_idx1`). */
function chooseName(nameWith: (suffix: string) => string, taken: (name: string) => boolean): string {
  for (let n = 0; ; n++) {
    const candidate = nameWith(n === 0 ? "" : String(n));
    if (!taken(candidate)) return candidate;
  }
}
