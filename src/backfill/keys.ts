/**
 * The key a backfill walks (keyset pagination needs a unique, NOT NULL, indexed key: the primary key) and what is
 * known about the columns it writes. Three sources, tried in this order by the CLI: `--key` as given; the migration
 * history (the file, or earlier migrations of its folder, created the table); the database's catalog.
 */
import type { ColumnDef, Constraint, Node } from "@pgsql/types";
import type { Database } from "../db/database.js";
import { formatName, relationName, sameRelation, type QualifiedName } from "../sql/names.js";
import { parseSql } from "../sql/pg-parser.js";
import { nodeOf, unwrap, type ParsedStatement } from "../sql/statement.js";
import { formatTypeName } from "../sql/type-changes.js";

export interface KeyColumn {
  readonly name: string;
  /** The column's type as SQL (`bigint`, `uuid`, `character varying(20)`), when known: cursor values are cast to it. */
  readonly type?: string | undefined;
}

export type KeySource =
  | { readonly kind: "option" }
  | { readonly kind: "history"; /** Where the key was declared. */ readonly file: string; readonly line: number }
  | { readonly kind: "database" };

export interface TableKey {
  readonly columns: readonly KeyColumn[];
  readonly source: KeySource;
}

/** What decides how a backfill recognises the rows still to do (see plan.ts pendingPredicate). */
export interface ColumnFacts {
  readonly type?: string | undefined;
  /** The column has a default (or is an identity column): a new row never arrives NULL. */
  readonly hasDefault: boolean;
  readonly notNull: boolean;
}

export type KeyOptionOutcome = { readonly ok: true; readonly columns: readonly string[] } | { readonly ok: false; readonly reason: string };

/**
 * `--key id`, `--key tenant_id,id`, `--key '"Tenant Id", id'`: column names as SQL, read by PostgreSQL's parser
 * (so quoting works as in SQL and nothing but a list of plain column names is accepted).
 */
export function parseKeyOption(text: string): KeyOptionOutcome {
  const refused = { ok: false, reason: `--key must be a comma-separated list of column names (e.g. "tenant_id,id"); got ${JSON.stringify(text)}` } as const;
  let stmts;
  try {
    stmts = parseSql(`SELECT ${text}`).stmts ?? [];
  } catch {
    return refused;
  }
  const select = stmts.length === 1 ? unwrap(stmts[0]!.stmt, "SelectStmt") : undefined;
  if (!select || select.fromClause || select.whereClause || select.limitCount || select.sortClause || select.distinctClause) return refused;
  const columns: string[] = [];
  for (const target of select.targetList ?? []) {
    const res = unwrap(target, "ResTarget");
    const fields = unwrap(res?.val, "ColumnRef")?.fields;
    const name = fields?.length === 1 ? unwrap(fields[0], "String")?.sval : undefined;
    if (!name || res?.name) return refused;
    columns.push(name);
  }
  if (columns.length === 0 || new Set(columns).size !== columns.length) return refused;
  return { ok: true, columns };
}

/** A statement of the migration history, with the file it comes from (for messages). */
export interface HistoryStatement {
  readonly file: string;
  readonly statement: ParsedStatement;
}

export interface HistoryFacts {
  /** The primary key the history gives the table, if it declares one. */
  readonly key: TableKey | undefined;
  /** Columns the history created or changed, by name. */
  readonly columns: ReadonlyMap<string, ColumnFacts>;
}

/**
 * Replay the history (statements of the "up" direction, in order, up to the backfill) for one table: its primary
 * key and its columns' defaults and NOT NULL. Renames of the table and its columns are followed; a DROP TABLE
 * forgets everything.
 */
