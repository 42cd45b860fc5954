/**
 * What the trace reads from PostgreSQL's catalogs around each statement — the user's relations with their storage
 * files, constraints and columns; the relation locks the session holds — and the pure diffs that turn two snapshots
 * into "rewritten", "constraint added/validated" and "column changed".
 */
import type { Node } from "@pgsql/types";
import type { LockMode } from "../sql/locks.js";
import { parseSql } from "../sql/pg-parser.js";
import { conjuncts } from "../sql/predicates.js";
import { unwrap } from "../sql/statement.js";
import type { Database } from "../db/database.js";

export type RelationKind = "table" | "partitioned table" | "index" | "partitioned index" | "view" | "materialized view" | "foreign table" | "sequence";

const KINDS: Record<string, RelationKind> = {
  r: "table",
  p: "partitioned table",
  i: "index",
  I: "partitioned index",
  v: "view",
  m: "materialized view",
  f: "foreign table",
  S: "sequence",
};

/** Relations whose reads and writes the application sees: the ones the findings are about. */
export const TABLE_LIKE: ReadonlySet<RelationKind> = new Set(["table", "partitioned table", "view", "materialized view", "foreign table"]);

export interface RelationInfo {
  readonly oid: number;
  /** As PostgreSQL prints it (`oid::regclass`): schema-qualified only when not on the search_path, quoted as needed. */
  readonly name: string;
  readonly schema: string;
  readonly relname: string;
  readonly kind: RelationKind;
  /** pg_class.relfilenode: a new one means new storage (a rewrite); 0 for relations without storage. */
  readonly filenode: number;
  /** For an index, its table's oid. */
  readonly table?: number;
}

export type ConstraintType = "CHECK" | "FOREIGN KEY" | "PRIMARY KEY" | "UNIQUE" | "EXCLUDE";

const CONSTRAINT_TYPES: Record<string, ConstraintType> = { c: "CHECK", f: "FOREIGN KEY", p: "PRIMARY KEY", u: "UNIQUE", x: "EXCLUDE" };

export interface ConstraintInfo {
  readonly oid: number;
  readonly name: string;
  readonly table: number;
  readonly type: ConstraintType;
  readonly validated: boolean;
  /** The constrained columns' attnums (the referencing side of a foreign key). */
  readonly columns: readonly number[];
  /** A foreign key's referenced table. */
  readonly referenced?: number;
  /** A partition's copy of its parent's constraint. */
  readonly inherited: boolean;
}

export interface ColumnInfo {
  readonly table: number;
  readonly name: string;
  /** format_type() of the column's type and modifier: `character varying(20)`, `bigint`. */
  readonly type: string;
  readonly notNull: boolean;
}

export interface CatalogSnapshot {
  readonly relations: ReadonlyMap<number, RelationInfo>;
  readonly constraints: ReadonlyMap<number, ConstraintInfo>;
  /** Keyed by `${table oid}:${attnum}`. */
  readonly columns: ReadonlyMap<string, ColumnInfo>;
}

/** Schemas that are PostgreSQL's, not the user's. */
const USER_NAMESPACES = `n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'`;

/**
 * The user's relations, constraints and columns as JSON (both drivers parse json), in one round trip. `oids` names
 * a relation `k(oid)` that limits what is read — every relation, or the ones locked — and drives the joins, so a
 * limited read uses the catalogs' indexes. Oids are cast to int8, which JSON writes as numbers (an oid would be
 * written as a string).
 */
function snapshotSql(): string {
  return `
  (SELECT coalesce(json_agg(json_build_array(c.oid::int8, c.oid::regclass::text, n.nspname, c.relname, c.relkind, c.relfilenode::int8, i.indrelid::int8)), '[]')
     FROM k JOIN pg_class c ON c.oid = k.oid JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_index i ON i.indexrelid = c.oid
    WHERE c.relkind IN ('r', 'p', 'i', 'I', 'v', 'm', 'f', 'S') AND ${USER_NAMESPACES}) AS relations,
  (SELECT coalesce(json_agg(json_build_array(co.oid::int8, co.conname, co.conrelid::int8, co.contype, co.convalidated, co.conkey, co.conparentid <> 0, co.confrelid::int8)), '[]')
     FROM k JOIN pg_constraint co ON co.conrelid = k.oid JOIN pg_namespace n ON n.oid = co.connamespace
    WHERE co.contype IN ('c', 'f', 'p', 'u', 'x') AND ${USER_NAMESPACES}) AS constraints,
  (SELECT coalesce(json_agg(json_build_array(a.attrelid::int8, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull)), '[]')
     FROM k JOIN pg_class c ON c.oid = k.oid JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = k.oid
    WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'm', 'f') AND ${USER_NAMESPACES}) AS columns`;
}

