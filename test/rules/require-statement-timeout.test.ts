import rule from "../../rules/require-statement-timeout.js";
import { runSqlRule } from "../helpers/sql-rule-tester.js";

const pg = (postgresVersion: number) => ({ "migration-safety": { postgresVersion } });
const AE = { lock: "an ACCESS EXCLUSIVE lock", blocks: "blocks all reads and writes" };
const SUE = { lock: "a SHARE UPDATE EXCLUSIVE lock", blocks: "blocks other schema changes and VACUUM" };
const SHARE = { lock: "a SHARE lock", blocks: "blocks all writes" };
const ROWS = { lock: "row locks on the rows it changes", blocks: "blocks writes to those rows" };

const SEQUENCE = [
  "ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;",
  "SET statement_timeout = '1h';",
  "ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;",
  "RESET statement_timeout;",
  "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
].join("\n");

runSqlRule(rule, {
  valid: [
    "SET statement_timeout = '15min';\nALTER TABLE orders ALTER COLUMN total TYPE numeric(14, 2);",
    "SET statement_timeout TO 60000;\nCREATE INDEX CONCURRENTLY idx_orders_total ON orders (total);",
    {
      name: "SET LOCAL inside the transaction covers the statements after it",
      code: "BEGIN;\nSET LOCAL statement_timeout = '10min';\nALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;\nCOMMIT;",
    },
    { name: "set_config(…, false) sets it for the session", code: "SELECT set_config('statement_timeout', '5min', false);\nUPDATE orders SET total = 0;" },
    {
      name: "the runner sets statement_timeout",
      code: "ALTER TABLE orders ALTER COLUMN total TYPE bigint;\nCREATE INDEX idx_orders_total ON orders (total);",
      settings: { "migration-safety": { assumeStatementTimeout: true } },
    },
    {
      name: "catalog-only changes are quick, whatever the size of the table",
      code: [
        "ALTER TABLE orders ADD COLUMN note text;",
        "ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'new';",
        "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0) NOT VALID;",
        "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;",
        "ALTER TABLE orders ADD CONSTRAINT orders_code_key UNIQUE USING INDEX orders_code_idx;",
        "ALTER TABLE orders DROP COLUMN legacy, ALTER COLUMN note SET DEFAULT '', RENAME CONSTRAINT a TO b;",
        "ALTER TABLE orders ADD COLUMN user_id bigint REFERENCES users (id);",
        "DROP INDEX CONCURRENTLY idx_orders_old;",
        "ANALYZE orders;",
      ].join("\n"),
    },
    {
      name: "bounded batches are short",
      code: "UPDATE orders SET total = 0 WHERE id BETWEEN 1 AND 1000;\nDELETE FROM orders WHERE id = ANY ('{1,2,3}'::bigint[]);",
    },
    {
      name: "tables created earlier in the migration are empty",
      code: [
        "CREATE TABLE invoices (id bigint, total numeric);",
        "CREATE INDEX idx_invoices_total ON invoices (total);",
        "ALTER TABLE invoices ALTER COLUMN total TYPE numeric(14, 2), ADD CONSTRAINT invoices_total CHECK (total >= 0);",
        "UPDATE invoices SET total = 0;",
        "REINDEX TABLE invoices;",
        "VACUUM FULL invoices;",
      ].join("\n"),
    },
    {
      name: "a type change proven binary-coercible rewrites nothing (no-column-type-change knows the old type)",
      code: "CREATE TABLE IF NOT EXISTS x (id int);\nALTER TABLE orders ADD COLUMN code varchar(10);\nALTER TABLE orders ALTER COLUMN code TYPE varchar(20);",
    },
    { name: "boundary 10|11: on 11 a constant default is a catalog change", code: "ALTER TABLE orders ADD COLUMN flag boolean DEFAULT false;", settings: pg(11) },
    { name: "boundary 11|12: on 12 SET NOT NULL after a validated CHECK skips the scan", code: SEQUENCE, settings: pg(12) },
    { name: "statement_timeout = 0 set and then a real value", code: "SET statement_timeout = 0;\nSET statement_timeout = '5min';\nVACUUM FULL orders;" },
  ],
  invalid: [
    {
      code: "ALTER TABLE orders ALTER COLUMN total TYPE bigint;",
      errors: [
        {
          messageId: "missingStatementTimeout",
          data: { cause: "ALTER COLUMN total TYPE bigint", work: "rewrites orders and its indexes", ...AE },
          line: 1,
          column: 20,
          endLine: 1,
          endColumn: 50,
        },
      ],
    },
    {
      name: "after a multi-byte comment: an index build, quoted names",
      code: '-- índice\nCREATE INDEX CONCURRENTLY "Índice" ON app."Pedidos" (total);',
      errors: [
        {
          messageId: "missingStatementTimeout",
          data: { cause: 'CREATE INDEX CONCURRENTLY "Índice"', work: 'builds an index over all of app."Pedidos"', ...SUE },
          line: 2,
          column: 1,
          endLine: 2,
          endColumn: 60,
        },
      ],
    },
    {
      name: "multi-action ALTER TABLE: reported once, on the first action that runs long",
      code: "ALTER TABLE orders ADD COLUMN note text, ADD CONSTRAINT orders_total_positive CHECK (total > 0), ALTER COLUMN total TYPE bigint;",
      errors: [
        {
          messageId: "missingStatementTimeout",
          data: { cause: "ADD CONSTRAINT orders_total_positive CHECK without NOT VALID", work: "reads all of orders", ...AE },
          line: 1,
          column: 42,
          endLine: 1,
          endColumn: 96,
        },
      ],
    },
    {
      name: "validation scans, under a lock that lets reads and writes through",
      code: "ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;",
      errors: [{ messageId: "missingStatementTimeout", data: { cause: "VALIDATE CONSTRAINT orders_user_fk", work: "reads all of orders", ...SUE }, column: 20, endColumn: 54 }],
    },
    {
      name: "a foreign key checked against every row, and an index built for a UNIQUE constraint",
      code: "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);\nALTER TABLE orders ADD COLUMN code text UNIQUE;",
      errors: [
        {
          messageId: "missingStatementTimeout",
          data: { cause: "ADD CONSTRAINT orders_user_fk FOREIGN KEY without NOT VALID", work: "reads all of orders", lock: "a SHARE ROW EXCLUSIVE lock", blocks: "blocks all writes" },
          line: 1,
        },
        { messageId: "missingStatementTimeout", data: { cause: "ADD COLUMN code UNIQUE", work: "builds an index over all of orders", ...AE }, line: 2 },
      ],
    },
    {
      name: "rewrites found by no-volatile-default, and SET NOT NULL found by no-set-not-null",
      code: "ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();\nALTER TABLE orders ALTER COLUMN email SET NOT NULL;",
      errors: [
        { messageId: "missingStatementTimeout", data: { cause: "ADD COLUMN token", work: "rewrites orders and its indexes", ...AE }, line: 1, column: 20, endColumn: 67 },
        { messageId: "missingStatementTimeout", data: { cause: "ALTER COLUMN email SET NOT NULL", work: "reads all of orders", ...AE }, line: 2, column: 20, endColumn: 51 },
      ],
    },
    {
      name: "boundary 10|11: on 10 a constant default rewrites",
      code: "ALTER TABLE orders ADD COLUMN flag boolean DEFAULT false;",
      settings: pg(10),
      errors: [{ messageId: "missingStatementTimeout", data: { cause: "ADD COLUMN flag", work: "rewrites orders and its indexes", ...AE } }],
    },
    {
      name: "boundary 11|12: on 11 SET NOT NULL scans even after a validated CHECK",
      code: SEQUENCE,
      settings: pg(11),
      errors: [{ messageId: "missingStatementTimeout", data: { cause: "ALTER COLUMN email SET NOT NULL", work: "reads all of users", ...AE }, line: 5, column: 19, endColumn: 50 }],
    },
    {
      name: "boundary 17|18: on 18 a NOT NULL virtual generated column is computed for every row",
      code: "ALTER TABLE orders ADD COLUMN cents bigint GENERATED ALWAYS AS (total * 100) VIRTUAL NOT NULL;",
      settings: pg(18),
      errors: [{ messageId: "missingStatementTimeout", data: { cause: "ADD COLUMN cents", work: "reads all of orders", ...AE } }],
    },
    {
      name: "REINDEX of an index names its table as the index's",
      code: "REINDEX INDEX CONCURRENTLY idx_orders_total;\nREINDEX SCHEMA app;",
      errors: [
        { messageId: "missingStatementTimeout", data: { cause: "REINDEX INDEX CONCURRENTLY idx_orders_total", work: "rebuilds indexes of the table of index idx_orders_total", ...SUE }, line: 1 },
        { messageId: "missingStatementTimeout", data: { cause: "REINDEX SCHEMA app", work: "rebuilds indexes of every table of schema app", ...SHARE }, line: 2 },
      ],
    },
    {
      name: "maintenance: VACUUM FULL, CLUSTER, VACUUM, REFRESH",
      code: "VACUUM FULL orders;\nCLUSTER orders USING idx_orders_total;\nVACUUM (ANALYZE) orders;\nREFRESH MATERIALIZED VIEW CONCURRENTLY order_totals;",
      errors: [
        { messageId: "missingStatementTimeout", data: { cause: "VACUUM FULL", work: "rewrites orders and its indexes", ...AE }, line: 1 },
        { messageId: "missingStatementTimeout", data: { cause: "CLUSTER", work: "rewrites orders and its indexes", ...AE }, line: 2 },
        { messageId: "missingStatementTimeout", data: { cause: "VACUUM", work: "reads all of orders", ...SUE }, line: 3 },
        {
          messageId: "missingStatementTimeout",
          data: { cause: "REFRESH MATERIALIZED VIEW CONCURRENTLY", work: "recomputes all of order_totals", lock: "an EXCLUSIVE lock", blocks: "blocks all writes" },
          line: 4,
        },
      ],
    },
    {
      name: "ATTACH PARTITION scans the partition it attaches, under ACCESS EXCLUSIVE on it",
      code: "ALTER TABLE events ATTACH PARTITION events_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');",
      errors: [{ messageId: "missingStatementTimeout", data: { cause: "ATTACH PARTITION events_2026", work: "reads all of events_2026", ...AE } }],
    },
    {
      name: "unbounded UPDATE and DELETE (no-unbounded-update's judgement)",
      code: "UPDATE orders SET total = 0;\nDELETE FROM orders WHERE created_at < now() - interval '1 year';",
      errors: [
        { messageId: "missingStatementTimeout", data: { cause: "UPDATE without WHERE", work: "can change every row of orders", ...ROWS }, line: 1, column: 1, endColumn: 28 },
        { messageId: "missingStatementTimeout", data: { cause: "DELETE without a bounded WHERE", work: "can change every row of orders", ...ROWS }, line: 2 },
      ],
    },
    {
      name: "SET LOCAL ends with the transaction; RESET and 0 turn the timeout off",
      code: [
        "BEGIN;",
        "SET LOCAL statement_timeout = '5min';",
        "COMMIT;",
        "VACUUM FULL a;",
        "SET statement_timeout = '5min';",
        "RESET statement_timeout;",
        "VACUUM FULL b;",
        "SET statement_timeout = 0;",
        "VACUUM FULL c;",
      ].join("\n"),
      errors: [
        { messageId: "missingStatementTimeout", line: 4 },
        { messageId: "missingStatementTimeout", line: 7 },
        { messageId: "missingStatementTimeout", line: 9 },
      ],
    },
    {
      name: "SET LOCAL outside a transaction block has no effect",
      code: "SET LOCAL statement_timeout = '5min';\nCREATE INDEX idx_orders_total ON orders (total);",
      errors: [{ messageId: "missingStatementTimeout", line: 2, data: { cause: "CREATE INDEX idx_orders_total", work: "builds an index over all of orders", ...SHARE } }],
    },
    {
      name: "inside a DO block: the statements it runs are checked",
      code: "DO $$\nBEGIN\n  ALTER TABLE orders ALTER COLUMN total TYPE bigint;\nEND\n$$;",
      errors: [{ messageId: "missingStatementTimeout", line: 3, data: { cause: "ALTER COLUMN total TYPE bigint", work: "rewrites orders and its indexes", ...AE } }],
    },
  ],
});
