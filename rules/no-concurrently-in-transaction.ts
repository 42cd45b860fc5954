/**
 * The CONCURRENTLY forms (index builds, drops and rebuilds, partition detach) refuse to run inside a transaction
 * block: PostgreSQL raises an error at run time, and the migration stops halfway through.
 */
import { toolName } from "../src/context/conventions.js";
import { defineRule } from "../src/rule.js";
import { alterTableActionRanges } from "../src/sql/locate.js";
import { formatName, nameFromList, relationName } from "../src/sql/names.js";
import type { Range, SourceText } from "../src/sql/source-text.js";
import { nodeOf, unwrap, type ParsedStatement } from "../src/sql/statement.js";

type MessageId = "explicit" | "runner" | "script" | "query" | "doBlock";

interface Concurrent {
  /** The command as PostgreSQL names it in the error. */
  readonly command: string;
  /** What it works on: `index idx_users_email`, `table users`, `partition events_2024 of events`. */
  readonly target: string;
  readonly range?: Range;
}

export default defineRule<MessageId>({
  name: "no-concurrently-in-transaction",
  meta: {
    type: "problem",
    description: "Disallow CONCURRENTLY operations inside a transaction block, where PostgreSQL refuses to run them",
    recommended: true,
    statementKinds: ["IndexStmt", "DropStmt", "ReindexStmt", "AlterTableStmt"],
    appliesToRollbacks: true,
    messages: {
      explicit:
        "{{command}} ({{target}}) cannot run inside a transaction block, and this one runs inside the transaction opened by the BEGIN on line {{line}}: PostgreSQL raises an error and the migration stops halfway. Move it after the COMMIT, into its own migration that runs outside a transaction.",
      runner:
        "{{command}} ({{target}}) cannot run inside a transaction block, and {{runner}} wraps this file in one: PostgreSQL raises an error and the migration stops halfway. Put it in its own migration and turn the runner's transaction off for that file (e.g. `-- +goose NO TRANSACTION`, `-- migrate:up transaction:false`, node-pg-migrate `pgm.noTransaction()`, knex `config.transaction = false`, TypeORM `transaction = false` on the migration class).",
      script:
        "{{command}} ({{target}}) cannot run inside a transaction block, and {{runner}} sends this file to PostgreSQL as one multi-statement query, which runs as one implicit transaction: PostgreSQL raises an error and the migration stops halfway. Put the statement alone in its own migration file.",
      query:
        "{{command}} ({{target}}) cannot run inside a transaction block, and this call sends it to PostgreSQL in one query string with other statements, which PostgreSQL runs as one implicit transaction (with parameters, it refuses several statements outright): the migration stops halfway. Send it in a call of its own, in a migration that runs outside a transaction.",
      doBlock:
        "{{command}} ({{target}}) cannot run inside a DO block (PostgreSQL raises \"cannot be executed from a function\") and the migration stops halfway. Run it as a top-level statement, in a migration that is not wrapped in a transaction.",
    },
  },

  *check(statement, context) {
    if (!context.transaction.inside) return;
    const found = concurrentOperations(statement, context.document.source);
    if (found.length === 0) return;
    const transaction = context.transaction;
    for (const op of found) {
      const data = { command: op.command, target: op.target };
      const range = op.range ? { range: op.range } : {};
      if (transaction.why === "do-block") {
        yield { messageId: "doBlock", data, ...range };
      } else if (transaction.why === "query") {
        yield { messageId: "query", data, ...range };
      } else if (transaction.why === "explicit") {
        const begin = context.document.statements.find((s) => s.index === transaction.beganAt);
        yield { messageId: "explicit", data: { ...data, line: begin?.loc.start.line ?? "?" }, ...range };
      } else {
        const runner = toolName(context.tool);
        yield { messageId: transaction.why === "script" ? "script" : "runner", data: { ...data, runner }, ...range };
      }
    }
  },
});

/** The operations of a statement that PostgreSQL runs only outside a transaction block because of CONCURRENTLY. */
function concurrentOperations(statement: ParsedStatement, source: SourceText): Concurrent[] {
  const index = nodeOf(statement, "IndexStmt");
  if (index?.concurrent) {
    const table = relationName(index.relation);
    const name = index.idxname ? `index ${formatName({ name: index.idxname })}` : "unnamed index";
    return [{ command: "CREATE INDEX CONCURRENTLY", target: table ? `${name} on ${formatName(table)}` : name }];
  }

  const drop = nodeOf(statement, "DropStmt");
  if (drop?.removeType === "OBJECT_INDEX" && drop.concurrent) {
    const names = (drop.objects ?? []).map((o) => nameFromList(unwrap(o, "List")?.items)).filter((n) => n !== undefined);
    return [{ command: "DROP INDEX CONCURRENTLY", target: `index ${names.map(formatName).join(", ")}` }];
  }

  const reindex = nodeOf(statement, "ReindexStmt");
  if (reindex && (reindex.params ?? []).some((p) => unwrap(p, "DefElem")?.defname === "concurrently")) {
    const relation = relationName(reindex.relation);
    const kind = { REINDEX_OBJECT_INDEX: "index", REINDEX_OBJECT_TABLE: "table", REINDEX_OBJECT_SCHEMA: "schema", REINDEX_OBJECT_DATABASE: "database", REINDEX_OBJECT_SYSTEM: "system" }[reindex.kind ?? "REINDEX_OBJECT_INDEX"] ?? "index";
    const name = relation ? formatName(relation) : reindex.name ? formatName({ name: reindex.name }) : "";
    return [{ command: "REINDEX CONCURRENTLY", target: name ? `${kind} ${name}` : `the current ${kind}` }];
  }

  const alter = nodeOf(statement, "AlterTableStmt");
  if (alter) {
    const table = relationName(alter.relation);
    const ranges = alterTableActionRanges(statement, source);
    const found: Concurrent[] = [];
    (alter.cmds ?? []).forEach((wrapped, i) => {
      const cmd = unwrap(wrapped, "AlterTableCmd");
      const partition = unwrap(cmd?.def, "PartitionCmd");
      if (cmd?.subtype !== "AT_DetachPartition" || !partition?.concurrent) return;
      const child = relationName(partition.name);
      found.push({
        command: "ALTER TABLE ... DETACH CONCURRENTLY",
        target: `partition ${child ? formatName(child) : "?"}${table ? ` of ${formatName(table)}` : ""}`,
        range: ranges[i] ?? statement.range,
      });
    });
    return found;
  }
  return [];
}
