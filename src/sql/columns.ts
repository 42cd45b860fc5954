/**
 * The column declarations of a statement — CREATE TABLE columns, ALTER TABLE … ADD COLUMN, ALTER COLUMN … TYPE —
 * with the exact source range of each column type, for the rules about which types to choose (strict config).
 */
import type { ColumnDef, Constraint, Node, TypeName } from "@pgsql/types";
import type { StatementContext } from "../context/migration-context.js";
import { columnsReferenced } from "../context/effects.js";
import { alterTableActionRanges, tokensOf } from "./locate.js";
import { relationName, sameRelation, type QualifiedName } from "./names.js";
import type { Range, SourceText } from "./source-text.js";
import { nodeOf, unwrap, type ParsedStatement } from "./statement.js";
import { columnTypeOf } from "./type-changes.js";

export type ColumnSiteKind = "create-table" | "add-column" | "alter-type";

/** One column whose type the statement writes. */
export interface ColumnSite {
  readonly kind: ColumnSiteKind;
  readonly table: QualifiedName;
  readonly column: string;
  readonly def: ColumnDef;
  readonly typeName: TypeName;
  /** The ALTER TABLE action (index in `cmds`) for add-column and alter-type. */
  readonly action?: number;
  /** Constraints written on the column itself (none for alter-type). */
  readonly constraints: readonly Constraint[];
}

/**
 * Columns declared or retyped by a CREATE TABLE or an ALTER TABLE of a table (not of a foreign table, a view or a
 * type: their column types mirror something else). Columns without a type (`PARTITION OF` options) are skipped.
 */
const sitesCache = new WeakMap<ParsedStatement, ColumnSite[]>();

export function columnSites(statement: ParsedStatement): ColumnSite[] {
  // Several style rules ask for the same statement's columns.
  let sites = sitesCache.get(statement);
  if (!sites) sitesCache.set(statement, (sites = findColumnSites(statement)));
  return sites;
}

function findColumnSites(statement: ParsedStatement): ColumnSite[] {
  const sites: ColumnSite[] = [];
  const create = nodeOf(statement, "CreateStmt");
  if (create) {
    const table = relationName(create.relation);
    if (!table) return sites;
    for (const element of create.tableElts ?? []) {
      const def = unwrap(element, "ColumnDef");
      if (!def?.colname || !def.typeName) continue;
      sites.push({ kind: "create-table", table, column: def.colname, def, typeName: def.typeName, constraints: constraintsOf(def) });
    }
    return sites;
  }
  const alter = nodeOf(statement, "AlterTableStmt");
  if (alter?.objtype !== "OBJECT_TABLE") return sites;
  const table = relationName(alter.relation);
  if (!table) return sites;
  (alter.cmds ?? []).forEach((wrapped, action) => {
    const cmd = unwrap(wrapped, "AlterTableCmd");
    const def = unwrap(cmd?.def, "ColumnDef");
    if (!cmd || !def?.typeName) return;
    if (cmd.subtype === "AT_AddColumn" && def.colname) {
      sites.push({ kind: "add-column", table, column: def.colname, def, typeName: def.typeName, action, constraints: constraintsOf(def) });
    } else if (cmd.subtype === "AT_AlterColumnType" && cmd.name) {
      sites.push({ kind: "alter-type", table, column: cmd.name, def, typeName: def.typeName, action, constraints: [] });
    }
  });
  return sites;
}

function constraintsOf(def: ColumnDef): Constraint[] {
  return (def.constraints ?? []).map((c) => unwrap(c, "Constraint")).filter((c): c is Constraint => c !== undefined);
}

/** Table-level constraints of the statement: CREATE TABLE's constraint elements, ALTER TABLE's ADD CONSTRAINTs. */
export function tableConstraints(statement: ParsedStatement): Constraint[] {
  const create = nodeOf(statement, "CreateStmt");
  if (create) return (create.tableElts ?? []).map((e) => unwrap(e, "Constraint")).filter((c): c is Constraint => c !== undefined);
  const alter = nodeOf(statement, "AlterTableStmt");
  return (alter?.cmds ?? [])
    .map((wrapped) => unwrap(wrapped, "AlterTableCmd"))
    .filter((cmd) => cmd?.subtype === "AT_AddConstraint")
    .map((cmd) => unwrap(cmd!.def, "Constraint"))
    .filter((c): c is Constraint => c !== undefined);
}

/** Names of a constraint's column list (`keys` of PRIMARY KEY/UNIQUE, `fk_attrs` of FOREIGN KEY). */
export function constraintColumns(list: readonly Node[] | undefined): string[] {
  return (list ?? []).map((n) => unwrap(n, "String")?.sval).filter((s): s is string => s !== undefined);
}

/**
 * The built-in type a TypeName denotes (`json`, `timestamp`, `int4`, `varchar`, `bpchar`, …, pg_catalog's names),
 * whether written unqualified or as pg_catalog.x; undefined for user types.
 */
export function builtinType(typeName: TypeName): string | undefined {
  const type = columnTypeOf(typeName);
  return type.builtin ? type.name : undefined;
}

export function isArrayType(typeName: TypeName): boolean {
  return (typeName.arrayBounds ?? []).length > 0;
}

/** The serial pseudo-types and the integer type each stands for. */
export const SERIAL_TYPES: Readonly<Record<string, "smallint" | "integer" | "bigint">> = {
  smallserial: "smallint", serial2: "smallint", serial: "integer", serial4: "integer", bigserial: "bigint", serial8: "bigint",
};

