/**
 * ALTER COLUMN … TYPE on a table in use: unless the old type is binary-coercible to the new one, PostgreSQL
 * rewrites the table and rebuilds its indexes under ACCESS EXCLUSIVE, and every reader that expects the old type
 * breaks either way. The old type comes from this migration (a column it added) or from the migration history
 * (`context.history`); a change that rewrites nothing is not reported, one whose old type is not known is.
 */
import type { AlterTableStmt } from "@pgsql/types";
import type { StatementContext } from "../src/context/migration-context.js";
import { defineRule } from "../src/rule.js";
import { alterTableActionRanges } from "../src/sql/locate.js";
import { formatName, quoteIdent, relationName, sameRelation, type QualifiedName } from "../src/sql/names.js";
import type { Range } from "../src/sql/source-text.js";
import { nodeOf, unwrap, type ParsedStatement } from "../src/sql/statement.js";
import { classifyTypeChange, formatTypeName, isPlainUsing, type TypeChangeSide } from "../src/sql/type-changes.js";

type MessageId =
  | "typeChange"
  | "typeChangeUsing"
  | "typeChangeRewrite"
  | "typeChangeUnproven"
  | "typeChangeRewriteExisting"
  | "typeChangeUnprovenExisting"
  | "typeChangeIndexRebuild";

const LOCK = "an ACCESS EXCLUSIVE lock that blocks all reads and writes of {{table}}";
const EXPAND = "Add a new {{type}} column instead, dual-write both, backfill it in batches, switch reads, then drop the old column in a later release.";
const DECLARE = "Give {{column}} its final type in the ADD COLUMN earlier in this migration instead.";

export default defineRule<MessageId>({
  name: "no-column-type-change",
  meta: {
    type: "problem",
    description: "Disallow changing the type of a column of an existing table",
    recommended: true,
    statementKinds: ["AlterTableStmt"],
    appliesToRollbacks: true,
    messages: {
      typeChange: `Changing {{table}}.{{column}} to {{type}} takes ${LOCK}; the column's current type is not known (neither this migration nor the migrations before it declare it), and unless that type is binary-coercible to {{type}} the table is rewritten and its indexes rebuilt under that lock, while readers expecting the old type break. ${EXPAND}`,
      typeChangeUsing: `Changing {{table}}.{{column}} to {{type}} with a USING expression recomputes every row: the table is rewritten and its indexes rebuilt while PostgreSQL holds ${LOCK}. ${EXPAND}`,
      typeChangeRewrite: `Changing {{table}}.{{column}} from {{from}} to {{type}} rewrites the table and rebuilds its indexes while holding ${LOCK} ({{reason}}). ${DECLARE}`,
      typeChangeUnproven: `Changing {{table}}.{{column}} from {{from}} to {{type}} takes ${LOCK} and may rewrite the table and rebuild its indexes under it ({{reason}}). ${DECLARE}`,
      typeChangeRewriteExisting: `Changing {{table}}.{{column}} from {{from}} to {{type}} rewrites the table and rebuilds its indexes while holding ${LOCK} ({{reason}}). ${EXPAND}`,
      typeChangeUnprovenExisting: `Changing {{table}}.{{column}} from {{from}} to {{type}} takes ${LOCK} and may rewrite the table and rebuild its indexes under it ({{reason}}). ${EXPAND}`,
      typeChangeIndexRebuild: `Changing {{table}}.{{column}} from {{from}} to {{type}} does not rewrite the table, but rebuilds index {{index}} while holding ${LOCK} ({{reason}}). Build a new index on the new type first, or change the type in a maintenance window.`,
    },
  },

  *check(statement, context) {
    const alter = nodeOf(statement, "AlterTableStmt");
    if (!alter || alter.objtype !== "OBJECT_TABLE") return;
    const table = relationName(alter.relation);
    if (!table || context.isNewTable(table)) return;
    let ranges: Range[] | undefined;
    const cmds = alter.cmds ?? [];
    for (let action = 0; action < cmds.length; action++) {
      const cmd = unwrap(cmds[action], "AlterTableCmd");
      const def = cmd?.subtype === "AT_AlterColumnType" ? unwrap(cmd.def, "ColumnDef") : undefined;
      if (!cmd?.name || !def?.typeName) continue;
      ranges ??= alterTableActionRanges(statement, context.document.source);
      const data = { table: formatName(table), column: quoteIdent(cmd.name), type: formatTypeName(def.typeName) };
      const using = def.raw_default !== undefined && !isPlainUsing(def.raw_default, cmd.name, def.typeName);
      const before = columnBefore(statement, context, table, cmd.name);
      if (!before) {
        yield { messageId: using ? "typeChangeUsing" : "typeChange", data, range: ranges[action]! };
        continue;
      }
      const verdict = classifyTypeChange(before.side, { typeName: def.typeName, collation: def.collClause }, { using, sessionTimeZone: context.settings.sessionTimeZone });
      const from = formatTypeName(before.side.typeName);
      if (verdict.kind === "no-rewrite") {
        // Rebuilding an index on a big table under ACCESS EXCLUSIVE is an outage too; only an index in view counts.
        const index = verdict.indexes === "rebuilt" ? indexOnColumn(statement, context, table, cmd.name) : undefined;
        if (index) yield { messageId: "typeChangeIndexRebuild", data: { ...data, from, index: quoteIdent(index), reason: verdict.reason }, range: ranges[action]! };
        continue;
      }
      const messageId =
        verdict.kind === "rewrite"
          ? before.addedHere
            ? "typeChangeRewrite"
            : "typeChangeRewriteExisting"
          : before.addedHere
            ? "typeChangeUnproven"
            : "typeChangeUnprovenExisting";
      yield { messageId, data: { ...data, from, reason: verdict.reason }, range: ranges[action]! };
    }
  },
});

