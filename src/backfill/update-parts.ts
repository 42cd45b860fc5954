/**
 * The pieces of an UPDATE that a batched backfill reuses — each SET expression and the WHERE condition — as the
 * SOURCE TEXT the user wrote. libpg-query has no deparser here, so the text is cut out of the file:
 *
 * - A SET target's node `location` points at its column name; the `=` follows, and the expression runs to the
 *   depth-0 comma before the next target's name, or (for the last target) to the depth-0 FROM, WHERE or RETURNING
 *   that ends the SET list. Inside an expression those keywords only appear within parentheses, except FROM in
 *   `IS [NOT] DISTINCT FROM`, which is recognised by the word before it.
 * - The WHERE condition runs from the token after the depth-0 WHERE to the depth-0 RETURNING or the statement's end.
 *   (An expression node's own `location` is no help for either: for `a + b` it points at the `+`.)
 *
 * Depth counts parentheses and brackets in PostgreSQL's own tokens (src/sql/locate.ts tokensOf), so strings,
 * quoted identifiers, dollar quotes and comments can never be mistaken for structure. Every slice is then parsed
 * again (`SELECT <expression>`, `SELECT 1 WHERE <condition>`) and its tree compared with the original's, locations
 * aside: a slice that is not exactly the expression the statement holds is refused, never used.
 */
import type { Node, UpdateStmt } from "@pgsql/types";
import { parseSql } from "../sql/pg-parser.js";
import { tokensOf, type LocatedToken } from "../sql/locate.js";
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
  if (statement.byteBase < 0) return { ok: false, reason: "its text could not be located in the file" };
  const tokens = tokensOf(statement, source);
  const tokenAt = (location: number | undefined): number => {
    if (location === undefined || location < 0) return -1;
    const index = source.indexOfByte(statement.byteBase + location);
    return tokens.findIndex((t) => t.range[0] === index);
  };
  const text = (from: number, to: number): string => source.text.slice(tokens[from]!.range[0], tokens[to]!.range[1]);

  const targets = (update.targetList ?? []).map((t) => unwrap(t, "ResTarget"));
  const assignments: Assignment[] = [];
  let afterSet = -1;
  for (let i = 0; i < targets.length; i++) {
    const target = targets[i];
    if (!target?.name || !target.val) return { ok: false, reason: "a SET target could not be read" };
    if (target.indirection?.length) return { ok: false, reason: `SET ${target.name}[…] / ${target.name}.field (a part of a column) is not supported` };
    if (unwrap(target.val, "MultiAssignRef")) return { ok: false, reason: "SET (a, b) = (…) is not supported; write one assignment per column" };
    if (unwrap(target.val, "SetToDefault")) return { ok: false, reason: `SET ${target.name} = DEFAULT is not supported; write the default's expression` };
    const name = tokenAt(target.location);
    if (name < 0 || tokens[name + 1]?.text !== "=") return { ok: false, reason: `the SET expression for ${target.name} could not be located` };
    const start = name + 2;
    let end: number;
    if (i + 1 < targets.length) {
      const next = tokenAt(targets[i + 1]!.location);
      if (next < start + 1 || tokens[next - 1]?.text !== ",") return { ok: false, reason: `the SET expression for ${target.name} could not be located` };
      end = next - 2;
    } else {
      end = scanDepthZero(tokens, start, (t, k) => endsSetList(tokens, t, k)) - 1;
    }
    if (end < start) return { ok: false, reason: `the SET expression for ${target.name} is empty` };
    const piece = { text: text(start, end), node: target.val };
    if (!sameExpression(piece.text, target.val)) return { ok: false, reason: `the SET expression for ${target.name} could not be cut out of the text exactly` };
    assignments.push({ column: target.name, ...piece });
    afterSet = end + 1;
  }
  if (assignments.length === 0) return { ok: false, reason: "it has no SET list" };

  let where: SqlPiece | undefined;
  let conjuncts: SqlPiece[] | undefined;
  if (update.whereClause) {
    const keyword = scanDepthZero(tokens, afterSet, (t) => t.isKeyword && t.upper === "WHERE");
    const start = keyword + 1;
    const end = scanDepthZero(tokens, start, (t) => t.isKeyword && t.upper === "RETURNING") - 1;
    if (keyword >= tokens.length || end < start) return { ok: false, reason: "its WHERE condition could not be located" };
    where = { text: text(start, end), node: update.whereClause };
    if (!sameCondition(where.text, update.whereClause)) return { ok: false, reason: "its WHERE condition could not be cut out of the text exactly" };
    conjuncts = sliceConjuncts(tokens, start, end, update, text);
  }
  return { ok: true, parts: { assignments, where, conjuncts } };
}

