/**
 * Run a suite on every PostgreSQL available: the embedded PGlite always, and the server at DATABASE_URL when it is
 * set (CI starts one). Without DATABASE_URL the server variant is skipped with a visible notice.
 *
 *   describeOnDatabases("verify", (getDb) => { it("…", async () => { const db = getDb(); … }); });
 *
 * Each suite gets its own schema (dropped afterwards) as its search_path, so server runs leave nothing behind.
 */
import { afterAll, beforeAll, describe } from "vitest";
import { defaultDatabaseUrl, openDatabase, type Database } from "../../src/db/database.js";

const serverUrl = defaultDatabaseUrl();
if (!serverUrl) console.log("NOTICE: DATABASE_URL is not set; tests against a PostgreSQL server are skipped (PGlite tests still run).");

export const databaseTargets: { name: string; url: string | undefined }[] = [
  { name: "PGlite", url: undefined },
  ...(serverUrl ? [{ name: "PostgreSQL server", url: serverUrl }] : []),
];

export function describeOnDatabases(title: string, body: (db: () => Database) => void): void {
  for (const target of databaseTargets) {
    describe(`${title} [${target.name}]`, () => {
      let db: Database | undefined;
      const schema = `ms_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
      beforeAll(async () => {
        db = await openDatabase({ url: target.url });
        await db.exec(`CREATE SCHEMA ${schema}; SET search_path TO ${schema}, public;`);
      }, 60_000);
      afterAll(async () => {
        if (!db) return;
        await db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE;`);
        await db.close();
      });
      body(() => {
        if (!db) throw new Error("database not open");
        return db;
      });
    });
  }
}
