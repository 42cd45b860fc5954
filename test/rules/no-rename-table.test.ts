import rule from "../../rules/no-rename-table.js";
import { runSqlRule } from "../helpers/sql-rule-tester.js";

const inTransaction = { "migration-safety": { transactionPerFile: true } };

runSqlRule(rule, {
  valid: [
    "ALTER TABLE users ADD COLUMN display_name text;",
    "CREATE TABLE customers (LIKE users INCLUDING ALL);",
    {
      name: "a table created earlier in the same migration may be renamed",
      code: "CREATE TABLE users_new (id bigint PRIMARY KEY);\nALTER TABLE users_new RENAME TO users_v2;",
    },
    {
      name: "a table created earlier in the same migration may be moved to another schema",
      code: "CREATE TABLE staging.import (id bigint);\nALTER TABLE staging.import SET SCHEMA app;",
    },
    {
      name: "a view created earlier in the same migration may be renamed",
      code: "CREATE VIEW active_users AS SELECT * FROM users WHERE active;\nALTER VIEW active_users RENAME TO current_users;",
    },
    {
      name: "a materialized view created earlier in the same migration may be moved",
      code: "CREATE MATERIALIZED VIEW daily_totals AS SELECT 1 AS n;\nALTER MATERIALIZED VIEW daily_totals SET SCHEMA reporting;",
    },
    { name: "renaming a column is no-rename-column's business", code: "ALTER TABLE users RENAME COLUMN full_name TO display_name;" },
    { name: "renaming a constraint", code: "ALTER TABLE users RENAME CONSTRAINT users_email_key TO users_email_unique;" },
    { name: "renaming an index", code: "ALTER INDEX idx_users_email RENAME TO users_email_idx;" },
    { name: "renaming a sequence", code: "ALTER SEQUENCE users_id_seq RENAME TO users_id_sequence;" },
    { name: "moving a function", code: "ALTER FUNCTION normalize(text) SET SCHEMA util;" },
    { name: "moving a table to the schema it is in", code: "ALTER TABLE app.users SET SCHEMA app;" },
    {
      name: "the safe form: a compatibility view created in the rename's transaction",
      code: "BEGIN;\nALTER TABLE users RENAME TO customers;\nCREATE VIEW users AS SELECT * FROM customers;\nCOMMIT;",
    },
    {
      name: "the safe form in a file the runner wraps in a transaction",
      code: "ALTER TABLE app.users RENAME TO customers;\nCREATE OR REPLACE VIEW app.users AS SELECT id, email FROM app.customers;",
      settings: inTransaction,
    },
    {
      name: "the safe form for a schema move",
      code: "BEGIN;\nALTER TABLE public.users SET SCHEMA app;\nCREATE VIEW public.users AS SELECT * FROM app.users;\nCOMMIT;",
    },
    {
      name: "the safe form inside one DO block",
      code: "DO $$\nBEGIN\n  ALTER TABLE users RENAME TO customers;\n  CREATE VIEW users AS SELECT * FROM customers;\nEND\n$$;",
    },
    {
      name: "creating a view in the same schema does not make a table new",
      code: "CREATE VIEW other AS SELECT 1;\nCREATE TABLE t (id int);\nALTER TABLE t RENAME TO t2;",
    },
  ],
  invalid: [
    {
      code: "ALTER TABLE users RENAME TO customers;",
      errors: [
        {
          messageId: "renameTable",
          data: { kind: "table", table: "users", newName: "customers" },
          line: 1,
          column: 1,
          endLine: 1,
          endColumn: 38,
          suggestions: [
            {
              messageId: "keepCompatibilityView",
              data: { table: "users", newTable: "customers" },
              output: "BEGIN;\nALTER TABLE users RENAME TO customers;\nCREATE VIEW users AS SELECT * FROM customers;\nCOMMIT;",
            },
          ],
        },
      ],
    },
    {
      name: "schema-qualified, quoted, after a multi-byte comment, in a runner transaction",
      code: "-- renommé pour l'équipe\nALTER TABLE app.\"Users\" RENAME TO \"Customers\";",
      settings: inTransaction,
      errors: [
        {
          messageId: "renameTable",
          data: { kind: "table", table: 'app."Users"', newName: '"Customers"' },
          line: 2,
          column: 1,
          endLine: 2,
          endColumn: 46,
          suggestions: [
            {
              messageId: "keepCompatibilityView",
              data: { table: 'app."Users"', newTable: 'app."Customers"' },
              output: "-- renommé pour l'équipe\nALTER TABLE app.\"Users\" RENAME TO \"Customers\";\nCREATE VIEW app.\"Users\" AS SELECT * FROM app.\"Customers\";",
            },
          ],
        },
      ],
    },
    {
      name: "a view, inside an explicit transaction",
      code: "BEGIN;\nALTER VIEW active_users RENAME TO current_users;\nCOMMIT;",
      errors: [
        {
          messageId: "renameTable",
          data: { kind: "view", table: "active_users", newName: "current_users" },
          line: 2,
          column: 1,
          endLine: 2,
          endColumn: 48,
          suggestions: [
            {
              messageId: "keepCompatibilityView",
              output: "BEGIN;\nALTER VIEW active_users RENAME TO current_users;\nCREATE VIEW active_users AS SELECT * FROM current_users;\nCOMMIT;",
            },
          ],
        },
      ],
    },
    {
      name: "a materialized view",
      code: "ALTER MATERIALIZED VIEW daily_totals RENAME TO daily_revenue;",
      settings: inTransaction,
      errors: [
        {
          messageId: "renameTable",
          data: { kind: "materialized view", table: "daily_totals", newName: "daily_revenue" },
          suggestions: [
            {
              messageId: "keepCompatibilityView",
              output: "ALTER MATERIALIZED VIEW daily_totals RENAME TO daily_revenue;\nCREATE VIEW daily_totals AS SELECT * FROM daily_revenue;",
            },
          ],
        },
      ],
    },
    {
      name: "IF EXISTS: no compatibility view to suggest (it would fail when the table is absent)",
      code: "ALTER TABLE IF EXISTS users RENAME TO customers;",
      errors: [{ messageId: "renameTable", data: { kind: "table", table: "users", newName: "customers" }, suggestions: [] }],
    },
    {
      name: "a rename inside a DO block is reported on its own text, without a suggestion",
      code: "DO $$\nBEGIN\n  ALTER TABLE users RENAME TO customers;\nEND\n$$;",
      errors: [{ messageId: "renameTable", line: 3, column: 3, endLine: 3, endColumn: 40, suggestions: [] }],
    },
    {
      name: "a different table created in this migration does not exempt the renamed one",
      code: "CREATE TABLE audit_log (id bigint);\nALTER TABLE users RENAME TO customers;",
      settings: inTransaction,
      errors: [
        {
          messageId: "renameTable",
          line: 2,
          suggestions: [
            {
              messageId: "keepCompatibilityView",
              output: "CREATE TABLE audit_log (id bigint);\nALTER TABLE users RENAME TO customers;\nCREATE VIEW users AS SELECT * FROM customers;",
            },
          ],
        },
      ],
    },
    {
      name: "renamed before being created here: the rename touches an existing table",
      code: "ALTER TABLE users RENAME TO users_old;\nCREATE TABLE users (id bigint);",
      settings: inTransaction,
      errors: [
        {
          messageId: "renameTable",
          line: 1,
          suggestions: [
            {
              messageId: "keepCompatibilityView",
              output: "ALTER TABLE users RENAME TO users_old;\nCREATE VIEW users AS SELECT * FROM users_old;\nCREATE TABLE users (id bigint);",
            },
          ],
        },
      ],
    },
    {
      name: "a compatibility view in a separate autocommit statement leaves a gap",
      code: "ALTER TABLE users RENAME TO customers;\nCREATE VIEW users AS SELECT * FROM customers;",
      errors: [{ messageId: "viewInLaterTransaction", data: { table: "users" }, line: 1, column: 1, endLine: 1, endColumn: 38 }],
    },
    {
      name: "a COMMIT between the rename and the compatibility view leaves a gap",
      code: "BEGIN;\nALTER TABLE users SET SCHEMA app;\nCOMMIT;\nCREATE VIEW users AS SELECT * FROM app.users;",
      errors: [{ messageId: "viewInLaterTransaction", data: { table: "users" }, line: 2, column: 1, endLine: 2, endColumn: 33 }],
    },
    {
      name: "a view under the old name over some other relation is no compatibility view",
      code: "BEGIN;\nALTER TABLE users RENAME TO customers;\nCREATE VIEW users AS SELECT * FROM accounts;\nCOMMIT;",
      errors: [
        {
          messageId: "renameTable",
          line: 2,
          suggestions: [
            {
              messageId: "keepCompatibilityView",
              output: "BEGIN;\nALTER TABLE users RENAME TO customers;\nCREATE VIEW users AS SELECT * FROM customers;\nCREATE VIEW users AS SELECT * FROM accounts;\nCOMMIT;",
            },
          ],
        },
      ],
    },
    {
      name: "a view over the new name under another name is no compatibility view",
      code: "ALTER TABLE users SET SCHEMA app;\nCREATE VIEW users_compat AS SELECT * FROM app.users;",
      settings: inTransaction,
      errors: [{ messageId: "setSchema", data: { kind: "table", table: "users", schema: "app" }, line: 1 }],
    },
    {
      code: "ALTER TABLE users SET SCHEMA archive;",
      errors: [
        {
          messageId: "setSchema",
          data: { kind: "table", table: "users", schema: "archive" },
          line: 1,
          column: 1,
          endLine: 1,
          endColumn: 37,
        },
      ],
    },
    {
      name: "moving a view, with a quoted target schema",
      code: "ALTER VIEW IF EXISTS public.report SET SCHEMA \"Reporting\";",
      errors: [{ messageId: "setSchema", data: { kind: "view", table: "public.report", schema: '"Reporting"' } }],
    },
    {
      name: "moving a foreign table",
      code: "ALTER FOREIGN TABLE remote_orders SET SCHEMA legacy;",
      errors: [{ messageId: "setSchema", data: { kind: "foreign table", table: "remote_orders", schema: "legacy" } }],
    },
    {
      name: "the target PostgreSQL version does not change the verdict",
      code: "ALTER TABLE users RENAME TO customers;",
      settings: { "migration-safety": { postgresVersion: 11, transactionPerFile: true } },
      errors: [
        {
          messageId: "renameTable",
          suggestions: [{ messageId: "keepCompatibilityView", output: "ALTER TABLE users RENAME TO customers;\nCREATE VIEW users AS SELECT * FROM customers;" }],
        },
      ],
    },
  ],
});
