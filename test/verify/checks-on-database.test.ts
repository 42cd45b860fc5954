/**
 * Every kind of check, generated from a migration and executed on PGlite and (with DATABASE_URL) on the server,
 * against rows seeded to be clean, missing and drifted: each reports exactly the rows it should.
 *
 * The column being replaced is nom_complet_<random>, not full_name: the server is shared by concurrent test files, and
 * the dependents check searches every function's source in the database for the column's name.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database.js";
import { planVerification, runChecks, type CheckResult } from "../../src/verify/index.js";
import { describeOnDatabases } from "../helpers/databases.js";

/** Unique per run, so functions other runs left on a shared server do not mention it. */
const OLD = `nom_complet_${Math.random().toString(36).slice(2, 8)}`;

const MIGRATION = `
UPDATE people p SET nom_affiche = lower(p.${OLD});
CREATE INDEX CONCURRENTLY people_code_idx ON people (code);
CREATE UNIQUE INDEX CONCURRENTLY people_email_key ON people (email);
ALTER TABLE people ADD CONSTRAINT amount_positive CHECK (amount > 0) NOT VALID;
ALTER TABLE people ADD CONSTRAINT people_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;
ALTER TABLE people VALIDATE CONSTRAINT amount_positive;
ALTER TABLE people ALTER COLUMN email SET NOT NULL;
ALTER TABLE people ALTER COLUMN code TYPE varchar(3), ALTER COLUMN amount TYPE numeric(5,2), ALTER COLUMN small TYPE smallint;
ALTER TABLE people DROP COLUMN ${OLD};
DROP TABLE ms_legacy;
`;

/** The state the checks run on: the data before the migration, plus what its first statements left behind. */
const SETUP = `
CREATE TABLE accounts (id int PRIMARY KEY);
INSERT INTO accounts VALUES (1), (2);
CREATE TABLE people (
  id int PRIMARY KEY, ${OLD} text, nom_affiche text, email text, code text, amount numeric, small bigint, account_id int
);
INSERT INTO people VALUES
  (1, 'Ada', 'ada', 'a@x', 'abc', 1, 1, 1),                    -- clean
  (2, 'Bob', 'bob', 'b@x', 'abc  ', 2.5, 32767, 2),            -- clean (trailing spaces fit varchar(3))
  (3, NULL, NULL, 'c@x', NULL, NULL, NULL, NULL),              -- clean: nothing to backfill
  (4, 'Cy', NULL, 'dup@x', 'abcd', 1000, 40000, 9),            -- missing
  (5, '', NULL, 'dup@x', 'toolong', -999.999, -40000, 9),      -- missing: '' is a value, not NULL
  (6, 'Dee', 'DEE', 'dup2@x', 'ok', 0, 0, 1),                  -- drifted
  (7, NULL, '', 'dup2@x', 'x', 999.994, 5, NULL),              -- drifted: '' where NULL is expected
  (8, 'Eve', 'eve', NULL, 'e', 3, -32768, 2);                  -- clean, no email
ALTER TABLE people ADD CONSTRAINT amount_positive CHECK (amount > 0) NOT VALID;
ALTER TABLE people ADD CONSTRAINT people_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;
CREATE VIEW people_names AS SELECT id, ${OLD} FROM people;
CREATE FUNCTION describe_person(person int) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  RETURN (SELECT ${OLD} FROM people WHERE id = person);
END $$;
CREATE TABLE ms_legacy (id int PRIMARY KEY);
CREATE VIEW ms_legacy_ids AS SELECT id FROM ms_legacy;
CREATE TABLE ms_legacy_child (legacy_id int REFERENCES ms_legacy);
`;

async function setUp(db: Database): Promise<void> {
  await db.exec(SETUP);
  // Statement by statement: CONCURRENTLY refuses a multi-statement script (an implicit transaction).
  await db.exec("CREATE INDEX CONCURRENTLY people_code_idx ON people (code)");
  await expect(db.exec("CREATE UNIQUE INDEX CONCURRENTLY people_email_key ON people (email)")).rejects.toThrow(/could not create unique index/);
}

const byCheck = (results: readonly CheckResult[]): Record<string, CheckResult> => Object.fromEntries(results.map((r) => [r.check, r]));

