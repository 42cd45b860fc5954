import rule from "../../rules/require-not-valid-constraint.js";
import { runSqlRule } from "../helpers/sql-rule-tester.js";

runSqlRule(rule, {
  valid: [
    {
      name: "a default on another new column does not make PostgreSQL check the new foreign key (all NULL)",
      code: "ALTER TABLE orders ADD COLUMN priority int DEFAULT 0, ADD COLUMN coupon_id bigint REFERENCES coupons (id);",
    },
    {
      name: "a NOT VALID table-level foreign key beside a new REFERENCES column: neither scans",
      code: "ALTER TABLE orders ADD COLUMN coupon_id bigint REFERENCES coupons, ADD CONSTRAINT fk FOREIGN KEY (customer_id) REFERENCES customers NOT VALID;",
    },
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
    {
      name: "VALIDATE in the same transaction as the NOT VALID add is no-validate-in-same-transaction's finding, not this rule's",
      code: "BEGIN;\nALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;\nCOMMIT;",
    },
    "ALTER DOMAIN positive_amount ADD CONSTRAINT positive_amount_check CHECK (VALUE > 0) NOT VALID;",
    "ALTER DOMAIN positive_amount VALIDATE CONSTRAINT positive_amount_check;",
    {
      name: "a domain NOT NULL has no NOT VALID form, so it is not this rule's to report",
      code: "ALTER DOMAIN positive_amount ADD CONSTRAINT positive_amount_not_null NOT NULL;",
    },
    {
      name: "a CHECK on a domain created earlier in the same migration",
      code: "CREATE DOMAIN app.positive_amount AS numeric;\nALTER DOMAIN positive_amount ADD CHECK (VALUE > 0);",
    },
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
      name: "ADD COLUMN … CHECK scans the table",
      code: "ALTER TABLE orders ADD COLUMN discount numeric CHECK (discount >= 0);",
      errors: [{ messageId: "columnCheck", data: { column: "discount", table: "orders" }, line: 1, column: 20, endLine: 1, endColumn: 69 }],
    },
    {
      name: "a CHECK added to a domain checks every column of the domain",
      code: "ALTER DOMAIN positive_amount ADD CONSTRAINT positive_amount_check CHECK (VALUE > 0);",
      errors: [
        {
          messageId: "domainCheck",
          data: { constraint: "positive_amount_check", domain: "positive_amount" },
          line: 1,
          column: 1,
          endLine: 1,
          endColumn: 84,
          suggestions: [{ messageId: "addNotValid", output: "ALTER DOMAIN positive_amount ADD CONSTRAINT positive_amount_check CHECK (VALUE > 0) NOT VALID;" }],
        },
      ],
    },
    {
      name: "an unnamed CHECK on a schema-qualified, quoted domain after a multi-byte comment",
      code: "-- montant récurrent\nALTER DOMAIN billing.\"Amount\" ADD CHECK (VALUE <> 0)",
      errors: [
        {
          messageId: "domainCheck",
          data: { constraint: "(unnamed)", domain: 'billing."Amount"' },
          line: 2,
          column: 1,
          endLine: 2,
          endColumn: 53,
          suggestions: [{ messageId: "addNotValid", output: "-- montant récurrent\nALTER DOMAIN billing.\"Amount\" ADD CHECK (VALUE <> 0) NOT VALID" }],
        },
      ],
    },
    {
      name: "a domain created in another migration is existing, even when this file creates a different one",
      code: "CREATE DOMAIN other_domain AS int;\nALTER DOMAIN positive_amount ADD CHECK (VALUE > 0);",
      errors: [{ messageId: "domainCheck", line: 2, suggestions: [{ messageId: "addNotValid", output: "CREATE DOMAIN other_domain AS int;\nALTER DOMAIN positive_amount ADD CHECK (VALUE > 0) NOT VALID;" }] }],
    },
  ],
});
