/**
 * no-dropped-column-reference in application code (typescript-eslint's RuleTester) and in .sql files outside the
 * migrations (ESLint's RuleTester with the SQL language), against the fixture app's history: orders.legacy_status
 * dropped, orders.note renamed to customer_note, audit_log dropped.
 */
import { RuleTester } from "eslint";
import { FIXTURE_HISTORY, ruleTester, settings } from "./helpers.js";
import plugin from "../../src/index.js";
import rule from "../../src/app/rules/no-dropped-column-reference.js";

const contracted = settings({ ...FIXTURE_HISTORY, transitions: [{ table: "users", from: "full_name", to: "display_name", phase: "contracted" }] });
const quoted = settings({ migrations: "scenarios/quoted/*.sql" });
const renamedTable = settings({ migrations: "scenarios/renamed-table/*.sql" });

const drizzleTable = `declare const db: any;
declare function pgTable(name: string, columns: object): any;
declare function text(name?: string): any;
const users = pgTable("users", { fullName: text("full_name"), displayName: text("display_name") });
`;

ruleTester().run("no-dropped-column-reference", rule, {
  valid: [
    { name: "the column that replaced a renamed one", code: "declare const db: any;\ndb.order.findMany({ select: { customer_note: true, status: true } });" },
    { name: "a table that exists", code: 'declare const knex: any;\nknex("orders").select("id", "status");' },
    { name: "a dropped column's name on a table that never had it", code: 'declare const knex: any;\nknex("users").select("legacy_status");' },
    { name: "keys of plain objects are the object's own fields, not columns", code: "export const dto = { legacy_status: 1 };" },
    { name: "type declarations describe, they do not read", code: "export interface Order { legacy_status: string; note: string }" },
    { name: "raw SQL on the columns that exist", code: 'declare const pool: any;\npool.query("SELECT o.status, o.customer_note FROM orders o");' },
    { name: "a CTE named like a dropped table is not the table", code: 'declare const pool: any;\npool.query("WITH audit_log AS (SELECT 1 AS action) SELECT action FROM audit_log");' },
  ],
  invalid: [
    {
      name: "code still reads a dropped column (Prisma select)",
      code: "declare const db: any;\ndb.order.findMany({ select: { id: true, legacy_status: true } });",
      errors: [
        {
          messageId: "droppedColumn",
          data: { table: "orders", column: "legacy_status", migration: "db/migrations/20261110000000_contract_legacy_status.sql", to: "", byName: "" },
          line: 2,
          column: 41,
          endLine: 2,
          endColumn: 54,
          suggestions: [],
        },
      ],
    },
    {
      name: "a renamed column, with the new name offered",
      code: "declare const db: any;\ndb.order.findMany({ select: { note: true } });",
      errors: [
        {
          messageId: "renamedColumn",
          data: { table: "orders", column: "note", to: "customer_note", migration: "db/migrations/20261105000000_rename_order_note.sql", byName: "" },
          line: 2,
          column: 31,
          endLine: 2,
          endColumn: 35,
          suggestions: [{ messageId: "useReplacement", data: { replacement: "customer_note" }, output: "declare const db: any;\ndb.order.findMany({ select: { customer_note: true } });" }],
        },
      ],
    },
    {
      name: "a property read whose table the code does not say: matched by name, and the message says so",
      code: "declare const order: any;\nexport const s = order.legacy_status;",
      errors: [
        {
          messageId: "droppedColumn",
          data: {
            table: "orders",
            column: "legacy_status",
            migration: "db/migrations/20261110000000_contract_legacy_status.sql",
            to: "",
            byName: " (the code does not say which table this reads: matched by the column's name)",
          },
          line: 2,
          column: 24,
          endLine: 2,
          endColumn: 37,
          suggestions: [],
        },
      ],
    },
    {
      name: "a knex string naming a renamed column: the string is rewritten",
      code: 'declare const knex: any;\nknex("orders").select("id", "note");',
      errors: [
        {
          messageId: "renamedColumn",
          line: 2,
          column: 30,
          endLine: 2,
          endColumn: 34,
          suggestions: [{ messageId: "useReplacement", output: 'declare const knex: any;\nknex("orders").select("id", "customer_note");' }],
        },
      ],
    },
    {
      name: "raw SQL (a worker, an export) naming a dropped column",
      code: 'declare const pool: any;\npool.query("SELECT o.id, o.legacy_status FROM orders o");',
      errors: [{ messageId: "droppedColumn", line: 2, column: 28, endLine: 2, endColumn: 41, suggestions: [] }],
    },
    {
      name: "raw SQL naming a dropped table",
      code: 'declare const pool: any;\npool.query("SELECT action FROM audit_log");',
      errors: [{ messageId: "droppedTable", data: { table: "audit_log", migration: "db/migrations/20261110000000_contract_legacy_status.sql", to: "" }, line: 2, column: 32, endLine: 2, endColumn: 41 }],
    },
    {
      name: "a query builder on a dropped table",
      code: 'declare const knex: any;\nknex("audit_log").insert({ action: "x" });',
      errors: [{ messageId: "droppedTable", line: 2, column: 7, endLine: 2, endColumn: 16 }],
    },
    {
      name: "a renamed table, in a builder and in raw SQL",
      code: 'declare const knex: any, pool: any;\nknex("customers").select("id");\npool.query("SELECT * FROM customers");',
      settings: renamedTable,
      errors: [
        { messageId: "renamedTable", data: { table: "customers", to: "accounts", migration: "scenarios/renamed-table/20261201000000_rename_customers.sql" }, line: 2, column: 7, endLine: 2, endColumn: 16 },
        { messageId: "renamedTable", line: 3, column: 27, endLine: 3, endColumn: 36 },
      ],
    },
    {
      name: "a transition declared contracted: the old column is gone and the new one is offered",
      code: "declare const user: any;\nexport const n = user.full_name;",
      settings: contracted,
      errors: [
        {
          messageId: "droppedColumn",
          line: 2,
          column: 23,
          endLine: 2,
          endColumn: 32,
          suggestions: [{ messageId: "useReplacement", output: "declare const user: any;\nexport const n = user.display_name;" }],
        },
      ],
    },
    {
      name: "a Drizzle column object, with the replacement spelt as the table's key",
      code: `${drizzleTable}export const c = users.fullName;`,
      settings: contracted,
      errors: [
        {
          messageId: "droppedColumn",
          line: 5,
          column: 24,
          endLine: 5,
          endColumn: 32,
          suggestions: [{ messageId: "useReplacement", output: `${drizzleTable}export const c = users.displayName;` }],
        },
      ],
    },
    {
      name: "assigning a dropped column on a row object is a reference too",
      code: 'declare const order: any;\norder.legacy_status = "paid";',
      errors: [{ messageId: "droppedColumn", line: 2, column: 7, endLine: 2, endColumn: 20 }],
    },
    {
      name: "an injection-shaped column name, escaped in a JS string: reported on the identifier, printed quoted",
      code: 'declare const pool: any;\npool.query("SELECT \\"legacy\\"\\"; DROP TABLE users; --\\" FROM app.\\"Users\\"");',
      settings: quoted,
      errors: [
        {
          messageId: "droppedColumn",
          data: { table: 'app."Users"', column: '"legacy""; DROP TABLE users; --"', migration: "scenarios/quoted/20261201000000_quoted_names.sql", to: "", byName: "" },
          line: 2,
          column: 20,
          endLine: 2,
          endColumn: 56,
        },
      ],
    },
  ],
});

