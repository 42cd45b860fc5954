/**
 * A data migration must move rows in bounded batches: one UPDATE or DELETE over a whole table in use holds a row
 * lock on every row it touches until commit, bloats the table, lags replicas and cannot be paused or resumed.
 */
import type { DeleteStmt, Node, UpdateStmt } from "@pgsql/types";
import { defineRule } from "../src/rule.js";
import { formatName, relationName } from "../src/sql/names.js";
import { doBlockVariables, rowBound } from "../src/sql/predicates.js";
import { kindOf, unwrap, type Statement } from "../src/sql/statement.js";

type MessageId = "noWhere" | "unboundedWhere";

type Dml = { verb: "UPDATE"; node: UpdateStmt } | { verb: "DELETE"; node: DeleteStmt };

export default defineRule<MessageId>({
  name: "no-unbounded-update",
  meta: {
    type: "problem",
    description: "Disallow UPDATE and DELETE statements that touch an unbounded number of rows of an existing table",
    recommended: true,
    appliesToRollbacks: true,
    messages: {
      noWhere:
        "{{verb}} without a WHERE clause touches every row of {{table}} in one transaction: it holds a row lock on each row until commit (concurrent writes to them wait), bloats the table, lags replicas, and cannot be paused or resumed. Do it in keyset batches of a few thousand rows, each committed on its own; for an UPDATE, `migration-safety backfill plan <migration file>` prints them and `migration-safety backfill run <migration file>` runs them.",
      unboundedWhere:
        "This {{verb}} on {{table}} is not bounded to a batch (its WHERE has no key, key list, key range or LIMITed subquery), so it may touch most of the table in one transaction: it holds a row lock on every matching row until commit, bloats the table, lags replicas, and cannot be paused or resumed. Do it in keyset batches of a few thousand rows, each committed on its own; for an UPDATE, `migration-safety backfill plan <migration file>` prints them and `migration-safety backfill run <migration file>` runs them.",
    },
  },

  *check(statement, context) {
    const variables = statement.origin.kind === "do-block" ? variablesOf(statement.origin.doStatement, context.document.statements) : undefined;
    for (const dml of dmlOf(statement.node)) {
      const table = relationName(dml.node.relation);
      if (!table || context.isNewTable(table)) continue;
      if (dml.node.whereClause && rowBound(dml.node, variables ? { variables } : {})) continue;
      yield {
        messageId: dml.node.whereClause ? "unboundedWhere" : "noWhere",
        data: { verb: dml.verb, table: formatName(table) },
      };
    }
  },
});

/** The UPDATE and DELETE statements a statement runs: itself, and data-modifying WITH queries anywhere in it. */
function dmlOf(node: Node | undefined): Dml[] {
  if (!node) return [];
  const found: Dml[] = [];
  const kind = kindOf(node);
  const update = unwrap(node, "UpdateStmt");
  const del = unwrap(node, "DeleteStmt");
  if (update) found.push({ verb: "UPDATE", node: update });
  if (del) found.push({ verb: "DELETE", node: del });
  const fields = (node as Record<string, { withClause?: { ctes?: Node[] } } | undefined>)[kind];
  for (const cte of fields?.withClause?.ctes ?? []) found.push(...dmlOf(unwrap(cte, "CommonTableExpr")?.ctequery));
  return found;
}

/** The PL/pgSQL variables of the DO block a statement comes from: in its WHERE they are values, not columns. */
function variablesOf(doIndex: number, statements: readonly Statement[]): ReadonlySet<string> | undefined {
  const doStatement = statements[doIndex]; // statements are in execution order: index = position
  return doStatement?.checked ? doBlockVariables(doStatement) : undefined;
}
