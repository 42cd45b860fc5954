import rule from "../../rules/require-concurrent-detach-partition.js";
import { runSqlRule } from "../helpers/sql-rule-tester.js";

const v = (postgresVersion: number) => ({ "migration-safety": { postgresVersion } });

// DETACH PARTITION cannot share an ALTER TABLE with other actions (the grammar has no multi-action form of it).
runSqlRule(rule, {
  valid: [
    "ALTER TABLE events DETACH PARTITION events_2019 CONCURRENTLY;",
    {
      name: "FINALIZE completes an interrupted concurrent detach under SHARE UPDATE EXCLUSIVE",
      code: "ALTER TABLE events DETACH PARTITION events_2019 FINALIZE;",
    },
    {
      name: "a partitioned table created earlier in the same migration",
      code: "CREATE TABLE events (id bigint, at date) PARTITION BY RANGE (at);\nCREATE TABLE events_2019 PARTITION OF events FOR VALUES FROM ('2019-01-01') TO ('2020-01-01');\nALTER TABLE events DETACH PARTITION events_2019;",
    },
    "ALTER TABLE events ATTACH PARTITION events_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');",
  ],
  invalid: [
    {
      code: "ALTER TABLE events DETACH PARTITION events_2019;",
      errors: [
        {
          messageId: "detach",
          data: { partition: "events_2019", table: "events" },
          line: 1,
          column: 20,
          endLine: 1,
          endColumn: 48,
          suggestions: [{ messageId: "addConcurrently", output: "ALTER TABLE events DETACH PARTITION events_2019 CONCURRENTLY;" }],
        },
      ],
    },
    {
      name: "schema-qualified, quoted names after a multi-byte comment, ONLY",
      code: '-- détacher l\'année 2019\nALTER TABLE ONLY app."Events" DETACH PARTITION app."Events_2019"',
      errors: [
        {
          messageId: "detach",
          data: { partition: 'app."Events_2019"', table: 'app."Events"' },
          line: 2,
          column: 31,
          endLine: 2,
          endColumn: 65,
          suggestions: [{ messageId: "addConcurrently", output: '-- détacher l\'année 2019\nALTER TABLE ONLY app."Events" DETACH PARTITION app."Events_2019" CONCURRENTLY' }],
        },
      ],
    },
    {
      name: "PostgreSQL 14 is the first version with the CONCURRENTLY form",
      code: "ALTER TABLE events DETACH PARTITION events_2019;",
      settings: v(14),
      errors: [{ messageId: "detach", suggestions: [{ messageId: "addConcurrently", output: "ALTER TABLE events DETACH PARTITION events_2019 CONCURRENTLY;" }] }],
    },
    {
      name: "before PostgreSQL 14 there is no CONCURRENTLY form to suggest",
      code: "ALTER TABLE events DETACH PARTITION events_2019;",
      settings: v(13),
      errors: [
        {
          messageId: "detachBefore14",
          data: { partition: "events_2019", table: "events", version: 13 },
          line: 1,
          column: 20,
          endLine: 1,
          endColumn: 48,
          suggestions: [],
        },
      ],
    },
    {
      name: "in a DO block the concurrent form cannot run, so nothing is suggested",
      code: "DO $$ BEGIN ALTER TABLE events DETACH PARTITION events_2019; END $$;",
      errors: [{ messageId: "detach", data: { partition: "events_2019", table: "events" }, line: 1, column: 32, endLine: 1, endColumn: 60, suggestions: [] }],
    },
  ],
});
