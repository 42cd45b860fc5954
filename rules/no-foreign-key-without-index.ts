/**
 * A foreign key needs an index on the referencing columns: PostgreSQL indexes the referenced side (it must be a
 * primary key or unique) but not the referencing one, and every DELETE of a parent row and every UPDATE of its key
 * then looks for children with a sequential scan of the child table.
 *
 * Whether such an index exists is only known where the migrations show the table's indexes: the table is created in
 * this migration or an earlier one (`context.history`), or indexes are created on it. For any other table the rule
 * stays silent. The knowledge comes through `IndexKnowledge`: the history's indexes of each table, followed through
 * the statements of this migration.
 */
import type { Constraint, Node } from "@pgsql/types";
import type { StatementContext } from "../src/context/migration-context.js";
import { defineRule, type Finding } from "../src/rule.js";
import { constraintsOf, defaultIndexName, notNullPredicate, stringsOf as strings } from "../src/schema/ddl.js";
import type { SchemaHistory, TableModel } from "../src/schema/model.js";
import type { SqlDocument } from "../src/sql/document.js";
import { alterTableActionRanges, tokensOf } from "../src/sql/locate.js";
import { formatName, makeObjectName, nameFromList, quoteIdent, relationKey, relationName, sameRelation, type QualifiedName } from "../src/sql/names.js";
import type { Range } from "../src/sql/source-text.js";
import { nodeOf, unwrap, type ParsedStatement } from "../src/sql/statement.js";

type MessageId = "missingIndex" | "noShownIndex" | "createIndex";

/** One index of a table: its key columns in order (null for an expression). */
export interface KnownIndex {
  readonly columns: readonly (string | null)[];
  /** Columns a partial index requires to be NOT NULL: it still serves lookups of non-null keys on them. */
  readonly notNull?: readonly string[];
  /** The index name, when it is known. */
  readonly name?: string;
  /** The constraint the index implements (PRIMARY KEY, UNIQUE, EXCLUDE), when it is one. */
  readonly constraint?: string;
}

/** What is known of a table's indexes. */
export interface TableIndexes {
  /** True when every index of the table is known (it was created in view); false when only some are. */
  readonly complete: boolean;
  readonly indexes: readonly KnownIndex[];
}

/**
 * The indexes known on a table, or undefined when they are not known at all: what the earlier migrations left
 * (the history), followed through the statements of this migration's section.
 */
export type IndexKnowledge = (table: QualifiedName) => TableIndexes | undefined;

export default defineRule<MessageId>({
  name: "no-foreign-key-without-index",
  meta: {
    type: "problem",
    description: "Disallow foreign keys whose referencing columns do not lead any index of the table, where its indexes are known",
    recommended: true,
    appliesToRollbacks: true,
    hasSuggestions: true,
    messages: {
      missingIndex:
        "Foreign key {{constraint}} on {{table}} {{columns}} has no index on {{table}} that starts with {{columns}}: every DELETE from {{referenced}}, and every UPDATE of its key, must scan all of {{table}} to find referencing rows (so does ON DELETE CASCADE / SET NULL), under locks, once per parent row. Create an index on {{table}} {{columns}}.",
      noShownIndex:
        "Foreign key {{constraint}} on {{table}} {{columns}} is not covered by any index the migrations create on {{table}}, and none of them starts with {{columns}}: unless {{table}} had such an index before the migrations began, every DELETE from {{referenced}}, and every UPDATE of its key, must scan all of {{table}} to find referencing rows. Create an index on {{table}} {{columns}}, CONCURRENTLY.",
      createIndex: "Create index {{index}} on {{table}} {{columns}} after this statement.",
    },
  },

  *check(statement, context) {
    const foreignKeys = foreignKeysOf(statement, context);
    if (foreignKeys.length === 0) return;
    const knowledge = indexKnowledge(context, statement.section);
    for (const fk of foreignKeys) {
      if (fk.constraint.is_enforced !== true) continue; // NOT ENFORCED (PostgreSQL 18): no checks on the parent side
      const known = knowledge(fk.table);
      if (!known || known.indexes.some((index) => covers(index, fk.columns))) continue;
      const columns = `(${fk.columns.map(quoteIdent).join(", ")})`;
      const referenced = relationName(fk.constraint.pktable);
      yield {
        messageId: known.complete ? "missingIndex" : "noShownIndex",
        data: {
          constraint: fk.constraint.conname ? quoteIdent(fk.constraint.conname) : "(unnamed)",
          table: formatName(fk.table),
          columns,
          referenced: referenced ? formatName(referenced) : "the referenced table",
        },
        range: fk.range(),
        suggestions: createIndexSuggestion(statement, context, fk.table, fk.columns, columns),
      };
    }
  },
});

