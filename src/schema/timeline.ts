/**
 * The schema before each migration: what the migration rules see as `context.history` for the file they lint.
 *
 * The migrations are replayed once, in order; after each one, the tables it changed are recorded as a new version
 * under their name. "The schema before file i" is then, per table name, the last version recorded before i — a
 * binary search — so a project of n migrations costs one replay and O(changes) memory, not n replays or n copies.
 * Tables are frozen into plain TableModels that later versions share until they change.
 *
 * Migrations form one history per migrations folder (see migrationScope): two services' folders in one repository,
 * or the three projects of a corpus, do not leak tables into each other.
 */
import { sameRelation, type QualifiedName } from "../sql/names.js";
import { History, type HistorySettings, type MigrationSource } from "./history.js";
import type { SchemaHistory, TableModel } from "./model.js";

/** Folder names that hold one project's migrations (the nearest such folder bounds a history). */
const MIGRATION_FOLDERS = new Set(["migrations", "migration", "migrate", "deploy", "drizzle"]);

/**
 * The folder whose migrations make up the history of a migration file: the nearest enclosing folder named
 * migrations, migration, migrate, deploy or drizzle; otherwise the file's own folder, or — for tools that give each
 * migration a folder named after its version (`20240101120000_add_users/up.sql`) — the folder holding those.
 */
export function migrationScope(path: string): string {
  const folders = path.split("/").slice(0, -1);
  for (let i = folders.length - 1; i >= 0; i--) {
    if (MIGRATION_FOLDERS.has(folders[i]!.toLowerCase())) return folders.slice(0, i + 1).join("/");
  }
  while (folders.length > 0 && /^\d/.test(folders[folders.length - 1]!)) folders.pop();
  return folders.join("/");
}

interface Version {
  /** Recorded after the migration at this position of the scope. */
  readonly at: number;
  /** The live tables of that unqualified name after it (usually one; none once dropped or renamed away). */
  readonly tables: readonly TableModel[];
}

/** A migration read for the history, or undefined when it cannot be (the model lists it as skipped). */
export type MigrationLoader = (path: string) => MigrationSource | undefined;

/** One migrations folder: its migrations in order, replayed as far as some lint has needed so far. */
class ScopeHistory {
  readonly #paths: string[] = [];
  readonly #versions = new Map<string, Version[]>();
  readonly #history = new History({ transitions: false });
  #replayed = 0;

  add(path: string): number {
    return this.#paths.push(path) - 1;
  }

  /** Replay the migrations before position `before` that are not replayed yet, recording what each changed. */
  replayUpTo(before: number, load: MigrationLoader, settings: HistorySettings): void {
    for (; this.#replayed < before; this.#replayed++) {
      const migration = load(this.#paths[this.#replayed]!);
      if (migration) this.#history.replay(migration, settings.migration);
      for (const [name, tables] of this.#history.takeChanges()) {
        const list = this.#versions.get(name);
        if (list) list.push({ at: this.#replayed, tables });
        else this.#versions.set(name, [{ at: this.#replayed, tables }]);
      }
    }
  }

  /** The live tables named `name` after the migrations before position `before` (replayed already). */
  tablesBefore(name: string, before: number): readonly TableModel[] {
    const list = this.#versions.get(name);
    if (!list) return [];
    let low = 0;
    let high = list.length; // first version recorded at or after `before`
    while (low < high) {
      const mid = (low + high) >> 1;
      if (list[mid]!.at < before) low = mid + 1;
      else high = mid;
    }
    return low === 0 ? [] : list[low - 1]!.tables;
  }
}

/**
 * The timeline of a project's migrations. Replaying is lazy: the first file that needs the history of its folder
 * replays the migrations before it, later files continue from there — so a migration ESLint has linted already is
 * usually replayed from the very document ESLint parsed (see load.ts rememberDocument), not parsed again.
 */
export class HistoryTimeline {
  readonly #positions = new Map<string, { readonly scope: ScopeHistory; readonly index: number }>();
  readonly #load: MigrationLoader;
  readonly #settings: HistorySettings;

  /** `paths`: every migration, in the tool's order (relative to the working directory). */
  constructor(paths: readonly string[], load: MigrationLoader, settings: HistorySettings) {
    this.#load = load;
    this.#settings = settings;
    const scopes = new Map<string, ScopeHistory>();
    for (const path of paths) {
      const key = migrationScope(path);
      let scope = scopes.get(key);
      if (!scope) scopes.set(key, (scope = new ScopeHistory()));
      this.#positions.set(path, { scope, index: scope.add(path) });
    }
  }

  /** Whether the file (relative to the working directory) is one of the migrations. */
  has(path: string): boolean {
    return this.#positions.has(path);
  }

  /**
   * The schema as the migrations ordered before `path` (in its migrations folder) leave it; undefined when `path` is
   * not one of the migrations. `unreleased` says which migrations are not deployed yet.
   */
  before(path: string, unreleased?: (migration: string) => boolean): SchemaHistory | undefined {
    const position = this.#positions.get(path);
    if (!position) return undefined;
    const { scope, index } = position;
    scope.replayUpTo(index, this.#load, this.#settings);
    const table = (name: QualifiedName): TableModel | undefined => scope.tablesBefore(name.name, index).find((t) => sameRelation(t.name, name));
    return {
      file: path,
      migrationCount: index,
      table,
      isUnreleased: (name) => {
        if (!unreleased) return false;
        const createdBy = table(name)?.createdBy;
        return createdBy !== undefined && unreleased(createdBy);
      },
    };
  }
}
