/**
 * The migration history model: the tables and columns the project's migrations leave behind, what they dropped or
 * renamed, and the column transitions (old column → new column) in flight. Plain data, built by history.ts.
 */
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
