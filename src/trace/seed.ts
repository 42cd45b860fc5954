/**
 * `trace --rows N`: fill every table that exists before the traced migrations with N generated rows, so the
 * durations the trace reports (and how long each lock is held) mean something.
 *
 * Values come from the column types in the catalog, one INSERT … SELECT over generate_series per table. Foreign
 * keys are respected by seeding parents first and drawing the referencing columns from the parent's rows; primary
 * keys and unique columns get distinct values (integers above the column's current maximum); columns with a default
 * keep it. A table whose rows cannot be generated (a CHECK the generator does not satisfy, a type it does not know
 * on a NOT NULL column) is retried with only its required columns, then skipped — and the report says why.
 */
import type { Database } from "../db/database.js";
import { describeError } from "../db/apply-migrations.js";
import { formatName, quoteIdent, type QualifiedName } from "../sql/names.js";

export interface SeedReport {
  readonly rows: number;
  readonly tables: readonly { readonly table: string; readonly rows: number; readonly ms: number }[];
  readonly skipped: readonly { readonly table: string; readonly reason: string }[];
  readonly ms: number;
}

export interface SeedColumn {
  readonly name: string;
  readonly num: number;
  /** format_type() of the column: what generated values are cast to. */
  readonly type: string;
  /** The base type's name (pg_type.typname; a domain's base type). */
  readonly base: string;
  /** pg_type.typtype of the base type: b base, e enum, c composite, r range, m multirange, p pseudo. */
  readonly typtype: string;
  /** pg_type.typcategory of the base type (N numeric, S string, A array…). */
  readonly category: string;
  readonly typmod: number;
  readonly notNull: boolean;
  /** Has a default (including serial's nextval), or is an identity column. */
  readonly hasDefault: boolean;
  /** Generated (stored or virtual) or identity ALWAYS: must not be given a value. */
  readonly computed: boolean;
  /** Number of labels of an enum type. */
  readonly enumLabels: number;
}

export interface SeedForeignKey {
  readonly columns: readonly number[];
  readonly parent: number;
  readonly parentColumns: readonly string[];
}

export interface SeedTable {
  readonly oid: number;
  readonly name: QualifiedName;
  readonly columns: readonly SeedColumn[];
  /** attnums of columns in a primary key or unique constraint. */
  readonly unique: ReadonlySet<number>;
  readonly foreignKeys: readonly SeedForeignKey[];
}

const USER_NAMESPACES = `n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'`;

/**
 * Tables to seed (partitions are filled through their parent), with columns and key constraints, as JSON. Only the
 * schemas on the search_path and tables created since the run started ($1: the oids that existed then): on a shared
 * server, other schemas' tables are none of the trace's business.
 */
const CATALOG_SQL = `
WITH tables AS (
  SELECT c.oid, n.nspname, c.relname
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relpersistence <> 't' AND ${USER_NAMESPACES}
     AND (n.nspname = ANY (current_schemas(false)) OR ($1::text IS NOT NULL AND NOT c.oid::int8 = ANY ($1::text::int8[])))
)
SELECT
  (SELECT coalesce(json_agg(json_build_array(t.oid::int8, t.nspname, t.relname)), '[]') FROM tables t) AS tables,
  (SELECT coalesce(json_agg(json_build_array(
            a.attrelid::int8, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), b.typname, b.typtype, b.typcategory,
            CASE WHEN ty.typtype = 'd' THEN ty.typtypmod ELSE a.atttypmod END, a.attnotnull OR (ty.typtype = 'd' AND ty.typnotnull),
            a.atthasdef OR a.attidentity <> '' OR (ty.typtype = 'd' AND ty.typdefault IS NOT NULL),
            a.attgenerated <> '' OR a.attidentity = 'a',
            (SELECT count(*) FROM pg_enum e WHERE e.enumtypid = b.oid))), '[]')
     FROM pg_attribute a
     JOIN tables t ON t.oid = a.attrelid
     JOIN pg_type ty ON ty.oid = a.atttypid
     JOIN pg_type b ON b.oid = CASE WHEN ty.typtype = 'd' THEN ty.typbasetype ELSE ty.oid END
    WHERE a.attnum > 0 AND NOT a.attisdropped) AS columns,
  (SELECT coalesce(json_agg(json_build_array(co.conrelid::int8, co.contype, co.conkey, co.confrelid::int8,
            (SELECT json_agg(pa.attname ORDER BY k.ord) FROM unnest(co.confkey) WITH ORDINALITY k(num, ord)
               JOIN pg_attribute pa ON pa.attrelid = co.confrelid AND pa.attnum = k.num))), '[]')
     FROM pg_constraint co JOIN tables t ON t.oid = co.conrelid
    WHERE co.contype IN ('p', 'u', 'f')) AS constraints`;

