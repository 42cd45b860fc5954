/**
 * What a SQL statement reads and writes, resolved the way PostgreSQL resolves names: tables (RangeVar), and columns
 * (ColumnRef, INSERT column lists, UPDATE SET targets) attributed to the tables in scope — through aliases, joins,
 * subqueries and CTEs. Used for raw SQL in application code and for .sql files outside migrations (reports, views).
 */
import type { Node, RangeVar } from "@pgsql/types";
import { relationName, type QualifiedName } from "../sql/names.js";
import { scanSql } from "../sql/pg-parser.js";

export type SqlAccess = "read" | "write";

export interface SqlColumnReference {
  readonly column: string;
  /**
   * The tables the column can belong to: one when qualified or when one table is in scope, several when an
   * unqualified name meets a join. Empty when it comes from a subquery or CTE (not a table of the schema).
   */
  readonly tables: readonly QualifiedName[];
  readonly access: SqlAccess;
  /** Byte offset of the reference's first token in the parsed text. */
  readonly location: number;
  /** How many name parts precede the column in the reference (`u.full_name` → 1). */
  readonly qualifiers: number;
  /** The statement it is part of (index in the parsed list), for pairing reads of two columns. */
  readonly statement: number;
}

export interface SqlTableReference {
  readonly table: QualifiedName;
  /** Byte offset of the name's first token. */
  readonly location: number;
  readonly statement: number;
}

/** The columns one INSERT or UPDATE writes, together (for dual-write). */
export interface SqlWrite {
  readonly table: QualifiedName;
  readonly columns: readonly SqlColumnReference[];
  readonly statement: number;
}

export interface SqlReferences {
  readonly columns: SqlColumnReference[];
  readonly tables: SqlTableReference[];
  readonly writes: SqlWrite[];
}

type Entry = { kind: "table"; table: QualifiedName } | { kind: "derived" };

class Scope {
  readonly entries = new Map<string, Entry>();
  readonly tables: QualifiedName[] = [];
  readonly ctes = new Set<string>();
  constructor(readonly parent: Scope | undefined) {}

  lookup(name: string): Entry | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      const entry = s.entries.get(name);
      if (entry) return entry;
    }
    return undefined;
  }

  isCte(name: string): boolean {
    for (let s: Scope | undefined = this; s; s = s.parent) if (s.ctes.has(name)) return true;
    return false;
  }

  /** The nearest scope that has a FROM list: unqualified names belong to one of its items. */
  nearestWithItems(): Scope | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) if (s.entries.size > 0) return s;
    return undefined;
  }
}

/** References of parsed statements (libpg-query's `stmts[].stmt`), in order. */
export function referencesOf(statements: readonly (Node | undefined)[]): SqlReferences {
  const out: SqlReferences = { columns: [], tables: [], writes: [] };
  statements.forEach((statement, index) => {
    if (statement) new Walker(out, index).visit(statement, new Scope(undefined));
  });
  return out;
}

class Walker {
  constructor(
    readonly out: SqlReferences,
    readonly statement: number,
  ) {}

  visit(node: unknown, scope: Scope): void {
    if (Array.isArray(node)) {
      for (const item of node) this.visit(item, scope);
      return;
    }
    if (node === null || typeof node !== "object") return;
    const record = node as Record<string, unknown>;
    for (const [kind, value] of Object.entries(record)) {
      switch (kind) {
        case "SelectStmt":
          this.select(value as SelectFields, scope);
          break;
        case "InsertStmt":
          this.insert(value as InsertFields, scope);
          break;
        case "UpdateStmt":
          this.update(value as UpdateFields, scope);
          break;
        case "DeleteStmt":
          this.delete(value as DeleteFields, scope);
          break;
        case "ColumnRef":
          this.columnRef(value as { fields?: Node[]; location?: number }, scope);
          break;
        case "RangeVar":
          // A table named outside a FROM list (COPY t TO, LOCK t, TRUNCATE t, …).
          this.rangeVar(value as RangeVar, scope);
          break;
        default:
          this.visit(value, scope);
      }
    }
  }

