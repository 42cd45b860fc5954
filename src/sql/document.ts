/**
 * Turns a migration file's text into statements: parsed by PostgreSQL's grammar where it can be, reported as
 * unchecked where it cannot — never dropped.
 *
 * Fast path: libpg-query parses the whole file at once and tells where each statement is. When that fails, the
 * boundary lexer splits the file at top-level semicolons and each piece is parsed on its own, so one half-typed
 * statement does not hide the findings of the others. Only a file that cannot be split into even one statement
 * (it ends inside an unterminated string or comment that starts in its first statement) is a fatal error.
 */
import type { RawStmt } from "@pgsql/types";
import { lex, type Comment, type LexResult, type MetaCommand, type Segment } from "./lexer.js";
import { parsePlpgsql, parseSql, PgSyntaxError } from "./pg-parser.js";
import { SourceText, type Range } from "./source-text.js";
import { kindOf, nodeOf, type ParsedStatement, type Statement, type StatementOrigin, type UncheckedStatement } from "./statement.js";

export interface SqlDocument {
  readonly source: SourceText;
  /** Top-level statements in file order (a DO block's statements are in its `inner`). */
  readonly body: readonly Statement[];
  /** Every statement the migration runs, in execution order: top-level ones and, after each DO, its body. */
  readonly statements: readonly Statement[];
  readonly comments: readonly Comment[];
  readonly metaCommands: readonly MetaCommand[];
}

export type ParseOutcome =
  | { ok: true; document: SqlDocument }
  | { ok: false; message: string; /** UTF-16 index of the error. */ index: number; source: SourceText };

export function parseDocument(text: string): ParseOutcome {
  const source = new SourceText(text);
  const lexed = lex(text);
  if (lexed.error && lexed.segments.length === 0) {
    return {
      ok: false,
      message: `${lexed.error.message}; the file could not be split into statements, so none of it was checked`,
      index: lexed.error.index,
      source,
    };
  }
  const builder = new StatementBuilder(source, lexed.comments);
  const body = parseWholeFile(builder, lexed) ?? parseSegments(builder, lexed);
  const statements: Statement[] = [];
  for (const statement of body) {
    statements.push(statement);
    if (statement.checked) statements.push(...statement.inner);
  }
  return { ok: true, document: { source, body, statements, comments: lexed.comments, metaCommands: lexed.metaCommands } };
}

/** One libpg-query call for the whole file, when nothing stops it from succeeding. */
function parseWholeFile(builder: StatementBuilder, lexed: LexResult): Statement[] | null {
  if (lexed.error || lexed.metaCommands.length > 0 || lexed.segments.some((s) => s.nulAt !== null)) return null;
  if (lexed.segments.length === 0) return [];
  try {
    const result = parseSql(builder.source.text);
    return builder.fromRawStatements(result.stmts ?? [], 0, builder.source.text.length, { kind: "file" });
  } catch (error) {
    if (error instanceof PgSyntaxError) return null;
    throw error;
  }
}

/** Parse statement by statement, so a syntax error costs only its own statement. */
function parseSegments(builder: StatementBuilder, lexed: LexResult): Statement[] {
  const out: Statement[] = [];
  for (const segment of lexed.segments) out.push(...builder.fromSegment(segment));
  if (lexed.error) {
    const { message, index, statementStart } = lexed.error;
    const line = builder.source.positionOf(index).line;
    out.push(
      builder.unchecked(
        [statementStart, trimEndSpace(builder.source.text, statementStart, builder.source.text.length)],
        `${message} starting on line ${line}; the rest of the file was not checked`,
        [index, index + 1],
        { kind: "file" },
      ),
    );
  }
  return out;
}

class StatementBuilder {
  readonly source: SourceText;
  readonly #comments: readonly Comment[];
  #nextIndex = 0;

  constructor(source: SourceText, comments: readonly Comment[]) {
    this.source = source;
    this.#comments = comments;
  }

