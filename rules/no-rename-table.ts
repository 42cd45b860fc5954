/**
 * Renaming a table or view, or moving it to another schema, breaks every query that still uses the old name the
 * moment the statement commits: old app instances mid-rollout, workers, queued jobs, BI dashboards, a rollback.
 * The safe form — a compatibility view under the old name, created in the same transaction — is accepted.
 */
import { defineRule, type Suggestion } from "../src/rule.js";
import { formatName, relationName, sameRelation, type QualifiedName } from "../src/sql/names.js";
import { nodeOf, unwrap, type NodeOf, type ParsedStatement } from "../src/sql/statement.js";
import type { StatementContext } from "../src/context/migration-context.js";

type MessageId = "renameTable" | "setSchema" | "viewInLaterTransaction" | "keepCompatibilityView";

/** Relation kinds that queries name directly, as the message calls them. */
const KINDS: Record<string, string> = {
  OBJECT_TABLE: "table",
  OBJECT_VIEW: "view",
  OBJECT_MATVIEW: "materialized view",
  OBJECT_FOREIGN_TABLE: "foreign table",
};

export default defineRule<MessageId>({
  name: "no-rename-table",
  meta: {
    type: "problem",
    description: "Disallow renaming a table or view in use, or moving it to another schema",
    recommended: true,
    statementKinds: ["RenameStmt", "AlterObjectSchemaStmt"],
    appliesToRollbacks: false,
    hasSuggestions: true,
    messages: {
      renameTable:
        "Renaming {{kind}} {{table}} to {{newName}} breaks every query still using {{table}} (app instances mid-deploy, workers, queued jobs, dashboards, a rollback), and takes an ACCESS EXCLUSIVE lock that blocks all reads and writes while it waits. Leave a compatibility view named {{table}} until nothing uses the old name, or copy to a new table with dual writes.",
      setSchema:
        "Moving {{kind}} {{table}} to schema {{schema}} breaks every query that finds it by its current schema or through search_path, and takes an ACCESS EXCLUSIVE lock that blocks all reads and writes while it waits. Leave a compatibility view at the old name until nothing uses it.",
      viewInLaterTransaction:
        "The compatibility view {{table}} is created in a later transaction than the statement that takes the name {{table}} away, so queries in between find no {{table}}. Run both in one transaction (BEGIN … COMMIT).",
      keepCompatibilityView: "Keep {{table}} as a view over {{newTable}} in the same transaction.",
    },
  },

  *check(statement, context) {
    const change = nameChangeOf(statement);
    if (!change || isCreatedHere(change.table, context)) return;
    const { kind, table, target } = change;
    const view = compatibilityViewFollows(table, target, statement, context);
    if (view === "same-transaction") return;
    if (view === "later-transaction") {
      yield { messageId: "viewInLaterTransaction", data: { table: formatName(table) } };
      return;
    }
    if (change.statement === "rename") {
      yield {
        messageId: "renameTable",
        data: { kind, table: formatName(table), newName: formatName({ name: target.name }) },
        suggestions: change.missingOk ? [] : compatibilityView(statement, context, table, target),
      };
    } else {
      yield { messageId: "setSchema", data: { kind, table: formatName(table), schema: formatName({ name: target.schema! }) } };
    }
  },
});

interface NameChange {
  readonly statement: "rename" | "set-schema";
  /** "table", "view", … as the message says it. */
  readonly kind: string;
  readonly table: QualifiedName;
  /** Where the relation is found afterwards. */
  readonly target: QualifiedName;
  readonly missingOk: boolean;
}

/** `ALTER … RENAME TO` and `ALTER … SET SCHEMA` of a table, view, materialized view or foreign table. */
function nameChangeOf(statement: ParsedStatement): NameChange | undefined {
  const rename = nodeOf(statement, "RenameStmt");
  if (rename) {
    const kind = KINDS[rename.renameType ?? ""];
    const table = relationName(rename.relation);
    if (!kind || !table || !rename.newname) return undefined;
    return { statement: "rename", kind, table, target: { ...table, name: rename.newname }, missingOk: rename.missing_ok === true };
  }
  const move = nodeOf(statement, "AlterObjectSchemaStmt");
  if (move) {
    const kind = KINDS[move.objectType ?? ""];
    const table = relationName(move.relation);
    if (!kind || !table || !move.newschema || table.schema === move.newschema) return undefined; // same schema: nothing moves
    return { statement: "set-schema", kind, table, target: { schema: move.newschema, name: table.name }, missingOk: move.missing_ok === true };
  }
  return undefined;
}

/** A table this migration created, or a view / materialized view it created, before this statement. */
function isCreatedHere(table: QualifiedName, context: StatementContext): boolean {
  return context.isNewTable(table) || context.isNew("view", table) || context.isNew("matview", table);
}

/**
 * Whether a later statement creates a view under the old name that reads the relation at its new name, and whether
 * it runs in the rename's transaction (no COMMIT, ROLLBACK or PREPARE TRANSACTION in between; a DO block is its own
 * transaction unless the view is in it too).
 */
function compatibilityViewFollows(
  old: QualifiedName,
  target: QualifiedName,
  statement: ParsedStatement,
  context: StatementContext,
): "same-transaction" | "later-transaction" | undefined {
  let ended = !context.transaction.inside;
  for (const { statement: later } of context.effects) {
    if (later.index <= statement.index) continue;
    const tx = nodeOf(later, "TransactionStmt");
    if (tx && (tx.kind === "TRANS_STMT_COMMIT" || tx.kind === "TRANS_STMT_ROLLBACK" || tx.kind === "TRANS_STMT_PREPARE")) ended = true;
    const view = nodeOf(later, "ViewStmt");
    if (!view || !isViewOver(view, old, target)) continue;
    const sameBlock =
      statement.origin.kind === "file" || (later.origin.kind === "do-block" && later.origin.doStatement === statement.origin.doStatement);
    return ended || !sameBlock ? "later-transaction" : "same-transaction";
  }
  return undefined;
}

/** `CREATE [OR REPLACE] VIEW old AS SELECT … FROM target` (a single relation in FROM). */
function isViewOver(view: NodeOf<"ViewStmt">, old: QualifiedName, target: QualifiedName): boolean {
  const name = relationName(view.view);
  if (!name || !sameRelation(name, old)) return false;
  const from = unwrap(view.query, "SelectStmt")?.fromClause ?? [];
  const source = from.length === 1 ? relationName(unwrap(from[0], "RangeVar")) : undefined;
  return source !== undefined && sameRelation(source, target);
}

/**
 * The rename followed by `CREATE VIEW old AS SELECT * FROM new`, so code using the old name keeps working. Outside
 * a transaction the pair is wrapped in one, or queries in between would find neither name.
 */
function compatibilityView(
  statement: ParsedStatement,
  context: StatementContext,
  table: QualifiedName,
  newTable: QualifiedName,
): Suggestion<MessageId>[] {
  if (statement.origin.kind !== "file") return [];
  const view = `CREATE VIEW ${formatName(table)} AS SELECT * FROM ${formatName(newTable)}`;
  const pair = `${statement.text};\n${view}`;
  return [
    {
      messageId: "keepCompatibilityView",
      data: { table: formatName(table), newTable: formatName(newTable) },
      range: statement.range,
      text: context.transaction.inside ? pair : `BEGIN;\n${pair};\nCOMMIT`,
    },
  ];
}
