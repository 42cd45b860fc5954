/**
 * DETACH PARTITION without CONCURRENTLY locks the whole partitioned table ACCESS EXCLUSIVE: every query on every
 * partition waits while it queues and runs. PostgreSQL 14 added the CONCURRENTLY form.
 */
import { defineRule } from "../src/rule.js";
import { existingTableActions } from "../src/sql/alter-table.js";
import { formatName, relationName } from "../src/sql/names.js";
import { unwrap } from "../src/sql/statement.js";

type MessageId = "detach" | "detachBefore14" | "addConcurrently";

/** The first PostgreSQL version with ALTER TABLE … DETACH PARTITION … CONCURRENTLY. */
const CONCURRENT_DETACH = 14;

export default defineRule<MessageId>({
  name: "require-concurrent-detach-partition",
  meta: {
    type: "problem",
    description: "Require CONCURRENTLY when detaching a partition from an existing partitioned table",
    recommended: true,
    statementKinds: ["AlterTableStmt"],
    appliesToRollbacks: true,
    hasSuggestions: true,
    messages: {
      detach:
        "Detaching partition {{partition}} from {{table}} without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on {{table}}, which blocks all reads and writes of every partition while it waits and runs. Use DETACH PARTITION … CONCURRENTLY, outside a transaction block.",
      detachBefore14:
        "Detaching partition {{partition}} from {{table}} takes an ACCESS EXCLUSIVE lock on {{table}}, which blocks all reads and writes of every partition while it waits and runs, and PostgreSQL {{version}} has no DETACH PARTITION … CONCURRENTLY (it arrived in 14). Run it with a short lock_timeout and retries, at a quiet time.",
      addConcurrently: "Add CONCURRENTLY (and run the statement outside a transaction block).",
    },
  },

  *check(statement, context) {
    for (const action of existingTableActions(statement, context)) {
      const { table, cmd } = action;
      const partition = unwrap(cmd.def, "PartitionCmd");
      // DETACH … FINALIZE completes an interrupted concurrent detach and takes SHARE UPDATE EXCLUSIVE.
      if (cmd.subtype !== "AT_DetachPartition" || !partition || partition.concurrent) continue;
      const child = relationName(partition.name);
      const data = { partition: child ? formatName(child) : "(unknown)", table: formatName(table) };
      const range = action.range();
      const version = context.settings.postgresVersion;
      if (version < CONCURRENT_DETACH) {
        yield { messageId: "detachBefore14", data: { ...data, version }, range };
        continue;
      }
      // The action ends with the partition's name: CONCURRENTLY goes right after it. Not in a DO block, where
      // PostgreSQL refuses the concurrent form.
      const at = range[1];
      yield {
        messageId: "detach",
        data,
        range,
        suggestions: statement.origin.kind === "file" && statement.byteBase >= 0 ? [{ messageId: "addConcurrently", range: [at, at], text: " CONCURRENTLY" }] : [],
      };
    }
  },
});
