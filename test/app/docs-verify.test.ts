/**
 * The "How to verify" SQL of the app rules' doc pages runs: on the fixture app's schema (its create and expand
 * migrations, applied statement by statement), on PGlite and on the PostgreSQL server when DATABASE_URL is set.
 */
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { markerKind } from "../../src/context/conventions.js";
import { parseDocument } from "../../src/sql/document.js";
import { appRules } from "../../src/app/index.js";
import { describeOnDatabases } from "../helpers/databases.js";

const migrations = ["20261001000000_create_tables.sql", "20261101000000_expand_display_name.sql"];

function statements(text: string, skip: readonly string[] = []): string[] {
  const outcome = parseDocument(text, { markerKind });
  if (!outcome.ok) throw new Error(outcome.message);
  return outcome.document.statements.filter((s) => !skip.includes(s.type)).map((s) => s.text);
}

function verifyBlocks(name: string): string[] {
  const doc = readFileSync(new URL(`../../docs/rules/${name}.md`, import.meta.url), "utf8");
  const start = doc.indexOf("## How to verify");
  const section = doc.slice(start, doc.indexOf("\n## ", start + 1));
  return [...section.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

describeOnDatabases("app rule docs: verification SQL", (db) => {
  it("runs every query of every page (those on pg_stat_statements, an extension, are only parsed)", async () => {
    for (const file of migrations) {
      // Without the index and the lock timeout: on a shared server, CREATE INDEX CONCURRENTLY waits for every other
      // test's open transaction, and the queries below do not need it.
      const text = readFileSync(new URL(`../../fixtures/app/db/migrations/${file}`, import.meta.url), "utf8");
      for (const sql of statements(text, ["IndexStmt", "VariableSetStmt"])) await db().exec(sql);
    }
    // normalize() in the pages (and in WORKFLOW.md) is PostgreSQL's own Unicode normalization function.
    await db().exec("INSERT INTO users (email, full_name) VALUES ('a@example.com', ' Ada '), ('b@example.com', 'Bo');");
    let ran = 0;
    for (const name of Object.keys(appRules)) {
      for (const block of verifyBlocks(name)) {
        if (block.includes("pg_stat_statements")) {
          // The view exists only with the extension loaded; the statement must at least be valid SQL.
          expect(() => parseDocument(block)).not.toThrow();
          continue;
        }
        for (const sql of statements(block)) await db().query(sql).catch((error: Error) => { throw new Error(`${error.message} in: ${sql}`); });
        ran++;
      }
    }
    expect(ran).toBeGreaterThanOrEqual(4);
    const counts = await db().query<{ missing_display_name: string | number }>(verifyBlocks("require-dual-write")[0]!);
    expect(Number(counts.rows[0]!.missing_display_name)).toBe(2); // nothing backfilled yet
  });
});
