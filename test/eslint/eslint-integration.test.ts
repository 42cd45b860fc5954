/**
 * The plugin through ESLint's public Node API, the way the CLI, an editor and CI run it.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ESLint, type Linter } from "eslint";
import { defineConfig } from "eslint/config";
import { describe, expect, it } from "vitest";
import plugin from "../../src/index.js";

/**
 * The recommended configs, with the runner assumed to set lock_timeout so that these tests see one finding per
 * statement (require-lock-timeout has its own tests).
 */
const recommended: Linter.Config[] = [...plugin.configs.recommended, { settings: { "migration-safety": { assumeLockTimeout: true } } }];

function eslintWith(config: Linter.Config[] = recommended, cwd?: string): ESLint {
  return new ESLint({ overrideConfigFile: true, overrideConfig: config, ...(cwd ? { cwd } : {}) });
}

async function lint(code: string, filePath = "db/migrations/001.sql", eslint = eslintWith()): Promise<Linter.LintMessage[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages;
}

const brief = (messages: Linter.LintMessage[]) =>
  messages.map((m) => ({ rule: m.ruleId, line: m.line, column: m.column, endLine: m.endLine, endColumn: m.endColumn }));

describe("configs.recommended", () => {
  it("lints .sql files in the usual migration folders and reports positions ESLint-style (1-based columns)", async () => {
    const messages = await lint("-- añadir índice\nCREATE INDEX idx ON users (email);\n");
    expect(brief(messages)).toEqual([{ rule: "migration-safety/require-concurrent-index", line: 2, column: 1, endLine: 2, endColumn: 34 }]);
  });

  it("matches the documented migration locations", async () => {
    const eslint = eslintWith();
    for (const path of ["migrations/1.sql", "db/migrate/2024_x.sql", "prisma/migrations/2024/migration.sql", "supabase/migrations/1_init.sql", "drizzle/0001_x.sql"]) {
      expect(await eslint.isPathIgnored(path), path).toBe(false);
      const config = await eslint.calculateConfigForFile(path);
      expect(config?.language, path).toBe(plugin.languages.sql);
    }
    expect(await eslint.calculateConfigForFile("queries/report.sql")).toBeUndefined();
  });

  it("keeps findings of valid statements when one statement does not parse", async () => {
    const messages = await lint("CREATE INDEX a ON t (x);\nALTER TABLE t ADD COLUMN;\nCREATE INDEX b ON t (y);");
    expect(brief(messages).map((m) => [m.rule, m.line])).toEqual([
      ["migration-safety/require-concurrent-index", 1],
      ["migration-safety/no-unchecked-statement", 2],
      ["migration-safety/require-concurrent-index", 3],
    ]);
    expect(messages[1]!.message).toContain("not checked");
    expect(messages[1]!.severity).toBe(2);
  });

  it("turns an unsplittable file into a fatal parsing error with line and column", async () => {
    const messages = await lint("\n\nSELECT 'never closed");
    expect(messages).toEqual([
      expect.objectContaining({ ruleId: null, fatal: true, severity: 2, line: 3, column: 8, message: expect.stringMatching(/^Parsing error: unterminated quoted string/) }),
    ]);
  });
});

describe("inline configuration comments", () => {
  it("honours -- eslint-disable-next-line with a reason", async () => {
    const code = "-- eslint-disable-next-line migration-safety/require-concurrent-index -- 12-row lookup table\nCREATE INDEX i ON countries (code);";
    expect(await lint(code)).toEqual([]);
  });

  it("honours /* eslint-disable */ … /* eslint-enable */ blocks and eslint-disable-line", async () => {
    const code = [
      "/* eslint-disable migration-safety/require-concurrent-index */",
      "CREATE INDEX a ON t (x);",
      "/* eslint-enable migration-safety/require-concurrent-index */",
      "CREATE INDEX b ON t (y); -- eslint-disable-line migration-safety/require-concurrent-index",
      "CREATE INDEX c ON t (z);",
    ].join("\n");
    expect(brief(await lint(code)).map((m) => m.line)).toEqual([5]);
  });

  it("applies /* eslint rule: off */ configuration comments", async () => {
    expect(await lint('/* eslint migration-safety/require-concurrent-index: "off" */\nCREATE INDEX a ON t (x);')).toEqual([]);
  });

  it("reports an unused disable directive when asked to", async () => {
    const eslint = eslintWith([...recommended, { linterOptions: { reportUnusedDisableDirectives: "error" } }]);
    const messages = await lint("-- eslint-disable-next-line migration-safety/no-rename-column -- not needed\nSELECT 1;", "migrations/1.sql", eslint);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.message).toMatch(/Unused eslint-disable directive/);
  });
});

describe("plugin registration", () => {
  it("works under another plugin key thanks to meta.namespace", async () => {
    const eslint = eslintWith([
      { files: ["**/*.sql"], plugins: { ms: plugin as never }, language: "ms/sql", rules: { "ms/require-concurrent-index": "error" } },
    ]);
    const messages = await lint("CREATE INDEX a ON t (x);", "x.sql", eslint);
    expect(messages.map((m) => m.ruleId)).toEqual(["ms/require-concurrent-index"]);
  });

  it("applies configs.sql under a user's own files pattern", async () => {
    const eslint = eslintWith(defineConfig([{ files: ["schema/changes/**/*.sql"], extends: [plugin.configs.sql], settings: { "migration-safety": { assumeLockTimeout: true } } }]));
    expect((await lint("CREATE INDEX a ON t (x);", "schema/changes/7.sql", eslint)).map((m) => m.ruleId)).toEqual(["migration-safety/require-concurrent-index"]);
    expect(await eslint.calculateConfigForFile("other/7.sql")).toBeUndefined();
  });

  it("ignores language options meant for JavaScript that reach .sql files through unscoped configs", async () => {
    const eslint = eslintWith([{ languageOptions: { sourceType: "module" } } as Linter.Config, ...recommended]);
    expect(await lint("CREATE INDEX CONCURRENTLY a ON t (x);", "migrations/1.sql", eslint)).toEqual([]);
  });
});

describe("many files", () => {
  it("lints every file of a folder even when some cannot be parsed or are binary", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ms-"));
    mkdirSync(join(dir, "migrations"));
    writeFileSync(join(dir, "migrations", "001_bad.sql"), "SELECT $$ never closed");
    writeFileSync(join(dir, "migrations", "002_binary.sql"), Buffer.from([0x00, 0xff, 0xfe, 0x3b, 0x00, 0x41]));
    writeFileSync(join(dir, "migrations", "003_index.sql"), "CREATE INDEX i ON t (a);");
    writeFileSync(join(dir, "migrations", "004_empty.sql"), "");
    const results = await eslintWith(recommended, dir).lintFiles(["migrations"]);
    const byFile = Object.fromEntries(results.map((r) => [r.filePath.slice(dir.length + 1), r.messages.map((m) => m.ruleId ?? "fatal")]));
    expect(byFile).toEqual({
      "migrations/001_bad.sql": ["fatal"],
      "migrations/002_binary.sql": ["migration-safety/no-unchecked-statement", "migration-safety/no-unchecked-statement"],
      "migrations/003_index.sql": ["migration-safety/require-concurrent-index"],
      "migrations/004_empty.sql": [],
    });
  });
});
