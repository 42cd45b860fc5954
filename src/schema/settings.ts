/**
 * The settings the history model reads from `settings["migration-safety"]`: where the migrations are, transitions
 * declared by hand, where a Prisma schema is, whether the migration rules get the history, and which migrations are
 * not deployed yet. Validated like the engine's settings: a wrong value stops ESLint
 * with a message naming the key.
 */
import { SettingsError, settingsReader } from "../context/settings.js";
import type { QualifiedName } from "../sql/names.js";
import { TRANSITION_PHASES, type TransitionPhase } from "./model.js";

export interface DeclaredTransition {
  readonly table: QualifiedName;
  readonly from: string;
  readonly to: string;
  /** Forces the phase; usually "flipped", which only the team can know (reads switched behind a flag). */
  readonly phase?: TransitionPhase;
}

export interface SchemaSettings {
  /** Globs of migration files relative to the working directory; undefined: the recommended config's places. */
  readonly migrations: readonly string[] | undefined;
  readonly transitions: readonly DeclaredTransition[];
  /** Prisma schema files or globs; undefined: `prisma/schema.prisma`, `schema.prisma`, `prisma/schema/*.prisma`. */
  readonly prismaSchema: readonly string[] | undefined;
  /** Give the migration rules the schema the earlier migrations leave (`context.history`). Default true. */
  readonly history: boolean;
  /**
   * Migrations not deployed yet (paths or globs relative to the working directory): a table one of them creates is
   * brand new for the rules of later migrations. `lint --changed-since` sets it to the changed files.
   */
  readonly unreleasedMigrations: readonly string[];
}

export const DEFAULT_SCHEMA_SETTINGS: SchemaSettings = { migrations: undefined, transitions: [], prismaSchema: undefined, history: true, unreleasedMigrations: [] };

/** Read the model's keys of `settings["migration-safety"]` (other keys belong to src/context/settings.ts). */
export const readSchemaSettings = settingsReader<SchemaSettings>(DEFAULT_SCHEMA_SETTINGS, (raw) => parseSchemaSettings(raw));

export function parseSchemaSettings(raw: Record<string, unknown>): SchemaSettings {
  return {
    migrations: globs(raw, "migrations"),
    transitions: transitions(raw.transitions),
    prismaSchema: globs(raw, "prismaSchema"),
    history: history(raw.history),
    unreleasedMigrations: globs(raw, "unreleasedMigrations") ?? [],
  };
}

function history(value: unknown): boolean {
  if (value === undefined) return true;
  if (typeof value !== "boolean") throw new SettingsError("history", "true or false", value);
  return value;
}

function globs(raw: Record<string, unknown>, key: string): readonly string[] | undefined {
  const value = raw[key];
  if (value === undefined) return undefined;
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list) || list.some((g) => typeof g !== "string" || g === "")) {
    throw new SettingsError(key, "a glob or a list of globs relative to the working directory", value);
  }
  return list as string[];
}

function transitions(value: unknown): DeclaredTransition[] {
  if (value === undefined) return [];
  const expected = 'a list of { table: "users", from: "full_name", to: "display_name", phase?: "flipped" }';
  if (!Array.isArray(value)) throw new SettingsError("transitions", expected, value);
  return value.map((item: unknown, i) => {
    const key = `transitions[${i}]`;
    if (typeof item !== "object" || item === null) throw new SettingsError(key, expected, item);
    const { table, from, to, phase } = item as Record<string, unknown>;
    for (const [name, v] of Object.entries({ table, from, to })) {
      if (typeof v !== "string" || v === "") throw new SettingsError(`${key}.${name}`, "a non-empty string (the name as PostgreSQL stores it)", v);
    }
    if (phase !== undefined && !(TRANSITION_PHASES as readonly unknown[]).includes(phase)) {
      throw new SettingsError(`${key}.phase`, TRANSITION_PHASES.map((p) => `"${p}"`).join(", "), phase);
    }
    if (from === to) throw new SettingsError(`${key}.to`, "a column other than `from`", to);
    return { table: tableName(table as string), from: from as string, to: to as string, ...(phase ? { phase: phase as TransitionPhase } : {}) };
  });
}

/** `users` or `app.users`: names as PostgreSQL stores them (unquoted names are lower case). */
function tableName(text: string): QualifiedName {
  const dot = text.indexOf(".");
  return dot > 0 ? { schema: text.slice(0, dot), name: text.slice(dot + 1) } : { name: text };
}
