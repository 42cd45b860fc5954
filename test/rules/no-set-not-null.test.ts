import rule from "../../rules/no-set-not-null.js";
import { runSqlRule } from "../helpers/sql-rule-tester.js";

const pg = (postgresVersion: number) => ({ "migration-safety": { postgresVersion } });

const sequence = (table: string, column: string, constraint: string) =>
  [
    `ALTER TABLE ${table} ADD CONSTRAINT ${constraint} CHECK (${column} IS NOT NULL) NOT VALID;`,
    "-- Validate after the ADD has committed (a later migration if the runner wraps files in a transaction):",
    "-- it scans the table under SHARE UPDATE EXCLUSIVE, so reads and writes continue.",
    `ALTER TABLE ${table} VALIDATE CONSTRAINT ${constraint};`,
    "-- With the CHECK validated, SET NOT NULL skips its table scan.",
    `ALTER TABLE ${table} ALTER COLUMN ${column} SET NOT NULL;`,
    `ALTER TABLE ${table} DROP CONSTRAINT ${constraint}`,
  ].join("\n");

const nearMisses = [
  "ALTER TABLE users ADD CHECK (name IS NOT NULL);",
  "ALTER TABLE accounts ADD CHECK (email IS NOT NULL);",
  "ALTER TABLE users ADD CHECK (email IS NOT NULL OR name IS NOT NULL);",
  "ALTER TABLE users VALIDATE CONSTRAINT email_present;",
  "ALTER TABLE users ADD CONSTRAINT not_enforced CHECK (email IS NOT NULL) NOT ENFORCED;",
].join("\n");

