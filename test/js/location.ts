/**
 * Where a snippet stands in a test's code, as ESLint reports it (1-based lines and columns, end exclusive): lets a
 * test say "reported exactly on `t.dropColumn('legacy')`" without counting columns by hand.
 */
export interface Location {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** The location of the `occurrence`-th (1-based) occurrence of `snippet` in `code`; throws when it is not there. */
export function at(code: string, snippet: string, occurrence = 1): Location {
  let index = -1;
  for (let i = 0; i < occurrence; i++) {
    index = code.indexOf(snippet, index + 1);
    if (index < 0) throw new Error(`${JSON.stringify(snippet)} (occurrence ${occurrence}) is not in the code`);
  }
  const start = position(code, index);
  const end = position(code, index + snippet.length);
  return { line: start.line, column: start.column, endLine: end.line, endColumn: end.column };
}

function position(code: string, index: number): { line: number; column: number } {
  const before = code.slice(0, index);
  const line = before.split("\n").length;
  return { line, column: index - (before.lastIndexOf("\n") + 1) + 1 };
}
