import rule from "../../rules/no-statement-after-exclusive-lock.js";
import { runSqlRule } from "../helpers/sql-rule-tester.js";

const attach =
  "BEGIN;\nCREATE TABLE events_2025 (LIKE events);\nALTER TABLE events ATTACH PARTITION events_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');\nUPDATE partition_registry SET attached = true WHERE name = 'events_2025';\nCOMMIT;";

runSqlRule(rule, {
  valid: [
    {
      name: "statements outside a transaction each release their locks at once",
      code: "ALTER TABLE users ADD COLUMN nickname text;\nALTER TABLE accounts ADD COLUMN plan text;",
    },
    {
      name: "session settings, a settings SELECT, SHOW, COMMENT ON the locked table and COMMIT cost nothing under the lock",
      code: "BEGIN;\nALTER TABLE users ADD COLUMN nickname text;\nSET LOCAL statement_timeout = '5s';\nRESET lock_timeout;\nSELECT set_config('app.migrating', 'on', true);\nSHOW lock_timeout;\nCOMMENT ON COLUMN users.nickname IS 'shown in the header';\nCOMMENT ON TABLE public.users IS 'people';\nSAVEPOINT s;\nCOMMIT;",
    },
    {
      name: "everything on a table created in this migration",
      code: "BEGIN;\nCREATE TABLE profiles (id bigint PRIMARY KEY, user_id bigint);\nALTER TABLE profiles ADD COLUMN bio text;\nCREATE INDEX profiles_user_id_idx ON profiles (user_id);\nINSERT INTO profiles (id, user_id) VALUES (1, 1);\nCOMMIT;",
    },
    {
      name: "a materialized view created earlier in the same migration, refreshed and indexed",
      code: "BEGIN;\nCREATE MATERIALIZED VIEW daily_totals AS SELECT 1 AS total;\nREFRESH MATERIALIZED VIEW daily_totals;\nCREATE UNIQUE INDEX daily_totals_total_idx ON daily_totals (total);\nCOMMIT;",
    },
    {
      name: "locks weaker than ACCESS EXCLUSIVE: VALIDATE, a foreign key, a plain index build",
      code: "BEGIN;\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;\nALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers NOT VALID;\nCREATE INDEX orders_customer_id_idx ON orders (customer_id);\nUPDATE orders SET note = '' WHERE id = 1;\nCOMMIT;",
    },
    {
      name: "a COMMIT releases the lock",
      code: "BEGIN;\nALTER TABLE users ADD COLUMN nickname text;\nCOMMIT;\nBEGIN;\nUPDATE accounts SET plan = 'free' WHERE id = 1;\nCOMMIT;",
    },
    {
      name: "goose runs Up and Down as separate transactions",
      filename: "db/migrations/20240101_nickname.sql",
      code: "-- +goose Up\nALTER TABLE users ADD COLUMN nickname text;\n-- +goose Down\nALTER TABLE users DROP COLUMN nickname;",
    },
    {
      name: "two DO blocks in a file that is not wrapped are two transactions",
      code: "DO $$ BEGIN ALTER TABLE users ADD COLUMN nickname text; END $$;\nDO $$ BEGIN UPDATE accounts SET plan = 'free' WHERE id = 1; END $$;",
    },
    {
      name: "CREATE INDEX CONCURRENTLY fails at once in a transaction (no-concurrently-in-transaction reports it)",
      code: "BEGIN;\nALTER TABLE users ADD COLUMN email_normalized text;\nCREATE INDEX CONCURRENTLY users_email_normalized_idx ON users (email_normalized);\nCOMMIT;",
    },
    {
      name: "ATTACH PARTITION takes only SHARE UPDATE EXCLUSIVE on the parent from PostgreSQL 12 (and the attached table is new)",
      code: attach,
    },
  ],
  invalid: [
    {
      name: "an UPDATE of another table after an ALTER TABLE, in an explicit transaction",
      code: "BEGIN;\nSET LOCAL lock_timeout = '2s';\nALTER TABLE users ADD COLUMN nickname text;\nUPDATE accounts SET plan = 'free' WHERE id = 1;\nCOMMIT;",
      errors: [
        {
          messageId: "heldLock",
          data: { table: "users", command: "ALTER TABLE", line: 3 },
          line: 4,
          column: 1,
          endLine: 4,
          endColumn: 47,
          suggestions: [],
        },
      ],
    },
    {
      name: "a second ALTER TABLE right after the first: merged into one, multi-action",
      code: "BEGIN;\nALTER TABLE users ADD COLUMN nickname text;\nALTER TABLE users ADD COLUMN avatar_url text, ALTER COLUMN nickname SET DEFAULT '';\nCOMMIT;",
      errors: [
        {
          messageId: "sameTable",
          data: { table: "users", command: "ALTER TABLE", line: 2 },
          line: 3,
          column: 1,
          endLine: 3,
          endColumn: 83,
          suggestions: [
            {
              messageId: "mergeAlterTable",
              data: { line: 2 },
              output: "BEGIN;\nALTER TABLE users ADD COLUMN nickname text, ADD COLUMN avatar_url text, ALTER COLUMN nickname SET DEFAULT '';\nCOMMIT;",
            },
          ],
        },
      ],
    },
    {
      name: "after a multi-byte comment, quoted and schema-qualified names; the comment between them blocks the merge",
      code: 'BEGIN;\nALTER TABLE app."Users" ADD COLUMN nickname text;\n-- écran de profil\nALTER TABLE app."Users" ADD COLUMN bio text;\nCOMMIT;',
      errors: [
        {
          messageId: "sameTable",
          data: { table: 'app."Users"', command: "ALTER TABLE", line: 2 },
          line: 4,
          column: 1,
          endLine: 4,
          endColumn: 44,
          suggestions: [],
        },
      ],
    },
    {
      name: "ALTER TABLE ONLY and ALTER TABLE are not merged (the ONLY would change meaning)",
      code: "BEGIN;\nALTER TABLE ONLY users ADD COLUMN nickname text;\nALTER TABLE users ADD COLUMN bio text;\nCOMMIT;",
      errors: [{ messageId: "sameTable", data: { table: "users", command: "ALTER TABLE", line: 2 }, line: 3, suggestions: [] }],
    },
    {
      name: "a second ALTER TABLE after a SET is still on the locked table, but not next to the first",
      code: "BEGIN;\nALTER TABLE users ADD COLUMN nickname text;\nSET LOCAL lock_timeout = '1s';\nALTER TABLE users ADD COLUMN bio text;\nCOMMIT;",
      errors: [{ messageId: "sameTable", data: { table: "users", command: "ALTER TABLE", line: 2 }, line: 4, suggestions: [] }],
    },
    {
      name: "LOCK TABLE first, then ALTER TABLE on it",
      code: "BEGIN;\nLOCK TABLE users IN ACCESS EXCLUSIVE MODE;\nALTER TABLE users ADD COLUMN nickname text;\nCOMMIT;",
      errors: [{ messageId: "sameTable", data: { table: "users", command: "LOCK TABLE", line: 2 }, line: 3, suggestions: [] }],
    },
    {
      name: "goose wraps the migration: a CREATE TABLE after the ALTER TABLE of an existing table",
      filename: "db/migrations/20240101_profiles.sql",
      code: "-- +goose Up\nALTER TABLE users ADD COLUMN profile_id bigint;\nCREATE TABLE profiles (id bigint PRIMARY KEY);\n-- +goose Down\nDROP TABLE profiles;",
      errors: [
        {
          messageId: "heldLock",
          data: { table: "users", command: "ALTER TABLE", line: 2 },
          line: 3,
          column: 1,
          endLine: 3,
          endColumn: 46,
          suggestions: [],
        },
      ],
    },
    {
      name: "TRUNCATE of two tables, then a statement in a DO block of the same transaction",
      code: "BEGIN;\nTRUNCATE sessions, login_attempts;\nDO $$ BEGIN PERFORM pg_notify('cleanup', 'done'); UPDATE settings SET value = 'x' WHERE key = 'y'; END $$;\nCOMMIT;",
      errors: [
        {
          messageId: "heldLock",
          data: { table: "sessions, login_attempts", command: "TRUNCATE", line: 2 },
          line: 3,
          column: 51,
          endLine: 3,
          endColumn: 98,
          suggestions: [],
        },
      ],
    },
    {
      name: "inside one DO block",
      code: "DO $$\nBEGIN\n  DROP TABLE legacy_sessions;\n  DELETE FROM audit_log WHERE id = 1;\nEND $$;",
      errors: [{ messageId: "heldLock", data: { table: "legacy_sessions", command: "DROP TABLE", line: 3 }, line: 4, column: 3, endLine: 4, endColumn: 37, suggestions: [] }],
    },
    {
      name: "the transactionPerFile setting wraps a plain file",
      code: "ALTER TABLE users RENAME COLUMN name TO full_name;\nCREATE INDEX users_full_name_idx ON users (full_name);",
      settings: { "migration-safety": { transactionPerFile: true } },
      errors: [{ messageId: "heldLock", data: { table: "users", command: "ALTER TABLE … RENAME", line: 1 }, line: 2, suggestions: [] }],
    },
    {
      name: "REFRESH MATERIALIZED VIEW of a view created in another migration",
      code: "BEGIN;\nREFRESH MATERIALIZED VIEW daily_totals;\nANALYZE daily_totals;\nCOMMIT;",
      errors: [{ messageId: "heldLock", data: { table: "daily_totals", command: "REFRESH MATERIALIZED VIEW", line: 2 }, line: 3, column: 1, endLine: 3, endColumn: 21, suggestions: [] }],
    },
    {
      name: "before PostgreSQL 12, ATTACH PARTITION locks the parent ACCESS EXCLUSIVE",
      code: attach,
      settings: { "migration-safety": { postgresVersion: 11 } },
      errors: [{ messageId: "heldLock", data: { table: "events", command: "ALTER TABLE", line: 3 }, line: 4, suggestions: [] }],
    },
  ],
});
