/**
 * The one place that talks to libpg-query, PostgreSQL's own parser compiled to WebAssembly.
 *
 * ESLint's `parse()` must be synchronous, but the WASM module loads asynchronously; a top-level await here means
 * no module that imports the parser (the plugin entry included) finishes loading before the parser is ready.
 */
import { loadModule, parsePlPgSQLSync, parseSync, scanSync } from "libpg-query";
import type { ParseResult } from "@pgsql/types";

await loadModule();

export type { ParseResult };

/** A parse failure with the position PostgreSQL reported, as a code-point offset into the parsed text. */
export class PgSyntaxError extends Error {
  readonly codePointOffset: number;
  constructor(message: string, codePointOffset: number) {
    super(message);
    this.name = "PgSyntaxError";
    this.codePointOffset = codePointOffset;
  }
}

/** Parse SQL text; throws PgSyntaxError on a syntax error. The text must not contain NUL (checked by callers). */
export function parseSql(text: string): ParseResult {
  try {
    return parseSync(text);
  } catch (error) {
    throw asSyntaxError(error);
  }
}

export interface PlpgsqlParseResult {
  plpgsql_funcs?: Array<{ PLpgSQL_function?: { action?: unknown } }>;
}

/** Parse the PL/pgSQL inside a DO block or CREATE FUNCTION (the whole statement text is given). */
export function parsePlpgsql(statementText: string): PlpgsqlParseResult {
  try {
    return parsePlPgSQLSync(statementText) as unknown as PlpgsqlParseResult;
  } catch (error) {
    throw asSyntaxError(error);
  }
}

export interface Token {
  /** Byte offsets into the scanned text. */
  start: number;
  end: number;
  text: string;
  /** PostgreSQL's token name (IDENT, SCONST, …) — `UNKNOWN` for keywords and single characters. */
  tokenName: string;
  /** NO_KEYWORD, UNRESERVED_KEYWORD, COL_NAME_KEYWORD, TYPE_FUNC_NAME_KEYWORD, RESERVED_KEYWORD. */
  keywordName: string;
}

/** The PostgreSQL lexer's tokens for a (small) piece of SQL; null when it does not lex. */
export function scanSql(text: string): Token[] | null {
  try {
    return scanSync(text).tokens as Token[];
  } catch {
    return null;
  }
}

function asSyntaxError(error: unknown): PgSyntaxError {
  if (error instanceof PgSyntaxError) return error;
  const details = (error as { sqlDetails?: { message?: string; cursorPosition?: number } }).sqlDetails;
  const message = details?.message ?? (error instanceof Error ? error.message : String(error));
  return new PgSyntaxError(message, details?.cursorPosition ?? 0);
}
