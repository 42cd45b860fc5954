/**
 * The trace's three reports on a real run (PGlite), with timings fixed so they can be snapshotted: the terminal
 * table, the markdown for a pull request (which must parse, with every table row as wide as its header), and JSON.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromMarkdown } from "mdast-util-from-markdown";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TraceRun } from "../../src/trace/model.js";
import { code, escapeText, formatJson, formatMarkdown, formatText, summarize } from "../../src/trace/report.js";
import { traceMigrations } from "../../src/trace/trace.js";

let folder = "";
let run: TraceRun;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), "migration-safety-report-"));
  const write = (name: string, sql: string): void => writeFileSync(join(folder, name), sql);
  write("001_init.sql", "CREATE TABLE accounts (id int PRIMARY KEY, name varchar(10));\nCREATE TABLE payments (id int PRIMARY KEY, account_id int NOT NULL REFERENCES accounts (id));\n");
  write(
    "002_change.sql",
    [
      "-- +goose Up",
      "ALTER TABLE accounts ADD COLUMN score float8 DEFAULT random();",
      "CREATE INDEX accounts_name ON accounts (name);",
      "-- +goose Down",
      "ALTER TABLE accounts DROP COLUMN score;",
      "",
    ].join("\n"),
  );
  write("003_concurrent.sql", "SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY payments_account ON payments (account_id);\nCREATE EXTENSION no_such_extension;\n");
  const traced = await traceMigrations({ targets: [join(folder, "002_change.sql"), join(folder, "003_concurrent.sql")], history: [folder], rows: 20, cwd: folder });
  run = fixTimings(traced);
}, 60_000);

afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Timings and the engine's exact version vary from run to run; everything else is PostgreSQL's behaviour. */
function fixTimings(traced: TraceRun): TraceRun {
  return {
    ...traced,
    engine: { ...traced.engine, version: "18.x" },
    ms: 42,
    seeding: traced.seeding && { ...traced.seeding, ms: 7, tables: traced.seeding.tables.map((t) => ({ ...t, ms: 3 })) },
    files: traced.files.map((file) => ({
      ...file,
      statements: file.statements.map((s) => ({ ...s, ms: s.ms === null ? null : 1.5, locks: s.locks.map((l) => ({ ...l, heldMs: 1.5 })) })),
    })),
  };
}

describe("trace reports", () => {
  it("text: a table per statement, then the summary", () => {
    expect(formatText(run)).toMatchSnapshot();
  });

  it("markdown: parses, every table row as wide as its header", () => {
    const markdown = formatMarkdown(run);
    expect(markdown).toMatchSnapshot();
    const tree = fromMarkdown(markdown);
    expect(tree.children[0]).toMatchObject({ type: "heading", depth: 2 });
    const cells = (line: string): number => line.replace(/\\\|/g, "").split("|").length;
    const rows = markdown.split("\n").filter((line) => line.startsWith("|"));
    expect(rows.length).toBeGreaterThan(3);
    for (const row of rows) expect(cells(row)).toBe(cells(rows[0]!));
  });

  it("json: one object per statement with file, line, statement, locks, rewritten, ms and findings", () => {
    const rows = JSON.parse(formatJson(run)) as Record<string, unknown>[];
    expect(rows.map((r) => [r.file, r.line, r.statement])).toEqual([
      ["002_change.sql", 2, "ALTER TABLE accounts ADD COLUMN score float8 DEFAULT random()"],
      ["002_change.sql", 3, "CREATE INDEX accounts_name ON accounts (name)"],
      ["003_concurrent.sql", 1, "SET lock_timeout = '2s'"],
      ["003_concurrent.sql", 2, "CREATE INDEX CONCURRENTLY payments_account ON payments (account_id)"],
      ["003_concurrent.sql", 3, "CREATE EXTENSION no_such_extension"],
    ]);
    expect(rows[0]).toMatchObject({
      locks: [
        { relation: "accounts", mode: "ACCESS EXCLUSIVE", kind: "table" },
        { relation: "accounts_pkey", mode: "ACCESS EXCLUSIVE", kind: "index" },
      ],
      rewritten: ["accounts", "accounts_pkey"],
      ms: 1.5,
      findings: ["require-lock-timeout", "no-volatile-default"],
    });
    // goose runs the file in one transaction: the index build extends the ACCESS EXCLUSIVE lock of line 2.
    expect(rows[1]).toMatchObject({ findings: ["require-lock-timeout", "require-concurrent-index", "no-statement-after-exclusive-lock"] });
    expect(rows[4]).toMatchObject({ traced: false, ms: null, findings: [] });
  });

  it("summarises what was traced, not traced (grouped), found and disputed", () => {
    const summary = summarize(run);
    expect(summary).toMatchObject({ statements: 5, traced: 4, failed: 1 });
    expect(summary.notTraced).toEqual([{ reason: 'failed: extension "…" is not available', where: ["003_concurrent.sql:3"] }]);
    expect([...summary.findings.keys()].sort()).toEqual(["no-statement-after-exclusive-lock", "no-volatile-default", "require-concurrent-index", "require-lock-timeout"]);
  });
});

describe("markdown escaping", () => {
  it("code spans survive backticks and pipes", () => {
    expect(code("a|b")).toBe("`a\\|b`");
    expect(code("x `y` z")).toBe("``x `y` z``");
    expect(code("`edge`")).toBe("`` `edge` ``");
  });

  it("plain text cannot open HTML, emphasis or a table cell", () => {
    expect(escapeText('<script> a|b *c* _d_ & "e"')).toBe('\\<script\\> a\\|b \\*c\\* \\_d\\_ &amp; "e"');
  });
});
