/**
 * SQL assembled from a JS/TS migration: the strings, template literals and builder calls it runs, joined into one
 * SQL text the engine parses like a .sql file, with a map from every piece back to the JavaScript that produced it,
 * so findings are reported on the right string, template literal or call.
 */
import type { Range } from "../../sql/source-text.js";

/** How a piece of SQL maps to JavaScript source. */
export type PieceMapping =
  /**
   * Character i of the piece starts at source index `sourceIndices[i]` and ends where character i + 1 starts (or at
   * `end`): strings and template text, where escapes make the map non-linear.
   */
  | { kind: "chars"; sourceIndices: readonly number[]; end: number }
  /** The whole piece stands for one source range (a builder call, an interpolation). */
  | { kind: "span"; range: Range };

interface PlacedPiece {
  start: number;
  end: number;
  mapping: PieceMapping;
  placeholderFor?: string | undefined;
}

export class SyntheticSql {
  #text = "";
  readonly #pieces: PlacedPiece[] = [];

  get text(): string {
    return this.#text;
  }

  append(text: string, mapping: PieceMapping, placeholderFor?: string): void {
    const start = this.#text.length;
    this.#text += text;
    this.#pieces.push({ start, end: this.#text.length, mapping, placeholderFor });
  }

  /** The JS expression whose unknown value stands at this index of the SQL, if a placeholder stands there. */
  placeholderAt(index: number): string | undefined {
    return this.#pieceAt(index)?.placeholderFor;
  }

  /** Text that maps nowhere (separators, section markers). */
  appendGlue(text: string): void {
    this.#text += text;
  }

  /**
   * The JavaScript source range of a range of the synthetic SQL: from where its first character comes from to where
   * its last one does — widened to cover every piece in between, so a statement whose first piece stands for a
   * whole call (`pgm.addColumns(…)`) and whose last stands for an argument inside it maps to the whole call.
   */
  toSource(range: Range): Range {
    const lastIndex = Math.max(range[0], range[1] - 1);
    const first = this.#indexAt(range[0]);
    const last = this.#indexAt(lastIndex);
    if (first < 0 || last < 0) return [0, 0];
    let start = this.#sourceStart(this.#pieces[first]!, range[0]);
    let end = this.#sourceEnd(this.#pieces[last]!, lastIndex);
    for (let i = first; i <= last; i++) {
      const mapping = this.#pieces[i]!.mapping;
      // Spans only (a string's characters are in order already); an empty span maps nowhere.
      if (mapping.kind !== "span" || mapping.range[1] <= mapping.range[0]) continue;
      start = Math.min(start, mapping.range[0]);
      end = Math.max(end, mapping.range[1]);
    }
    return [start, end];
  }

  /** Whether a synthetic range maps character by character onto source text, so an edit there can be applied. */
  isVerbatim(range: Range): boolean {
    const piece = this.#pieceAt(range[0]);
    if (!piece || piece.mapping.kind !== "chars" || range[1] > piece.end) return false;
    const indices = piece.mapping.sourceIndices;
    for (let i = range[0] - piece.start + 1; i < range[1] - piece.start; i++) if (indices[i] !== indices[i - 1]! + 1) return false;
    return true;
  }

  #pieceAt(index: number): PlacedPiece | undefined {
    return this.#pieces[this.#indexAt(index)];
  }

  /** The position in #pieces of the last piece starting at or before `index` (-1 when none does). */
  #indexAt(index: number): number {
    let lo = 0;
    let hi = this.#pieces.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#pieces[mid]!.start <= index) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return best;
  }

  #sourceStart(piece: PlacedPiece, index: number): number {
    if (piece.mapping.kind === "span") return piece.mapping.range[0];
    const offset = Math.min(index - piece.start, piece.mapping.sourceIndices.length - 1);
    return offset < 0 ? piece.mapping.end : piece.mapping.sourceIndices[offset]!;
  }

  #sourceEnd(piece: PlacedPiece, index: number): number {
    if (piece.mapping.kind === "span") return piece.mapping.range[1];
    // A character ends where the next one starts (an escape like \n spans two source characters).
    const next = index - piece.start + 1;
    return next < piece.mapping.sourceIndices.length ? piece.mapping.sourceIndices[next]! : piece.mapping.end;
  }
}
