import rule from "../../rules/prefer-text.js";
import { runSqlRule } from "../helpers/sql-rule-tester.js";

runSqlRule(rule, {
  valid: [
    "CREATE TABLE users (email text NOT NULL CHECK (char_length(email) <= 320));",
    { name: "varchar without a length is text under another name", code: "CREATE TABLE users (email varchar, nick character varying);" },
    "ALTER TABLE users ADD COLUMN nickname text;",
    "ALTER TABLE users ALTER COLUMN nickname TYPE text;",
    { name: 'the one-byte internal type "char" is not char(n)', code: 'CREATE TABLE flags (kind "char");' },
    { name: "casts in queries are not columns", code: "SELECT 'abc'::varchar(2), 'x'::char(3);" },
    { name: "a foreign table mirrors the remote column's type", code: "ALTER FOREIGN TABLE remote_users ADD COLUMN code varchar(3);" },
  ],
  invalid: [
    {
      code: "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(320) NOT NULL);",
      errors: [
        {
          messageId: "varchar",
          data: { table: "users", column: "email", type: "varchar(320)" },
          line: 1,
          column: 50,
          endLine: 1,
          endColumn: 62,
        },
      ],
    },
    {
      name: "after a multi-byte comment: multi-word spellings, arrays, char without a length is char(1)",
      code: '-- caractères\nCREATE TABLE app."Pays" (nom character varying(80)[], "Code" char(2), drapeau character, n national character varying(4));',
      errors: [
        { messageId: "varchar", data: { table: 'app."Pays"', column: "nom", type: "varchar(80)[]" }, line: 2, column: 30, endLine: 2, endColumn: 51 },
        { messageId: "char", data: { table: 'app."Pays"', column: '"Code"', type: "char(2)" }, line: 2, column: 62, endLine: 2, endColumn: 69 },
        { messageId: "char", data: { table: 'app."Pays"', column: "drapeau", type: "char(1)" }, line: 2, column: 79, endLine: 2, endColumn: 88 },
        { messageId: "varchar", data: { table: 'app."Pays"', column: "n", type: "varchar(4)" }, line: 2, column: 92, endLine: 2, endColumn: 121 },
      ],
    },
    {
      name: "second action of a multi-action ALTER TABLE, and ALTER COLUMN TYPE",
      code: "ALTER TABLE users ADD COLUMN note text, ADD COLUMN code varchar(3), ALTER COLUMN country TYPE bpchar(2);",
      errors: [
        { messageId: "varchar", data: { table: "users", column: "code", type: "varchar(3)" }, line: 1, column: 57, endLine: 1, endColumn: 67 },
        { messageId: "char", data: { table: "users", column: "country", type: "char(2)" }, line: 1, column: 95, endLine: 1, endColumn: 104 },
      ],
    },
    {
      name: "inside a DO block",
      code: "DO $$ BEGIN CREATE TABLE users (code varchar(3)); END $$;",
      errors: [{ messageId: "varchar", data: { table: "users", column: "code", type: "varchar(3)" } }],
    },
  ],
});
