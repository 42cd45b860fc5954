/**
 * What the history model knows of each table besides its columns' names: types (as libpg-query's TypeName and as
 * PostgreSQL prints them), nullability, primary key / unique / foreign key / check constraints, and indexes — followed
 * through ALTER TABLE, CREATE/DROP INDEX, renames of tables, columns, indexes, constraints and types. The names
 * PostgreSQL chooses itself are checked against PostgreSQL.
 */
import { describe, expect, it } from "vitest";
import { markerKind } from "../../src/context/conventions.js";
import { DEFAULT_SETTINGS } from "../../src/context/settings.js";
import { buildModel } from "../../src/schema/history.js";
import { findColumn, findTable, type SchemaModel, type TableModel } from "../../src/schema/model.js";
import { parseSchemaSettings } from "../../src/schema/settings.js";
import { parseDocument } from "../../src/sql/document.js";
import { describeOnDatabases } from "../helpers/databases.js";

function model(...files: string[]): SchemaModel {
  return buildModel(
    files.map((text, i) => {
      const outcome = parseDocument(text, { markerKind });
      if (!outcome.ok) throw new Error(outcome.message);
      return { path: `migrations/${i + 1}.sql`, document: outcome.document };
    }),
    { migration: DEFAULT_SETTINGS, schema: parseSchemaSettings({}) },
  );
}

const table = (m: SchemaModel, name: string, schema?: string): TableModel => {
  const found = findTable(m, schema ? { schema, name } : { name });
  if (!found) throw new Error(`no table ${name}`);
  return found;
};
const types = (t: TableModel) => Object.fromEntries([...t.columnDetails].map(([name, c]) => [name, c.typeText]));
const notNull = (t: TableModel) => Object.fromEntries([...t.columnDetails].map(([name, c]) => [name, c.notNull]));
const indexes = (t: TableModel) => t.indexes.map((i) => ({ name: i.name, columns: i.columns, unique: i.unique, ...(i.partial ? { partial: true } : {}) }));

describe("columns", () => {
  it("records each column's type as written and as PostgreSQL prints it; serial types are their integers", () => {
    const m = model(
      'CREATE TABLE orders (id bigserial PRIMARY KEY, n serial, total numeric(12,2) NOT NULL, note varchar(300), placed_at timestamp with time zone, tags text[], "Odd Col" app."Money");',
    );
    const orders = table(m, "orders");
    expect(types(orders)).toEqual({
      id: "bigint",
      n: "integer",
      total: "numeric(12,2)",
      note: "varchar(300)",
      placed_at: "timestamptz",
      tags: "text[]",
      "Odd Col": 'app."Money"',
    });
    expect(findColumn(orders, "total")?.type?.names?.map((n) => ("String" in n ? n.String.sval : ""))).toEqual(["pg_catalog", "numeric"]);
    expect(notNull(orders)).toEqual({ id: true, n: false, total: true, note: false, placed_at: false, tags: false, "Odd Col": false });
  });

  it("follows ADD/DROP/RENAME COLUMN, type changes (dropping the old COLLATE) and SET/DROP NOT NULL", () => {
    const m = model(
      'CREATE TABLE users (id bigint PRIMARY KEY, email text COLLATE "C", nick varchar(20), age int);',
      "ALTER TABLE users ADD COLUMN bio varchar(500) NOT NULL DEFAULT '', DROP COLUMN age, ALTER COLUMN email TYPE varchar(320);",
      "ALTER TABLE users RENAME COLUMN nick TO nickname;\nALTER TABLE users ALTER COLUMN nickname SET NOT NULL, ALTER COLUMN bio DROP NOT NULL;",
    );
    const users = table(m, "users");
    expect(users.columns).toEqual(["id", "email", "bio", "nickname"]); // a renamed column moves to the end of the list
    expect(types(users)).toEqual({ id: "bigint", email: "varchar(320)", nickname: "varchar(20)", bio: "varchar(500)" });
    expect(findColumn(users, "email")?.collation).toBeUndefined();
    expect(notNull(users)).toEqual({ id: true, email: false, nickname: true, bio: false });
  });

  it("a table that predates the migrations: only what they show, and no type for a column merely named", () => {
    const m = model("ALTER TABLE legacy ALTER COLUMN code TYPE text, ALTER COLUMN name SET NOT NULL;", "ALTER TABLE legacy ADD COLUMN IF NOT EXISTS flag boolean;");
    const legacy = table(m, "legacy");
    expect(legacy.complete).toBe(false);
    expect(findColumn(legacy, "code")).toMatchObject({ typeText: "text" });
    expect(findColumn(legacy, "name")).toEqual({ name: "name", notNull: true });
    // IF NOT EXISTS on a table we do not fully know: the column may have existed with another type.
    expect(findColumn(legacy, "flag")?.type).toBeUndefined();
  });

  it("ADD COLUMN IF NOT EXISTS keeps the type of a column that exists, and gives it to one that surely does not", () => {
    const m = model("CREATE TABLE t (a int);", "ALTER TABLE t ADD COLUMN IF NOT EXISTS a text, ADD COLUMN IF NOT EXISTS b text;");
    expect(types(table(m, "t"))).toEqual({ a: "integer", b: "text" });
  });

  it("ALTER TYPE … RENAME follows the columns of that type (Prisma's enum dance)", () => {
    const m = model(
      "CREATE TYPE \"Status\" AS ENUM ('a');\nCREATE TABLE jobs (status \"Status\", history \"Status\"[]);",
      'ALTER TYPE "Status" RENAME TO "Status_old";\nCREATE TYPE "Status" AS ENUM (\'a\', \'b\');',
    );
    expect(types(table(m, "jobs"))).toEqual({ status: '"Status_old"', history: '"Status_old"[]' });
  });
});

