/**
 * Maintenance commands that hold a table-wide lock for as long as they run — VACUUM FULL, CLUSTER, a plain REFRESH
 * MATERIALIZED VIEW — and explicit LOCK TABLE in a write-blocking mode do not belong in a migration on live tables.
 */
import { defineRule } from "../src/rule.js";
import { findKeywords } from "../src/sql/locate.js";
import { blocks, isTrueOption, LOCK_MODES, type LockMode } from "../src/sql/locks.js";
import { formatName, relationName, sameRelation, type QualifiedName } from "../src/sql/names.js";
import { nodeOf, unwrap, type ParsedStatement } from "../src/sql/statement.js";
import type { StatementContext } from "../src/context/migration-context.js";

type MessageId =
  | "vacuumFull"
  | "vacuumFullAll"
  | "cluster"
  | "clusterAll"
  | "refresh"
  | "refreshNoData"
  | "lockTable"
  | "refreshConcurrently";

export default defineRule<MessageId>({
  name: "no-blocking-maintenance",
  meta: {
    type: "problem",
    description: "Disallow VACUUM FULL, CLUSTER, non-concurrent REFRESH MATERIALIZED VIEW and write-blocking LOCK TABLE on objects in use",
    recommended: true,
    statementKinds: ["VacuumStmt", "ClusterStmt", "RefreshMatViewStmt", "LockStmt"],
    appliesToRollbacks: true,
    hasSuggestions: true,
    messages: {
      vacuumFull:
        "VACUUM FULL rewrites {{tables}} under an ACCESS EXCLUSIVE lock that blocks all reads and writes until the rewrite finishes. Remove bloat online with pg_repack or pg_squeeze instead.",
      vacuumFullAll:
        "VACUUM FULL without a table list rewrites every table in the database, each under an ACCESS EXCLUSIVE lock that blocks all reads and writes of it. Remove bloat online, table by table, with pg_repack or pg_squeeze instead.",
      cluster:
        "CLUSTER rewrites {{tables}} under an ACCESS EXCLUSIVE lock that blocks all reads and writes until the rewrite finishes. Reorder the table online with pg_repack or pg_squeeze instead.",
      clusterAll:
        "CLUSTER without a table rewrites every previously clustered table in the database, each under an ACCESS EXCLUSIVE lock that blocks all reads and writes of it. Reorder tables online with pg_repack or pg_squeeze instead.",
      refresh:
        "REFRESH MATERIALIZED VIEW {{view}} without CONCURRENTLY takes an ACCESS EXCLUSIVE lock that blocks every read of the view until the refresh finishes. Use REFRESH MATERIALIZED VIEW CONCURRENTLY, which needs a unique index on the view.",
      refreshNoData:
        "REFRESH MATERIALIZED VIEW {{view}} WITH NO DATA takes an ACCESS EXCLUSIVE lock and leaves the view unpopulated, so every later query of it fails until the next refresh. Drop the view in a contract migration once nothing reads it instead.",
      lockTable:
        "LOCK TABLE takes {{lock}} on {{tables}} and holds it until the transaction ends, blocking {{blocked}} until then. Avoid explicit locks in migrations; if one is needed, set lock_timeout first and keep the transaction short.",
      refreshConcurrently: "Refresh CONCURRENTLY (the view needs a unique index, and must already be populated).",
    },
  },

  *check(statement, context) {
    const vacuum = nodeOf(statement, "VacuumStmt");
    if (vacuum) {
      const full = vacuum.is_vacuumcmd === true && (vacuum.options ?? []).some((o) => isTrueOption(unwrap(o, "DefElem"), "full"));
      if (!full) return;
      const rels = (vacuum.rels ?? []).map((r) => relationName(unwrap(r, "VacuumRelation")?.relation));
      if (rels.length === 0) {
        yield { messageId: "vacuumFullAll" };
        return;
      }
      const tables = inUse(rels, context);
      if (tables) yield { messageId: "vacuumFull", data: { tables } };
      return;
    }

    const cluster = nodeOf(statement, "ClusterStmt");
    if (cluster) {
      const table = relationName(cluster.relation);
      if (!table) {
        yield { messageId: "clusterAll" };
        return;
      }
      const tables = inUse([table], context);
      if (tables) yield { messageId: "cluster", data: { tables } };
      return;
    }

    const refresh = nodeOf(statement, "RefreshMatViewStmt");
    if (refresh) {
      const view = relationName(refresh.relation);
      if (refresh.concurrent || !view || context.isNew("matview", view)) return;
      if (refresh.skipData) {
        yield { messageId: "refreshNoData", data: { view: formatName(view) } };
        return;
      }
      const at = statement.origin.kind === "file" ? findKeywords(statement, context.document.source, ["MATERIALIZED", "VIEW"]) : undefined;
      yield {
        messageId: "refresh",
        data: { view: formatName(view) },
        suggestions: at ? [{ messageId: "refreshConcurrently", range: [at[1], at[1]], text: " CONCURRENTLY" }] : [],
      };
      return;
    }

    const lock = nodeOf(statement, "LockStmt");
    if (lock) {
      const mode: LockMode = LOCK_MODES[(lock.mode ?? 8) - 1] ?? "ACCESS EXCLUSIVE";
      // The weak modes (up to SHARE UPDATE EXCLUSIVE) let reads and writes through; they only fence off DDL.
      if (!blocks(mode).writes) return;
      const tables = inUse((lock.relations ?? []).map((r) => relationName(unwrap(r, "RangeVar"))), context);
      if (!tables) return;
      const article = /^[AEIOU]/.test(mode) ? "an" : "a";
      const blocked = blocks(mode).reads ? `all reads and writes of ${tables}` : `all writes to ${tables}`;
      yield { messageId: "lockTable", data: { lock: `${article} ${mode} lock`, tables, blocked } };
    }
  },
});

/** "a, b and c": the tables that existed before this migration, or undefined when all of them are new. */
function inUse(tables: readonly (QualifiedName | undefined)[], context: StatementContext): string | undefined {
  const existing = tables.filter((t): t is QualifiedName => t !== undefined && !context.isNewTable(t));
  return existing.length > 0 ? list(existing.map(formatName)) : undefined;
}


function list(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}