type ColumnRow = [number, number, string, string, string, string, string, number, boolean, boolean, boolean, number];
type ConstraintRow = [number, string, number[], number, string[] | null];

export async function seedCatalog(db: Database, existedAtStart?: readonly number[]): Promise<SeedTable[]> {
  const since = existedAtStart ? `{${existedAtStart.join(",")}}` : null;
  const row = (await db.query<{ tables: unknown; columns: unknown; constraints: unknown }>(CATALOG_SQL, [since])).rows[0]!;
  const parse = <T>(value: unknown): T => (typeof value === "string" ? JSON.parse(value) : value) as T;
  const tables = new Map<number, { oid: number; name: QualifiedName; columns: SeedColumn[]; unique: Set<number>; foreignKeys: SeedForeignKey[] }>();
  for (const [oid, schema, name] of parse<[number, string, string][]>(row.tables)) {
    tables.set(oid, { oid, name: { schema, name }, columns: [], unique: new Set(), foreignKeys: [] });
  }
  for (const [table, num, name, type, base, typtype, category, typmod, notNull, hasDefault, computed, enumLabels] of parse<ColumnRow[]>(row.columns)) {
    tables.get(table)?.columns.push({ name, num, type, base, typtype, category, typmod, notNull, hasDefault, computed, enumLabels: Number(enumLabels) });
  }
  for (const [table, type, columns, parent, parentColumns] of parse<ConstraintRow[]>(row.constraints)) {
    const entry = tables.get(table);
    if (!entry) continue;
    if (type === "f" && parentColumns) entry.foreignKeys.push({ columns, parent, parentColumns });
    else if (type === "p" || type === "u") for (const column of columns) entry.unique.add(column);
  }
  for (const entry of tables.values()) entry.columns.sort((a, b) => a.num - b.num);
  return [...tables.values()];
}

/** Parents before children; tables in a foreign-key cycle in the order found (their nullable keys are left NULL). */
export function seedOrder(tables: readonly SeedTable[]): SeedTable[] {
  const byOid = new Map(tables.map((t) => [t.oid, t]));
  const done = new Set<number>();
  const visiting = new Set<number>();
  const out: SeedTable[] = [];
  const visit = (table: SeedTable): void => {
    if (done.has(table.oid) || visiting.has(table.oid)) return;
    visiting.add(table.oid);
    for (const fk of table.foreignKeys) {
      const parent = byOid.get(fk.parent);
      if (parent && parent.oid !== table.oid) visit(parent);
    }
    visiting.delete(table.oid);
    done.add(table.oid);
    out.push(table);
  };
  for (const table of [...tables].sort((a, b) => formatName(a.name).localeCompare(formatName(b.name)))) visit(table);
  return out;
}

/** How a table's rows are generated: full (every column we can fill), or required (NOT NULL columns only). */
export type SeedMode = "full" | "required";

/**
 * The INSERT … SELECT that adds `$1` rows to a table, or the reason it cannot be written. Every identifier is
 * quoted with quoteIdent/formatName; types are PostgreSQL's own format_type() output.
 */