describe("constraints and indexes", () => {
  it("CREATE TABLE: primary key, unique, foreign key, check and exclusion constraints, named as PostgreSQL names them", () => {
    const m = model(
      "CREATE TABLE bookings (id bigint PRIMARY KEY, room_id bigint REFERENCES rooms, code text UNIQUE, guests int CHECK (guests > 0), during tstzrange, CHECK (guests < 10 AND room_id > 0), EXCLUDE USING gist (room_id WITH =, during WITH &&), UNIQUE (room_id, code));",
    );
    const bookings = table(m, "bookings");
    expect(bookings.constraints.map((c) => [c.name, c.kind, c.columns])).toEqual([
      ["bookings_pkey", "primary-key", ["id"]],
      ["bookings_room_id_fkey", "foreign-key", ["room_id"]],
      ["bookings_code_key", "unique", ["code"]],
      ["bookings_guests_check", "check", []],
      ["bookings_check", "check", []],
      ["bookings_room_id_during_excl", "exclusion", ["room_id", "during"]],
      ["bookings_room_id_code_key", "unique", ["room_id", "code"]],
    ]);
    expect(bookings.constraints.find((c) => c.kind === "foreign-key")?.references).toEqual({ name: "rooms" });
    expect(indexes(bookings)).toEqual([
      { name: "bookings_pkey", columns: ["id"], unique: true },
      { name: "bookings_code_key", columns: ["code"], unique: true },
      { name: "bookings_room_id_during_excl", columns: ["room_id", "during"], unique: false },
      { name: "bookings_room_id_code_key", columns: ["room_id", "code"], unique: true },
    ]);
    expect(bookings.indexes.find((i) => i.primary)?.constraint).toBe("bookings_pkey");
    expect(bookings.indexesKnown).toBe("all");
  });

  it("CREATE INDEX [CONCURRENTLY] [IF NOT EXISTS]: columns in order, expressions, INCLUDE, partial, method, default names", () => {
    const m = model(
      'CREATE TABLE app."Events" (id bigint, "Kind" text, at timestamptz, payload jsonb);',
      'CREATE INDEX CONCURRENTLY ON app."Events" ("Kind", at DESC) INCLUDE (id);\nCREATE UNIQUE INDEX IF NOT EXISTS events_lower_kind ON app."Events" (lower("Kind")) WHERE at IS NOT NULL;\nCREATE INDEX ON app."Events" USING gin (payload);\nCREATE INDEX ON app."Events" ("Kind");\nCREATE INDEX IF NOT EXISTS events_lower_kind ON app."Events" (id);',
    );
    const events = table(m, "Events", "app");
    expect(events.indexes.map((i) => [i.name, i.columns, i.include, i.unique, i.method, i.partial, i.notNullPredicate])).toEqual([
      ["Events_Kind_at_idx", ["Kind", "at"], ["id"], false, "btree", false, undefined],
      ["events_lower_kind", [null], [], true, "btree", true, ["at"]],
      ["Events_payload_idx", ["payload"], [], false, "gin", false, undefined],
      ["Events_Kind_idx", ["Kind"], [], false, "btree", false, undefined],
    ]);
  });

  it("follows DROP INDEX, ALTER INDEX … RENAME, DROP/RENAME CONSTRAINT, DROP COLUMN and column renames", () => {
    const m = model(
      "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, ref text, region text);\nCREATE INDEX orders_customer_idx ON orders (customer_id);\nCREATE INDEX orders_ref_idx ON orders (ref);\nALTER TABLE orders ADD CONSTRAINT orders_region_key UNIQUE (region);",
      "DROP INDEX CONCURRENTLY IF EXISTS public.orders_ref_idx;\nALTER INDEX orders_customer_idx RENAME TO orders_by_customer;\nALTER TABLE orders RENAME CONSTRAINT orders_region_key TO orders_one_per_region;",
      "ALTER TABLE orders RENAME COLUMN customer_id TO buyer_id;\nALTER TABLE orders DROP CONSTRAINT orders_pkey;",
    );
    const orders = table(m, "orders");
    expect(indexes(orders)).toEqual([
      { name: "orders_by_customer", columns: ["buyer_id"], unique: false },
      { name: "orders_one_per_region", columns: ["region"], unique: true },
    ]);
    expect(orders.constraints.map((c) => c.name)).toEqual(["orders_one_per_region"]);
    const dropped = model("CREATE TABLE t (a int, b int UNIQUE);\nCREATE INDEX ON t (a, b);", "ALTER TABLE t DROP COLUMN b;");
    expect(table(dropped, "t").indexes).toEqual([]);
    expect(table(dropped, "t").constraints).toEqual([]);
  });

  it("ADD CONSTRAINT … USING INDEX adopts the index under the constraint's name; one it does not know makes the indexes unknown", () => {
    const m = model("CREATE TABLE t (id bigint, code text);\nCREATE UNIQUE INDEX CONCURRENTLY t_id_idx ON t (id);", "ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_id_idx;");
    const t = table(m, "t");
    expect(indexes(t)).toEqual([{ name: "t_pkey", columns: ["id"], unique: true }]);
    expect(t.indexes[0]).toMatchObject({ primary: true, constraint: "t_pkey" });
    expect(notNull(t)).toEqual({ id: true, code: false });
    expect(table(model("CREATE TABLE u (id bigint);", "ALTER TABLE u ADD CONSTRAINT u_pkey PRIMARY KEY USING INDEX from_elsewhere;"), "u").indexesKnown).toBe("unknown");
  });

  it("NOT VALID constraints are not validated until VALIDATE CONSTRAINT", () => {
    const m = model("CREATE TABLE t (a bigint);", "ALTER TABLE t ADD CONSTRAINT t_a_fkey FOREIGN KEY (a) REFERENCES p NOT VALID, ADD CONSTRAINT t_a_check CHECK (a > 0) NOT VALID;", "ALTER TABLE t VALIDATE CONSTRAINT t_a_fkey;");
    expect(table(m, "t").constraints.map((c) => [c.name, c.validated])).toEqual([
      ["t_a_fkey", true],
      ["t_a_check", false],
    ]);
  });

  it("how much the indexes tell: all (created here), some (older table), unknown (partition, LIKE INCLUDING INDEXES)", () => {
    const m = model(
      "CREATE TABLE parent (id bigint, y int) PARTITION BY LIST (y);\nCREATE TABLE part PARTITION OF parent FOR VALUES IN (1);\nCREATE TABLE copy (LIKE parent INCLUDING ALL);\nCREATE TABLE plain_copy (LIKE parent);\nCREATE TABLE snapshot AS SELECT 1 AS x;",
      "CREATE INDEX CONCURRENTLY old_a_idx ON old (a);",
    );
    expect(["parent", "part", "copy", "plain_copy", "snapshot", "old"].map((name) => table(m, name).indexesKnown)).toEqual(["all", "unknown", "unknown", "all", "all", "some"]);
    expect(table(m, "old").indexes.map((i) => i.name)).toEqual(["old_a_idx"]);
  });

  it("tables renamed or moved to another schema keep their columns, constraints and indexes", () => {
    const m = model("CREATE TABLE t (id bigint PRIMARY KEY, a text);\nCREATE INDEX t_a_idx ON t (a);", "ALTER TABLE t RENAME TO u;\nALTER TABLE u SET SCHEMA archive;");
    expect(findTable(m, { name: "t" })).toBeUndefined();
    const u = table(m, "u", "archive");
    expect(u.name).toEqual({ schema: "archive", name: "u" });
    expect(u.indexes.map((i) => i.name)).toEqual(["t_pkey", "t_a_idx"]);
    expect(types(u)).toEqual({ id: "bigint", a: "text" });
  });

  it("records which migration created each table", () => {
    const m = model("CREATE TABLE a (id int);", "CREATE TABLE b AS SELECT 1 AS x;\nALTER TABLE older ADD COLUMN y int;");
    expect(["a", "b", "older"].map((name) => table(m, name).createdBy)).toEqual(["migrations/1.sql", "migrations/2.sql", undefined]);
  });
});

