/**
 * Replays the project's migrations, in order, into the history model: tables and columns created, added, dropped
 * and renamed — with the columns' types and nullability, the constraints and the indexes (for the migration rules) —
 * and the transitions in flight, inferred from backfills, sync triggers, renames and drop + add pairs, then
 * overridden by the transitions declared in settings (for the app rules). Pure: the migrations come in already parsed
 * (load.ts reads them), so TS/JS migrations are fed in the same way once they translate to SQL documents.
 */
import type { AlterTableStmt, Constraint, CreateStmt } from "@pgsql/types";
import { detectConvention, type MigrationConvention } from "../context/conventions.js";
import { effectsOf } from "../context/effects.js";
import type { MigrationSettings } from "../context/settings.js";
import type { SqlDocument } from "../sql/document.js";
import { nameFromList, relationName, sameRelation, type QualifiedName } from "../sql/names.js";
import { nodeOf, unwrap, type ParsedStatement } from "../sql/statement.js";
import { formatTypeName } from "../sql/type-changes.js";
import { columnOf, constraintIndexOf, constraintOf, constraintsOf, declaredType, indexOf } from "./ddl.js";
import type { Evidence, RemovedTable, SchemaModel, SkippedMigration, TableModel, Transition, TransitionPhase } from "./model.js";
import type { DeclaredTransition, SchemaSettings } from "./settings.js";
import { PREEXISTING, TableState } from "./table-state.js";
import { triggerFunctionOf, triggerOf, type SyncCopy } from "./triggers.js";

/** One migration, parsed, with its path relative to the working directory. The model replays them in list order. */
export interface MigrationSource {
  readonly path: string;
  readonly document: SqlDocument;
  /** How the migration runs, when its reader knows (JS/TS migrations); .sql files are recognised from path and comments. */
  readonly convention?: MigrationConvention;
}

interface Candidate {
  readonly table: TableState;
  readonly from: string;
  readonly to: string;
  readonly evidence: Evidence[];
}

/** The ALTER TABLE actions that change what the model knows of a table's columns, constraints or indexes. */
const DETAIL_COMMANDS = new Set([
  "AT_AddColumn", "AT_DropColumn", "AT_AlterColumnType", "AT_SetNotNull", "AT_DropNotNull", "AT_AddConstraint", "AT_DropConstraint",
  "AT_ValidateConstraint",
]);

/** TableLikeClause option bit CREATE_TABLE_LIKE_INDEXES (INCLUDING ALL sets every bit). */
const LIKE_INDEXES = 1 << 6;

export interface HistorySettings {
  readonly migration: MigrationSettings;
  readonly schema: SchemaSettings;
}

export function buildModel(migrations: readonly MigrationSource[], settings: HistorySettings, skipped: readonly SkippedMigration[] = []): SchemaModel {
  const history = new History();
  for (const migration of migrations) history.replay(migration, settings.migration);
  return history.finish(migrations.map((m) => m.path), settings.schema.transitions, skipped);
}

/**
 * The replay itself. Besides the final model (finish), it says after each migration which tables that migration
 * changed (takeChanges), so that timeline.ts can keep the schema as it stood before every migration without
 * copying the whole model each time.
 */
export class History {
  readonly #tables: TableState[] = [];
  readonly #removedTables: RemovedTable[] = [];
  readonly #candidates: Candidate[] = [];
  readonly #functions: { name: QualifiedName; copies: readonly SyncCopy[] }[] = [];
  #clock = 0;
  /** Tables changed, and table names (unqualified) whose tables changed, since the last takeChanges(). */
  readonly #touched = new Set<TableState>();
  readonly #touchedNames = new Set<string>();
  /** Infer transitions (the app rules need them; the migration rules' history does not, and trigger bodies cost). */
  readonly #transitions: boolean;

  constructor(options: { readonly transitions?: boolean } = {}) {
    this.#transitions = options.transitions ?? true;
  }

