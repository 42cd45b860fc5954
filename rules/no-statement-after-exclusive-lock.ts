/**
 * A lock is held until the transaction ends, not until the statement that took it ends. Once a transaction holds
 * ACCESS EXCLUSIVE on a table in use, every later statement of that transaction — and every lock it queues for —
 * extends the time in which no query on that table can run.
 */
import type { Node } from "@pgsql/types";
import { refusesTransactionBlock } from "../src/context/conventions.js";
import type { StatementContext } from "../src/context/migration-context.js";
import { statementAt, transactionStart } from "../src/context/transaction-scope.js";
import { defineRule, type Suggestion } from "../src/rule.js";
import type { SqlDocument } from "../src/sql/document.js";
import { alterTableActionRanges } from "../src/sql/locate.js";
import { locksOf } from "../src/sql/locks.js";
import { formatName, isOnly, nameFromList, relationKey, relationName, sameRelation, type QualifiedName } from "../src/sql/names.js";
import { nodeOf, unwrap, type ParsedStatement } from "../src/sql/statement.js";

type MessageId = "heldLock" | "sameTable" | "mergeAlterTable";

/** A statement that took ACCESS EXCLUSIVE on tables. */
interface LockEvent {
  readonly statement: ParsedStatement;
  readonly tables: readonly QualifiedName[];
}

export default defineRule<MessageId>({
  name: "no-statement-after-exclusive-lock",
  meta: {
    type: "problem",
    description: "Disallow running further statements in a transaction after it has taken an ACCESS EXCLUSIVE lock on an existing table",
    recommended: true,
    appliesToRollbacks: true,
    hasSuggestions: true,
    messages: {
      heldLock:
        "This statement runs while the transaction still holds the ACCESS EXCLUSIVE lock that {{command}} on line {{line}} took on {{table}}: every query on {{table}} waits until COMMIT, through this statement and any lock it waits for. Take the exclusive lock last (run this statement before it), or run this statement in a separate transaction.",
      sameTable:
        "{{table}} is still locked ACCESS EXCLUSIVE by the {{command}} on line {{line}}, so every query on it keeps waiting through this statement too. Make them one ALTER TABLE with several actions (PostgreSQL applies them in one pass under one lock), or move this statement to a separate transaction.",
      mergeAlterTable: "Merge these actions into the ALTER TABLE on line {{line}}.",
    },
  },

  *check(statement, context) {
    if (HARMLESS.has(statement.type) || isSettingsSelect(statement)) return;
    // CONCURRENTLY forms fail at once inside a transaction block (no-concurrently-in-transaction's finding): they
    // abort the transaction rather than extend the lock.
    if (refusesTransactionBlock(statement)) return;
    const start = transactionStart(statement, context);
    if (start === undefined) return;
    const { events, byTable } = lockEvents(context.document, context.settings.postgresVersion);
    const isNew = (table: QualifiedName): boolean => context.isNewTable(table) || viewCreatedBefore(context.document, table, statement.index);

    // The first lock on an existing table taken in this transaction before the statement.
    let first: { event: LockEvent; tables: QualifiedName[] } | undefined;
    for (let k = firstAtOrAfter(events, start); k < events.length && events[k]!.statement.index < statement.index; k++) {
      const existing = events[k]!.tables.filter((t) => !isNew(t));
      if (existing.length > 0) {
        first = { event: events[k]!, tables: existing };
        break;
      }
    }
    if (!first) return;
    if (isCommentOnHeldTable(statement, events, start)) return;

    // An ALTER TABLE of a table this transaction already locked: the "make it one statement" case.
    const own = ownTable(statement);
    let same: LockEvent | undefined;
    if (own && !isNew(own)) {
      const onTable = byTable.get(relationKey(own)) ?? [];
      for (let k = firstAtOrAfter(onTable, start); k < onTable.length && onTable[k]!.statement.index < statement.index; k++) {
        if (onTable[k]!.tables.some((t) => sameRelation(t, own))) {
          same = onTable[k];
          break;
        }
      }
    }

    if (same && own) {
      const suggestion = mergeSuggestion(statement, context, own);
      yield {
        messageId: "sameTable",
        data: { table: formatName(own), command: commandOf(same.statement), line: same.statement.loc.start.line },
        suggestions: suggestion ? [suggestion] : [],
      };
      return;
    }
    yield {
      messageId: "heldLock",
      data: { table: first.tables.map(formatName).join(", "), command: commandOf(first.event.statement), line: first.event.statement.loc.start.line },
    };
  },
});

