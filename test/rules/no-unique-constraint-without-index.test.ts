import rule from "../../rules/no-unique-constraint-without-index.js";
import { runSqlRule } from "../helpers/sql-rule-tester.js";

runSqlRule(rule, {
  valid: [
    "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;",
    "ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_id_idx;",
    "CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);",
    {
      name: "a table created earlier in the same migration is empty and unused",
      code: "CREATE TABLE accounts (id bigint, email text);\nALTER TABLE accounts ADD CONSTRAINT accounts_email_key UNIQUE (email), ADD PRIMARY KEY (id);",
    },
    {
      name: "EXCLUDE constraints have no USING INDEX form and are left to another rule",
      code: "ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (room_id WITH =, during WITH &&);",
    },
    "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0) NOT VALID;",
    "ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;",
    "ALTER TABLE users ADD COLUMN handle text;",
  ],
  invalid: [
    {
      code: "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);",
      errors: [
        {
          messageId: "unique",
          data: { table: "users", columns: "email" },
          line: 1,
          column: 19,
          endLine: 1,
          endColumn: 64,
          suggestions: [
            {
              messageId: "useIndex",
              data: { index: "users_email_key" },
              output:
                "CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);\nALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;",
            },
          ],
        },
      ],
    },
    {
      name: "without a constraint name, the index is named as PostgreSQL would name it",
      code: "ALTER TABLE users ADD UNIQUE (tenant_id, email);",
      errors: [
        {
          messageId: "unique",
          data: { table: "users", columns: "tenant_id, email" },
          suggestions: [
            {
              messageId: "useIndex",
              data: { index: "users_tenant_id_email_key" },
              output:
                "CREATE UNIQUE INDEX CONCURRENTLY users_tenant_id_email_key ON users (tenant_id, email);\nALTER TABLE users ADD CONSTRAINT users_tenant_id_email_key UNIQUE USING INDEX users_tenant_id_email_key;",
            },
          ],
        },
      ],
    },
    {
      code: "ALTER TABLE events ADD PRIMARY KEY (id);",
      errors: [
        {
          messageId: "primaryKey",
          data: { table: "events", columns: "id" },
          line: 1,
          column: 20,
          endLine: 1,
          endColumn: 40,
          suggestions: [
            {
              messageId: "useIndex",
              data: { index: "events_pkey" },
              output: "CREATE UNIQUE INDEX CONCURRENTLY events_pkey ON events (id);\nALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_pkey;",
            },
          ],
        },
      ],
    },
    {
      name: "second action of a multi-action ALTER, after a multi-byte comment: no rewrite of a statement that does more",
      code: "-- índice único\nALTER TABLE app.\"Users\" ADD COLUMN x int, ADD CONSTRAINT \"Users_Email\" UNIQUE (\"Email\");",
      errors: [
        {
          messageId: "unique",
          data: { table: 'app."Users"', columns: '"Email"' },
          line: 2,
          column: 43,
          endLine: 2,
          endColumn: 88,
          suggestions: [],
        },
      ],
    },
    {
      name: "INCLUDE, NULLS NOT DISTINCT, DEFERRABLE, ONLY and a schema are carried over",
      code: "ALTER TABLE ONLY app.users ADD CONSTRAINT users_email_key UNIQUE NULLS NOT DISTINCT (email) INCLUDE (id) DEFERRABLE INITIALLY DEFERRED;",
      errors: [
        {
          messageId: "unique",
          data: { table: "app.users", columns: "email" },
          suggestions: [
            {
              messageId: "useIndex",
              data: { index: "users_email_key" },
              output:
                "CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON app.users (email) INCLUDE (id) NULLS NOT DISTINCT;\nALTER TABLE ONLY app.users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key DEFERRABLE INITIALLY DEFERRED;",
            },
          ],
        },
      ],
    },
    {
      name: "names that need quoting stay quoted",
      code: 'ALTER TABLE IF EXISTS "Order Items" ADD CONSTRAINT "Uniq ""Line""" UNIQUE ("Order", line);',
      errors: [
        {
          messageId: "unique",
          data: { table: '"Order Items"', columns: '"Order", line' },
          suggestions: [
            {
              messageId: "useIndex",
              data: { index: '"Uniq ""Line"""' },
              output:
                'CREATE UNIQUE INDEX CONCURRENTLY "Uniq ""Line""" ON "Order Items" ("Order", line);\nALTER TABLE IF EXISTS "Order Items" ADD CONSTRAINT "Uniq ""Line""" UNIQUE USING INDEX "Uniq ""Line""";',
            },
          ],
        },
      ],
    },
    {
      name: "a generated name is cut to 63 bytes the way PostgreSQL cuts it",
      code: "ALTER TABLE subscription_renewal_attempts ADD UNIQUE (subscription_identifier, attempt_sequence_number);",
      errors: [
        {
          messageId: "unique",
          data: { table: "subscription_renewal_attempts", columns: "subscription_identifier, attempt_sequence_number" },
          suggestions: [
            {
              messageId: "useIndex",
              data: { index: "subscription_renewal_attempts_subscription_identifier_attem_key" },
              output:
                "CREATE UNIQUE INDEX CONCURRENTLY subscription_renewal_attempts_subscription_identifier_attem_key ON subscription_renewal_attempts (subscription_identifier, attempt_sequence_number);\nALTER TABLE subscription_renewal_attempts ADD CONSTRAINT subscription_renewal_attempts_subscription_identifier_attem_key UNIQUE USING INDEX subscription_renewal_attempts_subscription_identifier_attem_key;",
            },
          ],
        },
      ],
    },
    {
      name: "the cut never splits a multi-byte character (62 bytes rather than a broken 63)",
      code: 'ALTER TABLE "réservations_de_salles_de_réunion_étendues" ADD UNIQUE ("numéro_de_réservation_unique");',
      errors: [
        {
          messageId: "unique",
          suggestions: [
            {
              messageId: "useIndex",
              data: { index: '"réservations_de_salles_de_r_numéro_de_réservation_uniqu_key"' },
              output:
                'CREATE UNIQUE INDEX CONCURRENTLY "réservations_de_salles_de_r_numéro_de_réservation_uniqu_key" ON "réservations_de_salles_de_réunion_étendues" ("numéro_de_réservation_unique");\nALTER TABLE "réservations_de_salles_de_réunion_étendues" ADD CONSTRAINT "réservations_de_salles_de_r_numéro_de_réservation_uniqu_key" UNIQUE USING INDEX "réservations_de_salles_de_r_numéro_de_réservation_uniqu_key";',
            },
          ],
        },
      ],
    },
    {
      name: "a primary key on a table whose name already uses all 63 bytes",
      code: "ALTER TABLE aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffffffffffggg ADD PRIMARY KEY (id);",
      errors: [
        {
          messageId: "primaryKey",
          suggestions: [
            {
              messageId: "useIndex",
              data: { index: "aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffffffff_pkey" },
              output:
                "CREATE UNIQUE INDEX CONCURRENTLY aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffffffff_pkey ON aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffffffffffggg (id);\nALTER TABLE aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffffffffffggg ADD CONSTRAINT aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffffffff_pkey PRIMARY KEY USING INDEX aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffffffff_pkey;",
            },
          ],
        },
      ],
    },
    {
      name: "storage parameters have no faithful rewrite here: reported without a suggestion",
      code: "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email) WITH (fillfactor = 70);",
      errors: [{ messageId: "unique", data: { table: "users", columns: "email" }, suggestions: [] }],
    },
    {
      name: "inside a DO block: reported, but CREATE INDEX CONCURRENTLY cannot run there, so no suggestion",
      code: "DO $$ BEGIN ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email); END $$;",
      errors: [{ messageId: "unique", data: { table: "users", columns: "email" }, suggestions: [] }],
    },
    {
      name: "ADD COLUMN … UNIQUE builds the index under the same lock",
      code: "ALTER TABLE users ADD COLUMN handle text UNIQUE;",
      errors: [{ messageId: "unique", data: { table: "users", columns: "handle" }, line: 1, column: 19, endLine: 1, endColumn: 48, suggestions: [] }],
    },
    {
      name: "ADD COLUMN … PRIMARY KEY",
      code: "ALTER TABLE legacy_events ADD COLUMN id bigserial PRIMARY KEY;",
      errors: [{ messageId: "primaryKey", data: { table: "legacy_events", columns: "id" }, line: 1, column: 27, endLine: 1, endColumn: 62, suggestions: [] }],
    },
  ],
});
