/**
 * A boundary lexer: finds comments, psql meta-commands and top-level statement boundaries without parsing.
 *
 * libpg-query parses; this only answers "where does each statement start and end, and where are the comments",
 * which the parser cannot tell us once a file has a syntax error in it, and which its own scanner is too slow
 * to answer for every file (scanSync on 20,000 statements takes ~0.4 s; this takes a few ms). It follows
 * PostgreSQL's lexer (scan.l) for the constructs that can hide a semicolon — quoted strings (with E'' escapes),
 * quoted identifiers, dollar quotes, nested block comments — and psql's rule (psqlscan.l) for `BEGIN ATOMIC … END`
 * bodies. test/lexer.test.ts checks it against libpg-query's scanner on generated input.
 */
import type { Range } from "./source-text.js";

export interface Comment {
  kind: "line" | "block";
  /** Includes the delimiters, so ESLint's "remove unused directive" fix removes the whole comment. */
  range: Range;
  /** Text inside the delimiters. */
  value: string;
}

/** A statement's text as the lexer sees it: from its first token to its last, without the `;`. */
export interface Segment {
  range: Range;
  /** Index of the terminating `;`, or null when the file ends first. */
  terminator: number | null;
}

/** A psql backslash command (`\set`, `\i`, `\connect`, …) — not SQL, runs in the client. */
export interface MetaCommand {
  range: Range;
  /** The command word without the backslash, e.g. `set`. */
  name: string;
}

export interface LexError {
  message: string;
  /** Where the unterminated construct starts. */
  index: number;
  /** Where the statement containing it starts. */
  statementStart: number;
}

export interface LexResult {
  comments: Comment[];
  segments: Segment[];
  metaCommands: MetaCommand[];
  /** Inline data of `COPY … FROM stdin` (up to and including the `\.` line): not SQL, skipped. */
  copyData: Range[];
  /** Line comments the caller marked as boundaries (migration-tool section markers), in order. */
  boundaries: Comment[];
  /** Set when the file ends inside a string, identifier, dollar quote or comment; lexing stops there. */
  error: LexError | null;
}

const enum Ch {
  Tab = 9,
  LF = 10,
  VT = 11,
  FF = 12,
  CR = 13,
  Space = 32,
  DoubleQuote = 34,
  Dollar = 36,
  Quote = 39,
  LParen = 40,
  RParen = 41,
  Star = 42,
  Minus = 45,
  Dot = 46,
  Slash = 47,
  Semicolon = 59,
  Backslash = 92,
  Underscore = 95,
}

const isSpace = (c: number): boolean =>
  c === Ch.Space || c === Ch.Tab || c === Ch.LF || c === Ch.CR || c === Ch.FF || c === Ch.VT;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
