/**
 * One interface over the two PostgreSQL engines this tool runs SQL on: a server reached through `pg` (when
 * DATABASE_URL or --database-url is given) and the embedded PGlite (PostgreSQL compiled to WebAssembly), so a
 * newcomer sees verification, backfills and traces work with nothing installed.
 */
import type { PGlite } from "@electric-sql/pglite";
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
  /** A postgres:// URL; without one, a fresh in-memory PGlite. */
  readonly url?: string | undefined;
}

export async function openDatabase({ url }: OpenOptions = {}): Promise<Database> {
  return url ? openServer(url) : openPglite();
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

async function openPglite(): Promise<Database> {
  const { PGlite } = await import("@electric-sql/pglite");
  const db: PGlite = await PGlite.create();
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
