/**
 * The source text of an expression inside a parsed statement — a CHECK constraint, a USING clause, a partial index's
 * WHERE — for use in verification queries, cut out and proved by src/sql/slices.ts (a backfill's SET value is
 * sliceSetExpression there); and a proved rewrite of such a text without its table alias. Anything that does not
 * prove out is "unknown" (undefined), never a guess.
 */
import type { Node } from "@pgsql/types";
import { scanSql } from "../sql/pg-parser.js";
import { isExpressionText, matchingParenthesis, scanDepthZero, StatementTokens, treeShape } from "../sql/slices.js";
import type { Range, SourceText } from "../sql/source-text.js";
import { unwrap, type ParsedStatement } from "../sql/statement.js";

/** The expression between the parentheses of the first `CHECK (…)` at or after the constraint's location. */
export function checkExpressionText(statement: ParsedStatement, source: SourceText, constraintLocation: number | undefined, expression: Node): string | undefined {
  const tokens = StatementTokens.of(statement, source);
  const at = tokens?.at(constraintLocation) ?? -1;
  if (!tokens || at < 0) return undefined;
  let i = at;
  while (i < tokens.tokens.length && tokens.tokens[i]!.upper !== "CHECK") i++;
  if (tokens.tokens[i + 1]?.text !== "(") return undefined;
  const close = matchingParenthesis(tokens.tokens, i + 1);
  const text = close === undefined ? undefined : tokens.text(i + 2, close - 1);
  return text !== undefined && isExpressionText(text, expression) ? text : undefined;
}

/**
 * The expression after the first top-level `keyword` (USING, WHERE) inside `range` of the statement, up to the end
 * of the range: the USING clause of one ALTER TABLE action, the WHERE of a partial index.
 */
export function trailingExpressionText(statement: ParsedStatement, source: SourceText, range: Range, keyword: string, expression: Node): string | undefined {
  const tokens = StatementTokens.of(statement, source);
  if (!tokens) return undefined;
  const inside = tokens.tokens.flatMap((t, k) => (t.range[0] >= range[0] && t.range[1] <= range[1] ? [k] : []));
  if (inside.length === 0) return undefined;
  const [first, last] = [inside[0]!, inside[inside.length - 1]!];
  const at = scanDepthZero(tokens.tokens, first, (t, k) => k > last || (t.isKeyword && t.upper === keyword));
  const text = at > last ? undefined : tokens.text(at + 1, last);
  return text !== undefined && isExpressionText(text, expression) ? text : undefined;
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
  return safe && !(subquery && treeShape(stripped) !== treeShape(node)) ? stripped : undefined;
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
