import { describe, expect, it } from "vitest";
import rule from "../../rules/no-unchecked-statement.js";
import { lintSql, ruleIds } from "../helpers/lint.js";
import { runSqlRule } from "../helpers/sql-rule-tester.js";

const because = (reason: string) => ({ reason });

runSqlRule(rule, {
  valid: [
    "CREATE TABLE accounts (id bigint PRIMARY KEY);\nALTER TABLE accounts ADD COLUMN email text;",
    {
      name: "a DO block of plain PL/pgSQL statements is analysed",
      code: "DO $$\nBEGIN\n  ALTER TABLE users ADD COLUMN nickname text;\n  UPDATE users SET nickname = name WHERE nickname IS NULL;\nEND\n$$;",
    },
    {
      name: "EXECUTE of a constant string is analysed like the statement it runs",
      code: "DO $$ BEGIN EXECUTE 'ALTER TABLE users ADD COLUMN nickname text'; END $$;",
    },
    {
      name: "EXECUTE of a dollar-quoted constant",
      code: "DO $$ BEGIN EXECUTE $q$CREATE INDEX CONCURRENTLY idx_users_nickname ON users (nickname)$q$; END $$;",
    },
    {
      name: "an explicit LANGUAGE plpgsql",
      code: "DO LANGUAGE plpgsql $$ BEGIN PERFORM pg_sleep(0); END $$;",
    },
    "",
    "-- only a comment\n",
  ],
  invalid: [
    {
      name: "a syntax error among valid statements: only that statement, with the error position",
      code: "CREATE TABLE a (id int);\nALTER TABLE a ADD COLUMN b int WHERE;\nCREATE INDEX ON a (id);",
      errors: [
        {
          messageId: "unchecked",
          data: because('syntax error at or near "WHERE" (line 2, column 32)'),
          line: 2,
          column: 1,
          endLine: 2,
          endColumn: 37,
        },
      ],
    },
    {
      name: "the error position counts characters, not UTF-8 bytes",
      code: "SELECT 'é', 'ü' FROM WHERE;",
      errors: [{ messageId: "unchecked", data: because('syntax error at or near "WHERE" (line 1, column 22)'), line: 1, column: 1, endLine: 1, endColumn: 27 }],
    },
    {
      name: "an error at the first token gives no separate position",
      code: "-- índice\nCREAT INDEX ON a (id);",
      errors: [{ messageId: "unchecked", data: because('syntax error at or near "CREAT"'), line: 2, column: 1, endLine: 2, endColumn: 22 }],
    },
    {
      name: "two broken statements are two reports (an error at the end of input points at the last character)",
      code: "ALTER TABLE a ADD COLUMN b int WHERE;\nSELECT 1;\nDROP TABLE;",
      errors: [
        { messageId: "unchecked", data: because('syntax error at or near "WHERE" (line 1, column 32)'), line: 1 },
        { messageId: "unchecked", data: because("syntax error at end of input (line 3, column 10)"), line: 3 },
      ],
    },
    {
      name: "SQL built at run time in a DO block",
      code: "DO $$\nDECLARE tbl text := 'users';\nBEGIN\n  EXECUTE format('ALTER TABLE %I ADD COLUMN nickname text', tbl);\nEND\n$$;",
      errors: [
        {
          messageId: "unchecked",
          data: because("EXECUTE of SQL built at run time (format('ALTER TABLE %I ADD COLUMN nickname text', tbl)) is not analysed"),
          line: 1,
          column: 1,
          endLine: 6,
          endColumn: 3,
        },
      ],
    },
    {
      name: "string concatenation is run-time SQL too",
      code: "DO $$ BEGIN EXECUTE 'ALTER TABLE users ADD COLUMN ' || 'x int'; END $$;",
      errors: [{ messageId: "unchecked", data: because("EXECUTE of SQL built at run time ('ALTER TABLE users ADD COLUMN ' || 'x int') is not analysed") }],
    },
    {
      name: "a constant EXECUTE that does not parse points into the string",
      code: "DO $$ BEGIN EXECUTE 'SELEC 1'; END $$;",
      errors: [{ messageId: "unchecked", data: because('syntax error at or near "SELEC" (in a DO block)'), line: 1, column: 22, endLine: 1, endColumn: 29 }],
    },
    {
      name: "a DO body that PL/pgSQL cannot parse",
      code: "DO $$ BEGIN ALTER TABLE t ADD COLUMN; END $$;",
      errors: [{ messageId: "unchecked", data: because("its PL/pgSQL body does not parse (syntax error at end of input)") }],
    },
    {
      name: "a NUL byte",
      code: "SELECT 1;\nSELECT 2\u0000;\nSELECT 3;",
      errors: [
        {
          messageId: "unchecked",
          data: because("it contains a NUL byte (binary content?), which PostgreSQL cannot run (line 2, column 9)"),
          line: 2,
          column: 1,
          endLine: 2,
          endColumn: 10,
        },
      ],
    },
    {
      name: "an unterminated quote after valid statements swallows the rest of the file",
      code: "CREATE TABLE a (id int);\nINSERT INTO a VALUES (1);\nUPDATE a SET id = 'oops WHERE id = 1;\nDROP TABLE a;\n",
      errors: [
        {
          messageId: "unchecked",
          data: because("unterminated quoted string starting on line 3; the rest of the file was not checked (line 3, column 19)"),
          line: 3,
          column: 1,
          endLine: 4,
          endColumn: 14,
        },
      ],
    },
    {
      name: "a DO block in another language",
      code: "DO LANGUAGE plperl $$ my $n = 1; $$;",
      errors: [{ messageId: "unchecked", data: because("a DO block in language plperl is not analysed"), line: 1, column: 1, endLine: 1, endColumn: 36 }],
    },
  ],
});

describe("no-unchecked-statement with other rules", () => {
  it("a syntax error costs only its own statement: the statements after it are still checked", () => {
    const messages = lintSql("ALTER TABLE a ADD COLUMN b int WHERE;\nCREATE INDEX idx_a_id ON a (id);", {
      rules: ["no-unchecked-statement", "require-concurrent-index"],
    });
    expect(ruleIds(messages)).toEqual(["no-unchecked-statement", "require-concurrent-index"]);
    expect(messages.map((m) => m.line)).toEqual([1, 2]);
  });

  it("a DO block that mixes static and run-time SQL: the static statements are checked, the dynamic one reported", () => {
    const messages = lintSql("DO $$\nBEGIN\n  CREATE INDEX idx_a_id ON a (id);\n  EXECUTE format('DROP TABLE %I', 'a');\nEND\n$$;", {
      rules: ["no-unchecked-statement", "require-concurrent-index"],
    });
    expect(ruleIds(messages).sort()).toEqual(["no-unchecked-statement", "require-concurrent-index"]);
  });
});