/** scan.l ident_start: [A-Za-z\200-\377_] — any non-ASCII character counts. */
const isIdentStart = (c: number): boolean =>
  (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === Ch.Underscore || c >= 0x80;
/** scan.l ident_cont: ident_start plus digits and `$`. */
const isIdentCont = (c: number): boolean => isIdentStart(c) || isDigit(c) || c === Ch.Dollar;

export interface LexOptions {
  /**
   * Line comments (given their text after `--`) that end the current statement, like migration tools' markers
   * (`-- +goose Down`, `-- migrate:up`, `--> statement-breakpoint`), which the tools split on.
   */
  isBoundary?(lineCommentValue: string): boolean;
}

export function lex(text: string, options: LexOptions = {}): LexResult {
  const comments: Comment[] = [];
  const segments: Segment[] = [];
  const metaCommands: MetaCommand[] = [];
  const copyData: Range[] = [];
  const boundaries: Comment[] = [];
  const n = text.length;

  // State of the statement being read.
  let start = -1; // index of its first token, -1 before it starts
  let lastEnd = -1; // end of its last token
  let depth = 0; // parentheses
  // psql's BEGIN ATOMIC heuristic: the first identifiers of the statement, and the BEGIN/CASE … END depth.
  let identCount = 0;
  const leading: string[] = [];
  let beginDepth = 0;
  // COPY … FROM stdin: its data follows the statement in psql scripts and dumps.
  let copyState: "none" | "copy" | "from" | "stdin" = "none";

  const tokenAt = (from: number, to: number): void => {
    if (start < 0) start = from;
    lastEnd = to;
  };
  const endStatement = (terminator: number | null): void => {
    if (start >= 0) segments.push({ range: [start, lastEnd], terminator });
    start = -1;
    lastEnd = -1;
    depth = 0;
    identCount = 0;
    leading.length = 0;
    beginDepth = 0;
    copyState = "none";
  };
  const fail = (message: string, at: number): LexResult => ({
    comments,
    segments,
    metaCommands,
    copyData,
    boundaries,
    error: { message, index: at, statementStart: start >= 0 ? start : at },
  });

  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);

    if (isSpace(c)) {
      i++;
      continue;
    }

    // -- line comment
    if (c === Ch.Minus && text.charCodeAt(i + 1) === Ch.Minus) {
      let j = i + 2;
      while (j < n && text.charCodeAt(j) !== Ch.LF && text.charCodeAt(j) !== Ch.CR) j++;
      const comment: Comment = { kind: "line", range: [i, j], value: text.slice(i + 2, j) };
      if (options.isBoundary?.(comment.value)) {
        endStatement(null);
        boundaries.push(comment);
      }
      comments.push(comment);
      i = j;
      continue;
    }

    // /* block comment */ — nests in PostgreSQL
    if (c === Ch.Slash && text.charCodeAt(i + 1) === Ch.Star) {
      let nest = 1;
      let j = i + 2;
      while (j < n && nest > 0) {
        const d = text.charCodeAt(j);
        if (d === Ch.Slash && text.charCodeAt(j + 1) === Ch.Star) {
          nest++;
          j += 2;
        } else if (d === Ch.Star && text.charCodeAt(j + 1) === Ch.Slash) {
          nest--;
          j += 2;
        } else j++;
      }
      if (nest > 0) return fail("unterminated /* comment", i);
      comments.push({ kind: "block", range: [i, j], value: text.slice(i + 2, j - 2) });
      i = j;
      continue;
    }

    if (c === Ch.Semicolon && depth <= 0 && beginDepth === 0) {
      const copyFromStdin = statementIsCopyFromStdin();
      endStatement(i);
      i++;
      if (copyFromStdin) i = skipCopyData(i);
      continue;
    }

    // psql meta-command: a backslash outside any literal, up to the end of the line.
    if (c === Ch.Backslash) {
      let j = i + 1;
      while (j < n && text.charCodeAt(j) !== Ch.LF && text.charCodeAt(j) !== Ch.CR) j++;
      // `\g`, `\gset`… send the query buffer; every other command leaves it alone, but a statement interrupted
      // by a meta-command is unusual enough that ending it here is the reading that loses nothing.
      endStatement(null);
      let k = i + 1;
      while (k < j && isIdentCont(text.charCodeAt(k))) k++;
      metaCommands.push({ range: [i, trimEnd(text, i, j)], name: text.slice(i + 1, k) });
      i = j;
      continue;
    }

    // 'string' (E'…' escape strings are lexed with the word E below)
    if (c === Ch.Quote) {
      const j = skipQuoted(text, i, Ch.Quote, false);
      if (j < 0) return fail("unterminated quoted string", i);
      tokenAt(i, j);
      i = j;
      continue;
    }

    // "quoted identifier"
    if (c === Ch.DoubleQuote) {
      const j = skipQuoted(text, i, Ch.DoubleQuote, false);
      if (j < 0) return fail("unterminated quoted identifier", i);
      tokenAt(i, j);
      i = j;
      continue;
    }

    // $tag$ dollar quote $tag$ (a `$` that does not open one is a parameter like $1, or part of an operator)
    if (c === Ch.Dollar) {
      const tagEnd = dollarTagEnd(text, i);
      if (tagEnd > 0) {
        const tag = text.slice(i, tagEnd);
        const close = text.indexOf(tag, tagEnd);
        if (close < 0) return fail("unterminated dollar-quoted string", i);
        tokenAt(i, close + tag.length);
        i = close + tag.length;
        continue;
      }
      let j = i + 1;
      while (j < n && isDigit(text.charCodeAt(j))) j++;
      tokenAt(i, j);
      i = j;
      continue;
    }

    if (isIdentStart(c)) {
      let j = i + 1;
      while (j < n && isIdentCont(text.charCodeAt(j))) j++;
      if (j === i + 1 && (c === 69 || c === 101) && text.charCodeAt(j) === Ch.Quote) {
        // E'…': a token that is just E followed by a quote opens an escape string, where \' does not end it.
        const end = skipQuoted(text, j, Ch.Quote, true);
        if (end < 0) return fail("unterminated quoted string", i);
        tokenAt(i, end);
        i = end;
        continue;
      }
      tokenAt(i, j);
      const word = text.slice(i, j).toLowerCase();
      trackBeginAtomic(word);
      trackCopy(word);
      i = j;
      continue;
    }

    if (isDigit(c) || (c === Ch.Dot && isDigit(text.charCodeAt(i + 1)))) {
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (isDigit(d) || d === Ch.Underscore || d === Ch.Dot || (d < 0x80 && isIdentStart(d))) j++;
        else break;
      }
      tokenAt(i, j);
      i = j;
      continue;
    }

    if (c === Ch.LParen) depth++;
    else if (c === Ch.RParen) depth--;
    tokenAt(i, i + 1);
    i++;
  }
  endStatement(null);
  return { comments, segments, metaCommands, copyData, boundaries, error: null };

  function statementIsCopyFromStdin(): boolean {
    return copyState === "stdin";
  }

  function trackCopy(word: string): void {
    if (identCount === 1) copyState = word === "copy" ? "copy" : "none";
    else if (copyState === "copy" && word === "from") copyState = "from";
    else if (copyState === "from") copyState = word === "stdin" ? "stdin" : "copy";
  }

  /** Skip the rows after `COPY … FROM stdin;`, up to the line `\.` (psql's end-of-data marker) or the end. */
  function skipCopyData(from: number): number {
    let lineStart = from;
    // The data starts on the line after the statement.
    while (lineStart < n && text.charCodeAt(lineStart) !== Ch.LF) lineStart++;
    lineStart++;
    while (lineStart < n) {
      let lineEnd = lineStart;
      while (lineEnd < n && text.charCodeAt(lineEnd) !== Ch.LF) lineEnd++;
      const line = text.slice(lineStart, lineEnd).replace(/\r$/, "");
      if (line === "\\.") {
        copyData.push([from, lineEnd]);
        return lineEnd;
      }
      lineStart = lineEnd + 1;
    }
    copyData.push([from, n]);
    return n;
  }

  function trackBeginAtomic(word: string): void {
    // Mirrors psqlscan.l: only statements that start CREATE [OR REPLACE] FUNCTION|PROCEDURE can hold a
    // BEGIN ATOMIC body, and inside one, CASE … END nests too.
    if (identCount < 4) leading.push(LEADING_WORDS.has(word) ? word[0]! : "");
    identCount++;
    const [w0, w1, w2, w3] = leading;
    const isRoutine = w0 === "c" && (w1 === "f" || w1 === "p" || (w1 === "o" && w2 === "r" && (w3 === "f" || w3 === "p")));
    if (!isRoutine) return;
    if (word === "begin") beginDepth++;
    else if (word === "case" && beginDepth > 0) beginDepth++;
    else if (word === "end" && beginDepth > 0) beginDepth--;
  }
}

