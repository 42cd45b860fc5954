/**
 * Precise places inside a statement, for squiggles and suggestions: the token at a node's location, each action of
 * an ALTER TABLE, a keyword. libpg-query gives nodes only a start byte offset; PostgreSQL's own lexer (run lazily,
 * one statement at a time, only when something is reported) supplies the token extents.
 */
import type { SourceText, Range } from "./source-text.js";
import { scanSql } from "./pg-parser.js";
import { nodeOf, type ParsedStatement } from "./statement.js";

export interface LocatedToken {
  /** UTF-16 range in the file. */
  readonly range: Range;
  readonly text: string;
  /** Upper-cased text of keywords and punctuation; identifiers keep their case. */
  readonly upper: string;
  readonly isKeyword: boolean;
}

const tokenCache = new WeakMap<ParsedStatement, LocatedToken[]>();

/** The statement's tokens (comments excluded), in file coordinates. */
export function tokensOf(statement: ParsedStatement, source: SourceText): LocatedToken[] {
  let tokens = tokenCache.get(statement);
  if (tokens) return tokens;
  const baseByte = source.byteOffsetOf(statement.range[0]);
  tokens = (scanSql(statement.text) ?? [])
    .filter((t) => t.tokenName !== "SQL_COMMENT" && t.tokenName !== "C_COMMENT")
    .map((t) => {
      const range: Range = [source.indexOfByte(baseByte + t.start), source.indexOfByte(baseByte + t.end)];
      const text = source.text.slice(range[0], range[1]);
      const isKeyword = t.keywordName !== "NO_KEYWORD";
      return { range, text, upper: isKeyword || t.tokenName === "UNKNOWN" ? text.toUpperCase() : text, isKeyword };
    });
  tokenCache.set(statement, tokens);
  return tokens;
}

/** The range of the token at a node's `location` (a byte offset from the statement's parse base). */
export function rangeAtLocation(statement: ParsedStatement, source: SourceText, location: number | undefined): Range {
  if (location === undefined || location < 0 || statement.byteBase < 0) return statement.range;
  const index = source.indexOfByte(statement.byteBase + location);
  const token = tokensOf(statement, source).find((t) => t.range[0] === index);
  return token ? token.range : [index, Math.min(index + 1, statement.range[1])];
}

/** The range from a node's token to the end of the qualified name it starts (`app.users`, `"Odd".t`). */
export function nameRangeAtLocation(statement: ParsedStatement, source: SourceText, location: number | undefined): Range {
  const first = rangeAtLocation(statement, source, location);
  const tokens = tokensOf(statement, source);
  let i = tokens.findIndex((t) => t.range[0] === first[0]);
  if (i < 0) return first;
  let end = tokens[i]!.range[1];
  while (tokens[i + 1]?.text === "." && tokens[i + 2]) {
    end = tokens[i + 2]!.range[1];
    i += 2;
  }
  return [first[0], end];
}

/** The first token matching a sequence of upper-case keywords (e.g. ["INDEX"]), or undefined. */
export function findKeywords(statement: ParsedStatement, source: SourceText, words: readonly string[]): Range | undefined {
  const tokens = tokensOf(statement, source);
  outer: for (let i = 0; i + words.length <= tokens.length; i++) {
    for (let k = 0; k < words.length; k++) if (tokens[i + k]!.upper !== words[k]) continue outer;
    return [tokens[i]!.range[0], tokens[i + words.length - 1]!.range[1]];
  }
  return undefined;
}

/**
 * The source range of each action of an ALTER TABLE (`ALTER TABLE t DROP COLUMN a, ADD COLUMN b int` → two
 * ranges), in the order of `cmds`. Falls back to the whole statement for every action when the split does not
 * line up with the parse (e.g. a statement that came out of a DO block's escaped string).
 */
export function alterTableActionRanges(statement: ParsedStatement, source: SourceText): Range[] {
  const alter = nodeOf(statement, "AlterTableStmt");
  const count = alter?.cmds?.length ?? 0;
  const fallback = Array.from({ length: count }, () => statement.range);
  if (!alter?.relation || count === 0 || statement.byteBase < 0) return fallback;
  const tokens = tokensOf(statement, source);
  const nameStart = source.indexOfByte(statement.byteBase + (alter.relation.location ?? 0));
  let i = tokens.findIndex((t) => t.range[0] === nameStart);
  if (i < 0) return fallback;
  i++;
  while (tokens[i]?.text === "." && tokens[i + 1]) i += 2; // schema.table
  if (tokens[i]?.text === "*") i++; // inheritance star
  const ranges: Range[] = [];
  let depth = 0;
  let from = i;
  for (let k = i; k <= tokens.length; k++) {
    const t = tokens[k];
    if (t && t.text === "(") depth++;
    else if (t && t.text === ")") depth--;
    if (!t || (t.text === "," && depth === 0)) {
      if (k > from) ranges.push([tokens[from]!.range[0], tokens[k - 1]!.range[1]]);
      from = k + 1;
    }
  }
  return ranges.length === count ? ranges : fallback;
}
