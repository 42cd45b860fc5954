import rule from "../../rules/prefer-timestamptz.js";
import { runSqlRule } from "../helpers/sql-rule-tester.js";

const use = (column: string, type: string, output: string) => ({ messageId: "useTimestamptz", data: { column, type }, output });

runSqlRule(rule, {
  valid: [
    "CREATE TABLE events (id bigint PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now());",
    "CREATE TABLE events (happened_at timestamp with time zone, at3 timestamptz(3), at6 timestamp(6) with time zone);",
    "ALTER TABLE events ADD COLUMN seen_at timestamptz;",
    "ALTER TABLE events ALTER COLUMN seen_at TYPE timestamptz USING seen_at AT TIME ZONE 'UTC';",
    { name: "time and date are other types", code: "CREATE TABLE shifts (starts time, ends time without time zone, day date);" },
    { name: "timestamp values in queries are not columns", code: "SELECT now()::timestamp, localtimestamp;" },
    { name: "a foreign table mirrors the remote column's type", code: "ALTER FOREIGN TABLE remote_events ADD COLUMN seen_at timestamp;" },
  ],
  invalid: [
    {
      code: "CREATE TABLE events (id bigint PRIMARY KEY, created_at timestamp NOT NULL DEFAULT now());",
      errors: [
        {
          messageId: "timestamp",
          data: { table: "events", column: "created_at", type: "timestamp" },
          line: 1,
          column: 56,
          endLine: 1,
          endColumn: 65,
          suggestions: [use("created_at", "timestamptz", "CREATE TABLE events (id bigint PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now());")],
        },
      ],
    },
    {
      name: "after a multi-byte comment: the whole spelling with precision and WITHOUT TIME ZONE is replaced, the array bounds stay",
      code: "-- réservations\nCREATE TABLE app.\"Réservations\" (starts_at timestamp(3) WITHOUT TIME ZONE[]);",
      errors: [
        {
          messageId: "timestamp",
          data: { table: 'app."Réservations"', column: "starts_at", type: "timestamp(3)" },
          line: 2,
          column: 44,
          endLine: 2,
          endColumn: 74,
          suggestions: [use("starts_at", "timestamptz(3)", "-- réservations\nCREATE TABLE app.\"Réservations\" (starts_at timestamptz(3)[]);")],
        },
      ],
    },
    {
      name: "timestamp(0): proto3 drops the zero, the rewrite keeps it",
      code: "CREATE TABLE events (at timestamp(0));",
      errors: [{ messageId: "timestamp", data: { table: "events", column: "at", type: "timestamp(0)" }, suggestions: [use("at", "timestamptz(0)", "CREATE TABLE events (at timestamptz(0));")] }],
    },
    {
      name: "second action of a multi-action ALTER TABLE of a table created in this migration",
      code: "CREATE TABLE events (id bigint);\nALTER TABLE events ADD COLUMN note text, ADD COLUMN seen_at pg_catalog.timestamp;",
      errors: [
        {
          messageId: "timestamp",
          data: { table: "events", column: "seen_at", type: "timestamp" },
          line: 2,
          column: 61,
          endLine: 2,
          endColumn: 81,
          suggestions: [use("seen_at", "timestamptz", "CREATE TABLE events (id bigint);\nALTER TABLE events ADD COLUMN note text, ADD COLUMN seen_at timestamptz;")],
        },
      ],
    },
    {
      name: "a column added to an existing table sits beside values written as local times: reported, no rewrite offered",
      code: "ALTER TABLE events ADD COLUMN seen_at timestamp;",
      errors: [{ messageId: "timestamp", data: { table: "events", column: "seen_at", type: "timestamp" }, line: 1, column: 39, endLine: 1, endColumn: 48, suggestions: [] }],
    },
    {
      name: "ALTER COLUMN TYPE timestamp: reported, no rewrite offered",
      code: "ALTER TABLE events ALTER COLUMN seen_at TYPE timestamp without time zone;",
      errors: [{ messageId: "timestamp", data: { table: "events", column: "seen_at", type: "timestamp" }, column: 46, endColumn: 73, suggestions: [] }],
    },
    {
      name: "defaults that are not the current instant would change meaning: no rewrite offered",
      code: "CREATE TABLE events (a timestamp DEFAULT localtimestamp, b timestamp DEFAULT '2000-01-01', c timestamp DEFAULT (now() AT TIME ZONE 'UTC'), d timestamp DEFAULT pg_catalog.now());",
      errors: [
        { messageId: "timestamp", data: { table: "events", column: "a", type: "timestamp" }, suggestions: [] },
        { messageId: "timestamp", data: { table: "events", column: "b", type: "timestamp" }, suggestions: [] },
        { messageId: "timestamp", data: { table: "events", column: "c", type: "timestamp" }, suggestions: [] },
        {
          messageId: "timestamp",
          data: { table: "events", column: "d", type: "timestamp" },
          suggestions: [
            use(
              "d",
              "timestamptz",
              "CREATE TABLE events (a timestamp DEFAULT localtimestamp, b timestamp DEFAULT '2000-01-01', c timestamp DEFAULT (now() AT TIME ZONE 'UTC'), d timestamptz DEFAULT pg_catalog.now());",
            ),
          ],
        },
      ],
    },
    {
      name: "a generated column or a partition key over it needs IMMUTABLE expressions: no rewrite offered",
      code: "CREATE TABLE events (at timestamp, day date GENERATED ALWAYS AS (at::date) STORED);\nCREATE TABLE logs (at timestamp) PARTITION BY RANGE (at);",
      errors: [
        { messageId: "timestamp", line: 1, data: { table: "events", column: "at", type: "timestamp" }, suggestions: [] },
        { messageId: "timestamp", line: 2, data: { table: "logs", column: "at", type: "timestamp" }, suggestions: [] },
      ],
    },
    {
      name: "later rows, partitions and index expressions of the table: no rewrite offered",
      code: [
        "CREATE TABLE a (at timestamp);",
        "INSERT INTO a (at) VALUES ('2026-03-29 02:30');",
        "CREATE TABLE b (at timestamp) PARTITION BY LIST (id);",
        "CREATE TABLE b1 PARTITION OF b FOR VALUES IN (1);",
        "CREATE TABLE c (at timestamp);",
        "CREATE INDEX c_day ON c ((at::date));",
      ].join("\n"),
      errors: [
        { messageId: "timestamp", line: 1, suggestions: [] },
        { messageId: "timestamp", line: 3, suggestions: [] },
        { messageId: "timestamp", line: 5, suggestions: [] },
      ],
    },
    {
      name: "a plain index on the column does not stop the rewrite",
      code: "CREATE TABLE events (at timestamp);\nCREATE INDEX events_at ON events (at);",
      errors: [{ messageId: "timestamp", line: 1, suggestions: [use("at", "timestamptz", "CREATE TABLE events (at timestamptz);\nCREATE INDEX events_at ON events (at);")] }],
    },
  ],
});
