/**
 * Lookups over the whole migration, built once per file: which objects it creates and when, each statement's schema
 * effects, and the statements that touch each table. Rules ask "was this view created earlier?" or "which earlier
 * statements altered this table?" for every statement; answered by scanning, a 20,000-statement file would cost
 * hundreds of millions of steps.
 */
import type { SqlDocument } from "../sql/document.js";
import { nameFromList, relationKey, relationName, sameRelation, type QualifiedName } from "../sql/names.js";
import { nodeOf, unwrap, type ParsedStatement } from "../sql/statement.js";
import { columnsReferenced, effectsOf, type SchemaEffect } from "./effects.js";

/** Kinds of objects whose creation in this migration makes later statements on them harmless. */
export type ObjectKind = "table" | "view" | "matview" | "domain" | "schema" | "sequence" | "index";

interface Created {
  readonly name: QualifiedName;
  readonly at: number;
}

export class MigrationIndex {
  readonly #effects = new Map<number, readonly SchemaEffect[]>();
  readonly #created = new Map<string, Created[]>(); // `${kind}:${name}` → creations in order
  readonly #byTable = new Map<string, ParsedStatement[]>(); // table name → statements naming it, in order
  readonly #indexTables = new Map<string, { table: QualifiedName; at: number }[]>();
  readonly #byKind = new Map<string, ParsedStatement[]>(); // node kind → statements, in order
  #byColumn: Map<string, number[]> | undefined; // column name → indices of statements reading it (built on demand)
  readonly #document: SqlDocument;
  readonly #sections: readonly number[]; // statement index → section

  #sectionOf(index: number): number {
    return this.#sections[index] ?? 0;
  }
  readonly statementsWithEffects: readonly { statement: ParsedStatement; effects: readonly SchemaEffect[] }[];

  constructor(document: SqlDocument) {
    this.#document = document;
    this.#sections = document.statements.map((statement) => statement.section);
    const withEffects: { statement: ParsedStatement; effects: readonly SchemaEffect[] }[] = [];
    for (const statement of document.statements) {
      if (!statement.checked) continue;
      const effects = effectsOf(statement);
      this.#effects.set(statement.index, effects);
      push(this.#byKind, statement.type, statement);
      withEffects.push({ statement, effects });
      for (const table of tablesNamedBy(statement)) push(this.#byTable, relationKey(table), statement);
      for (const created of objectsCreatedBy(statement, effects, (name, at) => this.createdBefore("table", name, at))) {
        push(this.#created, `${created.kind}:${relationKey(created.name)}`, { name: created.name, at: statement.index });
      }
      for (const effect of effects) {
        if (effect.kind === "create-index") push(this.#indexTables, effect.index, { table: effect.table, at: statement.index });
      }
    }
    this.statementsWithEffects = withEffects;
  }

  effectsOf(statement: ParsedStatement): readonly SchemaEffect[] {
    return this.#effects.get(statement.index) ?? [];
  }

  /** Whether this migration created an object of that kind and name before statement `before`. */
  createdBefore(kind: ObjectKind, name: QualifiedName | undefined, before: number): boolean {
    if (!name || this.#created.size === 0) return false;
    // Only in the same section: a goose/dbmate Down part runs in a later deploy, when what Up created is in use.
    const section = this.#sectionOf(before);
    return (this.#created.get(`${kind}:${relationKey(name)}`) ?? []).some(
      (c) => c.at < before && this.#sectionOf(c.at) === section && sameRelation(c.name, name),
    );
  }

  /** The table of an index this migration created before statement `before`. */
  tableOfIndex(index: string, before: number): QualifiedName | undefined {
    const section = this.#sectionOf(before);
    return (this.#indexTables.get(index) ?? []).find((c) => c.at < before && this.#sectionOf(c.at) === section)?.table;
  }

  /** The statements of one node kind ("AlterSeqStmt", "IndexStmt"…), in order. */
  statementsOfKind(kind: string): readonly ParsedStatement[] {
    return this.#byKind.get(kind) ?? [];
  }

  /** Indices of the statements whose expressions read a column of this name (any table), in order. */
  statementsReadingColumn(column: string): readonly number[] {
    if (!this.#byColumn) {
      this.#byColumn = new Map();
      for (const statement of this.#document.statements) {
        if (!statement.checked) continue;
        for (const name of columnsReferenced(statement.node)) push(this.#byColumn, name, statement.index);
      }
    }
    return this.#byColumn.get(column) ?? [];
  }

  /** The statements that name this table (ALTER/CREATE/DROP/RENAME/UPDATE/DELETE/TRUNCATE/INDEX…), in order. */
  statementsOnTable(table: QualifiedName): readonly ParsedStatement[] {
    return (this.#byTable.get(relationKey(table)) ?? []).filter((s) => tablesNamedBy(s).some((t) => sameRelation(t, table)));
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Objects a statement creates, by kind. A table renamed after being created here is still new under its new name. */
function* objectsCreatedBy(
  statement: ParsedStatement,
  effects: readonly SchemaEffect[],
  createdBefore: (name: QualifiedName, at: number) => boolean,
): Generator<{ kind: ObjectKind; name: QualifiedName }> {
  for (const effect of effects) {
    if (effect.kind === "create-table") yield { kind: "table", name: effect.table };
    if (effect.kind === "rename-table" && createdBefore(effect.table, statement.index)) yield { kind: "table", name: { ...effect.table, name: effect.to } };
    if (effect.kind === "create-index") yield { kind: "index", name: { name: effect.index } };
  }
  const createAs = nodeOf(statement, "CreateTableAsStmt");
  if (createAs?.objtype === "OBJECT_MATVIEW") {
    const name = relationName(createAs.into?.rel);
    if (name) yield { kind: "matview", name };
  }
  const view = relationName(nodeOf(statement, "ViewStmt")?.view);
  if (view) yield { kind: "view", name: view };
  const domain = nameFromList(nodeOf(statement, "CreateDomainStmt")?.domainname);
  if (domain) yield { kind: "domain", name: domain };
  const schema = nodeOf(statement, "CreateSchemaStmt")?.schemaname;
  if (schema) yield { kind: "schema", name: { name: schema } };
  const sequence = relationName(nodeOf(statement, "CreateSeqStmt")?.sequence);
  if (sequence) yield { kind: "sequence", name: sequence };
}

/** The tables a statement names directly (cheap: the statement's own relation fields, no expression walk). */
function tablesNamedBy(statement: ParsedStatement): QualifiedName[] {
  const names: (QualifiedName | undefined)[] = [
    relationName(nodeOf(statement, "AlterTableStmt")?.relation),
    relationName(nodeOf(statement, "CreateStmt")?.relation),
    relationName(nodeOf(statement, "IndexStmt")?.relation),
    relationName(nodeOf(statement, "RenameStmt")?.relation),
    relationName(nodeOf(statement, "UpdateStmt")?.relation),
    relationName(nodeOf(statement, "DeleteStmt")?.relation),
    relationName(nodeOf(statement, "InsertStmt")?.relation),
    relationName(nodeOf(statement, "CreateTrigStmt")?.relation),
    relationName(nodeOf(statement, "CreateTableAsStmt")?.into?.rel),
    ...(nodeOf(statement, "TruncateStmt")?.relations ?? []).map((r) => relationName(unwrap(r, "RangeVar"))),
    ...(nodeOf(statement, "DropStmt")?.objects ?? []).map((o) => nameFromList(unwrap(o, "List")?.items)),
  ];
  return names.filter((n): n is QualifiedName => n !== undefined);
}
