/**
 * SET NOT NULL on a table in use scans the whole table for NULLs under an ACCESS EXCLUSIVE lock — unless (since
 * PostgreSQL 12) a validated CHECK (col IS NOT NULL) constraint already proves there are none.
 */
import type { AlterTableStmt, Constraint, Node } from "@pgsql/types";
import type { StatementContext } from "../src/context/migration-context.js";
import { defineRule, type Suggestion } from "../src/rule.js";
import { existingTableActions } from "../src/sql/alter-table.js";
import { formatName, isOnly, makeObjectName, quoteIdent, relationName, sameRelation, type QualifiedName } from "../src/sql/names.js";
import { nodeOf, unwrap, type ParsedStatement } from "../src/sql/statement.js";

type MessageId = "setNotNull" | "setNotNullBefore12" | "useCheckConstraint" | "useCheckConstraintBefore12";

export default defineRule<MessageId>({
  name: "no-set-not-null",
  meta: {
    type: "problem",
    description: "Disallow ALTER COLUMN … SET NOT NULL on an existing table unless a validated CHECK constraint already proves it",
    recommended: true,
    statementKinds: ["AlterTableStmt"],
    appliesToRollbacks: true,
    hasSuggestions: true,
    messages: {
      setNotNull:
        "Setting {{table}}.{{column}} NOT NULL takes an ACCESS EXCLUSIVE lock on {{table}} and holds it while the whole table is scanned for NULLs, blocking all reads and writes. Add CHECK ({{column}} IS NOT NULL) NOT VALID, VALIDATE it in a later transaction (SHARE UPDATE EXCLUSIVE), then SET NOT NULL, which skips the scan once that CHECK is validated, and drop the CHECK.",
      setNotNullBefore12:
        "Setting {{table}}.{{column}} NOT NULL takes an ACCESS EXCLUSIVE lock on {{table}} and holds it while the whole table is scanned for NULLs, blocking all reads and writes; before PostgreSQL 12 (target: {{version}}) nothing lets it skip that scan. Enforce it with CHECK ({{column}} IS NOT NULL) added NOT VALID and validated in a later transaction instead, and SET NOT NULL after upgrading.",
      useCheckConstraint:
        "Replace with ADD CONSTRAINT {{constraint}} CHECK ({{column}} IS NOT NULL) NOT VALID, VALIDATE, SET NOT NULL and DROP CONSTRAINT (from VALIDATE on, in a later transaction).",
      useCheckConstraintBefore12:
        "Replace with ADD CONSTRAINT {{constraint}} CHECK ({{column}} IS NOT NULL) NOT VALID, and VALIDATE it in a later transaction.",
    },
  },

  *check(statement, context) {
    const version = context.settings.postgresVersion;
    let proven: ProvenColumns | undefined;

    for (const { table, alter, cmd, range } of existingTableActions(statement, context, ["OBJECT_TABLE"])) {
      if (cmd.subtype !== "AT_SetNotNull" || !cmd.name) continue;
      const column = cmd.name;
      proven ??= provenNotNull(statement, context, table);
      if (version >= 12 && proven.has(column)) continue;
      const constraint = notNullConstraintName(table.name, column);
      const data = { table: formatName(table), column: quoteIdent(column), version };
      const suggestionData = { constraint: quoteIdent(constraint), column: quoteIdent(column) };
      // Rewrite only a statement that is just this action, at the top level of the file (a DO body runs as one
      // transaction, so splitting it there would not help), and not ONLY (inheritance needs its own thought).
      // Before 12 the rewrite adds the CHECK: not when this file already added one (it would be added twice).
      const rewritable = alter.cmds?.length === 1 && statement.origin.kind === "file" && !isOnly(alter.relation) && !proven.has(column);
      const suggestions: Suggestion<MessageId>[] = rewritable
        ? [
            {
              messageId: version >= 12 ? "useCheckConstraint" : "useCheckConstraintBefore12",
              data: suggestionData,
              range: statement.range,
              text: safeSequence(table, column, constraint, version),
            },
          ]
        : [];
      yield { messageId: version >= 12 ? "setNotNull" : "setNotNullBefore12", data, range: range(), suggestions };
    }
  },
});

/**
 * The replacement for `ALTER TABLE t ALTER COLUMN c SET NOT NULL` (without its `;`, which stays in the file).
 * From PostgreSQL 12 on, SET NOT NULL uses a validated CHECK (c IS NOT NULL) as proof and skips its scan.
 */
