import rule from "../../rules/no-rename-column.js";
import { runSqlRule } from "../helpers/sql-rule-tester.js";

runSqlRule(rule, {
  valid: [
    { name: "the expand step: a new column next to the old one", code: "ALTER TABLE users ADD COLUMN display_name text;" },
    {
      name: "a column of a table created earlier in the same migration may be renamed",
      code: "CREATE TABLE accounts (id bigint, fullname text);\nALTER TABLE accounts RENAME COLUMN fullname TO full_name;",
    },
    {
      name: "a table created and then renamed in this migration is still new",
      code: "CREATE TABLE accounts_tmp (id bigint, fullname text);\nALTER TABLE accounts_tmp RENAME TO accounts;\nALTER TABLE accounts RENAME fullname TO full_name;",
    },
    { name: "renaming the table is no-rename-table's business", code: "ALTER TABLE users RENAME TO customers;" },
    { name: "renaming a constraint", code: "ALTER TABLE users RENAME CONSTRAINT users_email_key TO users_email_unique;" },
    { name: "renaming an attribute of a composite type", code: "ALTER TYPE address RENAME ATTRIBUTE line1 TO street;" },
    { name: "renaming an index", code: "ALTER INDEX idx_users_email RENAME TO users_email_idx;" },
  ],
  invalid: [
    {
      code: "ALTER TABLE users RENAME COLUMN full_name TO display_name;",
      errors: [
        {
          messageId: "renameColumn",
          data: { table: "users", column: "full_name", newName: "display_name" },
          line: 1,
          column: 1,
          endLine: 1,
          endColumn: 58,
        },
      ],
    },
    {
      name: "schema-qualified, quoted, without the COLUMN keyword, after a multi-byte comment",
      code: '-- nom affiché à l\'écran\nALTER TABLE IF EXISTS app."Users" RENAME "FullName" TO "DisplayName";',
      errors: [
        {
          messageId: "renameColumn",
          data: { table: 'app."Users"', column: '"FullName"', newName: '"DisplayName"' },
          line: 2,
          column: 1,
          endLine: 2,
          endColumn: 69,
        },
      ],
    },
    {
      name: "a column of a view",
      code: "ALTER VIEW active_users RENAME COLUMN full_name TO display_name;",
      errors: [{ messageId: "renameColumn", data: { table: "active_users", column: "full_name", newName: "display_name" } }],
    },
    {
      name: "a column of a materialized view",
      code: "ALTER MATERIALIZED VIEW daily_totals RENAME COLUMN n TO order_count;",
      errors: [{ messageId: "renameColumn", data: { table: "daily_totals", column: "n", newName: "order_count" } }],
    },
    {
      name: "a different table created in this migration does not exempt the altered one",
      code: "CREATE TABLE accounts (id bigint);\nALTER TABLE users RENAME COLUMN full_name TO display_name;",
      errors: [{ messageId: "renameColumn", line: 2, column: 1, endLine: 2, endColumn: 58 }],
    },
    {
      name: "renamed before the table is created here: the rename touches an existing table",
      code: "ALTER TABLE users RENAME COLUMN full_name TO display_name;\nCREATE TABLE IF NOT EXISTS users (id bigint);",
      errors: [{ messageId: "renameColumn", line: 1 }],
    },
    {
      name: "inside a DO block",
      code: "DO $$\nBEGIN\n  ALTER TABLE users RENAME COLUMN full_name TO display_name;\nEND\n$$;",
      errors: [{ messageId: "renameColumn", line: 3, column: 3, endLine: 3, endColumn: 60 }],
    },
    {
      name: "the target PostgreSQL version does not change the verdict",
      code: "ALTER TABLE users RENAME COLUMN full_name TO display_name;",
      settings: { "migration-safety": { postgresVersion: 11 } },
      errors: [{ messageId: "renameColumn", data: { table: "users", column: "full_name", newName: "display_name" } }],
    },
  ],
});