export function factsFromHistory(table: QualifiedName, history: readonly HistoryStatement[]): HistoryFacts {
  // Walk backwards through renames: the name the table had at each point of the history.
  let current: QualifiedName = table;
  const names = new Map<HistoryStatement, QualifiedName>();
  for (let i = history.length - 1; i >= 0; i--) {
    names.set(history[i]!, current);
    const rename = nodeOf(history[i]!.statement, "RenameStmt");
    const from = relationName(rename?.relation);
    if (rename?.renameType === "OBJECT_TABLE" && from && rename.newname && sameRelation({ ...current, name: rename.newname }, current)) {
      current = from.schema ? from : { ...from, ...(current.schema ? { schema: current.schema } : {}) };
    }
  }

  let key: { columns: KeyColumn[]; file: string; line: number } | undefined;
  let columns = new Map<string, { type?: string; hasDefault: boolean; notNull: boolean }>();
  const declareKey = (names: readonly string[], entry: HistoryStatement): void => {
    key = { columns: names.map((name) => ({ name, type: columns.get(name)?.type })), file: entry.file, line: entry.statement.loc.start.line };
    for (const name of names) columns.set(name, { ...(columns.get(name) ?? { hasDefault: false }), notNull: true });
  };
  const addColumn = (def: ColumnDef): string[] => {
    if (!def.colname) return [];
    const constraints = (def.constraints ?? []).map((c) => unwrap(c, "Constraint")).filter((c): c is Constraint => c !== undefined);
    const type = def.typeName ? keyType(formatTypeName(def.typeName)) : undefined;
    const has = (kind: string): boolean => constraints.some((c) => c.contype === kind);
    columns.set(def.colname, {
      ...(type ? { type } : {}),
      hasDefault: def.raw_default !== undefined || has("CONSTR_DEFAULT") || has("CONSTR_IDENTITY") || isSerial(def),
      notNull: def.is_not_null === true || has("CONSTR_NOTNULL") || has("CONSTR_PRIMARY"),
    });
    return has("CONSTR_PRIMARY") ? [def.colname] : [];
  };

  for (const entry of history) {
    const name = names.get(entry)!;
    const statement = entry.statement;
    const create = nodeOf(statement, "CreateStmt");
    if (create && matches(create.relation, name)) {
      columns = new Map();
      key = undefined;
      let primary: string[] = [];
      for (const element of create.tableElts ?? []) {
        const def = unwrap(element, "ColumnDef");
        if (def) primary = [...primary, ...addColumn(def)];
        const constraint = unwrap(element, "Constraint");
        if (constraint?.contype === "CONSTR_PRIMARY") primary = keysOf(constraint);
      }
      if (primary.length > 0) declareKey(primary, entry);
      continue;
    }
    const alter = nodeOf(statement, "AlterTableStmt");
    if (alter && matches(alter.relation, name)) {
      for (const wrapped of alter.cmds ?? []) {
        const cmd = unwrap(wrapped, "AlterTableCmd");
        if (!cmd) continue;
        const def = unwrap(cmd.def, "ColumnDef");
        const constraint = unwrap(cmd.def, "Constraint");
        const existing = cmd.name ? columns.get(cmd.name) : undefined;
        if (cmd.subtype === "AT_AddColumn" && def) {
          const primary = addColumn(def);
          if (primary.length > 0) declareKey(primary, entry);
        } else if (cmd.subtype === "AT_AddConstraint" && constraint?.contype === "CONSTR_PRIMARY" && keysOf(constraint).length > 0) {
          declareKey(keysOf(constraint), entry);
        } else if (cmd.subtype === "AT_ColumnDefault" && cmd.name) {
          columns.set(cmd.name, { ...(existing ?? { notNull: false }), hasDefault: cmd.def !== undefined });
        } else if (cmd.subtype === "AT_SetNotNull" && cmd.name) {
          columns.set(cmd.name, { ...(existing ?? { hasDefault: false }), notNull: true });
        } else if (cmd.subtype === "AT_DropNotNull" && cmd.name && existing) {
          columns.set(cmd.name, { ...existing, notNull: false });
        } else if (cmd.subtype === "AT_DropColumn" && cmd.name) {
          columns.delete(cmd.name);
          if (key?.columns.some((c) => c.name === cmd.name)) key = undefined;
        }
      }
      continue;
    }
    const rename = nodeOf(statement, "RenameStmt");
    if (rename?.renameType === "OBJECT_COLUMN" && matches(rename.relation, name) && rename.subname && rename.newname) {
      const facts = columns.get(rename.subname);
      if (facts) {
        columns.delete(rename.subname);
        columns.set(rename.newname, facts);
      }
      if (key) key = { ...key, columns: key.columns.map((c) => (c.name === rename.subname ? { ...c, name: rename.newname! } : c)) };
      continue;
    }
    const drop = nodeOf(statement, "DropStmt");
    if (drop?.removeType === "OBJECT_TABLE") {
      const dropped = (drop.objects ?? []).some((o: Node) => {
        const parts = (unwrap(o, "List")?.items ?? []).map((i) => unwrap(i, "String")?.sval ?? "");
        const last = parts[parts.length - 1];
        return last !== undefined && sameRelation(parts.length > 1 ? { schema: parts[parts.length - 2]!, name: last } : { name: last }, name);
      });
      if (dropped) {
        columns = new Map();
        key = undefined;
      }
    }
  }
  const found = key as { columns: KeyColumn[]; file: string; line: number } | undefined;
  return {
    key: found ? { columns: found.columns, source: { kind: "history", file: found.file, line: found.line } } : undefined,
    columns,
  };
}

