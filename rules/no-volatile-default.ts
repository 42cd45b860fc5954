/**
 * ADD COLUMN must not make PostgreSQL fill every existing row: a volatile default (random(), gen_random_uuid(),
 * nextval() behind serial and identity columns), a stored generated column, or — before PostgreSQL 11 — any
 * non-null default rewrites the whole table under ACCESS EXCLUSIVE (tablecmds.c ATExecAddColumn).
 */
import type { AlterTableStmt, ColumnDef, Constraint } from "@pgsql/types";
import { defineRule, type Suggestion } from "../src/rule.js";
import { alterTarget, existingTableActions } from "../src/sql/alter-table.js";
import { tokensOf } from "../src/sql/locate.js";
import { formatName, quoteIdent, type QualifiedName } from "../src/sql/names.js";
import type { Range, SourceText } from "../src/sql/source-text.js";
import { unwrap, type ParsedStatement } from "../src/sql/statement.js";
import { expressionVolatility, isNullConstant } from "../src/sql/volatility.js";

type MessageId =
  | "volatileDefault"
  | "unprovenDefault"
  | "defaultBefore11"
  | "serialColumn"
  | "identityColumn"
  | "generatedColumn"
  | "virtualNotNull"
  | "splitDefault";

/** The serial pseudo-types: a column of the integer type with DEFAULT nextval() of a new sequence. */
const SERIAL_TYPES: Readonly<Record<string, string>> = {
  smallserial: "smallint", serial2: "smallint", serial: "integer", serial4: "integer", bigserial: "bigint", serial8: "bigint",
};

const REWRITE = "rewrites the whole table while holding an ACCESS EXCLUSIVE lock that blocks all reads and writes of {{table}}";

export default defineRule<MessageId>({
  name: "no-volatile-default",
  meta: {
    type: "problem",
    description: "Disallow adding a column whose default makes PostgreSQL rewrite an existing table",
    recommended: true,
    statementKinds: ["AlterTableStmt"],
    appliesToRollbacks: true,
    hasSuggestions: true,
    messages: {
      volatileDefault: `Adding {{column}} to {{table}} with the volatile default {{culprit}} ${REWRITE}. Add the column without a default (or with a constant one), set the default for new rows with ALTER COLUMN … SET DEFAULT, and backfill existing rows in batches.`,
      unprovenDefault: `The default of {{column}} on {{table}} calls {{culprit}}, whose volatility could not be proven: if it is VOLATILE, adding the column ${REWRITE}. Add the column without a default, then SET DEFAULT and backfill in batches, or disable the rule for this line with a reason if the function is IMMUTABLE or STABLE.`,
      defaultBefore11: `On PostgreSQL {{version}}, adding {{column}} to {{table}} with a non-null default ${REWRITE} (only PostgreSQL 11 and later store a non-volatile default without a rewrite). Add the column without a default, then SET DEFAULT and backfill existing rows in batches.`,
      serialColumn: `Adding {{column}} to {{table}} as {{type}} fills every existing row from a sequence (nextval() is volatile), which ${REWRITE}. Add a plain {{baseType}} column, attach a sequence with ALTER COLUMN … SET DEFAULT nextval(…), and backfill existing rows in batches.`,
      identityColumn: `Adding identity column {{column}} to {{table}} fills every existing row from its sequence, which ${REWRITE}. Add a plain column with a sequence default, backfill it in batches, make it NOT NULL, then turn it into an identity column (DROP DEFAULT, ADD GENERATED … AS IDENTITY) in one transaction.`,
      generatedColumn: `Adding the stored generated column {{column}} to {{table}} computes it for every existing row, which ${REWRITE}. Add a plain column kept current by a trigger and backfill it in batches (or use a virtual generated column on PostgreSQL 18).`,
      virtualNotNull: "Adding the virtual generated column {{column}} to {{table}} as NOT NULL computes it for every existing row to check for NULLs: a full scan while holding an ACCESS EXCLUSIVE lock that blocks all reads and writes of {{table}}. Add it without NOT NULL (a catalog change), then add CHECK ({{column}} IS NOT NULL) NOT VALID, VALIDATE it in a later transaction, and SET NOT NULL.",
      splitDefault: "Add {{column}} without a default, then set the default for new rows with ALTER COLUMN … SET DEFAULT (backfill existing rows separately).",
    },
  },

  *check(statement, context) {
    const { source } = context.document;
    const version = context.settings.postgresVersion;
    for (const { table, alter, cmd, range } of existingTableActions(statement, context, ["OBJECT_TABLE"])) {
      const column = cmd.subtype === "AT_AddColumn" ? unwrap(cmd.def, "ColumnDef") : undefined;
      if (!column?.colname) continue;
      const constraints = (column.constraints ?? []).map((c) => unwrap(c, "Constraint")).filter((c): c is Constraint => c !== undefined);
      const data = { table: formatName(table), column: quoteIdent(column.colname) };

      if (constraints.some((c) => c.contype === "CONSTR_IDENTITY")) {
        yield { messageId: "identityColumn", data, range: range() };
        continue;
      }
      const serial = serialType(column);
      if (serial) {
        yield { messageId: "serialColumn", data: { ...data, type: serial, baseType: SERIAL_TYPES[serial]! }, range: range() };
        continue;
      }
      // libpg-query 18 marks STORED as "s" and VIRTUAL (PostgreSQL 18's default) as "v". A virtual column is
      // computed on read, so adding one rewrites nothing — but NOT NULL makes PostgreSQL compute it for every row
      // to check it. Before 18 a virtual column is a syntax error: the statement fails, nothing is rewritten.
      const generated = constraints.find((c) => c.contype === "CONSTR_GENERATED");
      if (generated && generated.generated_kind !== "v") {
        yield { messageId: "generatedColumn", data, range: range() };
        continue;
      }
      if (generated && version >= 18 && (column.is_not_null || constraints.some((c) => c.contype === "CONSTR_NOTNULL"))) {
        yield { messageId: "virtualNotNull", data, range: range() };
        continue;
      }

      const defaultConstraint = constraints.find((c) => c.contype === "CONSTR_DEFAULT");
      const expr = defaultConstraint?.raw_expr ?? column.raw_default;
      if (!expr || isNullConstant(expr)) continue;
      const split = (): Suggestion<MessageId>[] => {
        const suggestion = defaultConstraint && splitDefault(statement, source, alter, table, column, constraints, defaultConstraint, range());
        return suggestion ? [{ messageId: "splitDefault", data: { column: data.column }, ...suggestion }] : [];
      };
      if (version < 11) {
        yield { messageId: "defaultBefore11", data: { ...data, version }, range: range(), suggestions: split() };
        continue;
      }
      const verdict = expressionVolatility(expr);
      if (verdict.volatility === "volatile" || verdict.volatility === "unknown") {
        yield {
          messageId: verdict.volatility === "volatile" ? "volatileDefault" : "unprovenDefault",
          data: { ...data, culprit: verdict.culprit ?? "its default" },
          range: range(),
          suggestions: split(),
        };
      }
    }
  },
});

