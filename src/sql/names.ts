/**
 * Identifiers as PostgreSQL compares them — the parser has already folded unquoted names to lower case and kept
 * quoted ones as written — and as we print them back: quoted exactly when PostgreSQL's quote_ident would.
 */
import type { Node, RangeVar } from "@pgsql/types";
import { scanSql } from "./pg-parser.js";

/** A possibly schema-qualified relation name. `schema` is absent when the SQL did not give one. */
export interface QualifiedName {
  readonly schema?: string;
  readonly name: string;
}

export function relationName(relation: RangeVar | undefined): QualifiedName | undefined {
  if (!relation?.relname) return undefined;
  return relation.schemaname ? { schema: relation.schemaname, name: relation.relname } : { name: relation.relname };
}

/** Whether the SQL named the relation with ONLY (its inheritance children left out): proto3 leaves `inh: false` out. */
export function isOnly(relation: RangeVar | undefined): boolean {
  return relation?.inh !== true;
}

/** A name from a list of String nodes (`DropStmt.objects`, `TypeName.names`, …): `[schema, name]` or `[name]`. */
export function nameFromList(items: readonly Node[] | undefined): QualifiedName | undefined {
  const parts = (items ?? []).map((item) => ("String" in item ? item.String.sval ?? "" : ""));
  if (parts.length === 0 || parts.some((part) => part === "")) return undefined;
  const name = parts[parts.length - 1]!;
  const schema = parts[parts.length - 2];
  return schema ? { schema, name } : { name };
}

/**
 * Whether two names can refer to the same relation. Without a schema on one side we cannot know the search_path,
 * so names alone decide — which errs toward "same table" (e.g. toward treating a table as created in this file).
 */
export function sameRelation(a: QualifiedName, b: QualifiedName): boolean {
  if (a.name !== b.name) return false;
  return a.schema === undefined || b.schema === undefined || a.schema === b.schema;
}

/** A key for maps of relations, ignoring the schema (see sameRelation). */
export function relationKey(name: QualifiedName): string {
  return name.name;
}

/** `users`, `"Users"`, `app.users` — as SQL, for messages and generated statements. */
export function formatName(name: QualifiedName): string {
  return name.schema ? `${quoteIdent(name.schema)}.${quoteIdent(name.name)}` : quoteIdent(name.name);
}

const keywordCache = new Map<string, boolean>();

/** Whether PostgreSQL would need the name quoted: quote_ident's rule (lower-case ASCII, not a reserved word). */
export function needsQuotes(name: string): boolean {
  if (name.length === 0) return true;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const lower = c >= 97 && c <= 122;
    const ok = lower || c === 95 || (i > 0 && c >= 48 && c <= 57);
    if (!ok) return true;
  }
  // PostgreSQL's keywords are all letters and underscores: a name with a digit cannot be one (no lexer call needed).
  if (/[0-9]/.test(name)) return false;
  let keyword = keywordCache.get(name);
  if (keyword === undefined) {
    const tokens = scanSql(name);
    // Unreserved keywords may be used as names unquoted; every other keyword category may not everywhere.
    keyword = !tokens || tokens.length !== 1 || (tokens[0]!.keywordName !== "NO_KEYWORD" && tokens[0]!.keywordName !== "UNRESERVED_KEYWORD");
    keywordCache.set(name, keyword);
  }
  return keyword;
}

export function quoteIdent(name: string): string {
  return needsQuotes(name) ? `"${name.replaceAll('"', '""')}"` : name;
}

/** A SQL string literal. Standard-conforming: only the quote is doubled (an E'' literal is used for backslashes). */
export function quoteLiteral(value: string): string {
  const body = value.replaceAll("'", "''");
  return value.includes("\\") ? `E'${body.replaceAll("\\", "\\\\")}'` : `'${body}'`;
}

/** PostgreSQL's limit on a name: NAMEDATALEN - 1 bytes in a default build. Longer names are truncated silently. */
export const MAX_IDENTIFIER_BYTES = 63;

const utf8 = new TextEncoder();

/** A name's length as PostgreSQL counts it: UTF-8 bytes. */
export function byteLength(text: string): number {
  return utf8.encode(text).length;
}

/** The longest prefix of whole characters of `text` within `limit` UTF-8 bytes (PostgreSQL's pg_mbcliplen). */
export function clipToBytes(text: string, limit: number): string {
  let used = 0;
  let end = 0;
  for (const char of text) {
    const size = byteLength(char);
    if (used + size > limit) break;
    used += size;
    end += char.length;
  }
  return text.slice(0, end);
}

/**
 * The name PostgreSQL gives an object it names itself (makeObjectName in indexcmds.c, behind ChooseIndexName and
 * ChooseConstraintName): `name1_name2_label`, or `name1_label`. To fit in 63 bytes the longer of name1 and name2
 * loses a byte at a time, and each is then cut back to a character boundary — so the result can be shorter than
 * 63 bytes, exactly as PostgreSQL's is.
 */
export function makeObjectName(name1: string, name2: string | undefined, label: string): string {
  let n1 = byteLength(name1);
  let n2 = name2 === undefined ? 0 : byteLength(name2);
  const available = MAX_IDENTIFIER_BYTES - (byteLength(label) + 1 + (name2 === undefined ? 0 : 1));
  while (n1 + n2 > available) {
    if (n1 > n2) n1--;
    else n2--;
  }
  return [clipToBytes(name1, n1), ...(name2 === undefined ? [] : [clipToBytes(name2, n2)]), label].join("_");
}
