import rule from "../../rules/no-volatile-default.js";
import { runSqlRule } from "../helpers/sql-rule-tester.js";

const pg10 = { "migration-safety": { postgresVersion: 10 } };
const pg = (postgresVersion: number) => ({ "migration-safety": { postgresVersion } });

runSqlRule(rule, {
  valid: [
    "ALTER TABLE users ADD COLUMN nickname text;",
    { name: "now() is STABLE: evaluated once, stored as the missing value", code: "ALTER TABLE users ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();" },
    "ALTER TABLE users ADD COLUMN created_at timestamptz DEFAULT CURRENT_TIMESTAMP;",
    "ALTER TABLE users ADD COLUMN created_on date DEFAULT current_date;",
    "ALTER TABLE users ADD COLUMN status text NOT NULL DEFAULT 'active';",
    "ALTER TABLE users ADD COLUMN settings jsonb NOT NULL DEFAULT '{}'::jsonb;",
    "ALTER TABLE users ADD COLUMN tags text[] DEFAULT ARRAY[]::text[];",
    "ALTER TABLE users ADD COLUMN code text DEFAULT lower('ABC') || '-' || upper('x');",
    "ALTER TABLE users ADD COLUMN ttl interval DEFAULT make_interval(days => 30);",
    "ALTER TABLE users ADD COLUMN expires_at timestamptz DEFAULT now() + interval '30 days';",
    { name: "DEFAULT NULL is no default at all", code: "ALTER TABLE users ADD COLUMN token uuid DEFAULT NULL::uuid;" },
    { name: "uuid_generate_v5 is IMMUTABLE", code: "ALTER TABLE users ADD COLUMN ns uuid DEFAULT uuid_generate_v5(uuid_ns_url(), 'x');" },
    {
      name: "a table created earlier in the same migration has no rows to rewrite",
      code: "CREATE TABLE tokens (id bigint);\nALTER TABLE tokens ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid(), ADD COLUMN seq bigserial;",
    },
    { name: "SET DEFAULT only affects new rows", code: "ALTER TABLE users ALTER COLUMN token SET DEFAULT gen_random_uuid();" },
    { name: "virtual generated columns are computed on read", code: "ALTER TABLE orders ADD COLUMN total_cents bigint GENERATED ALWAYS AS (price * 100) VIRTUAL;" },
    { name: "a foreign table has no storage to rewrite", code: "ALTER FOREIGN TABLE remote_users ADD COLUMN token uuid DEFAULT gen_random_uuid();" },
    { name: "PostgreSQL 11 stores a constant default without a rewrite", code: "ALTER TABLE users ADD COLUMN flag boolean NOT NULL DEFAULT false;", settings: { "migration-safety": { postgresVersion: 11 } } },
    { name: "before 11, a NULL default still does not rewrite", code: "ALTER TABLE users ADD COLUMN note text DEFAULT NULL;", settings: pg10 },
    // Version boundaries (docs/postgres-versions.md).
    { name: "boundary 10|11: on 11 a constant default is stored as the missing value", code: "ALTER TABLE users ADD COLUMN flag boolean DEFAULT false;", settings: pg(11) },
    { name: "boundary 10|11: on 11 a STABLE default is evaluated once", code: "ALTER TABLE users ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();", settings: pg(11) },
    {
      name: "boundary 17|18: on 18 a virtual generated column is computed on read, nothing is rewritten",
      code: "ALTER TABLE orders ADD COLUMN total_cents bigint GENERATED ALWAYS AS (price * 100) VIRTUAL;",
      settings: pg(18),
    },
    {
      name: "boundary 17|18: on 18 a generated column without STORED or VIRTUAL is virtual (libpg-query 18 gives generated_kind v)",
      code: "ALTER TABLE orders ADD COLUMN total_cents bigint GENERATED ALWAYS AS (price * 100);",
      settings: pg(18),
    },
    {
      name: "boundary 17|18: on 17 VIRTUAL is a syntax error, so the statement fails and nothing is rewritten (not this rule's report)",
      code: "ALTER TABLE orders ADD COLUMN total_cents bigint GENERATED ALWAYS AS (price * 100) VIRTUAL NOT NULL;",
      settings: pg(17),
    },
  ],
  invalid: [
    {
      code: "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();",
      errors: [
        {
          messageId: "volatileDefault",
          data: { table: "users", column: "token", culprit: "gen_random_uuid()" },
          line: 1,
          column: 19,
          endLine: 1,
          endColumn: 66,
          suggestions: [
            {
              messageId: "splitDefault",
              data: { column: "token" },
              output: "ALTER TABLE users ADD COLUMN token uuid;\nALTER TABLE users ALTER COLUMN token SET DEFAULT gen_random_uuid();",
            },
          ],
        },
      ],
    },
    {
      name: "second action of a multi-action ALTER, after a multi-byte comment; NOT NULL means no split suggestion",
      code: "-- añadir columnas\nALTER TABLE app.\"Orders\" ADD COLUMN note text, ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid();",
      errors: [
        {
          messageId: "volatileDefault",
          data: { table: 'app."Orders"', column: "token", culprit: "gen_random_uuid()" },
          line: 2,
          column: 48,
          endLine: 2,
          endColumn: 104,
          suggestions: [],
        },
      ],
    },
    {
      name: "a volatile call nested in a cast and arithmetic",
      code: "ALTER TABLE users ADD COLUMN bucket int DEFAULT floor(random() * 100)::int;",
      errors: [
        {
          messageId: "volatileDefault",
          data: { table: "users", column: "bucket", culprit: "random()" },
          suggestions: [{ messageId: "splitDefault", output: "ALTER TABLE users ADD COLUMN bucket int;\nALTER TABLE users ALTER COLUMN bucket SET DEFAULT floor(random() * 100)::int;" }],
        },
      ],
    },
    {
      name: "uuid-ossp in an extensions schema, other clauses kept, IF EXISTS and ONLY carried over",
      code: "ALTER TABLE IF EXISTS ONLY users ADD COLUMN token uuid CONSTRAINT token_default DEFAULT extensions.uuid_generate_v4() UNIQUE;",
      errors: [
        {
          messageId: "volatileDefault",
          data: { table: "users", column: "token", culprit: "extensions.uuid_generate_v4()" },
          suggestions: [
            {
              messageId: "splitDefault",
              output:
                "ALTER TABLE IF EXISTS ONLY users ADD COLUMN token uuid UNIQUE;\nALTER TABLE IF EXISTS ONLY users ALTER COLUMN token SET DEFAULT extensions.uuid_generate_v4();",
            },
          ],
        },
      ],
    },
    {
      name: "clock_timestamp() is VOLATILE, unlike now()",
      code: "ALTER TABLE events ADD COLUMN seen_at timestamptz DEFAULT clock_timestamp() COLLATE \"C\";",
      errors: [{ messageId: "volatileDefault", data: { table: "events", column: "seen_at", culprit: "clock_timestamp()" }, suggestions: 1 }],
    },
    {
      name: "a user function cannot be proven non-volatile",
      code: "ALTER TABLE users ADD COLUMN code text DEFAULT app.next_code('U');",
      errors: [
        {
          messageId: "unprovenDefault",
          data: { table: "users", column: "code", culprit: "app.next_code()" },
          line: 1,
          column: 19,
          endLine: 1,
          endColumn: 66,
          suggestions: [{ messageId: "splitDefault", output: "ALTER TABLE users ADD COLUMN code text;\nALTER TABLE users ALTER COLUMN code SET DEFAULT app.next_code('U');" }],
        },
      ],
    },
    {
      name: "a volatile call beats an unknown one",
      code: "ALTER TABLE users ADD COLUMN code text DEFAULT my_hash(random()::text);",
      errors: [{ messageId: "volatileDefault", data: { table: "users", column: "code", culprit: "random()" }, suggestions: 1 }],
    },
    {
      code: "ALTER TABLE users ADD COLUMN seq bigserial;",
      errors: [
        {
          messageId: "serialColumn",
          data: { table: "users", column: "seq", type: "bigserial", baseType: "bigint" },
          line: 1,
          column: 19,
          endLine: 1,
          endColumn: 43,
        },
      ],
    },
    {
      code: "ALTER TABLE users ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY;",
      errors: [{ messageId: "identityColumn", data: { table: "users", column: "id" }, line: 1, column: 19, endLine: 1, endColumn: 68 }],
    },
    {
      code: "ALTER TABLE orders ADD COLUMN total_cents bigint GENERATED ALWAYS AS (price * 100) STORED;",
      errors: [{ messageId: "generatedColumn", data: { table: "orders", column: "total_cents" }, line: 1, column: 20, endLine: 1, endColumn: 90 }],
    },
    {
      name: "before PostgreSQL 11 even a constant default rewrites",
      code: "ALTER TABLE users ADD COLUMN flag boolean DEFAULT false;",
      settings: pg10,
      errors: [
        {
          messageId: "defaultBefore11",
          data: { table: "users", column: "flag", version: 10 },
          line: 1,
          column: 19,
          endLine: 1,
          endColumn: 56,
          suggestions: [{ messageId: "splitDefault", output: "ALTER TABLE users ADD COLUMN flag boolean;\nALTER TABLE users ALTER COLUMN flag SET DEFAULT false;" }],
        },
      ],
    },
    {
      name: "before PostgreSQL 11, now() rewrites too",
      code: "ALTER TABLE users ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();",
      settings: pg10,
      errors: [{ messageId: "defaultBefore11", data: { table: "users", column: "created_at", version: 10 }, suggestions: [] }],
    },
    {
      name: "boundary 10|11: on 10 the same constant default rewrites (NOT NULL: no split suggestion)",
      code: "ALTER TABLE users ADD COLUMN flag boolean NOT NULL DEFAULT false;",
      settings: pg(10),
      errors: [{ messageId: "defaultBefore11", data: { table: "users", column: "flag", version: 10 }, line: 1, column: 19, endLine: 1, endColumn: 65, suggestions: [] }],
    },
    {
      name: "boundary 17|18: a STORED generated column rewrites on 18 as on 12",
      code: "ALTER TABLE orders ADD COLUMN total_cents bigint GENERATED ALWAYS AS (price * 100) STORED;",
      settings: pg(18),
      errors: [{ messageId: "generatedColumn", data: { table: "orders", column: "total_cents" }, line: 1, column: 20, endLine: 1, endColumn: 90 }],
    },
    {
      name: "generated columns exist from 12 on; STORED rewrites there too",
      code: "ALTER TABLE orders ADD COLUMN total_cents bigint GENERATED ALWAYS AS (price * 100) STORED;",
      settings: pg(12),
      errors: [{ messageId: "generatedColumn", data: { table: "orders", column: "total_cents" } }],
    },
    {
      name: "boundary 17|18: on 18 a NOT NULL virtual column is computed for every row to check it, under ACCESS EXCLUSIVE",
      code: "-- colonne calculée\nALTER TABLE orders ADD COLUMN note text, ADD COLUMN total_cents bigint GENERATED ALWAYS AS (price * 100) VIRTUAL NOT NULL;",
      settings: pg(18),
      errors: [{ messageId: "virtualNotNull", data: { table: "orders", column: "total_cents" }, line: 2, column: 42, endLine: 2, endColumn: 122 }],
    },
    {
      name: "inside a DO block: reported, without a text rewrite of the escaped body",
      code: "DO $$ BEGIN ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid(); END $$;",
      errors: [{ messageId: "volatileDefault", data: { table: "users", column: "token", culprit: "gen_random_uuid()" }, suggestions: [] }],
    },
    {
      name: "a table created in this migration under another name does not exempt users",
      code: "CREATE TABLE other (id int);\nALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();",
      errors: [{ messageId: "volatileDefault", line: 2, suggestions: 1 }],
    },
  ],
});