/** `serial`, `bigserial`, … as PostgreSQL recognises them: a bare, unqualified, non-array type name. */
export function serialType(typeName: TypeName): string | undefined {
  const names = typeName.names ?? [];
  if (names.length !== 1 || isArrayType(typeName)) return undefined;
  const name = unwrap(names[0], "String")?.sval ?? "";
  return Object.hasOwn(SERIAL_TYPES, name) ? name : undefined;
}

/** Type words that continue a multi-word type name: `character varying`, `double precision`, `national char`. */
const CONTINUATIONS: Readonly<Record<string, readonly string[]>> = {
  NATIONAL: ["CHARACTER", "CHAR"],
  CHARACTER: ["VARYING"],
  CHAR: ["VARYING"],
  NCHAR: ["VARYING"],
  BIT: ["VARYING"],
  DOUBLE: ["PRECISION"],
};

/**
 * Where a finding about a column goes when its type cannot be located: its ALTER TABLE action, or the statement
 * (a CREATE TABLE column).
 */
export function siteFallbackRange(statement: ParsedStatement, source: SourceText, site: ColumnSite): Range {
  return site.action === undefined ? statement.range : alterTableActionRanges(statement, source)[site.action]!;
}

/**
 * The source range of a column type without its array bounds: the (qualified, multi-word) name, its modifiers and
 * `WITH[OUT] TIME ZONE` — `timestamp(3) without time zone` in `timestamp(3) without time zone[]`. Undefined when
 * the type cannot be found in the file text (a statement parsed from an escaped string).
 */
export function typeRange(statement: ParsedStatement, source: SourceText, typeName: TypeName): Range | undefined {
  if (typeName.location === undefined || typeName.location < 0 || statement.byteBase < 0) return undefined;
  const start = source.indexOfByte(statement.byteBase + typeName.location);
  const tokens = tokensOf(statement, source);
  let i = tokens.findIndex((t) => t.range[0] === start);
  if (i < 0) return undefined;
  while (tokens[i + 1]?.text === "." && tokens[i + 2]) i += 2;
  for (let word = tokens[i]!.upper; CONTINUATIONS[word]?.includes(tokens[i + 1]?.upper ?? ""); word = tokens[i]!.upper) i++;
  if (tokens[i + 1]?.text === "(") {
    let depth = 0;
    for (let k = i + 1; k < tokens.length; k++) {
      if (tokens[k]!.text === "(") depth++;
      else if (tokens[k]!.text === ")" && --depth === 0) {
        i = k;
        break;
      }
    }
  }
  const [zone1, zone2, zone3] = [tokens[i + 1]?.upper, tokens[i + 2]?.upper, tokens[i + 3]?.upper];
  if ((zone1 === "WITH" || zone1 === "WITHOUT") && zone2 === "TIME" && zone3 === "ZONE") i += 3;
  return [start, tokens[i]!.range[1]];
}

/**
 * Whether changing the type of `column` of `table` could change what other SQL of this migration does: the
 * statement itself or a later one reads the column in an expression (a CHECK, a generated column, an index
 * expression or predicate, a view, an UPDATE), or uses it as a partition key; with `values`, also when a later
 * statement writes rows into the table (INSERT, UPDATE, MERGE, COPY) or creates partitions of it, for a change
 * that reads the same input text as a different value. Columns are matched by name alone, which errs toward
 * "used". A suggestion that changes a column's type is offered only when this is false.
 */
export function columnUsedElsewhere(
  statement: ParsedStatement,
  context: StatementContext,
  table: QualifiedName,
  column: string,
  options: { readonly values?: boolean } = {},
): boolean {
  if (columnsReferenced(statement.node).includes(column)) return true;
  const create = nodeOf(statement, "CreateStmt");
  for (const param of create?.partspec?.partParams ?? []) {
    if (unwrap(param, "PartitionElem")?.name === column) return true;
  }
  const { migration } = context;
  if (migration.statementsReadingColumn(column).some((index) => index > statement.index)) return true;
  if (options.values) {
    for (const later of migration.statementsOnTable(table)) if (later.index > statement.index && writesInto(later, table)) return true;
  }
  return false;
}

/** Whether a statement writes rows of, or creates partitions of, the table. */
function writesInto(statement: ParsedStatement, table: QualifiedName): boolean {
  const same = (relation: Parameters<typeof relationName>[0]): boolean => {
    const name = relationName(relation);
    return name !== undefined && sameRelation(name, table);
  };
  const insert = nodeOf(statement, "InsertStmt");
  if (insert) return same(insert.relation);
  const update = nodeOf(statement, "UpdateStmt");
  if (update) return same(update.relation);
  const merge = nodeOf(statement, "MergeStmt");
  if (merge) return same(merge.relation);
  const copy = nodeOf(statement, "CopyStmt");
  if (copy) return copy.is_from === true && same(copy.relation);
  const create = nodeOf(statement, "CreateStmt");
  if (create?.partbound) return (create.inhRelations ?? []).some((parent) => same(unwrap(parent, "RangeVar")));
  const alter = nodeOf(statement, "AlterTableStmt");
  if (alter && same(alter.relation)) {
    return (alter.cmds ?? []).some((c) => unwrap(c, "AlterTableCmd")?.subtype === "AT_AttachPartition");
  }
  return false;
}
