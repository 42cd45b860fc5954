import { expect, it } from "vitest";
import rule from "../../rules/no-foreign-key-without-index.js";
import { describeOnDatabases } from "../helpers/databases.js";
import { lintSql } from "../helpers/lint.js";
import { runSqlRule } from "../helpers/sql-rule-tester.js";

const runner = { "migration-safety": { transactionPerFile: true } };

runSqlRule(rule, {
  valid: [
    {
      name: "the indexes of a table the migration neither creates nor indexes are unknown",
      code: "ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;",
    },
    {
      name: "an index created later in the same migration",
      code: "CREATE TABLE order_items (id bigint PRIMARY KEY, order_id bigint NOT NULL REFERENCES orders (id));\nCREATE INDEX order_items_order_id_idx ON order_items (order_id);",
    },
    {
      name: "the primary key leads with the referencing column",
      code: "CREATE TABLE profiles (user_id bigint PRIMARY KEY REFERENCES users (id), bio text);",
    },
    {
      name: "a composite key covered by a unique constraint whose leading columns are the same set",
      code: "CREATE TABLE shipment_lines (shipment_id bigint, line_no int, order_id bigint, UNIQUE (line_no, shipment_id, order_id), FOREIGN KEY (shipment_id, line_no) REFERENCES shipments (id, line_no));",
    },
    {
      name: "a partial index that only excludes NULLs still serves the lookups",
      code: "CREATE TABLE invoices (id bigint PRIMARY KEY, coupon_id bigint REFERENCES coupons);\nCREATE INDEX invoices_coupon_id_idx ON invoices (coupon_id) WHERE coupon_id IS NOT NULL;",
    },
    {
      name: "an existing table that this migration indexes on the foreign key's column",
      code: "CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_idx ON orders (customer_id);\nALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;",
    },
    {
      name: "a partition inherits the parent's indexes, LIKE may copy another table's: unknown",
      code: "CREATE TABLE events_2025 PARTITION OF events FOR VALUES IN (2025);\nALTER TABLE events_2025 ADD FOREIGN KEY (user_id) REFERENCES users;\nCREATE TABLE orders_copy (LIKE orders INCLUDING ALL, customer_id bigint REFERENCES customers);",
    },
    {
      name: "USING INDEX adopts an index of unknown columns",
      code: "ALTER TABLE orders ADD CONSTRAINT orders_ref_key UNIQUE USING INDEX orders_ref_idx;\nALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers;",
    },
    {
      name: "a NOT ENFORCED foreign key (PostgreSQL 18) checks nothing on the parent side",
      code: "CREATE TABLE audit (id bigint PRIMARY KEY, user_id bigint REFERENCES users NOT ENFORCED);",
    },
  ],
  invalid: [
    {
      name: "a column-level REFERENCES in CREATE TABLE",
      code: "CREATE TABLE order_items (id bigint PRIMARY KEY, order_id bigint NOT NULL REFERENCES orders (id), qty int);",
      errors: [
        {
          messageId: "missingIndex",
          data: { constraint: "(unnamed)", table: "order_items", columns: "(order_id)", referenced: "orders" },
          line: 1,
          column: 50,
          endLine: 1,
          endColumn: 97,
          suggestions: [
            {
              messageId: "createIndex",
              data: { index: "order_items_order_id_idx", table: "order_items", columns: "(order_id)" },
              output:
                "CREATE TABLE order_items (id bigint PRIMARY KEY, order_id bigint NOT NULL REFERENCES orders (id), qty int);\nCREATE INDEX order_items_order_id_idx ON order_items (order_id);",
            },
          ],
        },
      ],
    },
    {
      name: "a table-level composite key after a multi-byte comment; an index that does not lead with it, a partial one, an expression one",
      code: "-- lignes d'expédition\nCREATE TABLE app.\"Lines\" (shipment_id bigint, line_no int, CONSTRAINT lines_shipment_fkey FOREIGN KEY (shipment_id, line_no) REFERENCES app.shipments ON DELETE CASCADE);\nCREATE INDEX ON app.\"Lines\" (line_no, created_at, shipment_id);\nCREATE INDEX ON app.\"Lines\" (shipment_id, line_no) WHERE line_no > 0;\nCREATE INDEX ON app.\"Lines\" ((shipment_id + 0), line_no);",
      errors: [
        {
          messageId: "missingIndex",
          data: { constraint: "lines_shipment_fkey", table: 'app."Lines"', columns: "(shipment_id, line_no)", referenced: "app.shipments" },
          line: 2,
          column: 60,
          endLine: 2,
          endColumn: 168,
          suggestions: [
            {
              messageId: "createIndex",
              data: { index: '"Lines_shipment_id_line_no_idx"', table: 'app."Lines"', columns: "(shipment_id, line_no)" },
              output:
                "-- lignes d'expédition\nCREATE TABLE app.\"Lines\" (shipment_id bigint, line_no int, CONSTRAINT lines_shipment_fkey FOREIGN KEY (shipment_id, line_no) REFERENCES app.shipments ON DELETE CASCADE);\nCREATE INDEX \"Lines_shipment_id_line_no_idx\" ON app.\"Lines\" (shipment_id, line_no);\nCREATE INDEX ON app.\"Lines\" (line_no, created_at, shipment_id);\nCREATE INDEX ON app.\"Lines\" (shipment_id, line_no) WHERE line_no > 0;\nCREATE INDEX ON app.\"Lines\" ((shipment_id + 0), line_no);",
            },
          ],
        },
      ],
    },
    {
      name: "an existing table indexed in this migration, but not on the foreign key's column; outside a transaction, CONCURRENTLY",
      code: "CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);\nALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;",
      errors: [
        {
          messageId: "noShownIndex",
          data: { constraint: "orders_customer_id_fkey", table: "orders", columns: "(customer_id)", referenced: "customers" },
          line: 2,
          column: 20,
          endLine: 2,
          endColumn: 120,
          suggestions: [
            {
              messageId: "createIndex",
              data: { index: "orders_customer_id_idx", table: "orders", columns: "(customer_id)" },
              output:
                "CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);\nALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_idx ON orders (customer_id);",
            },
          ],
        },
      ],
    },
    {
      name: "an existing table in the runner's transaction: CONCURRENTLY cannot run there, so nothing is suggested",
      code: "ALTER TABLE orders ADD PRIMARY KEY (id);\nALTER TABLE orders ADD COLUMN customer_id bigint REFERENCES customers;",
      settings: runner,
      errors: [{ messageId: "noShownIndex", data: { constraint: "(unnamed)", table: "orders", columns: "(customer_id)", referenced: "customers" }, line: 2, suggestions: [] }],
    },
    {
      name: "ADD COLUMN … REFERENCES in a multi-action ALTER TABLE of a table created earlier",
      code: "CREATE TABLE payments (id bigint PRIMARY KEY);\nALTER TABLE payments ADD COLUMN note text, ADD COLUMN invoice_id bigint REFERENCES invoices ON DELETE SET NULL;",
      errors: [
        {
          messageId: "missingIndex",
          data: { constraint: "(unnamed)", table: "payments", columns: "(invoice_id)", referenced: "invoices" },
          line: 2,
          column: 44,
          endLine: 2,
          endColumn: 111,
          suggestions: [
            {
              messageId: "createIndex",
              data: { index: "payments_invoice_id_idx", table: "payments", columns: "(invoice_id)" },
              output:
                "CREATE TABLE payments (id bigint PRIMARY KEY);\nALTER TABLE payments ADD COLUMN note text, ADD COLUMN invoice_id bigint REFERENCES invoices ON DELETE SET NULL;\nCREATE INDEX payments_invoice_id_idx ON payments (invoice_id);",
            },
          ],
        },
      ],
    },
    {
      name: "the covering index is dropped later in the migration, or its column is",
      code: "CREATE TABLE a (id bigint PRIMARY KEY, b_id bigint REFERENCES b);\nCREATE INDEX a_b_id_idx ON a (b_id);\nDROP INDEX a_b_id_idx;\nCREATE TABLE c (id bigint, d_id bigint, UNIQUE (d_id, id));\nALTER TABLE c ADD FOREIGN KEY (d_id) REFERENCES d, DROP COLUMN id;",
      errors: [
        { messageId: "missingIndex", data: { constraint: "(unnamed)", table: "a", columns: "(b_id)", referenced: "b" }, line: 1, suggestions: [{ messageId: "createIndex", output: "CREATE TABLE a (id bigint PRIMARY KEY, b_id bigint REFERENCES b);\nCREATE INDEX a_b_id_idx ON a (b_id);\nCREATE INDEX a_b_id_idx ON a (b_id);\nDROP INDEX a_b_id_idx;\nCREATE TABLE c (id bigint, d_id bigint, UNIQUE (d_id, id));\nALTER TABLE c ADD FOREIGN KEY (d_id) REFERENCES d, DROP COLUMN id;" }] },
        { messageId: "missingIndex", data: { constraint: "(unnamed)", table: "c", columns: "(d_id)", referenced: "d" }, line: 5, suggestions: [{ messageId: "createIndex", output: "CREATE TABLE a (id bigint PRIMARY KEY, b_id bigint REFERENCES b);\nCREATE INDEX a_b_id_idx ON a (b_id);\nDROP INDEX a_b_id_idx;\nCREATE TABLE c (id bigint, d_id bigint, UNIQUE (d_id, id));\nALTER TABLE c ADD FOREIGN KEY (d_id) REFERENCES d, DROP COLUMN id;\nCREATE INDEX c_d_id_idx ON c (d_id);" }] },
      ],
    },
    {
      name: "the suggested name is shortened the way PostgreSQL shortens it, to 63 bytes",
      code: "CREATE TABLE subscription_plan_feature_assignments (id bigint PRIMARY KEY, subscription_plan_feature_definition_id bigint REFERENCES features);",
      errors: [
        {
          messageId: "missingIndex",
          suggestions: [
            {
              messageId: "createIndex",
              data: { index: "subscription_plan_feature_ass_subscription_plan_feature_def_idx", table: "subscription_plan_feature_assignments", columns: "(subscription_plan_feature_definition_id)" },
              output:
                "CREATE TABLE subscription_plan_feature_assignments (id bigint PRIMARY KEY, subscription_plan_feature_definition_id bigint REFERENCES features);\nCREATE INDEX subscription_plan_feature_ass_subscription_plan_feature_def_idx ON subscription_plan_feature_assignments (subscription_plan_feature_definition_id);",
            },
          ],
        },
      ],
    },
  ],
});

