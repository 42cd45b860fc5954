/**
 * The runner is read-only for real: with a role that may write (the server's test role owns its schema; PGlite's
 * user is a superuser), a check that tries to write is refused by PostgreSQL, the data is untouched, and SQL that
 * is not one SELECT is refused before anything is sent. Timeouts apply to every check.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/database.js";
import { NotASelectError, planVerification, runChecks, type Check } from "../../src/verify/index.js";
import { databaseTargets, describeOnDatabases } from "../helpers/databases.js";

const evil = (id: string, sql: string): Check => ({ id, kind: "transition", title: id, explanation: "tries to write", when: "after", sql });

describeOnDatabases("verify runner: read-only", (db) => {
  beforeAll(async () => {
    await db().exec(`
      CREATE TABLE victims (id serial PRIMARY KEY, name text);
      INSERT INTO victims (name) VALUES ('a'), ('b');
      CREATE FUNCTION write_victim() RETURNS int LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO victims (name) VALUES ('written');
        RETURN 1;
      END $$;
    `);
  });

  const unchanged = async (): Promise<void> => {
    const { rows } = await db().query<{ names: string }>("SELECT string_agg(name, ',' ORDER BY id) AS names FROM victims");
    expect(rows[0]!.names).toBe("a,b");
    const { rows: seq } = await db().query<{ last_value: number | string }>("SELECT last_value FROM victims_id_seq");
    expect(Number(seq[0]!.last_value)).toBe(2);
  };

  it("a check that writes is rejected by PostgreSQL, and the others still run", async () => {
    const results = await runChecks(db(), [
      evil("evil:cte", `WITH gone AS (DELETE FROM victims RETURNING 1) SELECT 'evil:cte' AS "check", true AS ok, 'x' AS detail, (SELECT count(*) FROM gone) AS n`),
      evil("evil:function", `SELECT 'evil:function' AS "check", write_victim() = 1 AS ok, 'x' AS detail`),
      evil("evil:read-write", `SELECT 'evil:read-write' AS "check", set_config('transaction_read_only', 'off', true) = 'off' AS ok, 'x' AS detail`),
      evil("evil:sequence", `SELECT 'evil:sequence' AS "check", nextval('victims_id_seq') > 0 AS ok, 'x' AS detail`),
      evil("fine", `SELECT 'fine' AS "check", count(*) = 2 AS ok, 'two victims' AS detail FROM victims`),
    ]);
    expect(results.map((r) => [r.check, r.ok])).toEqual([
      ["evil:cte", false],
      ["evil:function", false],
      ["evil:read-write", false],
      ["evil:sequence", false],
      ["fine", true],
    ]);
    for (const result of results.slice(0, 3)) expect(result.error).toMatch(/read-only transaction|transaction read-write mode/);
    expect(results[3]!.error).toMatch(/read-only transaction/);
    await unchanged();
  });

  it("SQL that is not exactly one SELECT is refused before anything is sent", async () => {
    const refused = [
      evil("two", `SELECT 'two' AS "check", true AS ok, '' AS detail; DELETE FROM victims`),
      evil("delete", "DELETE FROM victims RETURNING 'x' AS check"),
      evil("into", `SELECT 'into' AS "check", true AS ok, '' AS detail INTO copied FROM victims`),
      evil("set", "SET TRANSACTION READ WRITE"),
    ];
    for (const check of refused) {
      await expect(runChecks(db(), [check])).rejects.toThrow(NotASelectError);
    }
    await unchanged();
  });

  it("statement_timeout stops a slow check, which fails with the reason; the next check still runs", async () => {
    const results = await runChecks(
      db(),
      [
        evil("slow", `SELECT 'slow' AS "check", pg_sleep(1) IS NULL AS ok, '' AS detail`),
        evil("fast", `SELECT 'fast' AS "check", true AS ok, '' AS detail`),
      ],
      { statementTimeout: "200ms" },
    );
    if (db().kind === "pglite") {
      // PGlite runs in one thread without timers: statement_timeout is accepted but cannot interrupt a query.
      expect(results.map((r) => r.check)).toEqual(["slow", "fast"]);
      return;
    }
    expect(results[0]).toMatchObject({ ok: false, error: expect.stringMatching(/statement timeout/) });
    expect(results[1]).toMatchObject({ ok: true });
  });

  it("rejects a timeout that is not a plain duration (it is spliced into SET LOCAL)", async () => {
    await expect(runChecks(db(), [], { statementTimeout: "1s'; DROP TABLE victims; --" })).rejects.toThrow(/duration/);
    await unchanged();
  });
});

const server = databaseTargets.find((t) => t.url !== undefined);

describe.skipIf(!server)("verify runner: lock_timeout [PostgreSQL server]", () => {
  let holder: Database;
  let runner: Database;
  const schema = `ms_test_lock_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;

  beforeAll(async () => {
    holder = await openDatabase({ url: server!.url });
    runner = await openDatabase({ url: server!.url });
    await holder.exec(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.busy (id int); INSERT INTO ${schema}.busy VALUES (1);`);
  });
  afterAll(async () => {
    await holder.exec("ROLLBACK").catch(() => undefined);
    await holder.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await holder.close();
    await runner.close();
  });

  it("a check waiting on a lock gives up after lock_timeout instead of queueing behind an ALTER", async () => {
    await holder.exec(`BEGIN; LOCK TABLE ${schema}.busy IN ACCESS EXCLUSIVE MODE;`);
    const plan = planVerification([{ path: "m.sql", text: `ALTER TABLE ${schema}.busy ALTER COLUMN id SET NOT NULL;` }]);
    const [result] = await runChecks(runner, plan.checks, { lockTimeout: "200ms" });
    await holder.exec("ROLLBACK");
    expect(result).toMatchObject({ check: `nulls:${schema}.busy.id`, ok: false, error: expect.stringMatching(/lock timeout/) });
  });
});

describe("verify runner: pg_stat_statements installed [PGlite]", () => {
  let db: Database;
  beforeAll(async () => {
    db = await openDatabase({ extensions: ["pg_stat_statements"] });
    await db.exec("CREATE EXTENSION pg_stat_statements; CREATE TABLE users (id int, full_name text, display_name text);");
    await db.query("SELECT full_name FROM users WHERE id = $1", [1]);
    await db.query("SELECT full_name FROM users WHERE id = $1", [2]);
    await db.query("SELECT display_name FROM users");
    await db.query("UPDATE users SET display_name = full_name WHERE id = 3");
  });
  afterAll(() => db.close());

  it("counts the recorded statements that mention the column, leaving out DDL and the checks' own queries", async () => {
    const plan = planVerification([{ path: "m.sql", text: "ALTER TABLE users DROP COLUMN full_name;" }]);
    await runChecks(db, plan.checks); // once more, so the checks' own queries are recorded too
    const results = await runChecks(db, plan.checks);
    expect(results.find((r) => r.check === "queries:users.full_name")).toMatchObject({
      ok: false,
      figures: { installed: true, statements: 2, calls: 3 },
    });
    expect(results.find((r) => r.check === "queries:users.full_name")!.detail).toMatch(
      /^2 statements recorded by pg_stat_statements \(3 calls\) mention users\.full_name; list them with: SELECT query FROM public\.pg_stat_statements WHERE query ~\* /,
    );
    const display = planVerification([{ path: "m.sql", text: "DROP TABLE users;" }]);
    const [, queries] = await runChecks(db, display.checks);
    expect(queries).toMatchObject({ check: "queries:users", ok: false, figures: { statements: 3, calls: 4 } });
  });
});
