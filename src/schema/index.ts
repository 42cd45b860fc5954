/**
 * The migration history model: tables, columns and the transitions in flight, read from the project's migrations.
 */
export * from "./model.js";
export { buildModel, type MigrationSource, type HistorySettings } from "./history.js";
export { readSchemaSettings, parseSchemaSettings, type SchemaSettings, type DeclaredTransition } from "./settings.js";
export {
  loadSchemaModel,
  migrationsFingerprint,
  findFiles,
  compareMigrationPaths,
  defaultMigrationGlobs,
  registerMigrationReader,
  clearSchemaCache,
  type MigrationReader,
  type LoadOptions,
  type FingerprintOptions,
} from "./load.js";