describeOnDatabases("the names PostgreSQL chooses", (db) => {
  it("indexes, check and foreign key constraints without a name get the model's names (hostile identifiers included)", async () => {
    const sql = [
      'CREATE TABLE "Odd ""Table"" name" (id bigint PRIMARY KEY, "Ref Id" bigint UNIQUE, n int CHECK (n > 0), code text, parent bigint REFERENCES "Odd ""Table"" name", CHECK (n < 10 AND id > 0), UNIQUE ("Ref Id", code), FOREIGN KEY ("Ref Id", code) REFERENCES "Odd ""Table"" name" ("Ref Id", code));',
      'CREATE INDEX ON "Odd ""Table"" name" (code);',
      'CREATE INDEX ON "Odd ""Table"" name" (code);',
      'CREATE INDEX ON "Odd ""Table"" name" (lower(code), "Ref Id");',
      "CREATE TABLE subscription_plan_feature_assignments_with_a_long_name (subscription_plan_feature_definition_id bigint);",
      "CREATE INDEX ON subscription_plan_feature_assignments_with_a_long_name (subscription_plan_feature_definition_id);",
    ];
    await db().exec(sql.join("\n"));
    const m = model(sql.join("\n"));
    const { rows } = await db().query<{ name: string }>(
      "SELECT c.relname AS name FROM pg_class c WHERE c.relkind = 'i' AND c.relnamespace = current_schema()::regnamespace UNION SELECT conname FROM pg_constraint WHERE connamespace = current_schema()::regnamespace AND contype IN ('c', 'f') ORDER BY 1",
    );
    const ours = [
      ...m.tables.flatMap((t) => t.indexes.map((i) => i.name)),
      ...m.tables.flatMap((t) => t.constraints.filter((c) => c.kind === "check" || c.kind === "foreign-key").map((c) => c.name)),
    ];
    expect([...new Set(ours)].sort()).toEqual(rows.map((r) => r.name).sort());
  });
});
