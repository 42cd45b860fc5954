/**
 * The ESLint plugin object: the SQL language, every rule, and the flat configs.
 */
import type { Linter } from "eslint";
import type { RuleDefinition } from "@eslint/core";
import { allRules } from "../../rules/index.js";
import { packageInfo } from "../package-info.js";
import { SqlLanguage } from "./sql-language.js";
import { PLUGIN_NAMESPACE, SQL_LANGUAGE, toEslintRule } from "./to-eslint-rule.js";

const { name, version } = packageInfo();

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
