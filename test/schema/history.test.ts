/**
 * The history model replays migrations in order: tables and columns, drops and renames, and transitions inferred
 * from each source (backfill, sync trigger, rename, drop + add) or declared in settings.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { markerKind } from "../../src/context/conventions.js";
import { DEFAULT_SETTINGS } from "../../src/context/settings.js";
import { buildModel, type MigrationSource } from "../../src/schema/history.js";
import { findRemovedTable, findTable, type SchemaModel } from "../../src/schema/model.js";
import { parseSchemaSettings, type SchemaSettings } from "../../src/schema/settings.js";
import { parseDocument } from "../../src/sql/document.js";

function source(path: string, text: string): MigrationSource {
  const outcome = parseDocument(text, { markerKind });
  if (!outcome.ok) throw new Error(outcome.message);
  return { path, document: outcome.document };
}

function model(files: [path: string, text: string][], schema: Record<string, unknown> = {}): SchemaModel {
  const settings: SchemaSettings = parseSchemaSettings(schema);
  return buildModel(
    files.map(([path, text]) => source(path, text)),
    { migration: DEFAULT_SETTINGS, schema: settings },
  );
}

const brief = (m: SchemaModel) => m.transitions.map((t) => ({ table: t.table.name, from: t.from, to: t.to, phase: t.phase, evidence: t.evidence.map((e) => e.kind) }));

const workflow = new URL("../../fixtures/workflow/", import.meta.url);
const expand = readFileSync(new URL("migrations/20261101000000_expand_display_name.sql", workflow), "utf8");
const backfill = readFileSync(new URL("backfill/backfill_display_name.sql", workflow), "utf8");
const contract = "SET lock_timeout = '2s';\nALTER TABLE users DROP COLUMN full_name;";

describe("the WORKFLOW.md example, step by step", () => {
  it("expand alone adds a column but names no transition: nothing says which column it replaces", () => {
    const m = model([["migrations/1_expand.sql", expand]]);
    expect(m.transitions).toEqual([]);
    expect(findTable(m, { name: "users" })?.columns).toEqual(["display_name"]);
    expect(findTable(m, { name: "users" })?.complete).toBe(false);
  });

  it("expand + backfill: full_name → display_name, backfilled", () => {
    const m = model([
      ["migrations/1_expand.sql", expand],
      ["migrations/2_backfill.sql", backfill],
    ]);
    expect(brief(m)).toEqual([{ table: "users", from: "full_name", to: "display_name", phase: "backfilled", evidence: ["backfill"] }]);
    expect(m.transitions[0]!.evidence[0]!.migration).toBe("migrations/2_backfill.sql");
  });

  it("expand + backfill + contract: contracted, and full_name is recorded as dropped by the contract migration", () => {
    const m = model([
      ["migrations/1_expand.sql", expand],
      ["migrations/2_backfill.sql", backfill],
      ["migrations/3_contract.sql", contract],
    ]);
    expect(brief(m)).toEqual([{ table: "users", from: "full_name", to: "display_name", phase: "contracted", evidence: ["backfill"] }]);
    const users = findTable(m, { name: "users" })!;
    expect(users.columns).toEqual(["display_name"]);
    expect(users.removedColumns.get("full_name")).toEqual({ kind: "dropped", migration: "migrations/3_contract.sql" });
  });

  it("a backfill script read before the expand migration (another folder) still counts: direction comes from which column was added", () => {
    const m = model([
      ["db/backfill/x.sql", backfill],
      ["db/migrations/1_expand.sql", expand],
    ]);
    expect(brief(m)).toEqual([{ table: "users", from: "full_name", to: "display_name", phase: "backfilled", evidence: ["backfill"] }]);
  });
});

describe("order across folders", () => {
  it("a backfill script sorted before the migration that creates the table still attaches to that table", () => {
    const m = model([
      ["db/backfill/1.sql", backfill],
      ["db/migrations/1_create.sql", "CREATE TABLE users (id bigint PRIMARY KEY, full_name text);"],
      ["db/migrations/2_expand.sql", expand],
    ]);
    expect(brief(m)).toEqual([{ table: "users", from: "full_name", to: "display_name", phase: "backfilled", evidence: ["backfill"] }]);
    expect(findTable(m, { name: "users" })).toMatchObject({ columns: ["id", "full_name", "display_name"], complete: true });
  });
});

describe("inference sources", () => {
  it("a backfill of a column the migrations did not add is a data fix, not a transition", () => {
    const m = model([["1.sql", "UPDATE orders SET total = subtotal WHERE total IS NULL;"]]);
    expect(m.transitions).toEqual([]);
  });

  it("a backfill from several columns (a merge) is not inferred", () => {
    const m = model([["1.sql", "ALTER TABLE users ADD COLUMN display_name text;\nUPDATE users SET display_name = first_name || ' ' || last_name;"]]);
    expect(m.transitions).toEqual([]);
  });

  it("columns created together in CREATE TABLE are the same age: copying one into the other is not a transition", () => {
    const m = model([["1.sql", "CREATE TABLE t (a text, b text);\nUPDATE t SET b = a;"]]);
    expect(m.transitions).toEqual([]);
    expect(findTable(m, { name: "t" })).toMatchObject({ columns: ["a", "b"], complete: true });
  });

  it("a sync trigger copying the old column into the new one (NEW.x := f(NEW.y)), tied to the table by CREATE TRIGGER", () => {
    const m = model([
      ["1_expand.sql", "ALTER TABLE users ADD COLUMN display_name text;"],
      [
        "2_sync.sql",
        `CREATE FUNCTION users_sync_names() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.display_name IS NULL THEN
    NEW.display_name := normalize(NEW.full_name);
  END IF;
  IF NEW.full_name IS NULL THEN
    NEW.full_name = NEW.display_name;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER users_sync_names BEFORE INSERT OR UPDATE ON users FOR EACH ROW EXECUTE FUNCTION users_sync_names();`,
      ],
    ]);
    // Both directions are copied; the newer column (display_name) is the target.
    expect(brief(m)).toEqual([{ table: "users", from: "full_name", to: "display_name", phase: "expanded", evidence: ["sync-trigger"] }]);
  });

  it("a sync trigger that UPDATEs the table, with quoted and schema-qualified names", () => {
    const m = model([
      ["1.sql", 'ALTER TABLE app."Users" ADD COLUMN "DisplayName" text;'],
      [
        "2.sql",
        `CREATE OR REPLACE FUNCTION app.sync() RETURNS trigger AS $body$
BEGIN
  UPDATE app."Users" SET "DisplayName" = upper("FullName") WHERE id = NEW.id;
  RETURN NULL;
END $body$ LANGUAGE plpgsql;
CREATE TRIGGER sync AFTER INSERT ON app."Users" FOR EACH ROW EXECUTE PROCEDURE app.sync();`,
      ],
    ]);
    expect(brief(m)).toEqual([{ table: "Users", from: "FullName", to: "DisplayName", phase: "expanded", evidence: ["sync-trigger"] }]);
    expect(m.transitions[0]!.table).toEqual({ schema: "app", name: "Users" });
  });

  it("a trigger function that is never attached by a trigger infers nothing", () => {
    const m = model([
      ["1.sql", "ALTER TABLE users ADD COLUMN display_name text;"],
      ["2.sql", "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.display_name := NEW.full_name; RETURN NEW; END $$;"],
    ]);
    expect(m.transitions).toEqual([]);
  });

  it("RENAME COLUMN: contracted, and the old name is recorded as renamed", () => {
    const m = model([["1.sql", "ALTER TABLE users RENAME COLUMN full_name TO display_name;"]]);
    expect(brief(m)).toEqual([{ table: "users", from: "full_name", to: "display_name", phase: "contracted", evidence: ["rename"] }]);
    expect(findTable(m, { name: "users" })!.removedColumns.get("full_name")).toEqual({ kind: "renamed", to: "display_name", migration: "1.sql" });
  });

  it("DROP COLUMN + ADD COLUMN on the same table in one migration: a rename written as drop + add", () => {
    const m = model([["1.sql", "ALTER TABLE users DROP COLUMN full_name, ADD COLUMN display_name text;"]]);
    expect(brief(m)).toEqual([{ table: "users", from: "full_name", to: "display_name", phase: "contracted", evidence: ["drop-add"] }]);
  });

  it("a drop and an add in different migrations, or two adds, are not a pair", () => {
    expect(model([["1.sql", "ALTER TABLE users DROP COLUMN a;"], ["2.sql", "ALTER TABLE users ADD COLUMN b text;"]]).transitions).toEqual([]);
    expect(model([["1.sql", "ALTER TABLE users DROP COLUMN a, ADD COLUMN b text, ADD COLUMN c text;"]]).transitions).toEqual([]);
  });

  it("a transition whose new column is dropped again is abandoned", () => {
    const m = model([["1.sql", "ALTER TABLE users ADD COLUMN display_name text;\nUPDATE users SET display_name = full_name;"], ["2.sql", "ALTER TABLE users DROP COLUMN display_name;"]]);
    expect(m.transitions).toEqual([]);
  });

  it("only the up part of a migration counts: a goose Down that drops the new column does not abandon it", () => {
    const m = model([
      [
        "1.sql",
        "-- +goose Up\nALTER TABLE users ADD COLUMN display_name text;\nUPDATE users SET display_name = full_name WHERE id < 100;\n-- +goose Down\nALTER TABLE users DROP COLUMN display_name;\n",
      ],
    ]);
    expect(brief(m)).toEqual([{ table: "users", from: "full_name", to: "display_name", phase: "backfilled", evidence: ["backfill"] }]);
  });

  it("statements inside a DO block count; a function body that is never run does not", () => {
    const m = model([
      ["1.sql", "ALTER TABLE users ADD COLUMN display_name text;\nDO $$ BEGIN UPDATE users SET display_name = full_name; END $$;"],
      ["2.sql", "CREATE FUNCTION later() RETURNS void LANGUAGE plpgsql AS $$ BEGIN ALTER TABLE users DROP COLUMN full_name; END $$;"],
    ]);
    expect(brief(m)).toEqual([{ table: "users", from: "full_name", to: "display_name", phase: "backfilled", evidence: ["backfill"] }]);
  });
});

describe("tables", () => {
  it("records dropped and renamed tables; a renamed table keeps its columns and transitions", () => {
    const m = model([
      ["1.sql", "CREATE TABLE users (id bigint, full_name text);\nCREATE TABLE audit (id bigint);"],
      ["2.sql", "ALTER TABLE users ADD COLUMN display_name text;\nUPDATE users SET display_name = full_name;"],
      ["3.sql", "ALTER TABLE users RENAME TO accounts;\nDROP TABLE audit;"],
    ]);
    expect(findTable(m, { name: "users" })).toBeUndefined();
    expect(findTable(m, { name: "accounts" })).toMatchObject({ columns: ["id", "full_name", "display_name"], complete: true });
    expect(findRemovedTable(m, { name: "users" })?.fate).toEqual({ kind: "renamed", to: "accounts", migration: "3.sql" });
    expect(findRemovedTable(m, { name: "audit" })?.fate).toEqual({ kind: "dropped", migration: "3.sql" });
    expect(brief(m)).toEqual([{ table: "accounts", from: "full_name", to: "display_name", phase: "backfilled", evidence: ["backfill"] }]);
  });

  it("a table dropped and created again is live, with only its new columns", () => {
    const m = model([["1.sql", "CREATE TABLE t (a int);"], ["2.sql", "DROP TABLE t;"], ["3.sql", "CREATE TABLE t (b int);"]]);
    expect(findTable(m, { name: "t" })?.columns).toEqual(["b"]);
    expect(findRemovedTable(m, { name: "t" })).toBeUndefined();
  });

  it("schema-qualified and unqualified names are the same table (search_path unknown)", () => {
    const m = model([["1.sql", "CREATE TABLE public.users (id int);\nALTER TABLE users ADD COLUMN email text;"]]);
    expect(m.tables).toHaveLength(1);
    expect(m.tables[0]).toMatchObject({ name: { schema: "public", name: "users" }, columns: ["id", "email"] });
  });
});

describe("transitions declared in settings", () => {
  it("are taken as given, with phase flipped when the team says reads were switched", () => {
    const m = model([], { transitions: [{ table: "users", from: "full_name", to: "display_name", phase: "flipped" }] });
    expect(brief(m)).toEqual([{ table: "users", from: "full_name", to: "display_name", phase: "flipped", evidence: ["settings"] }]);
  });

  it("without a phase, take the one the migrations show, and win over an inferred transition for the same column", () => {
    const files: [string, string][] = [
      ["1.sql", "ALTER TABLE users ADD COLUMN display_name text;\nUPDATE users SET display_name = full_name;"],
    ];
    const m = model(files, { transitions: [{ table: "users", from: "full_name", to: "display_name" }] });
    expect(brief(m)).toEqual([{ table: "users", from: "full_name", to: "display_name", phase: "backfilled", evidence: ["settings", "backfill"] }]);
    // A declared transition with another old column replaces the inferred one.
    const other = model(files, { transitions: [{ table: "users", from: "name", to: "display_name" }] });
    expect(brief(other)).toEqual([{ table: "users", from: "name", to: "display_name", phase: "expanded", evidence: ["settings"] }]);
  });

  it("a declared transition whose old column the migrations dropped is contracted", () => {
    const m = model([["1.sql", "ALTER TABLE app.users DROP COLUMN full_name;"]], { transitions: [{ table: "app.users", from: "full_name", to: "display_name" }] });
    expect(brief(m)).toEqual([{ table: "users", from: "full_name", to: "display_name", phase: "contracted", evidence: ["settings"] }]);
  });

  it("reject wrong values with a message naming the key", () => {
    expect(() => parseSchemaSettings({ transitions: [{ table: "users", from: "a" }] })).toThrow('settings["migration-safety"].transitions[0].to must be');
    expect(() => parseSchemaSettings({ transitions: [{ table: "users", from: "a", to: "b", phase: "done" }] })).toThrow("transitions[0].phase");
    expect(() => parseSchemaSettings({ transitions: [{ table: "users", from: "a", to: "a" }] })).toThrow("transitions[0].to");
    expect(() => parseSchemaSettings({ migrations: [42] })).toThrow('settings["migration-safety"].migrations must be');
    expect(() => parseSchemaSettings({ transitions: "users" })).toThrow("transitions must be");
  });
});
