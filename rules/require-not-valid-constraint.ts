/**
 * A FOREIGN KEY or CHECK constraint added to a table in use must be added NOT VALID and validated later: the plain
 * form checks every existing row while holding a lock that blocks writes (foreign key) or everything (CHECK). The
 * same goes for a CHECK added to a domain, which checks every column of the domain in every table.
 * (Validating in the same transaction as the NOT VALID add is no-validate-in-same-transaction's finding.)
 */
import type { AlterDomainStmt, Constraint } from "@pgsql/types";
import type { StatementContext } from "../src/context/migration-context.js";
import { defineRule, type Finding } from "../src/rule.js";
import { addsColumnWithDefault, existingTableActions } from "../src/sql/alter-table.js";
import { formatName, nameFromList, quoteIdent, relationName } from "../src/sql/names.js";
import { nodeOf, unwrap, type ParsedStatement } from "../src/sql/statement.js";

type MessageId = "foreignKey" | "check" | "columnForeignKey" | "columnCheck" | "domainCheck" | "addNotValid";

export default defineRule<MessageId>({
  name: "require-not-valid-constraint",
  meta: {
    type: "problem",
    description: "Require foreign key and CHECK constraints on existing tables to be added NOT VALID and validated in a later transaction",
    recommended: true,
    statementKinds: ["AlterTableStmt", "AlterDomainStmt"],
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
      domainCheck:
        "Adding CHECK constraint {{constraint}} to domain {{domain}} checks every column of that domain in every table while holding SHARE locks on those tables, which block all their writes until the transaction ends. Add it NOT VALID (no scan, and new values are checked at once), then VALIDATE CONSTRAINT in a later migration.",
      addNotValid: "Add NOT VALID, and VALIDATE CONSTRAINT in a later migration or transaction.",
    },
  },

  *check(statement, context) {
    const domain = nodeOf(statement, "AlterDomainStmt");
    if (domain) {
      yield* domainConstraint(statement, domain, context);
      return;
    }
    // PostgreSQL skips validating a foreign key declared on a new column (all NULL) unless the statement gives a
    // column a default or adds a table-level foreign key (parse_utilcmd.c transformAlterTableStmt).
    // A foreign key on a new column is checked against the existing rows only when that column gets a default:
    // otherwise every row holds NULL and there is nothing to check. (Measured on PostgreSQL 15 with
    // pg_stat_user_tables.seq_scan: a default on *another* new column, or a NOT VALID table-level foreign key in the
    // same statement, does not make PostgreSQL scan the table for it.)
    const reason = "the new column has a default";

    for (const { table, cmd, range } of existingTableActions(statement, context, ["OBJECT_TABLE"])) {
      if (cmd.subtype === "AT_AddConstraint") {
        const constraint = unwrap(cmd.def, "Constraint");
        if (!constraint || constraint.skip_validation) continue;
        const name = constraint.conname ? quoteIdent(constraint.conname) : "(unnamed)";
        const at = range();
        const suggestions: Finding<MessageId>["suggestions"] = [{ messageId: "addNotValid", range: [at[1], at[1]], text: " NOT VALID" }];
        if (constraint.contype === "CONSTR_FOREIGN") {
          yield { messageId: "foreignKey", data: { constraint: name, table: formatName(table), referenced: referencedName(constraint) }, range: at, suggestions };
        } else if (constraint.contype === "CONSTR_CHECK") {
          yield { messageId: "check", data: { constraint: name, table: formatName(table) }, range: at, suggestions };
        }
      } else if (cmd.subtype === "AT_AddColumn") {
        const column = unwrap(cmd.def, "ColumnDef");
        for (const constraint of (column?.constraints ?? []).map((c) => unwrap(c, "Constraint"))) {
          const data = { column: quoteIdent(column?.colname ?? ""), table: formatName(table) };
          if (constraint?.contype === "CONSTR_FOREIGN" && addsColumnWithDefault(cmd)) {
            yield { messageId: "columnForeignKey", data: { ...data, referenced: referencedName(constraint), reason }, range: range() };
          } else if (constraint?.contype === "CONSTR_CHECK" && !constraint.skip_validation) {
            yield { messageId: "columnCheck", data, range: range() };
          }
        }
      }
    }
  },
});

function referencedName(constraint: Constraint): string {
  const referenced = relationName(constraint.pktable);
  return referenced ? formatName(referenced) : "the referenced table";
}

/** `ALTER DOMAIN d ADD [CONSTRAINT c] CHECK (…)` without NOT VALID, on a domain this migration did not create. */
function* domainConstraint(statement: ParsedStatement, alter: AlterDomainStmt, context: StatementContext): Generator<Finding<MessageId>> {
  const constraint = unwrap(alter.def, "Constraint");
  // NOT VALID exists for CHECK constraints only; a domain NOT NULL has no such form.
  if (alter.subtype !== "C" || constraint?.contype !== "CONSTR_CHECK" || constraint.skip_validation) return;
  const domain = nameFromList(alter.typeName);
  if (!domain || context.isNew("domain", domain)) return;
  yield {
    messageId: "domainCheck",
    data: { constraint: constraint.conname ? quoteIdent(constraint.conname) : "(unnamed)", domain: formatName(domain) },
    suggestions: statement.byteBase >= 0 ? [{ messageId: "addNotValid", range: [statement.range[1], statement.range[1]], text: " NOT VALID" }] : [],
  };
}

