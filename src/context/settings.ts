/**
 * The settings a user gives under `settings["migration-safety"]` in eslint.config.js, validated, with defaults.
 * A wrong value is a configuration error with a message naming the key — never silently replaced by a default.
 */
import { MIGRATION_TOOLS, type MigrationTool } from "./conventions.js";

export interface MigrationSettings {
  /** Target PostgreSQL major version. Decides e.g. whether a constant default rewrites the table (< 11). */
  readonly postgresVersion: number;
  /** The migration tool, whose conventions decide rollback parts and transactions; "auto" detects it per file. */
  readonly migrationTool: MigrationTool | "auto";
  /**
   * The runner wraps each file in a transaction (true) or runs statements one by one (false). Undefined: what the
   * detected tool does (goose, dbmate, Flyway wrap; psql does not; Prisma sends one multi-statement script).
   */
  readonly transactionPerFile: boolean | undefined;
  /** The runner sets lock_timeout before every migration, so files need not. */
  readonly assumeLockTimeout: boolean;
  /** The runner sets statement_timeout before every migration. */
  readonly assumeStatementTimeout: boolean;
  /**
   * The TimeZone of the session that runs the migrations, when known. PostgreSQL changes a column between timestamp
   * and timestamptz without rewriting the table only when it is UTC (a zone with a fixed offset of zero).
   */
  readonly sessionTimeZone?: string | undefined;
}

/** The oldest PostgreSQL major version still supported upstream as of late 2026. */
export const DEFAULT_POSTGRES_VERSION = 15;

export const DEFAULT_SETTINGS: MigrationSettings = {
  postgresVersion: DEFAULT_POSTGRES_VERSION,
  migrationTool: "auto",
  transactionPerFile: undefined,
  assumeLockTimeout: false,
  assumeStatementTimeout: false,
};

export class SettingsError extends Error {
  constructor(key: string, expected: string, got: unknown) {
    super(`settings["migration-safety"].${key} must be ${expected}; got ${JSON.stringify(got)}.`);
    this.name = "SettingsError";
  }
}

/**
 * A reader of some keys of `settings["migration-safety"]` in ESLint's shared settings object: the defaults when the
 * key is absent, and the parsed result cached per settings object (ESLint hands every file the same object).
 */
export function settingsReader<T>(defaults: T, parse: (raw: Record<string, unknown>) => T): (shared: Record<string, unknown> | undefined) => T {
  const cache = new WeakMap<object, T>();
  return (shared) => {
    const raw = shared?.["migration-safety"];
    if (raw === undefined || raw === null) return defaults;
    if (typeof raw !== "object") throw new SettingsError("", "an object", raw);
    let settings = cache.get(raw);
    if (settings === undefined) cache.set(raw, (settings = parse(raw as Record<string, unknown>)));
    return settings;
  };
}

/** Read `settings["migration-safety"]` from ESLint's shared settings object. */
export const readSettings = settingsReader<MigrationSettings>(DEFAULT_SETTINGS, (raw) => parseSettings(raw));

export function parseSettings(raw: Record<string, unknown>): MigrationSettings {
  return {
    postgresVersion: version(raw.postgresVersion),
    migrationTool: tool(raw.migrationTool),
    transactionPerFile: raw.transactionPerFile === undefined ? undefined : flag(raw, "transactionPerFile"),
    assumeLockTimeout: flag(raw, "assumeLockTimeout"),
    assumeStatementTimeout: flag(raw, "assumeStatementTimeout"),
    sessionTimeZone: timeZone(raw.sessionTimeZone),
  };
}

function version(value: unknown): number {
  if (value === undefined) return DEFAULT_POSTGRES_VERSION;
  const n = typeof value === "string" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 9 || n > 99) {
    throw new SettingsError("postgresVersion", "a PostgreSQL major version such as 15", value);
  }
  return n;
}

function tool(value: unknown): MigrationTool | "auto" {
  if (value === undefined) return "auto";
  if (value === "auto" || (MIGRATION_TOOLS as readonly unknown[]).includes(value)) return value as MigrationTool | "auto";
  throw new SettingsError("migrationTool", `"auto" or one of ${MIGRATION_TOOLS.map((t) => `"${t}"`).join(", ")}`, value);
}

function timeZone(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.trim() === "") throw new SettingsError("sessionTimeZone", 'a time zone name such as "UTC"', value);
  return value.trim();
}

function flag(raw: Record<string, unknown>, key: keyof MigrationSettings): boolean {
  const value = raw[key];
  if (value === undefined) return (DEFAULT_SETTINGS[key] as boolean | undefined) ?? false;
  if (typeof value !== "boolean") throw new SettingsError(key, "true or false", value);
  return value;
}
