import rule from "../../rules/require-lock-timeout.js";
import { runSqlRule } from "../helpers/sql-rule-tester.js";

const SET = "SET lock_timeout = '2s';\n";
const AE_USERS = { locks: "an ACCESS EXCLUSIVE lock on users", queued: "all reads and writes of users" };
const addTimeout = (output: string) => ({ messageId: "addLockTimeout", data: { timeout: "2s" }, output });
/** The suggestion for a statement that starts line `line` (1-based) of `code` at column 1. */
const addTimeoutAtLine = (code: string, line: number) => {
  const lines = code.split("\n");
  lines[line - 1] = SET + lines[line - 1];
  return addTimeout(lines.join("\n"));
};

type InvalidCase = { name?: string; code: string; settings?: Record<string, unknown>; errors: Record<string, unknown>[] };
/** Errors that do not spell out their suggestion get the usual one: SET inserted before their line. */
const withSuggestions = (c: InvalidCase) => ({
  ...c,
  errors: c.errors.map((e) => ("suggestions" in e ? e : { ...e, suggestions: [addTimeoutAtLine(c.code, typeof e.line === "number" ? e.line : 1)] })),
});

runSqlRule(rule, {
  valid: [
    "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN nickname text;",
    "SET lock_timeout TO 5000;\nDROP TABLE old_sessions;",
    {
      name: "SET LOCAL inside an explicit transaction covers the statements after it",
      code: "BEGIN;\nSET LOCAL lock_timeout = '5s';\nALTER TABLE users ADD COLUMN nickname text;\nCREATE INDEX idx_users_nickname ON users (nickname);\nCOMMIT;",
    },
    {
      name: "set_config(…, false) sets it for the session",
      code: "SELECT set_config('lock_timeout', '3s', false);\nALTER TABLE users ALTER COLUMN email SET NOT NULL;",
    },
    {
      name: "the runner sets lock_timeout",
      code: "ALTER TABLE users ADD COLUMN nickname text;\nDROP INDEX idx_users_email;",
      settings: { "migration-safety": { assumeLockTimeout: true } },
    },
    {
      name: "tables created earlier in the migration are nobody else's yet",
      code: "CREATE TABLE accounts (id bigint PRIMARY KEY, email text);\nCREATE INDEX accounts_email ON accounts (email);\nALTER TABLE accounts ADD COLUMN name text;\nCREATE TRIGGER accounts_touch BEFORE UPDATE ON accounts FOR EACH ROW EXECUTE FUNCTION touch();\nDROP INDEX accounts_email;",
    },
    {
      name: "a materialized view created earlier in the migration",
      code: "CREATE MATERIALIZED VIEW daily_totals AS SELECT 1 AS day WITH NO DATA;\nCREATE UNIQUE INDEX daily_totals_day ON daily_totals (day);\nREFRESH MATERIALIZED VIEW daily_totals;",
    },
    {
      name: "a table that is both new and referenced only by new tables",
      code: "CREATE TABLE orgs (id bigint PRIMARY KEY);\nCREATE TABLE teams (id bigint, org_id bigint REFERENCES orgs (id));",
    },
    {
      name: "locks that do not block reads or writes need no timeout for this rule",
      code: [
        "CREATE INDEX CONCURRENTLY idx_users_email ON users (email);",
        "DROP INDEX CONCURRENTLY idx_users_old;",
        "REINDEX INDEX CONCURRENTLY idx_users_email;",
        "ALTER TABLE users VALIDATE CONSTRAINT users_org_fk;",
        "ALTER TABLE users ALTER COLUMN email SET STATISTICS 500;",
        "ALTER TABLE users SET (fillfactor = 90);",
        "CREATE TABLE users_archive (LIKE users) INHERITS (users);",
        "VACUUM (ANALYZE) users;",
        "UPDATE users SET nickname = name WHERE id < 1000;",
      ].join("\n"),
    },
    {
      name: "LOCK … NOWAIT fails at once instead of queueing",
      code: "BEGIN;\nLOCK TABLE users IN ACCESS EXCLUSIVE MODE NOWAIT;\nCOMMIT;",
    },
    "BEGIN;\nLOCK TABLE users IN ROW EXCLUSIVE MODE;\nCOMMIT;",
    {
      name: "statements that lock no table we can name",
      code: "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\nDROP FUNCTION old_fn();",
    },
    {
      name: "ATTACH PARTITION of a table built in this migration takes only SHARE UPDATE EXCLUSIVE on the parent",
      code: "CREATE TABLE events_2026 (LIKE events INCLUDING ALL);\nALTER TABLE events ATTACH PARTITION events_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');",
    },
  ],
  invalid: ([
    {
      code: "ALTER TABLE users ADD COLUMN nickname text;",
      errors: [
        {
          messageId: "missingLockTimeout",
          data: AE_USERS,
          line: 1,
          column: 1,
          endLine: 1,
          endColumn: 43,
          suggestions: [addTimeout(`${SET}ALTER TABLE users ADD COLUMN nickname text;`)],
        },
      ],
    },
    {
      name: "after a multi-byte comment; CREATE INDEX blocks writes only",
      code: "-- añadir índice\nCREATE INDEX idx_users_email ON app.\"Users\" (email);",
      errors: [
        {
          messageId: "missingLockTimeout",
          data: { locks: 'a SHARE lock on app."Users"', queued: 'all writes to app."Users"' },
          line: 2,
          column: 1,
          endLine: 2,
          endColumn: 52,
          suggestions: [addTimeout(`-- añadir índice\n${SET}CREATE INDEX idx_users_email ON app."Users" (email);`)],
        },
      ],
    },
    {
      name: "multi-action ALTER TABLE: the strongest lock per table, and the referenced table of a foreign key",
      code: "ALTER TABLE orders\n  ALTER COLUMN total SET STATISTICS 500,\n  ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;",
      errors: [
        {
          messageId: "missingLockTimeout",
          data: { locks: "a SHARE ROW EXCLUSIVE lock on orders and users", queued: "all writes to orders and users" },
          line: 1,
          column: 1,
          endLine: 3,
          endColumn: 86,
          suggestions: [
            addTimeout(
              `${SET}ALTER TABLE orders\n  ALTER COLUMN total SET STATISTICS 500,\n  ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;`,
            ),
          ],
        },
      ],
    },
    {
      name: "different locks on different tables are all named, strongest first",
      code: "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id), ADD COLUMN note text;",
      errors: [
        {
          messageId: "missingLockTimeout",
          data: {
            locks: "an ACCESS EXCLUSIVE lock on orders and a SHARE ROW EXCLUSIVE lock on users",
            queued: "all reads and writes of orders and all writes to users",
          },
        },
      ],
    },
    {
      name: "a new table's foreign key locks the existing table it references",
      code: "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));",
      errors: [
        {
          messageId: "missingLockTimeout",
          data: { locks: "a SHARE ROW EXCLUSIVE lock on users", queued: "all writes to users" },
          suggestions: [addTimeout(`${SET}CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));`)],
        },
      ],
    },
    {
      name: "altering a new table still locks the existing table it references, and only that one is named",
      code: "CREATE TABLE orders (id bigint, user_id bigint);\nALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);",
      errors: [{ messageId: "missingLockTimeout", line: 2, data: { locks: "a SHARE ROW EXCLUSIVE lock on users", queued: "all writes to users" } }],
    },
    {
      name: "each statement is reported, with its own suggestion; indentation is kept",
      code: "BEGIN;\n  ALTER TABLE users DROP COLUMN legacy;\n  DROP TABLE old_sessions;\nCOMMIT;",
      errors: [
        {
          messageId: "missingLockTimeout",
          data: AE_USERS,
          line: 2,
          column: 3,
          endLine: 2,
          endColumn: 39,
          suggestions: [addTimeout(`BEGIN;\n  ${SET}  ALTER TABLE users DROP COLUMN legacy;\n  DROP TABLE old_sessions;\nCOMMIT;`)],
        },
        {
          messageId: "missingLockTimeout",
          data: { locks: "an ACCESS EXCLUSIVE lock on old_sessions", queued: "all reads and writes of old_sessions" },
          line: 3,
          column: 3,
          endLine: 3,
          endColumn: 26,
          suggestions: [addTimeout(`BEGIN;\n  ALTER TABLE users DROP COLUMN legacy;\n  ${SET}  DROP TABLE old_sessions;\nCOMMIT;`)],
        },
      ],
    },
    {
      name: "lock_timeout = 0 turns the timeout off",
      code: "SET lock_timeout = 0;\nALTER TABLE users ADD COLUMN nickname text;",
      errors: [{ messageId: "missingLockTimeout", line: 2, data: AE_USERS }],
    },
    {
      name: "SET LOCAL outside a transaction block has no effect",
      code: "SET LOCAL lock_timeout = '2s';\nALTER TABLE users ADD COLUMN nickname text;",
      errors: [{ messageId: "missingLockTimeout", line: 2 }],
    },
    {
      name: "SET LOCAL ends with its transaction",
      code: "BEGIN;\nSET LOCAL lock_timeout = '2s';\nALTER TABLE users ADD COLUMN a text;\nCOMMIT;\nALTER TABLE users ADD COLUMN b text;",
      errors: [{ messageId: "missingLockTimeout", line: 5 }],
    },
    {
      name: "RESET goes back to the server default, which is no timeout unless the runner sets one",
      code: "SET lock_timeout = '2s';\nRESET lock_timeout;\nALTER TABLE users ADD COLUMN nickname text;",
      errors: [{ messageId: "missingLockTimeout", line: 3 }],
    },
    {
      name: "DROP INDEX: the table is not in the statement, and is named as the index's table",
      code: "DROP INDEX idx_users_email, app.idx_users_name;",
      errors: [
        {
          messageId: "missingLockTimeout",
          data: {
            locks: "an ACCESS EXCLUSIVE lock on the table of index idx_users_email and the table of index idx_users_name",
            queued: "all reads and writes of the table of index idx_users_email and the table of index idx_users_name",
          },
          line: 1,
          column: 1,
          endLine: 1,
          endColumn: 47,
          suggestions: [addTimeout(`${SET}DROP INDEX idx_users_email, app.idx_users_name;`)],
        },
      ],
    },
    {
      name: "DROP INDEX of an index this migration built on an existing table names the table",
      code: "SET lock_timeout = '2s';\nCREATE INDEX idx_users_tmp ON users (email);\nRESET lock_timeout;\nDROP INDEX idx_users_tmp;",
      errors: [{ messageId: "missingLockTimeout", line: 4, data: AE_USERS }],
    },
    {
      name: "REINDEX INDEX blocks writes to the index's table",
      code: "REINDEX INDEX idx_users_email;",
      errors: [
        {
          messageId: "missingLockTimeout",
          data: { locks: "a SHARE lock on the table of index idx_users_email", queued: "all writes to the table of index idx_users_email" },
        },
      ],
    },
    {
      name: "an explicit LOCK TABLE waits like any other statement",
      code: "BEGIN;\nLOCK TABLE users;\nCOMMIT;",
      errors: [{ messageId: "missingLockTimeout", line: 2, column: 1, endColumn: 17, data: AE_USERS }],
    },
    {
      name: "hostile names are quoted",
      code: 'ALTER TABLE "Odd ""Name""" ADD COLUMN x int;',
      errors: [{ messageId: "missingLockTimeout", data: { locks: 'an ACCESS EXCLUSIVE lock on "Odd ""Name"""', queued: 'all reads and writes of "Odd ""Name"""' } }],
    },
    {
      name: "inside a DO block: reported on the inner statement, with no suggestion",
      code: "DO $$\nBEGIN\n  ALTER TABLE users ADD COLUMN nickname text;\nEND\n$$;",
      errors: [{ messageId: "missingLockTimeout", data: AE_USERS, line: 3, column: 3, endLine: 3, endColumn: 45, suggestions: [] }],
    },
    {
      name: "PostgreSQL 12+: ATTACH PARTITION locks the attached table, not the parent, with ACCESS EXCLUSIVE",
      code: "ALTER TABLE events ATTACH PARTITION events_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');",
      errors: [
        {
          messageId: "missingLockTimeout",
          data: { locks: "an ACCESS EXCLUSIVE lock on events_2026", queued: "all reads and writes of events_2026" },
        },
      ],
    },
    {
      name: "PostgreSQL 11: ATTACH PARTITION also takes ACCESS EXCLUSIVE on the parent",
      code: "ALTER TABLE events ATTACH PARTITION events_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');",
      settings: { "migration-safety": { postgresVersion: 11 } },
      errors: [
        {
          messageId: "missingLockTimeout",
          data: { locks: "an ACCESS EXCLUSIVE lock on events and events_2026", queued: "all reads and writes of events and events_2026" },
        },
      ],
    },
    {
      name: "PostgreSQL 11: attaching a new table still locks the parent",
      code: "CREATE TABLE events_2026 (LIKE events INCLUDING ALL);\nALTER TABLE events ATTACH PARTITION events_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');",
      settings: { "migration-safety": { postgresVersion: 11 } },
      errors: [{ messageId: "missingLockTimeout", line: 2, data: { locks: "an ACCESS EXCLUSIVE lock on events", queued: "all reads and writes of events" } }],
    },
    {
      name: "a materialized view created here does not exempt another one",
      code: "CREATE MATERIALIZED VIEW weekly_totals AS SELECT 1 AS week;\nREFRESH MATERIALIZED VIEW daily_totals;",
      errors: [{ messageId: "missingLockTimeout", line: 2, data: { locks: "an ACCESS EXCLUSIVE lock on daily_totals", queued: "all reads and writes of daily_totals" } }],
    },
    {
      name: "CREATE TABLE … PARTITION OF locks the parent",
      code: "CREATE TABLE events_2027 PARTITION OF events FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');",
      errors: [{ messageId: "missingLockTimeout", data: { locks: "an ACCESS EXCLUSIVE lock on events", queued: "all reads and writes of events" } }],
    },
  ] satisfies InvalidCase[]).map(withSuggestions),
});
