import rule from "../../rules/no-exclusion-constraint.js";
import { runSqlRule } from "../helpers/sql-rule-tester.js";

runSqlRule(rule, {
  valid: [
    {
      name: "declared in CREATE TABLE",
      code: "CREATE TABLE reservations (room_id bigint, during tstzrange, EXCLUDE USING gist (room_id WITH =, during WITH &&));",
    },
    {
      name: "added to a table created earlier in the same migration",
      code: "CREATE TABLE reservations (room_id bigint, during tstzrange);\nALTER TABLE reservations ADD CONSTRAINT reservations_no_overlap EXCLUDE USING gist (room_id WITH =, during WITH &&);",
    },
    "ALTER TABLE reservations ADD CONSTRAINT reservations_room_key UNIQUE USING INDEX reservations_room_idx;",
    "ALTER TABLE reservations DROP CONSTRAINT reservations_no_overlap;",
    "CREATE INDEX CONCURRENTLY reservations_during_idx ON reservations USING gist (during);",
  ],
  invalid: [
    {
      code: "ALTER TABLE reservations ADD CONSTRAINT reservations_no_overlap EXCLUDE USING gist (room_id WITH =, during WITH &&);",
      errors: [
        {
          messageId: "exclusion",
          data: { constraint: "reservations_no_overlap", table: "reservations", method: "GiST" },
          line: 1,
          column: 26,
          endLine: 1,
          endColumn: 116,
        },
      ],
    },
    {
      name: "unnamed, default method, one action of several, after a multi-byte comment, schema-qualified",
      code: "-- réservations sans chevauchement\nALTER TABLE booking.\"Reservations\" ADD COLUMN note text, ADD EXCLUDE (room_id WITH =) WHERE (active), ALTER COLUMN note SET DEFAULT '';",
      errors: [
        {
          messageId: "exclusion",
          data: { constraint: "(unnamed)", table: 'booking."Reservations"', method: "B-tree" },
          line: 2,
          column: 58,
          endLine: 2,
          endColumn: 101,
        },
      ],
    },
    {
      name: "a table created in another migration is existing, even when this file creates a different one",
      code: "CREATE TABLE rooms (id bigint PRIMARY KEY);\nALTER TABLE ONLY reservations ADD CONSTRAINT c EXCLUDE USING spgist (during WITH &&) DEFERRABLE INITIALLY DEFERRED;",
      errors: [{ messageId: "exclusion", data: { constraint: "c", table: "reservations", method: "SP-GiST" }, line: 2, column: 31 }],
    },
    {
      name: "in a DO block",
      code: "DO $$ BEGIN ALTER TABLE reservations ADD CONSTRAINT c EXCLUDE USING gist (during WITH &&); END $$;",
      errors: [{ messageId: "exclusion", data: { constraint: "c", table: "reservations", method: "GiST" }, line: 1, column: 38, endLine: 1, endColumn: 90 }],
    },
  ],
});
