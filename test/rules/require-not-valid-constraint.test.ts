import rule from "../../rules/require-not-valid-constraint.js";
import { runSqlRule } from "../helpers/sql-rule-tester.js";

const runner = { "migration-safety": { transactionPerFile: true } };

runSqlRule(rule, {
  valid: [
    "ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;",
    "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0) NOT VALID;",
    "ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_fkey;",
    {
      name: "NOT VALID, COMMIT, then VALIDATE in the next transaction",
      code: "BEGIN;\nALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0) NOT VALID;\nCOMMIT;\nBEGIN;\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;\nCOMMIT;",
    },
    {
      name: "NOT VALID then VALIDATE in one file without a transaction (each statement commits on its own)",
      code: "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;",
    },
    {
      name: "a foreign key on a table created in this migration",
      code: "CREATE TABLE invoices (id bigint PRIMARY KEY, order_id bigint);\nALTER TABLE invoices ADD CONSTRAINT invoices_order_id_fkey FOREIGN KEY (order_id) REFERENCES orders (id);\nALTER TABLE invoices ADD CHECK (id > 0);",
    },
    {
      name: "ADD COLUMN … REFERENCES without a default: PostgreSQL skips validation (the new column is all NULL)",
      code: "ALTER TABLE orders ADD COLUMN coupon_id bigint REFERENCES coupons (id);",
    },
    "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0) NOT ENFORCED;",
    "ALTER TABLE orders ADD CONSTRAINT orders_ref_key UNIQUE USING INDEX orders_ref_idx;",
    "ALTER TABLE orders ADD COLUMN note text NOT NULL DEFAULT '';",
  ],
  invalid: [
    {
      code: "ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id);",
      errors: [
        {
          messageId: "foreignKey",
          data: { constraint: "orders_customer_id_fkey", table: "orders", referenced: "customers" },
          line: 1,
          column: 20,
          endLine: 1,
          endColumn: 110,
          suggestions: [
            {
              messageId: "addNotValid",
              output: "ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;",
            },
          ],
        },
      ],
    },
    {
      name: "unnamed CHECK after a multi-byte comment, schema-qualified and quoted",
      code: "-- contrôle du total\nALTER TABLE app.\"Orders\" ADD CHECK (total >= 0);",
      errors: [
        {
          messageId: "check",
          data: { constraint: "(unnamed)", table: 'app."Orders"' },
          line: 2,
          column: 26,
          endLine: 2,
          endColumn: 48,
          suggestions: [{ messageId: "addNotValid", output: "-- contrôle du total\nALTER TABLE app.\"Orders\" ADD CHECK (total >= 0) NOT VALID;" }],
        },
      ],
    },
    {
      name: "an unnamed FOREIGN KEY with actions, in a multi-action ALTER TABLE",
      code: "ALTER TABLE orders ADD COLUMN note text, ADD FOREIGN KEY (customer_id) REFERENCES customers ON DELETE CASCADE, ALTER COLUMN note SET DEFAULT '';",
      errors: [
        {
          messageId: "foreignKey",
          data: { constraint: "(unnamed)", table: "orders", referenced: "customers" },
          line: 1,
          column: 42,
          endLine: 1,
          endColumn: 110,
          suggestions: [
            {
              messageId: "addNotValid",
              output: "ALTER TABLE orders ADD COLUMN note text, ADD FOREIGN KEY (customer_id) REFERENCES customers ON DELETE CASCADE NOT VALID, ALTER COLUMN note SET DEFAULT '';",
            },
          ],
        },
      ],
    },
    {
      name: "NO INHERIT CHECK: NOT VALID goes after the attributes",
      code: "ALTER TABLE ONLY orders ADD CONSTRAINT c CHECK (total >= 0) NO INHERIT;",
      errors: [
        {
          messageId: "check",
          suggestions: [{ messageId: "addNotValid", output: "ALTER TABLE ONLY orders ADD CONSTRAINT c CHECK (total >= 0) NO INHERIT NOT VALID;" }],
        },
      ],
    },
    {
      name: "ADD COLUMN … REFERENCES with a DEFAULT is validated",
      code: "ALTER TABLE orders ADD COLUMN coupon_id bigint DEFAULT 0 REFERENCES coupons (id);",
      errors: [
        {
          messageId: "columnForeignKey",
          data: { column: "coupon_id", table: "orders", referenced: "coupons", reason: "the new column has a default" },
          line: 1,
          column: 20,
          endLine: 1,
          endColumn: 81,
          suggestions: [],
        },
      ],
    },
    {
      name: "ADD COLUMN … REFERENCES beside a table-level foreign key is validated too",
      code: "ALTER TABLE orders ADD COLUMN coupon_id bigint REFERENCES coupons, ADD CONSTRAINT fk FOREIGN KEY (customer_id) REFERENCES customers NOT VALID;",
      errors: [
        {
          messageId: "columnForeignKey",
          data: { column: "coupon_id", table: "orders", referenced: "coupons", reason: "the same statement adds another foreign key" },
          line: 1,
          column: 20,
          endLine: 1,
          endColumn: 66,
        },
      ],
    },
    {
      name: "ADD COLUMN … CHECK scans the table",
      code: "ALTER TABLE orders ADD COLUMN discount numeric CHECK (discount >= 0);",
      errors: [{ messageId: "columnCheck", data: { column: "discount", table: "orders" }, line: 1, column: 20, endLine: 1, endColumn: 69 }],
    },
    {
      name: "VALIDATE in the same explicit transaction as the NOT VALID add",
      code: "BEGIN;\nALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;\nCOMMIT;",
      errors: [
        {
          messageId: "validateSameTransaction",
          data: { constraint: "orders_total_positive", line: 2, lock: "ACCESS EXCLUSIVE", table: "orders", blocks: "blocks all reads and writes" },
          line: 3,
          column: 20,
          endLine: 3,
          endColumn: 61,
        },
      ],
    },
    {
      name: "VALIDATE of a foreign key in the runner's transaction",
      code: "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (customer_id) REFERENCES customers NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT fk;",
      settings: runner,
      errors: [
        {
          messageId: "validateSameTransaction",
          data: { constraint: "fk", line: 1, lock: "SHARE ROW EXCLUSIVE", table: "orders and customers", blocks: "blocks all writes to both tables" },
          line: 2,
        },
      ],
    },
  ],
});
