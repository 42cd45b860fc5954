/**
 * The app rules' doc pages say true things: every Incorrect example is reported by its rule, no Correct one is —
 * TypeScript examples through typescript-eslint's parser, SQL ones through the SQL language, both against the
 * history of fixtures/app (the pages say so).
 */
import { readFileSync } from "node:fs";
import { Linter } from "eslint";
import tsParser from "@typescript-eslint/parser";
import { describe, expect, it } from "vitest";
import plugin from "../../src/index.js";
import { appRules } from "../../src/app/index.js";
import { fixtureApp } from "./helpers.js";

const linter = new Linter({ configType: "flat", cwd: fixtureApp });
const history = { "migration-safety": { migrations: ["db/migrations/*.sql", "db/backfill/*.sql"] } };

function lint(name: string, language: "ts" | "sql", code: string): string[] {
  const rules = { [`migration-safety/${name}`]: "error" as const };
  const config: Linter.Config =
    language === "ts"
      ? { files: ["**/*.ts"], plugins: { "migration-safety": plugin as never }, languageOptions: { parser: tsParser as never }, settings: history, rules }
      : { files: ["**/*.sql"], plugins: { "migration-safety": plugin as never }, language: "migration-safety/sql", settings: history, rules };
  return linter.verify(code, [config], { filename: language === "ts" ? "src/example.ts" : "reports/example.sql" }).map((m) => m.ruleId ?? m.message);
}

describe.each(Object.keys(appRules))("docs/rules/%s.md", (name) => {
  const doc = readFileSync(new URL(`../../docs/rules/${name}.md`, import.meta.url), "utf8");
  const examples = doc.slice(doc.indexOf("## Examples"));
  const section = (title: string) => {
    const start = examples.indexOf(`### ${title}`);
    const ends = [examples.indexOf("\n### ", start + 1), examples.indexOf("\n## ", start)].filter((i) => i >= 0);
    return [...examples.slice(start, ends.length ? Math.min(...ends) : undefined).matchAll(/```(ts|sql)\n([\s\S]*?)```/g)].map((m) => ({ language: m[1] as "ts" | "sql", code: m[2]! }));
  };

  it("every Incorrect example is reported by the rule", () => {
    const incorrect = section("Incorrect");
    expect(incorrect.length).toBeGreaterThan(0);
    for (const { language, code } of incorrect) expect(lint(name, language, code), code).toContain(`migration-safety/${name}`);
  });

  it("no Correct example is", () => {
    const correct = section("Correct");
    expect(correct.length).toBeGreaterThan(0);
    for (const { language, code } of correct) expect(lint(name, language, code), code).toEqual([]);
  });
});
