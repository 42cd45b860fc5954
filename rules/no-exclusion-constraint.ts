/**
 * An exclusion constraint added to a table in use builds its index and checks every existing row under ACCESS
 * EXCLUSIVE, and unlike CHECK, FOREIGN KEY or UNIQUE it has no gentler form: no NOT VALID, no USING INDEX.
 */
import { defineRule } from "../src/rule.js";
import { existingTableActions } from "../src/sql/alter-table.js";
import { formatName, quoteIdent } from "../src/sql/names.js";
import { unwrap } from "../src/sql/statement.js";

type MessageId = "exclusion";

/** Index access methods as PostgreSQL's documentation names them. */
const METHODS: Record<string, string> = { btree: "B-tree", gist: "GiST", spgist: "SP-GiST", hash: "hash", gin: "GIN", brin: "BRIN" };

export default defineRule<MessageId>({
  name: "no-exclusion-constraint",
  meta: {
    type: "problem",
    description: "Disallow adding an exclusion constraint to an existing table",
    recommended: true,
    statementKinds: ["AlterTableStmt"],
    appliesToRollbacks: true,
    messages: {
      exclusion:
        "Adding exclusion constraint {{constraint}} to {{table}} builds its {{method}} index and checks every existing row while holding an ACCESS EXCLUSIVE lock, which blocks all reads and writes of {{table}} until the build ends; exclusion constraints have no NOT VALID or USING INDEX form to avoid that. Add it only in a maintenance window, or declare it on a new table and move the data there.",
    },
  },

  *check(statement, context) {
    for (const { table, cmd, range } of existingTableActions(statement, context)) {
      const constraint = unwrap(cmd.def, "Constraint");
      if (cmd.subtype !== "AT_AddConstraint" || constraint?.contype !== "CONSTR_EXCLUSION") continue;
      yield {
        messageId: "exclusion",
        data: {
          constraint: constraint.conname ? quoteIdent(constraint.conname) : "(unnamed)",
          table: formatName(table),
          method: METHODS[constraint.access_method ?? "btree"] ?? constraint.access_method ?? "btree",
        },
        range: range(),
      };
    }
  },
});
