import rule from "../../rules/no-long-identifier.js";
import { runSqlRule } from "../helpers/sql-rule-tester.js";

const name63 = "a".repeat(63);
const long = `index_on_customer_orders_by_customer_id_and_created_at_descending`; // 65 bytes
const longTruncated = long.slice(0, 63);
const twin = `${long.slice(0, 63)}_x`; // same first 63 bytes, different name

runSqlRule(rule, {
  valid: [
    `CREATE TABLE ${name63} (id bigint);`,
    {
      name: "62 bytes of two-byte characters",
      code: `CREATE TABLE "${"é".repeat(31)}" (id bigint);`,
    },
    {
      name: "long string literals and comments are not identifiers",
      code: `-- ${"x".repeat(80)}\nCOMMENT ON TABLE users IS '${"y".repeat(80)}';\nSELECT $$${"z".repeat(80)}$$;`,
    },
    {
      name: "a long name inside a function body is not SQL the migration runs",
      code: `CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1 AS ${"c".repeat(70)}';`,
    },
  ],
  invalid: [
    {
      code: `CREATE INDEX ${long} ON orders (customer_id, created_at DESC);`,
      errors: [
        {
          messageId: "tooLong",
          data: { name: long, bytes: 65, truncated: longTruncated },
          line: 1,
          column: 14,
          endLine: 1,
          endColumn: 79,
        },
      ],
    },
    {
      name: "a quoted name of two-byte characters after a multi-byte comment: truncation keeps whole characters",
      code: `-- clé étrangère\nALTER TABLE orders ADD CONSTRAINT "${"é".repeat(33)}" FOREIGN KEY (customer_id) REFERENCES customers;`,
      errors: [
        {
          messageId: "tooLong",
          data: { name: `"${"é".repeat(33)}"`, bytes: 66, truncated: `"${"é".repeat(31)}"` },
          line: 2,
          column: 35,
          endLine: 2,
          endColumn: 70,
        },
      ],
    },
    {
      name: "unquoted upper case folds to lower case; each action of a multi-action ALTER TABLE",
      code: `ALTER TABLE Orders ADD COLUMN ${"X".repeat(64)} int, ADD COLUMN ok int;`,
      errors: [
        {
          messageId: "tooLong",
          data: { name: "x".repeat(64), bytes: 64, truncated: "x".repeat(63) },
          line: 1,
          column: 31,
          endLine: 1,
          endColumn: 95,
        },
      ],
    },
    {
      name: "the same long name twice in one statement is reported once; again in a later statement, again",
      code: `CREATE TABLE ${long} (id bigint);\nALTER TABLE ${long} ADD COLUMN note text, ALTER COLUMN note SET DEFAULT '${long}', ADD CONSTRAINT c CHECK (${long}.id > 0);`,
      errors: [
        { messageId: "tooLong", line: 1, column: 14 },
        { messageId: "tooLong", line: 2, column: 13, endColumn: 78 },
      ],
    },
    {
      name: "two index names that truncate to the same name",
      code: `CREATE INDEX ${long} ON orders (customer_id);\nCREATE INDEX ${twin} ON orders (created_at);`,
      errors: [
        { messageId: "tooLong", data: { name: long, bytes: 65, truncated: longTruncated }, line: 1 },
        {
          messageId: "collision",
          data: { name: twin, bytes: 65, truncated: longTruncated, other: long, line: 1 },
          line: 2,
          column: 14,
          endLine: 2,
          endColumn: 79,
        },
      ],
    },
    {
      name: "two columns of one table that truncate to the same name",
      code: `CREATE TABLE t (${long} int, ${twin} int);`,
      errors: [
        { messageId: "tooLong", line: 1, column: 17 },
        { messageId: "collision", data: { name: twin, bytes: 65, truncated: longTruncated, other: long, line: 1 }, line: 1, column: 88 },
      ],
    },
    {
      name: "a schema name in a reference, inside a DO block",
      code: `DO $$ BEGIN UPDATE ${long}.t SET a = 1 WHERE id = 1; END $$;`,
      errors: [{ messageId: "tooLong", data: { name: long, bytes: 65, truncated: longTruncated }, line: 1, column: 20, endLine: 1, endColumn: 85 }],
    },
  ],
});