function matches(relation: Parameters<typeof relationName>[0], name: QualifiedName): boolean {
  const other = relationName(relation);
  return other !== undefined && sameRelation(other, name);
}

function keysOf(constraint: Constraint): string[] {
  return (constraint.keys ?? []).map((k) => unwrap(k, "String")?.sval ?? "").filter((k) => k !== "");
}

function isSerial(def: ColumnDef): boolean {
  const names = (def.typeName?.names ?? []).map((n) => unwrap(n, "String")?.sval);
  return names.length === 1 && /^(small|big)?serial[248]?$/.test(names[0] ?? "");
}

/** serial types are not types a value can be cast to: the integer each one stands for. */
function keyType(type: string): string {
  const serial: Record<string, string> = { serial: "integer", serial4: "integer", bigserial: "bigint", serial8: "bigint", smallserial: "smallint", serial2: "smallint" };
  return serial[type] ?? type;
}

/** The database's view of a table: its primary key and columns. Undefined when the table does not exist. */
export interface CatalogTable {
  readonly primaryKey: readonly KeyColumn[];
  readonly columns: ReadonlyMap<string, ColumnFacts>;
}

/** Read a table's primary key and columns from pg_index / pg_attribute (the name resolves through search_path). */
export async function readCatalog(db: Database, table: QualifiedName): Promise<CatalogTable | undefined> {
  const name = formatName(table);
  const { rows: found } = await db.query<{ oid: string | null }>("SELECT to_regclass($1)::oid::text AS oid", [name]);
  const oid = found[0]?.oid;
  if (!oid) return undefined;
  const { rows: keyRows } = await db.query<{ name: string; type: string }>(
    `SELECT a.attname AS name, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type
       FROM pg_catalog.pg_index i
       JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
      WHERE i.indrelid = $1::oid AND i.indisprimary
      ORDER BY pg_catalog.array_position(i.indkey::int2[], a.attnum)`,
    [oid],
  );
  const { rows: columnRows } = await db.query<{ name: string; type: string; notnull: boolean; hasdefault: boolean }>(
    `SELECT attname AS name, pg_catalog.format_type(atttypid, atttypmod) AS type, attnotnull AS notnull,
            (atthasdef OR attidentity <> '') AS hasdefault
       FROM pg_catalog.pg_attribute
      WHERE attrelid = $1::oid AND attnum > 0 AND NOT attisdropped`,
    [oid],
  );
  return {
    primaryKey: keyRows.map((r) => ({ name: r.name, type: r.type })),
    columns: new Map(columnRows.map((r) => [r.name, { type: r.type, hasDefault: r.hasdefault, notNull: r.notnull }])),
  };
}

/** "id (bigint)", "tenant_id (uuid), id (bigint)". */
export function describeKey(key: readonly KeyColumn[]): string {
  return key.map((c) => `${formatName({ name: c.name })}${c.type ? ` (${c.type})` : ""}`).join(", ");
}

/** Where the key came from, as a clause for the plan's header. */
export function describeKeySource(source: KeySource): string {
  switch (source.kind) {
    case "option":
      return "given with --key";
    case "history":
      return `the primary key declared in ${source.file}:${source.line}`;
    case "database":
      return "the table's primary key in the database";
  }
}
