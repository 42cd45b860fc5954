/**
 * The migration history model: tables, columns (with types and nullability), constraints, indexes and the
 * transitions in flight, read from the project's migrations; and the schema before each migration for the rules.
 */
export * from "./model.js";
export { buildModel, History, type MigrationSource, type HistorySettings } from "./history.js";
export { HistoryTimeline, migrationScope, type MigrationLoader } from "./timeline.js";
export { readSchemaSettings, parseSchemaSettings, type SchemaSettings, type DeclaredTransition } from "./settings.js";
export {
  loadSchemaModel,
  loadSchemaHistory,
  loadTimeline,
  rememberDocument,
  migrationsFingerprint,
  findFiles,
  compareMigrationPaths,
  defaultMigrationGlobs,
  registerMigrationReader,
  clearSchemaCache,
  type MigrationReader,
  type LoadOptions,
  type HistoryOptions,
  type FingerprintOptions,
} from "./load.js";