interface ForeignKey {
  readonly table: QualifiedName;
  readonly columns: readonly string[];
  readonly constraint: Constraint;
  /** Where to report: computed only when reporting (it runs the lexer). */
  readonly range: () => Range;
}

/** The foreign keys a statement declares: in CREATE TABLE, ADD CONSTRAINT … FOREIGN KEY, ADD COLUMN … REFERENCES. */
function foreignKeysOf(statement: ParsedStatement, context: StatementContext): ForeignKey[] {
  const out: ForeignKey[] = [];
  const create = nodeOf(statement, "CreateStmt");
  if (create) {
    const table = relationName(create.relation);
    if (!table) return out;
    for (const element of create.tableElts ?? []) {
      const column = unwrap(element, "ColumnDef");
      if (column?.colname) {
        for (const constraint of columnForeignKeys(column.constraints)) {
          out.push({ table, columns: [column.colname], constraint, range: () => elementRange(statement, context, column.location) });
        }
      }
      const constraint = unwrap(element, "Constraint");
      if (constraint?.contype === "CONSTR_FOREIGN") {
        out.push({ table, columns: strings(constraint.fk_attrs), constraint, range: () => elementRange(statement, context, constraint.location) });
      }
    }
    return out;
  }
  const alter = nodeOf(statement, "AlterTableStmt");
  if (alter?.objtype === "OBJECT_TABLE") {
    const table = relationName(alter.relation);
    if (!table) return out;
    let ranges: Range[] | undefined;
    (alter.cmds ?? []).forEach((wrapped, i) => {
      const cmd = unwrap(wrapped, "AlterTableCmd");
      const range = (): Range => (ranges ??= alterTableActionRanges(statement, context.document.source))[i] ?? statement.range;
      const constraint = unwrap(cmd?.def, "Constraint");
      if (cmd?.subtype === "AT_AddConstraint" && constraint?.contype === "CONSTR_FOREIGN") {
        out.push({ table, columns: strings(constraint.fk_attrs), constraint, range });
      }
      const column = cmd?.subtype === "AT_AddColumn" ? unwrap(cmd.def, "ColumnDef") : undefined;
      for (const c of columnForeignKeys(column?.constraints)) {
        if (column?.colname) out.push({ table, columns: [column.colname], constraint: c, range });
      }
    });
  }
  return out;
}

/**
 * The REFERENCES constraints of a column definition. A column constraint's attributes (`NOT ENFORCED`,
 * `DEFERRABLE`, …) arrive as separate items after it; a NOT ENFORCED one is marked on the copy returned.
 */
function columnForeignKeys(nodes: readonly Node[] | undefined): Constraint[] {
  const list = constraintsOf(nodes);
  const out: Constraint[] = [];
  list.forEach((constraint, i) => {
    if (constraint.contype !== "CONSTR_FOREIGN") return;
    let notEnforced = false;
    for (let k = i + 1; k < list.length && list[k]!.contype?.startsWith("CONSTR_ATTR_"); k++) {
      if (list[k]!.contype === "CONSTR_ATTR_NOT_ENFORCED") notEnforced = true;
    }
    out.push(notEnforced ? { ...constraint, is_enforced: false } : constraint);
  });
  return out;
}

