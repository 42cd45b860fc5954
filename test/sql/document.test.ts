import { describe, expect, it } from "vitest";
import { parseDocument, type SqlDocument } from "../../src/sql/document.js";
import type { Statement } from "../../src/sql/statement.js";

function parse(text: string): SqlDocument {
  const outcome = parseDocument(text);
  if (!outcome.ok) throw new Error(`unexpected fatal error: ${outcome.message}`);
  return outcome.document;
}

const summary = (statements: readonly Statement[]) =>
  statements.map((s) => [s.type, s.text, s.checked ? "" : s.reason]);

describe("parseDocument", () => {
  it("gives each statement its exact text and range, without the semicolon or trailing comments", () => {
    const text = "-- header\nCREATE TABLE a (id int); -- trailing\n\n/* lead */ ALTER TABLE a ADD COLUMN b text  ;\nSELECT 1 -- no semicolon\n";
    const doc = parse(text);
    expect(summary(doc.statements)).toEqual([
      ["CreateStmt", "CREATE TABLE a (id int)", ""],
      ["AlterTableStmt", "ALTER TABLE a ADD COLUMN b text", ""],
      ["SelectStmt", "SELECT 1", ""],
    ]);
    for (const s of doc.statements) expect(text.slice(s.range[0], s.range[1])).toBe(s.text);
    expect(doc.statements[1]!.loc).toEqual({ start: { line: 4, column: 11 }, end: { line: 4, column: 42 } });
    expect(doc.comments.map((c) => c.value)).toEqual([" header", " trailing", " lead ", " no semicolon"]);
  });

  it("converts libpg-query's byte offsets to string indices after multi-byte characters", () => {
    const text = "/* ünïcödé 😀 */ CREATE TABLE \"tä\" (ö int);\nALTER TABLE \"tä\" RENAME COLUMN ö TO ü;";
    const doc = parse(text);
    expect(doc.statements.map((s) => s.text)).toEqual(['CREATE TABLE "tä" (ö int)', 'ALTER TABLE "tä" RENAME COLUMN ö TO ü']);
    expect(doc.statements[1]!.range[0]).toBe(text.indexOf("ALTER"));
  });

  it("keeps every other statement when one does not parse, and reports that one with its error position", () => {
    const text = "ALTER TABLE a ADD COLUMN b int;\nALTER TABLE a ADD COLUMN;\nDROP TABLE c;";
    const doc = parse(text);
    expect(summary(doc.statements)).toEqual([
      ["AlterTableStmt", "ALTER TABLE a ADD COLUMN b int", ""],
      ["UncheckedStatement", "ALTER TABLE a ADD COLUMN", 'syntax error at end of input'],
      ["DropStmt", "DROP TABLE c", ""],
    ]);
    const bad = doc.statements[1]!;
    if (bad.checked) throw new Error("expected unchecked");
    expect(bad.focus[0]).toBeGreaterThanOrEqual(bad.range[0]);
    expect(bad.focus[1]).toBeLessThanOrEqual(bad.range[1] + 1);
  });

  it("points a syntax error at the right character after multi-byte text", () => {
    const text = "SELECT 'é';\nSELECT 'ü' FROM WHERE;";
    const bad = parse(text).statements[1]!;
    if (bad.checked) throw new Error("expected unchecked");
    expect(text.slice(bad.focus[0], bad.focus[0] + 5)).toBe("WHERE");
  });

  it("reports the rest of the file as unchecked after an unterminated string, keeping what came before", () => {
    const text = "CREATE INDEX i ON t (a);\nUPDATE t SET a = 'oops;\nDROP TABLE t;";
    const doc = parse(text);
    expect(summary(doc.statements)).toEqual([
      ["IndexStmt", "CREATE INDEX i ON t (a)", ""],
      ["UncheckedStatement", "UPDATE t SET a = 'oops;\nDROP TABLE t;", "unterminated quoted string starting on line 2; the rest of the file was not checked"],
    ]);
  });

  it("is a fatal error only when not even the first statement can be split off", () => {
    const outcome = parseDocument("-- comment\nSELECT $$never closed");
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.message).toMatch(/^unterminated dollar-quoted string; the file could not be split/);
    expect(outcome.source.positionOf(outcome.index)).toEqual({ line: 2, column: 7 });
  });

  it("accepts empty and comment-only files with no statements", () => {
    expect(parse("").statements).toEqual([]);
    expect(parse("  \n-- nothing here\n/* really */\n").statements).toEqual([]);
  });

  it("never lets a NUL byte cut a statement short (libpg-query would stop reading there)", () => {
    const doc = parse("SELECT 1;\nDROP TABLE users\0;\nSELECT 2;");
    expect(summary(doc.statements).map(([type]) => type)).toEqual(["SelectStmt", "UncheckedStatement", "SelectStmt"]);
  });

  it("analyses the statements a DO block runs, in order, right after the DO", () => {
    const text = [
      "DO $$",
      "BEGIN",
      "  ALTER TABLE users RENAME COLUMN a TO b;",
      "  IF NOT EXISTS (SELECT 1) THEN",
      "    EXECUTE 'DROP TABLE old_users';",
      "  END IF;",
      "  EXECUTE format('DROP TABLE %I', 'x');",
      "END $$;",
      "SELECT 1;",
    ].join("\n");
    const doc = parse(text);
    expect(summary(doc.statements)).toEqual([
      ["DoStmt", text.slice(0, text.indexOf(";\nSELECT 1")), ""],
      ["RenameStmt", "ALTER TABLE users RENAME COLUMN a TO b", ""],
      ["DropStmt", "DROP TABLE old_users", ""],
      ["UncheckedStatement", text.slice(0, text.indexOf(";\nSELECT 1")), "EXECUTE of SQL built at run time (format('DROP TABLE %I', 'x')) is not analysed"],
      ["SelectStmt", "SELECT 1", ""],
    ]);
    expect(doc.statements.map((s) => s.index)).toEqual([0, 1, 2, 3, 4]);
    expect(doc.statements[1]!.origin).toEqual({ kind: "do-block", doStatement: 0 });
    expect(doc.body.map((s) => s.type)).toEqual(["DoStmt", "SelectStmt"]);
    const rename = doc.statements[1]!;
    expect(text.slice(rename.range[0], rename.range[1])).toBe("ALTER TABLE users RENAME COLUMN a TO b");
  });

  it("reports DO blocks in other languages as not analysed", () => {
    const doc = parse("DO LANGUAGE plperl $$ print 1 $$;");
    expect(summary(doc.statements)[1]).toEqual(["UncheckedStatement", "DO LANGUAGE plperl $$ print 1 $$", "a DO block in language plperl is not analysed"]);
  });

  it("parses a 20,000-statement file in one pass with statements in order", () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `ALTER TABLE t${i % 7} ADD COLUMN c${i} int;`);
    const doc = parse(lines.join("\n"));
    expect(doc.statements).toHaveLength(20_000);
    expect(doc.statements[19_999]!.text).toBe("ALTER TABLE t0 ADD COLUMN c19999 int");
    expect(doc.statements[19_999]!.loc.start.line).toBe(20_000);
  });

  it("reports a file over the size limit as not checked, without parsing it", () => {
    const text = "ALTER TABLE users ADD COLUMN c int;\n".repeat(400);
    const outcome = parseDocument(text, { maxFileSizeMB: 0.01 });
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(summary(outcome.document.statements)).toEqual([
      ["UncheckedStatement", text, expect.stringMatching(/^the file is 0\.0 MB, larger than the 0\.01 MB this linter parses/)],
    ]);
  });

  it("parses large files statement by statement with the same result as in one pass", () => {
    const lines = Array.from({ length: 40_000 }, (_, i) => `-- step ${i}\nALTER TABLE t ADD COLUMN "c${i}" text DEFAULT 'é';`);
    const big = parse(lines.join("\n"));
    expect(big.source.text.length).toBeGreaterThan(1 << 20);
    const small = parse(lines.slice(0, 10).join("\n"));
    expect(big.statements.slice(0, 10).map((s) => [s.type, s.text, s.range])).toEqual(small.statements.map((s) => [s.type, s.text, s.range]));
    expect(big.statements).toHaveLength(40_000);
  });
});