const LEADING_WORDS = new Set(["create", "function", "procedure", "or", "replace"]);

/** Index just past the closing delimiter, or -1 when the file ends first. Doubled delimiters are escapes. */
function skipQuoted(text: string, open: number, delim: number, backslashEscapes: boolean): number {
  const n = text.length;
  let j = open + 1;
  while (j < n) {
    const d = text.charCodeAt(j);
    if (backslashEscapes && d === Ch.Backslash) {
      j += 2;
      continue;
    }
    if (d === delim) {
      if (text.charCodeAt(j + 1) === delim) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    j++;
  }
  return -1;
}

/** If a dollar-quote delimiter ($$ or $tag$) starts at `i`, the index just past it; otherwise 0. */
function dollarTagEnd(text: string, i: number): number {
  // A `$` continuing a word (a$b) or a number is not a delimiter; callers only reach here at a token start.
  let j = i + 1;
  if (text.charCodeAt(j) === Ch.Dollar) return j + 1;
  if (!isIdentStart(text.charCodeAt(j))) return 0;
  j++;
  while (j < text.length) {
    const d = text.charCodeAt(j);
    if (d === Ch.Dollar) return j + 1;
    if (!(isIdentStart(d) || isDigit(d))) return 0;
    j++;
  }
  return 0;
}

function trimEnd(text: string, from: number, to: number): number {
  let j = to;
  while (j > from && isSpace(text.charCodeAt(j - 1))) j--;
  return j;
}
