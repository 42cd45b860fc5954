import rule from "../../rules/no-truncate.js";
import { runSqlRule } from "../helpers/sql-rule-tester.js";

runSqlRule(rule, {
  valid: [
    {
      name: "a table created earlier in the migration",
      code: "CREATE TABLE staging (id bigint);\nINSERT INTO staging SELECT id FROM users;\nTRUNCATE staging;",
    },
    {
      name: "CASCADE on a new table that only new tables reference",
      code: "CREATE TABLE orgs (id bigint PRIMARY KEY);\nCREATE TABLE teams (org_id bigint REFERENCES orgs (id));\nTRUNCATE TABLE orgs RESTART IDENTITY CASCADE;",
    },
    {
      name: "without CASCADE a new table stays exempt even when an existing one references it (PostgreSQL refuses)",
      code: "CREATE TABLE orgs (id bigint PRIMARY KEY);\nALTER TABLE users ADD COLUMN org_id bigint REFERENCES orgs (id);\nTRUNCATE orgs;",
    },
    "DELETE FROM sessions WHERE expires_at < now();",
    "DROP TABLE IF EXISTS sessions_backup;",
  ],
  invalid: [
    {
      code: "TRUNCATE sessions;",
      errors: [{ messageId: "truncate", data: { tables: "sessions" }, line: 1, column: 1, endLine: 1, endColumn: 18 }],
    },
    {
      name: "several tables, ONLY and RESTART IDENTITY, after a multi-byte comment",
      code: '-- limpiar sesiones caducadas\nTRUNCATE TABLE ONLY app."Sessions", audit_log RESTART IDENTITY;',
      errors: [{ messageId: "truncate", data: { tables: 'app."Sessions" and audit_log' }, line: 2, column: 1, endLine: 2, endColumn: 63 }],
    },
    {
      code: "TRUNCATE users CASCADE;",
      errors: [{ messageId: "truncateCascade", data: { tables: "users" }, line: 1, column: 1, endLine: 1, endColumn: 23 }],
    },
    {
      name: "only the tables in use are named",
      code: "CREATE TABLE staging (id bigint);\nTRUNCATE staging, sessions;",
      errors: [{ messageId: "truncate", data: { tables: "sessions" }, line: 2 }],
    },
    {
      name: "CASCADE from a new table reaches an existing table through a foreign key added in this migration",
      code: "CREATE TABLE orgs (id bigint PRIMARY KEY);\nALTER TABLE users ADD COLUMN org_id bigint REFERENCES orgs (id);\nTRUNCATE orgs CASCADE;",
      errors: [{ messageId: "truncateCascade", data: { tables: "orgs" }, line: 3, column: 1, endLine: 3, endColumn: 22 }],
    },
    {
      name: "a TRUNCATE before the CREATE TABLE is on the table in use",
      code: "TRUNCATE cache_entries;\nCREATE TABLE IF NOT EXISTS cache_entries (k text PRIMARY KEY);",
      errors: [{ messageId: "truncate", line: 1 }],
    },
    {
      name: "inside a DO block",
      code: "DO $$\nBEGIN\n  TRUNCATE sessions;\nEND\n$$;",
      errors: [{ messageId: "truncate", data: { tables: "sessions" }, line: 3, column: 3, endLine: 3, endColumn: 20 }],
    },
  ],
});
