/**
 * The statement model every rule reads: one parsed PostgreSQL statement with its place in the file, or a piece of
 * the file that could not be parsed or analysed (which is reported, never dropped).
 */
import type { Node } from "@pgsql/types";
import type { Location, Range } from "./source-text.js";

/** Every libpg-query node kind ("AlterTableStmt", "IndexStmt", …). */
export type NodeKind = Node extends infer N ? (N extends Record<infer K, unknown> ? K & string : never) : never;
/** The fields of a node of kind K (libpg-query's wrapped `{ K: fields }` form, unwrapped). */
export type NodeOf<K extends NodeKind> = Extract<Node, Record<K, unknown>> extends Record<K, infer F> ? F : never;

/** Where a statement comes from. Statements of a DO block run when the migration runs, inside one transaction. */
export type StatementOrigin = { kind: "file" } | { kind: "do-block"; doStatement: number };

interface StatementBase {
  /** Position in the document's execution-ordered statement list. */
  readonly index: number;
  /** UTF-16 range in the file, from the first token to the last (no trailing `;`). */
  readonly range: Range;
  readonly loc: Location;
  readonly text: string;
  readonly origin: StatementOrigin;
  /** Index of the document section (goose/dbmate Up or Down part) the statement belongs to. */
  readonly section: number;
}

export interface ParsedStatement extends StatementBase {
  /** The PostgreSQL node kind; ESLint uses it as the node type, so selectors like `IndexStmt` work. */
  readonly type: NodeKind;
  readonly checked: true;
  /** libpg-query's AST of the statement, `{ [type]: fields }`. Node `location`s are byte offsets from `byteBase`. */
  readonly node: Node;
  /** UTF-8 byte offset in the file of the text that was handed to the parser. */
  readonly byteBase: number;
  /** Statements run by this one (the body of a DO block), in order. */
  readonly inner: readonly Statement[];
}

/** A piece of the migration that was not checked: it did not parse, or it builds SQL we cannot see. */
export interface UncheckedStatement extends StatementBase {
  readonly type: "UncheckedStatement";
  readonly checked: false;
  /** Why it was not checked, as a sentence fragment ("syntax error at or near \"WHERE\""). */
  readonly reason: string;
  /** The precise spot to point at (the error position), within `range`. */
  readonly focus: Range;
}

export type Statement = ParsedStatement | UncheckedStatement;

/** The fields of the statement's node when it is of kind K. */
export function nodeOf<K extends NodeKind>(statement: ParsedStatement, kind: K): NodeOf<K> | undefined {
  return statement.type === kind ? ((statement.node as Record<string, unknown>)[kind] as NodeOf<K>) : undefined;
}

/** The kind of a wrapped node `{ Kind: fields }`. */
export function kindOf(node: Node): NodeKind {
  for (const key in node) return key as NodeKind;
  throw new TypeError("empty node");
}

/** Unwrap `{ Kind: fields }` when it is of kind K. */
export function unwrap<K extends NodeKind>(node: Node | undefined, kind: K): NodeOf<K> | undefined {
  if (!node) return undefined;
  return (node as Record<string, unknown>)[kind] as NodeOf<K> | undefined;
}
