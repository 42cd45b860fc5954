/**
 * Replays the project's migrations, in order, into the history model: tables and columns created, added, dropped
 * and renamed, and the transitions in flight, inferred from backfills, sync triggers, renames and drop + add pairs,
 * then overridden by the transitions declared in settings. Pure: the migrations come in already parsed (load.ts reads
 * them), so TS/JS migrations can be fed in the same way once they translate to SQL documents.
 */
import type { MigrationConvention } from "../context/conventions.js";
import { effectsOf } from "../context/effects.js";
import { analyzeMigration } from "../context/migration-context.js";
import type { MigrationSettings } from "../context/settings.js";
import type { SqlDocument } from "../sql/document.js";
import { relationName, sameRelation, type QualifiedName } from "../sql/names.js";
import { nodeOf, unwrap, type ParsedStatement } from "../sql/statement.js";
import type { Evidence, Fate, RemovedTable, SchemaModel, SkippedMigration, TableModel, Transition, TransitionPhase } from "./model.js";
import type { DeclaredTransition, SchemaSettings } from "./settings.js";
import { triggerFunctionOf, triggerOf, type SyncCopy } from "./triggers.js";

/** One migration, parsed, with its path relative to the working directory. The model replays them in list order. */
export interface MigrationSource {
  readonly path: string;
  readonly document: SqlDocument;
  /** How the migration runs, when its reader knows (JS/TS migrations); .sql files are recognised from path and comments. */
  readonly convention?: MigrationConvention;
}

/** A column that predates the migrations we read: older than anything they add. */
const PREEXISTING = -1;

class TableState {
  name: QualifiedName;
  complete: boolean;
  /** Known only because a statement mentioned it, not created by the migrations we read (yet). */
  implicit = false;
  /** Live columns → when they were added (a sequence number across the whole history). */
  readonly columns = new Map<string, number>();
  readonly removed = new Map<string, Fate>();
  /** When each column ever seen was added, kept after it is removed (to tell old from new). */
  readonly addedAt = new Map<string, number>();

  constructor(name: QualifiedName, complete: boolean) {
    this.name = name;
    this.complete = complete;
  }

  add(column: string, at: number): void {
    this.columns.set(column, at);
    this.addedAt.set(column, at);
    this.removed.delete(column);
  }

  /** A column mentioned by a migration on a table that predates the history: it existed before. */
  know(column: string): void {
    if (this.columns.has(column) || this.removed.has(column) || this.complete) return;
    this.columns.set(column, PREEXISTING);
    if (!this.addedAt.has(column)) this.addedAt.set(column, PREEXISTING);
  }

  remove(column: string, fate: Fate): void {
    this.know(column);
    this.columns.delete(column);
    this.removed.set(column, fate);
  }
}

interface Candidate {
  readonly table: TableState;
  readonly from: string;
  readonly to: string;
  readonly evidence: Evidence[];
}

export interface HistorySettings {
  readonly migration: MigrationSettings;
  readonly schema: SchemaSettings;
}

export function buildModel(migrations: readonly MigrationSource[], settings: HistorySettings, skipped: readonly SkippedMigration[] = []): SchemaModel {
  const history = new History();
  for (const migration of migrations) history.replay(migration, settings.migration);
  return history.finish(migrations.map((m) => m.path), settings.schema.transitions, skipped);
}

class History {
  readonly #tables: TableState[] = [];
  readonly #removedTables: RemovedTable[] = [];
  readonly #candidates: Candidate[] = [];
  readonly #functions: { name: QualifiedName; copies: readonly SyncCopy[] }[] = [];
  #clock = 0;

