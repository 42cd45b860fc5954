/**
 * Where the history model looks for migrations by default: the places `configs.recommended` lints. A copy of the
 * lists in src/eslint/plugin.ts — importing them from there would make the plugin, the app rules and this model a
 * module cycle (the plugin registers the app rules, which read the model); test/schema/load.test.ts checks that the
 * copies agree, and plugin.ts can import these to make it one list.
 */

export const MIGRATION_SQL_FILES = [
  "**/migrations/**/*.sql",
  "**/migrate/**/*.sql",
  "prisma/migrations/**/migration.sql",
  "drizzle/**/*.sql",
  "supabase/migrations/*.sql",
  "db/migrate/**/*.sql",
];

export const MIGRATION_JS_FILES = ["**/migrations/**/*.{js,mjs,cjs}", "**/migration/**/*.{js,mjs,cjs}"];
export const MIGRATION_TS_FILES = ["**/migrations/**/*.{ts,mts,cts}", "**/migration/**/*.{ts,mts,cts}"];
