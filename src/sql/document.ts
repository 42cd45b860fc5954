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
import { maskTemplating } from "./templating.js";
import { kindOf, nodeOf, type ParsedStatement, type Statement, type StatementOrigin, type UncheckedStatement } from "./statement.js";

/**
 * A part of the file that a migration tool runs on its own: the whole file, or one side of goose's
 * `-- +goose Up` / `-- +goose Down` or dbmate's `-- migrate:up` / `-- migrate:down` markers.
 */
export interface Section {
  readonly range: Range;
  /** The marker comment that opens it, if any. */
  readonly marker?: Comment;
}

export interface SqlDocument {
  readonly source: SourceText;
  /** The file's sections, in order; statements know theirs by index. Always at least one. */
  readonly sections: readonly Section[];
  /** Top-level statements in file order (a DO block's statements are in its `inner`). */
  readonly body: readonly Statement[];
  /** Every statement the migration runs, in execution order: top-level ones and, after each DO, its body. */
  readonly statements: readonly Statement[];
  readonly comments: readonly Comment[];
  readonly metaCommands: readonly MetaCommand[];
  /** `COPY … FROM stdin` data skipped as not SQL. */
  readonly copyData: readonly Range[];
  /** Templating placeholders masked for parsing (see templating.ts). */
  readonly placeholders: readonly Range[];
}

export type ParseOutcome =
  | { ok: true; document: SqlDocument }
  | { ok: false; message: string; /** UTF-16 index of the error. */ index: number; source: SourceText };

/** What a line comment means to the migration tool: nothing, a section marker, or a statement boundary. */
export type MarkerKind = "section" | "statement" | null;

export interface ParseOptions {
  /** Files larger than this (in MB of text) are reported as not checked instead of parsed. Default 10. */
  readonly maxFileSizeMB?: number;
  /** Classifies line comments (text after `--`) that migration tools split files on. */
  readonly markerKind?: (lineCommentValue: string) => MarkerKind;
}

export const DEFAULT_MAX_FILE_SIZE_MB = 10;

export function parseDocument(text: string, options: ParseOptions = {}): ParseOutcome {
  const source = new SourceText(text);
  const maxMB = options.maxFileSizeMB ?? DEFAULT_MAX_FILE_SIZE_MB;
  if (text.length > maxMB * 1024 * 1024) return { ok: true, document: oversized(source, maxMB) };
  const markerKind = options.markerKind;
  // Placeholders (${schema}, {{ var }}, :var) are masked for the lexer and the parser, never in what users see.
  const masked = maskTemplating(text);
  const lexed = lex(masked.text, markerKind ? { isBoundary: (value) => markerKind(value) !== null } : {});
  if (lexed.error && lexed.segments.length === 0) {
    return {
      ok: false,
      message: `${lexed.error.message}; the file could not be split into statements, so none of it was checked`,
      index: lexed.error.index,
      source,
    };
  }
  const sections = sectionsOf(text, lexed, markerKind);
  const builder = new StatementBuilder(source, masked.text, lexed.comments);
  const body: Statement[] = [];
  sections.forEach((section, index) => {
    builder.section = index;
    const part = lexedPart(lexed, section.range);
    body.push(...(parseWholeSection(builder, part, section.range) ?? parseSegments(builder, part)));
  });
  const statements: Statement[] = [];
  for (const statement of body) {
    statements.push(statement);
    if (statement.checked) statements.push(...statement.inner);
  }
  return {
    ok: true,
    document: {
      source,
      sections,
      body,
      statements,
      comments: lexed.comments,
      metaCommands: lexed.metaCommands,
      copyData: lexed.copyData,
      placeholders: masked.placeholders,
    },
  };
}

/** Sections start at each section marker; text before the first marker belongs to the first section. */
function sectionsOf(text: string, lexed: LexResult, markerKind: ParseOptions["markerKind"]): Section[] {
  const markers = markerKind ? lexed.boundaries.filter((b) => markerKind(b.value) === "section") : [];
  if (markers.length === 0) return [{ range: [0, text.length] }];
  const sections: Section[] = [];
  if (markers[0]!.range[0] > 0) sections.push({ range: [0, markers[0]!.range[0]] });
  markers.forEach((marker, i) => {
    sections.push({ range: [marker.range[0], markers[i + 1]?.range[0] ?? text.length], marker });
  });
  return sections;
}

/** The lexer's findings that fall inside a range. */
function lexedPart(lexed: LexResult, [from, to]: Range): LexResult {
  const inside = (r: Range): boolean => r[0] >= from && r[0] < to;
  return {
    comments: lexed.comments.filter((c) => inside(c.range)),
    segments: lexed.segments.filter((s) => inside(s.range)),
    metaCommands: lexed.metaCommands.filter((m) => inside(m.range)),
    copyData: lexed.copyData.filter(inside),
    boundaries: lexed.boundaries.filter((b) => inside(b.range)),
    error: lexed.error && lexed.error.statementStart >= from && lexed.error.statementStart < to ? lexed.error : null,
  };
}

/**
 * A file too large to parse in bounded memory (statement trees take ~1 KB each; a 50 MB data dump would need
 * gigabytes): one unchecked statement covering it, so it is reported rather than skipped.
 */
function oversized(source: SourceText, maxMB: number): SqlDocument {
  const sizeMB = (Buffer.byteLength(source.text, "utf8") / (1024 * 1024)).toFixed(1);
  const reason = `the file is ${sizeMB} MB, larger than the ${maxMB} MB this linter parses (languageOptions.maxFileSizeMB); split it, or review it by hand`;
  return uncheckedDocument(source.text, [0, source.text.length], reason);
}