/**
 * An index serves the foreign key's lookups when its leading columns are exactly the referencing columns, in any
 * order, and its predicate (if partial) asks only that some of those columns be NOT NULL.
 */
function covers(index: KnownIndex, columns: readonly string[]): boolean {
  const leading = index.columns.slice(0, columns.length);
  if (leading.length < columns.length || leading.some((c) => c === null || !columns.includes(c))) return false;
  if (new Set(leading).size !== columns.length) return false;
  return (index.notNull ?? []).every((c) => columns.includes(c));
}

/** The range of a CREATE TABLE element: from its first token to the `,` or `)` that ends it. */
function elementRange(statement: ParsedStatement, context: StatementContext, location: number | undefined): Range {
  if (location === undefined || statement.byteBase < 0) return statement.range;
  const { source } = context.document;
  const tokens = tokensOf(statement, source);
  const start = source.indexOfByte(statement.byteBase + location);
  const first = tokens.findIndex((t) => t.range[0] === start);
  if (first < 0) return statement.range;
  let depth = 0;
  let last = first;
  for (let k = first; k < tokens.length; k++) {
    const text = tokens[k]!.text;
    if (depth === 0 && (text === "," || text === ")")) break; // the end of the element, or of the element list
    if (text === "(") depth++;
    if (text === ")") depth--;
    last = k;
  }
  return [tokens[first]!.range[0], tokens[last]!.range[1]];
}

// ---------------------------------------------------------------------------------------------------------------
// What the migration shows of each table's indexes.

/** The index knowledge a rule has for a statement: the history's, followed through the statements of its section. */
export function indexKnowledge(context: StatementContext, section: number): IndexKnowledge {
  return indexesShownIn(context.document, section, context.history);
}

interface TableEntry {
  table: QualifiedName;
  complete: boolean;
  /** An index of unknown columns exists (adopted by USING INDEX, inherited from a parent, copied by LIKE). */
  opaque: boolean;
  indexes: KnownIndex[];
}

const knowledgeCache = new WeakMap<SqlDocument, Map<string, IndexKnowledge>>();

/**
 * What the history says of a table's indexes, as an entry to follow through the migration: all of them (it created
 * the table), some, or none usable. A table the history knows only by mention, with no index in view, tells nothing.
 */
function fromHistory(table: QualifiedName, known: TableModel): TableEntry | undefined {
  if (known.indexesKnown === "some" && known.indexes.length === 0) return undefined;
  const indexes: KnownIndex[] = [];
  for (const index of known.indexes) {
    // A partial index serves the lookups only when its predicate just excludes NULLs in the key.
    if (index.partial && !index.notNullPredicate) continue;
    indexes.push({ columns: index.columns, notNull: index.notNullPredicate ?? [], name: index.name, ...(index.constraint ? { constraint: index.constraint } : {}) });
  }
  return { table, complete: known.indexesKnown === "all", opaque: known.indexesKnown === "unknown", indexes };
}

