/**
 * varchar(n) puts a length limit into the column type, where changing it means ALTER COLUMN TYPE; char(n) also pads
 * with blanks. text with a CHECK on the length stores the same and can change its limit without a rewrite.
 */
import { defineRule } from "../src/rule.js";
import { builtinType, columnSites, siteFallbackRange, typeRange } from "../src/sql/columns.js";
import { formatName, quoteIdent } from "../src/sql/names.js";
import { formatTypeName } from "../src/sql/type-changes.js";

type MessageId = "varchar" | "char";

export default defineRule<MessageId>({
  name: "prefer-text",
  meta: {
    type: "suggestion",
    description: "Enforce text with a CHECK constraint instead of varchar(n) and char(n) for table columns",
    recommended: false,
    statementKinds: ["CreateStmt", "AlterTableStmt"],
    appliesToRollbacks: true,
    messages: {
      varchar:
        "Column {{table}}.{{column}} is declared {{type}}, which makes the length limit part of the type: changing it later is an ALTER COLUMN TYPE under an ACCESS EXCLUSIVE lock, and lowering it rewrites {{table}}. Declare it text, with CHECK (char_length({{column}}) <= …) if the limit is a business rule; that CHECK can be replaced NOT VALID and validated without blocking.",
      char: "Column {{table}}.{{column}} is declared {{type}}, which pads values with blanks to the declared length and ignores trailing blanks when comparing: values read back differ from what was written, and it is no faster than text. Declare it text, with a CHECK on char_length({{column}}) if the length matters.",
    },
  },

  *check(statement, context) {
    const { source } = context.document;
    for (const site of columnSites(statement)) {
      const type = builtinType(site.typeName);
      const limited = type === "varchar" && (site.typeName.typmods ?? []).length > 0;
      if (!limited && type !== "bpchar") continue;
      const range = typeRange(statement, source, site.typeName) ?? siteFallbackRange(statement, source, site);
      yield {
        messageId: limited ? "varchar" : "char",
        data: { table: formatName(site.table), column: quoteIdent(site.column), type: formatTypeName(site.typeName) },
        range,
      };
    }
  },
});
