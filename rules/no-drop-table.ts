/**
 * Dropping a table (or a whole schema with CASCADE, or a database) destroys data and breaks every query that still
 * names it. In expand/contract it is the last step, taken in its own release once nothing uses the table.
 */
import { defineRule } from "../src/rule.js";
import type { SourceText, Range } from "../src/sql/source-text.js";
import { tokensOf } from "../src/sql/locate.js";
import { formatName, nameFromList, quoteIdent } from "../src/sql/names.js";
import { nodeOf, unwrap, type ParsedStatement } from "../src/sql/statement.js";

type MessageId = "dropTable" | "dropTableCascade" | "dropSchemaCascade" | "dropDatabase";

export default defineRule<MessageId>({
  name: "no-drop-table",
  meta: {
    type: "problem",
    description: "Disallow dropping an existing table, a schema with CASCADE, or a database",
    recommended: true,
    statementKinds: ["DropStmt", "DropdbStmt"],
    appliesToRollbacks: false,
    messages: {
      dropTable:
        "Dropping table {{table}} deletes all of its rows and breaks every running query that still uses it (app instances mid-deploy, workers, queued jobs, reports, a rollback); it takes an ACCESS EXCLUSIVE lock that blocks all reads and writes of {{table}} while it waits. Drop it only in a contract release, after a release in which nothing reads or writes {{table}}.",
      dropTableCascade:
        "Dropping table {{table}} with CASCADE deletes all of its rows and also drops every view and foreign key that depends on it, breaking every running query that uses any of them; it takes ACCESS EXCLUSIVE locks that block all reads and writes of {{table}} and of the tables whose foreign keys it drops. Drop the dependents explicitly and the table only in a contract release.",
      dropSchemaCascade:
        "Dropping schema {{schema}} with CASCADE drops every table, view, function and type in it, with all their data, and takes ACCESS EXCLUSIVE locks on all of its tables. Drop the objects one by one in a contract release, and the schema without CASCADE once it is empty.",
      dropDatabase:
        "Dropping database {{database}} deletes every object and row in it and cannot run inside a transaction, so nothing can roll it back. Do not drop databases from a migration.",
    },
  },

  *check(statement, context) {
    const drop = nodeOf(statement, "DropStmt");
    if (drop?.removeType === "OBJECT_TABLE") {
      const objects = drop.objects ?? [];
      const ranges = objectRanges(statement, context.document.source, objects.length);
      const cascade = drop.behavior === "DROP_CASCADE";
      for (let i = 0; i < objects.length; i++) {
        const table = nameFromList(unwrap(objects[i], "List")?.items);
        if (!table || context.isNewTable(table)) continue;
        yield { messageId: cascade ? "dropTableCascade" : "dropTable", data: { table: formatName(table) }, range: ranges[i] };
      }
      return;
    }

    if (drop?.removeType === "OBJECT_SCHEMA" && drop.behavior === "DROP_CASCADE") {
      const schemas = (drop.objects ?? []).map((o) => unwrap(o, "String")?.sval);
      const ranges = objectRanges(statement, context.document.source, schemas.length);
      for (let i = 0; i < schemas.length; i++) {
        const schema = schemas[i];
        if (!schema || context.isNew("schema", { name: schema })) continue;
        yield { messageId: "dropSchemaCascade", data: { schema: quoteIdent(schema) }, range: ranges[i] };
      }
      return;
    }

    const dropdb = nodeOf(statement, "DropdbStmt");
    if (dropdb?.dbname) yield { messageId: "dropDatabase", data: { database: quoteIdent(dropdb.dbname) } };
  },
});

/**
 * The range of each name in `DROP TABLE|SCHEMA [IF EXISTS] a, b.c [CASCADE]`, in the order of the parse's objects
 * (which carry no locations). Undefined entries (→ the whole statement) when the tokens do not line up.
 */
function objectRanges(statement: ParsedStatement, source: SourceText, count: number): (Range | undefined)[] {
  const fallback = Array.from({ length: count }, () => undefined);
  if (statement.byteBase < 0) return fallback;
  const tokens = tokensOf(statement, source);
  let i = 2; // DROP TABLE / DROP SCHEMA
  if (tokens[i]?.upper === "IF" && tokens[i + 1]?.upper === "EXISTS") i += 2;
  let end = tokens.length;
  const last = tokens[end - 1];
  if (last?.isKeyword && (last.upper === "CASCADE" || last.upper === "RESTRICT")) end--;
  const ranges: Range[] = [];
  let from = i;
  for (let k = i; k <= end; k++) {
    if (k < end && tokens[k]!.text !== ",") continue;
    if (k === from) return fallback;
    ranges.push([tokens[from]!.range[0], tokens[k - 1]!.range[1]]);
    from = k + 1;
  }
  return ranges.length === count ? ranges : fallback;
}
