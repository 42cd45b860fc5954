import rule from "../../rules/no-column-type-change.js";
import { runSqlRule } from "../helpers/sql-rule-tester.js";

runSqlRule(rule, {
  valid: [
    {
      name: "a table created earlier in the same migration is not in use",
      code: "CREATE TABLE invoices (id bigint, amount int);\nALTER TABLE invoices ALTER COLUMN amount TYPE bigint;",
    },
    {
      name: "varchar widened, on a column added earlier in this file",
      code: "ALTER TABLE users ADD COLUMN nickname varchar(50);\nALTER TABLE users ALTER COLUMN nickname TYPE varchar(100);",
    },
    {
      name: "varchar to text, on a column added earlier in this file",
      code: "ALTER TABLE users ADD COLUMN bio varchar(500);\nALTER TABLE users ALTER COLUMN bio SET DATA TYPE text;",
    },
    {
      name: "numeric precision raised with the same scale",
      code: "ALTER TABLE orders ADD COLUMN total numeric(10,2);\nALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2);",
    },
    {
      name: "cidr to inet",
      code: "ALTER TABLE hosts ADD COLUMN net cidr;\nALTER TABLE hosts ALTER COLUMN net TYPE inet;",
    },
    {
      name: "followed through a rename",
      code: "ALTER TABLE users ADD COLUMN nick varchar(20);\nALTER TABLE users RENAME COLUMN nick TO nickname;\nALTER TABLE users ALTER COLUMN nickname TYPE varchar(40);",
    },
    {
      name: "followed through an earlier widening",
      code: "ALTER TABLE users ADD COLUMN nick varchar(20);\nALTER TABLE users ALTER COLUMN nick TYPE varchar(40);\nALTER TABLE users ALTER COLUMN nick TYPE text;",
    },
    { name: "other ALTER COLUMN actions are not type changes", code: "ALTER TABLE users ALTER COLUMN email SET NOT NULL, ALTER COLUMN email SET DEFAULT '';" },
    { name: "a foreign table stores nothing to rewrite", code: "ALTER FOREIGN TABLE remote_users ALTER COLUMN id TYPE bigint;" },
  ],
  invalid: [
    {
      code: "ALTER TABLE users ALTER COLUMN email TYPE varchar(300);",
      errors: [
        {
          messageId: "typeChange",
          data: { table: "users", column: "email", type: "varchar(300)" },
          line: 1,
          column: 19,
          endLine: 1,
          endColumn: 55,
        },
      ],
    },
    {
      name: "second action of a multi-action ALTER, after a multi-byte comment",
      code: "-- montant en centimes €\nALTER TABLE app.\"Orders\" ALTER COLUMN note SET DEFAULT '', ALTER COLUMN \"Total\" SET DATA TYPE numeric(12,2);",
      errors: [
        {
          messageId: "typeChange",
          data: { table: 'app."Orders"', column: '"Total"', type: "numeric(12,2)" },
          line: 2,
          column: 60,
          endLine: 2,
          endColumn: 108,
        },
      ],
    },
    {
      name: "two type changes in one statement are two findings",
      code: "ALTER TABLE events ALTER COLUMN id TYPE bigint, ALTER COLUMN happened_at TYPE timestamptz;",
      errors: [
        { messageId: "typeChange", data: { table: "events", column: "id", type: "bigint" }, line: 1, column: 20, endLine: 1, endColumn: 47 },
        { messageId: "typeChange", data: { table: "events", column: "happened_at", type: "timestamptz" }, line: 1, column: 49, endLine: 1, endColumn: 90 },
      ],
    },
    {
      code: "ALTER TABLE users ALTER COLUMN external_id TYPE uuid USING external_id::uuid;",
      errors: [
        {
          messageId: "typeChangeUsing",
          data: { table: "users", column: "external_id", type: "uuid" },
          line: 1,
          column: 19,
          endLine: 1,
          endColumn: 77,
        },
      ],
    },
    {
      name: "a column added earlier in this file, changed to a type that is not binary-coercible",
      code: "ALTER TABLE users ADD COLUMN score int;\nALTER TABLE users ALTER COLUMN score TYPE bigint;",
      errors: [
        {
          messageId: "typeChangeRewrite",
          data: { table: "users", column: "score", type: "bigint", from: "integer", reason: "integer is not binary-coercible to bigint" },
          line: 2,
          column: 19,
          endLine: 2,
          endColumn: 49,
        },
      ],
    },
    {
      name: "narrowing a varchar added earlier checks every row",
      code: "ALTER TABLE users ADD COLUMN nickname varchar(100);\nALTER TABLE users ALTER COLUMN nickname TYPE varchar(50);",
      errors: [
        {
          messageId: "typeChangeRewrite",
          data: {
            table: "users",
            column: "nickname",
            type: "varchar(50)",
            from: "varchar(100)",
            reason: "every value must be checked against the shorter length limit",
          },
        },
      ],
    },
    {
      name: "USING forces a rewrite even where the types alone would not",
      code: "ALTER TABLE users ADD COLUMN bio varchar(500);\nALTER TABLE users ALTER COLUMN bio TYPE text USING bio;",
      errors: [
        {
          messageId: "typeChangeRewrite",
          data: { table: "users", column: "bio", type: "text", from: "varchar(500)", reason: "a USING expression recomputes every row" },
        },
      ],
    },
    {
      name: "timestamp to timestamptz depends on the session time zone",
      code: "ALTER TABLE users ADD COLUMN seen_at timestamp;\nALTER TABLE users ALTER COLUMN seen_at TYPE timestamptz;",
      errors: [
        {
          messageId: "typeChangeUnproven",
          data: {
            table: "users",
            column: "seen_at",
            type: "timestamptz",
            from: "timestamp",
            reason: "PostgreSQL skips the rewrite only when the session TimeZone is UTC",
          },
        },
      ],
    },
    {
      name: "ADD COLUMN IF NOT EXISTS does not tell the type: the column may have existed",
      code: "ALTER TABLE users ADD COLUMN IF NOT EXISTS bio varchar(500);\nALTER TABLE users ALTER COLUMN bio TYPE text;",
      errors: [{ messageId: "typeChange", data: { table: "users", column: "bio", type: "text" }, line: 2 }],
    },
    {
      name: "a column dropped and not re-added has no known type",
      code: "ALTER TABLE users ADD COLUMN bio varchar(500);\nALTER TABLE users DROP COLUMN bio;\nALTER TABLE users ALTER COLUMN bio TYPE text;",
      errors: [{ messageId: "typeChange", data: { table: "users", column: "bio", type: "text" }, line: 3 }],
    },
    {
      name: "a column added to another table does not count",
      code: "ALTER TABLE accounts ADD COLUMN bio varchar(500);\nALTER TABLE users ALTER COLUMN bio TYPE text;",
      errors: [{ messageId: "typeChange", data: { table: "users", column: "bio", type: "text" }, line: 2 }],
    },
    {
      name: "a column added after the change does not count",
      code: "ALTER TABLE users ALTER COLUMN bio TYPE text;\nALTER TABLE users ADD COLUMN note varchar(10);",
      errors: [{ messageId: "typeChange", data: { table: "users", column: "bio", type: "text" }, line: 1 }],
    },
  ],
});
