/**
 * The migration history model: the tables and columns the project's migrations leave behind, what they dropped or
 * renamed, and the column transitions (old column → new column) in flight. Plain data, built by history.ts.
 */
import type { CollateClause, TypeName } from "@pgsql/types";
import { sameRelation, type QualifiedName } from "../sql/names.js";

/**
 * How far a transition has come. expanded: the new column exists; backfilled: a backfill writes it from the old one;
 * flipped: reads were switched to the new column (only settings can say so — code, not migrations, flips reads);
 * contracted: the old column is gone (dropped or renamed away).
 */
export type TransitionPhase = "expanded" | "backfilled" | "flipped" | "contracted";
export const TRANSITION_PHASES: readonly TransitionPhase[] = ["expanded", "backfilled", "flipped", "contracted"];

/** What made us believe in a transition. */
export type EvidenceKind = "settings" | "backfill" | "sync-trigger" | "rename" | "drop-add";

export interface Evidence {
  readonly kind: EvidenceKind;
  /** The migration (path relative to the working directory) that shows it; absent for settings. */
  readonly migration?: string;
}

export interface Transition {
  readonly table: QualifiedName;
  /** The old column. */
  readonly from: string;
  /** The new column. */
  readonly to: string;
  readonly phase: TransitionPhase;
  readonly evidence: readonly Evidence[];
}

/** What became of a column or table that no longer exists under its name. */
export type Fate =
  | { readonly kind: "dropped"; readonly migration: string }
  | { readonly kind: "renamed"; readonly to: string; readonly migration: string };

export interface TableModel {
  readonly name: QualifiedName;
  /**
   * Live columns. Complete when the migrations created the table (`complete`); for a table that predates them,
   * only the columns the migrations touched.
   */
  readonly columns: readonly string[];
  readonly complete: boolean;
  /** Columns that existed and are gone under that name, with what happened to them. */
  readonly removedColumns: ReadonlyMap<string, Fate>;
  /** Every live column (the keys are `columns`), with its type and nullability where the migrations show them. */
  readonly columnDetails: ReadonlyMap<string, ColumnModel>;
  /** The indexes the migrations built on the table and that still exist, including those behind constraints. */
  readonly indexes: readonly IndexModel[];
  /**
   * How much `indexes` tells. all: the migrations created the table, so these are all its indexes; some: the table
   * predates the migrations (it may have others); unknown: it has indexes of columns we cannot know (a partition,
   * LIKE … INCLUDING INDEXES, a constraint adopting an index the migrations did not build).
   */
  readonly indexesKnown: "all" | "some" | "unknown";
  /** Primary key, unique, foreign key, check and exclusion constraints the migrations added and did not drop. */
  readonly constraints: readonly ConstraintModel[];
  /** The migration whose CREATE TABLE made the table; absent for a table that predates the migrations read. */
  readonly createdBy?: string;
}

export interface ColumnModel {
  readonly name: string;
  /** The type as written in the migration (libpg-query's TypeName; serial types as the integer they stand for). */
  readonly type?: TypeName;
  /** The type printed the way PostgreSQL's format_type would: `varchar(300)`, `bigint`, `numeric(12,2)`. */
  readonly typeText?: string;
  /** The COLLATE clause written with the type, if any. */
  readonly collation?: CollateClause;
  /** NOT NULL (true), nullable (false), or not known (absent): a column of an older table the migrations only named. */
  readonly notNull?: boolean;
}

export interface IndexModel {
  /** The name PostgreSQL gives it: as written, or the default it chooses (`orders_customer_id_idx`, `orders_pkey`). */
  readonly name: string;
  /** Key columns in order; null for an expression. */
  readonly columns: readonly (string | null)[];
  /** INCLUDE columns (stored, not searchable). */
  readonly include: readonly string[];
  readonly unique: boolean;
  readonly primary: boolean;
  /** btree, hash, gin, gist, brin, … */
  readonly method: string;
  /** Has a WHERE clause. */
  readonly partial: boolean;
  /** For a partial index whose predicate only asks that some columns be NOT NULL: those columns. */
  readonly notNullPredicate?: readonly string[];
  /** The constraint it implements (PRIMARY KEY, UNIQUE, EXCLUDE), by name. */
  readonly constraint?: string;
}

export type ConstraintKind = "primary-key" | "unique" | "foreign-key" | "check" | "exclusion";

export interface ConstraintModel {
  readonly name: string;
  readonly kind: ConstraintKind;
  /** The constrained columns (a foreign key's referencing columns); empty for a check constraint. */
  readonly columns: readonly string[];
  /** False while a NOT VALID constraint has not been validated. */
  readonly validated: boolean;
  /** A foreign key's referenced table. */
  readonly references?: QualifiedName;
}

export interface RemovedTable {
  readonly name: QualifiedName;
  readonly fate: Fate;
}

/** A migration file the model could not read, and why (reported by the CLI, listed in docs). */
export interface SkippedMigration {
  readonly migration: string;
  readonly reason: string;
}

export interface SchemaModel {
  /** Tables that exist after the last migration, in the order they were first seen. */
  readonly tables: readonly TableModel[];
  readonly removedTables: readonly RemovedTable[];
  readonly transitions: readonly Transition[];
  /** The migrations read, in the order they were replayed. */
  readonly migrations: readonly string[];
  readonly skipped: readonly SkippedMigration[];
}

export const EMPTY_MODEL: SchemaModel = { tables: [], removedTables: [], transitions: [], migrations: [], skipped: [] };

/**
 * The schema as the migrations ordered before one file leave it (in that file's migrations folder): what rules read
 * through `context.history`. Read-only lookups over plain data.
 */
export interface SchemaHistory {
  /** The file the history leads up to (relative to the working directory), and how many migrations precede it. */
  readonly file: string;
  readonly migrationCount: number;
  /** The live table of that name before this file, if the migrations know it. */
  table(name: QualifiedName): TableModel | undefined;
  /**
   * Whether the table was created by a migration the settings mark as unreleased (not deployed yet): nothing in
   * production reads or writes it, so rules treat it as brand new.
   */
  isUnreleased(name: QualifiedName): boolean;
}

/** A column of a table, with what the migrations show of it. */
export function findColumn(table: TableModel | undefined, column: string): ColumnModel | undefined {
  return table?.columnDetails.get(column);
}

/** The live table of that name (schema-insensitive when either side has no schema, as PostgreSQL's search_path). */
export function findTable(model: SchemaModel, name: QualifiedName): TableModel | undefined {
  return model.tables.find((t) => sameRelation(t.name, name));
}

export function findRemovedTable(model: SchemaModel, name: QualifiedName): RemovedTable | undefined {
  // A table dropped and later re-created is live, not removed.
  if (findTable(model, name)) return undefined;
  return model.removedTables.findLast((t) => sameRelation(t.name, name));
}

export function transitionsOf(model: SchemaModel, table: QualifiedName): Transition[] {
  return model.transitions.filter((t) => sameRelation(t.table, table));
}