  fromSegment(segment: Segment): Statement[] {
    const [start, end] = segment.range;
    if (segment.nulAt !== null) {
      return [
        this.unchecked(segment.range, "it contains a NUL byte (binary content?), which PostgreSQL cannot run", [segment.nulAt, segment.nulAt + 1], {
          kind: "file",
        }),
      ];
    }
    const text = this.source.text.slice(start, end);
    try {
      const result = parseSql(text);
      return this.fromRawStatements(result.stmts ?? [], this.source.byteOffsetOf(start), end, { kind: "file" });
    } catch (error) {
      if (!(error instanceof PgSyntaxError)) throw error;
      const at = Math.min(this.source.advanceCodePoints(start, error.codePointOffset), Math.max(start, end - 1));
      return [this.unchecked(segment.range, error.message, [at, at + 1], { kind: "file" })];
    }
  }

  /**
   * Statements from libpg-query's RawStmt list. `byteBase` is the file byte offset of the parsed text and
   * `textEnd` the UTF-16 index where it ends (a RawStmt without a length runs to the end of the parsed text).
   */
  fromRawStatements(raws: readonly RawStmt[], byteBase: number, textEnd: number, origin: StatementOrigin): Statement[] {
    const out: Statement[] = [];
    for (const raw of raws) {
      if (!raw.stmt) continue;
      const startByte = byteBase + (raw.stmt_location ?? 0);
      const start = this.source.indexOfByte(startByte);
      const end = raw.stmt_len ? this.source.indexOfByte(startByte + raw.stmt_len) : textEnd;
      const range = this.#trimTrailingTrivia([start, end]);
      const inner: Statement[] = [];
      const statement: ParsedStatement = {
        type: kindOf(raw.stmt),
        checked: true,
        index: this.#nextIndex++,
        range,
        loc: this.source.locationOf(range),
        text: this.source.text.slice(range[0], range[1]),
        origin,
        node: raw.stmt,
        byteBase,
        inner,
      };
      if (statement.type === "DoStmt" && origin.kind === "file") inner.push(...this.#doBlockBody(statement));
      out.push(statement);
    }
    return out;
  }

  unchecked(range: Range, reason: string, focus: Range, origin: StatementOrigin): UncheckedStatement {
    return {
      type: "UncheckedStatement",
      checked: false,
      index: this.#nextIndex++,
      range,
      loc: this.source.locationOf(range),
      text: this.source.text.slice(range[0], range[1]),
      origin,
      reason,
      focus,
    };
  }

  /** The statements a DO block runs, parsed out of its PL/pgSQL body. */
  #doBlockBody(doStatement: ParsedStatement): Statement[] {
    const origin: StatementOrigin = { kind: "do-block", doStatement: doStatement.index };
    const args = nodeOf(doStatement, "DoStmt")?.args ?? [];
    let language = "plpgsql";
    for (const arg of args) {
      const def = "DefElem" in arg ? arg.DefElem : undefined;
      if (def?.defname === "language" && def.arg && "String" in def.arg) language = def.arg.String.sval ?? language;
    }
    if (language.toLowerCase() !== "plpgsql") {
      return [this.unchecked(doStatement.range, `a DO block in language ${language} is not analysed`, doStatement.range, origin)];
    }
    let functionTree: unknown;
    try {
      functionTree = parsePlpgsql(doStatement.text);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return [this.unchecked(doStatement.range, `its PL/pgSQL body does not parse (${reason})`, doStatement.range, origin)];
    }
    const out: Statement[] = [];
    let cursor = 0; // search position in the DO statement's text: queries appear in source order
    for (const query of plpgsqlQueries(functionTree)) {
      if (query.kind === "dynamic") {
        out.push(
          this.unchecked(doStatement.range, `EXECUTE of SQL built at run time (${abbreviate(query.text)}) is not analysed`, doStatement.range, origin),
        );
        continue;
      }
      const at = doStatement.text.indexOf(query.text, cursor);
      const located = at >= 0;
      if (located) cursor = at + query.text.length;
      const start = located ? doStatement.range[0] + at : doStatement.range[0];
      const end = located ? start + query.text.length : doStatement.range[1];
      try {
        const raws = parseSql(query.text).stmts ?? [];
        if (located) out.push(...this.fromRawStatements(raws, this.source.byteOffsetOf(start), end, origin));
        else out.push(...this.#unlocated(raws, doStatement, origin));
      } catch (error) {
        if (!(error instanceof PgSyntaxError)) throw error;
        out.push(this.unchecked([start, end], `${error.message} (in a DO block)`, [start, end], origin));
      }
    }
    return out;
  }

  /** Inner statements whose text could not be found in the DO body (escaped quotes): reported on the DO block. */
  #unlocated(raws: readonly RawStmt[], doStatement: ParsedStatement, origin: StatementOrigin): Statement[] {
    return raws
      .filter((raw) => raw.stmt)
      .map((raw) => ({
        type: kindOf(raw.stmt!),
        checked: true as const,
        index: this.#nextIndex++,
        range: doStatement.range,
        loc: doStatement.loc,
        text: doStatement.text,
        origin,
        node: raw.stmt!,
        byteBase: -1, // node locations do not map into the file
        inner: [],
      }));
  }