runSqlRule(rule, {
  valid: [
    {
      name: "a table created earlier in the same migration",
      code: "CREATE TABLE accounts (id bigint, email text);\nALTER TABLE accounts ALTER COLUMN email SET NOT NULL;",
    },
    {
      name: "the full safe sequence in one file",
      code: `${sequence("users", "email", "users_email_not_null")};`,
    },
    {
      name: "a CHECK added without NOT VALID already proves it (its own cost is require-not-valid-constraint's business)",
      code: "ALTER TABLE users ADD CHECK (email IS NOT NULL);\nALTER TABLE users ALTER COLUMN email SET NOT NULL;",
    },
    {
      name: "a table-qualified column in the CHECK",
      code: "ALTER TABLE users ADD CONSTRAINT nn CHECK (users.email IS NOT NULL) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT nn;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;",
    },
    {
      name: "VALIDATE of the conventional name added by an earlier migration",
      code: "ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;\nALTER TABLE users DROP CONSTRAINT users_email_not_null;",
    },
    {
      name: "PostgreSQL 18: NOT NULL … NOT VALID, then VALIDATE",
      code: "ALTER TABLE users ADD CONSTRAINT users_email_nn NOT NULL email NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT users_email_nn;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;",
      settings: pg(18),
    },
    "ALTER TABLE users ALTER COLUMN email DROP NOT NULL;",
    "ALTER TABLE users ADD COLUMN nickname text NOT NULL DEFAULT '';",
    // Version boundary 11|12 (docs/postgres-versions.md): PostgreSQL 12 lets SET NOT NULL use a validated CHECK.
    {
      name: "boundary 11|12: on 12 the recommended sequence CHECK NOT VALID → VALIDATE → SET NOT NULL → DROP CONSTRAINT passes",
      code: `${sequence("users", "email", "users_email_not_null")};`,
      settings: pg(12),
    },
  ],
  invalid: [
    {
      name: "boundary 17|18: before PostgreSQL 18 a NOT NULL constraint added by name proves nothing (the ADD fails there)",
      code: "ALTER TABLE users ADD CONSTRAINT users_email_nn NOT NULL email NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT users_email_nn;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;",
      settings: pg(17),
      errors: [{ messageId: "setNotNull", line: 3, suggestions: 1 }],
    },
    {
      code: "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
      errors: [
        {
          messageId: "setNotNull",
          data: { table: "users", column: "email" },
          line: 1,
          column: 19,
          endLine: 1,
          endColumn: 50,
          suggestions: [
            {
              messageId: "useCheckConstraint",
              data: { constraint: "users_email_not_null", column: "email" },
              output: `${sequence("users", "email", "users_email_not_null")};`,
            },
          ],
        },
      ],
    },
    {
      name: "after a multi-byte comment, with quoted and schema-qualified names",
      code: "-- rend l'e-mail obligatoire\nALTER TABLE app.\"Users\" ALTER \"E-mail\" SET NOT NULL;",
      errors: [
        {
          messageId: "setNotNull",
          data: { table: 'app."Users"', column: '"E-mail"' },
          line: 2,
          column: 25,
          endLine: 2,
          endColumn: 52,
          suggestions: [
            {
              messageId: "useCheckConstraint",
              output: `-- rend l'e-mail obligatoire\n${sequence('app."Users"', '"E-mail"', '"Users_E-mail_not_null"')};`,
            },
          ],
        },
      ],
    },
    {
      name: "two actions of one ALTER TABLE: each reported on its action, no rewrite offered",
      code: "ALTER TABLE users ALTER COLUMN email SET NOT NULL, ALTER COLUMN name SET NOT NULL;",
      errors: [
        { messageId: "setNotNull", data: { table: "users", column: "email" }, line: 1, column: 19, endLine: 1, endColumn: 50, suggestions: [] },
        { messageId: "setNotNull", data: { table: "users", column: "name" }, line: 1, column: 52, endLine: 1, endColumn: 82, suggestions: [] },
      ],
    },
    {
      name: "long names: the constraint name is cut to 63 bytes",
      code: `ALTER TABLE ${"t".repeat(40)} ALTER COLUMN ${"c".repeat(40)} SET NOT NULL;`,
      errors: [
        {
          messageId: "setNotNull",
          suggestions: [
            {
              messageId: "useCheckConstraint",
              data: { constraint: `${"t".repeat(27)}_${"c".repeat(26)}_not_null`, column: "c".repeat(40) },
              output: `${sequence("t".repeat(40), "c".repeat(40), `${"t".repeat(27)}_${"c".repeat(26)}_not_null`)};`,
            },
          ],
        },
      ],
    },
    {
      name: "multi-byte names are cut on a character boundary, by bytes",
      code: `ALTER TABLE "${"é".repeat(30)}" ALTER COLUMN c SET NOT NULL;`,
      errors: [
        {
          messageId: "setNotNull",
          suggestions: [
            {
              messageId: "useCheckConstraint",
              data: { constraint: `"${"é".repeat(26)}_c_not_null"`, column: "c" },
              output: `${sequence(`"${"é".repeat(30)}"`, "c", `"${"é".repeat(26)}_c_not_null"`)};`,
            },
          ],
        },
      ],
    },
    {
      // PostgreSQL 18 names the NOT NULL constraint of this column exactly so (test/sql/names.test.ts checks it):
      // the longer name loses a byte at a time, then each is cut back to a character boundary.
      name: "names of mixed-width characters are shortened as PostgreSQL shortens them",
      code: `ALTER TABLE "äa€a€aääaaaaäaaa😀a😀äaaaaaaa€" ALTER COLUMN "aa€aaaaaaa😀a€aäa😀" SET NOT NULL;`,
      errors: [
        {
          messageId: "setNotNull",
          suggestions: [
            {
              messageId: "useCheckConstraint",
              data: { constraint: `"äa€a€aääaaaaäaaa_aa€aaaaaaa😀a€aäa_not_null"`, column: `"aa€aaaaaaa😀a€aäa😀"` },
              output: `${sequence(`"äa€a€aääaaaaäaaa😀a😀äaaaaaaa€"`, `"aa€aaaaaaa😀a€aäa😀"`, `"äa€a€aääaaaaäaaa_aa€aaaaaaa😀a€aäa_not_null"`)};`,
            },
          ],
        },
      ],
    },
    {
      name: "before PostgreSQL 12 a validated CHECK does not help",
      code: "ALTER TABLE users ADD CHECK (email IS NOT NULL);\nALTER TABLE users ALTER COLUMN email SET NOT NULL;",
      settings: pg(11),
      errors: [
        {
          messageId: "setNotNullBefore12",
          data: { table: "users", column: "email", version: 11 },
          line: 2,
          column: 19,
          // The validated CHECK already enforces it: a rewrite adding another one would change nothing.
          suggestions: [],
        },
      ],
    },
    {
      name: "boundary 11|12: on 11 the same sequence is reported on its SET NOT NULL, which scans anyway; no rewrite, the CHECK exists",
      code: `${sequence("users", "email", "users_email_not_null")};`,
      settings: pg(11),
      errors: [
        {
          messageId: "setNotNullBefore12",
          data: { table: "users", column: "email", version: 11 },
          line: 6,
          column: 19,
          endLine: 6,
          endColumn: 50,
          // Its CHECK is already there: adding it again would fail, so no rewrite is offered.
          suggestions: [],
        },
      ],
    },
    {
      name: "a NOT VALID CHECK that was never validated proves nothing",
      code: "ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;",
      errors: [
        {
          messageId: "setNotNull",
          line: 2,
          column: 19,
          endColumn: 50,
          suggestions: [
            {
              messageId: "useCheckConstraint",
              output: `ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;\n${sequence("users", "email", "users_email_not_null")};`,
            },
          ],
        },
      ],
    },
    {
      name: "a validated CHECK that was dropped again",
      code: "ALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL);\nALTER TABLE users DROP CONSTRAINT c;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;",
      errors: [
        {
          messageId: "setNotNull",
          line: 3,
          suggestions: [
            {
              messageId: "useCheckConstraint",
              output: `ALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL);\nALTER TABLE users DROP CONSTRAINT c;\n${sequence("users", "email", "users_email_not_null")};`,
            },
          ],
        },
      ],
    },
    {
      name: "near misses: another column, another table, a broader expression, an unknown constraint name, NOT ENFORCED",
      code: `${nearMisses}\nALTER TABLE users ALTER COLUMN email SET NOT NULL;`,
      errors: [
        {
          messageId: "setNotNull",
          line: 6,
          data: { table: "users", column: "email" },
          suggestions: [{ messageId: "useCheckConstraint", output: `${nearMisses}\n${sequence("users", "email", "users_email_not_null")};` }],
        },
      ],
    },
    {
      name: "inside a DO block: reported, no rewrite",
      code: "DO $$\nBEGIN\n  ALTER TABLE users ALTER COLUMN email SET NOT NULL;\nEND $$;",
      errors: [{ messageId: "setNotNull", line: 3, column: 21, endLine: 3, endColumn: 52, suggestions: [] }],
    },
    {
      name: "ALTER TABLE ONLY: reported, no rewrite",
      code: "ALTER TABLE ONLY users ALTER COLUMN email SET NOT NULL;",
      errors: [{ messageId: "setNotNull", line: 1, column: 24, endColumn: 55, suggestions: [] }],
    },
  ],
});