// ---------------------------------------------------------------------------------------------------------------
// With the migration history (test/schema/fixtures/foreign-keys): the indexes of tables earlier migrations created.

const FIXTURE = "test/schema/fixtures/foreign-keys/migrations";
const FILENAME = `${FIXTURE}/003_lint.sql`;
const history = (extra: Record<string, unknown> = {}) => ({ "migration-safety": { migrations: [`${FIXTURE}/*.sql`], ...extra } });
const historyCase = (name: string, code: string, extra: Record<string, unknown> = {}) => ({ name: `history: ${name}`, code, filename: FILENAME, settings: history(extra) });

runSqlRule(rule, {
  valid: [
    historyCase("an index of the history, renamed since, leads with the column", "ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers NOT VALID;"),
    historyCase("an index on a column renamed since", "ALTER TABLE orders ADD CONSTRAINT orders_region_fkey FOREIGN KEY (region) REFERENCES regions (code) NOT VALID;"),
    historyCase(
      "quoted, schema-qualified names: the history's index leads with the column",
      'ALTER TABLE app."Line Items" ADD CONSTRAINT "Line Items order" FOREIGN KEY ("Order Id") REFERENCES orders NOT VALID;',
    ),
    historyCase("a table the migrations never named: its indexes are unknown", "ALTER TABLE accounts ADD FOREIGN KEY (owner_id) REFERENCES customers NOT VALID;"),
    historyCase("a partition of a history table inherits indexes we cannot see", "ALTER TABLE events_2025 ADD FOREIGN KEY (id) REFERENCES customers NOT VALID;"),
    historyCase("an older table the history indexed on the column", "ALTER TABLE legacy ADD FOREIGN KEY (user_id) REFERENCES customers NOT VALID;"),
    historyCase("the history off: the indexes of shipments are unknown", "ALTER TABLE shipments ADD FOREIGN KEY (order_id) REFERENCES orders NOT VALID;", { history: false }),
    historyCase(
      "an index created in this migration, after the foreign key, on a history table",
      "ALTER TABLE shipments ADD FOREIGN KEY (order_id) REFERENCES orders NOT VALID;\nCREATE INDEX CONCURRENTLY shipments_order_idx ON shipments (order_id);",
    ),
  ],
  invalid: [
    {
      ...historyCase("the history's covering index was dropped by a later migration", "ALTER TABLE shipments ADD FOREIGN KEY (order_id) REFERENCES orders NOT VALID;"),
      errors: [
        {
          messageId: "missingIndex",
          data: { constraint: "(unnamed)", table: "shipments", columns: "(order_id)", referenced: "orders" },
          line: 1,
          column: 23,
          endLine: 1,
          endColumn: 77,
          suggestions: [
            {
              messageId: "createIndex",
              data: { index: "shipments_order_id_idx", table: "shipments", columns: "(order_id)" },
              output:
                "ALTER TABLE shipments ADD FOREIGN KEY (order_id) REFERENCES orders NOT VALID;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS shipments_order_id_idx ON shipments (order_id);",
            },
          ],
        },
      ],
    },
    {
      ...historyCase("a partial index whose predicate is not just IS NOT NULL serves only some lookups", "ALTER TABLE orders ADD FOREIGN KEY (coupon_id) REFERENCES coupons NOT VALID;"),
      errors: [
        {
          messageId: "missingIndex",
          data: { constraint: "(unnamed)", table: "orders", columns: "(coupon_id)", referenced: "coupons" },
          suggestions: [
            {
              messageId: "createIndex",
              output: "ALTER TABLE orders ADD FOREIGN KEY (coupon_id) REFERENCES coupons NOT VALID;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS orders_coupon_id_idx ON orders (coupon_id);",
            },
          ],
        },
      ],
    },
    {
      ...historyCase("quoted, schema-qualified names: a column that is not the leading one", 'ALTER TABLE app."Line Items" ADD FOREIGN KEY (sku) REFERENCES products (sku) NOT VALID;'),
      errors: [
        {
          messageId: "missingIndex",
          data: { constraint: "(unnamed)", table: 'app."Line Items"', columns: "(sku)", referenced: "products" },
          suggestions: [
            {
              messageId: "createIndex",
              data: { index: '"Line Items_sku_idx"', table: 'app."Line Items"', columns: "(sku)" },
              output:
                'ALTER TABLE app."Line Items" ADD FOREIGN KEY (sku) REFERENCES products (sku) NOT VALID;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS "Line Items_sku_idx" ON app."Line Items" (sku);',
            },
          ],
        },
      ],
    },
    {
      ...historyCase("an older table of which the history shows some indexes, none on the column", "ALTER TABLE legacy ADD FOREIGN KEY (account_id) REFERENCES customers NOT VALID;"),
      errors: [
        {
          messageId: "noShownIndex",
          data: { constraint: "(unnamed)", table: "legacy", columns: "(account_id)", referenced: "customers" },
          suggestions: [
            {
              messageId: "createIndex",
              output: "ALTER TABLE legacy ADD FOREIGN KEY (account_id) REFERENCES customers NOT VALID;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS legacy_account_id_idx ON legacy (account_id);",
            },
          ],
        },
      ],
    },
    {
      ...historyCase("the history's index is dropped in this migration", "DROP INDEX CONCURRENTLY orders_by_customer;\nALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers NOT VALID;"),
      errors: [
        {
          messageId: "missingIndex",
          line: 2,
          suggestions: [
            {
              messageId: "createIndex",
              output:
                "DROP INDEX CONCURRENTLY orders_by_customer;\nALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers NOT VALID;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_idx ON orders (customer_id);",
            },
          ],
        },
      ],
    },
  ],
});

