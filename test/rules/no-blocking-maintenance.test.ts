import rule from "../../rules/no-blocking-maintenance.js";
import { runSqlRule } from "../helpers/sql-rule-tester.js";

runSqlRule(rule, {
  valid: [
    "VACUUM users;",
    "VACUUM (ANALYZE, VERBOSE) users;",
    "ANALYZE users;",
    {
      name: "FULL switched off explicitly",
      code: "VACUUM (FULL false, ANALYZE) users;",
    },
    {
      name: "tables created earlier in the migration may be rewritten",
      code: "CREATE TABLE staging (id bigint PRIMARY KEY, payload jsonb);\nVACUUM FULL staging;\nCLUSTER staging USING staging_pkey;",
    },
    "REFRESH MATERIALIZED VIEW CONCURRENTLY daily_totals;",
    {
      name: "a materialized view created in this migration is nobody's yet",
      code: "CREATE MATERIALIZED VIEW reports.daily_totals AS SELECT 1 AS day WITH NO DATA;\nREFRESH MATERIALIZED VIEW reports.daily_totals;",
    },
    {
      name: "lock modes that let reads and writes through",
      code: "BEGIN;\nLOCK TABLE users IN ACCESS SHARE MODE;\nLOCK TABLE orders IN ROW SHARE MODE;\nLOCK TABLE payments IN ROW EXCLUSIVE MODE;\nLOCK TABLE events IN SHARE UPDATE EXCLUSIVE MODE;\nCOMMIT;",
    },
    {
      name: "an explicit lock on a table created in this transaction",
      code: "BEGIN;\nCREATE TABLE imports (id bigint);\nLOCK TABLE imports;\nCOMMIT;",
    },
    "SELECT id FROM users WHERE id = 1 FOR UPDATE;",
    "CREATE INDEX CONCURRENTLY idx_users_email ON users (email);",
  ],
  invalid: [
    {
      code: "VACUUM FULL users;",
      errors: [{ messageId: "vacuumFull", data: { tables: "users" }, line: 1, column: 1, endLine: 1, endColumn: 18, suggestions: [] }],
    },
    {
      name: "option-list form, several tables, after a multi-byte comment",
      code: '-- compactación\nVACUUM (FULL, ANALYZE) app."Orders", users (email);',
      errors: [{ messageId: "vacuumFull", data: { tables: 'app."Orders" and users' }, line: 2, column: 1, endLine: 2, endColumn: 51 }],
    },
    {
      name: "only the tables in use are named",
      code: "CREATE TABLE staging (id bigint);\nVACUUM FULL staging, users;",
      errors: [{ messageId: "vacuumFull", data: { tables: "users" }, line: 2 }],
    },
    {
      code: "VACUUM FULL;",
      errors: [{ messageId: "vacuumFullAll", line: 1, column: 1, endLine: 1, endColumn: 12 }],
    },
    {
      code: "CLUSTER users USING users_pkey;",
      errors: [{ messageId: "cluster", data: { tables: "users" }, line: 1, column: 1, endLine: 1, endColumn: 31 }],
    },
    {
      code: "CLUSTER (VERBOSE) app.events;",
      errors: [{ messageId: "cluster", data: { tables: "app.events" } }],
    },
    {
      name: "CLUSTER of every previously clustered table",
      code: "CLUSTER;",
      errors: [{ messageId: "clusterAll", line: 1, column: 1, endLine: 1, endColumn: 8 }],
    },
    {
      code: "REFRESH MATERIALIZED VIEW daily_totals;",
      errors: [
        {
          messageId: "refresh",
          data: { view: "daily_totals" },
          line: 1,
          column: 1,
          endLine: 1,
          endColumn: 39,
          suggestions: [{ messageId: "refreshConcurrently", output: "REFRESH MATERIALIZED VIEW CONCURRENTLY daily_totals;" }],
        },
      ],
    },
    {
      name: "schema-qualified view with WITH DATA",
      code: "SELECT 1;\nrefresh materialized view reports.daily_totals with data;",
      errors: [
        {
          messageId: "refresh",
          data: { view: "reports.daily_totals" },
          line: 2,
          suggestions: [{ messageId: "refreshConcurrently", output: "SELECT 1;\nrefresh materialized view CONCURRENTLY reports.daily_totals with data;" }],
        },
      ],
    },
    {
      name: "a view created in the migration does not exempt a different one",
      code: "CREATE MATERIALIZED VIEW weekly_totals AS SELECT 1 AS week;\nREFRESH MATERIALIZED VIEW daily_totals;",
      errors: [
        {
          messageId: "refresh",
          line: 2,
          data: { view: "daily_totals" },
          suggestions: [
            {
              messageId: "refreshConcurrently",
              output: "CREATE MATERIALIZED VIEW weekly_totals AS SELECT 1 AS week;\nREFRESH MATERIALIZED VIEW CONCURRENTLY daily_totals;",
            },
          ],
        },
      ],
    },
    {
      name: "WITH NO DATA empties the view: no CONCURRENTLY to offer",
      code: "REFRESH MATERIALIZED VIEW daily_totals WITH NO DATA;",
      errors: [{ messageId: "refreshNoData", data: { view: "daily_totals" }, line: 1, column: 1, endLine: 1, endColumn: 52, suggestions: [] }],
    },
    {
      name: "inside a DO block: reported, without a suggestion",
      code: "DO $$\nBEGIN\n  REFRESH MATERIALIZED VIEW daily_totals;\nEND\n$$;",
      errors: [{ messageId: "refresh", line: 3, column: 3, endLine: 3, endColumn: 41, suggestions: [] }],
    },
    {
      name: "LOCK TABLE without a mode is ACCESS EXCLUSIVE",
      code: "BEGIN;\nLOCK TABLE users;\nCOMMIT;",
      errors: [
        {
          messageId: "lockTable",
          data: { lock: "an ACCESS EXCLUSIVE lock", tables: "users", blocked: "all reads and writes of users" },
          line: 2,
          column: 1,
          endLine: 2,
          endColumn: 17,
        },
      ],
    },
    {
      code: "BEGIN;\nLOCK TABLE users, ONLY orders IN SHARE MODE;\nCOMMIT;",
      errors: [{ messageId: "lockTable", data: { lock: "a SHARE lock", tables: "users and orders", blocked: "all writes to users and orders" } }],
    },
    {
      code: "BEGIN;\nLOCK users IN SHARE ROW EXCLUSIVE MODE NOWAIT;\nCOMMIT;",
      errors: [{ messageId: "lockTable", data: { lock: "a SHARE ROW EXCLUSIVE lock", tables: "users", blocked: "all writes to users" } }],
    },
    {
      name: "only the tables in use are named",
      code: "BEGIN;\nCREATE TABLE imports (id bigint);\nLOCK TABLE imports, users IN EXCLUSIVE MODE;\nCOMMIT;",
      errors: [{ messageId: "lockTable", line: 3, data: { lock: "an EXCLUSIVE lock", tables: "users", blocked: "all writes to users" } }],
    },
  ],
});
