/**
 * Code, reports and views that still name a column or table the migrations drop or rename break the moment the
 * migration runs — background workers, exports and BI queries included. One rule id for application code (JS/TS:
 * properties, ORM keys and strings, raw SQL) and for .sql files outside the migrations (through the SQL language).
 */
import type { TSESLint } from "@typescript-eslint/utils";
import { SqlSourceCode } from "../../eslint/sql-source-code.js";
import { nameRangeAtLocation, tokensOf } from "../../sql/locate.js";
import { formatName, quoteIdent, type QualifiedName } from "../../sql/names.js";
import type { Range } from "../../sql/source-text.js";
import type { ParsedStatement } from "../../sql/statement.js";
import type { Fate } from "../../schema/model.js";
import type { Catalog, ColumnFacts } from "../catalog.js";
import { createRule } from "../create-rule.js";
import { catalogFor } from "../project.js";
import { analysisFor, byNameNote } from "../resolve.js";
import { referencesOf } from "../sql-references.js";

export type MessageIds = "droppedColumn" | "renamedColumn" | "droppedTable" | "renamedTable" | "useReplacement";

type Context = Readonly<TSESLint.RuleContext<MessageIds, []>>;

export default createRule<[], MessageIds>({
  name: "no-dropped-column-reference",
  meta: {
    type: "problem",
    docs: {
      description: "Disallow references to columns and tables that the migrations drop or rename",
      recommended: true,
    },
    hasSuggestions: true,
    languages: ["js/js", "migration-safety/sql"],
    messages: {
      droppedColumn:
        "{{table}}.{{column}} is dropped by {{migration}}, but this still names it: once that migration runs, the query fails (column does not exist) or the value is undefined{{byName}}.",
      renamedColumn:
        "{{table}}.{{column}} is renamed to {{to}} by {{migration}}, but this still names it: once that migration runs, the query fails (column does not exist) or the value is undefined{{byName}}.",
      droppedTable: "Table {{table}} is dropped by {{migration}}, but this still uses it: once that migration runs, every query on it fails.",
      renamedTable: "Table {{table}} is renamed to {{to}} by {{migration}}, but this still uses the old name: once that migration runs, every query on it fails.",
      useReplacement: "Name {{replacement}} instead.",
    },
    schema: [],
    defaultOptions: [],
  },
  create(context) {
    const sourceCode: unknown = context.sourceCode;
    if (sourceCode instanceof SqlSourceCode) return { SqlScript: () => checkSql(context, sourceCode) };
    return { "Program:exit": () => checkCode(context) };
  },
});

/** What happened to a column: its recorded fate, or a contracted transition declared in settings. */
function fateOf(facts: ColumnFacts): Fate | undefined {
  if (facts.fate) return facts.fate;
  const contracted = facts.asOld.find((t) => t.phase === "contracted");
  return contracted ? { kind: "dropped", migration: contracted.evidence.find((e) => e.migration)?.migration ?? "a migration (declared in settings)" } : undefined;
}

/** The live column that took over: the rename's target, or the new column of a contracted transition. */
function replacementOf(facts: ColumnFacts, fate: Fate, catalog: Catalog): string | undefined {
  if (fate.kind === "renamed") return fate.to;
  const transition = facts.asOld.find((t) => t.phase === "contracted");
  return transition && catalog.knownColumns(transition.table).includes(transition.to) ? transition.to : undefined;
}

function columnData(table: QualifiedName, column: string, fate: Fate, byName: boolean): Record<string, string> {
  return {
    table: formatName(table),
    column: quoteIdent(column),
    migration: fate.migration,
    to: fate.kind === "renamed" ? quoteIdent(fate.to) : "",
    byName: byNameNote(byName),
  };
}

function checkCode(context: Context): void {
  const analysis = analysisFor(context);
  const { catalog } = analysis;
  const { sourceCode } = context;
  const loc = (range: Range) => ({ start: sourceCode.getLocFromIndex(range[0]), end: sourceCode.getLocFromIndex(range[1]) });
  for (const use of analysis.uses.columns) {
    for (const { facts, byName } of analysis.resolve(use)) {
      const fate = fateOf(facts);
      if (!fate) continue;
      const replacement = replacementOf(facts, fate, catalog);
      const text = replacement === undefined ? undefined : catalog.respell(facts.table, use.name, facts.column, replacement);
      // Offered only where the name is replaced as is: an identifier or a plain string of word characters.
      const fixable = use.replaceable && text !== undefined && /^[A-Za-z_$][\w$]*$/.test(text);
      context.report({
        loc: loc(use.range),
        messageId: fate.kind === "renamed" ? "renamedColumn" : "droppedColumn",
        data: columnData(facts.table, facts.column, fate, byName),
        ...(fixable ? { suggest: [{ messageId: "useReplacement", data: { replacement: text }, fix: (fixer) => fixer.replaceTextRange(use.range, text) }] } : {}),
      });
      break;
    }
  }
  for (const use of analysis.uses.tables) {
    const fate = catalog.tableFate(use.table);
    if (fate) context.report({ loc: loc(use.range), ...tableReport(use.table, fate) });
  }
}

function tableReport(table: QualifiedName, fate: Fate): { messageId: MessageIds; data: Record<string, string> } {
  return {
    messageId: fate.kind === "renamed" ? "renamedTable" : "droppedTable",
    data: { table: formatName(table), migration: fate.migration, to: fate.kind === "renamed" ? quoteIdent(fate.to) : "" },
  };
}

/** A .sql file outside the migrations (a report, a view, a BI query): the columns and tables its statements name. */
function checkSql(context: Context, sourceCode: SqlSourceCode): void {
  const catalog = catalogFor(context.cwd, context.settings as Record<string, unknown>);
  const document = sourceCode.ast.document;
  const { source } = document;
  for (const statement of document.statements) {
    if (!statement.checked) continue;
    const references = referencesOf([statement.node]);
    for (const reference of references.tables) {
      const fate = catalog.tableFate(reference.table);
      if (!fate) continue;
      const range = statement.byteBase < 0 ? statement.range : nameRangeAtLocation(statement, source, reference.location);
      context.report({ loc: source.locationOf(range), ...tableReport(reference.table, fate) });
    }
    for (const reference of references.columns) {
      for (const table of reference.tables) {
        const facts = catalog.facts(table, reference.column);
        const fate = facts ? fateOf(facts) : undefined;
        if (!facts || !fate) continue;
        context.report({
          loc: source.locationOf(columnRange(statement, source, reference.location, reference.qualifiers)),
          messageId: fate.kind === "renamed" ? "renamedColumn" : "droppedColumn",
          data: columnData(facts.table, facts.column, fate, false),
        });
        break;
      }
    }
  }
}

/** The column's own name in a reference (`u.full_name` → full_name), with PostgreSQL's lexer. */
function columnRange(statement: ParsedStatement, source: SqlSourceCode["ast"]["document"]["source"], location: number, qualifiers: number): Range {
  if (statement.byteBase < 0) return statement.range;
  const start = source.indexOfByte(statement.byteBase + location);
  const tokens = tokensOf(statement, source);
  let i = tokens.findIndex((t) => t.range[0] === start);
  if (i < 0) return statement.range;
  i += qualifiers * 2;
  return tokens[i]?.range ?? statement.range;
}