describeOnDatabases("no-foreign-key-without-index: the suggestion on a history table runs on PostgreSQL", (db) => {
  it("creates the index PostgreSQL then finds covering the foreign key, with an injection-shaped table name", async () => {
    const code = 'ALTER TABLE "Orders; DROP TABLE x; --" ADD FOREIGN KEY ("Customer ""Id""") REFERENCES customers NOT VALID;';
    const [message] = lintSql(code, { rules: ["no-foreign-key-without-index"], filename: FILENAME, settings: history() });
    expect(message?.messageId).toBe("missingIndex");
    const suggestion = message!.suggestions![0]!.fix.text;
    expect(suggestion).toBe(';\nCREATE INDEX CONCURRENTLY IF NOT EXISTS "Orders; DROP TABLE x; --_Customer ""Id""_idx" ON "Orders; DROP TABLE x; --" ("Customer ""Id""")');
    await db().exec('CREATE TABLE customers (id bigint PRIMARY KEY); CREATE TABLE "Orders; DROP TABLE x; --" (id bigint PRIMARY KEY, "Customer ""Id""" bigint);');
    await db().exec(code);
    await db().exec(suggestion.replace(/^;\n/, "")); // CONCURRENTLY: a statement of its own
    const { rows } = await db().query<{ name: string; columns: string }>(
      "SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS columns FROM pg_index i WHERE i.indrelid = to_regclass($1)",
      ['"Orders; DROP TABLE x; --"'],
    );
    expect(rows.map((r) => r.name)).toContain('"Orders; DROP TABLE x; --_Customer ""Id""_idx"');
  });
});
