/**
 * Pieces of a statement cut out of its SOURCE TEXT — an UPDATE's SET expressions and WHERE condition, a CHECK's
 * expression, the clause after USING — for backfills and verification queries that reuse what the user wrote.
 *
 * libpg-query has no deparser here and gives nodes only a start offset (for `a + b`, the `+`'s), so extents are
 * found with PostgreSQL's own tokens (src/sql/locate.ts tokensOf): depth counts parentheses and brackets, and
 * strings, quoted identifiers, dollar quotes and comments can never be mistaken for structure. Every slice is then
 * PROVED: parsed again on its own (`SELECT <expression>`, `SELECT 1 WHERE <condition>`), it must give the very tree
 * the statement holds, positions aside. A slice that does not prove out is refused, never used.
 */
import type { Node, ResTarget } from "@pgsql/types";
import { tokensOf, type LocatedToken } from "./locate.js";
import { parseSql, PgSyntaxError } from "./pg-parser.js";
import type { SourceText } from "./source-text.js";
import { unwrap, type ParsedStatement } from "./statement.js";

/** Byte offsets in the tree (PostgreSQL 18 adds several besides `location`): where, not what. */
const POSITIONS = new Set(["location", "name_location", "list_start", "list_end", "rexpr_list_start", "rexpr_list_end", "stmt_location", "stmt_len"]);

/** The parse tree without positions: two trees of the same SQL written at different places compare equal. */
export function treeShape(node: unknown): string {
  return JSON.stringify(node, (key, value: unknown) => (POSITIONS.has(key) ? undefined : value));
}

/** The only statement of a parse of `sql`, as a SELECT; undefined when it does not parse to exactly that. */
function onlySelect(sql: string) {
  let stmts;
  try {
    stmts = parseSql(sql).stmts ?? [];
  } catch (error) {
    if (error instanceof PgSyntaxError) return undefined;
    throw error;
  }
  return stmts.length === 1 ? unwrap(stmts[0]!.stmt, "SelectStmt") : undefined;
}

/** Whether the SELECT has nothing but the clauses in `allowed` (libpg-query always sets limitOption and op). */
const hasOnly = (select: object, allowed: readonly string[]): boolean => Object.keys(select).every((key) => key === "limitOption" || key === "op" || allowed.includes(key));

/** Whether `text` is exactly one value expression whose parse tree is `node`'s. */
export function isExpressionText(text: string, node: Node): boolean {
  const select = onlySelect(`SELECT ${text}`);
  if (!select || !hasOnly(select, ["targetList"])) return false;
  const target = select.targetList?.length === 1 ? unwrap(select.targetList[0], "ResTarget") : undefined;
  return target !== undefined && target.name === undefined && target.val !== undefined && treeShape(target.val) === treeShape(node);
}

/** Whether `text` is exactly one condition whose parse tree is `node`'s. */
export function isConditionText(text: string, node: Node): boolean {
  const select = onlySelect(`SELECT 1 WHERE ${text}`);
  return select !== undefined && hasOnly(select, ["targetList", "whereClause"]) && select.whereClause !== undefined && treeShape(select.whereClause) === treeShape(node);
}

/** A statement's tokens, with the lookups slicing needs. */
export class StatementTokens {
  private constructor(
    private readonly statement: ParsedStatement,
    private readonly source: SourceText,
    readonly tokens: readonly LocatedToken[],
  ) {}

  /** Undefined when the statement's text could not be located in the file (its nodes' offsets mean nothing there). */
  static of(statement: ParsedStatement, source: SourceText): StatementTokens | undefined {
    return statement.byteBase < 0 ? undefined : new StatementTokens(statement, source, tokensOf(statement, source));
  }

  /** The index of the token starting at a node's byte `location`, or -1. */
  at(location: number | undefined): number {
    if (location === undefined || location < 0) return -1;
    const index = this.source.indexOfByte(this.statement.byteBase + location);
    return this.tokens.findIndex((t) => t.range[0] === index);
  }

