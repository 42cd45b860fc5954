/**
 * The AST ESLint sees for a .sql file: a root `SqlScript` whose body is the statements (node type = PostgreSQL
 * node kind, e.g. `IndexStmt`, or `UncheckedStatement`), plus comments. Statements keep libpg-query's full AST in
 * `node`, so custom rules can use selectors like `IndexStmt` and read `node.IndexStmt.concurrent`.
 */
import type { SqlDocument } from "../sql/document.js";
import type { Location, Range } from "../sql/source-text.js";
import type { Statement } from "../sql/statement.js";

export interface SqlComment {
  readonly type: "LineComment" | "BlockComment";
  /** Text inside the delimiters. */
  readonly value: string;
  readonly range: Range;
  readonly loc: Location;
}

export interface SqlScript {
  readonly type: "SqlScript";
  readonly range: Range;
  readonly loc: Location;
  readonly body: readonly Statement[];
  readonly comments: readonly SqlComment[];
  /** The parsed migration the rules run on. */
  readonly document: SqlDocument;
}

export type SqlNode = SqlScript | Statement;
export type SqlSyntaxElement = SqlNode | SqlComment;

/** Child keys per node type, for ESLint's selector engine. Statements other than DO have no SQL-node children. */
export const visitorKeys: Record<string, string[]> = {
  SqlScript: ["body"],
  DoStmt: ["inner"],
};

export function toSqlScript(document: SqlDocument): SqlScript {
  const { source } = document;
  const comments: SqlComment[] = document.comments.map((comment) => ({
    type: comment.kind === "line" ? "LineComment" : "BlockComment",
    value: comment.value,
    range: comment.range,
    loc: source.locationOf(comment.range),
  }));
  const range: Range = [0, source.text.length];
  return { type: "SqlScript", range, loc: source.locationOf(range), body: document.body, comments, document };
}
