/**
 * ESLint's own RuleTester, set up for the SQL language. Each test file runs one rule, imported from rules/:
 *
 *   import rule from "../../rules/require-concurrent-index.js";
 *   runSqlRule(rule, { valid: [...], invalid: [...] });
 *
 * Cases may carry `settings: { "migration-safety": { postgresVersion: 11 } }`. RuleTester checks that every
 * suggestion's output still parses as SQL (a fatal parse error fails the test).
 */
import { RuleTester } from "eslint";
import plugin from "../../src/index.js";
import { toEslintRule } from "../../src/eslint/to-eslint-rule.js";
import type { MigrationRule } from "../../src/rule.js";

type Run = Parameters<RuleTester["run"]>[2];

export const sqlRuleTester = new RuleTester({
  plugins: { "migration-safety": plugin },
  language: "migration-safety/sql",
});

export function runSqlRule(rule: MigrationRule, tests: Run): void {
  sqlRuleTester.run(rule.name, toEslintRule(rule) as never, tests);
}