  /** The source text from the first token to the last (comments between them included); undefined when empty. */
  text(first: number, last: number): string | undefined {
    if (first > last || !this.tokens[first] || !this.tokens[last]) return undefined;
    return this.source.text.slice(this.tokens[first]!.range[0], this.tokens[last]!.range[1]);
  }
}

const OPENING = new Set(["(", "["]);
const CLOSING = new Set([")", "]"]);

/** The index of the first token at depth 0 from `from` that matches `stop`, or tokens.length. */
export function scanDepthZero(tokens: readonly LocatedToken[], from: number, stop: (token: LocatedToken, index: number) => boolean): number {
  let depth = 0;
  for (let k = Math.max(from, 0); k < tokens.length; k++) {
    const t = tokens[k]!;
    if (depth === 0 && stop(t, k)) return k;
    if (OPENING.has(t.text)) depth++;
    else if (CLOSING.has(t.text)) depth--;
  }
  return tokens.length;
}

/** The index of the parenthesis or bracket closing the one at `open`. */
export function matchingParenthesis(tokens: readonly LocatedToken[], open: number): number | undefined {
  let depth = 0;
  for (let k = open; k < tokens.length; k++) {
    if (OPENING.has(tokens[k]!.text)) depth++;
    else if (CLOSING.has(tokens[k]!.text)) depth--;
    if (depth === 0) return k;
  }
  return undefined;
}

/** A piece cut out and proved, with its tokens; or why there is none. */
export type Slice =
  | { readonly ok: true; readonly text: string; readonly first: number; readonly last: number }
  | { readonly ok: false; readonly problem: "unlocated" | "empty" | "inexact" };

/** FROM (not the one of IS [NOT] DISTINCT FROM), WHERE or RETURNING: the end of an UPDATE's SET list. */
function endsSetList(tokens: readonly LocatedToken[], token: LocatedToken, index: number): boolean {
  if (!token.isKeyword) return false;
  if (token.upper === "WHERE" || token.upper === "RETURNING") return true;
  return token.upper === "FROM" && tokens[index - 1]?.upper !== "DISTINCT";
}

/**
 * The value of `SET column = <expression>` in an UPDATE. A SET target's `location` points at its column name; the
 * `=` follows, and the expression runs to the depth-0 comma before the next target, or (for the last target) to
 * the depth-0 FROM, WHERE or RETURNING that ends the SET list, or the statement's end. Inside an expression those
 * keywords only appear within parentheses, except FROM in `IS [NOT] DISTINCT FROM`, recognised by the word before.
 * Not for `SET column[…] = …` / `SET (a, b) = …`, whose name is not followed by `=`.
 */
export function sliceSetExpression(tokens: StatementTokens, target: ResTarget): Slice {
  const list = tokens.tokens;
  const name = tokens.at(target.location);
  if (name < 0 || list[name + 1]?.text !== "=" || !target.val) return { ok: false, problem: "unlocated" };
  const first = name + 2;
  const last = scanDepthZero(list, first, (t, k) => t.text === "," || endsSetList(list, t, k)) - 1;
  const text = tokens.text(first, last);
  if (text === undefined) return { ok: false, problem: "empty" };
  return isExpressionText(text, target.val) ? { ok: true, text, first, last } : { ok: false, problem: "inexact" };
}

/**
 * The condition after the first depth-0 WHERE from token `from`, up to the depth-0 RETURNING or the statement's end
 * (an UPDATE's or DELETE's), proved to be `node`.
 */
export function sliceWhereCondition(tokens: StatementTokens, from: number, node: Node): Slice {
  const list = tokens.tokens;
  const keyword = scanDepthZero(list, from, (t) => t.isKeyword && t.upper === "WHERE");
  if (keyword >= list.length) return { ok: false, problem: "unlocated" };
  const first = keyword + 1;
  const last = scanDepthZero(list, first, (t) => t.isKeyword && t.upper === "RETURNING") - 1;
  const text = tokens.text(first, last);
  if (text === undefined) return { ok: false, problem: "unlocated" };
  return isConditionText(text, node) ? { ok: true, text, first, last } : { ok: false, problem: "inexact" };
}
