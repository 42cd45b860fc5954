/**
 * ADD CONSTRAINT … UNIQUE / PRIMARY KEY on a table in use builds the unique index inside ALTER TABLE, under an
 * ACCESS EXCLUSIVE lock held for the whole build. Building the index CONCURRENTLY first and attaching it with
 * USING INDEX leaves only a catalog update under that lock.
 */
import type { AlterTableStmt, Constraint, Node } from "@pgsql/types";
import { defineRule, type Suggestion } from "../src/rule.js";
import { alterTarget, existingTableActions } from "../src/sql/alter-table.js";
import { formatName, makeObjectName, quoteIdent, type QualifiedName } from "../src/sql/names.js";
import { unwrap, type ParsedStatement } from "../src/sql/statement.js";

type MessageId = "unique" | "primaryKey" | "useIndex";

const KINDS: Readonly<Record<string, "unique" | "primaryKey">> = { CONSTR_UNIQUE: "unique", CONSTR_PRIMARY: "primaryKey" };

export default defineRule<MessageId>({
  name: "no-unique-constraint-without-index",
  meta: {
    type: "problem",
    description: "Disallow adding a UNIQUE or PRIMARY KEY constraint to an existing table without a prebuilt index",
    recommended: true,
    statementKinds: ["AlterTableStmt"],
    appliesToRollbacks: true,
    hasSuggestions: true,
    messages: {
      unique:
        "Adding a UNIQUE constraint on {{table}} ({{columns}}) builds its index while holding an ACCESS EXCLUSIVE lock that blocks all reads and writes of {{table}} for the whole build. Build the index with CREATE UNIQUE INDEX CONCURRENTLY first, then attach it with ADD CONSTRAINT … UNIQUE USING INDEX.",
      primaryKey:
        "Adding a PRIMARY KEY on {{table}} ({{columns}}) builds its index (and checks the columns for NULLs) while holding an ACCESS EXCLUSIVE lock that blocks all reads and writes of {{table}} for the whole build. Build a unique index CONCURRENTLY, make the columns NOT NULL (CHECK … IS NOT NULL NOT VALID, VALIDATE CONSTRAINT, SET NOT NULL), then ADD CONSTRAINT … PRIMARY KEY USING INDEX.",
      useIndex: "Build {{index}} with CREATE UNIQUE INDEX CONCURRENTLY (outside a transaction block), then add the constraint USING INDEX {{index}}.",
    },
  },

  *check(statement, context) {
    for (const { table, alter, cmd, range } of existingTableActions(statement, context, ["OBJECT_TABLE"])) {
      const found: { constraint: Constraint; columns: string[] }[] = [];
      if (cmd.subtype === "AT_AddConstraint") {
        const constraint = unwrap(cmd.def, "Constraint");
        if (constraint) found.push({ constraint, columns: namesOf(constraint.keys) });
      } else if (cmd.subtype === "AT_AddColumn") {
        const column = unwrap(cmd.def, "ColumnDef");
        for (const c of column?.constraints ?? []) {
          const constraint = unwrap(c, "Constraint");
          if (constraint && column?.colname) found.push({ constraint, columns: [column.colname] });
        }
      }
      for (const { constraint, columns } of found) {
        const kind = KINDS[constraint.contype ?? ""];
        if (!kind || constraint.indexname) continue; // USING INDEX: the index already exists
        const suggestion = cmd.subtype === "AT_AddConstraint" && alter.cmds?.length === 1 ? useIndex(statement, alter, table, constraint, columns) : undefined;
        yield {
          messageId: kind,
          data: { table: formatName(table), columns: columns.map(quoteIdent).join(", ") },
          range: range(),
          suggestions: suggestion ? [suggestion] : [],
        };
      }
    }
  },
});

function namesOf(nodes: readonly Node[] | undefined): string[] {
  return (nodes ?? []).map((n) => unwrap(n, "String")?.sval ?? "").filter((name) => name !== "");
}

/**
 * The two statements that replace a one-action ALTER TABLE: the index built concurrently, then the constraint
 * attached to it. Not offered for forms CREATE INDEX cannot reproduce as written here (storage parameters,
 * WITHOUT OVERLAPS) or for SQL that is not written in the file itself.
 */
function useIndex(statement: ParsedStatement, alter: AlterTableStmt, table: QualifiedName, constraint: Constraint, columns: readonly string[]): Suggestion<MessageId> | undefined {
  if (statement.origin.kind !== "file" || columns.length === 0) return undefined;
  if ((constraint.options ?? []).length > 0 || constraint.without_overlaps) return undefined;
  const primary = constraint.contype === "CONSTR_PRIMARY";
  const index = constraint.conname ?? (primary ? makeObjectName(table.name, undefined, "pkey") : makeObjectName(table.name, columns.join("_"), "key"));
  const name = quoteIdent(index);
  const including = namesOf(constraint.including);
  const create = [
    `CREATE UNIQUE INDEX CONCURRENTLY ${name} ON ${formatName(table)} (${columns.map(quoteIdent).join(", ")})`,
    including.length > 0 ? ` INCLUDE (${including.map(quoteIdent).join(", ")})` : "",
    constraint.nulls_not_distinct ? " NULLS NOT DISTINCT" : "",
    constraint.indexspace ? ` TABLESPACE ${quoteIdent(constraint.indexspace)}` : "",
  ].join("");
  const attach = [
    `ALTER TABLE ${alterTarget(alter, table)} ADD CONSTRAINT ${name} ${primary ? "PRIMARY KEY" : "UNIQUE"} USING INDEX ${name}`,
    constraint.deferrable ? " DEFERRABLE" : "",
    constraint.initdeferred ? " INITIALLY DEFERRED" : "",
  ].join("");
  return { messageId: "useIndex", data: { index: name }, range: statement.range, text: `${create};\n${attach}` };
}