interface KnownColumn {
  readonly side: TypeChangeSide;
  /** Added by this migration (so the remedy is to declare the final type there). */
  readonly addedHere: boolean;
}

/**
 * The column's type before this statement: the history's (the schema the earlier migrations leave), followed through
 * this migration's earlier statements on the table — columns added, retyped, renamed, dropped. Undefined when
 * neither shows it. `ADD COLUMN IF NOT EXISTS` tells the type only when the column surely did not exist.
 */
function columnBefore(statement: ParsedStatement, context: StatementContext, table: QualifiedName, column: string): KnownColumn | undefined {
  const columns = new Map<string, KnownColumn>();
  const historic = context.history?.table(table);
  for (const [name, details] of historic?.columnDetails ?? []) {
    if (details.type) columns.set(name, { side: { typeName: details.type, ...(details.collation ? { collation: details.collation } : {}) }, addedHere: false });
  }
  for (const earlier of context.migration.statementsOnTable(table)) {
    if (earlier.index >= statement.index) break;
    const alter: AlterTableStmt | undefined = nodeOf(earlier, "AlterTableStmt");
    const altered = alter?.objtype === "OBJECT_TABLE" ? relationName(alter.relation) : undefined;
    if (alter && altered && sameRelation(altered, table)) {
      for (const wrapped of alter.cmds ?? []) {
        const cmd = unwrap(wrapped, "AlterTableCmd");
        const def = unwrap(cmd?.def, "ColumnDef");
        const side = def?.typeName ? { typeName: def.typeName, ...(def.collClause ? { collation: def.collClause } : {}) } : undefined;
        if (cmd?.subtype === "AT_AddColumn" && def?.colname && side) {
          const surelyNew = historic?.complete === true && !historic.columns.includes(def.colname);
          // IF NOT EXISTS on a column that exists does nothing; on one that may exist, it tells nothing.
          if (!cmd.missing_ok || (surelyNew && !columns.has(def.colname))) columns.set(def.colname, { side, addedHere: true });
        } else if (cmd?.subtype === "AT_AlterColumnType" && cmd.name && side) {
          columns.set(cmd.name, { side, addedHere: columns.get(cmd.name)?.addedHere ?? false });
        } else if (cmd?.subtype === "AT_DropColumn" && cmd.name) {
          columns.delete(cmd.name);
        }
      }
      continue;
    }
    const rename = nodeOf(earlier, "RenameStmt");
    const renamed = rename ? relationName(rename.relation) : undefined;
    if (rename?.renameType === "OBJECT_COLUMN" && renamed && sameRelation(renamed, table) && rename.subname && rename.newname) {
      const moved = columns.get(rename.subname);
      columns.delete(rename.subname);
      columns.delete(rename.newname);
      if (moved) columns.set(rename.newname, moved);
    }
  }
  return columns.get(column);
}

/** An index known to have the column as a key or INCLUDE column: from the history, or built earlier in this migration. */
function indexOnColumn(statement: ParsedStatement, context: StatementContext, table: QualifiedName, column: string): string | undefined {
  const historic = context.history?.table(table)?.indexes.find((i) => i.columns.includes(column) || i.include.includes(column));
  if (historic) return historic.name;
  for (const earlier of context.migration.statementsOnTable(table)) {
    if (earlier.index >= statement.index) break;
    const index = nodeOf(earlier, "IndexStmt");
    const on = relationName(index?.relation);
    if (!index?.idxname || !on || !sameRelation(on, table)) continue;
    const columns = [...(index.indexParams ?? []), ...(index.indexIncludingParams ?? [])].map((p) => unwrap(p, "IndexElem")?.name);
    if (columns.includes(column)) return index.idxname;
  }
  return undefined;
}
