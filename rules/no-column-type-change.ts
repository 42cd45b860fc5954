/**
 * ALTER COLUMN … TYPE on a table in use: unless the old type is binary-coercible to the new one, PostgreSQL
 * rewrites the table and rebuilds its indexes under ACCESS EXCLUSIVE, and every reader that expects the old type
 * breaks either way. The old type is known only for a column this migration added; otherwise the change is flagged.
 */
import type { AlterTableStmt } from "@pgsql/types";
import type { StatementContext } from "../src/context/migration-context.js";
import { defineRule } from "../src/rule.js";
import { alterTableActionRanges } from "../src/sql/locate.js";
import { formatName, quoteIdent, relationName, sameRelation, type QualifiedName } from "../src/sql/names.js";
import type { Range } from "../src/sql/source-text.js";
import { nodeOf, unwrap, type ParsedStatement } from "../src/sql/statement.js";
import { classifyTypeChange, formatTypeName, type TypeChangeSide } from "../src/sql/type-changes.js";

type MessageId = "typeChange" | "typeChangeUsing" | "typeChangeRewrite" | "typeChangeUnproven";

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
      typeChange: `Changing {{table}}.{{column}} to {{type}} takes ${LOCK}; the column's current type is not known here, and unless that type is binary-coercible to {{type}} the table is rewritten and its indexes rebuilt under that lock, while readers expecting the old type break. ${EXPAND}`,
      typeChangeUsing: `Changing {{table}}.{{column}} to {{type}} with a USING expression recomputes every row: the table is rewritten and its indexes rebuilt while PostgreSQL holds ${LOCK}. ${EXPAND}`,
      typeChangeRewrite: `Changing {{table}}.{{column}} from {{from}} to {{type}} rewrites the table and rebuilds its indexes while holding ${LOCK} ({{reason}}). ${DECLARE}`,
      typeChangeUnproven: `Changing {{table}}.{{column}} from {{from}} to {{type}} takes ${LOCK} and may rewrite the table and rebuild its indexes under it ({{reason}}). ${DECLARE}`,
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
      const using = def.raw_default !== undefined;
      const before = typeAddedEarlier(statement, context, table, cmd.name);
      if (!before) {
        yield { messageId: using ? "typeChangeUsing" : "typeChange", data, range: ranges[action]! };
        continue;
      }
      const verdict = classifyTypeChange(before, { typeName: def.typeName, collation: def.collClause }, { using });
      if (verdict.kind === "no-rewrite") continue;
      yield {
        messageId: verdict.kind === "rewrite" ? "typeChangeRewrite" : "typeChangeUnproven",
        data: { ...data, from: formatTypeName(before.typeName), reason: verdict.reason },
        range: ranges[action]!,
      };
    }
  },
});

/**
 * The type of a column this migration added to the table before this statement (followed through later type
 * changes and renames), or undefined when the column was not added here — then its type is not known.
 * `ADD COLUMN IF NOT EXISTS` does not count: the column may have existed with another type.
 */
function typeAddedEarlier(statement: ParsedStatement, context: StatementContext, table: QualifiedName, column: string): TypeChangeSide | undefined {
  const columns = new Map<string, TypeChangeSide>();
  for (const earlier of context.migration.statementsOnTable(table)) {
    if (earlier.index >= statement.index) break;
    const alter: AlterTableStmt | undefined = nodeOf(earlier, "AlterTableStmt");
    const altered = alter?.objtype === "OBJECT_TABLE" ? relationName(alter.relation) : undefined;
    if (alter && altered && sameRelation(altered, table)) {
      for (const wrapped of alter.cmds ?? []) {
        const cmd = unwrap(wrapped, "AlterTableCmd");
        const def = unwrap(cmd?.def, "ColumnDef");
        if (cmd?.subtype === "AT_AddColumn" && def?.colname && def.typeName) {
          if (cmd.missing_ok) columns.delete(def.colname);
          else columns.set(def.colname, { typeName: def.typeName, ...(def.collClause ? { collation: def.collClause } : {}) });
        } else if (cmd?.subtype === "AT_AlterColumnType" && cmd.name && def?.typeName && columns.has(cmd.name)) {
          columns.set(cmd.name, { typeName: def.typeName, ...(def.collClause ? { collation: def.collClause } : {}) });
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
