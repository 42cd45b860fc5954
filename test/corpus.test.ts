/**
 * Smoke run over the shared corpus of real migrations (../shared/corpus, outside the repository; skipped with a
 * notice when absent): every file gets a result, none is a fatal error, and every statement not checked is one we
 * know about — SQL built at run time inside DO blocks.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";
import plugin from "../src/index.js";

const corpus = fileURLToPath(new URL("../../shared/corpus/", import.meta.url));
const present = existsSync(corpus);
if (!present) console.log(`NOTICE: ${corpus} not found; the corpus smoke test is skipped.`);

describe.skipIf(!present)("corpus", () => {
  it("lints every .sql file without a crash or a fatal error", async () => {
    const root = join(corpus, "sql");
    const files = readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith(".sql"))
      .map((e) => join(e.parentPath, e.name));
    const eslint = new ESLint({ cwd: root, overrideConfigFile: true, overrideConfig: [plugin.configs.sql] });
    const results = await eslint.lintFiles(files);
    expect(results).toHaveLength(files.length);
    const fatal = results.flatMap((r) => r.messages.filter((m) => m.fatal).map((m) => `${r.filePath}: ${m.message}`));
    expect(fatal).toEqual([]);
    const unchecked = results.flatMap((r) => r.messages.filter((m) => m.ruleId === "migration-safety/no-unchecked-statement"));
    for (const m of unchecked) expect(m.message).toMatch(/EXECUTE of SQL built at run time/);
  }, 60_000);
});
