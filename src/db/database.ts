/**
 * One interface over the two PostgreSQL engines this tool runs SQL on: a server reached through `pg` (when
 * DATABASE_URL or --database-url is given) and the embedded PGlite (PostgreSQL compiled to WebAssembly), so a
 * newcomer sees verification, backfills and traces work with nothing installed.
 */
import type { Extensions, PGlite } from "@electric-sql/pglite";
import type { Client } from "pg";

export interface QueryResult<Row> {
  readonly rows: Row[];
  /** Rows changed by INSERT/UPDATE/DELETE, when the engine reports it. */
  readonly rowCount: number | null;
}

export interface Database {
  readonly kind: "pglite" | "postgres";
  /** One statement, with $1… parameters. */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>>;
  /** A script of several statements, no parameters. */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** A postgres:// URL, or pglite:<directory> for a PGlite kept on disk; without one, a fresh in-memory PGlite. */
  readonly url?: string | undefined;
  /**
   * PGlite only: contrib extensions to make available (SQL names such as "pgcrypto", "uuid-ossp"), so migrations
   * that CREATE EXTENSION them can run. Names PGlite does not ship are ignored; CREATE EXTENSION then fails there.
   */
  readonly extensions?: readonly string[];
}

export async function openDatabase({ url, extensions = [] }: OpenOptions = {}): Promise<Database> {
  if (url?.startsWith(PGLITE_SCHEME)) return openPglite(extensions, pgliteDirectory(url));
  return url ? openServer(url) : openPglite(extensions);
}

const PGLITE_SCHEME = "pglite:";

/**
 * `pglite:<directory>` (also `pglite://<directory>`): a PGlite database kept in that directory, so a run that is
 * stopped — even killed — can be resumed on the same data, with nothing installed. `pglite:` alone is in memory.
 */
function pgliteDirectory(url: string): string | undefined {
  const path = url.slice(PGLITE_SCHEME.length).replace(/^\/\//, "");
  return path === "" ? undefined : path;
}

/** The URL to use by default: DATABASE_URL when set and not empty. */
export function defaultDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.DATABASE_URL?.trim() || undefined;
}

async function openServer(url: string): Promise<Database> {
  const { default: pg } = await import("pg");
  const client: Client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    kind: "postgres",
    async query<Row>(sql: string, params: readonly unknown[] = []) {
      const result = await client.query(sql, params as unknown[]);
      return { rows: result.rows as Row[], rowCount: result.rowCount };
    },
    async exec(sql: string) {
      await client.query(sql);
    },
    async close() {
      await client.end();
    },
  };
}

async function openPglite(extensionNames: readonly string[], dataDir?: string): Promise<Database> {
  const { PGlite } = await import("@electric-sql/pglite");
  const db: PGlite = await PGlite.create({ extensions: await pgliteContrib(extensionNames), ...(dataDir ? { dataDir } : {}) });
  return {
    kind: "pglite",
    async query<Row>(sql: string, params: readonly unknown[] = []) {
      const result = await db.query<Row>(sql, params as unknown[]);
      return { rows: result.rows, rowCount: result.affectedRows ?? null };
    },
    async exec(sql: string) {
      await db.exec(sql);
    },
    async close() {
      await db.close();
    },
  };
}

/** PGlite's contrib modules for the given extension names (`@electric-sql/pglite/contrib/<name>`), where it has them. */
async function pgliteContrib(names: readonly string[]): Promise<Extensions> {
  const modules: Extensions = {};
  for (const name of new Set(names.map((n) => n.toLowerCase().replaceAll("-", "_")))) {
    if (!/^[a-z0-9_]+$/.test(name)) continue;
    try {
      const module = (await import(`@electric-sql/pglite/contrib/${name}`)) as Extensions;
      if (module[name]) modules[name] = module[name];
    } catch {
      // not shipped with PGlite: CREATE EXTENSION will say so
    }
  }
  return modules;
}
