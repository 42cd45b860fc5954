/**
 * Migration tools' conventions, end to end through ESLint: rollback parts are not contract steps (no-drop-column,
 * no-drop-table… stay quiet there) while locking rules still apply, and each tool's transaction handling decides
 * whether CONCURRENTLY fails.
 */
import { describe, expect, it } from "vitest";
import { detectConvention } from "../../src/context/conventions.js";
import { DEFAULT_SETTINGS } from "../../src/context/settings.js";
import { markerKind } from "../../src/context/conventions.js";
import { parseDocument } from "../../src/sql/document.js";
import { lintSql, ruleIds } from "../helpers/lint.js";

const contract = ["no-drop-column", "no-drop-table", "no-rename-column", "no-rename-by-drop", "require-concurrent-index", "no-concurrently-in-transaction"];
const lint = (code: string, filename: string, settings?: Record<string, unknown>) =>
  lintSql(code, { rules: contract, filename, ...(settings ? { settings: { "migration-safety": settings } } : {}) });
const linesOf = (messages: ReturnType<typeof lintSql>) => messages.map((m) => [m.ruleId?.replace("migration-safety/", "") ?? "fatal", m.line]);

function convention(code: string, path: string) {
  const outcome = parseDocument(code, { markerKind });
  if (!outcome.ok) throw new Error(outcome.message);
  return detectConvention({ path, document: outcome.document, tool: "auto", transactionPerFile: undefined });
}

describe("up/down files (golang-migrate, diesel, sourcegraph)", () => {
  const down = "ALTER TABLE users DROP COLUMN display_name;\nDROP TABLE audit_log;\nDROP INDEX idx_users_display_name;";
  it("does not flag the contract rules in a .down.sql file, but still the locking ones", () => {
    expect(linesOf(lint(down, "migrations/000042_display_name.down.sql"))).toEqual([["require-concurrent-index", 3]]);
    expect(linesOf(lint(down, "migrations/2024-01-01-000000_display_name/down.sql"))).toEqual([["require-concurrent-index", 3]]);
  });
  it("flags them in the .up.sql file", () => {
    expect(linesOf(lint(down, "migrations/000042_display_name.up.sql")).map(([r]) => r)).toEqual(["no-drop-column", "no-drop-table", "require-concurrent-index"]);
  });
  it("knows golang-migrate sends a file as one script", () => {
    expect(convention("SELECT 1;", "migrations/1_x.up.sql")).toEqual({ tool: "golang-migrate", sections: [{ phase: "up", transaction: "script" }] });
    expect(convention("SELECT 1;", "migrations/2024_x/up.sql")).toEqual({ tool: "diesel", sections: [{ phase: "up", transaction: "wrapped" }] });
  });
});

describe("goose", () => {
  const file = [
    "-- +goose Up",
    "-- +goose StatementBegin",
    "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at = now(); RETURN NEW; END $$",
    "-- +goose StatementEnd",
    "ALTER TABLE users ADD COLUMN display_name text;",
    "",
    "-- +goose Down",
    "ALTER TABLE users DROP COLUMN display_name;",
    "DROP FUNCTION touch()",
  ].join("\n");

  it("splits Up and Down at the markers (a statement without its semicolon does not swallow the next section)", () => {
    const outcome = parseDocument(file, { markerKind });
    if (!outcome.ok) throw new Error(outcome.message);
    expect(outcome.document.sections).toHaveLength(2);
    expect(outcome.document.statements.map((s) => [s.type, s.section])).toEqual([
      ["CreateFunctionStmt", 0],
      ["AlterTableStmt", 0],
      ["AlterTableStmt", 1],
      ["DropStmt", 1],
    ]);
  });

  it("treats the Down section as a rollback", () => {
    expect(lint(file, "db/migrations/20240101120000_display_name.sql")).toEqual([]);
    const dropInUp = file.replace("ADD COLUMN display_name text", "DROP COLUMN full_name");
    expect(linesOf(lint(dropInUp, "db/migrations/20240101120000_display_name.sql"))).toEqual([["no-drop-column", 5]]);
  });

  it("wraps each migration in a transaction unless NO TRANSACTION", () => {
    expect(convention(file, "x.sql")).toEqual({ tool: "goose", sections: [{ phase: "up", transaction: "wrapped" }, { phase: "down", transaction: "wrapped" }] });
    expect(convention(`-- +goose NO TRANSACTION\n${file}`, "x.sql").sections.map((s) => s.transaction)).toEqual(["autocommit", "autocommit", "autocommit"]);
  });
});

