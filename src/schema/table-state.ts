/**
 * One table while the history model replays migrations: mutable here, frozen into a plain TableModel for readers.
 * Its column list and fates serve the transitions (history.ts); its column details, indexes and constraints serve
 * the migration rules (a column's current type, whether a foreign key's columns are indexed).
 */
import type { QualifiedName } from "../sql/names.js";
import { unwrap } from "../sql/statement.js";
import { formatTypeName } from "../sql/type-changes.js";
import type { ColumnModel, ConstraintModel, Fate, IndexModel, TableModel } from "./model.js";

/** A column that predates the migrations we read: older than anything they add. */
export const PREEXISTING = -1;

export class TableState {
  name: QualifiedName;
  complete: boolean;
  /** Known only because a statement mentioned it, not created by the migrations we read (yet). */
  implicit = false;
  /** Live columns → when they were added (a sequence number across the whole history). */
  readonly columns = new Map<string, number>();
  readonly removed = new Map<string, Fate>();
  /** When each column ever seen was added, kept after it is removed (to tell old from new). */
  readonly addedAt = new Map<string, number>();
  /** What the migrations declared of each column (type, nullability); a column only mentioned has none. */
  readonly details = new Map<string, ColumnModel>();
  indexes: IndexModel[] = [];
  constraints: ConstraintModel[] = [];
  indexesKnown: TableModel["indexesKnown"] = "some";
  createdBy: string | undefined;
  /** The last frozen copy, while nothing changed since. */
  #frozen: TableModel | undefined;

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

  /** Replace everything declared about the table (CREATE TABLE over a table known only by mention). */
  resetDetails(): void {
    this.details.clear();
    this.indexes = [];
    this.constraints = [];
  }

  setColumn(column: ColumnModel): void {
    this.details.set(column.name, column);
  }

  updateColumn(name: string, change: (column: ColumnModel) => ColumnModel): void {
    this.know(name);
    this.details.set(name, change(this.details.get(name) ?? { name }));
  }

  /** DROP COLUMN: the indexes and constraints on it go with it. */
  dropColumn(name: string): void {
    this.details.delete(name);
    const uses = (columns: readonly (string | null)[]) => columns.includes(name);
    const gone = new Set(this.indexes.filter((i) => uses(i.columns) || uses(i.include)).map((i) => i.name));
    this.indexes = this.indexes.filter((i) => !gone.has(i.name));
    this.constraints = this.constraints.filter((c) => !uses(c.columns) && !(c.kind !== "foreign-key" && gone.has(c.name)));
  }

  renameColumn(from: string, to: string): void {
    const detail = this.details.get(from);
    this.details.delete(from);
    if (detail) this.details.set(to, { ...detail, name: to });
    const rename = <T extends string | null>(columns: readonly T[]): T[] => columns.map((c) => (c === from ? (to as T) : c));
    this.indexes = this.indexes.map((i) => ({
      ...i,
      columns: rename(i.columns),
      include: rename(i.include),
      ...(i.notNullPredicate ? { notNullPredicate: rename(i.notNullPredicate) } : {}),
    }));
    this.constraints = this.constraints.map((c) => ({ ...c, columns: rename(c.columns) }));
  }

  /** ALTER TYPE/DOMAIN … RENAME: columns of that type (or arrays of it) now name it `to`. Whether any did. */
  renameType(type: QualifiedName, to: string): boolean {
    let found = false;
    for (const [name, column] of this.details) {
      const parts = (column.type?.names ?? []).map((n) => unwrap(n, "String")?.sval);
      const last = parts[parts.length - 1];
      const schema = parts.length > 1 ? parts[parts.length - 2] : undefined;
      if (!column.type || last !== type.name || (schema !== undefined && type.schema !== undefined && schema !== type.schema)) continue;
      const names = [...(column.type.names ?? []).slice(0, -1), { String: { sval: to } }];
      const renamed = { ...column.type, names };
      this.details.set(name, { ...column, type: renamed, typeText: formatTypeName(renamed) });
      found = true;
    }
    return found;
  }

  findIndex(name: string): IndexModel | undefined {
    return this.indexes.find((i) => i.name === name);
  }

  addIndex(index: IndexModel): void {
    this.indexes = [...this.indexes.filter((i) => i.name !== index.name), index];
  }

  dropIndex(name: string): boolean {
    const before = this.indexes.length;
    this.indexes = this.indexes.filter((i) => i.name !== name);
    return this.indexes.length !== before;
  }

  /** ALTER INDEX … RENAME: an index behind a constraint renames the constraint too (and the other way round). */
  renameIndexOrConstraint(from: string, to: string): boolean {
    let found = false;
    this.indexes = this.indexes.map((i) => {
      if (i.name !== from && i.constraint !== from) return i;
      found = true;
      return { ...i, ...(i.name === from ? { name: to } : {}), ...(i.constraint === from ? { constraint: to } : {}) };
    });
    this.constraints = this.constraints.map((c) => {
      if (c.name !== from) return c;
      found = true;
      return { ...c, name: to };
    });
    return found;
  }

  addConstraint(constraint: ConstraintModel): void {
    this.constraints = [...this.constraints.filter((c) => c.name !== constraint.name), constraint];
    if (constraint.kind === "primary-key") {
      for (const column of constraint.columns) this.updateColumn(column, (c) => ({ ...c, notNull: true }));
    }
  }

  /** DROP CONSTRAINT: the index behind a primary key, unique or exclusion constraint is dropped with it. */
  dropConstraint(name: string): void {
    this.constraints = this.constraints.filter((c) => c.name !== name);
    this.indexes = this.indexes.filter((i) => i.constraint !== name);
  }

  validateConstraint(name: string): void {
    this.constraints = this.constraints.map((c) => (c.name === name ? { ...c, validated: true } : c));
  }

  /** Forget the frozen copy: the next freeze() makes a new one. Every change made through the history calls it. */
  changed(): void {
    this.#frozen = undefined;
  }

  /** The table as plain data. Copies are shared until the table changes, so snapshots per migration stay cheap. */
  freeze(): TableModel {
    if (this.#frozen) return this.#frozen;
    const details = new Map<string, ColumnModel>();
    for (const column of this.columns.keys()) details.set(column, this.details.get(column) ?? { name: column });
    this.#frozen = {
      name: this.name,
      columns: [...this.columns.keys()],
      complete: this.complete,
      removedColumns: new Map(this.removed),
      columnDetails: details,
      indexes: [...this.indexes],
      indexesKnown: this.indexesKnown,
      constraints: [...this.constraints],
      ...(this.createdBy !== undefined ? { createdBy: this.createdBy } : {}),
    };
    return this.#frozen;
  }
}