function safeSequence(table: QualifiedName, column: string, constraint: string, version: number): string {
  const t = formatName(table);
  const c = quoteIdent(column);
  const k = quoteIdent(constraint);
  const lines = [
    `ALTER TABLE ${t} ADD CONSTRAINT ${k} CHECK (${c} IS NOT NULL) NOT VALID;`,
    "-- Validate after the ADD has committed (a later migration if the runner wraps files in a transaction):",
    "-- it scans the table under SHARE UPDATE EXCLUSIVE, so reads and writes continue.",
  ];
  if (version < 12) return [...lines, `ALTER TABLE ${t} VALIDATE CONSTRAINT ${k}`].join("\n");
  return [
    ...lines,
    `ALTER TABLE ${t} VALIDATE CONSTRAINT ${k};`,
    "-- With the CHECK validated, SET NOT NULL skips its table scan.",
    `ALTER TABLE ${t} ALTER COLUMN ${c} SET NOT NULL;`,
    `ALTER TABLE ${t} DROP CONSTRAINT ${k}`,
  ].join("\n");
}

/** `<table>_<column>_not_null`, shortened to 63 bytes the way PostgreSQL shortens the names it chooses. */
function notNullConstraintName(table: string, column: string): string {
  return makeObjectName(table, column, "not_null");
}

/** Columns of a table that this file has proven NOT NULL before a statement, and the names that prove them. */
interface ProvenColumns {
  has(column: string): boolean;
}

/**
 * Which columns of `table` a validated constraint made before this statement proves NOT NULL: a CHECK (c IS NOT
 * NULL) added without NOT VALID, or added NOT VALID and then validated (PostgreSQL 18: a NOT NULL constraint
 * likewise). A VALIDATE CONSTRAINT of a constraint this file did not add counts when it has the name this rule
 * suggests (`<table>_<column>_not_null`): it was added by an earlier migration in the safe sequence.
 */
function provenNotNull(statement: ParsedStatement, context: StatementContext, table: QualifiedName): ProvenColumns {
  const known = new Map<string, { column: string; valid: boolean }>(); // by constraint name
  const unnamedValid = new Set<string>(); // columns proven by a CHECK PostgreSQL named itself
  const validatedUnknown = new Set<string>();
  for (const earlier of context.migration.statementsOnTable(table)) {
    if (earlier.index >= statement.index) break;
    const alter: AlterTableStmt | undefined = nodeOf(earlier, "AlterTableStmt");
    const other = relationName(alter?.relation);
    if (!alter || !other || !sameRelation(other, table)) continue;
    for (const wrapped of alter.cmds ?? []) {
      const cmd = unwrap(wrapped, "AlterTableCmd");
      if (cmd?.subtype === "AT_AddConstraint") {
        const constraint = unwrap(cmd.def, "Constraint");
        const column = constraint ? notNullColumn(constraint, table) : undefined;
        // A NOT ENFORCED CHECK (PostgreSQL 18) proves nothing; NOT NULL constraints cannot be NOT ENFORCED. A NOT NULL
        // constraint added by name (`ADD CONSTRAINT c NOT NULL col`) exists from PostgreSQL 18: on an older server the
        // statement fails, and proves nothing either.
        if (!constraint || column === undefined || (constraint.contype === "CONSTR_CHECK" && constraint.is_enforced !== true)) continue;
        if (constraint.contype === "CONSTR_NOTNULL" && context.settings.postgresVersion < 18) continue;
        const valid = !constraint.skip_validation;
        if (constraint.conname) known.set(constraint.conname, { column, valid });
        else if (valid) unnamedValid.add(column);
      } else if (cmd?.subtype === "AT_ValidateConstraint" && cmd.name) {
        const entry = known.get(cmd.name);
        if (entry) entry.valid = true;
        else validatedUnknown.add(cmd.name);
      } else if (cmd?.subtype === "AT_DropConstraint" && cmd.name) {
        known.delete(cmd.name);
        validatedUnknown.delete(cmd.name);
      }
    }
  }
  return {
    has: (column) =>
      unnamedValid.has(column) ||
      [...known.values()].some((e) => e.valid && e.column === column) ||
      validatedUnknown.has(notNullConstraintName(table.name, column)),
  };
}

/** The column a constraint declares NOT NULL: CHECK (c IS NOT NULL) exactly, or (PostgreSQL 18) NOT NULL c. */
function notNullColumn(constraint: Constraint, table: QualifiedName): string | undefined {
  if (constraint.contype === "CONSTR_NOTNULL") {
    const keys = constraint.keys ?? [];
    return keys.length === 1 ? unwrap(keys[0], "String")?.sval : undefined;
  }
  if (constraint.contype !== "CONSTR_CHECK") return undefined;
  const test = unwrap(constraint.raw_expr, "NullTest");
  if (test?.nulltesttype !== "IS_NOT_NULL" || test.argisrow) return undefined;
  const fields: Node[] = unwrap(test.arg, "ColumnRef")?.fields ?? [];
  const names = fields.map((f) => unwrap(f, "String")?.sval);
  if (names.length === 1) return names[0];
  if (names.length === 2 && names[0] === table.name) return names[1];
  return undefined;
}