/** The index of the first depth-0 token from `from` matching `stop`, or tokens.length. */
function scanDepthZero(tokens: readonly LocatedToken[], from: number, stop: (token: LocatedToken, index: number) => boolean): number {
  let depth = 0;
  for (let k = Math.max(from, 0); k < tokens.length; k++) {
    const t = tokens[k]!;
    if (depth === 0 && stop(t, k)) return k;
    if (t.text === "(" || t.text === "[") depth++;
    else if (t.text === ")" || t.text === "]") depth--;
  }
  return tokens.length;
}

/** FROM (not the one of IS [NOT] DISTINCT FROM), WHERE or RETURNING: the end of an UPDATE's SET list. */
function endsSetList(tokens: readonly LocatedToken[], token: LocatedToken, index: number): boolean {
  if (!token.isKeyword) return false;
  if (token.upper === "WHERE" || token.upper === "RETURNING") return true;
  return token.upper === "FROM" && tokens[index - 1]?.upper !== "DISTINCT";
}

/**
 * The top-level AND-conjuncts of the WHERE condition with their text, cut at depth-0 ANDs. An AND that belongs to
 * `BETWEEN x AND y` is not a cut; a piece is accepted only when it parses to exactly the next conjunct.
 */
function sliceConjuncts(
  tokens: readonly LocatedToken[],
  start: number,
  end: number,
  update: UpdateStmt,
  text: (from: number, to: number) => string,
): SqlPiece[] | undefined {
  const where = update.whereClause!;
  const bool = unwrap(where, "BoolExpr");
  const expected = bool?.boolop === "AND_EXPR" ? (bool.args ?? []) : [where];
  const pieces: SqlPiece[] = [];
  let from = start;
  let depth = 0;
  for (let k = start; k <= end + 1 && pieces.length < expected.length; k++) {
    const t = tokens[k];
    const atEnd = k === end + 1;
    if (!atEnd && depth === 0 && t!.isKeyword && t!.upper === "AND" && k > from) {
      const candidate = text(from, k - 1);
      if (sameCondition(candidate, expected[pieces.length]!)) {
        pieces.push({ text: candidate, node: expected[pieces.length]! });
        from = k + 1;
        continue;
      }
    }
    if (atEnd) {
      if (k > from && sameCondition(text(from, k - 1), expected[pieces.length]!)) pieces.push({ text: text(from, k - 1), node: expected[pieces.length]! });
      break;
    }
    if (t!.text === "(" || t!.text === "[") depth++;
    else if (t!.text === ")" || t!.text === "]") depth--;
  }
  return pieces.length === expected.length ? pieces : undefined;
}

/** Byte offsets in the tree (PostgreSQL 18 adds some besides `location`): where, not what. */
const POSITIONS = new Set(["location", "name_location", "list_start", "list_end", "rexpr_list_start", "rexpr_list_end", "stmt_location", "stmt_len"]);

/** The parse tree without positions: two trees of the same SQL written at different places compare equal. */
export function treeShape(node: unknown): string {
  return JSON.stringify(node, (key, value: unknown) => (POSITIONS.has(key) ? undefined : value));
}

/** Whether `text` parses, as a value expression, to exactly `node`. */
function sameExpression(text: string, node: Node): boolean {
  const parsed = parseOne(`SELECT ${text}`);
  const select = unwrap(parsed, "SelectStmt");
  const target = select?.targetList?.length === 1 ? unwrap(select.targetList[0], "ResTarget") : undefined;
  return target?.val !== undefined && !target.name && treeShape(target.val) === treeShape(node);
}

/** Whether `text` parses, as a condition, to exactly `node`. */
export function sameCondition(text: string, node: Node): boolean {
  const select = unwrap(parseOne(`SELECT 1 WHERE ${text}`), "SelectStmt");
  return select?.whereClause !== undefined && treeShape(select.whereClause) === treeShape(node);
}

function parseOne(sql: string): Node | undefined {
  try {
    const stmts = parseSql(sql).stmts ?? [];
    return stmts.length === 1 ? stmts[0]!.stmt : undefined;
  } catch {
    return undefined;
  }
}
