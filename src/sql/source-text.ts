/**
 * A file's text with the coordinate conversions every layer needs: libpg-query speaks UTF-8 byte offsets,
 * ESLint speaks UTF-16 string indices and 1-based lines / 0-based columns.
 */

export interface Position {
  /** 1-based line. */
  line: number;
  /** 0-based UTF-16 column. */
  column: number;
}

export interface Location {
  start: Position;
  end: Position;
}

/** A half-open range of UTF-16 indices into the file's text. */
export type Range = [start: number, end: number];

/** Line breaks as ESLint's TextSourceCodeBase is told to split them: CRLF, CR or LF. */
const isLineBreak = (code: number): boolean => code === 10 || code === 13;

export class SourceText {
  readonly text: string;
  /** UTF-16 index at which each line starts. */
  readonly lineStarts: number[];
  /**
   * For non-ASCII text: the UTF-16 indices of characters that take more than one UTF-8 byte, and the number of
   * extra bytes accumulated up to and including each. Sparse, so a 50 MB ASCII file costs nothing here.
   */
  readonly #wideAt: number[] = [];
  readonly #extraBytesThrough: number[] = [];

  constructor(text: string) {
    this.text = text;
    this.lineStarts = [0];
    let extra = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code < 0x80) {
        if (isLineBreak(code)) {
          if (code === 13 && text.charCodeAt(i + 1) === 10) i++;
          this.lineStarts.push(i + 1);
        }
        continue;
      }
      if (code < 0x800) extra += 1;
      else if (code >= 0xd800 && code <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
        // A surrogate pair: 2 UTF-16 units, 4 UTF-8 bytes. Record it at the high surrogate, skip the low one.
        extra += 2;
        this.#wideAt.push(i);
        this.#extraBytesThrough.push(extra);
        i++;
        continue;
      } else extra += 2; // BMP above U+07FF (lone surrogates are written as U+FFFD: 3 bytes)
      this.#wideAt.push(i);
      this.#extraBytesThrough.push(extra);
    }
  }

  get isAscii(): boolean {
    return this.#wideAt.length === 0;
  }

  /** UTF-8 byte offset of a UTF-16 index. */
  byteOffsetOf(index: number): number {
    if (this.isAscii) return index;
    // Extra bytes contributed by wide characters strictly before `index`.
    const k = upperBound(this.#wideAt, index - 1);
    return index + (k === 0 ? 0 : this.#extraBytesThrough[k - 1]!);
  }

  /** UTF-16 index of a UTF-8 byte offset (offsets inside a multi-byte character snap to its start). */
  indexOfByte(byte: number): number {
    if (this.isAscii) return Math.min(byte, this.text.length);
    // Find the number k of wide characters whose *start byte* is below `byte`.
    let lo = 0;
    let hi = this.#wideAt.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const startByte = this.#wideAt[mid]! + (mid === 0 ? 0 : this.#extraBytesThrough[mid - 1]!);
      if (startByte < byte) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0) return Math.min(byte, this.text.length);
    const lastWide = this.#wideAt[lo - 1]!;
    const lastEndByte = lastWide + this.#extraBytesThrough[lo - 1]! + 1 + (this.#isPairAt(lastWide) ? 1 : 0);
    if (byte < lastEndByte) return lastWide; // inside that character
    return Math.min(byte - this.#extraBytesThrough[lo - 1]!, this.text.length);
  }

  #isPairAt(index: number): boolean {
    const code = this.text.charCodeAt(index);
    return code >= 0xd800 && code <= 0xdbff && isLowSurrogate(this.text.charCodeAt(index + 1));
  }

  /** ESLint position (1-based line, 0-based column) of a UTF-16 index. */
  positionOf(index: number): Position {
    const line = upperBound(this.lineStarts, index); // number of line starts <= index
    return { line, column: index - this.lineStarts[line - 1]! };
  }

  locationOf(range: Range): Location {
    return { start: this.positionOf(range[0]), end: this.positionOf(range[1]) };
  }

  /** The UTF-16 index `codePoints` code points after `from` (PostgreSQL error cursors count code points). */
  advanceCodePoints(from: number, codePoints: number): number {
    let i = from;
    for (let n = 0; n < codePoints && i < this.text.length; n++) {
      i += this.#isPairAt(i) ? 2 : 1;
    }
    return i;
  }
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** Number of elements of the sorted array that are <= value. */
function upperBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
