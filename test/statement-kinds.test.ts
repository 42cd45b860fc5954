/**
 * `meta.statementKinds` is a promise that the rule reports nothing on other statements. Check it on every fixture
 * and, when present, on the shared corpus: the rule with and without the filter finds exactly the same.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { allRules } from "../rules/index.js";
import { markerKind } from "../src/context/conventions.js";
import { readSettings } from "../src/context/settings.js";
import { runRule } from "../src/eslint/to-eslint-rule.js";
import { parseDocument } from "../src/sql/document.js";

function sqlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".sql"))
    .map((e) => join(e.parentPath, e.name));
}

const files = [
  ...sqlFiles(fileURLToPath(new URL("../fixtures/", import.meta.url))),
  ...sqlFiles(fileURLToPath(new URL("../../shared/corpus/sql/", import.meta.url))),
];

it(`rules with statementKinds report the same with and without the filter (${files.length} files)`, () => {
  const filtered = allRules.filter((rule) => rule.meta.statementKinds);
  expect(filtered.length).toBeGreaterThan(5);
  const settings = readSettings(undefined);
  for (const path of files) {
    const outcome = parseDocument(readFileSync(path, "utf8"), { markerKind });
    if (!outcome.ok) continue;
    for (const rule of filtered) {
      const unfiltered = { ...rule, meta: { ...rule.meta, statementKinds: undefined } };
      const a = [...runRule(rule, outcome.document, settings, path)].map((f) => [f.messageId, f.range]);
      const b = [...runRule(unfiltered, outcome.document, settings, path)].map((f) => [f.messageId, f.range]);
      expect(a, `${rule.name} on ${path}`).toEqual(b);
    }
  }
}, 120_000);