  replay({ path, document, convention }: MigrationSource, settings: MigrationSettings): void {
    const contexts = analyzeMigration(document, settings, path, convention);
    // Columns dropped from and added to each table by this file: a drop + add pair is a rename written badly.
    const dropped = new Map<TableState, string[]>();
    const added = new Map<TableState, string[]>();
    for (const statement of document.statements) {
      if (!statement.checked || contexts[statement.index]?.phase !== "up") continue;
      this.#statement(statement, path, dropped, added);
    }
    for (const [table, drops] of dropped) {
      const adds = (added.get(table) ?? []).filter((c) => !drops.includes(c) && table.columns.has(c));
      const gone = drops.filter((c) => !table.columns.has(c));
      if (gone.length === 1 && adds.length === 1) this.#candidate(table, gone[0]!, adds[0]!, { kind: "drop-add", migration: path });
    }
  }

  #statement(statement: ParsedStatement, path: string, dropped: Map<TableState, string[]>, added: Map<TableState, string[]>): void {
    const create = nodeOf(statement, "CreateStmt");
    if (create) {
      const name = relationName(create.relation);
      if (!name || (create.if_not_exists && this.#live(name))) return;
      // Inherited, partition and LIKE columns come from tables we may not know: the column list is then partial. So is
      // an empty one (JS migrations' createTable is translated without its columns).
      const elements = create.tableElts ?? [];
      const complete =
        create.partbound === undefined &&
        !create.inhRelations?.length &&
        elements.some((e) => unwrap(e, "ColumnDef")) &&
        !elements.some((e) => unwrap(e, "TableLikeClause"));
      // A table first seen through a later script sorted earlier (a backfill folder before the migrations folder) is
      // the same table: keep what was learnt about it, and the transitions tied to it.
      const mentioned = this.#live(name);
      const state = mentioned?.implicit ? mentioned : this.#create(name, complete);
      const earlier = [...state.columns];
      state.columns.clear();
      state.implicit = false;
      state.complete = complete;
      // Columns created together are the same age: neither replaces the other.
      const at = this.#clock++;
      for (const element of create.tableElts ?? []) {
        const column = unwrap(element, "ColumnDef")?.colname;
        if (column) state.add(column, at);
      }
      for (const [column, addedAt] of earlier) if (!state.columns.has(column)) state.columns.set(column, addedAt);
      return;
    }
    const fn = triggerFunctionOf(statement);
    if (fn) {
      this.#functions.push(fn);
      return;
    }
    const trigger = triggerOf(statement);
    if (trigger) {
      const fnDef = this.#functions.findLast((f) => f.name.name === trigger.func.name && (!f.name.schema || !trigger.func.schema || f.name.schema === trigger.func.schema));
      for (const copy of fnDef?.copies ?? []) {
        const table = this.#table(copy.table ?? trigger.table);
        table.know(copy.from);
        table.know(copy.to);
        this.#candidate(table, copy.from, copy.to, { kind: "sync-trigger", migration: path });
      }
      return;
    }
    for (const effect of effectsOf(statement)) {
      switch (effect.kind) {
        case "create-table":
          if (!this.#live(effect.table)) this.#create(effect.table, false);
          break;
        case "drop-table": {
          const state = this.#live(effect.table);
          if (state) this.#tables.splice(this.#tables.indexOf(state), 1);
          this.#removedTables.push({ name: effect.table, fate: { kind: "dropped", migration: path } });
          break;
        }
        case "rename-table": {
          const state = this.#table(effect.table);
          const to = { ...state.name, name: effect.to };
          this.#removedTables.push({ name: state.name, fate: { kind: "renamed", to: effect.to, migration: path } });
          state.name = to;
          break;
        }
        case "add-column": {
          const state = this.#table(effect.table);
          state.add(effect.column, this.#clock++);
          added.set(state, [...(added.get(state) ?? []), effect.column]);
          break;
        }
        case "drop-column": {
          const state = this.#table(effect.table);
          state.remove(effect.column, { kind: "dropped", migration: path });
          dropped.set(state, [...(dropped.get(state) ?? []), effect.column]);
          break;
        }
        case "rename-column": {
          const state = this.#table(effect.table);
          const at = state.columns.get(effect.column) ?? PREEXISTING;
          state.remove(effect.column, { kind: "renamed", to: effect.to, migration: path });
          state.add(effect.to, at);
          this.#candidate(state, effect.column, effect.to, { kind: "rename", migration: path });
          break;
        }
        case "backfill": {
          // A backfill computes one new column from one old column; merges and data fixes are not transitions.
          if (effect.sources.length !== 1 || effect.sources[0] === effect.column) break;
          const state = this.#table(effect.table);
          state.know(effect.sources[0]!);
          this.#candidate(state, effect.sources[0]!, effect.column, { kind: "backfill", migration: path });
          break;
        }
        case "create-index":
          break;
      }
    }
  }

  #live(name: QualifiedName): TableState | undefined {
    return this.#tables.find((t) => sameRelation(t.name, name));
  }

  /** The live table of that name; one that predates the migrations is created on first mention. */
  #table(name: QualifiedName): TableState {
    const live = this.#live(name);
    if (live) return live;
    const state = this.#create(name, false);
    state.implicit = true;
    return state;
  }

  #create(name: QualifiedName, complete: boolean): TableState {
    const existing = this.#live(name);
    if (existing) this.#tables.splice(this.#tables.indexOf(existing), 1);
    const state = new TableState(name, complete);
    this.#tables.push(state);
    return state;
  }

