/**
 * The ESLint plugin object: the SQL language, every rule, and the flat configs.
 */
import type { Linter } from "eslint";
import type { RuleDefinition } from "@eslint/core";
import { existsSync, readFileSync } from "node:fs";
import { allRules } from "../../rules/index.js";
import { SqlLanguage } from "./sql-language.js";
import { PLUGIN_NAMESPACE, SQL_LANGUAGE, toEslintRule } from "./to-eslint-rule.js";

/** This package's package.json: found by walking up, as the module runs from src/ in tests and dist/src/ when built. */
function ownPackageJson(): { name: string; version: string } {
  for (let dir = new URL(".", import.meta.url); ; dir = new URL("..", dir)) {
    const candidate = new URL("package.json", dir);
    if (existsSync(candidate)) return JSON.parse(readFileSync(candidate, "utf8")) as { name: string; version: string };
    if (dir.pathname === "/") throw new Error("eslint-plugin-migration-safety: package.json not found");
  }
}

const { name, version } = ownPackageJson();

/** Where migrations live in the common setups; `configs.recommended` lints .sql files there. */
export const MIGRATION_SQL_FILES = [
  "**/migrations/**/*.sql",
  "**/migrate/**/*.sql",
  "prisma/migrations/**/migration.sql",
  "drizzle/**/*.sql",
  "supabase/migrations/*.sql",
  "db/migrate/**/*.sql",
];

const rules: Record<string, RuleDefinition> = Object.fromEntries(allRules.map((rule) => [rule.name, toEslintRule(rule)]));

const recommendedRules: Linter.RulesRecord = Object.fromEntries(
  allRules.filter((rule) => rule.meta.recommended).map((rule) => [`${PLUGIN_NAMESPACE}/${rule.name}`, "error"]),
);

const plugin = {
  meta: { name, version, namespace: PLUGIN_NAMESPACE },
  languages: { sql: new SqlLanguage() },
  rules,
  configs: {} as {
    /** The SQL rules for any .sql file: use with `extends` under your own `files`. */
    sql: Linter.Config;
    /** The SQL rules on migration files in the usual places. */
    recommended: Linter.Config[];
  },
};

plugin.configs.sql = {
  name: `${PLUGIN_NAMESPACE}/sql`,
  files: ["**/*.sql"],
  plugins: { [PLUGIN_NAMESPACE]: plugin as never },
  language: SQL_LANGUAGE,
  rules: recommendedRules,
};
plugin.configs.recommended = [{ ...plugin.configs.sql, name: `${PLUGIN_NAMESPACE}/recommended/sql`, files: MIGRATION_SQL_FILES }];

export default plugin;
