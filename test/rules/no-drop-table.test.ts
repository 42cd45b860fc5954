import rule from "../../rules/no-drop-table.js";
import { runSqlRule } from "../helpers/sql-rule-tester.js";

runSqlRule(rule, {
  valid: [
    {
      name: "a table created earlier in the same migration may be dropped",
      code: "CREATE TABLE tmp_import (id bigint, payload jsonb);\nDROP TABLE tmp_import;",
    },
    {
      name: "schema-qualified new table",
      code: "CREATE TABLE staging.tmp_import (id bigint);\nDROP TABLE IF EXISTS staging.tmp_import CASCADE;",
    },
    { name: "DROP SCHEMA without CASCADE fails unless the schema is empty", code: "DROP SCHEMA old_reports;" },
    { name: "DROP SCHEMA RESTRICT", code: "DROP SCHEMA IF EXISTS old_reports RESTRICT;" },
    {
      name: "a schema created earlier in the same migration may be dropped with CASCADE",
      code: "CREATE SCHEMA scratch;\nCREATE TABLE scratch.t (id int);\nDROP SCHEMA scratch CASCADE;",
    },
    { name: "dropping a view is not dropping a table", code: "DROP VIEW active_users;" },
    { name: "dropping an index", code: "DROP INDEX CONCURRENTLY idx_users_email;" },
    { name: "dropping a column is no-drop-column's business", code: "ALTER TABLE users DROP COLUMN full_name;" },
    { name: "TRUNCATE", code: "TRUNCATE audit_log;" },
  ],
  invalid: [
    {
      code: "DROP TABLE users;",
      errors: [{ messageId: "dropTable", data: { table: "users" }, line: 1, column: 12, endLine: 1, endColumn: 17 }],
    },
    {
      name: "each table of the list, with CASCADE and IF EXISTS",
      code: 'DROP TABLE IF EXISTS legacy_orders, app."Old Events" CASCADE;',
      errors: [
        { messageId: "dropTableCascade", data: { table: "legacy_orders" }, line: 1, column: 22, endLine: 1, endColumn: 35 },
        { messageId: "dropTableCascade", data: { table: 'app."Old Events"' }, line: 1, column: 37, endLine: 1, endColumn: 53 },
      ],
    },
    {
      name: "after a multi-byte comment",
      code: '-- table obsolète\nDROP TABLE "Ancién";',
      errors: [{ messageId: "dropTable", data: { table: '"Ancién"' }, line: 2, column: 12, endLine: 2, endColumn: 20 }],
    },
    {
      name: "only the tables that are not new in this migration",
      code: "CREATE TABLE tmp_import (id int);\nDROP TABLE tmp_import, legacy;",
      errors: [{ messageId: "dropTable", data: { table: "legacy" }, line: 2, column: 24, endLine: 2, endColumn: 30 }],
    },
    {
      name: "dropped before it is created here: the drop is of an existing table",
      code: "DROP TABLE IF EXISTS users;\nCREATE TABLE users (id bigint);",
      errors: [{ messageId: "dropTable", data: { table: "users" }, line: 1, column: 22, endLine: 1, endColumn: 27 }],
    },
    {
      name: "a different schema's table of the same name is not new",
      code: "CREATE TABLE staging.users (id int);\nDROP TABLE app.users;",
      errors: [{ messageId: "dropTable", data: { table: "app.users" }, line: 2, column: 12, endLine: 2, endColumn: 21 }],
    },
    {
      name: "DROP SCHEMA … CASCADE, each schema",
      code: 'DROP SCHEMA IF EXISTS archive, "Staging" CASCADE;',
      errors: [
        { messageId: "dropSchemaCascade", data: { schema: "archive" }, line: 1, column: 23, endLine: 1, endColumn: 30 },
        { messageId: "dropSchemaCascade", data: { schema: '"Staging"' }, line: 1, column: 32, endLine: 1, endColumn: 41 },
      ],
    },
    {
      code: "DROP DATABASE analytics;",
      errors: [{ messageId: "dropDatabase", data: { database: "analytics" }, line: 1, column: 1, endLine: 1, endColumn: 24 }],
    },
    {
      name: "DROP DATABASE … WITH (FORCE) (PostgreSQL 13+) is reported whatever the version",
      code: "DROP DATABASE IF EXISTS analytics WITH (FORCE);",
      settings: { "migration-safety": { postgresVersion: 13 } },
      errors: [{ messageId: "dropDatabase", data: { database: "analytics" } }],
    },
    {
      name: "inside a DO block",
      code: "DO $$\nBEGIN\n  DROP TABLE legacy_orders;\nEND\n$$;",
      errors: [{ messageId: "dropTable", data: { table: "legacy_orders" }, line: 3, column: 14, endLine: 3, endColumn: 27 }],
    },
  ],
});
