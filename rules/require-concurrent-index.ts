/**
 * Index builds and drops on a table in use must be CONCURRENTLY: the plain forms lock out writes (CREATE INDEX,
 * REINDEX) or everything (DROP INDEX) for as long as they run.
 */
import { defineRule, type Finding } from "../src/rule.js";
import { findKeywords } from "../src/sql/locate.js";
import { formatName, nameFromList, relationName } from "../src/sql/names.js";
import { nodeOf, unwrap } from "../src/sql/statement.js";

type MessageId = "createIndex" | "dropIndex" | "reindex" | "reindexBefore12" | "addConcurrently";

export default defineRule<MessageId>({
  name: "require-concurrent-index",
  meta: {
    type: "problem",
    description: "Require CONCURRENTLY when creating, dropping or rebuilding an index on an existing table",
    recommended: true,
    statementKinds: ["IndexStmt", "DropStmt", "ReindexStmt"],
    appliesToRollbacks: true,
    hasSuggestions: true,
    messages: {
      createIndex:
        "Creating index {{index}} on {{table}} without CONCURRENTLY takes a SHARE lock that blocks all writes to {{table}} until the build finishes. Use CREATE INDEX CONCURRENTLY, outside a transaction block.",
      dropIndex:
        "Dropping index {{index}} without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on its table, blocking all reads and writes while it waits and runs. Use DROP INDEX CONCURRENTLY, outside a transaction block.",
      reindex:
        "REINDEX of {{target}} without CONCURRENTLY blocks writes to the table (and reads that use the index) until it finishes. Use REINDEX … CONCURRENTLY, outside a transaction block.",
      reindexBefore12:
        "REINDEX of {{target}} blocks writes to the table (and reads that use the index) until it finishes, and PostgreSQL {{version}} has no REINDEX CONCURRENTLY. Build a replacement index CONCURRENTLY and drop the old one CONCURRENTLY instead.",
      addConcurrently: "Add CONCURRENTLY (and run the statement outside a transaction block).",
    },
  },

  *check(statement, context) {
    const { source } = context.document;
    const insertAfter = (words: string[]): Finding<MessageId>["suggestions"] => {
      const at = findKeywords(statement, source, words);
      return at ? [{ messageId: "addConcurrently", range: [at[1], at[1]], text: " CONCURRENTLY" }] : [];
    };

    const index = nodeOf(statement, "IndexStmt");
    if (index) {
      const table = relationName(index.relation);
      if (index.concurrent || !table || context.isNewTable(table)) return;
      yield {
        messageId: "createIndex",
        data: { index: index.idxname ? formatName({ name: index.idxname }) : "(unnamed)", table: formatName(table) },
        range: statement.range,
        suggestions: insertAfter(["INDEX"]),
      };
      return;
    }

    const drop = nodeOf(statement, "DropStmt");
    if (drop?.removeType === "OBJECT_INDEX" && !drop.concurrent) {
      const names = (drop.objects ?? []).map((o) => nameFromList(unwrap(o, "List")?.items)).filter((n) => n !== undefined);
      // Dropping an index this migration built on a table it created touches nothing in use.
      if (names.length > 0 && names.every((name) => context.isNewTable(context.tableOfIndexCreatedHere(name.name)))) return;
      yield {
        messageId: "dropIndex",
        data: { index: names.map(formatName).join(", ") },
        suggestions: insertAfter(["INDEX"]),
      };
      return;
    }

    const reindex = nodeOf(statement, "ReindexStmt");
    if (reindex) {
      const concurrent = (reindex.params ?? []).some((p) => unwrap(p, "DefElem")?.defname === "concurrently");
      if (concurrent) return;
      const relation = relationName(reindex.relation);
      if (relation && reindex.kind === "REINDEX_OBJECT_TABLE" && context.isNewTable(relation)) return;
      const target = relation ? formatName(relation) : reindex.name ? formatName({ name: reindex.name }) : "the objects";
      const keyword = { REINDEX_OBJECT_INDEX: "INDEX", REINDEX_OBJECT_TABLE: "TABLE", REINDEX_OBJECT_SCHEMA: "SCHEMA", REINDEX_OBJECT_DATABASE: "DATABASE", REINDEX_OBJECT_SYSTEM: "SYSTEM" }[reindex.kind ?? "REINDEX_OBJECT_INDEX"] ?? "INDEX";
      if (context.settings.postgresVersion < 12) {
        yield { messageId: "reindexBefore12", data: { target, version: context.settings.postgresVersion } };
      } else {
        yield { messageId: "reindex", data: { target }, suggestions: keyword === "SYSTEM" ? [] : insertAfter([keyword]) };
      }
    }
  },
});