const SNAPSHOT_SQL = `WITH k AS MATERIALIZED (SELECT oid FROM pg_class) SELECT ${snapshotSql()}`;

type RelationRow = [number, string, string, string, string, number, number | null];
type ConstraintRow = [number, string, number, string, boolean, number[] | null, boolean, number];
type ColumnRow = [number, number, string, string, boolean];
type SnapshotRow = { relations: unknown; constraints: unknown; columns: unknown };

/** Everything: at the start of a file, and after a statement that ran outside a transaction block. */
export async function snapshotCatalog(db: Database): Promise<CatalogSnapshot> {
  const { rows } = await db.query<SnapshotRow>(SNAPSHOT_SQL);
  return fromRow(rows[0]!);
}

function fromRow(row: SnapshotRow): CatalogSnapshot {
  const relations = new Map<number, RelationInfo>();
  for (const [oid, name, schema, relname, kind, filenode, table] of json<RelationRow[]>(row.relations)) {
    relations.set(oid, { oid, name, schema, relname, kind: KINDS[kind]!, filenode, ...(table ? { table } : {}) });
  }
  const constraints = new Map<number, ConstraintInfo>();
  for (const [oid, name, table, type, validated, columns, inherited, referenced] of json<ConstraintRow[]>(row.constraints)) {
    constraints.set(oid, { oid, name, table, type: CONSTRAINT_TYPES[type]!, validated, columns: columns ?? [], inherited, ...(referenced ? { referenced } : {}) });
  }
  const columns = new Map<string, ColumnInfo>();
  for (const [table, num, name, type, notNull] of json<ColumnRow[]>(row.columns)) columns.set(`${table}:${num}`, { table, name, type, notNull });
  return { relations, constraints, columns };
}

/** pg parses json columns, and so does PGlite; a driver configured otherwise hands us the text. */
function json<T>(value: unknown): T {
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}

// ---------------------------------------------------------------------------------------------------------------
// Locks

/** A relation lock the session holds: pg_locks' relation oid and its mode in SQL's spelling. */
export interface HeldLock {
  readonly oid: number;
  readonly mode: LockMode;
}

const LOCKS_SQL = `
  (SELECT coalesce(json_agg(json_build_array(l.relation::int8, l.mode)), '[]')
     FROM pg_locks l
    WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted
      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())) AS locks`;

export async function heldLocks(db: Database): Promise<HeldLock[]> {
  const { rows } = await db.query<{ locks: unknown }>(`SELECT ${LOCKS_SQL}`);
  return locksFrom(rows[0]!.locks);
}

function locksFrom(value: unknown): HeldLock[] {
  return json<[number, string][]>(value).flatMap(([oid, mode]) => {
    const sqlMode = lockModeOf(mode);
    return sqlMode ? [{ oid, mode: sqlMode }] : [];
  });
}

const OBSERVE_SQL = `
WITH held AS MATERIALIZED (
  SELECT l.relation, l.mode FROM pg_locks l
   WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted
     AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())),
k AS MATERIALIZED (SELECT DISTINCT relation AS oid FROM held)
SELECT (SELECT coalesce(json_agg(json_build_array(relation::int8, mode)), '[]') FROM held) AS locks, ${snapshotSql()}`;

/**
 * After a statement, inside its transaction: the locks held, and the catalog updated for the relations locked. No
 * relation changes storage, constraints or columns without its transaction locking it (a new relation is locked by
 * its creator), so re-reading only those is exact — and keeps the cost per statement flat as the schema grows.
 */
export async function observeAfter(db: Database, before: CatalogSnapshot): Promise<{ locks: HeldLock[]; after: CatalogSnapshot }> {
  const { rows } = await db.query<SnapshotRow & { locks: unknown }>(OBSERVE_SQL);
  const row = rows[0]!;
  const locks = locksFrom(row.locks);
  return { locks, after: merge(before, fromRow(row), new Set(locks.map((l) => l.oid))) };
}

