import { describe, expect, it } from "vitest";
import { factsFromHistory, findBackfills, parseKeyOption, planText, sliceUpdate, upStatements } from "../../src/backfill/index.js";
import { markerKind } from "../../src/context/conventions.js";
import { analyzeMigration } from "../../src/context/migration-context.js";
import { DEFAULT_SETTINGS } from "../../src/context/settings.js";
import { parseDocument } from "../../src/sql/document.js";
import { parseSql } from "../../src/sql/pg-parser.js";
import type { ParsedStatement } from "../../src/sql/statement.js";
import { backfillsOf } from "./helpers.js";

function firstUpdate(text: string): { statement: ParsedStatement; source: ReturnType<typeof parse>["source"] } {
  const document = parse(text);
  const statement = document.statements.find((s) => s.checked && s.type === "UpdateStmt") as ParsedStatement;
  return { statement, source: document.source };
}

function parse(text: string) {
  const outcome = parseDocument(text, { markerKind });
  if (!outcome.ok) throw new Error(outcome.message);
  return outcome.document;
}

function slices(text: string) {
  const { statement, source } = firstUpdate(text);
  const outcome = sliceUpdate(statement, source);
  if (!outcome.ok) return outcome.reason;
  return { set: outcome.parts.assignments.map((a) => [a.column, a.text]), where: outcome.parts.where?.text, conjuncts: outcome.parts.conjuncts?.map((c) => c.text) };
}

describe("cutting SET expressions and WHERE out of the source text", () => {
  it("cuts each expression at the depth-0 comma before the next target, and the last at WHERE", () => {
    expect(slices("UPDATE users u SET a = lower(u.b), \"C d\" = coalesce(x, 'y, z') WHERE a IS NULL;")).toEqual({
      set: [
        ["a", "lower(u.b)"],
        ["C d", "coalesce(x, 'y, z')"],
      ],
      where: "a IS NULL",
      conjuncts: ["a IS NULL"],
    });
  });

  it("keeps IS DISTINCT FROM, FROM inside function syntax, strings, dollar quotes and comments inside the expression", () => {
    const sql = [
      "UPDATE t SET flag = a IS DISTINCT FROM b,",
      "  y = extract(year FROM created_at) /* FROM here */ + 1,",
      "  s = $q$ WHERE FROM $q$ || 'RETURNING' -- WHERE\n    || x",
      "WHERE (a OR b) AND c BETWEEN 1 AND 2 AND d = 'x AND y'",
      "RETURNING *;",
    ].join("\n");
    expect(slices(sql)).toEqual({
      set: [
        ["flag", "a IS DISTINCT FROM b"],
        ["y", "extract(year FROM created_at) /* FROM here */ + 1"],
        ["s", "$q$ WHERE FROM $q$ || 'RETURNING' -- WHERE\n    || x"],
      ],
      where: "(a OR b) AND c BETWEEN 1 AND 2 AND d = 'x AND y'",
      conjuncts: ["(a OR b)", "c BETWEEN 1 AND 2", "d = 'x AND y'"],
    });
  });

  it("handles subqueries, CASE and arrays in the SET list, and multi-byte text before the statement", () => {
    const sql = "-- étape 3 : remplir\nUPDATE t SET a = (SELECT max(v) FROM u WHERE u.id = t.id), b = CASE WHEN c THEN (ARRAY[1, 2])[1] ELSE 0 END;";
    expect(slices(sql)).toEqual({
      set: [
        ["a", "(SELECT max(v) FROM u WHERE u.id = t.id)"],
        ["b", "CASE WHEN c THEN (ARRAY[1, 2])[1] ELSE 0 END"],
      ],
      where: undefined,
      conjuncts: undefined,
    });
  });

  it("refuses what it cannot reuse as written", () => {
    expect(slices("UPDATE t SET (a, b) = (1, 2);")).toMatch(/SET \(a, b\) = \(…\) is not supported/);
    expect(slices("UPDATE t SET a[1] = 2;")).toMatch(/a part of a column/);
    expect(slices("UPDATE t SET a = DEFAULT;")).toMatch(/DEFAULT is not supported/);
  });
});

