/**
 * The boundary lexer must agree with PostgreSQL's own scanner (libpg-query scanSync) on where comments are and
 * which semicolons end statements — checked on generated input mixing every construct that can hide a semicolon.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lex } from "../../src/sql/lexer.js";
import { scanSql } from "../../src/sql/pg-parser.js";
import { SourceText } from "../../src/sql/source-text.js";

const fragment = fc.constantFrom(
  "select", "alter", "table", "t", "\"quo\"\"ted;\"", "é", "a$b", "x1", "$1", "1.5", ".5", "42",
  "'it''s;'", "E'a\\'b;'", "e'\\\\'", "B'01'", "U&'d\\0061t'", "$$ ; ' $$", "$tag$ x;$ $ta $tag$", "$a$$a$",
  "-- c ; ' \n", "/* a /* nested ; */ b */", "/**/", ";", ";", ",", "(", ")", "+", "-", "*", "/", "=", "<>", "::",
  "\n", " ", "\t", "\r\n",
);
const unterminated = fc.constantFrom("'abc", "/* x", "$q$ x", "\"id", "E'\\'");
const separator = fc.constantFrom("", " ", "\n");
const sqlText = fc
  .tuple(fc.array(fc.tuple(fragment, separator), { maxLength: 40 }), fc.oneof({ arbitrary: fc.constant(""), weight: 4 }, { arbitrary: unterminated, weight: 1 }))
  .map(([parts, tail]) => parts.map(([f, s]) => f + s).join("") + tail);

interface Reference {
  comments: [number, number][];
  terminators: number[];
}

/** Comments and top-level semicolons according to PostgreSQL's scanner, in UTF-16 indices; null if it fails. */
function reference(text: string): Reference | null {
  const tokens = scanSql(text);
  if (!tokens) return null;
  const source = new SourceText(text);
  const comments: [number, number][] = [];
  const terminators: number[] = [];
  let depth = 0;
  let empty = true; // an empty statement (`;;`) is not a statement: the lexer yields no segment for it
  for (const t of tokens) {
    const range: [number, number] = [source.indexOfByte(t.start), source.indexOfByte(t.end)];
    if (t.tokenName === "SQL_COMMENT" || t.tokenName === "C_COMMENT") {
      comments.push(range);
      continue;
    }
    if (t.text === ";" && depth <= 0) {
      if (!empty) terminators.push(range[0]);
      depth = 0;
      empty = true;
      continue;
    }
    empty = false;
    if (t.text === "(") depth++;
    else if (t.text === ")") depth--;
  }
  return { comments, terminators };
}

describe("lex", () => {
  it("finds the same comments and statement-ending semicolons as PostgreSQL's scanner", () => {
    let compared = 0;
    fc.assert(
      fc.property(sqlText, (text) => {
        const ours = lex(text);
        // A backslash outside a literal is a psql meta-command to us and an operator character to the server's
        // scanner: a deliberate difference (psql runs migration files), so such inputs are not compared.
        if (ours.metaCommands.length > 0) return;
        const ref = reference(text);
        if (ours.error) {
          // Whatever we call unterminated, PostgreSQL's scanner must reject too.
          expect(ref, text).toBeNull();
          return;
        }
        if (!ref) return; // e.g. trailing junk after a number: a scanner error we need not predict
        compared++;
        // PostgreSQL's scanner includes a line comment's newline in nothing and stops at it, as we do.
        expect(ours.comments.map((c) => c.range), text).toEqual(ref.comments);
        expect(ours.segments.map((s) => s.terminator).filter((t) => t !== null), text).toEqual(ref.terminators);
      }),
      { numRuns: 2000 },
    );
    expect(compared).toBeGreaterThan(500);
  });

  it("splits at top-level semicolons only", () => {
    const text = "CREATE FUNCTION f() RETURNS text AS $$ select ';' $$ LANGUAGE sql; SELECT 'a;b'; -- x;\nSELECT (1);";
    const { segments } = lex(text);
    expect(segments.map((s) => text.slice(s.range[0], s.range[1]))).toEqual([
      "CREATE FUNCTION f() RETURNS text AS $$ select ';' $$ LANGUAGE sql",
      "SELECT 'a;b'",
      "SELECT (1)",
    ]);
  });

  it("keeps a BEGIN ATOMIC function body in one statement, as psql does", () => {
    const text = "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END; SELECT 3;";
    const { segments } = lex(text);
    expect(segments).toHaveLength(2);
    expect(text.slice(segments[1]!.range[0], segments[1]!.range[1])).toBe("SELECT 3");
  });

  it("reports where an unterminated construct starts and where its statement starts", () => {
    const text = "SELECT 1;\nUPDATE t SET a = 'oops\nWHERE id = 1;";
    const { error, segments } = lex(text);
    expect(segments).toHaveLength(1);
    expect(error).toEqual({ message: "unterminated quoted string", index: text.indexOf("'oops"), statementStart: text.indexOf("UPDATE") });
    expect(lex("SELECT E'\\';").error?.index).toBe(7);
    expect(lex("/* a /* b */").error?.message).toBe("unterminated /* comment");
    expect(lex("DO $body$ x $bod$").error?.message).toBe("unterminated dollar-quoted string");
  });

  it("separates psql meta-commands from SQL", () => {
    const text = "\\set ON_ERROR_STOP on\nSELECT 1;\n\\i other.sql\n";
    const { metaCommands, segments } = lex(text);
    expect(metaCommands.map((m) => [m.name, text.slice(m.range[0], m.range[1])])).toEqual([
      ["set", "\\set ON_ERROR_STOP on"],
      ["i", "\\i other.sql"],
    ]);
    expect(segments.map((s) => text.slice(s.range[0], s.range[1]))).toEqual(["SELECT 1"]);
  });

});
