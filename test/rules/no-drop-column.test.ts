import rule from "../../rules/no-drop-column.js";
import { runSqlRule } from "../helpers/sql-rule-tester.js";

runSqlRule(rule, {
  valid: [
    "ALTER TABLE users ADD COLUMN display_name text;",
    {
      name: "a column of a table created earlier in the same migration may be dropped",
      code: "CREATE TABLE accounts (id bigint PRIMARY KEY, legacy_code text);\nALTER TABLE accounts DROP COLUMN legacy_code;",
    },
    {
      name: "a table created and then renamed in this migration is still new",
      code: "CREATE TABLE accounts_tmp (id bigint, scratch text);\nALTER TABLE accounts_tmp RENAME TO accounts;\nALTER TABLE accounts DROP COLUMN scratch;",
    },
    { name: "dropping NOT NULL is not dropping the column", code: "ALTER TABLE users ALTER COLUMN full_name DROP NOT NULL;" },
    { name: "dropping a default", code: "ALTER TABLE users ALTER COLUMN created_at DROP DEFAULT;" },
    { name: "dropping a constraint", code: "ALTER TABLE users DROP CONSTRAINT users_email_key;" },
    { name: "dropping an attribute of a composite type", code: "ALTER TYPE address DROP ATTRIBUTE line3;" },
  ],
  invalid: [
    {
      code: "ALTER TABLE users DROP COLUMN full_name;",
      errors: [
        {
          messageId: "dropColumn",
          data: { table: "users", column: "full_name" },
          line: 1,
          column: 19,
          endLine: 1,
          endColumn: 40,
        },
      ],
    },
    {
      name: "the action of a multi-action ALTER TABLE",
      code: "ALTER TABLE users\n  ADD COLUMN display_name text,\n  DROP COLUMN full_name;",
      errors: [{ messageId: "dropColumn", data: { table: "users", column: "full_name" }, line: 3, column: 3, endLine: 3, endColumn: 24 }],
    },
    {
      name: "CASCADE, IF EXISTS, quoted names after a multi-byte comment",
      code: '-- supprimé après la bascule\nALTER TABLE app."Üsers" DROP COLUMN IF EXISTS "Légacy" CASCADE;',
      errors: [
        {
          messageId: "dropColumnCascade",
          data: { table: 'app."Üsers"', column: '"Légacy"' },
          line: 2,
          column: 25,
          endLine: 2,
          endColumn: 63,
        },
      ],
    },
    {
      name: "each dropped column is reported on its own action",
      code: "ALTER TABLE users DROP COLUMN a, DROP COLUMN b;",
      errors: [
        { messageId: "dropColumn", data: { table: "users", column: "a" }, line: 1, column: 19, endLine: 1, endColumn: 32 },
        { messageId: "dropColumn", data: { table: "users", column: "b" }, line: 1, column: 34, endLine: 1, endColumn: 47 },
      ],
    },
    {
      name: "the COLUMN keyword is optional",
      code: "ALTER TABLE ONLY users DROP full_name;",
      errors: [{ messageId: "dropColumn", data: { table: "users", column: "full_name" }, line: 1, column: 24, endLine: 1, endColumn: 38 }],
    },
    {
      name: "a foreign table",
      code: "ALTER FOREIGN TABLE remote_orders DROP COLUMN note;",
      errors: [{ messageId: "dropColumn", data: { table: "remote_orders", column: "note" } }],
    },
    {
      name: "a different table created in this migration does not exempt the altered one",
      code: "CREATE TABLE accounts (id bigint);\nALTER TABLE users DROP COLUMN full_name;",
      errors: [{ messageId: "dropColumn", line: 2, column: 19 }],
    },
    {
      name: "inside a DO block",
      code: "DO $$\nBEGIN\n  ALTER TABLE users DROP COLUMN full_name;\nEND\n$$;",
      errors: [{ messageId: "dropColumn", line: 3, column: 21, endLine: 3, endColumn: 42 }],
    },
    {
      name: "the target PostgreSQL version does not change the verdict",
      code: "ALTER TABLE users DROP COLUMN full_name;",
      settings: { "migration-safety": { postgresVersion: 11 } },
      errors: [{ messageId: "dropColumn", data: { table: "users", column: "full_name" } }],
    },
  ],
});
