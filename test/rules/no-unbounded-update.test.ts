import rule from "../../rules/no-unbounded-update.js";
import { runSqlRule } from "../helpers/sql-rule-tester.js";

const workflowBatch = `UPDATE users u SET display_name = normalize(u.full_name)
FROM (SELECT id FROM users WHERE display_name IS NULL AND id > $1 ORDER BY id LIMIT 1000 FOR UPDATE SKIP LOCKED) b
WHERE u.id = b.id RETURNING u.id;`;

runSqlRule(rule, {
  valid: [
    { name: "the batch form of WORKFLOW.md step 3", code: workflowBatch },
    "UPDATE users SET display_name = normalize(full_name) WHERE id BETWEEN $1 AND $2;",
    "UPDATE users SET display_name = full_name WHERE id >= $1 AND id < $1 + 1000 AND display_name IS NULL;",
    "DELETE FROM sessions WHERE id = 42;",
    "DELETE FROM sessions WHERE id IN (1, 2, 3);",
    "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE expires_at < now() ORDER BY id LIMIT 5000);",
    "DELETE FROM sessions WHERE id = ANY(ARRAY(SELECT id FROM sessions WHERE expires_at < now() LIMIT 5000));",
    "DELETE FROM sessions USING (SELECT id FROM sessions WHERE expires_at < now() LIMIT 5000) b WHERE sessions.id = b.id;",
    "WITH batch AS (SELECT id FROM users WHERE display_name IS NULL ORDER BY id LIMIT 1000)\nUPDATE users SET display_name = full_name FROM batch WHERE users.id = batch.id;",
    "UPDATE users SET display_name = full_name WHERE CURRENT OF users_cursor;",
    {
      name: "a table created earlier in the same migration may be filled in one statement",
      code: "CREATE TABLE user_names (id bigint PRIMARY KEY, name text);\nUPDATE user_names SET name = lower(name);\nDELETE FROM user_names;",
    },
    {
      name: "a batch-shaped UPDATE inside a DO block loop, comparing with PL/pgSQL variables",
      code: `DO $$
DECLARE
  last_id bigint := 0;
  next_id bigint;
BEGIN
  LOOP
    SELECT max(id) INTO next_id FROM (SELECT id FROM users WHERE id > last_id ORDER BY id LIMIT 1000) s;
    EXIT WHEN next_id IS NULL;
    UPDATE users SET display_name = full_name WHERE id > last_id AND id <= next_id;
    last_id := next_id;
    COMMIT;
  END LOOP;
END $$;`,
    },
    {
      name: "a row-at-a-time loop over a record variable",
      code: "DO $$\nDECLARE r record;\nBEGIN\n  FOR r IN SELECT id FROM users WHERE display_name IS NULL LIMIT 100 LOOP\n    UPDATE users SET display_name = full_name WHERE id = r.id;\n  END LOOP;\nEND $$;",
    },
    "SELECT count(*) FROM users WHERE display_name IS NULL;",
    "INSERT INTO audit (what) VALUES ('backfill started');",
  ],
  invalid: [
    {
      code: "UPDATE users SET display_name = full_name;",
      errors: [{ messageId: "noWhere", data: { verb: "UPDATE", table: "users" }, line: 1, column: 1, endLine: 1, endColumn: 42 }],
    },
    {
      name: "the unbounded backfill after a multi-byte comment",
      code: "-- remplit display_name (étape 3)\nUPDATE users SET display_name = full_name WHERE display_name IS NULL;",
      errors: [{ messageId: "unboundedWhere", data: { verb: "UPDATE", table: "users" }, line: 2, column: 1, endLine: 2, endColumn: 69 }],
    },
    {
      code: "DELETE FROM events WHERE created_at < now();",
      errors: [{ messageId: "unboundedWhere", data: { verb: "DELETE", table: "events" }, line: 1, column: 1, endLine: 1, endColumn: 44 }],
    },
    {
      name: "a column added in this migration does not make the table new",
      code: "ALTER TABLE users ADD COLUMN display_name text;\nUPDATE users SET display_name = full_name;",
      errors: [{ messageId: "noWhere", data: { verb: "UPDATE", table: "users" }, line: 2, column: 1, endLine: 2, endColumn: 42 }],
    },
    {
      name: "a one-sided range is not a batch",
      code: "DELETE FROM app.\"Events\" WHERE id > $1;",
      errors: [{ messageId: "unboundedWhere", data: { verb: "DELETE", table: 'app."Events"' }, line: 1, column: 1, endLine: 1, endColumn: 39 }],
    },
    {
      name: "a LIMITed subquery that is not joined on the key updates every row",
      code: "UPDATE users SET display_name = full_name FROM (SELECT id FROM users LIMIT 1000) b WHERE users.display_name IS NULL;",
      errors: [{ messageId: "unboundedWhere", data: { verb: "UPDATE", table: "users" }, line: 1, column: 1 }],
    },
    {
      name: "inside a DO block, reported on the inner statement",
      code: "DO $$\nBEGIN\n  UPDATE users SET display_name = full_name WHERE display_name IS NULL;\nEND $$;",
      errors: [{ messageId: "unboundedWhere", data: { verb: "UPDATE", table: "users" }, line: 3, column: 3, endLine: 3, endColumn: 71 }],
    },
    {
      name: "a data-modifying WITH query",
      code: "WITH moved AS (DELETE FROM events WHERE created_at < now() - interval '90 days' RETURNING *)\nINSERT INTO events_archive SELECT * FROM moved;",
      errors: [{ messageId: "unboundedWhere", data: { verb: "DELETE", table: "events" }, line: 1, column: 1, endLine: 2, endColumn: 47 }],
    },
    {
      name: "a table created later in the file is still an existing table here",
      code: "DELETE FROM t;\nCREATE TABLE IF NOT EXISTS t (a int);",
      errors: [{ messageId: "noWhere", data: { verb: "DELETE", table: "t" }, line: 1, column: 1, endLine: 1, endColumn: 14 }],
    },
  ],
});
