import rule from "../../rules/no-concurrently-in-transaction.js";
import { runSqlRule } from "../helpers/sql-rule-tester.js";

const runner = { "migration-safety": { transactionPerFile: true } };

runSqlRule(rule, {
  valid: [
    {
      name: "goose NO TRANSACTION",
      filename: "db/migrations/20240101_add_index.sql",
      code: "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY idx_users_email ON users (email);\n-- +goose Down\nDROP INDEX CONCURRENTLY idx_users_email;",
    },
    {
      name: "dbmate transaction:false with a single statement",
      filename: "db/migrations/20240101_add_index.sql",
      code: "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY idx_users_email ON users (email);\n\n-- migrate:down\nDROP INDEX idx_users_email;",
    },
    {
      name: "a Prisma migration holding only the concurrent build",
      filename: "prisma/migrations/20240101000000_idx/migration.sql",
      code: "-- CreateIndex\nCREATE INDEX CONCURRENTLY idx_users_nickname ON users (nickname);",
    },
    {
      name: "Flyway runs a migration with a concurrent build outside a transaction",
      filename: "db/migration/V7__add_index.sql",
      code: "CREATE INDEX CONCURRENTLY idx_users_email ON users (email);",
    },
    {
      name: "a COMMIT ends the runner's transaction first, and a BEGIN opens the next one for the runner to commit",
      code: "COMMIT;\nCREATE INDEX CONCURRENTLY idx_users_email ON users (email);\nBEGIN;",
      settings: runner,
    },
    "CREATE INDEX CONCURRENTLY idx_users_email ON users (email);",
    "DROP INDEX CONCURRENTLY IF EXISTS idx_users_email;",
    "REINDEX INDEX CONCURRENTLY idx_users_email;",
    "ALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY;",
    {
      name: "after the COMMIT of an explicit transaction",
      code: "BEGIN;\nALTER TABLE users ADD COLUMN email text;\nCOMMIT;\nCREATE INDEX CONCURRENTLY idx_users_email ON users (email);",
    },
    {
      name: "plain (non-concurrent) forms run fine inside a transaction",
      code: "BEGIN;\nCREATE INDEX idx_users_email ON users (email);\nDROP INDEX idx_old;\nREINDEX TABLE users;\nALTER TABLE events DETACH PARTITION events_2023;\nCOMMIT;",
    },
    {
      name: "DETACH … FINALIZE may run inside a transaction",
      code: "BEGIN;\nALTER TABLE events DETACH PARTITION events_2023 FINALIZE;\nCOMMIT;",
    },
    {
      name: "a runner transaction only when the setting says so",
      code: "CREATE INDEX CONCURRENTLY idx_users_email ON users (email);",
      settings: { "migration-safety": { transactionPerFile: false } },
    },
  ],
  invalid: [
    {
      name: "explicit BEGIN, message names its line",
      code: "BEGIN;\nCREATE INDEX CONCURRENTLY idx_users_email ON users (email);\nCOMMIT;",
      errors: [
        {
          messageId: "explicit",
          data: { command: "CREATE INDEX CONCURRENTLY", target: "index idx_users_email on users", line: 1 },
          line: 2,
          column: 1,
          endLine: 2,
          endColumn: 59,
        },
      ],
    },
    {
      name: "START TRANSACTION after a multi-byte comment",
      code: "-- réindexation\n\nSTART TRANSACTION;\nREINDEX TABLE CONCURRENTLY app.\"Users\";\nCOMMIT;",
      errors: [
        {
          messageId: "explicit",
          data: { command: "REINDEX CONCURRENTLY", target: 'table app."Users"', line: 3 },
          line: 4,
          column: 1,
          endLine: 4,
          endColumn: 39,
        },
      ],
    },
    {
      name: "the runner wraps the file",
      code: "DROP INDEX CONCURRENTLY idx_users_email;",
      settings: runner,
      errors: [
        {
          messageId: "runner",
          data: { command: "DROP INDEX CONCURRENTLY", target: "index idx_users_email", runner: "the migration runner (setting transactionPerFile)" },
          line: 1,
          column: 1,
          endLine: 1,
          endColumn: 40,
        },
      ],
    },
    {
      name: "an explicit BEGIN wins over the runner setting in the message",
      code: "BEGIN;\nCREATE INDEX CONCURRENTLY ON users (email);",
      settings: runner,
      errors: [{ messageId: "explicit", data: { command: "CREATE INDEX CONCURRENTLY", target: "unnamed index on users", line: 1 }, line: 2 }],
    },
    {
      name: "DETACH CONCURRENTLY (the grammar allows no other action beside it) is reported on the action",
      code: "BEGIN;\nALTER TABLE IF EXISTS events DETACH PARTITION events_2023 CONCURRENTLY;",
      errors: [
        {
          messageId: "explicit",
          data: { command: "ALTER TABLE ... DETACH CONCURRENTLY", target: "partition events_2023 of events", line: 1 },
          line: 2,
          column: 30,
          endLine: 2,
          endColumn: 71,
        },
      ],
    },
    {
      name: "inside a DO block",
      code: "DO $$\nBEGIN\n  EXECUTE 'CREATE INDEX CONCURRENTLY idx_users_email ON users (email)';\nEND $$;",
      errors: [
        {
          messageId: "doBlock",
          data: { command: "CREATE INDEX CONCURRENTLY", target: "index idx_users_email on users" },
          line: 3,
          column: 12,
          endLine: 3,
          endColumn: 70,
        },
      ],
    },
    {
      name: "every concurrent statement of the block is reported",
      code: "BEGIN;\nDROP INDEX CONCURRENTLY a;\nDROP INDEX CONCURRENTLY b;\nCOMMIT;",
      errors: [
        { messageId: "explicit", line: 2, data: { command: "DROP INDEX CONCURRENTLY", target: "index a", line: 1 } },
        { messageId: "explicit", line: 3, data: { command: "DROP INDEX CONCURRENTLY", target: "index b", line: 1 } },
      ],
    },
    {
      name: "goose wraps each migration in a transaction by default",
      filename: "db/migrations/20240101_add_index.sql",
      code: "-- +goose Up\nCREATE INDEX CONCURRENTLY idx_users_email ON users (email);\n\n-- +goose Down\nDROP INDEX CONCURRENTLY idx_users_email;",
      errors: [
        { messageId: "runner", data: { command: "CREATE INDEX CONCURRENTLY", target: "index idx_users_email on users", runner: "goose" }, line: 2 },
        { messageId: "runner", data: { command: "DROP INDEX CONCURRENTLY", target: "index idx_users_email", runner: "goose" }, line: 5 },
      ],
    },
    {
      name: "Prisma sends migration.sql as one script: an implicit transaction once it holds two statements",
      filename: "prisma/migrations/20240101000000_idx/migration.sql",
      code: "ALTER TABLE users ADD COLUMN nickname text;\nCREATE INDEX CONCURRENTLY idx_users_nickname ON users (nickname);",
      errors: [{ messageId: "script", data: { command: "CREATE INDEX CONCURRENTLY", target: "index idx_users_nickname on users", runner: "Prisma Migrate" }, line: 2 }],
    },
  ],
});