describe("dbmate", () => {
  const file = "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY idx ON users (email);\n\n-- migrate:down\nDROP INDEX idx;\nALTER TABLE users DROP COLUMN email;\n";
  it("reads the up/down sections and the transaction option", () => {
    expect(convention(file, "db/migrations/20240101_x.sql")).toEqual({
      tool: "dbmate",
      sections: [
        { phase: "up", transaction: "script" },
        { phase: "down", transaction: "wrapped" },
      ],
    });
    expect(linesOf(lint(file, "db/migrations/20240101_x.sql"))).toEqual([["require-concurrent-index", 5]]);
  });
});

describe("Flyway", () => {
  it("treats U (undo) files as rollbacks and R (repeatable) ones as forward migrations", () => {
    const sql = "ALTER TABLE users DROP COLUMN nickname;";
    expect(lint(sql, "db/migration/U3__add_nickname.sql")).toEqual([]);
    expect(ruleIds(lint(sql, "db/migration/V3__add_nickname.sql"))).toEqual(["no-drop-column"]);
    expect(ruleIds(lint(sql, "db/migration/R__views.sql"))).toEqual(["no-drop-column"]);
    expect(convention(sql, "db/migration/V3__add_nickname.sql")).toEqual({ tool: "flyway", sections: [{ phase: "up", transaction: "wrapped" }] });
  });
});

describe("sqitch", () => {
  it("treats revert/ as rollback, deploy/ and verify/ as forward", () => {
    const sql = "BEGIN;\nDROP TABLE widgets;\nCOMMIT;";
    expect(lint(sql, "sqitch/revert/widgets.sql")).toEqual([]);
    expect(ruleIds(lint(sql, "sqitch/deploy/widgets.sql"))).toEqual(["no-drop-table"]);
    expect(convention(sql, "sqitch/revert/widgets.sql")).toEqual({ tool: "sqitch", sections: [{ phase: "down", transaction: "autocommit" }] });
  });
});

describe("Prisma, Drizzle, Supabase", () => {
  it("recognises them by path and markers", () => {
    expect(convention("SELECT 1;", "prisma/migrations/20240101_init/migration.sql").tool).toBe("prisma");
    expect(convention("SELECT 1;", "supabase/migrations/20240101_init.sql")).toEqual({ tool: "supabase", sections: [{ phase: "up", transaction: "wrapped" }] });
    expect(convention("CREATE TABLE a (id int);\n--> statement-breakpoint\nCREATE TABLE b (id int);", "drizzle/0001_x.sql").tool).toBe("drizzle");
  });

  it("splits Drizzle files at statement breakpoints even where a semicolon is missing", () => {
    const outcome = parseDocument('CREATE TABLE "a" ("id" int)\n--> statement-breakpoint\nALTER TABLE "users" DROP COLUMN "x";', { markerKind });
    if (!outcome.ok) throw new Error(outcome.message);
    expect(outcome.document.statements.map((s) => s.type)).toEqual(["CreateStmt", "AlterTableStmt"]);
  });
});

describe("settings", () => {
  it("lets migrationTool and transactionPerFile override detection", () => {
    const sql = "CREATE INDEX CONCURRENTLY i ON users (email);";
    expect(ruleIds(lint(sql, "migrations/1.sql", { transactionPerFile: true }))).toEqual(["no-concurrently-in-transaction"]);
    expect(lint(sql, "db/migration/V3__x.sql", { migrationTool: "plain" })).toEqual([]);
    expect(ruleIds(lint("ALTER TABLE users DROP COLUMN x;", "migrations/1.down.sql", { migrationTool: "plain" }))).toEqual([]);
    void DEFAULT_SETTINGS;
  });
});

describe("sections of one file", () => {
  it("does not count a table created in Up as new in Down: the rollback runs when it is in use", () => {
    const file = "-- +goose Up\nCREATE TABLE audit (id int);\nCREATE INDEX audit_id ON audit (id);\n-- +goose Down\nDROP INDEX audit_id;\nDROP TABLE audit;";
    const messages = lintSql(file, { rules: ["require-concurrent-index", "require-lock-timeout"], filename: "db/migrations/20240101_audit.sql" });
    expect(linesOf(messages)).toEqual([
      ["require-concurrent-index", 5],
      ["require-lock-timeout", 5],
      ["require-lock-timeout", 6],
    ]);
  });
});
