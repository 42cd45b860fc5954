import rule from "../../rules/prefer-jsonb.js";
import { runSqlRule } from "../helpers/sql-rule-tester.js";

const useJsonb = (column: string, output: string) => ({ messageId: "useJsonb", data: { column }, output });

runSqlRule(rule, {
  valid: [
    "CREATE TABLE events (id bigint PRIMARY KEY, payload jsonb NOT NULL DEFAULT '{}');",
    "ALTER TABLE events ADD COLUMN payload jsonb;",
    "ALTER TABLE events ALTER COLUMN payload TYPE jsonb USING payload::jsonb;",
    { name: "json values in queries and casts are not columns", code: "SELECT '{\"a\": 1}'::json -> 'a';\nUPDATE events SET note = payload::json ->> 'note' WHERE id = 1;" },
    { name: "a user type that happens to be called json in another schema", code: "CREATE TABLE events (payload app.json);" },
    { name: "a foreign table mirrors the remote column's type", code: "ALTER FOREIGN TABLE remote_events ADD COLUMN payload json;" },
    { name: "a view's column types come from its query", code: "CREATE VIEW v AS SELECT '{}'::json AS payload;" },
    { name: "jsonb arrays", code: "CREATE TABLE events (payloads jsonb[]);" },
  ],
  invalid: [
    {
      code: "CREATE TABLE events (id bigint PRIMARY KEY, payload json NOT NULL);",
      errors: [
        {
          messageId: "json",
          data: { table: "events", column: "payload" },
          line: 1,
          column: 53,
          endLine: 1,
          endColumn: 57,
          suggestions: [useJsonb("payload", "CREATE TABLE events (id bigint PRIMARY KEY, payload jsonb NOT NULL);")],
        },
      ],
    },
    {
      name: "after a multi-byte comment, quoted names, a json default (json casts to jsonb on assignment)",
      code: "-- données brutes\nCREATE TABLE app.\"Événements\" (\"Données\" json DEFAULT '{}'::json);",
      errors: [
        {
          messageId: "json",
          data: { table: 'app."Événements"', column: '"Données"' },
          line: 2,
          column: 42,
          endLine: 2,
          endColumn: 46,
          suggestions: [useJsonb('"Données"', "-- données brutes\nCREATE TABLE app.\"Événements\" (\"Données\" jsonb DEFAULT '{}'::json);")],
        },
      ],
    },
    {
      name: "second action of a multi-action ALTER TABLE; an existing table gains an empty column, so jsonb is free",
      code: "ALTER TABLE events ADD COLUMN note text, ADD COLUMN payload json;",
      errors: [
        {
          messageId: "json",
          data: { table: "events", column: "payload" },
          line: 1,
          column: 61,
          endLine: 1,
          endColumn: 65,
          suggestions: [useJsonb("payload", "ALTER TABLE events ADD COLUMN note text, ADD COLUMN payload jsonb;")],
        },
      ],
    },
    {
      name: "spelled pg_catalog.json or quoted, and json arrays: the array bounds stay",
      code: 'CREATE TABLE events (a pg_catalog.json, b "json"[]);',
      errors: [
        {
          messageId: "json",
          data: { table: "events", column: "a" },
          column: 24,
          endColumn: 39,
          suggestions: [useJsonb("a", 'CREATE TABLE events (a jsonb, b "json"[]);')],
        },
        {
          messageId: "json",
          data: { table: "events", column: "b" },
          column: 43,
          endColumn: 49,
          suggestions: [useJsonb("b", 'CREATE TABLE events (a pg_catalog.json, b jsonb[]);')],
        },
      ],
    },
    {
      name: "ALTER COLUMN TYPE json converts stored values: reported, no rewrite offered",
      code: "ALTER TABLE events ALTER COLUMN payload TYPE json USING payload::json;",
      errors: [{ messageId: "json", data: { table: "events", column: "payload" }, line: 1, column: 46, endLine: 1, endColumn: 50, suggestions: [] }],
    },
    {
      name: "a CHECK reading the column with json_* functions would break: no rewrite offered",
      code: "CREATE TABLE events (payload json CHECK (json_typeof(payload) = 'object'));",
      errors: [{ messageId: "json", column: 30, endColumn: 34, suggestions: [] }],
    },
    {
      name: "a later statement reads the column: no rewrite offered",
      code: "CREATE TABLE events (payload json);\nCREATE VIEW event_sizes AS SELECT json_array_length(payload) AS n FROM events;",
      errors: [{ messageId: "json", line: 1, column: 30, suggestions: [] }],
    },
    {
      name: "a later INSERT is fine: jsonb reads the same text",
      code: "CREATE TABLE settings (value json);\nINSERT INTO settings (value) VALUES ('{\"a\": 1}');",
      errors: [{ messageId: "json", line: 1, suggestions: [useJsonb("value", "CREATE TABLE settings (value jsonb);\nINSERT INTO settings (value) VALUES ('{\"a\": 1}');")] }],
    },
    {
      name: "inside a DO block: reported, no text rewrite",
      code: "DO $$ BEGIN CREATE TABLE events (payload json); END $$;",
      errors: [{ messageId: "json", data: { table: "events", column: "payload" }, suggestions: [] }],
    },
  ],
});