/** The indexes of each table as the earlier migrations (`history`) and the statements of one section leave them. */
export function indexesShownIn(document: SqlDocument, section: number, history?: SchemaHistory): IndexKnowledge {
  let perSection = knowledgeCache.get(document);
  if (!perSection) knowledgeCache.set(document, (perSection = new Map()));
  const cacheKey = `${section}\0${history?.file ?? ""}`;
  const hit = perSection.get(cacheKey);
  if (hit) return hit;

  const tables = new Map<string, TableEntry[]>();
  /** Tables this section created or dropped: what the history said of them no longer applies. */
  const replaced = new Set<string>();
  /** Indexes this section drops: gone from what the history says too. */
  const droppedIndexes = new Set<string>();
  const add = (found: TableEntry): TableEntry => {
    tables.set(relationKey(found.table), [...(tables.get(relationKey(found.table)) ?? []), found]);
    return found;
  };
  const find = (table: QualifiedName): TableEntry | undefined => {
    const found = (tables.get(relationKey(table)) ?? []).find((e) => sameRelation(e.table, table));
    if (found || !history || replaced.has(relationKey(table))) return found;
    const known = history.table(table);
    const seeded = known ? fromHistory(table, known) : undefined;
    if (seeded) seeded.indexes = seeded.indexes.filter((i) => !i.name || !droppedIndexes.has(i.name));
    return seeded ? add(seeded) : undefined;
  };
  const entry = (table: QualifiedName): TableEntry => find(table) ?? add({ table, complete: false, opaque: false, indexes: [] });
  const forget = (table: QualifiedName): void => {
    replaced.add(relationKey(table));
    tables.set(relationKey(table), (tables.get(relationKey(table)) ?? []).filter((e) => !sameRelation(e.table, table)));
  };

  for (const statement of document.statements) {
    if (!statement.checked || statement.section !== section) continue;
    const create = nodeOf(statement, "CreateStmt");
    if (create) {
      const table = relationName(create.relation);
      if (!table) continue;
      forget(table);
      const e = entry(table);
      e.complete = true;
      // A partition inherits the parent's indexes; LIKE … INCLUDING INDEXES copies another table's.
      if (create.partbound || (create.tableElts ?? []).some((el) => unwrap(el, "TableLikeClause"))) e.opaque = true;
      for (const element of create.tableElts ?? []) {
        const column = unwrap(element, "ColumnDef");
        if (column?.colname) for (const c of constraintsOf(column.constraints)) addConstraintIndex(e, c, [column.colname]);
        const constraint = unwrap(element, "Constraint");
        if (constraint) addConstraintIndex(e, constraint);
      }
      continue;
    }
    const createAs = nodeOf(statement, "CreateTableAsStmt");
    const selectInto = nodeOf(statement, "SelectStmt")?.intoClause;
    const asTable = relationName(createAs?.objtype !== "OBJECT_MATVIEW" ? createAs?.into?.rel : undefined) ?? relationName(selectInto?.rel);
    if (asTable) {
      forget(asTable);
      entry(asTable).complete = true;
      continue;
    }
    const index = nodeOf(statement, "IndexStmt");
    if (index) {
      const table = relationName(index.relation);
      if (!table) continue;
      const notNull = notNullPredicate(index.whereClause);
      if (notNull === undefined) continue; // a partial index of another kind serves only some lookups
      const columns = (index.indexParams ?? []).map((p) => unwrap(p, "IndexElem")?.name ?? null);
      entry(table).indexes.push({ columns, notNull, ...(index.idxname ? { name: index.idxname } : {}) });
      continue;
    }
    const alter = nodeOf(statement, "AlterTableStmt");
    if (alter?.objtype === "OBJECT_TABLE") {
      const table = relationName(alter.relation);
      if (!table) continue;
      for (const wrapped of alter.cmds ?? []) {
        const cmd = unwrap(wrapped, "AlterTableCmd");
        const constraint = unwrap(cmd?.def, "Constraint");
        if (cmd?.subtype === "AT_AddConstraint" && constraint) {
          if (constraint.indexname) {
            // ADD … USING INDEX adopts an index: known if this migration built it, of unknown columns otherwise.
            const adopted = find(table)?.indexes.some((i) => i.name === constraint.indexname);
            if (!adopted) entry(table).opaque = true;
          } else if (["CONSTR_PRIMARY", "CONSTR_UNIQUE", "CONSTR_EXCLUSION"].includes(constraint.contype ?? "")) {
            addConstraintIndex(entry(table), constraint);
          }
        } else if (cmd?.subtype === "AT_AddColumn") {
          const column = unwrap(cmd.def, "ColumnDef");
          const adds = constraintsOf(column?.constraints).filter((c) => c.contype === "CONSTR_PRIMARY" || c.contype === "CONSTR_UNIQUE");
          if (column?.colname && adds.length > 0) for (const c of adds) addConstraintIndex(entry(table), c, [column.colname]);
        } else if (cmd?.subtype === "AT_DropColumn" && cmd.name) {
          // Dropping a column drops every index that uses it.
          const e = find(table);
          if (e) e.indexes = e.indexes.filter((i) => !i.columns.includes(cmd.name!));
        } else if (cmd?.subtype === "AT_DropConstraint" && cmd.name) {
          const e = find(table);
          if (e) e.indexes = e.indexes.filter((i) => i.constraint !== cmd.name);
        }
      }
      continue;
    }
    const drop = nodeOf(statement, "DropStmt");
    if (drop?.removeType === "OBJECT_INDEX") {
      const names = (drop.objects ?? []).map((o) => nameFromList(unwrap(o, "List")?.items)?.name);
      for (const name of names) if (name) droppedIndexes.add(name);
      for (const list of tables.values()) for (const e of list) e.indexes = e.indexes.filter((i) => !i.name || !names.includes(i.name));
    } else if (drop?.removeType === "OBJECT_TABLE") {
      for (const object of drop.objects ?? []) {
        const table = nameFromList(unwrap(object, "List")?.items);
        if (table) forget(table);
      }
    }
  }

  const knowledge: IndexKnowledge = (table) => {
    const e = find(table);
    if (!e || e.opaque) return undefined;
    return { complete: e.complete, indexes: e.indexes };
  };
  perSection.set(cacheKey, knowledge);
  return knowledge;
}

