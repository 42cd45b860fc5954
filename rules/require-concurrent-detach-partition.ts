/**
 * DETACH PARTITION without CONCURRENTLY locks the whole partitioned table ACCESS EXCLUSIVE: every query on every
 * partition waits while it queues and runs. PostgreSQL 14 added the CONCURRENTLY form.
 */
import { defineRule } from "../src/rule.js";
import { alterTableActionRanges } from "../src/sql/locate.js";
import { formatName, relationName } from "../src/sql/names.js";
import type { Range } from "../src/sql/source-text.js";
import { nodeOf, unwrap } from "../src/sql/statement.js";

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
    const alter = nodeOf(statement, "AlterTableStmt");
    if (!alter) return;
    const table = relationName(alter.relation);
    if (!table || context.isNewTable(table)) return;
    let ranges: Range[] | undefined; // the lexer runs only when there is something to report
    for (const [i, wrapped] of (alter.cmds ?? []).entries()) {
      const cmd = unwrap(wrapped, "AlterTableCmd");
      const partition = unwrap(cmd?.def, "PartitionCmd");
      // DETACH … FINALIZE completes an interrupted concurrent detach and takes SHARE UPDATE EXCLUSIVE.
      if (cmd?.subtype !== "AT_DetachPartition" || !partition || partition.concurrent) continue;
      const child = relationName(partition.name);
      const data = { partition: child ? formatName(child) : "(unknown)", table: formatName(table) };
      const range = (ranges ??= alterTableActionRanges(statement, context.document.source))[i] ?? statement.range;
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
