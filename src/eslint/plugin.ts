/**
 * The ESLint plugin object: the SQL language, every rule, and the flat configs.
 */
import type { Linter } from "eslint";
import type { RuleDefinition } from "@eslint/core";
import { allRules } from "../../rules/index.js";
import type { MigrationRule } from "../rule.js";
import { APP_SQL_RULES, appRules } from "../app/index.js";
import { packageInfo } from "../package-info.js";
import { MIGRATION_JS_FILES, MIGRATION_SQL_FILES, MIGRATION_TS_FILES } from "../schema/migration-places.js";
import { SqlLanguage } from "./sql-language.js";
import { typescriptParser } from "./typescript-parser.js";
import { PLUGIN_NAMESPACE, SQL_LANGUAGE, toEslintRule } from "./to-eslint-rule.js";

const { name, version } = packageInfo();

/** Where migrations live in the common setups: `configs.recommended` lints them (and the history model reads them). */
export { MIGRATION_JS_FILES, MIGRATION_SQL_FILES, MIGRATION_TS_FILES };


const rules: Record<string, RuleDefinition> = {
  ...Object.fromEntries(allRules.map((rule) => [rule.name, toEslintRule(rule)])),
  // Application-code rules: ESLint rules written directly (they read app code against the migrations' history).
  ...(appRules as unknown as Record<string, RuleDefinition>),
};

const ruleSet = (rules: readonly MigrationRule[]): Linter.RulesRecord =>
  Object.fromEntries(rules.map((rule) => [`${PLUGIN_NAMESPACE}/${rule.name}`, "error"]));
const recommendedRules = ruleSet(allRules.filter((rule) => rule.meta.recommended));
/** Recommended plus the style rules (prefer-jsonb, prefer-timestamptz, …, require-statement-timeout). */
const strictRules = ruleSet(allRules);

const plugin = {
  meta: { name, version, namespace: PLUGIN_NAMESPACE },
  languages: { sql: new SqlLanguage() },
  rules,
  configs: {} as {
    /** The rules for any .sql file: use with `extends` under your own `files`. */
    sql: Linter.Config;
    /** The same rules for JavaScript migration files (any .js/.mjs/.cjs file: narrow it with `files`). */
    javascript: Linter.Config;
    /** The same rules for TypeScript migration files, with typescript-eslint's parser (when installed). */
    typescript: Linter.Config;
    /** All of it, on migration files in the usual places. */
    recommended: Linter.Config[];
    /** `recommended` plus the style rules, which are opinions rather than outages. */
    strict: Linter.Config[];
    /** The application-code rules: JS/TS outside the migrations, and .sql outside them (reports, views, BI queries). */
    app: Linter.Config[];
  },
};

plugin.configs.sql = {
  name: `${PLUGIN_NAMESPACE}/sql`,
  files: ["**/*.sql"],
  plugins: { [PLUGIN_NAMESPACE]: plugin as never },
  language: SQL_LANGUAGE,
  rules: recommendedRules,
};
plugin.configs.javascript = {
  name: `${PLUGIN_NAMESPACE}/javascript`,
  files: ["**/*.{js,mjs,cjs}"],
  plugins: { [PLUGIN_NAMESPACE]: plugin as never },
  rules: recommendedRules,
};
plugin.configs.typescript = {
  name: `${PLUGIN_NAMESPACE}/typescript`,
  files: ["**/*.{ts,mts,cts}"],
  plugins: { [PLUGIN_NAMESPACE]: plugin as never },
  ...(typescriptParser ? { languageOptions: { parser: typescriptParser } } : {}),
  rules: recommendedRules,
};
/** The per-language configs on migration files in the usual places, with a given rule set. */
const onMigrations = (set: "recommended" | "strict", rules: Linter.RulesRecord): Linter.Config[] => [
  { ...plugin.configs.sql, name: `${PLUGIN_NAMESPACE}/${set}/sql`, files: MIGRATION_SQL_FILES, rules },
  { ...plugin.configs.javascript, name: `${PLUGIN_NAMESPACE}/${set}/javascript`, files: MIGRATION_JS_FILES, rules },
  ...(typescriptParser ? [{ ...plugin.configs.typescript, name: `${PLUGIN_NAMESPACE}/${set}/typescript`, files: MIGRATION_TS_FILES, rules }] : []),
];
plugin.configs.recommended = onMigrations("recommended", recommendedRules);
plugin.configs.strict = onMigrations("strict", strictRules);

plugin.configs.app = [
  {
    name: `${PLUGIN_NAMESPACE}/app/code`,
    files: ["**/*.{ts,tsx,js,mjs,cjs,mts,cts}"],
    ignores: [...MIGRATION_JS_FILES, ...MIGRATION_TS_FILES],
    plugins: { [PLUGIN_NAMESPACE]: plugin as never },
    ...(typescriptParser ? { languageOptions: { parser: typescriptParser } } : {}),
    rules: Object.fromEntries(Object.keys(appRules).map((id) => [`${PLUGIN_NAMESPACE}/${id}`, "error"])),
  },
  {
    name: `${PLUGIN_NAMESPACE}/app/sql`,
    files: ["**/*.sql"],
    ignores: MIGRATION_SQL_FILES,
    plugins: { [PLUGIN_NAMESPACE]: plugin as never },
    language: SQL_LANGUAGE,
    rules: Object.fromEntries(APP_SQL_RULES.map((id) => [`${PLUGIN_NAMESPACE}/${id}`, "error"])),
  },
];

export default plugin;
