import { describe, expect, it } from "vitest";
import { analyzeMigration, type StatementContext } from "../../src/context/migration-context.js";
import { DEFAULT_SETTINGS, parseSettings, readSettings, type MigrationSettings } from "../../src/context/settings.js";
import { parseDocument } from "../../src/sql/document.js";

function contexts(text: string, settings: Partial<MigrationSettings> = {}): StatementContext[] {
  const outcome = parseDocument(text);
  if (!outcome.ok) throw new Error(outcome.message);
  return analyzeMigration(outcome.document, { ...DEFAULT_SETTINGS, ...settings });
}

describe("transaction state", () => {
  it("follows explicit BEGIN / COMMIT / ROLLBACK", () => {
    const c = contexts("SELECT 1; BEGIN; SELECT 2; COMMIT; SELECT 3; START TRANSACTION; SELECT 4; ROLLBACK; SELECT 5;");
    expect(c.map((x) => x.transaction.inside)).toEqual([false, false, true, true, false, false, true, true, false]);
    expect(c[2]!.transaction).toEqual({ inside: true, why: "explicit", beganAt: 1 });
  });

  it("treats every statement as inside a transaction when the runner wraps the file", () => {
    const c = contexts("SELECT 1; SELECT 2;", { transactionPerFile: true });
    expect(c.map((x) => x.transaction)).toEqual([
      { inside: true, why: "runner" },
      { inside: true, why: "runner" },
    ]);
  });

  it("puts the statements of a DO block inside a transaction", () => {
    const c = contexts("DO $$ BEGIN CREATE INDEX CONCURRENTLY i ON t (a); END $$;");
    expect(c[0]!.transaction.inside).toBe(false);
    expect(c[1]!.transaction).toEqual({ inside: true, why: "do-block" });
  });
});

describe("timeouts", () => {
  it("sees lock_timeout set by SET, kept until RESET or 0", () => {
    const c = contexts("SELECT 1; SET lock_timeout = '2s'; SELECT 2; SET lock_timeout TO 0; SELECT 3; SET lock_timeout = 5000; RESET lock_timeout; SELECT 4;");
    expect(c.map((x) => x.lockTimeout.set)).toEqual([false, false, true, true, false, false, true, false]);
    expect(c[2]!.lockTimeout).toEqual({ set: true, by: "statement", value: "2s", at: 1 });
  });

  it("keeps SET LOCAL only until the transaction ends, and ignores it outside one", () => {
    const c = contexts("SET LOCAL lock_timeout = '1s'; SELECT 1; BEGIN; SET LOCAL lock_timeout = '1s'; SELECT 2; COMMIT; SELECT 3;");
    expect(c.map((x) => x.lockTimeout.set)).toEqual([false, false, false, false, true, true, false]);
  });

  it("understands set_config(), statement_timeout and the runner setting", () => {
    const c = contexts("SELECT set_config('lock_timeout', '3s', false), set_config('statement_timeout', '1min', false); SELECT 1;");
    expect(c[1]!.lockTimeout).toMatchObject({ set: true, value: "3s" });
    expect(c[1]!.statementTimeout).toMatchObject({ set: true, value: "1min" });
    const runner = contexts("SELECT 1; SET lock_timeout = 0; SELECT 2; RESET ALL; SELECT 3;", { assumeLockTimeout: true });
    expect(runner.map((x) => x.lockTimeout.set)).toEqual([true, true, false, false, true]);
  });
});

describe("new tables", () => {
  it("knows which tables this migration created before each statement", () => {
    const c = contexts("CREATE INDEX ON t (a); CREATE TABLE t (a int); CREATE INDEX ON t (a); CREATE INDEX ON public.t (a); CREATE INDEX ON other.t (a);");
    expect(c.map((x) => x.isNewTable({ name: "t" }))).toEqual([false, false, true, true, true]);
    expect(c[4]!.isNewTable({ schema: "other", name: "t" })).toBe(true); // unqualified CREATE: schema unknown
  });

  it("counts CREATE TABLE AS, SELECT INTO and a rename of a new table", () => {
    const c = contexts("CREATE TABLE a AS SELECT 1 AS x; SELECT 1 AS y INTO b; CREATE TABLE c (id int); ALTER TABLE c RENAME TO d; SELECT 1;");
    const last = c[4]!;
    expect(["a", "b", "c", "d", "users"].map((name) => last.isNewTable({ name }))).toEqual([true, true, true, true, false]);
  });

  it("distinguishes schemas when both names are qualified", () => {
    const c = contexts("CREATE TABLE app.t (a int); SELECT 1;");
    expect(c[1]!.isNewTable({ schema: "app", name: "t" })).toBe(true);
    expect(c[1]!.isNewTable({ schema: "audit", name: "t" })).toBe(false);
  });
});

describe("settings", () => {
  it("defaults to PostgreSQL 15 and no runner transaction", () => {
    expect(readSettings(undefined)).toEqual({
      postgresVersion: 15,
      migrationTool: "auto",
      transactionPerFile: undefined,
      assumeLockTimeout: false,
      assumeStatementTimeout: false,
    });
  });

  it("rejects wrong values with a message naming the key", () => {
    expect(() => parseSettings({ postgresVersion: "fifteen" })).toThrow('settings["migration-safety"].postgresVersion must be a PostgreSQL major version such as 15; got "fifteen".');
    expect(() => parseSettings({ transactionPerFile: "yes" })).toThrow(/transactionPerFile must be true or false/);
    expect(parseSettings({ postgresVersion: "12" }).postgresVersion).toBe(12);
    expect(() => parseSettings({ migrationTool: "liquibase" })).toThrow(/migrationTool must be "auto" or one of "plain", "goose"/);
  });
});
