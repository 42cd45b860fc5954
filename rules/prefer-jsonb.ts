/**
 * json columns keep the input text and re-parse it on every access; jsonb is what queries, indexes and equality
 * want. Choosing jsonb when the column is created is free; converting later is a table rewrite.
 */
import { defineRule, type Suggestion } from "../src/rule.js";
import { builtinType, columnSites, columnUsedElsewhere, siteFallbackRange, typeRange } from "../src/sql/columns.js";
import { formatName, quoteIdent } from "../src/sql/names.js";

type MessageId = "json" | "useJsonb";

export default defineRule<MessageId>({
  name: "prefer-jsonb",
  meta: {
    type: "suggestion",
    description: "Enforce jsonb instead of json for table columns",
    recommended: false,
    statementKinds: ["CreateStmt", "AlterTableStmt"],
    appliesToRollbacks: true,
    hasSuggestions: true,
    messages: {
      json: "Column {{table}}.{{column}} is declared json, which stores the input text and re-parses it on every access, and has no equality operator, no GIN index support and no containment operators. Declare it jsonb, unless the exact input text (key order, duplicate keys, whitespace) must be kept.",
      useJsonb: "Declare {{column}} as jsonb.",
    },
  },

  *check(statement, context) {
    const { source } = context.document;
    for (const site of columnSites(statement)) {
      if (builtinType(site.typeName) !== "json") continue;
      const at = typeRange(statement, source, site.typeName);
      const range = at ?? siteFallbackRange(statement, source, site);
      const column = quoteIdent(site.column);
      // A changed type could break other SQL of the migration that reads the column (json_* functions take no
      // jsonb); an ALTER COLUMN TYPE converts stored data, which jsonb normalises: offered only for new columns.
      const rewritable =
        at !== undefined &&
        statement.origin.kind === "file" &&
        site.kind !== "alter-type" &&
        !columnUsedElsewhere(statement, context, site.table, site.column);
      const suggestions: Suggestion<MessageId>[] = rewritable ? [{ messageId: "useJsonb", data: { column }, range: at, text: "jsonb" }] : [];
      yield { messageId: "json", data: { table: formatName(site.table), column }, range, suggestions };
    }
  },
});
