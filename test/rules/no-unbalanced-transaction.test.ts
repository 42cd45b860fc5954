import rule from "../../rules/no-unbalanced-transaction.js";
import { runSqlRule } from "../helpers/sql-rule-tester.js";

const goose = "db/migrations/20240101_nickname.sql";

runSqlRule(rule, {
  valid: [
    "BEGIN;\nALTER TABLE users ADD COLUMN nickname text;\nCOMMIT;",
    "START TRANSACTION;\nSELECT 1;\nEND;\nBEGIN;\nSELECT 2;\nROLLBACK;",
    "ALTER TABLE users ADD COLUMN nickname text;",
    {
      name: "SAVEPOINT, RELEASE and ROLLBACK TO neither open nor end the transaction",
      code: "BEGIN;\nSAVEPOINT a;\nSELECT 1;\nROLLBACK TO SAVEPOINT a;\nRELEASE SAVEPOINT a;\nCOMMIT;",
    },
    {
      name: "COMMIT AND CHAIN continues in a new transaction that the final COMMIT ends",
      code: "BEGIN;\nSELECT 1;\nCOMMIT AND CHAIN;\nSELECT 2;\nCOMMIT;",
    },
    {
      name: "goose NO TRANSACTION: each section balances on its own",
      filename: goose,
      code: "-- +goose NO TRANSACTION\n-- +goose Up\nBEGIN;\nSELECT 1;\nCOMMIT;\n-- +goose Down\nBEGIN;\nSELECT 2;\nCOMMIT;",
    },
    {
      name: "a BEGIN … COMMIT in a Prisma script turns its implicit transaction into an explicit one",
      filename: "prisma/migrations/20240101000000_nickname/migration.sql",
      code: "BEGIN;\nALTER TABLE users ADD COLUMN nickname text;\nCOMMIT;",
    },
    {
      name: "a DO block's body is not transaction control",
      code: "DO $$ BEGIN PERFORM 1; END $$;",
    },
  ],
  invalid: [
    {
      name: "BEGIN never committed",
      code: "BEGIN;\nALTER TABLE users ADD COLUMN nickname text;",
      errors: [
        {
          messageId: "unclosed",
          data: { command: "BEGIN", scope: "file" },
          line: 1,
          column: 1,
          endLine: 1,
          endColumn: 6,
          suggestions: [{ messageId: "addCommit", data: { scope: "file" }, output: "BEGIN;\nALTER TABLE users ADD COLUMN nickname text;\nCOMMIT;" }],
        },
      ],
    },
    {
      name: "START TRANSACTION never committed, after a multi-byte comment, last statement without a semicolon",
      code: "-- étape 1\nSTART TRANSACTION ISOLATION LEVEL SERIALIZABLE;\nUPDATE users SET nickname = 'x' WHERE id = 1",
      errors: [
        {
          messageId: "unclosed",
          data: { command: "START TRANSACTION", scope: "file" },
          line: 2,
          column: 1,
          endLine: 2,
          endColumn: 47,
          suggestions: [
            { messageId: "addCommit", data: { scope: "file" }, output: "-- étape 1\nSTART TRANSACTION ISOLATION LEVEL SERIALIZABLE;\nUPDATE users SET nickname = 'x' WHERE id = 1;\nCOMMIT" },
          ],
        },
      ],
    },
    {
      name: "a nested BEGIN, whose COMMIT ends the outer transaction; the second COMMIT has nothing to end",
      code: "BEGIN;\nSELECT 1;\nBEGIN;\nSELECT 2;\nCOMMIT;\nSELECT 3;\nCOMMIT;",
      errors: [
        { messageId: "nestedBegin", data: { command: "BEGIN", line: 1 }, line: 3, column: 1, endLine: 3, endColumn: 6 },
        { messageId: "withoutBegin", data: { command: "COMMIT", scope: "file" }, line: 7, column: 1, endLine: 7, endColumn: 7 },
      ],
    },
    {
      name: "COMMIT and ROLLBACK without BEGIN",
      code: "ALTER TABLE users ADD COLUMN nickname text;\nCOMMIT;\nROLLBACK;",
      errors: [
        { messageId: "withoutBegin", data: { command: "COMMIT", scope: "file" }, line: 2 },
        { messageId: "withoutBegin", data: { command: "ROLLBACK", scope: "file" }, line: 3 },
      ],
    },
    {
      name: "goose wraps each section: an explicit BEGIN in it is a nested one",
      filename: goose,
      code: "-- +goose Up\nBEGIN;\nALTER TABLE users ADD COLUMN nickname text;\nCOMMIT;\n-- +goose Down\nALTER TABLE users DROP COLUMN nickname;",
      errors: [{ messageId: "beginInRunner", data: { runner: "goose", scope: "section", command: "BEGIN" }, line: 2, column: 1, endLine: 2, endColumn: 6 }],
    },
    {
      name: "goose sections balance separately: a BEGIN in Up is not closed by a COMMIT in Down",
      filename: goose,
      code: "-- +goose NO TRANSACTION\n-- +goose Up\nBEGIN;\nSELECT 1;\n-- +goose Down\nSELECT 2;\nCOMMIT;",
      errors: [
        {
          messageId: "unclosed",
          data: { command: "BEGIN", scope: "section" },
          line: 3,
          suggestions: [{ messageId: "addCommit", data: { scope: "section" }, output: "-- +goose NO TRANSACTION\n-- +goose Up\nBEGIN;\nSELECT 1;\nCOMMIT;\n-- +goose Down\nSELECT 2;\nCOMMIT;" }],
        },
        { messageId: "withoutBegin", data: { command: "COMMIT", scope: "section" }, line: 7 },
      ],
    },
    {
      name: "a ROLLBACK in the runner's transaction discards the migration so far",
      code: "ALTER TABLE users ADD COLUMN nickname text;\nROLLBACK;\nALTER TABLE users ADD COLUMN bio text;",
      settings: { "migration-safety": { transactionPerFile: true } },
      errors: [
        {
          messageId: "endsRunnerTransaction",
          data: { runner: "the migration runner (setting transactionPerFile)", scope: "file", command: "ROLLBACK", effect: "rolls back" },
          line: 2,
          column: 1,
          endLine: 2,
          endColumn: 9,
        },
      ],
    },
    {
      name: "COMMIT … BEGIN around a concurrent build: the COMMIT ends the runner's transaction early; the BEGIN is the runner's to commit",
      code: "COMMIT;\nCREATE INDEX CONCURRENTLY idx_users_email ON users (email);\nBEGIN;",
      settings: { "migration-safety": { transactionPerFile: true } },
      errors: [{ messageId: "endsRunnerTransaction", line: 1 }],
    },
    {
      name: "a COMMIT in the middle of a Prisma script splits it in two transactions",
      filename: "prisma/migrations/20240101000000_nickname/migration.sql",
      code: "ALTER TABLE users ADD COLUMN nickname text;\nCOMMIT;\nALTER TABLE users ADD COLUMN bio text;",
      errors: [{ messageId: "endsRunnerTransaction", data: { runner: "Prisma Migrate", scope: "file", command: "COMMIT", effect: "commits" }, line: 2 }],
    },
    {
      name: "COMMIT AND CHAIN leaves a new transaction open",
      code: "BEGIN;\nSELECT 1;\nCOMMIT AND CHAIN;\nSELECT 2;",
      errors: [
        {
          messageId: "unclosed",
          data: { command: "COMMIT AND CHAIN", scope: "file" },
          line: 3,
          suggestions: [{ messageId: "addCommit", data: { scope: "file" }, output: "BEGIN;\nSELECT 1;\nCOMMIT AND CHAIN;\nSELECT 2;\nCOMMIT;" }],
        },
      ],
    },
  ],
});
