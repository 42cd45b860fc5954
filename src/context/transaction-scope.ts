/**
 * Which earlier statements ran in the same transaction as a given one — and so whose locks it still holds. Rules
 * about lock duration (a lock taken early in a transaction is held until COMMIT) read this instead of walking the
 * file themselves. Computed once per document; the per-statement answer is a lookup.
 */
import type { SqlDocument } from "../sql/document.js";
import { nodeOf, type ParsedStatement, type Statement } from "../sql/statement.js";
import type { StatementContext } from "./migration-context.js";

interface DocumentScopes {
  /** Statements by their `index`. */
  readonly byIndex: readonly (Statement | undefined)[];
  /**
   * For each statement index: the index of the last file-level statement before it, in its section, that ended a
   * transaction (COMMIT, ROLLBACK, PREPARE TRANSACTION), or the index just before its section's first statement.
   */
  readonly lastEnd: readonly number[];
  /** For each statement index: the first file-level BEGIN after `lastEnd` and before it, if any. */
  readonly openBegin: readonly (number | undefined)[];
}

const cache = new WeakMap<SqlDocument, DocumentScopes>();

function scopesOf(document: SqlDocument): DocumentScopes {
  const hit = cache.get(document);
  if (hit) return hit;
  const byIndex: (Statement | undefined)[] = [];
  for (const statement of document.statements) byIndex[statement.index] = statement;
  const lastEnd: number[] = [];
  const openBegin: (number | undefined)[] = [];
  let section = -1;
  let end = -1;
  let begin: number | undefined;
  for (let i = 0; i < byIndex.length; i++) {
    const statement = byIndex[i];
    if (statement && statement.section !== section) {
      section = statement.section;
      end = i - 1;
      begin = undefined;
    }
    lastEnd[i] = end;
    openBegin[i] = begin;
    if (!statement?.checked || statement.origin.kind !== "file") continue;
    const kind = nodeOf(statement, "TransactionStmt")?.kind;
    if (kind === "TRANS_STMT_BEGIN" || kind === "TRANS_STMT_START") begin ??= i;
    if (kind === "TRANS_STMT_COMMIT" || kind === "TRANS_STMT_ROLLBACK" || kind === "TRANS_STMT_PREPARE") {
      end = i;
      begin = undefined;
    }
  }
  const scopes = { byIndex, lastEnd, openBegin };
  cache.set(document, scopes);
  return scopes;
}

/**
 * The index of the first statement that runs in the same transaction as `statement`, or undefined when it runs in
 * a transaction of its own. Statements with an index from there up to (not including) `statement.index` ran before
 * it in its transaction; their locks are still held.
 *
 * - explicit BEGIN: the statements after that BEGIN;
 * - runner-wrapped file or one multi-statement script: the statements since the section began or since the last
 *   COMMIT / ROLLBACK in it (which ended the runner's transaction);
 * - in a DO block: the block's earlier statements, and before them those after an explicit BEGIN the DO runs in.
 *   Whether the runner wraps the DO statement is not known here (the context describes the block, not the DO), so
 *   in a runner-wrapped file without BEGIN only the block itself counts: an undercount, never a false finding.
 */
export function transactionStart(statement: Statement, context: StatementContext): number | undefined {
  const transaction = context.transaction;
  if (!transaction.inside) return undefined;
  const scopes = scopesOf(context.document);
  if (statement.origin.kind === "do-block") {
    const doIndex = statement.origin.doStatement;
    const begin = scopes.openBegin[doIndex];
    return begin !== undefined ? begin + 1 : doIndex + 1;
  }
  if (transaction.why === "explicit" && transaction.beganAt !== undefined) return transaction.beganAt + 1;
  // One query string of a JS/TS call: its own statements, from its first.
  if (transaction.why === "query" && transaction.beganAt !== undefined) return transaction.beganAt;
  return (scopes.lastEnd[statement.index] ?? -1) + 1;
}

/**
 * The parsed statements that ran before `statement` in its transaction, nearest first. A DO statement itself is
 * left out (its body's statements are in the list, in order).
 */
export function* earlierInTransaction(statement: Statement, context: StatementContext): Generator<ParsedStatement> {
  const start = transactionStart(statement, context);
  if (start === undefined) return;
  const { byIndex } = scopesOf(context.document);
  for (let i = statement.index - 1; i >= start; i--) {
    const earlier = byIndex[i];
    if (earlier?.checked && earlier.type !== "DoStmt") yield earlier;
  }
}

/** The statement with the given index in the context's document. */
export function statementAt(context: StatementContext, index: number): Statement | undefined {
  return scopesOf(context.document).byIndex[index];
}
