/**
 * A FOREIGN KEY or CHECK constraint added to a table in use must be added NOT VALID and validated later: the plain
 * form checks every existing row while holding a lock that blocks writes (foreign key) or everything (CHECK).
 */
import type { AlterTableCmd, Constraint } from "@pgsql/types";
import type { StatementContext } from "../src/context/migration-context.js";
import { defineRule, type Finding } from "../src/rule.js";
import { alterTableActionRanges } from "../src/sql/locate.js";
import { formatName, quoteIdent, relationName, sameRelation, type QualifiedName } from "../src/sql/names.js";
import { nodeOf, unwrap, type ParsedStatement } from "../src/sql/statement.js";

type MessageId = "foreignKey" | "check" | "columnForeignKey" | "columnCheck" | "validateSameTransaction" | "addNotValid";

export default defineRule<MessageId>({
  name: "require-not-valid-constraint",
  meta: {
    type: "problem",
    description: "Require foreign key and CHECK constraints on existing tables to be added NOT VALID and validated in a later transaction",
    recommended: true,
    appliesToRollbacks: true,
    hasSuggestions: true,
    messages: {
      foreignKey:
        "Adding foreign key {{constraint}} to {{table}} checks every existing row while holding SHARE ROW EXCLUSIVE locks on {{table}} and {{referenced}}, which block all writes to both tables until the scan ends. Add it NOT VALID (a brief lock; new rows are checked from then on), then VALIDATE CONSTRAINT in a later migration or transaction, which takes only SHARE UPDATE EXCLUSIVE and lets reads and writes continue.",
      check:
        "Adding CHECK constraint {{constraint}} to {{table}} scans the whole table while holding an ACCESS EXCLUSIVE lock, which blocks all reads and writes until the scan ends. Add it NOT VALID (a brief lock; new rows are checked from then on), then VALIDATE CONSTRAINT in a later migration or transaction, which takes only SHARE UPDATE EXCLUSIVE and lets reads and writes continue.",
      columnForeignKey:
        "Adding column {{column}} to {{table}} with REFERENCES {{referenced}} validates the foreign key against every row ({{reason}}) while holding an ACCESS EXCLUSIVE lock on {{table}}, which blocks all reads and writes. Add the column without REFERENCES, then ADD CONSTRAINT … FOREIGN KEY ({{column}}) REFERENCES {{referenced}} … NOT VALID, and VALIDATE CONSTRAINT in a later migration or transaction.",
      columnCheck:
        "Adding column {{column}} to {{table}} with a CHECK constraint scans the whole table to validate it while holding an ACCESS EXCLUSIVE lock, which blocks all reads and writes. Add the column without the CHECK, then ADD CONSTRAINT … CHECK (…) NOT VALID, and VALIDATE CONSTRAINT in a later migration or transaction.",
      validateSameTransaction:
        "VALIDATE CONSTRAINT {{constraint}} runs in the same transaction as the ADD … NOT VALID on line {{line}}, whose {{lock}} lock on {{table}} is still held, so the validation scan {{blocks}} just as if NOT VALID had not been used. Validate in a later migration, or after a COMMIT.",
      addNotValid: "Add NOT VALID, and VALIDATE CONSTRAINT in a later migration or transaction.",
    },
  },

  *check(statement, context) {
    const alter = nodeOf(statement, "AlterTableStmt");
    if (!alter || alter.objtype !== "OBJECT_TABLE") return;
    const table = relationName(alter.relation);
    if (!table || context.isNewTable(table)) return;
    const ranges = alterTableActionRanges(statement, context.document.source);
    const cmds = (alter.cmds ?? []).map((c) => unwrap(c, "AlterTableCmd"));
    // PostgreSQL skips validating a foreign key declared on a new column (all NULL) unless the statement gives a
    // column a default or adds a table-level foreign key (parse_utilcmd.c transformAlterTableStmt).
    const columnFksValidated = cmds.some((cmd) => hasDefault(cmd) || (cmd?.subtype === "AT_AddConstraint" && unwrap(cmd.def, "Constraint")?.contype === "CONSTR_FOREIGN"));
    const reason = cmds.some(hasDefault) ? "the new column has a default" : "the same statement adds another foreign key";

    for (const [i, cmd] of cmds.entries()) {
      const range = ranges[i] ?? statement.range;
      if (cmd?.subtype === "AT_AddConstraint") {
        const constraint = unwrap(cmd.def, "Constraint");
        if (!constraint || constraint.skip_validation) continue;
        const name = constraint.conname ? quoteIdent(constraint.conname) : "(unnamed)";
        const suggestions: Finding<MessageId>["suggestions"] = [{ messageId: "addNotValid", range: [range[1], range[1]], text: " NOT VALID" }];
        if (constraint.contype === "CONSTR_FOREIGN") {
          yield { messageId: "foreignKey", data: { constraint: name, table: formatName(table), referenced: referencedName(constraint) }, range, suggestions };
        } else if (constraint.contype === "CONSTR_CHECK") {
          yield { messageId: "check", data: { constraint: name, table: formatName(table) }, range, suggestions };
        }
      } else if (cmd?.subtype === "AT_AddColumn") {
        const column = unwrap(cmd.def, "ColumnDef");
        for (const constraint of (column?.constraints ?? []).map((c) => unwrap(c, "Constraint"))) {
          const data = { column: quoteIdent(column?.colname ?? ""), table: formatName(table) };
          if (constraint?.contype === "CONSTR_FOREIGN" && columnFksValidated) {
            yield { messageId: "columnForeignKey", data: { ...data, referenced: referencedName(constraint), reason }, range };
          } else if (constraint?.contype === "CONSTR_CHECK" && !constraint.skip_validation) {
            yield { messageId: "columnCheck", data, range };
          }
        }
      } else if (cmd?.subtype === "AT_ValidateConstraint" && cmd.name) {
        const added = addedNotValidInSameTransaction(statement, context, table, cmd.name);
        if (!added) continue;
        const foreign = added.constraint.contype === "CONSTR_FOREIGN";
        yield {
          messageId: "validateSameTransaction",
          data: {
            constraint: quoteIdent(cmd.name),
            line: added.statement.loc.start.line,
            lock: foreign ? "SHARE ROW EXCLUSIVE" : "ACCESS EXCLUSIVE",
            table: foreign ? `${formatName(table)} and ${referencedName(added.constraint)}` : formatName(table),
            blocks: foreign ? "blocks all writes to both tables" : "blocks all reads and writes",
          },
          range,
        };
      }
    }
  },
});

