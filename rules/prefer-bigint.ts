/**
 * Keys declared integer or smallint run out (2^31 - 1 ids go faster than anyone plans for), and widening a key later
 * rewrites the table, its indexes and every referencing table under ACCESS EXCLUSIVE. bigint costs 4 bytes a row.
 */
import type { Constraint } from "@pgsql/types";
import { defineRule, type Suggestion } from "../src/rule.js";
import { builtinType, columnSites, constraintColumns, serialType, tableConstraints, typeRange, type ColumnSite } from "../src/sql/columns.js";
import { alterTableActionRanges } from "../src/sql/locate.js";
import { formatName, quoteIdent } from "../src/sql/names.js";

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
      const role = roleOf(site, narrow.wide === "bigserial", keys);
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
