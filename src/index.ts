/**
 * eslint-plugin-migration-safety: lint PostgreSQL migrations so schema changes stay safe for running code.
 *
 * Importing this module loads PostgreSQL's parser (WebAssembly) before anything else runs: see src/sql/pg-parser.ts.
 */
import plugin from "./eslint/plugin.js";

export default plugin;
export { SqlLanguage } from "./eslint/sql-language.js";
export { SqlSourceCode } from "./eslint/sql-source-code.js";
export type { SqlScript, SqlComment, SqlNode } from "./eslint/sql-ast.js";
export type { MigrationRule, Finding, Suggestion } from "./rule.js";
export type { MigrationSettings } from "./context/settings.js";
export { parseDocument } from "./sql/document.js";
/** The migration history model the app rules read, and the fingerprint that makes `eslint --cache` see migrations. */
export { migrationsFingerprint, loadSchemaModel } from "./schema/load.js";
export type { SchemaModel, Transition, TransitionPhase } from "./schema/model.js";
