/**
 * A NOT NULL column without a default cannot be added to a table in use: the ALTER fails outright when the table
 * has rows, and when it is empty, every deployed app instance that inserts without the new column starts failing.
 */
import type { ColumnDef, Constraint } from "@pgsql/types";
import { defineRule, type Suggestion } from "../src/rule.js";
import { existingTableActions } from "../src/sql/alter-table.js";
import { tokensOf } from "../src/sql/locate.js";
import { formatName, quoteIdent } from "../src/sql/names.js";
import type { Range, SourceText } from "../src/sql/source-text.js";
import { unwrap, type ParsedStatement } from "../src/sql/statement.js";
import { isNullConstant } from "../src/sql/volatility.js";

type MessageId = "notNullWithoutDefault" | "notNullWithoutDefaultBefore12" | "primaryKeyWithoutDefault" | "makeNullable";

/** serial types come with DEFAULT nextval(…), so every row gets a value. */
const SERIAL_TYPES = new Set(["smallserial", "serial2", "serial", "serial4", "bigserial", "serial8"]);

const BREAKS =
  "fails if {{table}} has any rows, and once it succeeds every running app instance that inserts without {{column}} fails; the ALTER also takes an ACCESS EXCLUSIVE lock that blocks all reads and writes of {{table}} while it runs";

export default defineRule<MessageId>({
  name: "no-add-required-column",
  meta: {
    type: "problem",
    description: "Disallow adding a NOT NULL column without a default to an existing table",
    recommended: true,
    statementKinds: ["AlterTableStmt"],
    appliesToRollbacks: true,
    hasSuggestions: true,
    messages: {
      notNullWithoutDefault: `Adding {{column}} to {{table}} as NOT NULL without a default ${BREAKS}. Add it as nullable, deploy code that writes it, backfill in batches, then enforce NOT NULL with CHECK ({{column}} IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT and SET NOT NULL.`,
      // Before PostgreSQL 12, SET NOT NULL scans the table under ACCESS EXCLUSIVE even with a validated CHECK.
      notNullWithoutDefaultBefore12: `Adding {{column}} to {{table}} as NOT NULL without a default ${BREAKS}. Add it as nullable, deploy code that writes it, backfill in batches, then enforce NOT NULL with CHECK ({{column}} IS NOT NULL) NOT VALID and VALIDATE CONSTRAINT, and keep that CHECK: on PostgreSQL {{version}}, SET NOT NULL would scan the whole table under an ACCESS EXCLUSIVE lock even then (version 12 and later use the CHECK instead).`,
      primaryKeyWithoutDefault: `Adding {{column}} to {{table}} as PRIMARY KEY without a default makes it NOT NULL, which ${BREAKS}. Add it as nullable, deploy code that writes it, backfill in batches, enforce NOT NULL (CHECK … NOT VALID, VALIDATE CONSTRAINT, SET NOT NULL), then add the primary key USING INDEX of a unique index built CONCURRENTLY.`,
      makeNullable: "Add {{column}} as nullable; enforce NOT NULL in a later migration, after the backfill.",
    },
  },

  *check(statement, context) {
    for (const { table, cmd, range } of existingTableActions(statement, context, ["OBJECT_TABLE"])) {
      const column = cmd.subtype === "AT_AddColumn" ? unwrap(cmd.def, "ColumnDef") : undefined;
      if (!column?.colname) continue;
      const constraints = (column.constraints ?? []).map((c) => unwrap(c, "Constraint")).filter((c): c is Constraint => c !== undefined);
      const notNull = constraints.filter((c) => c.contype === "CONSTR_NOTNULL");
      const primaryKey = constraints.some((c) => c.contype === "CONSTR_PRIMARY");
      if ((notNull.length === 0 && !primaryKey && !column.is_not_null) || hasValue(column, constraints)) continue;
      const data = { table: formatName(table), column: quoteIdent(column.colname) };
      if (primaryKey) {
        yield { messageId: "primaryKeyWithoutDefault", data, range: range() };
        continue;
      }
      const removal = notNull.length === 1 ? notNullRange(statement, context.document.source, notNull[0]!) : undefined;
      const suggestions: Suggestion<MessageId>[] = removal ? [{ messageId: "makeNullable", data: { column: data.column }, range: removal, text: "" }] : [];
      const version = context.settings.postgresVersion;
      if (version < 12) yield { messageId: "notNullWithoutDefaultBefore12", data: { ...data, version }, range: range(), suggestions };
      else yield { messageId: "notNullWithoutDefault", data, range: range(), suggestions };
    }
  },
});

/**
 * Whether every existing row gets a value: a non-null default, an identity or generated column (PostgreSQL fills
 * those for every row, see no-volatile-default for what that costs), or a serial type.
 */
function hasValue(column: ColumnDef, constraints: readonly Constraint[]): boolean {
  const names = column.typeName?.names ?? [];
  const serial = names.length === 1 && SERIAL_TYPES.has(unwrap(names[0], "String")?.sval ?? "") && !(column.typeName?.arrayBounds ?? []).length;
  return (
    serial ||
    (column.raw_default !== undefined && !isNullConstant(column.raw_default)) ||
    constraints.some(
      (c) =>
        c.contype === "CONSTR_IDENTITY" ||
        c.contype === "CONSTR_GENERATED" ||
        (c.contype === "CONSTR_DEFAULT" && c.raw_expr !== undefined && !isNullConstant(c.raw_expr)),
    )
  );
}

/** The text of `[CONSTRAINT name] NOT NULL` with the blanks before it, for SQL written in the file itself. */
function notNullRange(statement: ParsedStatement, source: SourceText, constraint: Constraint): Range | undefined {
  if (statement.origin.kind !== "file" || statement.byteBase < 0 || constraint.location === undefined) return undefined;
  const start = source.indexOfByte(statement.byteBase + constraint.location);
  const tokens = tokensOf(statement, source);
  const first = tokens.findIndex((t) => t.range[0] === start);
  if (first < 0) return undefined;
  let k = first;
  while (tokens[k + 1] && !(tokens[k]!.upper === "NOT" && tokens[k + 1]!.upper === "NULL")) k++;
  if (!tokens[k + 1]) return undefined;
  let cut = start;
  while (cut > statement.range[0] && (source.text[cut - 1] === " " || source.text[cut - 1] === "\t")) cut--;
  return [cut, tokens[k + 1]!.range[1]];
}