describeOnDatabases("verification checks", (db) => {
  const plan = planVerification([{ path: "migrations/20260101_change.sql", text: MIGRATION }]);
  let results: Record<string, CheckResult>;

  // A concurrent index build waits for every transaction that started before it, and the shared server runs
  // other test files at the same time: allow it time.
  beforeAll(async () => {
    await setUp(db());
    results = byCheck(await runChecks(db(), plan.checks));
  }, 120_000);

  it("generates one check per thing to verify, from every statement, in order", () => {
    expect(plan.skipped).toEqual([]);
    expect(plan.checks.map((c) => c.id)).toEqual([
      "index-valid:people_code_idx",
      "duplicates:people(email)",
      "index-valid:people_email_key",
      "check-violations:people.amount_positive",
      "fk-orphans:people.people_account_fk",
      "constraint-validated:people.amount_positive",
      "nulls:people.email",
      "type-fit:people.code",
      "type-fit:people.amount",
      "type-fit:people.small",
      `dependents:people.${OLD}`,
      `queries:people.${OLD}`,
      "dependents:ms_legacy",
      "queries:ms_legacy",
      `transition:people.${OLD}->nom_affiche`,
    ]);
  });

  it("transition: counts all rows, the missing ones and the drifted ones (NULL-safe: '' is not NULL)", () => {
    expect(results[`transition:people.${OLD}->nom_affiche`]).toEqual({
      check: `transition:people.${OLD}->nom_affiche`,
      ok: false,
      detail: "8 rows, 2 missing, 4 drifted",
      // drifted: rows 6 and 7, and the two missing ones (NULL differs from what the backfill would write)
      figures: { total: 8, missing: 2, drifted: 4 },
    });
  });

  it("index-valid: a successful concurrent build is valid; one that failed on a duplicate is INVALID", () => {
    expect(results["index-valid:people_code_idx"]).toMatchObject({ ok: true, figures: { present: true, valid: true, ready: true } });
    expect(results["index-valid:people_email_key"]).toMatchObject({
      ok: false,
      detail: "index people_email_key is INVALID (its concurrent build failed): drop it with DROP INDEX CONCURRENTLY and build it again",
      figures: { present: true, valid: false },
    });
  });

  it("duplicates: groups of equal keys, rows with a NULL key left out", () => {
    expect(results["duplicates:people(email)"]).toMatchObject({
      ok: false,
      detail: "2 values of (email) appear more than once (4 rows)",
      figures: { duplicate_groups: 2, duplicate_rows: 4 },
    });
  });

  it("NOT VALID constraints: CHECK violations, foreign-key orphans, and convalidated", () => {
    expect(results["check-violations:people.amount_positive"]).toMatchObject({ ok: false, figures: { violations: 2 } });
    expect(results["check-violations:people.amount_positive"]!.detail).toBe("2 rows of people violate CHECK (amount > 0)");
    expect(results["fk-orphans:people.people_account_fk"]).toMatchObject({ ok: false, detail: "2 rows of people reference no row of accounts", figures: { orphans: 2 } });
    expect(results["constraint-validated:people.amount_positive"]).toMatchObject({ ok: false, figures: { present: true, validated: false } });
  });

  it("nulls and type fit", () => {
    expect(results["nulls:people.email"]).toMatchObject({ ok: false, detail: "1 of 8 rows have NULL in people.email", figures: { total: 8, nulls: 1 } });
    expect(results["type-fit:people.code"]).toMatchObject({ ok: false, detail: "2 of 8 values of people.code do not fit varchar(3)", figures: { misfits: 2 } });
    expect(results["type-fit:people.amount"]).toMatchObject({ ok: false, figures: { misfits: 2 } });
    expect(results["type-fit:people.small"]).toMatchObject({ ok: false, figures: { misfits: 2 } });
  });

  it("dependents: views and other tables' foreign keys (pg_depend), functions whose source mentions the name", () => {
    expect(results[`dependents:people.${OLD}`]).toMatchObject({
      ok: false,
      detail: `2 objects depend on people.${OLD}: function describe_person(integer) (its source mentions ${OLD}), view people_names`,
      figures: { dependents: 1, mentions: 1 },
    });
    expect(results["dependents:ms_legacy"]).toMatchObject({
      ok: false,
      detail: "2 objects depend on ms_legacy: constraint ms_legacy_child_legacy_id_fkey on table ms_legacy_child, view ms_legacy_ids",
      figures: { dependents: 2, mentions: 0 },
    });
  });

  it("queries: passes and says so when pg_stat_statements is not installed", () => {
    expect(results[`queries:people.${OLD}`]).toEqual({
      check: `queries:people.${OLD}`,
      ok: true,
      detail: "pg_stat_statements not installed",
      figures: { installed: false, statements: 0, calls: 0 },
    });
  });

  it("after the fixes, every check passes", async () => {
    await db().exec(`
      UPDATE people SET nom_affiche = lower(${OLD}), email = 'e' || id || '@x', amount = 1, small = 1, account_id = 1, code = 'ok';
      DROP INDEX people_email_key;
      ALTER TABLE people VALIDATE CONSTRAINT amount_positive;
      DROP VIEW people_names; DROP FUNCTION describe_person(int);
      DROP VIEW ms_legacy_ids; DROP TABLE ms_legacy_child;
    `);
    await db().exec("CREATE UNIQUE INDEX CONCURRENTLY people_email_key ON people (email)");
    const after = await runChecks(db(), plan.checks);
    expect(after.filter((r) => !r.ok)).toEqual([]);
    expect(byCheck(after)[`transition:people.${OLD}->nom_affiche`]!.figures).toEqual({ total: 8, missing: 0, drifted: 0 });
    // And what the checks promised holds: the migration's remaining statements now succeed.
    await db().exec(`
      ALTER TABLE people ALTER COLUMN email SET NOT NULL;
      ALTER TABLE people ALTER COLUMN code TYPE varchar(3), ALTER COLUMN amount TYPE numeric(5,2), ALTER COLUMN small TYPE smallint;
      ALTER TABLE people VALIDATE CONSTRAINT people_account_fk;
      ALTER TABLE people DROP COLUMN ${OLD};
      DROP TABLE ms_legacy;
    `);
    const dropped = byCheck(await runChecks(db(), plan.checks));
    expect(dropped[`dependents:people.${OLD}`]).toMatchObject({ ok: true, detail: `people.${OLD} does not exist (already dropped?)` });
    expect(dropped["index-valid:people_email_key"]).toMatchObject({ ok: true, detail: "index people_email_key is valid and ready" });
  }, 120_000);
});