describe("finding the backfills of a migration", () => {
  const find = (text: string, path?: string) => {
    const document = parse(text);
    return findBackfills(document, analyzeMigration(document, DEFAULT_SETTINGS, path));
  };

  it("takes every unbounded UPDATE of an existing table, in order, and leaves bounded ones and new tables alone", () => {
    const found = find(
      [
        "CREATE TABLE fresh (id int PRIMARY KEY, v text);",
        "UPDATE fresh SET v = 'x';",
        "UPDATE users SET a = b WHERE id = 42;",
        "UPDATE users SET a = b WHERE a IS NULL;",
        "UPDATE ONLY app.orders o SET total = o.net + o.tax;",
      ].join("\n"),
    );
    expect(found.targets.map((t) => [t.line, t.table, t.only, t.alias])).toEqual([
      [4, { name: "users" }, false, undefined],
      [5, { schema: "app", name: "orders" }, true, "o"],
    ]);
    expect(found.refused).toEqual([]);
  });

  it("skips rollback sections and refuses UPDATE … FROM, WITH and templated statements with a reason", () => {
    const found = find(
      [
        "-- +goose Up",
        "UPDATE users u SET a = o.a FROM other o WHERE o.id = u.id;",
        "WITH x AS (SELECT 1) UPDATE users SET a = 1;",
        "UPDATE ${schema}.users SET a = 1;",
        "-- +goose Down",
        "UPDATE users SET a = NULL;",
      ].join("\n"),
    );
    expect(found.targets).toEqual([]);
    expect(found.refused.map((r) => [r.line, r.reason.split(";")[0]])).toEqual([
      [2, "UPDATE … FROM (a join with other tables) is not supported"],
      [3, "an UPDATE with a WITH clause is not supported"],
      [4, "it contains templating placeholders"],
    ]);
  });
});

describe("--key", () => {
  it("reads column names as SQL", () => {
    expect(parseKeyOption("id")).toEqual({ ok: true, columns: ["id"] });
    expect(parseKeyOption('tenant_id, "ID"')).toEqual({ ok: true, columns: ["tenant_id", "ID"] });
    expect(parseKeyOption("Tenant_Id")).toEqual({ ok: true, columns: ["tenant_id"] });
  });

  it("refuses anything else", () => {
    for (const bad of ["", "id; DROP TABLE users", "id FROM users", "lower(id)", "a.b", "id, id", "1", "id AS x"]) {
      expect(parseKeyOption(bad).ok, bad).toBe(false);
    }
  });
});

describe("the key and column facts from the migration history", () => {
  const facts = (history: string) => factsFromHistory({ name: "users" }, upStatements(history, "001.sql"));

  it("finds a column PRIMARY KEY, with its type (serial as the integer it is)", () => {
    const found = facts("CREATE TABLE users (id bigserial PRIMARY KEY, name text NOT NULL, nick text DEFAULT 'x');");
    expect(found.key).toEqual({ columns: [{ name: "id", type: "bigint" }], source: { kind: "history", file: "001.sql", line: 1 } });
    expect(Object.fromEntries(found.columns)).toMatchObject({
      name: { hasDefault: false, notNull: true },
      nick: { hasDefault: true, notNull: false },
    });
  });

  it("finds a table PRIMARY KEY and one added later, follows renames, forgets a dropped table", () => {
    expect(facts('CREATE TABLE users (tenant uuid, "ID" int, PRIMARY KEY (tenant, "ID"));').key?.columns).toEqual([
      { name: "tenant", type: "uuid" },
      { name: "ID", type: "integer" },
    ]);
    expect(facts("CREATE TABLE users (id int);\nALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY (id);").key?.source).toEqual({ kind: "history", file: "001.sql", line: 2 });
    expect(facts("CREATE TABLE people (pid int PRIMARY KEY);\nALTER TABLE people RENAME TO users;\nALTER TABLE users RENAME pid TO id;").key?.columns).toEqual([
      { name: "id", type: "integer" },
    ]);
    expect(facts("CREATE TABLE users (id int PRIMARY KEY);\nDROP TABLE users;").key).toBeUndefined();
    expect(facts("CREATE TABLE other (id int PRIMARY KEY);").key).toBeUndefined();
  });

  it("records defaults and NOT NULL added to a column later", () => {
    const found = facts("CREATE TABLE users (id int PRIMARY KEY);\nALTER TABLE users ADD COLUMN flag boolean;\nALTER TABLE users ALTER COLUMN flag SET DEFAULT false;");
    expect(found.columns.get("flag")).toMatchObject({ hasDefault: true, notNull: false });
  });
});