export function seedInsert(table: SeedTable, mode: SeedMode, tables: ReadonlyMap<number, SeedTable>): { sql: string } | { reason: string } {
  const target = formatName(table.name);
  const names: string[] = [];
  const values: string[] = [];
  const bases: string[] = [];
  const joins: string[] = [];
  const referenceOf = new Map<number, { fk: SeedForeignKey; position: number; alias: string }>();
  table.foreignKeys.forEach((fk, k) => {
    fk.columns.forEach((column, position) => {
      if (!referenceOf.has(column)) referenceOf.set(column, { fk, position, alias: `fk${k}` });
    });
  });

  for (const column of table.columns) {
    if (column.computed) continue;
    const reference = referenceOf.get(column.num);
    if (reference) {
      const { fk, alias, position } = reference;
      const parent = tables.get(fk.parent);
      if (!parent || parent.oid === table.oid) {
        if (!column.notNull) continue; // left NULL
        return { reason: `NOT NULL column ${quoteIdent(column.name)} references ${parent ? "its own table" : "a table that is not seeded"}` };
      }
      if (!joins.some((j) => j.includes(` AS ${alias} `))) {
        const picked = fk.parentColumns.map((c, i) => `${quoteIdent(c)} AS r${i}`).join(", ");
        const present = fk.parentColumns.map((c) => `${quoteIdent(c)} IS NOT NULL`).join(" AND ");
        const parentRows = `${formatName(parent.name)} WHERE ${present}`;
        // Row k of the child takes row 1 + (k - 1) mod count of the parent: every value exists, spread evenly. The
        // count is a scalar subquery (computed once), so the join is an equality PostgreSQL can hash.
        joins.push(
          `LEFT JOIN (SELECT row_number() OVER () AS n, ${picked} FROM ${parentRows}) AS ${alias} ON ${alias}.n = 1 + (seed.i - 1) % NULLIF((SELECT count(*) FROM ${parentRows}), 0)`,
        );
      }
      names.push(quoteIdent(column.name));
      values.push(`${alias}.r${position}`);
      continue;
    }
    if (column.hasDefault) continue; // the default fills it: serial, identity, now(), a constant
    if (mode === "required" && !column.notNull) continue;
    let row = "seed.i";
    if (table.unique.has(column.num) && INTEGER_TYPES.has(column.base)) {
      // Above the current maximum, so rows the history inserted do not collide.
      const alias = `base${column.num}`;
      bases.push(`CROSS JOIN (SELECT coalesce(max(${quoteIdent(column.name)}), 0) AS v FROM ${target}) AS ${alias}`);
      row = `(${alias}.v + seed.i)`;
    }
    const value = valueExpression(column, row);
    if (value === null) {
      if (column.notNull) return { reason: `no value can be generated for NOT NULL column ${quoteIdent(column.name)} of type ${column.type}` };
      continue;
    }
    names.push(quoteIdent(column.name));
    values.push(`CAST(${value} AS ${column.type})`);
  }
  const from = ["FROM generate_series(1, $1::int) AS seed(i)", ...bases, ...joins].join(" ");
  // With no column to fill, the rows are all defaults: a SELECT of zero columns is valid SQL.
  return names.length > 0
    ? { sql: `INSERT INTO ${target} (${names.join(", ")}) SELECT ${values.join(", ")} ${from}` }
    : { sql: `INSERT INTO ${target} SELECT ${from}` };
}

const INTEGER_TYPES = new Set(["int2", "int4", "int8", "numeric", "oid"]);

/**
 * A SQL expression of the row number `i` (itself SQL) giving a value of the column's base type, distinct per row
 * where the type allows; null for types the generator does not know.
 */
export function valueExpression(column: SeedColumn, i: string): string | null {
  const length = (column.base === "varchar" || column.base === "bpchar") && column.typmod > 4 ? column.typmod - 4 : undefined;
  if (column.typtype === "e") return column.enumLabels > 0 ? `(enum_range(NULL::${column.type}))[1 + ${i} % ${column.enumLabels}]` : null;
  if (column.category === "A") return `'{}'`;
  switch (column.base) {
    case "int2":
      return `((${i} - 1) % 32767 + 1)`;
    case "int4":
    case "int8":
    case "oid":
    case "float4":
    case "float8":
      return i;
    case "numeric": {
      if (column.typmod < 4) return i;
      const precision = ((column.typmod - 4) >> 16) & 0xffff;
      const scale = (column.typmod - 4) & 0xffff;
      const digits = precision - scale;
      return digits > 0 ? `(${i} % ${10 ** Math.min(digits, 15)})` : "0";
    }
    case "money":
      return `(${i})::numeric`;
    case "bool":
      return `(${i} % 2 = 0)`;
    case "uuid":
      return `md5('seed ' || ${i})::uuid`;
    case "date":
      return `(date '2000-01-01' + (${i})::int)`;
    case "timestamp":
    case "timestamptz":
      return `(timestamp '2000-01-01' + (${i}) * interval '1 second')`;
    case "time":
    case "timetz":
      return `(time '00:00' + ((${i}) % 86400) * interval '1 second')`;
    case "interval":
      return `((${i}) * interval '1 second')`;
    case "json":
      return `json_build_object('seed', ${i})`;
    case "jsonb":
      return `jsonb_build_object('seed', ${i})`;
    case "bytea":
      return `convert_to('seed ' || ${i}, 'UTF8')`;
    case "inet":
      return `('10.0.0.0'::inet + (${i}))`;
    case "cidr":
      return `set_masklen('10.0.0.0'::inet + (${i}), 32)`;
    case "tsvector":
      return `to_tsvector('simple', 'seed ' || ${i})`;
    case "xml":
      return `xmlparse(content 'seed')`;
    default:
      if (column.category === "S" || ["text", "varchar", "bpchar", "name", "citext"].includes(column.base)) {
        // The row number last, so a short varchar keeps the digits that make the value unique.
        return length !== undefined ? `right('seed ' || ${i}, ${length})` : `('seed ' || ${i})`;
      }
      if (column.category === "N") return i;
      return null;
  }
}