// .sql files outside the migrations: reports, views, BI queries. ESLint's RuleTester runs in the repository root.
const sqlTester = new RuleTester({ plugins: { "migration-safety": plugin }, language: "migration-safety/sql" });
const sqlSettings = settings({ migrations: "fixtures/app/db/{migrations,backfill}/*.sql" });
const sqlQuoted = settings({ migrations: "fixtures/app/scenarios/quoted/*.sql" });

sqlTester.run("no-dropped-column-reference (SQL)", rule as never, {
  valid: [
    { code: "SELECT status, count(*) FROM orders GROUP BY status;", settings: sqlSettings },
    { code: "SELECT coalesce(display_name, full_name) AS name FROM users;", settings: sqlSettings },
    { code: "WITH audit_log AS (SELECT 1 AS action) SELECT action FROM audit_log;", settings: sqlSettings },
    { code: "SELECT x.legacy_status FROM (SELECT 1 AS legacy_status) x;", settings: sqlSettings },
  ],
  invalid: [
    {
      code: "SELECT o.legacy_status, count(*)\nFROM orders o\nGROUP BY o.legacy_status;",
      settings: sqlSettings,
      errors: [
        { messageId: "droppedColumn", line: 1, column: 10, endLine: 1, endColumn: 23 },
        { messageId: "droppedColumn", line: 3, column: 12, endLine: 3, endColumn: 25 },
      ],
    },
    {
      code: "CREATE OR REPLACE VIEW order_notes AS SELECT id, note FROM orders;",
      settings: sqlSettings,
      errors: [{ messageId: "renamedColumn", data: { table: "orders", column: "note", to: "customer_note", migration: "fixtures/app/db/migrations/20261105000000_rename_order_note.sql", byName: "" }, line: 1, column: 50, endLine: 1, endColumn: 54 }],
    },
    {
      code: "SELECT action, count(*) FROM public.audit_log GROUP BY action;",
      settings: sqlSettings,
      errors: [{ messageId: "droppedTable", line: 1, column: 30, endLine: 1, endColumn: 46 }],
    },
    {
      code: "SELECT legacy_status FROM orders JOIN users ON users.id = orders.user_id;",
      settings: sqlSettings,
      errors: [{ messageId: "droppedColumn", line: 1, column: 8, endLine: 1, endColumn: 21 }],
    },
    {
      code: 'SELECT u."legacy""; DROP TABLE users; --" FROM app."Users" u;',
      settings: sqlQuoted,
      errors: [{ messageId: "droppedColumn", data: { table: 'app."Users"', column: '"legacy""; DROP TABLE users; --"', migration: "fixtures/app/scenarios/quoted/20261201000000_quoted_names.sql", to: "", byName: "" }, line: 1, column: 10, endLine: 1, endColumn: 42 }],
    },
  ],
});