  #trimTrailingTrivia(range: Range): Range {
    const text = this.source.text;
    const [start] = range;
    let end = range[1];
    for (;;) {
      end = trimEndSpace(text, start, end);
      const comment = this.#commentEndingAt(end);
      if (!comment || comment.range[0] < start) return [start, end];
      end = comment.range[0];
    }
  }

  #commentEndingAt(end: number): Comment | undefined {
    const comments = this.#comments;
    let lo = 0;
    let hi = comments.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (comments[mid]!.range[1] < end) lo = mid + 1;
      else hi = mid;
    }
    const found = comments[lo];
    return found && found.range[1] === end ? found : undefined;
  }
}

type PlpgsqlQuery = { kind: "static"; text: string } | { kind: "dynamic"; text: string };

/** The SQL a PL/pgSQL function tree runs, in source order: plain statements, and EXECUTE of a constant string. */
function* plpgsqlQueries(tree: unknown): Generator<PlpgsqlQuery> {
  if (Array.isArray(tree)) {
    for (const item of tree) yield* plpgsqlQueries(item);
    return;
  }
  if (tree === null || typeof tree !== "object") return;
  for (const [key, value] of Object.entries(tree)) {
    if (key === "PLpgSQL_stmt_execsql") {
      const query = (value as { sqlstmt?: { PLpgSQL_expr?: { query?: string } } }).sqlstmt?.PLpgSQL_expr?.query;
      if (query) yield { kind: "static", text: query };
    } else if (key === "PLpgSQL_stmt_dynexecute") {
      const expression = (value as { query?: { PLpgSQL_expr?: { query?: string } } }).query?.PLpgSQL_expr?.query ?? "";
      const constant = stringConstant(expression);
      yield constant === null ? { kind: "dynamic", text: expression } : { kind: "static", text: constant };
    } else {
      yield* plpgsqlQueries(value);
    }
  }
}

/** The value of an expression that is a single string literal ('…', E'…', $$…$$), else null. */
function stringConstant(expression: string): string | null {
  try {
    const select = parseSql(`SELECT ${expression}`).stmts?.[0]?.stmt;
    const targets = select && "SelectStmt" in select ? select.SelectStmt.targetList : undefined;
    const value = targets?.length === 1 && targets[0] && "ResTarget" in targets[0] ? targets[0].ResTarget.val : undefined;
    if (value && "A_Const" in value && value.A_Const.sval) return value.A_Const.sval.sval ?? "";
  } catch {
    // not a constant we can read
  }
  return null;
}

function abbreviate(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 60 ? `${flat.slice(0, 57)}…` : flat;
}

function trimEndSpace(text: string, start: number, end: number): number {
  let j = end;
  while (j > start) {
    const c = text.charCodeAt(j - 1);
    if (c === 32 || (c >= 9 && c <= 13)) j--;
    else break;
  }
  return j;
}
