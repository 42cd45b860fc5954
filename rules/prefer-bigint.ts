/**
 * Keys declared integer or smallint run out (2^31 - 1 ids go faster than anyone plans for), and widening a key later
 * rewrites the table, its indexes and every referencing table under ACCESS EXCLUSIVE. bigint costs 4 bytes a row.
 */
import type { Constraint } from "@pgsql/types";
import type { StatementContext } from "../src/context/migration-context.js";
import { defineRule, type Suggestion } from "../src/rule.js";
import { builtinType, columnSites, constraintColumns, serialType, tableConstraints, typeRange, type ColumnSite } from "../src/sql/columns.js";
import { alterTableActionRanges } from "../src/sql/locate.js";
import { formatName, nameFromList, quoteIdent, relationName, sameRelation, type QualifiedName } from "../src/sql/names.js";
import { nodeOf, unwrap, type ParsedStatement } from "../src/sql/statement.js";

type MessageId = "narrowKey" | "narrowForeignKey" | "useBigint";

/** The narrow integer types, by pg_catalog name or serial spelling: what they are called and where they end. */
const NARROW: Readonly<Record<string, { type: string; max: string; wide: string }>> = {
  int2: { type: "smallint", max: "32767", wide: "bigint" },
  int4: { type: "integer", max: "2147483647", wide: "bigint" },
  smallserial: { type: "smallserial", max: "32767", wide: "bigserial" },
  serial2: { type: "serial2", max: "32767", wide: "bigserial" },
  serial: { type: "serial", max: "2147483647", wide: "bigserial" },
  serial4: { type: "serial4", max: "2147483647", wide: "bigserial" },
};

const WIDEN = "widening it later is an ALTER COLUMN TYPE that rewrites {{table}} and its indexes under an ACCESS EXCLUSIVE lock";

export default defineRule<MessageId>({
  name: "prefer-bigint",
  meta: {
    type: "suggestion",
    description: "Enforce bigint for primary key, identity, serial and foreign key columns",
    recommended: false,
    statementKinds: ["CreateStmt", "AlterTableStmt"],
    appliesToRollbacks: true,
    hasSuggestions: true,
    messages: {
      narrowKey: `Column {{table}}.{{column}} is {{role}} of type {{type}}, whose values end at {{max}}: inserts fail once they are used up, and ${WIDEN} (and every foreign key column that references it). Declare it {{wide}}.`,
      narrowForeignKey: `Column {{table}}.{{column}} is a foreign key column of type {{type}}, which holds values only up to {{max}}: it cannot reference keys past that, and ${WIDEN}. Declare it {{wide}}, like the key it references should be.`,
      useBigint: "Declare {{column}} as {{wide}}.",
    },
  },

  *check(statement, context) {
    const { source } = context.document;
    let keys: { primary: Set<string>; foreign: Set<string> } | undefined;
    for (const site of columnSites(statement)) {
      if (site.kind === "alter-type") continue; // the column's role is not in the statement
      const narrow = NARROW[serialType(site.typeName) ?? (site.typeName.arrayBounds?.length ? "" : builtinType(site.typeName) ?? "")];
      if (!narrow) continue;
      keys ??= tableKeys(tableConstraints(statement));
      const role = roleOf(site, narrow.wide === "bigserial", keys) ?? laterKeyRole(statement, context, site);
      if (!role) continue;
      const at = typeRange(statement, source, site.typeName);
      const range = at ?? (site.action === undefined ? statement.range : alterTableActionRanges(statement, source)[site.action]!);
      const column = quoteIdent(site.column);
      const suggestions: Suggestion<MessageId>[] =
        at && statement.origin.kind === "file" ? [{ messageId: "useBigint", data: { column, wide: narrow.wide }, range: at, text: narrow.wide }] : [];
      const data = { table: formatName(site.table), column, type: narrow.type, max: narrow.max, wide: narrow.wide };
      yield role === "foreign"
        ? { messageId: "narrowForeignKey", data, range, suggestions }
        : { messageId: "narrowKey", data: { ...data, role }, range, suggestions };
    }
  },
});

/** Columns named by the statement's table-level PRIMARY KEY and FOREIGN KEY constraints. */
function tableKeys(constraints: readonly Constraint[]): { primary: Set<string>; foreign: Set<string> } {
  const primary = new Set<string>();
  const foreign = new Set<string>();
  for (const c of constraints) {
    if (c.contype === "CONSTR_PRIMARY") for (const name of constraintColumns(c.keys)) primary.add(name);
    if (c.contype === "CONSTR_FOREIGN") for (const name of constraintColumns(c.fk_attrs)) foreign.add(name);
  }
  return { primary, foreign };
}

/** What makes the column a key: its serial type, an identity, a primary key, a foreign key (in that order). */
function roleOf(site: ColumnSite, serial: boolean, keys: { primary: Set<string>; foreign: Set<string> }): string | undefined {
  if (serial) return "a serial column";
  const has = (type: Constraint["contype"]): boolean => site.constraints.some((c) => c.contype === type);
  if (has("CONSTR_IDENTITY")) return "an identity column";
  if (has("CONSTR_PRIMARY") || keys.primary.has(site.column)) return "a primary key column";
  if (has("CONSTR_FOREIGN") || keys.foreign.has(site.column)) return "foreign";
  return undefined;
}

/**
 * The key role a later ALTER TABLE of the same migration part gives the column: pg_dump and many schema tools
 * declare columns in CREATE TABLE and add `PRIMARY KEY`/`FOREIGN KEY` constraints afterwards. Only until a statement
 * retypes, renames or drops the column or its table (a constraint after that is about something else). Another part
 * (goose/dbmate Down) runs at another time, so its constraints do not count.
 */
function laterKeyRole(statement: ParsedStatement, context: StatementContext, site: ColumnSite): string | undefined {
  const isTable = (relation: QualifiedName | undefined): boolean => relation !== undefined && sameRelation(relation, site.table);
  for (const later of context.migration.statementsOnTable(site.table)) {
    if (later.index <= statement.index || later.section !== statement.section) continue;
    const rename = nodeOf(later, "RenameStmt");
    const renamesIt = rename?.renameType === "OBJECT_TABLE" || (rename?.renameType === "OBJECT_COLUMN" && rename.subname === site.column);
    if (rename && renamesIt && isTable(relationName(rename.relation))) return undefined;
    const drop = nodeOf(later, "DropStmt");
    if (drop?.removeType === "OBJECT_TABLE" && (drop.objects ?? []).some((o) => isTable(nameFromList(unwrap(o, "List")?.items)))) return undefined;
    const alter = nodeOf(later, "AlterTableStmt");
    if (!alter || !isTable(relationName(alter.relation))) continue;
    const changed = (alter.cmds ?? []).some((wrapped) => {
      const cmd = unwrap(wrapped, "AlterTableCmd");
      return cmd?.name === site.column && (cmd.subtype === "AT_AlterColumnType" || cmd.subtype === "AT_DropColumn");
    });
    if (changed) return undefined;
    const keys = tableKeys(tableConstraints(later));
    if (keys.primary.has(site.column)) return "a primary key column";
    if (keys.foreign.has(site.column)) return "foreign";
  }
  return undefined;
}