describe("planning", () => {
  it("uses the history's key, recognises pending rows by NULL when filling from other columns, and does not repeat the WHERE", async () => {
    const [backfill] = await backfillsOf("ALTER TABLE users ADD COLUMN display_name text;\nUPDATE users u SET display_name = normalize(u.full_name) WHERE display_name IS NULL;", {
      history: "CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, full_name text);",
    });
    const plan = backfill!.plan;
    expect(plan.key).toEqual({ columns: [{ name: "id", type: "bigint" }], source: { kind: "history", file: "history.sql", line: 1 } });
    expect(plan.assignments.map((a) => [a.mode, a.pending])).toEqual([["fill", "display_name IS NULL"]]);
    expect(plan.conditions).toEqual(["display_name IS NULL"]);
    expect(plan.scope).toEqual([]);
    expect(plan.convergent).toBe(true);
    // The common case is verify's transition check, the same one `verify` prints for this migration.
    expect(backfill!.checks.map((c) => c.id)).toEqual(["transition:users.full_name->display_name"]);
  });

  it("compares with the expression when NULL cannot mean 'not done'", async () => {
    const modes = async (sql: string, history?: string) =>
      (await backfillsOf(sql, { key: ["id"], ...(history ? { history } : {}) }))[0]!.plan.assignments.map((a) => [a.mode, a.pending]);
    expect(await modes("UPDATE t SET status = 'active';")).toEqual([["refresh", "status IS DISTINCT FROM ('active')"]]);
    expect(await modes("UPDATE t SET email = lower(email);")).toEqual([["refresh", "email IS DISTINCT FROM (lower(email))"]]);
    expect(await modes("UPDATE t SET flag = a > 5;", "CREATE TABLE t (id int PRIMARY KEY, a int, flag boolean NOT NULL DEFAULT false);")).toEqual([
      ["refresh", "flag IS DISTINCT FROM (a > 5)"],
    ]);
    // A value that changes on every evaluation is written once, where NULL.
    expect(await modes("UPDATE t SET token = gen_random_uuid();")).toEqual([["fill", "token IS NULL"]]);
  });

  it("warns that an expression reading its own column must be idempotent, and does not make second passes for it", async () => {
    const [backfill] = await backfillsOf("UPDATE t SET n = n + 1;", { key: ["id"] });
    expect(backfill!.plan.convergent).toBe(false);
    expect(backfill!.plan.warnings[0]).toMatch(/applies it twice.*not n \+ 1/);
  });

  it("verifies only the rows in scope: the WHERE without its conjuncts about the written columns", async () => {
    const [backfill] = await backfillsOf("UPDATE t SET b = upper(a) WHERE created_at > '2020-01-01' AND b IS NULL AND kind LIKE 'x%';", { key: ["id"] });
    expect(backfill!.plan.scope).toEqual(["created_at > '2020-01-01'", "kind LIKE 'x%'"]);
    expect(backfill!.checks[0]!.sql).toContain("FILTER (WHERE (created_at > '2020-01-01') AND (kind LIKE 'x%') AND b IS NULL AND (upper(a)) IS NOT NULL)");
  });

  it("refuses to walk a key the UPDATE writes", async () => {
    await expect(backfillsOf("UPDATE t SET id = id + 1;", { key: ["id"] })).rejects.toThrow(/writes the key column id/);
  });

  it("without a key from anywhere, says how to give one", async () => {
    await expect(backfillsOf("UPDATE t SET b = a;")).rejects.toThrow(/no primary key found for t .*give the key to walk with --key/);
  });

  it("generates SQL that PostgreSQL's parser accepts, for single and composite keys, first and later batches", async () => {
    const sqls = [
      "UPDATE users u SET display_name = normalize(u.full_name) WHERE display_name IS NULL RETURNING u.id;",
      "UPDATE app.\"Odd \"\"T\"\"\" AS \"X y\" SET \"Display Name\" = \"X y\".\"First\" || ' ' || last, n = 1 WHERE a BETWEEN 1 AND 2 OR b;",
    ];
    for (const sql of sqls) {
      for (const key of [["id"], ["tenant id", "ID"]]) {
        const [backfill] = await backfillsOf(sql, { key });
        const { plan, checks } = backfill!;
        for (const text of [
          plan.batchSql(1000, true),
          plan.batchSql(1000, false, "a note"),
          plan.batchSql(1000, true, undefined, true),
          plan.batchSql(1000, false, undefined, true),
          plan.batchSql(1000, false, undefined, true, { form: "plain" }),
          plan.batchSql(1000, true, undefined, false, { form: "plain", unfinished: true }),
          plan.pageBatchSql(),
          plan.pageBatchSql({ form: "plain" }),
          plan.pageBatchSql({ unfinished: true }),
          plan.pagePendingSql(true, true),
          plan.pageListSql(),
          plan.tidUpdateSql(),
          plan.rangeEndSql(10, false),
          plan.rangeEndSql(10, true, true),
          plan.listSql(true),
          plan.listSql(false),
          plan.rangeUpdateSql(),
          plan.pendingSql(true, false),
          plan.pendingSql(false, true),
          plan.keyAtSql,
          ...checks.map((c) => c.sql),
          planText(backfill!, { batchSize: 500, lockTimeoutMs: 1000, statementTimeoutMs: 1100 }),
          planText(backfill!, { order: "physical", batchSize: 500, lockTimeoutMs: 1000, statementTimeoutMs: 1100 }),
        ]) {
          expect(() => parseSql(text), text).not.toThrow();
        }
      }
    }
  });

  it("chooses names for what it adds that the user's SQL does not use", async () => {
    const [backfill] = await backfillsOf("UPDATE t SET ahead = (SELECT count(*) FROM done), last = todo WHERE row_id > 0;", { key: ["id"] });
    const sql = backfill!.plan.batchSql(10, false);
    expect(sql).toMatch(/^WITH ahead_2 \(row_id_2, todo_2, ahead_key\) AS MATERIALIZED/);
    expect(sql).toContain("), done_2 AS (");
    expect(sql).toMatch(/\) AS last_2$/);
  });
});
