/**
 * PostgreSQL truncates identifiers longer than 63 bytes (NAMEDATALEN - 1) without an error: the object gets a name
 * other than the one in the migration, and two long names that share their first 63 bytes become one name.
 *
 * The parse tree already holds the truncated names (PostgreSQL's scanner truncates them), so the rule reads the
 * identifier tokens of the statement from PostgreSQL's own lexer; the tree tells which statements can hold one.
 */
import type { StatementContext } from "../src/context/migration-context.js";
import { defineRule } from "../src/rule.js";
import { byteLength, clipToBytes, MAX_IDENTIFIER_BYTES, quoteIdent } from "../src/sql/names.js";
import { scanSql } from "../src/sql/pg-parser.js";
import type { Range } from "../src/sql/source-text.js";
import type { ParsedStatement } from "../src/sql/statement.js";

type MessageId = "tooLong" | "collision";

export default defineRule<MessageId>({
  name: "no-long-identifier",
  meta: {
    type: "problem",
    description: "Disallow identifiers longer than 63 bytes, which PostgreSQL silently truncates",
    recommended: true,
    appliesToRollbacks: true,
    messages: {
      tooLong:
        "Identifier {{name}} is {{bytes}} bytes long; PostgreSQL silently truncates names to 63 bytes, so the object is really called {{truncated}}: SQL that spells the full name still finds it, but code, ORMs and catalog queries that compare names as text do not. Choose a name of at most 63 bytes.",
      collision:
        "Identifier {{name}} is {{bytes}} bytes long and PostgreSQL truncates it to {{truncated}}, the same name it makes of {{other}} on line {{line}}: as names of one kind in one schema (or columns of one table) they collide, and the second CREATE fails or, with IF NOT EXISTS, is silently skipped. Choose names that differ within their first 63 bytes.",
    },
  },

  *check(statement, context) {
    const mine = longIdentifiers(statement, context);
    if (mine.length === 0) return;
    const reported = new Set<string>();
    for (const identifier of mine) {
      if (reported.has(identifier.value)) continue;
      reported.add(identifier.value);
      const data = { name: quoteIdent(identifier.value), bytes: identifier.bytes, truncated: quoteIdent(identifier.truncated) };
      const other = earlierCollision(identifier, statement, context);
      if (other) {
        yield { messageId: "collision", data: { ...data, other: quoteIdent(other.identifier.value), line: other.line }, range: identifier.range };
      } else {
        yield { messageId: "tooLong", data, range: identifier.range };
      }
    }
  },
});

interface LongIdentifier {
  /** The name as PostgreSQL reads it (quotes removed, unquoted ASCII letters folded to lower case). */
  readonly value: string;
  readonly bytes: number;
  /** What PostgreSQL keeps of it. */
  readonly truncated: string;
  readonly range: Range;
}

const cache = new WeakMap<ParsedStatement, LongIdentifier[]>();

/** The identifiers of a statement longer than 63 bytes, in order. */
function longIdentifiers(statement: ParsedStatement, context: StatementContext): LongIdentifier[] {
  let found = cache.get(statement);
  if (found) return found;
  found = mayHoldTruncatedName(statement.node) ? scanIdentifiers(statement, context) : [];
  cache.set(statement, found);
  return found;
}

/**
 * Whether the parse tree holds a string that could be a truncated name: truncation keeps at most 63 bytes and clips
 * at most 3 more to end on a character boundary. A cheap test that spares the lexer nearly every statement.
 */
function mayHoldTruncatedName(node: unknown): boolean {
  if (typeof node === "string") {
    if (node.length < (MAX_IDENTIFIER_BYTES - 3) / 4 || node.length > MAX_IDENTIFIER_BYTES) return false;
    const bytes = byteLength(node);
    return bytes >= MAX_IDENTIFIER_BYTES - 3 && bytes <= MAX_IDENTIFIER_BYTES;
  }
  if (node === null || typeof node !== "object") return false;
  for (const value of Object.values(node)) if (mayHoldTruncatedName(value)) return true;
  return false;
}

/** The statement's IDENT tokens (quoted or not) longer than 63 bytes, from PostgreSQL's lexer. */
function scanIdentifiers(statement: ParsedStatement, context: StatementContext): LongIdentifier[] {
  const { source } = context.document;
  const base = source.byteOffsetOf(statement.range[0]);
  const out: LongIdentifier[] = [];
  for (const token of scanSql(statement.text) ?? []) {
    if (token.tokenName !== "IDENT") continue;
    const value = identifierValue(token.text);
    const bytes = byteLength(value);
    if (bytes <= MAX_IDENTIFIER_BYTES) continue;
    out.push({ value, bytes, truncated: clipToBytes(value, MAX_IDENTIFIER_BYTES), range: [source.indexOfByte(base + token.start), source.indexOfByte(base + token.end)] });
  }
  return out;
}

/** `"Mixed ""quoted"""` → `Mixed "quoted"`; `Unquoted` → `unquoted` (PostgreSQL folds only ASCII letters). */
function identifierValue(token: string): string {
  if (token.startsWith('"')) return token.slice(1, -1).replaceAll('""', '"');
  let out = "";
  for (const ch of token) out += ch >= "A" && ch <= "Z" ? ch.toLowerCase() : ch;
  return out;
}

/** A different long identifier earlier in the migration (or this statement) that truncates to the same name. */
function earlierCollision(identifier: LongIdentifier, statement: ParsedStatement, context: StatementContext): { identifier: LongIdentifier; line: number } | undefined {
  const { source } = context.document;
  for (const other of context.document.statements) {
    if (!other.checked || other.index > statement.index) continue;
    for (const candidate of longIdentifiers(other, context)) {
      if (other.index === statement.index && candidate.range[0] >= identifier.range[0]) break;
      if (candidate.truncated === identifier.truncated && candidate.value !== identifier.value) {
        return { identifier: candidate, line: source.positionOf(candidate.range[0]).line };
      }
    }
  }
  return undefined;
}