  /**
   * The live tables of every name the migrations replayed since the last call created, changed, renamed or dropped,
   * by unqualified name (an empty list: no table of that name is left).
   */
  takeChanges(): Map<string, readonly TableModel[]> {
    for (const state of this.#touched) {
      state.changed();
      this.#touchedNames.add(state.name.name);
    }
    const changes = new Map<string, readonly TableModel[]>();
    for (const name of this.#touchedNames) changes.set(name, this.#tables.filter((t) => t.name.name === name).map((t) => t.freeze()));
    this.#touched.clear();
    this.#touchedNames.clear();
    return changes;
  }

  #touch(state: TableState): TableState {
    this.#touched.add(state);
    this.#touchedNames.add(state.name.name);
    return state;
  }

  replay({ path, document, convention }: MigrationSource, settings: MigrationSettings): void {
    // Only the up part counts (the phase of each section, as analyzeMigration gives it to the rules).
    const { sections } = convention ?? detectConvention({ path, document, tool: settings.migrationTool, transactionPerFile: settings.transactionPerFile });
    // Columns dropped from and added to each table by this file: a drop + add pair is a rename written badly.
    const dropped = new Map<TableState, string[]>();
    const added = new Map<TableState, string[]>();
    for (const statement of document.statements) {
      if (!statement.checked || (sections[statement.section]?.phase ?? "up") !== "up") continue;
      this.#details(statement);
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
      const state = this.#touch(mentioned?.implicit ? mentioned : this.#create(name, complete));
      const earlier = [...state.columns];
      state.columns.clear();
      state.implicit = false;
      state.complete = complete;
      state.createdBy = path;
      // Columns created together are the same age: neither replaces the other.
      const at = this.#clock++;
      for (const element of create.tableElts ?? []) {
        const column = unwrap(element, "ColumnDef")?.colname;
        if (column) state.add(column, at);
      }
      for (const [column, addedAt] of earlier) if (!state.columns.has(column)) state.columns.set(column, addedAt);
      this.#createDetails(state, create);
      return;
    }
    const fn = this.#transitions ? triggerFunctionOf(statement) : undefined;
    if (fn) {
      this.#functions.push(fn);
      return;
    }
    const trigger = this.#transitions ? triggerOf(statement) : undefined;
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
          // CREATE TABLE AS, SELECT INTO: columns unknown, and no index at all.
          if (!this.#live(effect.table)) {
            const state = this.#create(effect.table, false);
            state.createdBy = path;
            state.indexesKnown = "all";
          }
          break;
        case "drop-table": {
          const state = this.#live(effect.table);
          if (state) this.#tables.splice(this.#tables.indexOf(this.#touch(state)), 1);
          this.#removedTables.push({ name: effect.table, fate: { kind: "dropped", migration: path } });
          break;
        }
        case "rename-table": {
          const state = this.#table(effect.table);
          const to = { ...state.name, name: effect.to };
          this.#removedTables.push({ name: state.name, fate: { kind: "renamed", to: effect.to, migration: path } });
          this.#touchedNames.add(state.name.name);
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
          if (!this.#transitions || effect.sources.length !== 1 || effect.sources[0] === effect.column) break;
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
    if (live) return this.#touch(live);
    const state = this.#create(name, false);
    state.implicit = true;
    return state;
  }

  #create(name: QualifiedName, complete: boolean): TableState {
    const existing = this.#live(name);
    if (existing) this.#tables.splice(this.#tables.indexOf(this.#touch(existing)), 1);
    const state = new TableState(name, complete);
    this.#tables.push(state);
    return this.#touch(state);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Column types, nullability, constraints and indexes (for the migration rules; the transitions do not need them).

  /** What CREATE TABLE declares: columns, their constraints, the table's constraints and the indexes behind them. */
  #createDetails(state: TableState, create: CreateStmt): void {
    state.resetDetails();
    const elements = create.tableElts ?? [];
    // A partition inherits its parent's indexes; LIKE … INCLUDING INDEXES copies another table's.
    const copiesIndexes = elements.some((e) => ((unwrap(e, "TableLikeClause")?.options ?? 0) & LIKE_INDEXES) !== 0);
    state.indexesKnown = create.partbound !== undefined || copiesIndexes ? "unknown" : "all";
    for (const element of elements) {
      const def = unwrap(element, "ColumnDef");
      if (def?.colname) {
        state.setColumn(columnOf(def));
        for (const constraint of constraintsOf(def.constraints)) this.#addConstraint(state, constraint, def.colname);
      }
      const constraint = unwrap(element, "Constraint");
      if (constraint) this.#addConstraint(state, constraint);
    }
  }

  #addConstraint(state: TableState, constraint: Constraint, column?: string): void {
    const model = constraintOf(constraint, state.name.name, column);
    if (!model) {
      if (column && constraint.contype === "CONSTR_NOTNULL") state.updateColumn(column, (c) => ({ ...c, notNull: true }));
      return;
    }
    if (constraint.indexname) {
      // ADD … USING INDEX: the index becomes the constraint's, renamed after it. One the migrations did not build
      // has columns we cannot know.
      const adopted = state.findIndex(constraint.indexname);
      if (adopted) {
        state.dropIndex(adopted.name);
        state.addIndex({ ...adopted, name: model.name, constraint: model.name, unique: true, primary: model.kind === "primary-key" });
        state.addConstraint({ ...model, columns: adopted.columns.filter((c): c is string => c !== null) });
      } else {
        state.indexesKnown = "unknown";
        state.addConstraint(model);
      }
      return;
    }
    state.addConstraint(model);
    const index = constraintIndexOf(constraint, state.name.name, column);
    if (index) state.addIndex(index);
  }