  #candidate(table: TableState, from: string, to: string, evidence: Evidence): void {
    const found = this.#candidates.find((c) => c.table === table && c.from === from && c.to === to);
    if (found) found.evidence.push(evidence);
    else this.#candidates.push({ table, from, to, evidence: [evidence] });
  }

  finish(paths: readonly string[], declared: readonly DeclaredTransition[], skipped: readonly SkippedMigration[]): SchemaModel {
    const inferred: Transition[] = [];
    for (const c of this.#candidates) {
      if (!this.#tables.includes(c.table) || !c.table.columns.has(c.to)) continue; // the table or the new column is gone
      const structural = c.evidence.some((e) => e.kind === "rename" || e.kind === "drop-add");
      // Copies (backfills, triggers) say which column replaces which only when the target is the newer column; a
      // copy between two columns of the same age is a data fix, and a copy back into the old column is the
      // reverse direction of a two-way sync.
      if (!structural && !((c.table.addedAt.get(c.to) ?? PREEXISTING) > (c.table.addedAt.get(c.from) ?? PREEXISTING))) continue;
      inferred.push({ table: c.table.name, from: c.from, to: c.to, phase: this.#phase(c.table, c.from, c.evidence), evidence: c.evidence });
    }
    const transitions = [...inferred];
    for (const d of declared) {
      const state = this.#live(d.table);
      const overridden = transitions.filter((t) => sameRelation(t.table, d.table) && (t.from === d.from || t.to === d.to));
      for (const t of overridden) transitions.splice(transitions.indexOf(t), 1);
      const evidence: Evidence[] = [{ kind: "settings" }, ...overridden.filter((t) => t.from === d.from && t.to === d.to).flatMap((t) => t.evidence)];
      const phase = d.phase ?? (state ? this.#phase(state, d.from, evidence) : "expanded");
      transitions.push({ table: state?.name ?? d.table, from: d.from, to: d.to, phase, evidence });
    }
    const tables: TableModel[] = this.#tables.map((t) => ({
      name: t.name,
      columns: [...t.columns.keys()],
      complete: t.complete,
      removedColumns: new Map(t.removed),
    }));
    return { tables, removedTables: [...this.#removedTables], transitions, migrations: [...paths], skipped: [...skipped] };
  }

  #phase(table: TableState, from: string, evidence: readonly Evidence[]): TransitionPhase {
    if (table.removed.has(from) && !table.columns.has(from)) return "contracted";
    return evidence.some((e) => e.kind === "backfill") ? "backfilled" : "expanded";
  }
}

