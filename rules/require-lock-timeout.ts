/**
 * A statement that needs a write-blocking lock on a table in use must run with lock_timeout set: otherwise, while it
 * waits behind a long-running query, every later query on the table waits behind it.
 */
import { defineRule, type Suggestion } from "../src/rule.js";
import { blocks, isTrueOption, locksOf, lockStrength, type LockMode } from "../src/sql/locks.js";
import { formatName, nameFromList, relationName, sameRelation, type QualifiedName } from "../src/sql/names.js";
import { nodeOf, unwrap, type ParsedStatement } from "../src/sql/statement.js";
import type { StatementContext } from "../src/context/migration-context.js";

type MessageId = "missingLockTimeout" | "addLockTimeout";

/** One lock the statement waits for, on a table named as the message should name it. */
interface Target {
  readonly label: string;
  readonly mode: LockMode;
}

const SUGGESTED_LOCK_TIMEOUT = "2s";

export default defineRule<MessageId>({
  name: "require-lock-timeout",
  meta: {
    type: "problem",
    description: "Require lock_timeout to be set before a statement that takes a write-blocking lock on an existing table",
    recommended: true,
    appliesToRollbacks: true,
    hasSuggestions: true,
    messages: {
      missingLockTimeout:
        "This statement takes {{locks}} with no lock_timeout set: if it has to wait for a long-running query, {{queued}} queue behind it for as long as it waits. Set lock_timeout before it and retry the migration on timeout.",
      addLockTimeout: "Set lock_timeout to {{timeout}} before this statement.",
    },
  },

  *check(statement, context) {
    if (context.lockTimeout.set) return;
    const lock = nodeOf(statement, "LockStmt");
    if (lock?.nowait) return; // LOCK … NOWAIT fails at once instead of queueing
    const targets = [...tableTargets(statement, context), ...indexTargets(statement, context)].filter((t) => blocks(t.mode).writes);
    if (targets.length === 0) return;

    const suggestions: Suggestion<MessageId>[] = [];
    // Inside a DO block the statement is PL/pgSQL text: a SET there would be a different edit; leave it to the user.
    if (statement.origin.kind === "file") {
      const { text } = context.document.source;
      const start = statement.range[0];
      const lineStart = Math.max(text.lastIndexOf("\n", start - 1), text.lastIndexOf("\r", start - 1)) + 1;
      const before = text.slice(lineStart, start);
      const indent = /^[ \t]*$/.test(before) ? before : "";
      suggestions.push({
        messageId: "addLockTimeout",
        data: { timeout: SUGGESTED_LOCK_TIMEOUT },
        range: [start, start],
        text: `SET lock_timeout = '${SUGGESTED_LOCK_TIMEOUT}';\n${indent}`,
      });
    }
    yield { messageId: "missingLockTimeout", data: describe(targets), suggestions };
  },
});

/** Locks on tables the statement names, except tables (and materialized views) this migration created before it. */
function tableTargets(statement: ParsedStatement, context: StatementContext): Target[] {
  return locksOf(statement, { postgresVersion: context.settings.postgresVersion })
    .filter((lock) => !context.isNewTable(lock.relation) && !context.isNew("matview", lock.relation))
    .map((lock) => ({ label: formatName(lock.relation), mode: lock.mode }));
}


/**
 * DROP INDEX and REINDEX INDEX lock the index's table, which the statement does not name. We name it when this
 * migration built the index, and otherwise say "the table of index …": the wait is just as dangerous.
 */
function indexTargets(statement: ParsedStatement, context: StatementContext): Target[] {
  let indexes: string[] = [];
  let mode: LockMode;
  const drop = nodeOf(statement, "DropStmt");
  const reindex = nodeOf(statement, "ReindexStmt");
  if (drop?.removeType === "OBJECT_INDEX" && !drop.concurrent) {
    indexes = (drop.objects ?? []).map((o) => nameFromList(unwrap(o, "List")?.items)?.name).filter((n) => n !== undefined);
    mode = "ACCESS EXCLUSIVE";
  } else if (reindex?.kind === "REINDEX_OBJECT_INDEX" && reindex.relation?.relname) {
    const concurrent = (reindex.params ?? []).some((p) => isTrueOption(unwrap(p, "DefElem"), "concurrently"));
    if (!concurrent) indexes = [reindex.relation.relname];
    mode = "SHARE";
  } else {
    return [];
  }
  const targets: Target[] = [];
  for (const index of indexes) {
    const table = context.tableOfIndexCreatedHere(index);
    if (table && context.isNewTable(table)) continue;
    targets.push({ label: table ? formatName(table) : `the table of index ${formatName({ name: index })}`, mode });
  }
  return targets;
}

/** "an ACCESS EXCLUSIVE lock on a and a SHARE ROW EXCLUSIVE lock on b" / "all reads and writes of a and all writes to b". */
function describe(targets: readonly Target[]): { locks: string; queued: string } {
  const byMode = new Map<LockMode, string[]>();
  for (const target of [...targets].sort((a, b) => lockStrength(b.mode) - lockStrength(a.mode))) {
    const labels = byMode.get(target.mode) ?? [];
    if (!labels.includes(target.label)) labels.push(target.label);
    byMode.set(target.mode, labels);
  }
  const groups = [...byMode];
  const article = (mode: LockMode): string => (/^[AEIOU]/.test(mode) ? "an" : "a");
  return {
    locks: list(groups.map(([mode, labels]) => `${article(mode)} ${mode} lock on ${list(labels)}`)),
    queued: list(groups.map(([mode, labels]) => (blocks(mode).reads ? `all reads and writes of ${list(labels)}` : `all writes to ${list(labels)}`))),
  };
}

function list(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}
