/**
 * Smoke run over the TypeScript migrations of the shared corpus (../shared/corpus/ts: Kysely and MikroORM projects,
 * outside the repository; skipped with a notice when absent) through configs.typescript: every file gets a result,
 * none is a fatal error, and everything reported as not analysed is one of the cases we can defend — SQL completed
 * at run time by a helper function, or a statement PostgreSQL itself rejects.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";
import plugin from "../../src/index.js";

const corpus = fileURLToPath(new URL("../../../shared/corpus/ts/", import.meta.url));
const present = existsSync(corpus);
if (!present) console.log(`NOTICE: ${corpus} not found; the TypeScript corpus smoke test is skipped.`);

describe.skipIf(!present)("TypeScript corpus", () => {
  it("lints every migration without a crash or a fatal error, and says why what it could not read was not analysed", async () => {
    const files = readdirSync(corpus, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && /\.(ts|mts|cts|js)$/.test(e.name))
      .map((e) => join(e.parentPath, e.name));
    const eslint = new ESLint({ cwd: corpus, overrideConfigFile: true, overrideConfig: [plugin.configs.typescript] });
    const results = await eslint.lintFiles(files);
    expect(results).toHaveLength(files.length);
    const fatal = results.flatMap((r) => r.messages.filter((m) => m.fatal).map((m) => `${r.filePath}: ${m.message}`));
    expect(fatal).toEqual([]);

    const unchecked = results.flatMap((r) => r.messages.filter((m) => m.ruleId === "migration-safety/no-unchecked-statement").map((m) => m.message));
    for (const message of unchecked) {
      expect(message).toMatch(
        new RegExp(
          [
            // A helper builds part of the SQL: named in the message, with what it could not read.
            "the SQL is completed at run time by `[^`]+`, which cannot be read without running the code",
            "the SQL is built by a call \\(`[^`]+`\\) that cannot be read without running the code",
            // SQL that PostgreSQL rejects as written (e.g. `DROP COLUMN IF NOT EXISTS`), with its place in the file.
            "syntax error at or near \"[^\"]+\" \\(line \\d+, column \\d+\\)",
          ].join("|"),
        ),
      );
    }

    // The two frameworks are read, not skipped: their builder calls and addSql strings produce findings.
    const rules = new Set(results.flatMap((r) => r.messages.map((m) => m.ruleId)));
    for (const rule of ["no-rename-column", "no-drop-column", "require-concurrent-index", "no-add-required-column", "no-unbounded-update"]) {
      expect(rules).toContain(`migration-safety/${rule}`);
    }
  }, 120_000);
});
