/**
 * The source text of an expression inside a parsed statement — a backfill's SET value, a CHECK constraint, a USING
 * clause, a partial index's WHERE — for use in verification queries.
 *
 * libpg-query has no deparser here and gives nodes only a start offset (an operator's, for `a || b`), so the
 * extent is found with PostgreSQL's own lexer (a top-level terminator, or a balanced parenthesis) and then proved:
 * the slice, parsed on its own as `SELECT <slice>`, must give the very same tree as the node, locations aside.
 * Anything that does not prove out is "unknown" (undefined), never a guess.
 */
import type { Node } from "@pgsql/types";
import { tokensOf, type LocatedToken } from "../sql/locate.js";
import { parseSql, PgSyntaxError, scanSql } from "../sql/pg-parser.js";
import type { Range, SourceText } from "../sql/source-text.js";
import { unwrap, type ParsedStatement } from "../sql/statement.js";

/** A node's tree without positions, for comparing two parses of the same expression. */
function canonical(node: unknown): string {
  return JSON.stringify(node, (key, value: unknown) => (key === "location" ? undefined : value));
}

/** Whether `text` is exactly one expression whose parse tree is `node`'s. */
export function isExpressionText(text: string, node: Node): boolean {
  let stmts;
  try {
    stmts = parseSql(`SELECT ${text}`).stmts ?? [];
  } catch (error) {
    if (error instanceof PgSyntaxError) return false;
    throw error;
  }
  const select = stmts.length === 1 ? unwrap(stmts[0]!.stmt, "SelectStmt") : undefined;
  if (!select || Object.keys(select).some((key) => key !== "targetList" && key !== "limitOption" && key !== "op")) return false;
  const target = select.targetList?.length === 1 ? unwrap(select.targetList[0], "ResTarget") : undefined;
  return target !== undefined && target.name === undefined && target.val !== undefined && canonical(target.val) === canonical(node);
}

/** The statement's tokens, and the index of the one starting at a node's byte `location`. */
function tokensAt(statement: ParsedStatement, source: SourceText, location: number | undefined): { tokens: LocatedToken[]; at: number } | undefined {
  if (location === undefined || statement.byteBase < 0) return undefined;
  const index = source.indexOfByte(statement.byteBase + location);
  const tokens = tokensOf(statement, source);
  const at = tokens.findIndex((t) => t.range[0] === index);
  return at < 0 ? undefined : { tokens, at };
}

function textOf(source: SourceText, tokens: readonly LocatedToken[], first: number, last: number): string | undefined {
  if (first > last || !tokens[first] || !tokens[last]) return undefined;
  return source.text.slice(tokens[first]!.range[0], tokens[last]!.range[1]);
}

const OPENING = new Set(["(", "["]);
const CLOSING = new Set([")", "]"]);

/**
 * The value of `SET column = <expression>` in an UPDATE: from the token after `=` up to the next top-level comma,
 * FROM (not the one of IS [NOT] DISTINCT FROM), WHERE or RETURNING, or the end of the statement.
 * `targetLocation` is the ResTarget's location (its column name).
 */
export function setExpressionText(statement: ParsedStatement, source: SourceText, targetLocation: number | undefined, value: Node): string | undefined {
  const found = tokensAt(statement, source, targetLocation);
  if (!found) return undefined;
  const { tokens } = found;
  let i = found.at;
  while (i < tokens.length && tokens[i]!.text !== "=") i++;
  const first = i + 1;
  let depth = 0;
  let k = first;
  for (; k < tokens.length; k++) {
    const token = tokens[k]!;
    if (OPENING.has(token.text)) depth++;
    else if (CLOSING.has(token.text)) depth--;
    if (depth < 0) break;
    if (depth > 0) continue;
    if (token.text === ",") break;
    if (token.isKeyword && (token.upper === "WHERE" || token.upper === "RETURNING")) break;
    if (token.isKeyword && token.upper === "FROM" && tokens[k - 1]?.upper !== "DISTINCT") break;
  }
  const text = textOf(source, tokens, first, k - 1);
  return text !== undefined && isExpressionText(text, value) ? text : undefined;
}

/** The expression between the parentheses of the first `CHECK (…)` at or after the constraint's location. */
export function checkExpressionText(statement: ParsedStatement, source: SourceText, constraintLocation: number | undefined, expression: Node): string | undefined {
  const found = tokensAt(statement, source, constraintLocation);
  if (!found) return undefined;
  const { tokens } = found;
  let i = found.at;
  while (i < tokens.length && tokens[i]!.upper !== "CHECK") i++;
  if (tokens[i + 1]?.text !== "(") return undefined;
  const close = matchingParenthesis(tokens, i + 1);
  if (close === undefined) return undefined;
  const text = textOf(source, tokens, i + 2, close - 1);
  return text !== undefined && isExpressionText(text, expression) ? text : undefined;
}

