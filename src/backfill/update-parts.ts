/**
 * The pieces of an UPDATE that a batched backfill reuses — each SET expression and the WHERE condition, and the
 * WHERE's top-level AND-conjuncts — as the SOURCE TEXT the user wrote, cut out and proved by src/sql/slices.ts.
 * What this module adds is the backfill's view: which UPDATE forms it refuses, and why, in the user's terms.
 */
import type { Node, UpdateStmt } from "@pgsql/types";
import { isConditionText, sliceSetExpression, sliceWhereCondition, StatementTokens, type Slice } from "../sql/slices.js";
import type { SourceText } from "../sql/source-text.js";
import { nodeOf, unwrap, type ParsedStatement } from "../sql/statement.js";

/** A piece of the statement: its source text and its parse tree. */
export interface SqlPiece {
  readonly text: string;
  readonly node: Node;
}

export interface Assignment extends SqlPiece {
  /** The column written, as PostgreSQL names it (unquoted names folded to lower case). */
  readonly column: string;
}

export interface UpdateParts {
  readonly assignments: readonly Assignment[];
  readonly where: SqlPiece | undefined;
  /** WHERE's top-level AND-conjuncts, each with its text; undefined when they could not be cut apart exactly. */
  readonly conjuncts: readonly SqlPiece[] | undefined;
}

export type SliceOutcome = { readonly ok: true; readonly parts: UpdateParts } | { readonly ok: false; readonly reason: string };

/** Cut an UPDATE's SET expressions and WHERE condition out of the file's text. */
export function sliceUpdate(statement: ParsedStatement, source: SourceText): SliceOutcome {
  const update = nodeOf(statement, "UpdateStmt");
  if (!update) return { ok: false, reason: "it is not an UPDATE" };
  const tokens = StatementTokens.of(statement, source);
  if (!tokens) return { ok: false, reason: "its text could not be located in the file" };

  const assignments: Assignment[] = [];
  let afterSet = -1;
  for (const wrapped of update.targetList ?? []) {
    const target = unwrap(wrapped, "ResTarget");
    if (!target?.name || !target.val) return { ok: false, reason: "a SET target could not be read" };
    if (target.indirection?.length) return { ok: false, reason: `SET ${target.name}[…] / ${target.name}.field (a part of a column) is not supported` };
    if (unwrap(target.val, "MultiAssignRef")) return { ok: false, reason: "SET (a, b) = (…) is not supported; write one assignment per column" };
    if (unwrap(target.val, "SetToDefault")) return { ok: false, reason: `SET ${target.name} = DEFAULT is not supported; write the default's expression` };
    const slice = sliceSetExpression(tokens, target);
    if (!slice.ok) return { ok: false, reason: `the SET expression for ${target.name} ${SET_PROBLEMS[slice.problem]}` };
    assignments.push({ column: target.name, text: slice.text, node: target.val });
    afterSet = slice.last + 1;
  }
  if (assignments.length === 0) return { ok: false, reason: "it has no SET list" };

  let where: SqlPiece | undefined;
  let conjuncts: SqlPiece[] | undefined;
  if (update.whereClause) {
    const slice = sliceWhereCondition(tokens, afterSet, update.whereClause);
    if (!slice.ok) return { ok: false, reason: `its WHERE condition ${WHERE_PROBLEMS[slice.problem]}` };
    where = { text: slice.text, node: update.whereClause };
    conjuncts = sliceConjuncts(tokens, slice.first, slice.last, update);
  }
  return { ok: true, parts: { assignments, where, conjuncts } };
}

type Problem = Extract<Slice, { ok: false }>["problem"];
const SET_PROBLEMS: Record<Problem, string> = { unlocated: "could not be located", empty: "is empty", inexact: "could not be cut out of the text exactly" };
const WHERE_PROBLEMS: Record<Problem, string> = { unlocated: "could not be located", empty: "could not be located", inexact: "could not be cut out of the text exactly" };

/**
 * The top-level AND-conjuncts of the WHERE condition with their text, cut at depth-0 ANDs. An AND that belongs to
 * `BETWEEN x AND y` is not a cut; a piece is accepted only when it parses to exactly the next conjunct.
 */
function sliceConjuncts(tokens: StatementTokens, start: number, end: number, update: UpdateStmt): SqlPiece[] | undefined {
  const where = update.whereClause!;
  const bool = unwrap(where, "BoolExpr");
  const expected: Node[] = bool?.boolop === "AND_EXPR" ? (bool.args ?? []) : [where];
  const pieces: SqlPiece[] = [];
  const accept = (from: number, to: number): boolean => {
    const text = tokens.text(from, to);
    const node = expected[pieces.length]!;
    if (text === undefined || !isConditionText(text, node)) return false;
    pieces.push({ text, node });
    return true;
  };
  let from = start;
  let depth = 0;
  for (let k = start; k <= end + 1 && pieces.length < expected.length; k++) {
    if (k === end + 1) {
      accept(from, k - 1);
      break;
    }
    const t = tokens.tokens[k]!;
    if (depth === 0 && t.isKeyword && t.upper === "AND" && k > from && accept(from, k - 1)) {
      from = k + 1;
      continue;
    }
    if (t.text === "(" || t.text === "[") depth++;
    else if (t.text === ")" || t.text === "]") depth--;
  }
  return pieces.length === expected.length ? pieces : undefined;
}