/** A document whose only statement is one unchecked piece of text: what could not be split or read at all. */
export function uncheckedDocument(text: string, range: Range, reason: string): SqlDocument {
  const source = new SourceText(text);
  const statement: UncheckedStatement = {
    type: "UncheckedStatement",
    checked: false,
    index: 0,
    range,
    loc: source.locationOf(range),
    text: text.slice(range[0], range[1]),
    origin: { kind: "file" },
    section: 0,
    reason,
    focus: [range[0], range[0]],
  };
  return { source, sections: [{ range: [0, text.length] }], body: [statement], statements: [statement], comments: [], metaCommands: [], copyData: [], placeholders: [] };
}

/**
 * Above this size a file is parsed statement by statement: libpg-query's WebAssembly memory grows to hold the
 * whole parse tree of one call and never shrinks, so one 10 MB call would leave the process ~1 GB larger.
 */
const WHOLE_FILE_PARSE_LIMIT = 1 << 20;

/** One libpg-query call for a whole section, when nothing stops it from succeeding. */
function parseWholeSection(builder: StatementBuilder, part: LexResult, [from, to]: Range): Statement[] | null {
  if (to - from > WHOLE_FILE_PARSE_LIMIT) return null;
  if (part.error || part.metaCommands.length > 0 || part.copyData.length > 0) return null;
  // libpg-query reads C strings: a NUL anywhere (even in a comment) would silently end the text there.
  const text = builder.parseText.slice(from, to);
  if (text.includes("\0")) return null;
  // A statement-boundary marker (drizzle's `--> statement-breakpoint`) may stand where a semicolon is missing.
  if (part.boundaries.length > (part.boundaries[0]?.range[0] === from ? 1 : 0)) return null;
  if (part.segments.length === 0) return [];
  try {
    const result = parseSql(text);
    return builder.fromRawStatements(result.stmts ?? [], builder.source.byteOffsetOf(from), to, { kind: "file" });
  } catch (error) {
    if (error instanceof PgSyntaxError) return null;
    throw error;
  }
}

/**
 * psql meta-commands that run SQL this file does not show: an included file, or query results executed as SQL.
 * Every other meta-command (\set, \connect, \if, \echo, \timing…) changes only the client and is skipped.
 */
const META_COMMANDS_RUNNING_SQL: Record<string, string> = {
  i: "runs another file", include: "runs another file", ir: "runs another file", include_relative: "runs another file",
  gexec: "runs the result of the query before it as SQL",
};

/** Parse statement by statement, so a syntax error costs only its own statement. */
function parseSegments(builder: StatementBuilder, lexed: LexResult): Statement[] {
  const out: Statement[] = [];
  const meta = lexed.metaCommands.filter((m) => META_COMMANDS_RUNNING_SQL[m.name] !== undefined);
  let next = 0;
  const flushMetaBefore = (position: number): void => {
    for (; next < meta.length && meta[next]!.range[0] < position; next++) {
      const command = meta[next]!;
      const what = META_COMMANDS_RUNNING_SQL[command.name]!;
      out.push(builder.unchecked(command.range, `the psql meta-command \\${command.name} ${what}, which is not checked here`, command.range, { kind: "file" }));
    }
  };
  for (const segment of lexed.segments) {
    flushMetaBefore(segment.range[0]);
    out.push(...builder.fromSegment(segment));
  }
  flushMetaBefore(Infinity);
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
  /** The text handed to the parser: the file with templating placeholders masked (same length and bytes). */
  readonly parseText: string;
  readonly #comments: readonly Comment[];
  #nextIndex = 0;
  /** The section statements are being built for. */
  section = 0;

  constructor(source: SourceText, parseText: string, comments: readonly Comment[]) {
    this.source = source;
    this.parseText = parseText;
    this.#comments = comments;
  }

  fromSegment(segment: Segment): Statement[] {
    const [start, end] = segment.range;
    const text = this.parseText.slice(start, end);
    const nulAt = text.indexOf("\0");
    if (nulAt >= 0) {
      const at = start + nulAt;
      return [this.unchecked(segment.range, "it contains a NUL byte (binary content?), which PostgreSQL cannot run", [at, at + 1], { kind: "file" })];
    }
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
        section: this.section,
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
      section: this.section,
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
      functionTree = parsePlpgsql(this.#parseTextOf(doStatement));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return [this.unchecked(doStatement.range, `its PL/pgSQL body does not parse (${reason})`, doStatement.range, origin)];
    }
    const out: Statement[] = [];
    let cursor = 0; // search position in the DO statement's text: queries appear in source order
    const doText = this.#parseTextOf(doStatement);
    for (const query of plpgsqlQueries(functionTree)) {
      if (query.kind === "dynamic") {
        out.push(
          this.unchecked(doStatement.range, `EXECUTE of SQL built at run time (${abbreviate(query.text)}) is not analysed`, doStatement.range, origin),
        );
        continue;
      }
      const at = doText.indexOf(query.text, cursor);
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
        section: this.section,
        node: raw.stmt!,
        byteBase: -1, // node locations do not map into the file
        inner: [],
      }));
  }

  #parseTextOf(statement: ParsedStatement): string {
    return this.parseText.slice(statement.range[0], statement.range[1]);
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