/**
 * The expression after the first top-level `keyword` (USING, WHERE) inside `range` of the statement, up to the end
 * of the range: the USING clause of one ALTER TABLE action, the WHERE of a partial index.
 */
export function trailingExpressionText(statement: ParsedStatement, source: SourceText, range: Range, keyword: string, expression: Node): string | undefined {
  if (statement.byteBase < 0) return undefined;
  const tokens = tokensOf(statement, source);
  let depth = 0;
  let first: number | undefined;
  let last = -1;
  for (let k = 0; k < tokens.length; k++) {
    const token = tokens[k]!;
    if (token.range[0] < range[0] || token.range[1] > range[1]) continue;
    last = k;
    if (first !== undefined) continue;
    if (OPENING.has(token.text)) depth++;
    else if (CLOSING.has(token.text)) depth--;
    else if (depth === 0 && token.isKeyword && token.upper === keyword) first = k + 1;
  }
  if (first === undefined) return undefined;
  const text = textOf(source, tokens, first, last);
  return text !== undefined && isExpressionText(text, expression) ? text : undefined;
}

function matchingParenthesis(tokens: readonly LocatedToken[], open: number): number | undefined {
  let depth = 0;
  for (let k = open; k < tokens.length; k++) {
    if (OPENING.has(tokens[k]!.text)) depth++;
    else if (CLOSING.has(tokens[k]!.text)) depth--;
    if (depth === 0) return k;
  }
  return undefined;
}

/** An identifier token's name as PostgreSQL folds it: quoted kept as written, unquoted ASCII lower-cased. */
function identifierName(text: string): string | undefined {
  if (text.startsWith('"')) return text.slice(1, -1).replaceAll('""', '"');
  if (/^u&"/i.test(text)) return undefined;
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/**
 * `text` (an expression whose tree is `expression`) with the table alias `qualifier.` removed in front of column
 * names (`normalize(u.full_name)` → `normalize(full_name)`), proved like every slice: the result must parse to the
 * original tree with those qualifiers dropped. Undefined when that cannot be done safely (a subquery could see the
 * bare names differently; `u.composite.field` would change meaning).
 */
export function withoutQualifier(text: string, qualifier: string, expression: Node): string | undefined {
  const expected = stripQualifier(expression, qualifier);
  if (expected === undefined) return undefined;
  const tokens = scanIdentifiers(text);
  if (!tokens) return undefined;
  let out = "";
  let from = 0;
  for (let k = 0; k < tokens.length; k++) {
    const token = tokens[k]!;
    if (identifierName(token.text) !== qualifier || tokens[k + 1]?.text !== "." || tokens[k - 1]?.text === ".") continue;
    out += text.slice(from, token.start);
    from = tokens[k + 1]!.end;
  }
  out += text.slice(from);
  return isExpressionText(out, expected) ? out : undefined;
}

/** The tree with `qualifier.column` references made `column`; undefined when a qualified reference is not that simple. */
function stripQualifier(node: Node, qualifier: string): Node | undefined {
  let safe = true;
  let subquery = false;
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (value === null || typeof value !== "object") return value;
    const record = value as Record<string, unknown>;
    if ("SubLink" in record) subquery = true;
    const ref = unwrap(record as Node, "ColumnRef");
    if (ref?.fields && unwrap(ref.fields[0], "String")?.sval === qualifier && ref.fields.length >= 2) {
      if (ref.fields.length > 2) safe = false;
      return { ColumnRef: { ...ref, fields: ref.fields.slice(1) } };
    }
    return Object.fromEntries(Object.entries(record).map(([key, child]) => [key, walk(child)]));
  };
  const stripped = walk(node) as Node;
  // Inside a subquery an unqualified name may resolve to the subquery's own tables instead.
  return safe && !(subquery && canonical(stripped) !== canonical(node)) ? stripped : undefined;
}

interface TextToken {
  readonly text: string;
  /** UTF-16 indices into the scanned text. */
  readonly start: number;
  readonly end: number;
}

/** PostgreSQL's tokens of a piece of SQL (comments left out), with UTF-16 positions. */
function scanIdentifiers(text: string): TextToken[] | undefined {
  const scanned = scanSql(text);
  if (!scanned) return undefined;
  // The scanner counts UTF-8 bytes; map its offsets back to string indices.
  const bytes = Buffer.from(text, "utf8");
  const indexOfByte = (byte: number): number => bytes.subarray(0, byte).toString("utf8").length;
  return scanned
    .filter((t) => t.tokenName !== "SQL_COMMENT" && t.tokenName !== "C_COMMENT")
    .map((t) => {
      const start = indexOfByte(t.start);
      const end = indexOfByte(t.end);
      return { text: text.slice(start, end), start, end };
    });
}