  /** The statements other than CREATE TABLE that change what the model knows of columns, constraints and indexes. */
  #details(statement: ParsedStatement): void {
    const alter = nodeOf(statement, "AlterTableStmt");
    if (alter) {
      const name = alter.objtype === "OBJECT_TABLE" ? relationName(alter.relation) : undefined;
      const relevant = (alter.cmds ?? []).some((c) => DETAIL_COMMANDS.has(unwrap(c, "AlterTableCmd")?.subtype ?? ""));
      // ALTER TABLE IF EXISTS on a table the migrations do not have: it may not exist at all.
      if (!name || !relevant || (alter.missing_ok && !this.#live(name))) return;
      this.#alterDetails(this.#table(name), alter);
      return;
    }
    const index = nodeOf(statement, "IndexStmt");
    if (index) {
      const name = relationName(index.relation);
      if (!name) return;
      if (index.if_not_exists && index.idxname && this.#tables.some((t) => t.findIndex(index.idxname!))) return;
      const state = this.#table(name);
      state.addIndex(indexOf(index, state.name.name, (candidate) => this.#tables.some((t) => t.name.name === candidate || t.findIndex(candidate))));
      return;
    }
    const rename = nodeOf(statement, "RenameStmt");
    if (rename) {
      if ((rename.renameType === "OBJECT_TYPE" || rename.renameType === "OBJECT_DOMAIN") && rename.newname) {
        // Columns of the type keep it under its new name (Prisma renames enums: X → X_old, X_new → X).
        const type = nameFromList(unwrap(rename.object, "List")?.items);
        if (type) for (const state of this.#tables) if (state.renameType(type, rename.newname)) this.#touch(state);
        return;
      }
      const name = relationName(rename.relation);
      if (!name || !rename.newname) return;
      if (rename.renameType === "OBJECT_COLUMN" && rename.relationType === "OBJECT_TABLE" && rename.subname) {
        this.#table(name).renameColumn(rename.subname, rename.newname);
      } else if (rename.renameType === "OBJECT_TABCONSTRAINT" && rename.subname) {
        this.#table(name).renameIndexOrConstraint(rename.subname, rename.newname);
      } else if (rename.renameType === "OBJECT_INDEX") {
        // ALTER INDEX [schema.]name RENAME: the index name arrives as the relation.
        const owner = this.#tables.find((t) => t.findIndex(name.name) && (!name.schema || !t.name.schema || t.name.schema === name.schema));
        if (owner) this.#touch(owner).renameIndexOrConstraint(name.name, rename.newname);
      }
      return;
    }
    const drop = nodeOf(statement, "DropStmt");
    if (drop?.removeType === "OBJECT_INDEX") {
      for (const object of drop.objects ?? []) {
        const name = nameFromList(unwrap(object, "List")?.items);
        const owner = name && this.#tables.find((t) => t.findIndex(name.name) && (!name.schema || !t.name.schema || t.name.schema === name.schema));
        if (owner) this.#touch(owner).dropIndex(name.name);
      }
      return;
    }
    const move = nodeOf(statement, "AlterObjectSchemaStmt");
    if (move?.objectType === "OBJECT_TABLE" && move.newschema) {
      const name = relationName(move.relation);
      const state = name && this.#live(name);
      if (state) {
        this.#touch(state);
        state.name = { schema: move.newschema, name: state.name.name };
      }
    }
  }

  #alterDetails(state: TableState, alter: AlterTableStmt): void {
    for (const wrapped of alter.cmds ?? []) {
      const cmd = unwrap(wrapped, "AlterTableCmd");
      if (!cmd) continue;
      const def = unwrap(cmd.def, "ColumnDef");
      switch (cmd.subtype) {
        case "AT_AddColumn": {
          if (!def?.colname) break;
          // IF NOT EXISTS on a column that may exist: its type is whatever it was before, which we know only for a
          // column the migrations declared.
          if (cmd.missing_ok && (state.columns.has(def.colname) || !state.complete)) {
            if (!state.columns.has(def.colname)) state.details.delete(def.colname);
            break;
          }
          state.setColumn(columnOf(def));
          for (const constraint of constraintsOf(def.constraints)) this.#addConstraint(state, constraint, def.colname);
          break;
        }
        case "AT_DropColumn":
          if (cmd.name) state.dropColumn(cmd.name);
          break;
        case "AT_AlterColumnType":
          if (cmd.name && def?.typeName) {
            const type = declaredType(def.typeName);
            state.updateColumn(cmd.name, (c) => {
              const { collation: _collation, ...rest } = c;
              return { ...rest, type, typeText: formatTypeName(type), ...(def.collClause ? { collation: def.collClause } : {}) };
            });
          }
          break;
        case "AT_SetNotNull":
          if (cmd.name) state.updateColumn(cmd.name, (c) => ({ ...c, notNull: true }));
          break;
        case "AT_DropNotNull":
          if (cmd.name) state.updateColumn(cmd.name, (c) => ({ ...c, notNull: false }));
          break;
        case "AT_AddConstraint": {
          const constraint = unwrap(cmd.def, "Constraint");
          if (constraint) this.#addConstraint(state, constraint);
          break;
        }
        case "AT_DropConstraint":
          if (cmd.name) state.dropConstraint(cmd.name);
          break;
        case "AT_ValidateConstraint":
          if (cmd.name) state.validateConstraint(cmd.name);
          break;
        default:
          break;
      }
    }
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
    const tables: TableModel[] = this.#tables.map((t) => {
      t.changed();
      return t.freeze();
    });
    return { tables, removedTables: [...this.#removedTables], transitions, migrations: [...paths], skipped: [...skipped] };
  }

  #phase(table: TableState, from: string, evidence: readonly Evidence[]): TransitionPhase {
    if (table.removed.has(from) && !table.columns.has(from)) return "contracted";
    return evidence.some((e) => e.kind === "backfill") ? "backfilled" : "expanded";
  }
}