function referencedName(constraint: Constraint): string {
  const referenced = relationName(constraint.pktable);
  return referenced ? formatName(referenced) : "the referenced table";
}

/** ADD COLUMN with a DEFAULT or a generated expression (what PostgreSQL keeps in ColumnDef.raw_default). */
function hasDefault(cmd: AlterTableCmd | undefined): boolean {
  if (cmd?.subtype !== "AT_AddColumn") return false;
  const column = unwrap(cmd.def, "ColumnDef");
  if (column?.raw_default) return true;
  return (column?.constraints ?? []).some((c) => {
    const type = unwrap(c, "Constraint")?.contype;
    return type === "CONSTR_DEFAULT" || type === "CONSTR_GENERATED";
  });
}

/**
 * The ADD CONSTRAINT … NOT VALID of `name` on `table` earlier in this file, when it ran in the transaction this
 * VALIDATE runs in (so its lock is still held).
 */
function addedNotValidInSameTransaction(
  statement: ParsedStatement,
  context: StatementContext,
  table: QualifiedName,
  name: string,
): { statement: ParsedStatement; constraint: Constraint } | undefined {
  const transaction = context.transaction;
  if (!transaction.inside) return undefined;
  const earlier = context.document.statements.filter((s): s is ParsedStatement => s.checked && s.index < statement.index);
  for (let k = earlier.length - 1; k >= 0; k--) {
    const candidate = earlier[k]!;
    // A transaction boundary between the two ends the ADD's transaction (and its lock).
    if (candidate.type === "TransactionStmt" && candidate.origin.kind === "file") return undefined;
    if (transaction.why === "explicit" && candidate.index <= (transaction.beganAt ?? -1)) return undefined;
    if (transaction.why === "do-block" && (candidate.origin.kind !== "do-block" || statement.origin.kind !== "do-block" || candidate.origin.doStatement !== statement.origin.doStatement)) {
      return undefined;
    }
    const alter = nodeOf(candidate, "AlterTableStmt");
    const other = relationName(alter?.relation);
    if (!alter || !other || !sameRelation(other, table)) continue;
    for (const wrapped of alter.cmds ?? []) {
      const cmd = unwrap(wrapped, "AlterTableCmd");
      const constraint = unwrap(cmd?.def, "Constraint");
      if (cmd?.subtype === "AT_AddConstraint" && constraint?.conname === name && constraint.skip_validation && constraint.is_enforced) {
        return { statement: candidate, constraint };
      }
    }
  }
  return undefined;
}