  #with(withClause: { ctes?: Node[] } | undefined, scope: Scope): Scope {
    if (!withClause) return scope;
    const inner = new Scope(scope);
    for (const cte of withClause.ctes ?? []) {
      const name = (cte as { CommonTableExpr?: { ctename?: string } }).CommonTableExpr?.ctename;
      if (name) inner.ctes.add(name);
    }
    for (const cte of withClause.ctes ?? []) this.visit((cte as { CommonTableExpr?: { ctequery?: Node } }).CommonTableExpr?.ctequery, inner);
    return inner;
  }

  select(select: SelectFields, outer: Scope): void {
    const withScope = this.#with(select.withClause, outer);
    if (select.op && select.op !== "SETOP_NONE") {
      this.visit(select.larg ? { SelectStmt: select.larg } : undefined, withScope);
      this.visit(select.rarg ? { SelectStmt: select.rarg } : undefined, withScope);
      this.visit(select.sortClause, withScope);
      return;
    }
    const scope = new Scope(withScope);
    for (const item of select.fromClause ?? []) this.#fromItem(item, scope);
    const { fromClause: _f, withClause: _w, larg: _l, rarg: _r, intoClause: _i, ...rest } = select;
    this.visit(rest, scope);
  }

  #fromItem(item: Node, scope: Scope): void {
    const record = item as Record<string, unknown>;
    if ("RangeVar" in record) {
      const range = record.RangeVar as RangeVar;
      const table = relationName(range);
      const alias = range.alias?.aliasname;
      if (!table) return;
      if (!table.schema && scope.isCte(table.name)) {
        scope.entries.set(alias ?? table.name, { kind: "derived" });
        return;
      }
      scope.entries.set(alias ?? table.name, { kind: "table", table });
      scope.tables.push(table);
      this.out.tables.push({ table, location: range.location ?? 0, statement: this.statement });
    } else if ("JoinExpr" in record) {
      const join = record.JoinExpr as { larg?: Node; rarg?: Node; quals?: Node; alias?: { aliasname?: string } };
      if (join.larg) this.#fromItem(join.larg, scope);
      if (join.rarg) this.#fromItem(join.rarg, scope);
      this.visit(join.quals, scope);
      if (join.alias?.aliasname) scope.entries.set(join.alias.aliasname, { kind: "derived" });
    } else if ("RangeSubselect" in record) {
      const sub = record.RangeSubselect as { subquery?: Node; alias?: { aliasname?: string } };
      this.visit(sub.subquery, scope);
      if (sub.alias?.aliasname) scope.entries.set(sub.alias.aliasname, { kind: "derived" });
    } else if ("RangeFunction" in record) {
      const fn = record.RangeFunction as { functions?: Node[]; alias?: { aliasname?: string } };
      this.visit(fn.functions, scope);
      if (fn.alias?.aliasname) scope.entries.set(fn.alias.aliasname, { kind: "derived" });
    } else {
      this.visit(item, scope);
    }
  }

  /** The target table of INSERT/UPDATE/DELETE, in a new scope under its alias. */
  #target(relation: RangeVar | undefined, outer: Scope): { scope: Scope; table: QualifiedName | undefined } {
    const scope = new Scope(outer);
    const table = relationName(relation);
    if (table && relation) {
      scope.entries.set(relation.alias?.aliasname ?? table.name, { kind: "table", table });
      scope.tables.push(table);
      this.out.tables.push({ table, location: relation.location ?? 0, statement: this.statement });
    }
    return { scope, table };
  }

  #written(table: QualifiedName | undefined, targets: readonly Node[] | undefined): SqlColumnReference[] {
    if (!table) return [];
    const columns: SqlColumnReference[] = [];
    for (const target of targets ?? []) {
      const res = (target as { ResTarget?: { name?: string; location?: number } }).ResTarget;
      if (!res?.name) continue;
      const reference: SqlColumnReference = { column: res.name, tables: [table], access: "write", location: res.location ?? 0, qualifiers: 0, statement: this.statement };
      columns.push(reference);
      this.out.columns.push(reference);
    }
    return columns;
  }

  insert(insert: InsertFields, outer: Scope): void {
    const withScope = this.#with(insert.withClause, outer);
    const { scope, table } = this.#target(insert.relation, withScope);
    const written = this.#written(table, insert.cols);
    const conflict = insert.onConflictClause;
    const updated = this.#written(table, conflict?.targetList);
    if (table) {
      this.out.writes.push({ table, columns: written, statement: this.statement });
      if (updated.length) this.out.writes.push({ table, columns: updated, statement: this.statement });
    }
    // The VALUES or SELECT runs in the outer scope: it cannot see the target table's columns.
    this.visit(insert.selectStmt, withScope);
    for (const target of conflict?.targetList ?? []) this.visit((target as { ResTarget?: { val?: Node } }).ResTarget?.val, scope);
    scope.entries.set("excluded", { kind: "derived" });
    this.visit(conflict?.whereClause, scope);
    this.visit(conflict?.infer, scope);
    this.visit(insert.returningClause ?? insert.returningList, scope);
  }

  update(update: UpdateFields, outer: Scope): void {
    const withScope = this.#with(update.withClause, outer);
    const { scope, table } = this.#target(update.relation, withScope);
    for (const item of update.fromClause ?? []) this.#fromItem(item, scope);
    const written = this.#written(table, update.targetList);
    if (table) this.out.writes.push({ table, columns: written, statement: this.statement });
    for (const target of update.targetList ?? []) this.visit((target as { ResTarget?: { val?: Node } }).ResTarget?.val, scope);
    this.visit(update.whereClause, scope);
    this.visit(update.returningClause ?? update.returningList, scope);
  }

  delete(del: DeleteFields, outer: Scope): void {
    const withScope = this.#with(del.withClause, outer);
    const { scope } = this.#target(del.relation, withScope);
    for (const item of del.usingClause ?? []) this.#fromItem(item, scope);
    this.visit(del.whereClause, scope);
    this.visit(del.returningClause ?? del.returningList, scope);
  }

  rangeVar(range: RangeVar, scope: Scope): void {
    const table = relationName(range);
    if (!table || (!table.schema && scope.isCte(table.name))) return;
    this.out.tables.push({ table, location: range.location ?? 0, statement: this.statement });
  }

  columnRef(ref: { fields?: Node[]; location?: number }, scope: Scope): void {
    const parts = (ref.fields ?? []).map((f) => (f as { String?: { sval?: string } }).String?.sval);
    if (parts.length === 0 || parts.some((p) => p === undefined)) return; // `*`, `t.*`
    const names = parts as string[];
    const column = names[names.length - 1]!;
    let tables: QualifiedName[] = [];
    if (names.length === 1) {
      const nearest = scope.nearestWithItems();
      // A name in a scope that also holds subqueries may come from them: keep the tables, they are candidates.
      tables = nearest ? [...nearest.tables] : [];
    } else if (names.length === 2) {
      const entry = scope.lookup(names[0]!);
      if (entry?.kind === "table") tables = [entry.table];
    } else {
      tables = [{ schema: names[names.length - 3]!, name: names[names.length - 2]! }];
    }
    this.out.columns.push({ column, tables, access: "read", location: ref.location ?? 0, qualifiers: names.length - 1, statement: this.statement });
  }
}

