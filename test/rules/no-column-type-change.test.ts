import type { TypeName } from "@pgsql/types";
import rule from "../../rules/no-column-type-change.js";
import { parseSql } from "../../src/sql/pg-parser.js";
import { classifyTypeChange, formatTypeName } from "../../src/sql/type-changes.js";
import { runSqlRule } from "../helpers/sql-rule-tester.js";
import { runJsRule } from "../js/helpers.js";
import { columnFor, MATRIX, type MatrixRow } from "../sql/type-changes-matrix.js";

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
    {
      name: "USING the column itself is no USING at all",
      code: "ALTER TABLE users ADD COLUMN bio varchar(500);\nALTER TABLE users ALTER COLUMN bio TYPE text USING bio;",
    },
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
      code: "ALTER TABLE users ALTER COLUMN external_id TYPE uuid USING nullif(external_id, '')::uuid;",
      errors: [
        {
          messageId: "typeChangeUsing",
          data: { table: "users", column: "external_id", type: "uuid" },
          line: 1,
          column: 19,
          endLine: 1,
          endColumn: 89,
        },
      ],
    },
    {
      name: "USING the column cast to the new type is no USING: the old type decides, and it is not known",
      code: "ALTER TABLE users ALTER COLUMN external_id TYPE uuid USING external_id::uuid;",
      errors: [{ messageId: "typeChange", data: { table: "users", column: "external_id", type: "uuid" }, line: 1, column: 19, endLine: 1, endColumn: 77 }],
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
      name: "USING an expression forces a rewrite even where the types alone would not",
      code: "ALTER TABLE users ADD COLUMN bio varchar(500);\nALTER TABLE users ALTER COLUMN bio TYPE text USING trim(bio);",
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
            reason: "PostgreSQL skips the rewrite only when the session TimeZone is UTC; set sessionTimeZone in the settings if the migrations run in UTC",
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

// ---------------------------------------------------------------------------------------------------------------
// With the migration history: the old type comes from the migrations before the file (test/schema/fixtures).

const FIXTURE = "test/schema/fixtures/type-matrix/migrations";
const FILENAME = `${FIXTURE}/002_change.sql`;
const withHistory = (extra: Record<string, unknown> = {}) => ({ "migration-safety": { migrations: [`${FIXTURE}/*.sql`], ...extra } });

/** The TypeName of a type written in SQL, as the rule sees it in ALTER COLUMN … TYPE. */
function typeName(sql: string): TypeName {
  const result = parseSql(`ALTER TABLE t ALTER COLUMN c TYPE ${sql}`);
  return (result.stmts?.[0]?.stmt as { AlterTableStmt: { cmds: { AlterTableCmd: { def: { ColumnDef: { typeName: TypeName } } } }[] } }).AlterTableStmt.cmds[0]!
    .AlterTableCmd.def.ColumnDef.typeName;
}

const statementOf = (row: MatrixRow) => {
  const column = columnFor(row.from);
  const using = row.using ? ` USING ${row.using.replace(/\bc\b/g, column)}` : "";
  return { column, code: `ALTER TABLE type_matrix ALTER COLUMN ${column} TYPE ${row.to}${using};` };
};
const settingsOf = (row: MatrixRow) => withHistory(row.timeZone ? { sessionTimeZone: row.timeZone } : {});
const label = (row: MatrixRow) => `${row.from} → ${row.to}${row.using ? ` USING ${row.using}` : ""}${row.timeZone ? ` (TimeZone ${row.timeZone})` : ""}`;

runSqlRule(rule, {
  valid: [
    // One case per binary-coercible cast of pg_cast, and per modifier change that rewrites nothing: the old type is
    // known from 001_columns.sql, and no index of the history is on the column.
    ...MATRIX.filter((row) => row.expect !== "rewrite").map((row) => ({
      name: `history: ${label(row)} rewrites nothing`,
      code: statementOf(row).code,
      filename: FILENAME,
      settings: settingsOf(row),
    })),
    {
      name: "history: followed through a retype and a rename by later migrations (varchar(40) → varchar(60))",
      code: "ALTER TABLE people ALTER COLUMN nickname TYPE varchar(60);",
      filename: FILENAME,
      settings: withHistory(),
    },
    {
      name: "history: followed through a rename in this file",
      code: "ALTER TABLE type_matrix RENAME COLUMN c_text TO body;\nALTER TABLE type_matrix ALTER COLUMN body TYPE varchar;",
      filename: FILENAME,
      settings: withHistory(),
    },
    {
      name: "history: an enum renamed by ALTER TYPE … RENAME is still the column's type under its new name",
      code: "ALTER TABLE people ALTER COLUMN feeling TYPE mood_old;",
      filename: FILENAME,
      settings: withHistory(),
    },
    {
      name: "history: quoted, schema-qualified names with spaces, upper case and keywords",
      code: 'ALTER TABLE app."Odd Table" ALTER COLUMN "Mixed Col" TYPE text, ALTER COLUMN "select" TYPE numeric(14,2), ALTER COLUMN "a""b" TYPE inet;',
      filename: FILENAME,
      settings: withHistory(),
    },
  ],
  invalid: [
    // The rewriting counterparts: each reported with the old type the history knows.
    ...MATRIX.filter((row) => row.expect === "rewrite").map((row) => {
      const { column, code } = statementOf(row);
      const using = row.using !== undefined && row.using !== "c";
      const verdict = classifyTypeChange({ typeName: typeName(row.from) }, { typeName: typeName(row.to) }, { using, ...(row.timeZone ? { sessionTimeZone: row.timeZone } : {}) });
      return {
        name: `history: ${label(row)} rewrites the table`,
        code,
        filename: FILENAME,
        settings: settingsOf(row),
        errors: [
          {
            messageId: "typeChangeRewriteExisting" as const,
            data: { table: "type_matrix", column, type: formatTypeName(typeName(row.to)), from: formatTypeName(typeName(row.from)), reason: verdict.reason },
            line: 1,
            column: 25,
            endLine: 1,
            endColumn: code.length,
          },
        ],
      };
    }),
    {
      name: "history: timestamp → timestamptz without the session time zone in the settings is not proven",
      code: "ALTER TABLE type_matrix ALTER COLUMN c_timestamp TYPE timestamptz;",
      filename: FILENAME,
      settings: withHistory(),
      errors: [
        {
          messageId: "typeChangeUnprovenExisting",
          data: {
            table: "type_matrix",
            column: "c_timestamp",
            type: "timestamptz",
            from: "timestamp",
            reason: "PostgreSQL skips the rewrite only when the session TimeZone is UTC; set sessionTimeZone in the settings if the migrations run in UTC",
          },
        },
      ],
    },
    {
      name: "history: the table is kept but a known index on the column is rebuilt (UTC session)",
      code: "ALTER TABLE indexed ALTER COLUMN seen_at TYPE timestamptz;",
      filename: FILENAME,
      settings: withHistory({ sessionTimeZone: "UTC" }),
      errors: [
        {
          messageId: "typeChangeIndexRebuild",
          data: {
            table: "indexed",
            column: "seen_at",
            type: "timestamptz",
            from: "timestamp",
            index: "indexed_seen_at_idx",
            reason: "in a UTC session timestamp and timestamptz store the same values, though their indexes sort with another operator class",
          },
          line: 1,
          column: 21,
          endLine: 1,
          endColumn: 58,
        },
      ],
    },
    {
      name: "history: an INCLUDE column of an index counts; integer → oid keeps the table, rebuilds the index",
      code: "ALTER TABLE indexed ALTER COLUMN ref TYPE oid;",
      filename: FILENAME,
      settings: withHistory(),
      errors: [{ messageId: "typeChangeIndexRebuild", data: { table: "indexed", column: "ref", type: "oid", from: "integer", index: "indexed_code_key", reason: "integer is binary-coercible to oid, whose indexes sort with another operator class" } }],
    },
    {
      name: "history: narrowing, with quoted and schema-qualified names",
      code: 'ALTER TABLE app."Odd Table" ALTER COLUMN "Mixed Col" TYPE varchar(5);',
      filename: FILENAME,
      settings: withHistory(),
      errors: [
        {
          messageId: "typeChangeRewriteExisting",
          data: { table: 'app."Odd Table"', column: '"Mixed Col"', type: "varchar(5)", from: "varchar(10)", reason: "every value must be checked against the shorter length limit" },
        },
      ],
    },
    {
      name: "history: the enum the column now has under another name is a user type: not proven",
      code: "ALTER TABLE people ALTER COLUMN feeling TYPE mood;",
      filename: FILENAME,
      settings: withHistory(),
      errors: [{ messageId: "typeChangeUnprovenExisting", data: { table: "people", column: "feeling", type: "mood", from: "mood_old", reason: "user-defined types and domains are not analysed" } }],
    },
    {
      name: "history: a column the history's table does not have: the type is not known",
      code: "ALTER TABLE people ALTER COLUMN missing TYPE text;",
      filename: FILENAME,
      settings: withHistory(),
      errors: [{ messageId: "typeChange", data: { table: "people", column: "missing", type: "text" } }],
    },
    {
      name: "history: off by the setting, the old type is not known",
      code: "ALTER TABLE type_matrix ALTER COLUMN c_varchar_10 TYPE text;",
      filename: FILENAME,
      settings: withHistory({ history: false }),
      errors: [{ messageId: "typeChange", data: { table: "type_matrix", column: "c_varchar_10", type: "text" } }],
    },
    {
      name: "history: a file that is not one of the migrations gets none",
      code: "ALTER TABLE type_matrix ALTER COLUMN c_varchar_10 TYPE text;",
      filename: "test/schema/fixtures/type-matrix/not-a-migration.sql",
      settings: withHistory(),
      errors: [{ messageId: "typeChange", data: { table: "type_matrix", column: "c_varchar_10", type: "text" } }],
    },
    {
      name: "history: a rollback part gets no history (it runs against a schema the history does not describe)",
      code: "-- +goose Up\nSELECT 1;\n-- +goose Down\nALTER TABLE type_matrix ALTER COLUMN c_varchar_10 TYPE text;\n",
      filename: FILENAME,
      settings: withHistory(),
      errors: [{ messageId: "typeChange", data: { table: "type_matrix", column: "c_varchar_10", type: "text" }, line: 4 }],
    },
  ],
});

// The same history reaches migrations written as code.
runJsRule(rule, {
  valid: [
    {
      name: "history: a knex migration widening a varchar the history declared",
      code: "export async function up(knex) {\n  await knex.raw('ALTER TABLE type_matrix ALTER COLUMN c_varchar_10 TYPE varchar(20)');\n}\n",
      filename: `${FIXTURE}/003_knex.js`,
      settings: { "migration-safety": { migrations: [`${FIXTURE}/*.sql`, `${FIXTURE}/*.js`] } },
    },
  ],
  invalid: [
    {
      name: "history: a knex migration narrowing it",
      code: "export async function up(knex) {\n  await knex.raw('ALTER TABLE type_matrix ALTER COLUMN c_varchar_10 TYPE varchar(5)');\n}\n",
      filename: `${FIXTURE}/003_knex.js`,
      settings: { "migration-safety": { migrations: [`${FIXTURE}/*.sql`, `${FIXTURE}/*.js`] } },
      errors: [{ messageId: "typeChangeRewriteExisting", data: { table: "type_matrix", column: "c_varchar_10", type: "varchar(5)", from: "varchar(10)", reason: "every value must be checked against the shorter length limit" } }],
    },
  ],
});