/** `before` with every relation in `scope` (and its constraints and columns) replaced by what `fresh` says. */
function merge(before: CatalogSnapshot, fresh: CatalogSnapshot, scope: ReadonlySet<number>): CatalogSnapshot {
  const relations = new Map([...before.relations].filter(([oid]) => !scope.has(oid)));
  for (const [oid, relation] of fresh.relations) relations.set(oid, relation);
  const constraints = new Map([...before.constraints].filter(([, c]) => !scope.has(c.table)));
  for (const [oid, constraint] of fresh.constraints) constraints.set(oid, constraint);
  const columns = new Map([...before.columns].filter(([, c]) => !scope.has(c.table)));
  for (const [key, column] of fresh.columns) columns.set(key, column);
  return { relations, constraints, columns };
}

/** pg_locks' `AccessExclusiveLock` → `ACCESS EXCLUSIVE`, the spelling of LOCK TABLE and of src/sql/locks.ts. */
export function lockModeOf(pgLocksMode: string): LockMode | undefined {
  const words = pgLocksMode.replace(/Lock$/, "").replace(/([a-z])([A-Z])/g, "$1 $2").toUpperCase();
  const modes: readonly string[] = ["ACCESS SHARE", "ROW SHARE", "ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE", "SHARE", "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE"];
  return modes.includes(words) ? (words as LockMode) : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Diffs

export interface ConstraintChange {
  readonly name: string;
  readonly table: string;
  readonly tableOid: number;
  readonly type: ConstraintType;
  /**
   * added: a new constraint (validated or NOT VALID); validated: an existing NOT VALID one became valid; rebuilt:
   * dropped and recreated under the same name by PostgreSQL itself (ALTER COLUMN TYPE rebuilds the constraints on it).
   */
  readonly change: "added" | "validated" | "rebuilt";
  readonly validated: boolean;
  readonly oid: number;
  /** A foreign key's referenced table. */
  readonly referenced?: number;
  /** Every constrained column was added by the same statement (so it holds only NULLs or its default). */
  readonly onNewColumns: boolean;
}

export interface ColumnChange {
  readonly table: string;
  readonly tableOid: number;
  readonly column: string;
  readonly from: { readonly type: string; readonly notNull: boolean };
  readonly to: { readonly type: string; readonly notNull: boolean };
}

export interface CatalogDiff {
  /** Relations that existed before and got new storage: rewritten tables, rebuilt indexes. */
  readonly rewritten: readonly RelationInfo[];
  /** Indexes that did not exist before. */
  readonly createdIndexes: readonly RelationInfo[];
  /** Indexes that existed before and are gone (and were not rebuilt under the same name). */
  readonly droppedIndexes: readonly RelationInfo[];
  readonly constraints: readonly ConstraintChange[];
  readonly columns: readonly ColumnChange[];
}

/**
 * What changed between two snapshots. `rebuilds`: the statement makes PostgreSQL drop and recreate indexes and
 * constraints under their old names (ALTER COLUMN TYPE); otherwise a relation or constraint that reappears under an
 * old name was dropped and added by the statement itself (DROP CONSTRAINT pkey, ADD PRIMARY KEY).
 */
export function diffCatalog(before: CatalogSnapshot, after: CatalogSnapshot, { rebuilds = false }: { rebuilds?: boolean } = {}): CatalogDiff {
  const rewritten: RelationInfo[] = [];
  const droppedIndexes: RelationInfo[] = [];
  // An index rebuilt by ALTER COLUMN TYPE comes back as a new relation under the same name.
  const afterByName = new Map<string, RelationInfo>();
  for (const relation of after.relations.values()) afterByName.set(`${relation.schema}.${relation.relname}`, relation);
  const rebuilt = new Set<number>();
  for (const old of before.relations.values()) {
    const now = after.relations.get(old.oid);
    if (now) {
      if (old.filenode !== 0 && now.filenode !== old.filenode) rewritten.push(now);
      continue;
    }
    if (old.kind !== "index" && old.kind !== "partitioned index") continue;
    const successor = rebuilds ? afterByName.get(`${old.schema}.${old.relname}`) : undefined;
    if (successor && !before.relations.has(successor.oid) && successor.kind === old.kind && successor.table === old.table) {
      rebuilt.add(successor.oid);
      if (old.filenode !== 0) rewritten.push(successor);
    } else {
      droppedIndexes.push(old);
    }
  }
  const createdIndexes = [...after.relations.values()].filter(
    (r) => (r.kind === "index" || r.kind === "partitioned index") && !before.relations.has(r.oid) && !rebuilt.has(r.oid),
  );

  const tableName = (oid: number): string => after.relations.get(oid)?.name ?? before.relations.get(oid)?.name ?? String(oid);
  const constraints: ConstraintChange[] = [];
  const goneByName = new Set<string>();
  if (rebuilds) for (const old of before.constraints.values()) if (!after.constraints.has(old.oid)) goneByName.add(`${old.table}:${old.name}`);
  for (const constraint of after.constraints.values()) {
    if (constraint.inherited) continue; // a partition's copy of the parent's constraint
    const old = before.constraints.get(constraint.oid);
    const change = old
      ? !old.validated && constraint.validated
        ? "validated"
        : undefined
      : goneByName.has(`${constraint.table}:${constraint.name}`)
        ? "rebuilt"
        : "added";
    if (!change) continue;
    constraints.push({
      oid: constraint.oid,
      name: constraint.name,
      table: tableName(constraint.table),
      tableOid: constraint.table,
      type: constraint.type,
      change,
      validated: constraint.validated,
      ...(constraint.referenced ? { referenced: constraint.referenced } : {}),
      onNewColumns: constraint.columns.length > 0 && constraint.columns.every((num) => !before.columns.has(`${constraint.table}:${num}`)),
    });
  }

  const columns: ColumnChange[] = [];
  for (const [key, now] of after.columns) {
    const old = before.columns.get(key);
    if (!old || old.name !== now.name || (old.type === now.type && old.notNull === now.notNull)) continue;
    columns.push({
      table: tableName(now.table),
      tableOid: now.table,
      column: now.name,
      from: { type: old.type, notNull: old.notNull },
      to: { type: now.type, notNull: now.notNull },
    });
  }
  return { rewritten, createdIndexes, droppedIndexes, constraints, columns };
}

/**
 * Foreign keys (by constraint oid) whose referencing columns are not the leading columns of any index of their
 * table: deleting or updating a referenced row then scans the whole referencing table. A partial index serves the
 * lookups only when its predicate is nothing but `IS NOT NULL` on those columns (a lookup never matches NULL).
 */
export async function foreignKeysWithoutIndex(db: Database, constraintOids: readonly number[]): Promise<Set<number>> {
  if (constraintOids.length === 0) return new Set();
  const { rows } = await db.query<{ keys: unknown }>(
    `SELECT coalesce(json_agg(json_build_array(
              co.oid::int8,
              (SELECT json_agg(a.attname) FROM unnest(co.conkey) k(num) JOIN pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = k.num),
              (SELECT json_agg(pg_get_expr(i.indpred, i.indrelid)) FROM pg_index i
                WHERE i.indrelid = co.conrelid
                  AND (i.indkey::int2[])[0:cardinality(co.conkey) - 1] @> co.conkey
                  AND co.conkey @> (i.indkey::int2[])[0:cardinality(co.conkey) - 1]))), '[]') AS keys
       FROM pg_constraint co
      WHERE co.oid = ANY ($1::text::oid[]) AND co.contype = 'f'`,
    [`{${constraintOids.join(",")}}`],
  );
  const missing = new Set<number>();
  for (const [oid, columns, predicates] of json<[number, string[], (string | null)[] | null][]>(rows[0]!.keys)) {
    const serves = (predicate: string | null): boolean => predicate === null || onlyNotNull(predicate, new Set(columns));
    if (!(predicates ?? []).some(serves)) missing.add(oid);
  }
  return missing;
}

/** Whether a predicate (pg_get_expr output) is a conjunction of `column IS NOT NULL` on the given columns only. */
function onlyNotNull(predicate: string, columns: ReadonlySet<string>): boolean {
  let where: Node | undefined;
  try {
    where = unwrap(parseSql(`SELECT WHERE ${predicate}`).stmts?.[0]?.stmt, "SelectStmt")?.whereClause;
  } catch {
    return false;
  }
  return where !== undefined && conjuncts(where).every((part) => {
    const test = unwrap(part, "NullTest");
    const fields = unwrap(test?.arg, "ColumnRef")?.fields ?? [];
    const name = unwrap(fields[fields.length - 1], "String")?.sval;
    return test?.nulltesttype === "IS_NOT_NULL" && name !== undefined && columns.has(name);
  });
}