export interface SeedOptions {
  /** The connection is inside the run's transaction: each table under a savepoint. */
  readonly insideTransaction: boolean;
  /**
   * Oids of the relations that existed when the run started: tables outside the search_path's schemas are seeded
   * only when created since. Absent: only the search_path's schemas.
   */
  readonly existedAtStart?: readonly number[];
}

/** Seed every user table with `rows` generated rows; tables that cannot be seeded are skipped with the reason. */
export async function seedTables(db: Database, rows: number, options: SeedOptions): Promise<SeedReport> {
  const started = performance.now();
  const tables = seedOrder(await seedCatalog(db, options.existedAtStart));
  const byOid = new Map(tables.map((t) => [t.oid, t]));
  // Triggers (audit tables, notifications) are not what is being measured: switch them off where we may.
  const superuser = (await db.query<{ s: boolean }>("SELECT rolsuper AS s FROM pg_roles WHERE rolname = current_user")).rows[0]?.s === true;
  const quiet = superuser ? "SET LOCAL session_replication_role = replica" : null;
  let restoreRole: string | null = null;
  if (quiet && options.insideTransaction) {
    restoreRole = (await db.query<{ v: string }>("SELECT current_setting('session_replication_role') AS v")).rows[0]!.v;
    await db.exec(quiet);
  }

  const seeded = new Set<number>();
  const done: { table: string; rows: number; ms: number }[] = [];
  const skipped: { table: string; reason: string }[] = [];
  for (const table of tables) {
    const name = formatName(table.name);
    let reason = "";
    for (const mode of ["full", "required"] as const) {
      const plan = seedInsert(table, mode, byOid);
      if ("reason" in plan) {
        reason = plan.reason;
        break;
      }
      const tableStarted = performance.now();
      const result = await insert(db, plan.sql, rows, options.insideTransaction ? null : quiet, options.insideTransaction);
      if ("error" in result) {
        reason = result.error;
        continue;
      }
      seeded.add(table.oid);
      done.push({ table: name, rows: result.rows, ms: performance.now() - tableStarted });
      reason = "";
      break;
    }
    if (reason) skipped.push({ table: name, reason });
  }
  if (restoreRole !== null) await db.query("SELECT set_config('session_replication_role', $1, true)", [restoreRole]);
  // Fresh statistics, as a real table of that size would have.
  for (const table of tables) if (seeded.has(table.oid)) await db.exec(`ANALYZE ${formatName(table.name)}`);
  return { rows, tables: done, skipped, ms: performance.now() - started };
}

async function insert(db: Database, sql: string, rows: number, quiet: string | null, insideTransaction: boolean): Promise<{ rows: number } | { error: string }> {
  await db.exec(insideTransaction ? "SAVEPOINT migration_safety_seed" : "BEGIN");
  try {
    if (quiet) await db.exec(quiet);
    const result = await db.query(sql, [rows]);
    await db.exec(insideTransaction ? "RELEASE SAVEPOINT migration_safety_seed" : "COMMIT");
    return { rows: result.rowCount ?? rows };
  } catch (error) {
    await db.exec(insideTransaction ? "ROLLBACK TO SAVEPOINT migration_safety_seed; RELEASE SAVEPOINT migration_safety_seed" : "ROLLBACK");
    return { error: describeError(error).error };
  }
}
