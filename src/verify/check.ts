/**
 * What a verification check is: data — a name, a sentence for reviewers, and one read-only query that returns one
 * row `(check text, ok boolean, detail text, …figures)`. Generators build them, renderers print them, the runner
 * executes them; none of them needs to know how the others work.
 */
import type { QualifiedName } from "../sql/names.js";

export const CHECK_KINDS = [
  /** A column transition (old → new): rows not backfilled yet, and rows whose new value drifted from the old. */
  "transition",
  /** An index built CONCURRENTLY exists and is valid and ready. */
  "index-valid",
  /** Rows that violate a CHECK constraint. */
  "check-violations",
  /** Rows whose foreign key points at no row of the referenced table. */
  "fk-orphans",
  /** A constraint added NOT VALID has been validated (pg_constraint.convalidated). */
  "constraint-validated",
  /** NULLs in a column about to become NOT NULL (or part of a primary key). */
  "nulls",
  /** Groups of rows that a unique index or constraint about to be built would reject. */
  "duplicates",
  /** Values that would not fit a narrower column type. */
  "type-fit",
  /** Views, functions, constraints and triggers that depend on a column or table about to be dropped. */
  "dependents",
  /** Statements recorded by pg_stat_statements that still mention a column or table about to be dropped. */
  "queries",
] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

/** Where a check comes from: a statement of a migration file, or a `--transition` given on the command line. */
export type CheckOrigin =
  | { readonly kind: "statement"; readonly file?: string; readonly line: number; /** First line of the statement. */ readonly excerpt: string }
  | { readonly kind: "option"; readonly text: string };

export interface Check {
  /** `<kind>:<object>`, e.g. `index-valid:idx_users_email`, `transition:users.full_name->display_name`. */
  readonly id: string;
  readonly kind: CheckKind;
  /** A short heading: "Index idx_users_email is valid and ready". */
  readonly title: string;
  /** Why the check matters and what a failure means: a sentence or two, for the SQL comment and the PR text. */
  readonly explanation: string;
  /**
   * Whether the check is meant to run before the statement it comes from (a precondition: no NULLs before SET NOT
   * NULL) or after it (an outcome: the index build succeeded, the backfill is complete).
   */
  readonly when: "before" | "after";
  readonly origin?: CheckOrigin;
  /**
   * One read-only SELECT (no trailing semicolon) returning exactly one row with the columns `check` (= id), `ok`,
   * `detail`, then the check's figures (counts as bigint, flags as boolean).
   */
  readonly sql: string;
}

/**
 * A column being replaced by another in the expand/contract sequence: `from` is the old column, `to` the new one.
 * (src/schema/ will model transitions with their phases; this is the minimum verification needs.)
 */
export interface Transition {
  readonly table: QualifiedName;
  readonly from: string;
  readonly to: string;
  /**
   * The new column's expected value as SQL over the table's own columns (unqualified), e.g. `normalize(full_name)`:
   * the backfill's SET expression. Absent: the new column is a plain copy of the old one.
   */
  readonly expression?: string;
  /**
   * Set when the backfill's expression cannot be used (it reads other tables or parameters): why. Drift is then not
   * checked, only missing rows.
   */
  readonly opaque?: string;
  readonly origin?: CheckOrigin;
}

/** Something a check could not be generated for, with the reason: reported, never silently dropped. */
export interface SkippedCheck {
  readonly kind: CheckKind;
  readonly object: string;
  readonly reason: string;
  readonly origin?: CheckOrigin;
}

/** A check's outcome on a database. */
export interface CheckResult {
  readonly check: string;
  readonly ok: boolean;
  readonly detail: string;
  /** The figures the query returned (counts as numbers, flags as booleans), in column order. */
  readonly figures: Readonly<Record<string, number | boolean | string | null>>;
  /** Set when the query itself failed (the error message); `ok` is then false. */
  readonly error?: string;
}
