/**
 * Which statements of a migration are backfills to batch: every top-level UPDATE of the "up" part that is not
 * bounded to a batch (src/sql/predicates.ts decides, as `no-unbounded-update` does) on a table the migration did
 * not just create. Each becomes a BackfillTarget, or a refusal that says why it cannot be batched.
 */
import type { StatementContext } from "../context/migration-context.js";
import type { SqlDocument } from "../sql/document.js";
import { isOnly, relationName, type QualifiedName } from "../sql/names.js";
import { rowBound } from "../sql/predicates.js";
import { nodeOf, type ParsedStatement } from "../sql/statement.js";
import { sliceUpdate, type Assignment, type SqlPiece } from "./update-parts.js";

export interface BackfillTarget {
  readonly statement: ParsedStatement;
  /** 1-based line of the UPDATE in its file. */
  readonly line: number;
  readonly table: QualifiedName;
  /** `UPDATE ONLY t`: inheritance children are left alone. */
  readonly only: boolean;
  /** The alias the statement gives the table (`UPDATE users u`), which its expressions may use. */
  readonly alias: string | undefined;
  readonly assignments: readonly Assignment[];
  readonly where: SqlPiece | undefined;
  /** WHERE's top-level AND-conjuncts with their text, when they could be cut apart exactly. */
  readonly conjuncts: readonly SqlPiece[] | undefined;
}

/** An unbounded UPDATE that cannot be batched, and why. */
export interface RefusedTarget {
  readonly statement: ParsedStatement;
  readonly line: number;
  readonly reason: string;
}

export interface FoundBackfills {
  readonly targets: readonly BackfillTarget[];
  readonly refused: readonly RefusedTarget[];
}

/** The unbounded UPDATEs of a migration, in execution order. `contexts` are analyzeMigration's, one per statement. */
export function findBackfills(document: SqlDocument, contexts: readonly StatementContext[]): FoundBackfills {
  const targets: BackfillTarget[] = [];
  const refused: RefusedTarget[] = [];
  document.statements.forEach((statement, i) => {
    if (!statement.checked || statement.origin.kind !== "file") return;
    const update = nodeOf(statement, "UpdateStmt");
    const context = contexts[i];
    if (!update || !context || context.phase !== "up") return;
    const table = relationName(update.relation);
    if (!table || context.isNewTable(table) || rowBound(update)) return;
    const line = statement.loc.start.line;
    const refuse = (reason: string): void => void refused.push({ statement, line, reason });
    if (update.withClause) return refuse("an UPDATE with a WITH clause is not supported; move the WITH query into the SET expression or WHERE");
    if (update.fromClause?.length) return refuse("UPDATE … FROM (a join with other tables) is not supported; use a subquery in the SET expression");
    if (document.placeholders.some(([from, to]) => from < statement.range[1] && to > statement.range[0])) {
      return refuse("it contains templating placeholders; render the migration first");
    }
    const sliced = sliceUpdate(statement, document.source);
    if (!sliced.ok) return refuse(sliced.reason);
    const columns = sliced.parts.assignments.map((a) => a.column);
    const twice = columns.find((c, k) => columns.indexOf(c) !== k);
    if (twice) return refuse(`it assigns ${twice} twice`);
    targets.push({
      statement,
      line,
      table,
      only: isOnly(update.relation),
      alias: update.relation?.alias?.aliasname,
      ...sliced.parts,
    });
  });
  return { targets, refused };
}