/**
 * Statements that change only session state or end the transaction: running them while holding the lock costs
 * nothing. (A DO statement is a container: the statements of its body are checked one by one.)
 */
const HARMLESS = new Set<string>(["VariableSetStmt", "VariableShowStmt", "TransactionStmt", "DoStmt"]);

/** `SELECT set_config(…)` / `SELECT current_setting(…)`: a settings change written as a query, reading no table. */
function isSettingsSelect(statement: ParsedStatement): boolean {
  const select = nodeOf(statement, "SelectStmt");
  if (!select || select.fromClause?.length || select.intoClause || !select.targetList?.length) return false;
  return select.targetList.every((target) => {
    const call = unwrap(unwrap(target, "ResTarget")?.val, "FuncCall");
    const name = call?.funcname?.map((n) => unwrap(n, "String")?.sval).join(".");
    return name !== undefined && ["set_config", "pg_catalog.set_config", "current_setting", "pg_catalog.current_setting"].includes(name);
  });
}

/** The table an ALTER TABLE works on: a second one on an already locked table is the "merge them" case. */
function ownTable(statement: ParsedStatement): QualifiedName | undefined {
  return relationName(nodeOf(statement, "AlterTableStmt")?.relation);
}

/** COMMENT ON TABLE / COLUMN of a table the transaction already holds: a catalog write under a lock it already has. */
function isCommentOnHeldTable(statement: ParsedStatement, events: readonly LockEvent[], start: number): boolean {
  const comment = nodeOf(statement, "CommentStmt");
  if (!comment || (comment.objtype !== "OBJECT_TABLE" && comment.objtype !== "OBJECT_COLUMN")) return false;
  const names = unwrap(comment.object, "List")?.items ?? [];
  const table = nameFromList(comment.objtype === "OBJECT_COLUMN" ? names.slice(0, -1) : names);
  if (!table) return false;
  for (let k = firstAtOrAfter(events, start); k < events.length && events[k]!.statement.index < statement.index; k++) {
    if (events[k]!.tables.some((t) => sameRelation(t, table))) return true;
  }
  return false;
}

interface LockEvents {
  /** Every statement that takes ACCESS EXCLUSIVE on a named table, in execution order. */
  readonly events: readonly LockEvent[];
  /** The same, per table (relationKey), in execution order. */
  readonly byTable: ReadonlyMap<string, readonly LockEvent[]>;
}

const eventCache = new WeakMap<SqlDocument, Map<number, LockEvents>>();

function lockEvents(document: SqlDocument, postgresVersion: number): LockEvents {
  let perVersion = eventCache.get(document);
  if (!perVersion) eventCache.set(document, (perVersion = new Map()));
  const hit = perVersion.get(postgresVersion);
  if (hit) return hit;
  const events: LockEvent[] = [];
  const byTable = new Map<string, LockEvent[]>();
  for (const statement of document.statements) {
    if (!statement.checked) continue;
    const tables = locksOf(statement, { postgresVersion })
      .filter((lock) => lock.mode === "ACCESS EXCLUSIVE" && !lock.referenced)
      .map((lock) => lock.relation);
    if (tables.length === 0) continue;
    const event = { statement, tables };
    events.push(event);
    for (const key of new Set(tables.map(relationKey))) {
      const list = byTable.get(key);
      if (list) list.push(event);
      else byTable.set(key, [event]);
    }
  }
  const result = { events, byTable };
  perVersion.set(postgresVersion, result);
  return result;
}

const viewCache = new WeakMap<SqlDocument, { name: QualifiedName; at: number }[]>();

/**
 * Whether the migration created this materialized view (or view) before statement `index`: REFRESH MATERIALIZED
 * VIEW of a view it just created locks nothing in use. (The migration context tracks tables only.)
 */
function viewCreatedBefore(document: SqlDocument, relation: QualifiedName, index: number): boolean {
  let views = viewCache.get(document);
  if (!views) {
    views = [];
    for (const statement of document.statements) {
      if (!statement.checked) continue;
      const name = relationName(nodeOf(statement, "CreateTableAsStmt")?.into?.rel ?? nodeOf(statement, "ViewStmt")?.view);
      if (name) views.push({ name, at: statement.index });
    }
    viewCache.set(document, views);
  }
  return views.some((v) => v.at < index && sameRelation(v.name, relation));
}

