/**
 * `trace --rows`: generated rows for every table, executed on PGlite and the server — foreign keys point at real
 * parent rows, unique columns stay unique, defaults and generated columns are left to PostgreSQL, and what cannot be
 * generated is skipped with the reason.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { quoteIdent } from "../../src/sql/names.js";
import { seedInsert, seedOrder, seedTables, type SeedTable } from "../../src/trace/seed.js";
import { describeOnDatabases } from "../helpers/databases.js";

describeOnDatabases("seedTables", (db) => {
  let schema = "";
  beforeAll(async () => {
    schema = (await db().query<{ s: string }>("SELECT current_schema() AS s")).rows[0]!.s;
    await db().exec(`SET search_path TO ${quoteIdent(schema)}`);
  });
  const count = async (sql: string): Promise<number> => (await db().query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`)).rows[0]!.n;

  it("fills tables of many types, parents first, keys distinct and foreign keys valid", async () => {
    await db().exec(`
      CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
      CREATE DOMAIN positive AS int CHECK (VALUE > 0);
      CREATE TABLE "Grand Parent" (id smallint PRIMARY KEY, code varchar(3) NOT NULL UNIQUE, created timestamptz NOT NULL DEFAULT now());
      INSERT INTO "Grand Parent" VALUES (1, 'aa'), (2, 'bb');
      CREATE TABLE parent (
        a int, b text, gp smallint NOT NULL REFERENCES "Grand Parent" (id),
        feeling mood NOT NULL, amount numeric(5, 2) NOT NULL, weight positive NOT NULL,
        tags text[] NOT NULL, doc jsonb NOT NULL, uid uuid NOT NULL UNIQUE, addr inet NOT NULL, blob bytea, flag boolean NOT NULL,
        day date, at time, span interval, words tsvector,
        total int GENERATED ALWAYS AS (a * 2) STORED,
        PRIMARY KEY (a, b));
      CREATE TABLE child (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        pa int NOT NULL, pb text NOT NULL, FOREIGN KEY (pa, pb) REFERENCES parent (a, b),
        manager bigint REFERENCES child (id),
        note text CHECK (note IS NULL OR note = 'fixed'));`);
    const report = await seedTables(db(), 40, { insideTransaction: false });
    expect(report.skipped).toEqual([]);
    const seeded = report.tables.map((t) => t.table);
    expect(seeded).toEqual([`${quoteIdent(schema)}."Grand Parent"`, `${quoteIdent(schema)}.parent`, `${quoteIdent(schema)}.child`]);
    expect(report.tables.map((t) => t.rows)).toEqual([40, 40, 40]);
    expect(await count(`"Grand Parent"`)).toBe(42);
    // Foreign keys hold (checked here: with session_replication_role = replica PostgreSQL would not check them).
    expect(await count(`parent p JOIN "Grand Parent" g ON g.id = p.gp`)).toBe(40);
    expect(await count(`child c JOIN parent p ON (p.a, p.b) = (c.pa, c.pb)`)).toBe(40);
    expect(await count(`(SELECT DISTINCT pa, pb FROM child) d`)).toBe(40);
    expect(await count(`parent WHERE total = a * 2`)).toBe(40);
    expect(await count(`child WHERE manager IS NULL AND note IS NULL`)).toBe(40);
  });

  it("retries with the required columns only, and skips with a reason what cannot be generated", async () => {
    await db().exec(`
      CREATE TABLE picky (id int PRIMARY KEY, note text CHECK (note IS NULL OR length(note) > 50));
      CREATE TABLE shapes (id int PRIMARY KEY, spot point NOT NULL);
      CREATE TABLE loop (id int PRIMARY KEY, next int NOT NULL REFERENCES loop (id));
      CREATE TABLE ranged (id int NOT NULL, PRIMARY KEY (id)) PARTITION BY RANGE (id);
      CREATE TABLE ranged_low PARTITION OF ranged FOR VALUES FROM (1) TO (1000);`);
    const before = (await db().query<{ oid: number }>("SELECT oid::int8 AS oid FROM pg_class")).rows.map((r) => Number(r.oid));
    const report = await seedTables(db(), 25, { insideTransaction: false, existedAtStart: before });
    const rows = Object.fromEntries(report.tables.map((t) => [t.table.split(".")[1], t.rows]));
    expect(rows).toMatchObject({ picky: 25, ranged: 25 });
    expect(await count("picky WHERE note IS NULL")).toBe(25);
    expect(await count("ranged_low")).toBe(25);
    const skipped = Object.fromEntries(report.skipped.map((s) => [s.table.split(".")[1], s.reason]));
    expect(skipped.shapes).toBe("no value can be generated for NOT NULL column spot of type point");
    expect(skipped.loop).toBe("NOT NULL column next references its own table");
  });

  it("inside a transaction each table is seeded under a savepoint and a failure costs only that table", async () => {
    await db().exec(`CREATE TABLE tx_ok (id int PRIMARY KEY); CREATE TABLE tx_bad (id int PRIMARY KEY, v int NOT NULL CHECK (v < 0));`);
    await db().exec("BEGIN");
    try {
      const report = await seedTables(db(), 10, { insideTransaction: true });
      expect(report.tables.map((t) => t.table.split(".")[1])).toContain("tx_ok");
      expect(report.skipped.find((s) => s.table.endsWith("tx_bad"))?.reason).toMatch(/check constraint/);
      expect(await count("tx_ok")).toBe(10);
    } finally {
      await db().exec("ROLLBACK");
    }
    expect(await count("tx_ok")).toBe(0);
  });
});

describe("seedOrder and seedInsert", () => {
  const table = (oid: number, name: string, parents: number[] = []): SeedTable => ({
    oid,
    name: { schema: "s", name },
    columns: [{ name: "id", num: 1, type: "integer", base: "int4", typtype: "b", category: "N", typmod: -1, notNull: true, hasDefault: false, computed: false, enumLabels: 0 }],
    unique: new Set([1]),
    foreignKeys: parents.map((parent) => ({ columns: [1], parent, parentColumns: ["id"] })),
  });

  it("puts parents before children and survives cycles", () => {
    const order = seedOrder([table(3, "c", [2]), table(2, "b", [1]), table(1, "a"), table(4, "x", [5]), table(5, "y", [4])]);
    expect(order.map((t) => t.name.name)).toEqual(["a", "b", "c", "y", "x"]);
  });

  it("quotes every name it writes", () => {
    const odd = { ...table(1, 'T"; DROP TABLE x; --'), name: { schema: "My Schema", name: 'T"; DROP TABLE x; --' } };
    const plan = seedInsert(odd, "full", new Map([[1, odd]]));
    expect("sql" in plan && plan.sql).toBe(
      `INSERT INTO "My Schema"."T""; DROP TABLE x; --" (id) SELECT CAST((base1.v + seed.i) AS integer) FROM generate_series(1, $1::int) AS seed(i) CROSS JOIN (SELECT coalesce(max(id), 0) AS v FROM "My Schema"."T""; DROP TABLE x; --") AS base1`,
    );
  });
});
