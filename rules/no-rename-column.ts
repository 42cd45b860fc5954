/**
 * A column rename is a breaking change for everything already deployed: old app instances mid-rollout, workers,
 * queued jobs, BI queries and a rollback all still use the old name the moment the rename commits.
 */
import { defineRule } from "../src/rule.js";
import { formatName, quoteIdent, relationName } from "../src/sql/names.js";
import { nodeOf } from "../src/sql/statement.js";

const RENAMABLE = new Set(["OBJECT_TABLE", "OBJECT_VIEW", "OBJECT_MATVIEW", "OBJECT_FOREIGN_TABLE"]);

export default defineRule({
  name: "no-rename-column",
  meta: {
    type: "problem",
    description: "Disallow renaming a column of an existing table",
    recommended: true,
    statementKinds: ["RenameStmt"],
    appliesToRollbacks: false,
    messages: {
      renameColumn:
        "Renaming {{table}}.{{column}} to {{newName}} breaks every reader and writer still using {{column}} (app instances mid-deploy, workers, queued jobs, BI queries, a rollback), and takes an ACCESS EXCLUSIVE lock that blocks all reads and writes of {{table}} while it waits. Expand instead: add {{newName}}, dual-write and backfill it, switch reads, and drop {{column}} in a later release.",
    },
  },
  *check(statement, context) {
    const rename = nodeOf(statement, "RenameStmt");
    if (rename?.renameType !== "OBJECT_COLUMN" || !RENAMABLE.has(rename.relationType ?? "")) return;
    const table = relationName(rename.relation);
    if (!table || context.isNewTable(table)) return;
    yield {
      messageId: "renameColumn",
      data: { table: formatName(table), column: quoteIdent(rename.subname ?? ""), newName: quoteIdent(rename.newname ?? "") },
    };
  },
});