/** Index in `events` of the first event whose statement index is at least `index`. */
function firstAtOrAfter(events: readonly LockEvent[], index: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid]!.statement.index < index) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** How a message names the statement that took the lock. */
function commandOf(statement: ParsedStatement): string {
  const alter = nodeOf(statement, "AlterTableStmt");
  if (alter) return alter.objtype === "OBJECT_MATVIEW" ? "ALTER MATERIALIZED VIEW" : alter.objtype === "OBJECT_FOREIGN_TABLE" ? "ALTER FOREIGN TABLE" : "ALTER TABLE";
  const drop = nodeOf(statement, "DropStmt");
  if (drop) return `DROP ${(drop.removeType ?? "OBJECT_TABLE").replace(/^OBJECT_/, "").replace("MATVIEW", "MATERIALIZED VIEW")}`;
  const rename = nodeOf(statement, "RenameStmt");
  if (rename) return rename.renameType === "OBJECT_INDEX" ? "ALTER INDEX … RENAME" : "ALTER TABLE … RENAME";
  const labels: Record<string, string> = {
    TruncateStmt: "TRUNCATE",
    LockStmt: "LOCK TABLE",
    ClusterStmt: "CLUSTER",
    VacuumStmt: "VACUUM FULL",
    RefreshMatViewStmt: "REFRESH MATERIALIZED VIEW",
    CreatePolicyStmt: "CREATE POLICY",
    AlterPolicyStmt: "ALTER POLICY",
    RuleStmt: "CREATE RULE",
    AlterObjectSchemaStmt: "ALTER … SET SCHEMA",
    CreateStmt: "CREATE TABLE … PARTITION OF",
  };
  return labels[statement.type] ?? statement.type;
}

/** Partition commands have their own ALTER TABLE form and cannot share a statement with other actions. */
const STANDALONE_ACTIONS = new Set(["AT_AttachPartition", "AT_DetachPartition", "AT_DetachPartitionFinalize"]);

/**
 * When the statement just before this one is an ALTER TABLE that locked the same table, with nothing but `;` and
 * white space between them: append this statement's actions to it.
 */
function mergeSuggestion(statement: ParsedStatement, context: StatementContext, table: QualifiedName): Suggestion<MessageId> | undefined {
  const previous = statementAt(context, statement.index - 1);
  if (!previous?.checked || previous.origin.kind !== "file" || statement.origin.kind !== "file") return undefined;
  const mine = nodeOf(statement, "AlterTableStmt");
  const theirs = nodeOf(previous, "AlterTableStmt");
  if (!mine?.relation || !theirs?.relation || statement.byteBase < 0 || previous.byteBase < 0) return undefined;
  const theirTable = relationName(theirs.relation);
  if (!theirTable || !sameRelation(theirTable, table)) return undefined;
  if (mine.objtype !== theirs.objtype || Boolean(mine.missing_ok) !== Boolean(theirs.missing_ok) || isOnly(mine.relation) !== isOnly(theirs.relation)) return undefined;
  const actions = (cmds: readonly Node[] | undefined): string[] => (cmds ?? []).map((c) => unwrap(c, "AlterTableCmd")?.subtype ?? "");
  if ([...actions(mine.cmds), ...actions(theirs.cmds)].some((subtype) => STANDALONE_ACTIONS.has(subtype))) return undefined;
  const tookExclusive = locksOf(previous, { postgresVersion: context.settings.postgresVersion }).some(
    (lock) => lock.mode === "ACCESS EXCLUSIVE" && sameRelation(lock.relation, table),
  );
  if (!tookExclusive) return undefined;
  const { text } = context.document.source;
  if (text.slice(previous.range[1], statement.range[0]).trim() !== ";") return undefined;
  const ranges = alterTableActionRanges(statement, context.document.source);
  const from = ranges[0];
  const to = ranges[ranges.length - 1];
  if (!from || !to || from[0] === statement.range[0]) return undefined; // the split into actions failed
  return {
    messageId: "mergeAlterTable",
    data: { line: previous.loc.start.line },
    range: [previous.range[1], statement.range[1]],
    text: `, ${text.slice(from[0], to[1])}`,
  };
}
