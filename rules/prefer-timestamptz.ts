/**
 * `timestamp` (without time zone) stores a wall-clock reading with no zone: the same value means different instants
 * to clients in different zones, and DST makes some readings ambiguous. timestamptz stores the instant.
 */
import type { ColumnSite } from "../src/sql/columns.js";
import { builtinType, columnSites, columnUsedElsewhere, siteFallbackRange, typeRange } from "../src/sql/columns.js";
import type { StatementContext } from "../src/context/migration-context.js";
import { defineRule, type Suggestion } from "../src/rule.js";
import { formatName, quoteIdent } from "../src/sql/names.js";
import { unwrap, type ParsedStatement } from "../src/sql/statement.js";

type MessageId = "timestamp" | "useTimestamptz";

/** Defaults that produce the current instant as timestamptz, whose meaning a timestamptz column keeps. */
const INSTANT_FUNCTIONS = new Set(["now", "transaction_timestamp", "statement_timestamp", "clock_timestamp"]);

export default defineRule<MessageId>({
  name: "prefer-timestamptz",
  meta: {
    type: "suggestion",
    description: "Enforce timestamptz instead of timestamp without time zone for table columns",
    recommended: false,
    statementKinds: ["CreateStmt", "AlterTableStmt"],
    appliesToRollbacks: true,
    hasSuggestions: true,
    messages: {
      timestamp:
        "Column {{table}}.{{column}} is declared {{type}}, which stores a wall-clock reading without its time zone: clients in other zones read another instant, and times in the hour a DST change repeats are ambiguous. Declare it timestamptz, which stores the instant and converts to each session's TimeZone.",
      useTimestamptz: "Declare {{column}} as {{type}}.",
    },
  },

  *check(statement, context) {
    const { source } = context.document;
    for (const site of columnSites(statement)) {
      if (builtinType(site.typeName) !== "timestamp") continue;
      const at = typeRange(statement, source, site.typeName);
      const range = at ?? siteFallbackRange(statement, source, site);
      const column = quoteIdent(site.column);
      const precision = unwrap(site.typeName.typmods?.[0], "A_Const")?.ival;
      const type = precision ? `timestamptz(${precision.ival ?? 0})` : "timestamptz";
      const suggestions: Suggestion<MessageId>[] =
        at && rewritable(statement, context, site) ? [{ messageId: "useTimestamptz", data: { column, type }, range: at, text: type }] : [];
      yield {
        messageId: "timestamp",
        data: { table: formatName(site.table), column, type: precision ? `timestamp(${precision.ival ?? 0})` : "timestamp" },
        range,
        suggestions,
      };
    }
  },
});

/**
 * The type can be swapped mechanically only for a column of a table this migration creates (nothing has stored or
 * compared its values yet) whose default, if any, is the current instant, and that no other SQL of the migration
 * reads or fills: a literal or a `timestamp` expression assigned to timestamptz is read in the session's TimeZone,
 * and expressions over timestamptz are only STABLE, which generated columns and index expressions refuse.
 */
function rewritable(statement: ParsedStatement, context: StatementContext, site: ColumnSite): boolean {
  if (statement.origin.kind !== "file") return false;
  if (site.kind === "alter-type" || (site.kind === "add-column" && !context.isNewTable(site.table))) return false;
  for (const constraint of site.constraints) {
    if (constraint.contype === "CONSTR_GENERATED") return false;
    if (constraint.contype === "CONSTR_DEFAULT" && !isCurrentInstant(constraint.raw_expr)) return false;
  }
  if (site.def.raw_default && !isCurrentInstant(site.def.raw_default)) return false;
  return !columnUsedElsewhere(statement, context, site.table, site.column, { values: true });
}

/** `now()`, `CURRENT_TIMESTAMP`, `CURRENT_TIMESTAMP(3)`, `transaction_timestamp()`, …: a timestamptz of now. */
function isCurrentInstant(expr: Parameters<typeof unwrap>[0]): boolean {
  const value = unwrap(expr, "SQLValueFunction");
  if (value) return value.op === "SVFOP_CURRENT_TIMESTAMP" || value.op === "SVFOP_CURRENT_TIMESTAMP_N";
  const call = unwrap(expr, "FuncCall");
  const names = (call?.funcname ?? []).map((n) => unwrap(n, "String")?.sval);
  const name = names.length === 1 || (names.length === 2 && names[0] === "pg_catalog") ? names[names.length - 1] : undefined;
  return name !== undefined && INSTANT_FUNCTIONS.has(name) && (call?.args ?? []).length === 0;
}