/**
 * The byte range of the column's own name in a reference (`u."Full"` → `"Full"`), found with PostgreSQL's lexer in
 * the parsed text: ColumnRef locations point at the first part.
 */
export function columnNameRange(text: string, reference: Pick<SqlColumnReference, "location" | "qualifiers">): [number, number] | undefined {
  const tokens = tokensOf(text);
  let i = tokens.findIndex((t) => t.start === reference.location);
  if (i < 0) return undefined;
  for (let q = 0; q < reference.qualifiers; q++) {
    if (tokens[i + 1]?.text !== ".") return undefined;
    i += 2;
  }
  const token = tokens[i];
  return token ? [token.start, token.end] : undefined;
}

/** The byte range of a qualified table name starting at `location` (`app.users`). */
export function tableNameRange(text: string, location: number): [number, number] | undefined {
  const tokens = tokensOf(text);
  let i = tokens.findIndex((t) => t.start === location);
  if (i < 0) return undefined;
  const start = tokens[i]!.start;
  while (tokens[i + 1]?.text === "." && tokens[i + 2]) i += 2;
  return [start, tokens[i]!.end];
}

const tokenCache = new Map<string, { start: number; end: number; text: string }[]>();

function tokensOf(text: string): { start: number; end: number; text: string }[] {
  let tokens = tokenCache.get(text);
  if (!tokens) {
    tokens = (scanSql(text) ?? []).filter((t) => t.tokenName !== "SQL_COMMENT" && t.tokenName !== "C_COMMENT");
    if (tokenCache.size > 256) tokenCache.clear();
    tokenCache.set(text, tokens);
  }
  return tokens;
}

interface SelectFields {
  withClause?: { ctes?: Node[] };
  fromClause?: Node[];
  op?: string;
  larg?: unknown;
  rarg?: unknown;
  sortClause?: Node[];
  intoClause?: unknown;
  [key: string]: unknown;
}
interface InsertFields {
  withClause?: { ctes?: Node[] };
  relation?: RangeVar;
  cols?: Node[];
  selectStmt?: Node;
  onConflictClause?: { targetList?: Node[]; whereClause?: Node; infer?: Node };
  /** PostgreSQL 18's RETURNING (with OLD/NEW aliases); older trees have `returningList`. */
  returningClause?: { exprs?: Node[] };
  returningList?: Node[];
}
interface UpdateFields {
  withClause?: { ctes?: Node[] };
  relation?: RangeVar;
  targetList?: Node[];
  fromClause?: Node[];
  whereClause?: Node;
  /** PostgreSQL 18's RETURNING (with OLD/NEW aliases); older trees have `returningList`. */
  returningClause?: { exprs?: Node[] };
  returningList?: Node[];
}
interface DeleteFields {
  withClause?: { ctes?: Node[] };
  relation?: RangeVar;
  usingClause?: Node[];
  whereClause?: Node;
  /** PostgreSQL 18's RETURNING (with OLD/NEW aliases); older trees have `returningList`. */
  returningClause?: { exprs?: Node[] };
  returningList?: Node[];
}
