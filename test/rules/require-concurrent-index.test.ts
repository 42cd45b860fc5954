import rule from "../../rules/require-concurrent-index.js";
import { runSqlRule } from "../helpers/sql-rule-tester.js";

runSqlRule(rule, {
  valid: [
    "CREATE INDEX CONCURRENTLY idx_users_email ON users (email);",
    "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS idx_users_email ON users (email);",
    {
      name: "a table created earlier in the same migration may be indexed plainly",
      code: "CREATE TABLE accounts (id bigint PRIMARY KEY, email text);\nCREATE INDEX idx_accounts_email ON accounts (email);",
    },
    {
      name: "schema-qualified new table",
      code: "CREATE TABLE app.accounts (id bigint);\nCREATE INDEX ON app.accounts (id);",
    },
    "DROP INDEX CONCURRENTLY IF EXISTS idx_users_email;",
    {
      name: "dropping an index built on a new table in this migration",
      code: "CREATE TABLE t (a int);\nCREATE INDEX t_a ON t (a);\nDROP INDEX t_a;",
    },
    "REINDEX INDEX CONCURRENTLY idx_users_email;",
    "REINDEX (VERBOSE) TABLE CONCURRENTLY users;",
    {
      name: "boundary 11|12: CREATE and DROP INDEX CONCURRENTLY predate 11, so they are accepted there",
      code: "CREATE INDEX CONCURRENTLY idx_users_email ON users (email);\nDROP INDEX CONCURRENTLY idx_users_old;",
      settings: { "migration-safety": { postgresVersion: 11 } },
    },
  ],
  invalid: [
    {
      code: "CREATE INDEX idx_users_email ON users (email);",
      errors: [
        {
          messageId: "createIndex",
          data: { index: "idx_users_email", table: "users" },
          line: 1,
          column: 1,
          endLine: 1,
          endColumn: 46,
          suggestions: [{ messageId: "addConcurrently", output: "CREATE INDEX CONCURRENTLY idx_users_email ON users (email);" }],
        },
      ],
    },
    {
      name: "unique index, schema-qualified, after a multi-byte comment",
      code: "-- índice único\nCREATE UNIQUE INDEX \"Ídx\" ON app.\"Users\" (lower(email));",
      errors: [
        {
          messageId: "createIndex",
          data: { index: '"Ídx"', table: 'app."Users"' },
          line: 2,
          column: 1,
          endLine: 2,
          endColumn: 56,
          suggestions: [
            { messageId: "addConcurrently", output: "-- índice único\nCREATE UNIQUE INDEX CONCURRENTLY \"Ídx\" ON app.\"Users\" (lower(email));" },
          ],
        },
      ],
    },
    {
      name: "a table created in another migration is existing, even when this file creates a different one",
      code: "CREATE TABLE other (id int);\nCREATE INDEX ON users (id);",
      errors: [{ messageId: "createIndex", line: 2, column: 1, suggestions: [{ messageId: "addConcurrently", output: "CREATE TABLE other (id int);\nCREATE INDEX CONCURRENTLY ON users (id);" }] }],
    },
    {
      name: "index before the table is created does not count as new",
      code: "CREATE INDEX i ON t (a);\nCREATE TABLE IF NOT EXISTS t (a int);",
      errors: [{ messageId: "createIndex", line: 1, suggestions: [{ messageId: "addConcurrently", output: "CREATE INDEX CONCURRENTLY i ON t (a);\nCREATE TABLE IF NOT EXISTS t (a int);" }] }],
    },
    {
      code: "DROP INDEX idx_users_email;",
      errors: [
        {
          messageId: "dropIndex",
          data: { index: "idx_users_email" },
          line: 1,
          column: 1,
          endLine: 1,
          endColumn: 27,
          suggestions: [{ messageId: "addConcurrently", output: "DROP INDEX CONCURRENTLY idx_users_email;" }],
        },
      ],
    },
    {
      code: "REINDEX TABLE users;",
      errors: [
        {
          messageId: "reindex",
          data: { target: "users" },
          suggestions: [{ messageId: "addConcurrently", output: "REINDEX TABLE CONCURRENTLY users;" }],
        },
      ],
    },
    {
      name: "boundary 11|12: on 12 REINDEX CONCURRENTLY exists and is suggested",
      code: "REINDEX INDEX idx_users_email;",
      settings: { "migration-safety": { postgresVersion: 12 } },
      errors: [
        {
          messageId: "reindex",
          data: { target: "idx_users_email" },
          line: 1,
          column: 1,
          endLine: 1,
          endColumn: 30,
          suggestions: [{ messageId: "addConcurrently", output: "REINDEX INDEX CONCURRENTLY idx_users_email;" }],
        },
      ],
    },
    {
      name: "boundary 11|12: on 11 REINDEX TABLE gets no CONCURRENTLY suggestion either",
      code: "REINDEX TABLE users;",
      settings: { "migration-safety": { postgresVersion: 11 } },
      errors: [{ messageId: "reindexBefore12", data: { target: "users", version: 11 }, line: 1, column: 1, endLine: 1, endColumn: 20, suggestions: [] }],
    },
    {
      name: "before PostgreSQL 12 there is no REINDEX CONCURRENTLY to suggest",
      code: "REINDEX INDEX idx_users_email;",
      settings: { "migration-safety": { postgresVersion: 11 } },
      errors: [{ messageId: "reindexBefore12", data: { target: "idx_users_email", version: 11 }, suggestions: [] }],
    },
  ],
});
