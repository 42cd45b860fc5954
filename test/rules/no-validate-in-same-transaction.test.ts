import rule from "../../rules/no-validate-in-same-transaction.js";
import { runSqlRule } from "../helpers/sql-rule-tester.js";

const runner = { "migration-safety": { transactionPerFile: true } };
const addCheck = "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0) NOT VALID;";
const validateCheck = "ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;";

runSqlRule(rule, {
  valid: [
    validateCheck,
    {
      name: "NOT VALID, COMMIT, then VALIDATE in the next transaction",
      code: `BEGIN;\n${addCheck}\nCOMMIT;\nBEGIN;\n${validateCheck}\nCOMMIT;`,
    },
    {
      name: "each statement commits on its own when nothing wraps the file",
      code: `${addCheck}\n${validateCheck}`,
    },
    {
      name: "a COMMIT between them ends the runner's transaction too",
      code: `${addCheck}\nCOMMIT;\n${validateCheck}`,
      settings: runner,
    },
    {
      name: "the BEGIN comes after the ADD, which committed on its own",
      code: `${addCheck}\nBEGIN;\n${validateCheck}\nCOMMIT;`,
    },
    {
      name: "a table created earlier in the same migration",
      code: `CREATE TABLE orders (id bigint, total numeric);\nBEGIN;\n${addCheck}\n${validateCheck}\nCOMMIT;`,
    },
    {
      name: "another constraint, another table, a constraint added without NOT VALID",
      code: `BEGIN;\n${addCheck}\nALTER TABLE orders VALIDATE CONSTRAINT orders_other;\nALTER TABLE invoices VALIDATE CONSTRAINT orders_total_positive;\nCOMMIT;`,
    },
    {
      name: "ADD and VALIDATE in two DO blocks of a file that is not wrapped",
      code: "DO $$ BEGIN ALTER TABLE orders ADD CONSTRAINT c CHECK (total >= 0) NOT VALID; END $$;\nDO $$ BEGIN ALTER TABLE orders VALIDATE CONSTRAINT c; END $$;",
    },
    {
      name: "goose runs Up and Down separately",
      filename: "db/migrations/20240101_check.sql",
      code: `-- +goose Up\n${addCheck}\n-- +goose Down\n${validateCheck}`,
    },
    {
      name: "from PostgreSQL 19 a domain's VALIDATE takes SHARE UPDATE EXCLUSIVE, which blocks no reads or writes",
      code: "BEGIN;\nALTER DOMAIN positive_amount ADD CONSTRAINT positive CHECK (VALUE > 0) NOT VALID;\nALTER DOMAIN positive_amount VALIDATE CONSTRAINT positive;\nCOMMIT;",
      settings: { "migration-safety": { postgresVersion: 19 } },
    },
  ],
  invalid: [
    {
      name: "VALIDATE in the same explicit transaction as the NOT VALID add",
      code: `BEGIN;\n${addCheck}\n${validateCheck}\nCOMMIT;`,
      errors: [
        {
          messageId: "table",
          data: { constraint: "orders_total_positive", line: 2, lock: "ACCESS EXCLUSIVE", table: "orders", blocks: "blocks all reads and writes" },
          line: 3,
          column: 20,
          endLine: 3,
          endColumn: 61,
        },
      ],
    },
    {
      name: "a foreign key validated in the runner's transaction",
      code: "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (customer_id) REFERENCES app.customers NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT fk;",
      settings: runner,
      errors: [
        {
          messageId: "table",
          data: { constraint: "fk", line: 1, lock: "SHARE ROW EXCLUSIVE", table: "orders and app.customers", blocks: "blocks all writes to both tables" },
          line: 2,
          column: 20,
          endLine: 2,
          endColumn: 42,
        },
      ],
    },
    {
      name: "goose wraps each migration in a transaction by default",
      filename: "db/migrations/20240101_check.sql",
      code: `-- +goose Up\n${addCheck}\n${validateCheck}\n-- +goose Down\nALTER TABLE orders DROP CONSTRAINT orders_total_positive;`,
      errors: [{ messageId: "table", data: { constraint: "orders_total_positive", line: 2, lock: "ACCESS EXCLUSIVE", table: "orders", blocks: "blocks all reads and writes" }, line: 3 }],
    },
    {
      name: "Prisma sends the file as one multi-statement script",
      filename: "prisma/migrations/20240101000000_check/migration.sql",
      code: `${addCheck}\n${validateCheck}`,
      errors: [{ messageId: "table", line: 2 }],
    },
    {
      name: "both in one DO block, which runs as one transaction",
      code: "DO $$\nBEGIN\n  ALTER TABLE orders ADD CONSTRAINT c CHECK (total >= 0) NOT VALID;\n  ALTER TABLE orders VALIDATE CONSTRAINT c;\nEND $$;",
      errors: [{ messageId: "table", data: { constraint: "c", line: 3, lock: "ACCESS EXCLUSIVE", table: "orders", blocks: "blocks all reads and writes" }, line: 4, column: 22, endLine: 4, endColumn: 43 }],
    },
    {
      name: "a DO block inside an explicit transaction sees the ADD before it",
      code: `BEGIN;\n${addCheck}\nDO $$ BEGIN ${validateCheck} END $$;\nCOMMIT;`,
      errors: [
        {
          messageId: "table",
          data: { constraint: "orders_total_positive", line: 2, lock: "ACCESS EXCLUSIVE", table: "orders", blocks: "blocks all reads and writes" },
          line: 3,
          column: 32,
          endLine: 3,
          endColumn: 73,
        },
      ],
    },
    {
      name: "one action of a multi-action ALTER TABLE, after a multi-byte comment, quoted names",
      code: 'BEGIN;\n-- vérifier la contrainte\nALTER TABLE "Orders" ADD CONSTRAINT "Positive" CHECK (total >= 0) NOT VALID;\nALTER TABLE "Orders" VALIDATE CONSTRAINT other, VALIDATE CONSTRAINT "Positive";\nCOMMIT;',
      errors: [
        {
          messageId: "table",
          data: { constraint: '"Positive"', line: 3, lock: "ACCESS EXCLUSIVE", table: '"Orders"', blocks: "blocks all reads and writes" },
          line: 4,
          column: 49,
          endLine: 4,
          endColumn: 79,
        },
      ],
    },
    {
      name: "a NOT NULL constraint added NOT VALID (PostgreSQL 18) and validated at once",
      code: "BEGIN;\nALTER TABLE orders ADD CONSTRAINT orders_total_not_null NOT NULL total NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_not_null;\nCOMMIT;",
      errors: [
        {
          messageId: "table",
          data: { constraint: "orders_total_not_null", line: 2, lock: "ACCESS EXCLUSIVE", table: "orders", blocks: "blocks all reads and writes" },
          line: 3,
        },
      ],
    },
    {
      name: "a domain constraint validated in the transaction that added it (PostgreSQL 18 and older)",
      code: "BEGIN;\nALTER DOMAIN billing.positive_amount ADD CONSTRAINT positive CHECK (VALUE > 0) NOT VALID;\nALTER DOMAIN billing.positive_amount VALIDATE CONSTRAINT positive;\nCOMMIT;",
      settings: { "migration-safety": { postgresVersion: 18 } },
      errors: [
        {
          messageId: "domain",
          data: { constraint: "positive", domain: "billing.positive_amount", line: 2 },
          line: 3,
          column: 1,
          endLine: 3,
          endColumn: 66,
        },
      ],
    },
  ],
});
