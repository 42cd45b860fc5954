import rule from "../../rules/no-rename-by-drop.js";
import { runSqlRule } from "../helpers/sql-rule-tester.js";

runSqlRule(rule, {
  valid: [
    {
      name: "the new column is backfilled from the old one before the drop: data is copied, not lost",
      code: "ALTER TABLE users ADD COLUMN display_name text;\nUPDATE users SET display_name = initcap(full_name);\nALTER TABLE users DROP COLUMN full_name;",
    },
    { name: "a drop alone is no-drop-column's business", code: "ALTER TABLE users DROP COLUMN full_name;" },
    { name: "an add alone is the expand step", code: "ALTER TABLE users ADD COLUMN display_name text;" },
    {
      name: "drop and add on different tables",
      code: "ALTER TABLE users DROP COLUMN full_name;\nALTER TABLE accounts ADD COLUMN display_name text;",
    },
    {
      name: "drop and add on same-named tables of different schemas",
      code: "ALTER TABLE app.users DROP COLUMN full_name;\nALTER TABLE staging.users ADD COLUMN display_name text;",
    },
    {
      name: "a table created earlier in the same migration may be reshaped freely",
      code: "CREATE TABLE accounts (id bigint, full_name text);\nALTER TABLE accounts DROP COLUMN full_name, ADD COLUMN display_name text;",
    },
    {
      name: "a recreated column of a new table",
      code: "CREATE TABLE accounts (id bigint, total int);\nALTER TABLE accounts DROP COLUMN total;\nALTER TABLE accounts ADD COLUMN total numeric;",
    },
    {
      name: "constraints dropped and re-added are not columns",
      code: "ALTER TABLE users DROP CONSTRAINT users_email_key, ADD CONSTRAINT users_email_key UNIQUE (email);",
    },
    { name: "a composite type's attributes hold no rows of their own", code: "ALTER TYPE address DROP ATTRIBUTE line3, ADD ATTRIBUTE unit text;" },
  ],
  invalid: [
    {
      code: "ALTER TABLE users DROP COLUMN full_name, ADD COLUMN display_name text;",
      errors: [
        {
          messageId: "renameByDrop",
          data: { table: "users", column: "full_name", added: "display_name" },
          line: 1,
          column: 19,
          endLine: 1,
          endColumn: 40,
        },
      ],
    },
    {
      name: "across statements, add before drop, after a multi-byte comment",
      code: "-- généré par l'ORM\nALTER TABLE users ADD COLUMN display_name text;\nALTER TABLE users DROP COLUMN full_name;",
      errors: [
        {
          messageId: "renameByDrop",
          data: { table: "users", column: "full_name", added: "display_name" },
          line: 3,
          column: 19,
          endLine: 3,
          endColumn: 40,
        },
      ],
    },
    {
      name: "a type change written as drop + add of the same name",
      code: "ALTER TABLE orders DROP COLUMN total;\nALTER TABLE orders ADD COLUMN total numeric(12, 2);",
      errors: [{ messageId: "recreateColumn", data: { table: "orders", column: "total" }, line: 1, column: 20, endLine: 1, endColumn: 37 }],
    },
    {
      name: "re-added first, dropped after (ADD COLUMN IF NOT EXISTS then DROP)",
      code: "ALTER TABLE orders ADD COLUMN IF NOT EXISTS total numeric;\nALTER TABLE orders DROP COLUMN total;",
      errors: [{ messageId: "recreateColumn", data: { table: "orders", column: "total" }, line: 2, column: 20, endLine: 2, endColumn: 37 }],
    },
    {
      name: "two columns merged into one: each drop is reported",
      code: "ALTER TABLE users DROP COLUMN first_name, DROP COLUMN last_name, ADD COLUMN full_name text;",
      errors: [
        { messageId: "renameByDrop", data: { table: "users", column: "first_name", added: "full_name" }, line: 1, column: 19, endLine: 1, endColumn: 41 },
        { messageId: "renameByDrop", data: { table: "users", column: "last_name", added: "full_name" }, line: 1, column: 43, endLine: 1, endColumn: 64 },
      ],
    },
    {
      name: "a recreated column is not offered as the rename target of another dropped column",
      code: "ALTER TABLE t DROP COLUMN a, DROP COLUMN b;\nALTER TABLE t ADD COLUMN a bigint, ADD COLUMN c text;",
      errors: [
        { messageId: "recreateColumn", data: { table: "t", column: "a" }, line: 1, column: 15, endLine: 1, endColumn: 28 },
        { messageId: "renameByDrop", data: { table: "t", column: "b", added: "c" }, line: 1, column: 30, endLine: 1, endColumn: 43 },
      ],
    },
    {
      name: "quoted names; every added column is named",
      code: 'ALTER TABLE app."Users" DROP COLUMN "FullName";\nALTER TABLE "app"."Users" ADD COLUMN "DisplayName" text, ADD COLUMN nickname text;',
      errors: [
        {
          messageId: "renameByDrop",
          data: { table: 'app."Users"', column: '"FullName"', added: '"DisplayName", nickname' },
          line: 1,
          column: 25,
          endLine: 1,
          endColumn: 47,
        },
      ],
    },
    {
      name: "an unqualified name may be the schema-qualified table (search_path unknown)",
      code: "ALTER TABLE users DROP COLUMN full_name;\nALTER TABLE app.users ADD COLUMN display_name text;",
      errors: [{ messageId: "renameByDrop", data: { table: "users", column: "full_name", added: "display_name" }, line: 1 }],
    },
    {
      name: "a different table created in this migration does not exempt the altered one",
      code: "CREATE TABLE accounts (id bigint);\nALTER TABLE users DROP COLUMN full_name, ADD COLUMN display_name text;",
      errors: [{ messageId: "renameByDrop", line: 2, column: 19, endLine: 2, endColumn: 40 }],
    },
    {
      name: "the target PostgreSQL version does not change the verdict",
      code: "ALTER TABLE users DROP COLUMN full_name, ADD COLUMN display_name text;",
      settings: { "migration-safety": { postgresVersion: 11 } },
      errors: [{ messageId: "renameByDrop", data: { table: "users", column: "full_name", added: "display_name" } }],
    },
    {
      name: "a backfill after the drop cannot have copied the data",
      code: "ALTER TABLE users ADD COLUMN display_name text;\nALTER TABLE users DROP COLUMN full_name;\nUPDATE users SET display_name = 'x';",
      errors: [{ messageId: "renameByDrop", line: 2, column: 19, endLine: 2, endColumn: 40 }],
    },
  ],
});
