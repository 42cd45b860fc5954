/**
 * The adapter from our rules (pure functions over statements) to ESLint rules. All rules of a file share one
 * migration analysis, computed by the first rule that asks for it, with the schema history of the file's earlier
 * migrations (the only I/O a migration rule's context involves).
 */
import type { RuleDefinition } from "@eslint/core";
import { analyzeMigration, type StatementContext } from "../context/migration-context.js";
import { readSettings, type MigrationSettings } from "../context/settings.js";
import type { Finding, MigrationRule } from "../rule.js";
import type { SqlDocument } from "../sql/document.js";
import type { Range } from "../sql/source-text.js";
import type { SourceCode as JsSourceCode } from "eslint";
import type { MigrationConvention } from "../context/conventions.js";
import { resolve } from "node:path";
import { loadSchemaHistory, rememberDocument } from "../schema/load.js";
import type { SchemaHistory } from "../schema/model.js";
import { conventionFor, extractMigration } from "./js/extract.js";
import { SqlSourceCode } from "./sql-source-code.js";

export const PLUGIN_NAMESPACE = "migration-safety";
export const SQL_LANGUAGE = `${PLUGIN_NAMESPACE}/sql`;
export const DOCS_BASE_URL = "https://github.com/eslint-plugin-migration-safety/eslint-plugin-migration-safety/blob/main/docs/rules/";

export const docsUrl = (ruleName: string): string => `${DOCS_BASE_URL}${ruleName}.md`;

const analyses = new WeakMap<
  SqlDocument,
  { settings: MigrationSettings; path: string | undefined; history: SchemaHistory | undefined; contexts: StatementContext[] }
>();

/** The per-statement contexts of a document, computed once per file, settings and history. */
export function analysisOf(
  document: SqlDocument,
  settings: MigrationSettings,
  path?: string,
  convention?: MigrationConvention,
  history?: SchemaHistory,
): StatementContext[] {
  const cached = analyses.get(document);
  if (cached && cached.settings === settings && cached.path === path && cached.history === history) return cached.contexts;
  const contexts = analyzeMigration(document, settings, path, convention, history);
  analyses.set(document, { settings, path, history, contexts });
  return contexts;
}

const histories = new WeakMap<SqlDocument, { history: SchemaHistory | undefined }>();

/**
 * The schema the project's earlier migrations leave, for the file ESLint is linting (the file-system edge: the
 * migrations are found, read and replayed once per run by src/schema/load.ts; each file only looks its position up).
 * Once per document, whichever rule asks first.
 */
function historyOf(document: SqlDocument, cwd: string, filename: string, settings: Record<string, unknown> | undefined, sql = false): SchemaHistory | undefined {
  const cached = histories.get(document);
  if (cached) return cached.history;
  // The history of the files after this one can replay this document rather than parse the file again.
  if (sql) rememberDocument(resolve(cwd, filename), document.source.text, document);
  const history = loadSchemaHistory({ cwd, settings, filename });
  histories.set(document, { history });
  return history;
}

/** A finding placed in the file: its range defaults to the statement it was found on. */
export type PlacedFinding<M extends string> = Finding<M> & { readonly range: Range };

/** Run a rule over every statement of a document; findings in execution order. */
export function* runRule<M extends string>(
  rule: MigrationRule<M>,
  document: SqlDocument,
  settings: MigrationSettings,
  path?: string,
  convention?: MigrationConvention,
  history?: SchemaHistory,
): Generator<PlacedFinding<M>> {
  const contexts = analysisOf(document, settings, path, convention, history);
  const kinds = rule.meta.statementKinds ? new Set<string>(rule.meta.statementKinds) : undefined;
  for (const statement of document.statements) {
    if (kinds && statement.checked && !kinds.has(statement.type)) continue;
    const context = contexts[statement.index]!;
    // Contract rules do not apply to rollbacks: a down migration that drops a column undoes an expand.
    if (context.phase === "down" && !rule.meta.appliesToRollbacks) continue;
    const findings = statement.checked ? rule.check?.(statement, context) : rule.checkUnchecked?.(statement, context);
    // A suggestion built from a templated statement's AST would write the parser's stand-ins (__schema_) into the file.
    const templated = document.placeholders.some(([start]) => start >= statement.range[0] && start < statement.range[1]);
    for (const finding of findings ?? []) {
      yield { ...finding, range: finding.range ?? statement.range, ...(templated ? { suggestions: [] } : {}) };
    }
  }
}

export function toEslintRule<M extends string>(rule: MigrationRule<M>): RuleDefinition {
  const { meta } = rule;
  return {
    meta: {
      type: meta.type,
      docs: { description: meta.description, recommended: meta.recommended, url: docsUrl(rule.name) },
      messages: meta.messages,
      schema: [],
      ...(meta.hasSuggestions ? { hasSuggestions: true } : {}),
      // .sql files through our language; JS/TS migrations through ESLint's own (espree or typescript-eslint).
      languages: [SQL_LANGUAGE, "js/js"],
    },
    create(context) {
      const sourceCode = context.sourceCode;
      const settings = readSettings(context.settings as Record<string, unknown>);
      if (sourceCode instanceof SqlSourceCode) {
        const document = sourceCode.ast.document;
        return {
          SqlScript() {
            const history = historyOf(document, context.cwd, context.filename, context.settings, true);
            for (const finding of runRule(rule, document, settings, context.filename, undefined, history)) {
              context.report({
                loc: document.source.locationOf(finding.range),
                messageId: finding.messageId,
                ...(finding.data ? { data: finding.data } : {}),
                ...(finding.suggestions?.length
                  ? {
                      suggest: finding.suggestions.map((s) => ({
                        messageId: s.messageId,
                        ...(s.data ? { data: s.data } : {}),
                        fix: (fixer) => fixer.replaceTextRange(s.range, s.text),
                      })),
                    }
                  : {}),
              });
            }
          },
        };
      }
      return {
        "Program:exit"() {
          const js = sourceCode as unknown as JsSourceCode;
          const embedded = extractMigration(js, settings.migrationTool);
          if (!embedded) return;
          const convention = conventionFor(embedded, settings.transactionPerFile);
          const history = historyOf(embedded.document, context.cwd, context.filename, context.settings);
          for (const finding of runRule(rule, embedded.document, settings, context.filename, convention, history)) {
            // Findings land on the string, template literal or builder call the SQL came from. No suggestions:
            // an SQL rewrite cannot be pasted into JavaScript source safely.
            const [start, end] = embedded.synthetic.toSource(finding.range);
            context.report({
              loc: { start: js.getLocFromIndex(start), end: js.getLocFromIndex(end) },
              messageId: finding.messageId,
              ...(finding.data ? { data: finding.data } : {}),
            });
          }
        },
      };
    },
  };
}
