import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { allRules } from "../rules/index.js";
import { withRulesTable } from "../tools/rules-table.js";

it("README's rules table lists every rule with its description (run `npm run docs:table` to update)", () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  expect(readme).toBe(withRulesTable(readme, allRules));
});

it("README's test command is what .ci/run runs", () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const ci = readFileSync(new URL("../.ci/run", import.meta.url), "utf8");
  expect(readme).toContain("```sh\nnpm install\nnpm test\n```");
  expect(ci.trim().split("\n").at(-1)).toBe("npm test");
});
