/**
 * TRUNCATE on a table in use deletes every row at once, behind a lock that stops every reader and writer — and with
 * CASCADE, empties every table that references it too.
 */
import { defineRule } from "../src/rule.js";
import { locksOf } from "../src/sql/locks.js";
import { formatName, relationName, sameRelation, type QualifiedName } from "../src/sql/names.js";
import { nodeOf, unwrap, type ParsedStatement } from "../src/sql/statement.js";
import type { StatementContext } from "../src/context/migration-context.js";

type MessageId = "truncate" | "truncateCascade";

export default defineRule<MessageId>({
  name: "no-truncate",
  meta: {
    type: "problem",
    description: "Disallow TRUNCATE of tables that existed before the migration",
    recommended: true,
    statementKinds: ["TruncateStmt"],
    appliesToRollbacks: true,
    messages: {
      truncate:
        "TRUNCATE deletes every row of {{tables}} under an ACCESS EXCLUSIVE lock that blocks all reads and writes until the transaction ends. Delete the rows you mean to remove in bounded batches instead, or retire the table through expand/contract.",
      truncateCascade:
        "TRUNCATE … CASCADE deletes every row of {{tables}} and of every table with a foreign key to them, under ACCESS EXCLUSIVE locks that block all reads and writes until the transaction ends. Delete the rows you mean to remove in bounded batches instead.",
    },
  },

  *check(statement, context) {
    const truncate = nodeOf(statement, "TruncateStmt");
    if (!truncate) return;
    const cascade = truncate.behavior === "DROP_CASCADE";
    const tables = (truncate.relations ?? [])
      .map((r) => relationName(unwrap(r, "RangeVar")))
      .filter((t): t is QualifiedName => t !== undefined)
      // A new table is empty and unseen — unless CASCADE reaches a table in use through a foreign key added here.
      .filter((t) => !context.isNewTable(t) || (cascade && referencedByTableInUse(t, statement, context)));
    if (tables.length === 0) return;
    yield { messageId: cascade ? "truncateCascade" : "truncate", data: { tables: list(tables.map(formatName)) } };
  },
});

/** Whether an earlier statement of this migration gave an existing table a foreign key to `table`. */
function referencedByTableInUse(table: QualifiedName, statement: ParsedStatement, context: StatementContext): boolean {
  return context.document.statements.some((earlier) => {
    if (earlier.index >= statement.index || !earlier.checked) return false;
    const locks = locksOf(earlier);
    return (
      locks.some((l) => l.referenced && sameRelation(l.relation, table)) &&
      locks.some((l) => !l.referenced && !context.isNewTable(l.relation))
    );
  });
}

function list(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}
