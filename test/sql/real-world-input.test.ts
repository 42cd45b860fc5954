/**
 * What real migration folders contain besides plain SQL: psql meta-commands, COPY … FROM stdin data, templating
 * placeholders. Each is understood or reported, never a parse failure of the whole file.
 */
import { describe, expect, it } from "vitest";
import { parseDocument, type SqlDocument } from "../../src/sql/document.js";
import { maskTemplating } from "../../src/sql/templating.js";

function parse(text: string): SqlDocument {
  const outcome = parseDocument(text);
  if (!outcome.ok) throw new Error(outcome.message);
  return outcome.document;
}
const summary = (doc: SqlDocument) => doc.statements.map((s) => (s.checked ? s.type : `unchecked: ${s.reason}`));

describe("psql scripts", () => {
  it("skips client-side meta-commands and parses the SQL around them", () => {
    const doc = parse("\\set ON_ERROR_STOP on\n\\connect app\nBEGIN;\n\\if :is_prod\nALTER TABLE users ADD COLUMN x int;\n\\endif\nCOMMIT;\n");
    expect(summary(doc)).toEqual(["TransactionStmt", "AlterTableStmt", "TransactionStmt"]);
    expect(doc.metaCommands.map((m) => m.name)).toEqual(["set", "connect", "if", "endif"]);
  });

  it("reports the meta-commands that run SQL it cannot see", () => {
    const doc = parse("SELECT 1;\n\\i 002_more.sql\nSELECT format('DROP TABLE %I', tablename) FROM pg_tables WHERE tablename LIKE 'tmp_%'\n\\gexec\n");
    expect(summary(doc)).toEqual([
      "SelectStmt",
      "unchecked: the psql meta-command \\i runs another file, which is not checked here",
      "SelectStmt",
      "unchecked: the psql meta-command \\gexec runs the result of the query before it as SQL, which is not checked here",
    ]);
  });

  it("skips COPY … FROM stdin data up to the \\. line", () => {
    const text = "COPY countries (code, name) FROM stdin;\nFR\tFrance; it's 'quoted'\nDE\tDeutschland\n\\.\nALTER TABLE countries ADD COLUMN region text;\n";
    const doc = parse(text);
    expect(summary(doc)).toEqual(["CopyStmt", "AlterTableStmt"]);
    expect(doc.copyData).toHaveLength(1);
    expect(text.slice(doc.copyData[0]![0], doc.copyData[0]![1])).toContain("Deutschland");
  });

  it("keeps COPY … FROM a file as an ordinary statement", () => {
    expect(summary(parse("COPY t FROM '/tmp/x.csv' WITH (FORMAT csv);\nSELECT 1;"))).toEqual(["CopyStmt", "SelectStmt"]);
  });
});

describe("templating placeholders", () => {
  it("masks ${var}, {{ var }} and psql :var, :'var', :\"var\" with same-length stand-ins", () => {
    const text = "ALTER TABLE ${schema}.users ADD COLUMN c int DEFAULT :'dflt';\nCREATE INDEX ON {{ schema }}.t (:\"col\");\nSET search_path = :path;";
    const masked = maskTemplating(text);
    expect(masked.text).toHaveLength(text.length);
    expect(masked.text).toBe("ALTER TABLE __schema_.users ADD COLUMN c int DEFAULT  'dflt';\nCREATE INDEX ON ___schema___.t ( \"col\");\nSET search_path = _path;");
    expect(masked.placeholders).toHaveLength(5);
  });

  it("leaves casts, assignments, array slices and times alone", () => {
    const text = "SELECT a::int, arr[1:n], '12:30', x FROM t; DO $$ DECLARE v int := 1; BEGIN END $$;";
    expect(maskTemplating(text)).toEqual({ text, placeholders: [] });
  });

  it("lets templated statements parse, and keeps the original text for what users see", () => {
    const text = "ALTER TABLE ${schema}.users RENAME COLUMN full_name TO display_name;";
    const doc = parse(text);
    expect(summary(doc)).toEqual(["RenameStmt"]);
    expect(doc.statements[0]!.text).toBe("ALTER TABLE ${schema}.users RENAME COLUMN full_name TO display_name");
  });
});
