/**
 * The ESLint language `migration-safety/sql`: PostgreSQL migrations parsed by libpg-query.
 *
 * `parse()` never throws for bad SQL. Statements that do not parse become `UncheckedStatement` nodes (reported by
 * the `no-unchecked-statement` rule, which every config enables); only a file that cannot be split into statements
 * at all is a fatal parsing error.
 */
import type { File, Language, OkParseResult, ParseResult } from "@eslint/core";
import { markerKind } from "../context/conventions.js";
import { parseDocument } from "../sql/document.js";
import { toSqlScript, visitorKeys, type SqlNode, type SqlScript } from "./sql-ast.js";
import { SqlSourceCode, type SqlLanguageOptions } from "./sql-source-code.js";

export class SqlLanguage
  implements Language<{ LangOptions: SqlLanguageOptions; Code: SqlSourceCode; RootNode: SqlScript; Node: SqlNode }>
{
  readonly fileType = "text" as const;
  readonly lineStart = 1 as const;
  readonly columnStart = 0 as const;
  readonly nodeTypeKey = "type";
  readonly visitorKeys = visitorKeys;
  readonly defaultLanguageOptions: SqlLanguageOptions = {};

  /** Options from configs meant for other languages (e.g. a JS parser) can reach .sql files: ignore those. */
  validateLanguageOptions(options: SqlLanguageOptions): void {
    const max = options.maxFileSizeMB;
    if (max !== undefined && (typeof max !== "number" || !(max > 0))) {
      throw new TypeError(`maxFileSizeMB must be a positive number of megabytes; got ${JSON.stringify(max)}.`);
    }
  }

  parse(file: File, context?: { languageOptions?: SqlLanguageOptions }): ParseResult<SqlScript> {
    const text = typeof file.body === "string" ? file.body : new TextDecoder().decode(file.body);
    const maxFileSizeMB = context?.languageOptions?.maxFileSizeMB;
    const outcome = parseDocument(text, { markerKind, ...(typeof maxFileSizeMB === "number" && maxFileSizeMB > 0 ? { maxFileSizeMB } : {}) });
    if (!outcome.ok) {
      const { line, column } = outcome.source.positionOf(outcome.index);
      // ESLint passes parse-error positions through unchanged and expects 1-based columns.
      return { ok: false, errors: [{ message: outcome.message, line, column: column + 1 }] };
    }
    return { ok: true, ast: toSqlScript(outcome.document) };
  }

  createSourceCode(file: File, input: OkParseResult<SqlScript>): SqlSourceCode {
    const text = typeof file.body === "string" ? file.body : new TextDecoder().decode(file.body);
    return new SqlSourceCode({ text, ast: input.ast });
  }
}