/**
 * The type-fit check counts exactly the values PostgreSQL refuses: each value is stored into a column of the new
 * type (in a savepoint) and the refusals are compared with the check's count.
 */
describeOnDatabases("type-fit agrees with PostgreSQL", (db) => {
  const cases: { type: string; source: string; values: string[] }[] = [
    { type: "varchar(3)", source: "text", values: ["'abc'", "'abcd'", "'ab   '", "'abc '", "' abc'", "''", "NULL", "'ééé'", "'éééé'"] },
    { type: "char(2)", source: "text", values: ["'ab'", "'abc'", "'a  '", "NULL"] },
    { type: "numeric(5,2)", source: "numeric", values: ["999.99", "999.994", "999.995", "-999.995", "1000", "0.001", "'NaN'", "NULL", "12345"] },
    { type: "numeric(3)", source: "numeric", values: ["999", "999.4", "999.5", "-999.5", "1e3"] },
    { type: "smallint", source: "bigint", values: ["32767", "32768", "-32768", "-32769", "0"] },
    { type: "integer", source: "numeric", values: ["2147483647", "2147483647.4", "2147483647.5", "-2147483648.5", "'NaN'"] },
  ];

  for (const [i, { type, source, values }] of cases.entries()) {
    it(`${source} → ${type}`, async () => {
      const table = `fit_${i}`;
      await db().exec(`CREATE TABLE ${table} (v ${source}); INSERT INTO ${table} VALUES ${values.map((v) => `(${v})`).join(", ")};`);
      let refused = 0;
      for (const value of values) {
        await db().exec(`CREATE TABLE probe (v ${type})`);
        try {
          await db().exec(`INSERT INTO probe SELECT ${value}::${source}`);
        } catch {
          refused++;
        }
        await db().exec("DROP TABLE probe");
      }
      const plan = planVerification([{ path: "m.sql", text: `ALTER TABLE ${table} ALTER COLUMN v TYPE ${type};` }]);
      const [result] = await runChecks(db(), plan.checks);
      expect(result!.figures.misfits).toBe(refused);
      expect(refused).toBeGreaterThan(0);
    });
  }
});

describe("generation without a database", () => {
  it("a NOT VALID foreign key without named referenced columns is reported as not checked, with the fix", () => {
    const plan = planVerification([{ path: "m.sql", text: "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users NOT VALID;" }]);
    expect(plan.checks).toEqual([]);
    expect(plan.skipped).toEqual([
      expect.objectContaining({ kind: "fk-orphans", object: "orders.orders_user_fk", reason: expect.stringContaining("write REFERENCES users (…)") }),
    ]);
  });
});

