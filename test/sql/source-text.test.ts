import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SourceText } from "../../src/sql/source-text.js";

const utf8Length = (s: string): number => Buffer.byteLength(s, "utf8");

/** Indices that start a character (not the low half of a surrogate pair). */
function charStarts(text: string): number[] {
  const starts: number[] = [];
  for (let i = 0; i <= text.length; i++) {
    const prev = text.charCodeAt(i - 1);
    const cur = text.charCodeAt(i);
    const insidePair = prev >= 0xd800 && prev <= 0xdbff && cur >= 0xdc00 && cur <= 0xdfff;
    if (!insidePair) starts.push(i);
  }
  return starts;
}

describe("SourceText", () => {
  it("converts UTF-16 indices to UTF-8 byte offsets and back, for any text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (text) => {
        const source = new SourceText(text);
        for (const i of charStarts(text)) {
          const byte = utf8Length(text.slice(0, i));
          expect(source.byteOffsetOf(i)).toBe(byte);
          expect(source.indexOfByte(byte)).toBe(i);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("maps a byte inside a multi-byte character to that character's start", () => {
    const source = new SourceText("aé😀b");
    // a=0, é=bytes 1-2, 😀=bytes 3-6, b=7
    expect(source.indexOfByte(2)).toBe(1);
    expect(source.indexOfByte(5)).toBe(2);
    expect(source.indexOfByte(7)).toBe(4);
  });

  it("computes 1-based lines and 0-based columns across LF, CRLF and CR line ends", () => {
    const source = new SourceText("a\nbc\r\nd\re");
    expect(source.positionOf(0)).toEqual({ line: 1, column: 0 });
    expect(source.positionOf(3)).toEqual({ line: 2, column: 1 });
    expect(source.positionOf(6)).toEqual({ line: 3, column: 0 });
    expect(source.positionOf(8)).toEqual({ line: 4, column: 0 });
    expect(source.lineStarts).toEqual([0, 2, 6, 8]);
  });

  it("advances by code points (PostgreSQL error cursors), counting a surrogate pair once", () => {
    const source = new SourceText("😀é x");
    expect(source.advanceCodePoints(0, 1)).toBe(2);
    expect(source.advanceCodePoints(0, 3)).toBe(4);
  });
});
