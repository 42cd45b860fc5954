/**
 * What the application-code rules know, in the form they ask it: for a name written in code (a property, an object
 * key, a string, a SQL identifier), which columns of which tables it may stand for, and what the migrations did to
 * them — a transition in flight, a drop, a rename. Built once per history model and Prisma schema.
 */
import { sameRelation, type QualifiedName } from "../sql/names.js";
import { findRemovedTable, findTable, type Fate, type SchemaModel, type Transition } from "../schema/model.js";
import { camelCase, respell, spellsColumn, tableNamesFor } from "./names.js";
import type { PrismaModel } from "./prisma-schema.js";

/** A column the rules care about: part of a transition, or gone (dropped or renamed). */
export interface ColumnFacts {
  readonly table: QualifiedName;
  readonly column: string;
  /** Transitions in which this column is the new one. */
  readonly asNew: readonly Transition[];
  /** Transitions in which this column is the old one. */
  readonly asOld: readonly Transition[];
  /** Set when the column no longer exists under this name. */
  readonly fate?: Fate;
}

/** How strictly a name must match: exactly (or an ORM's declared field name), or in either case style too. */
export type Spelling = "exact" | "styled";

export class Catalog {
  readonly model: SchemaModel;
  readonly prisma: readonly PrismaModel[];
  readonly #facts: ColumnFacts[] = [];
  /** Every spelling of an interesting column → its facts, for a quick first filter. */
  readonly #bySpelling = new Map<string, ColumnFacts[]>();

  constructor(model: SchemaModel, prisma: readonly PrismaModel[]) {
    this.model = model;
    this.prisma = prisma;
    const entries = new Map<string, { table: QualifiedName; column: string; asNew: Transition[]; asOld: Transition[]; fate?: Fate }>();
    const entry = (table: QualifiedName, column: string) => {
      const key = `${table.schema ?? ""}\0${table.name}\0${column}`;
      let found = entries.get(key);
      if (!found) entries.set(key, (found = { table, column, asNew: [], asOld: [] }));
      return found;
    };
    for (const transition of model.transitions) {
      entry(transition.table, transition.to).asNew.push(transition);
      entry(transition.table, transition.from).asOld.push(transition);
    }
    for (const table of model.tables) {
      for (const [column, fate] of table.removedColumns) entry(table.name, column).fate = fate;
    }
    for (const facts of entries.values()) {
      this.#facts.push(facts);
      for (const spelling of this.spellings(facts.table, facts.column)) {
        this.#bySpelling.set(spelling, [...(this.#bySpelling.get(spelling) ?? []), facts]);
      }
    }
  }

  /** Whether a name can matter at all (cheap check before any resolution). */
  mayMatter(name: string): boolean {
    return this.#bySpelling.has(name);
  }

  /** The interesting columns a name may stand for when the table is not known. */
  columnsNamed(name: string, spelling: Spelling): ColumnFacts[] {
    const found = this.#bySpelling.get(name) ?? [];
    return spelling === "styled" ? found : found.filter((f) => f.column === name || this.#declaredNames(f.table, f.column).includes(name));
  }

  /** The interesting column of a known table a name stands for, if any. */
  column(table: QualifiedName, name: string, spelling: Spelling = "styled"): ColumnFacts | undefined {
    return this.columnsNamed(name, spelling).find((f) => sameRelation(f.table, table));
  }

  /** Facts of a column by its real name. */
  facts(table: QualifiedName, column: string): ColumnFacts | undefined {
    return this.#facts.find((f) => f.column === column && sameRelation(f.table, table));
  }

  /** What became of a table no longer there under that name. */
  tableFate(table: QualifiedName): Fate | undefined {
    return findRemovedTable(this.model, table)?.fate;
  }

  /** Whether some other live table has a column spelt like this that the migrations left alone (ambiguity). */
  liveElsewhere(name: string, except: readonly QualifiedName[]): boolean {
    return this.model.tables.some(
      (t) =>
        !except.some((e) => sameRelation(e, t.name)) &&
        t.columns.some((c) => (c === name || this.#declaredNames(t.name, c).includes(name)) && !this.facts(t.name, c)),
    );
  }

  /** Every column name the model knows for a table: live, removed, and in transitions. */
  knownColumns(table: QualifiedName): string[] {
    const names = new Set<string>();
    const live = findTable(this.model, table);
    for (const c of live?.columns ?? []) names.add(c);
    for (const c of live?.removedColumns.keys() ?? []) names.add(c);
    for (const f of this.#facts) if (sameRelation(f.table, table)) names.add(f.column);
    return [...names];
  }

  /** Tables a model, type or variable name may stand for (`User` → users), among those the model knows. */
  tablesNamedLike(name: string): QualifiedName[] {
    const prisma = this.prisma.find((m) => m.name === name || m.clientProperty === name);
    if (prisma) return [this.#prismaTable(prisma)];
    const candidates = tableNamesFor(name);
    const known = [...this.model.tables.map((t) => t.name), ...this.model.removedTables.map((t) => t.name), ...this.model.transitions.map((t) => t.table)];
    const found = known.filter((t) => candidates.includes(t.name));
    return found.filter((t, i) => found.findIndex((u) => sameRelation(u, t)) === i);
  }

  /** The table of a Prisma client property (`db.user`), from schema.prisma or, without one, from the name. */
  prismaTable(clientProperty: string): { table: QualifiedName; model?: PrismaModel } | undefined {
    const model = this.prisma.find((m) => m.clientProperty === clientProperty);
    if (model) return { table: this.#prismaTable(model), model };
    const [table] = this.tablesNamedLike(clientProperty);
    return table ? { table } : undefined;
  }

  /** The column a Prisma field name maps to on a table (its @map), else undefined. */
  prismaColumn(table: QualifiedName, field: string): string | undefined {
    const model = this.prisma.find((m) => sameRelation(this.#prismaTable(m), table));
    return model?.fields.find((f) => f.name === field)?.column;
  }

  /** How code names a column: as is, in camelCase, and as the Prisma field mapped to it. */
  spellings(table: QualifiedName, column: string): string[] {
    return [...new Set([column, camelCase(column), ...this.#declaredNames(table, column)])];
  }

  /** Whether a name written for a known table stands for the column (any case style, or its Prisma field). */
  spells(table: QualifiedName, name: string, column: string): boolean {
    return spellsColumn(name, column) || this.#declaredNames(table, column).includes(name);
  }

  /** `target` spelt the way `written` spells `column` in code: as a column, in camelCase, or as its Prisma field. */
  respell(table: QualifiedName, written: string, column: string, target: string): string {
    if (written !== column && this.#declaredNames(table, column).includes(written)) return this.#declaredNames(table, target)[0] ?? respell(written, column, target);
    return respell(written, column, target);
  }

  #declaredNames(table: QualifiedName, column: string): string[] {
    return this.prisma
      .filter((m) => sameRelation(this.#prismaTable(m), table))
      .flatMap((m) => m.fields.filter((f) => f.column === column && f.name !== column).map((f) => f.name));
  }

  #prismaTable(model: PrismaModel): QualifiedName {
    return model.schema ? { schema: model.schema, name: model.table } : { name: model.table };
  }
}
