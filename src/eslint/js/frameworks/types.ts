/**
 * What a framework translator produces from one call of a JS/TS migration: the SQL it runs (as pieces mapped back to
 * the code), or the admission that it cannot be read statically.
 */
import type * as ESTree from "estree";
import type { SourceCode } from "eslint";
import type { SqlPiece, SqlTextReader } from "../sql-text.js";
import type { StaticReader } from "../static-value.js";

export type Operation =
  | {
      readonly kind: "sql";
      readonly pieces: readonly SqlPiece[];
      readonly node: ESTree.Node;
      /**
       * The text goes to PostgreSQL as one query string (a raw SQL call), so several statements in it run as one
       * implicit transaction; builder calls send their statements one by one.
       */
      readonly oneQuery?: boolean;
    }
  | { readonly kind: "not-analysed"; readonly reason: string; readonly node: ESTree.Node };

export interface TranslateContext {
  readonly sourceCode: SourceCode;
  readonly reader: SqlTextReader;
  /** Reads builder arguments (names, option objects, `new TableColumn({…})`) as static values. */
  readonly values: StaticReader;
  /** Names the migration functions give their database handle (`knex`, `db`, `queryRunner`, `pgm`…). */
  readonly handles: ReadonlySet<string>;
}

/**
 * A translator looks at one call (visited in source order; chains are visited at their outermost call) and returns
 * the operations it stands for, or undefined when the call is not one of its own.
 */
export type Translator = (call: ESTree.CallExpression, context: TranslateContext) => readonly Operation[] | undefined;
