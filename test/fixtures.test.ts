/**
 * The bundled examples do what the README's demo says: each unsafe migration is reported by the rule it is named
 * after, and the expand step of the WORKFLOW.md example lints clean.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { allRules } from "../rules/index.js";
import { lintSql } from "./helpers/lint.js";

const root = new URL("../fixtures/", import.meta.url);
const unsafe = readdirSync(new URL("unsafe/migrations/", root)).filter((f) => f.endsWith(".sql"));

describe("fixtures/unsafe", () => {
  it("has one migration per rule", () => {
    const rules = readdirSync(new URL("../rules/", root)).filter((f) => f.endsWith(".ts") && f !== "index.ts").map((f) => f.replace(/\.ts$/, ""));
    expect(unsafe.map((f) => f.replace(/\.sql$/, "")).sort()).toEqual(rules.sort());
  });

  it.each(unsafe)("%s is reported by its rule", (file) => {
    const code = readFileSync(new URL(`unsafe/migrations/${file}`, root), "utf8");
    const rule = file.replace(/\.sql$/, "");
    // The recommended rules, plus the fixture's own rule when it is a style rule (configs.strict).
    const rules = [...new Set([...allRules.filter((r) => r.meta.recommended).map((r) => r.name), rule])];
    const messages = lintSql(code, { filename: `migrations/${file}`, rules });
    expect(messages.map((m) => m.ruleId)).toContain(`migration-safety/${rule}`);
    // A rename written as drop + add is also a drop; every other fixture shows exactly one problem.
    const others = new Set(messages.map((m) => m.ruleId).filter((id) => id !== `migration-safety/${rule}`));
    expect([...others]).toEqual(rule === "no-rename-by-drop" ? ["migration-safety/no-drop-column"] : []);
  });
});

describe("fixtures/workflow", () => {
  it("the expand migration lints clean", () => {
    const dir = new URL("workflow/migrations/", root);
    for (const file of readdirSync(dir)) {
      expect(lintSql(readFileSync(new URL(file, dir), "utf8"), { filename: `migrations/${file}` }), file).toEqual([]);
    }
  });
});