/** The index behind a PRIMARY KEY, UNIQUE or EXCLUDE constraint, named as PostgreSQL names it by default. */
function addConstraintIndex(e: TableEntry, constraint: Constraint, columnLevel?: readonly string[]): void {
  const kind = constraint.contype;
  if (kind !== "CONSTR_PRIMARY" && kind !== "CONSTR_UNIQUE" && kind !== "CONSTR_EXCLUSION") return;
  if (constraint.indexname) {
    e.opaque = true;
    return;
  }
  let columns: (string | null)[];
  let notNull: string[] = [];
  if (kind === "CONSTR_EXCLUSION") {
    columns = (constraint.exclusions ?? []).map((pair) => unwrap(unwrap(pair, "List")?.items?.[0], "IndexElem")?.name ?? null);
    const predicate = notNullPredicate(constraint.where_clause);
    if (predicate === undefined) return; // partial: serves only some lookups
    notNull = predicate;
  } else {
    columns = columnLevel ? [...columnLevel] : strings(constraint.keys);
  }
  const name =
    constraint.conname ??
    (kind === "CONSTR_PRIMARY"
      ? makeObjectName(e.table.name, undefined, "pkey")
      : defaultIndexName(e.table.name, columns.map((c) => c ?? "expr"), kind === "CONSTR_UNIQUE" ? "key" : "excl"));
  e.indexes.push({ columns, notNull, name, constraint: name });
}

// ---------------------------------------------------------------------------------------------------------------
// The suggested index.

/**
 * `CREATE INDEX` right after the statement: plain on a table this migration creates (nothing uses it yet),
 * CONCURRENTLY on an existing one — only where that can run (outside a transaction block).
 */
function createIndexSuggestion(
  statement: ParsedStatement,
  context: StatementContext,
  table: QualifiedName,
  columns: readonly string[],
  columnList: string,
): Finding<MessageId>["suggestions"] {
  if (statement.origin.kind !== "file" || statement.byteBase < 0) return [];
  const isNew = statement.type === "CreateStmt" || context.isNewTable(table);
  if (!isNew && context.transaction.inside) return [];
  const index = quoteIdent(defaultIndexName(table.name, columns));
  const text = isNew
    ? `;\nCREATE INDEX ${index} ON ${formatName(table)} ${columnList}`
    : `;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS ${index} ON ${formatName(table)} ${columnList}`;
  return [{ messageId: "createIndex", data: { index, table: formatName(table), columns: columnList }, range: [statement.range[1], statement.range[1]], text }];
}