/** `serial`, `bigserial`, … as PostgreSQL recognises them: a bare, unqualified, non-array type name. */
function serialType(column: ColumnDef): string | undefined {
  const names = column.typeName?.names ?? [];
  if (names.length !== 1 || (column.typeName?.arrayBounds ?? []).length > 0) return undefined;
  const name = unwrap(names[0], "String")?.sval ?? "";
  return Object.hasOwn(SERIAL_TYPES, name) ? name : undefined;
}

/**
 * The suggestion that moves the default out of ADD COLUMN: `ADD COLUMN c uuid DEFAULT f()` becomes
 * `ADD COLUMN c uuid; ALTER TABLE t ALTER COLUMN c SET DEFAULT f()`. Only for a column that may hold NULL (else
 * ADD COLUMN without the default would fail on a table with rows) and for SQL written in the file itself.
 */
function splitDefault(
  statement: ParsedStatement,
  source: SourceText,
  alter: AlterTableStmt,
  table: QualifiedName,
  column: ColumnDef,
  constraints: readonly Constraint[],
  defaultConstraint: Constraint,
  actionRange: Range,
): { range: Range; text: string } | undefined {
  if (statement.origin.kind !== "file" || statement.byteBase < 0 || defaultConstraint.location === undefined) return undefined;
  if (column.is_not_null || constraints.some((c) => c.contype === "CONSTR_NOTNULL" || c.contype === "CONSTR_PRIMARY")) return undefined;
  const at = (location: number): number => source.indexOfByte(statement.byteBase + location);
  const start = at(defaultConstraint.location);
  const tokens = tokensOf(statement, source);
  let keyword = tokens.findIndex((t) => t.range[0] === start);
  if (keyword < 0) return undefined;
  while (tokens[keyword] && tokens[keyword]!.upper !== "DEFAULT") keyword++; // past CONSTRAINT name
  // The expression runs to the next clause of the column definition, or to the end of the action.
  const next = [...constraints.map((c) => c.location), column.collClause?.location]
    .filter((l): l is number => l !== undefined && l >= 0)
    .map(at)
    .filter((index) => index > start);
  const end = Math.min(actionRange[1], ...next);
  let last = keyword;
  while (tokens[last + 1] && tokens[last + 1]!.range[0] < end) last++;
  if (last === keyword || !tokens[keyword]) return undefined;
  const expression = source.text.slice(tokens[keyword + 1]!.range[0], tokens[last]!.range[1]);
  let cut = start;
  while (cut > statement.range[0] && (source.text[cut - 1] === " " || source.text[cut - 1] === "\t")) cut--;
  const rest = source.text.slice(tokens[last]!.range[1], statement.range[1]);
  return {
    range: [cut, statement.range[1]],
    text: `${rest};\nALTER TABLE ${alterTarget(alter, table)} ALTER COLUMN ${quoteIdent(column.colname ?? "")} SET DEFAULT ${expression}`,
  };
}
