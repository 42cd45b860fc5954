/**
 * The plugin keeps its promises as a package: every rule is registered, documented, tested and linkable; the
 * configs load in a real ESLint; the doc pages' examples behave as they say.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import plugin from "../src/index.js";
import { allRules } from "../rules/index.js";
import { lintSql } from "./helpers/lint.js";

const root = new URL("../", import.meta.url);
const ruleFiles = readdirSync(new URL("rules/", root))
  .filter((f) => f.endsWith(".ts") && f !== "index.ts")
  .map((f) => f.replace(/\.ts$/, ""))
  .sort();
/** Application-code rules (src/app/rules/): ESLint rules written directly, tested in test/app/. */
const appRuleFiles = readdirSync(new URL("src/app/rules/", root))
  .filter((f) => f.endsWith(".ts"))
  .map((f) => f.replace(/\.ts$/, ""))
  .sort();

describe("rule registry", () => {
  it("registers exactly the rule files in rules/, each under its file name", () => {
    expect(allRules.map((r) => r.name).sort()).toEqual(ruleFiles);
    expect(Object.keys(plugin.rules).sort()).toEqual([...ruleFiles, ...appRuleFiles].sort());
  });

  it("puts every recommended rule in configs.recommended and configs.sql", () => {
    const recommended = allRules.filter((r) => r.meta.recommended).map((r) => `migration-safety/${r.name}`).sort();
    expect(Object.keys(plugin.configs.sql.rules ?? {}).sort()).toEqual(recommended);
    for (const config of plugin.configs.recommended) expect(Object.keys(config.rules ?? {}).sort()).toEqual(recommended);
    // The check that reports unparsable statements must be on in every shipped config.
    expect(recommended).toContain("migration-safety/no-unchecked-statement");
  });
});

describe.each(ruleFiles)("rule %s", (name) => {
  const rule = plugin.rules[name]!;

  it("has meta for ESLint: type, description, docs url, messages, schema, languages", () => {
    expect(["problem", "suggestion"]).toContain(rule.meta?.type);
    expect(rule.meta?.docs?.description).toMatch(/^(Enforce|Require|Disallow) .+[^. ]$/);
    expect(rule.meta?.docs?.url).toBe(`https://github.com/eslint-plugin-migration-safety/eslint-plugin-migration-safety/blob/main/docs/rules/${name}.md`);
    expect(rule.meta?.schema).toEqual([]);
    expect(rule.meta?.languages).toEqual(["migration-safety/sql", "js/js"]);
    for (const message of Object.values(rule.meta?.messages ?? {})) expect(message).toMatch(/^[^a-z].*\.$/s);
  });

  it("has a test file", () => {
    expect(existsSync(new URL(`test/rules/${name}.test.ts`, root))).toBe(true);
  });

  const docPath = new URL(`docs/rules/${name}.md`, root);
  it("has a doc page with the required sections", () => {
    const doc = readFileSync(docPath, "utf8");
    expect(doc.startsWith(`# migration-safety/${name}\n`)).toBe(true);
    expect(doc).toContain(rule.meta!.docs!.description!);
    for (const heading of ["## What breaks", "## Lock taken", "## Safe alternative", "## How to verify", "## Examples", "### Incorrect", "### Correct"]) {
      expect(doc, `${name}.md lacks "${heading}"`).toContain(heading);
    }
  });

  it("doc examples: every Incorrect block is reported by the rule, no Correct block is", () => {
    const doc = readFileSync(docPath, "utf8");
    const examples = doc.slice(doc.indexOf("## Examples"));
    const section = (title: string): string[] => {
      const start = examples.indexOf(`### ${title}`);
      const end = examples.indexOf("\n#", start + 1);
      return [...examples.slice(start, end < 0 ? undefined : end).matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]!);
    };
    const incorrect = section("Incorrect");
    const correct = section("Correct");
    expect(incorrect.length).toBeGreaterThan(0);
    expect(correct.length).toBeGreaterThan(0);
    for (const code of incorrect) {
      const messages = lintSql(code, { rules: [name] });
      expect(messages.filter((m) => m.ruleId === `migration-safety/${name}`), code).not.toHaveLength(0);
    }
    for (const code of correct) expect(lintSql(code, { rules: [name] }), code).toEqual([]);
  });
});

describe.each(appRuleFiles)("app rule %s", (name) => {
  const rule = plugin.rules[name]!;

  it("has meta for ESLint, is in configs.app, has a test file and a doc page with the required sections", () => {
    expect(["problem", "suggestion"]).toContain(rule.meta?.type);
    expect(rule.meta?.docs?.description).toMatch(/^(Enforce|Require|Disallow) .+[^. ]$/);
    expect(rule.meta?.docs?.url).toBe(`https://github.com/eslint-plugin-migration-safety/eslint-plugin-migration-safety/blob/main/docs/rules/${name}.md`);
    expect(rule.meta?.languages?.[0]).toBe("js/js");
    for (const message of Object.values(rule.meta?.messages ?? {})) expect(message).toMatch(/^[^a-z].*\.$/s);
    expect(plugin.configs.app.some((config) => config.rules?.[`migration-safety/${name}`] === "error")).toBe(true);
    expect(existsSync(new URL(`test/app/${name}.test.ts`, root))).toBe(true);
    const doc = readFileSync(new URL(`docs/rules/${name}.md`, root), "utf8");
    expect(doc.startsWith(`# migration-safety/${name}\n`)).toBe(true);
    expect(doc).toContain(rule.meta!.docs!.description!);
    for (const heading of ["## What breaks", "## Lock taken", "## Safe alternative", "## How to verify", "## Examples", "### Incorrect", "### Correct"]) {
      expect(doc, `${name}.md lacks "${heading}"`).toContain(heading);
    }
  });
});

describe("docs/rules", () => {
  it("has a page for every rule and no page without a rule", () => {
    const pages = readdirSync(new URL("docs/rules/", root)).map((f) => f.replace(/\.md$/, "")).sort();
    expect(pages).toEqual([...ruleFiles, ...appRuleFiles].sort());
  });
});

describe("start-up", () => {
  // Every lint pays for what loading the plugin loads: the TypeScript compiler (half a second) waits for the first
  // TypeScript file, so a project of .sql migrations never loads it.
  it("loading the built plugin does not load TypeScript; parsing a .ts migration through its config does", () => {
    const script = `
      import { createRequire } from "node:module";
      const require = createRequire(import.meta.url);
      const loaded = () => Object.keys(require.cache).some((path) => /node_modules[\\\\/]typescript[\\\\/]/.test(path));
      const { default: plugin } = await import("./dist/src/index.js");
      const before = loaded();
      const { Linter } = await import("eslint");
      const messages = new Linter().verify("export async function up(knex: any): Promise<void> { await knex.schema.table('users', (t) => t.dropColumn('email')); }", plugin.configs.typescript, "m.ts");
      console.log(JSON.stringify({ before, after: loaded(), rules: messages.map((m) => m.ruleId) }));
    `;
    const output = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: fileURLToPath(root), encoding: "utf8" });
    expect(JSON.parse(output)).toEqual({ before: false, after: true, rules: expect.arrayContaining(["migration-safety/no-drop-column"]) });
  });
});
