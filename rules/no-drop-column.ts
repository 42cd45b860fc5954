/**
 * Dropping a column is the contract step of expand/contract: it belongs in a later release than the expand, once
 * no deployed code, job or report reads or writes the column. In any earlier migration it breaks them all.
 */
import { defineRule } from "../src/rule.js";
import { existingTableActions, type AlterObjectType } from "../src/sql/alter-table.js";
import { formatName, quoteIdent } from "../src/sql/names.js";

type MessageId = "dropColumn" | "dropColumnCascade";

/** ALTER TABLE and ALTER FOREIGN TABLE can drop columns; both are read by name by running code. */
const TABLE_KINDS: readonly AlterObjectType[] = ["OBJECT_TABLE", "OBJECT_FOREIGN_TABLE"];

export default defineRule<MessageId>({
  name: "no-drop-column",
  meta: {
    type: "problem",
    description: "Disallow dropping a column of an existing table",
    recommended: true,
    statementKinds: ["AlterTableStmt"],
    appliesToRollbacks: false,
    messages: {
      dropColumn:
        "Dropping column {{column}} of {{table}} breaks every running reader and writer of {{column}} (app instances mid-deploy, workers, queued jobs, reports, a rollback), and takes an ACCESS EXCLUSIVE lock that blocks all reads and writes of {{table}} while it waits. Drop it only in a contract release, after a release in which nothing reads or writes {{column}}.",
      dropColumnCascade:
        "Dropping column {{column}} of {{table}} with CASCADE also drops every view and foreign key that depends on it, breaks every running reader and writer of {{column}}, and takes an ACCESS EXCLUSIVE lock that blocks all reads and writes of {{table}} while it waits. Drop it only in a contract release, after a release in which nothing reads or writes {{column}}, and drop its dependents explicitly.",
    },
  },

  *check(statement, context) {
    for (const { table, cmd, range } of existingTableActions(statement, context, TABLE_KINDS)) {
      if (cmd.subtype !== "AT_DropColumn" || !cmd.name) continue;
      yield {
        messageId: cmd.behavior === "DROP_CASCADE" ? "dropColumnCascade" : "dropColumn",
        data: { table: formatName(table), column: quoteIdent(cmd.name) },
        range: range(),
      };
    }
  },
});