/** Less common shapes, each query executed: what they count must match what PostgreSQL would refuse. */
describeOnDatabases("verification checks: less common shapes", (db) => {
  const MIGRATION_2 = `
CREATE UNIQUE INDEX CONCURRENTLY tickets_open_code ON tickets (code) WHERE closed_at IS NULL;
CREATE UNIQUE INDEX CONCURRENTLY tickets_owner_key ON tickets (owner, code) NULLS NOT DISTINCT;
ALTER TABLE tickets ADD CONSTRAINT tickets_pair_fk FOREIGN KEY (a, b) REFERENCES pairs (x, y) MATCH FULL NOT VALID;
ALTER TABLE tickets ADD PRIMARY KEY (id);
ALTER TABLE tickets ADD CONSTRAINT sane CHECK ((priority BETWEEN 1 AND 5) OR (priority IS NULL AND closed_at IS NOT NULL));
UPDATE tickets t SET summary = s.text FROM sources s WHERE s.id = t.id;
DROP TABLE pairs_archive;
`;
  let results: Record<string, CheckResult>;

  beforeAll(async () => {
    await db().exec(`
      CREATE TABLE pairs (x int, y int, PRIMARY KEY (x, y));
      INSERT INTO pairs VALUES (1, 1);
      CREATE TABLE sources (id int, text text);
      CREATE TABLE tickets (id int, code text, owner text, closed_at timestamptz, a int, b int, priority int, summary text, title text);
      INSERT INTO tickets VALUES
        (1, 'A', NULL, NULL, 1, 1, 1, NULL, 't'),         -- clean
        (2, 'A', NULL, now(), 1, NULL, 9, NULL, 't'),     -- closed duplicate code: allowed; MATCH FULL: half-NULL key; CHECK fails
        (3, 'B', NULL, NULL, 2, 2, NULL, 's', 't'),       -- orphan; CHECK fails (open ticket without priority)
        (3, 'B', 'me', NULL, NULL, NULL, 3, NULL, 't'),   -- duplicate id; open duplicate code
        (NULL, 'C', NULL, NULL, NULL, NULL, 2, NULL, 't'); -- NULL id; owner NULL and code C
      CREATE TABLE pairs_archive (x int, y int);
      CREATE FUNCTION archived_count(p pairs_archive) RETURNS int LANGUAGE sql AS 'SELECT 1';
    `);
    const plan = planVerification([{ path: "m.sql", text: MIGRATION_2 }]);
    expect(plan.skipped).toEqual([]);
    results = byCheck(await runChecks(db(), plan.checks));
  });

  it("a partial unique index counts duplicates among the rows its WHERE selects", () => {
    expect(results["duplicates:tickets(code)"]!.figures).toEqual({ duplicate_groups: 1, duplicate_rows: 2 });
  });

  it("NULLS NOT DISTINCT: NULLs collide like values", () => {
    // (NULL, 'A') ×2, (NULL, 'B') ×1, ('me', 'B'), (NULL, 'C'): one group of two
    expect(results["duplicates:tickets(owner, code)"]!.figures).toEqual({ duplicate_groups: 1, duplicate_rows: 2 });
  });

  it("MATCH FULL: a partly NULL key is an orphan too", () => {
    expect(results["fk-orphans:tickets.tickets_pair_fk"]!.figures).toEqual({ orphans: 2 });
  });

  it("ADD PRIMARY KEY: NULLs and duplicates in the key", () => {
    expect(results["nulls:tickets.id"]!.figures).toEqual({ total: 5, nulls: 1 });
    expect(results["duplicates:tickets(id)"]!.figures).toEqual({ duplicate_groups: 1, duplicate_rows: 2 });
  });

  it("a CHECK with nested parentheses counts the rows for which it is false — NULL passes, as in PostgreSQL", async () => {
    // Row 3 (no priority, still open) makes the expression NULL, not false.
    expect(results["check-violations:tickets.sane"]!.figures).toEqual({ violations: 1 });
    const add = "ALTER TABLE tickets ADD CONSTRAINT sane CHECK ((priority BETWEEN 1 AND 5) OR (priority IS NULL AND closed_at IS NOT NULL))";
    await expect(db().exec(add)).rejects.toThrow(/violated by some row/);
    await db().exec("DELETE FROM tickets WHERE priority = 9");
    await db().exec(add);
  });

  it("a backfill from another table's column is no transition of this table", () => {
    expect(Object.keys(results).filter((id) => id.startsWith("transition:"))).toEqual([]);
  });

  it("a DROP TABLE: functions taking the table's row type depend on it", () => {
    expect(results["dependents:pairs_archive"]).toMatchObject({
      detail: "1 objects depend on pairs_archive: function archived_count(pairs_archive)",
      figures: { dependents: 1, mentions: 0 },
    });
  });
});

describeOnDatabases("verification checks: a transition whose drift cannot be checked", (db) => {
  it("reports total and missing, and drifted as null", async () => {
    await db().exec("CREATE TABLE t (a text, b text); INSERT INTO t VALUES ('x', NULL), ('y', 'Y'), (NULL, NULL);");
    const plan = planVerification([{ path: "m.sql", text: "UPDATE t SET b = a || random()::text;" }]);
    const [result] = await runChecks(db(), plan.checks);
    expect(result).toEqual({
      check: "transition:t.a->b",
      ok: false,
      detail: "3 rows, 1 missing; drift not checked: the backfill's expression is volatile (random())",
      figures: { total: 3, missing: 1, drifted: null },
    });
  });
});
