/**
 * The actions of an ALTER TABLE on a table the migration did not create: what most locking rules look at (a table
 * created in the same migration is empty and unused, so locking or rewriting it costs nothing).
 */
import type { AlterTableCmd, AlterTableStmt } from "@pgsql/types";
import type { StatementContext } from "../context/migration-context.js";
import { alterTableActionRanges } from "./locate.js";
import { formatName, isOnly, relationName, type QualifiedName } from "./names.js";
import type { Range } from "./source-text.js";
import { nodeOf, unwrap, type NodeOf, type ParsedStatement } from "./statement.js";

/** `ALTER TABLE`, `ALTER FOREIGN TABLE`, … as libpg-query writes AlterTableStmt.objtype. */
export type AlterObjectType = NonNullable<NodeOf<"AlterTableStmt">["objtype"]>;

export interface ExistingTableAction {
  /** The table altered, as written. */
  readonly table: QualifiedName;
  /** The whole statement (its other actions, `missing_ok`, the relation with its `inh`). */
  readonly alter: AlterTableStmt;
  readonly cmd: AlterTableCmd;
  /** The action's position in `alter.cmds`. */
  readonly index: number;
  /**
   * The action's source range (the whole statement's when the split into actions fails). The lexer runs on the
   * first call for a statement, so a rule that reports nothing never pays for it.
   */
  range(): Range;
}

/**
 * The actions of `statement` when it is an ALTER TABLE of one of `objectTypes` (any when omitted) on a table this
 * migration did not create; nothing otherwise.
 */
export function* existingTableActions(
  statement: ParsedStatement,
  context: StatementContext,
  objectTypes?: readonly AlterObjectType[],
): Generator<ExistingTableAction> {
  const alter = nodeOf(statement, "AlterTableStmt");
  if (!alter || (objectTypes && !objectTypes.includes(alter.objtype!))) return;
  const table = relationName(alter.relation);
  if (!table || context.isNewTable(table)) return;
  let ranges: Range[] | undefined;
  const range = (index: number): Range => (ranges ??= alterTableActionRanges(statement, context.document.source))[index] ?? statement.range;
  for (const [index, wrapped] of (alter.cmds ?? []).entries()) {
    const cmd = unwrap(wrapped, "AlterTableCmd");
    if (cmd) yield { table, alter, cmd, index, range: () => range(index) };
  }
}

/** The target of an ALTER TABLE as written, for a statement generated after it: `[IF EXISTS] [ONLY] name`. */
export function alterTarget(alter: AlterTableStmt, table: QualifiedName): string {
  return `${alter.missing_ok ? "IF EXISTS " : ""}${isOnly(alter.relation) ? "ONLY " : ""}${formatName(table)}`;
}

/** ADD COLUMN with a DEFAULT or a generated expression (what PostgreSQL keeps in ColumnDef.raw_default). */
export function addsColumnWithDefault(cmd: AlterTableCmd | undefined): boolean {
  if (cmd?.subtype !== "AT_AddColumn") return false;
  const column = unwrap(cmd.def, "ColumnDef");
  if (column?.raw_default) return true;
  return (column?.constraints ?? []).some((c) => {
    const type = unwrap(c, "Constraint")?.contype;
    return type === "CONSTR_DEFAULT" || type === "CONSTR_GENERATED";
  });
}
