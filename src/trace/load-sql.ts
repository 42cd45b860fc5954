/**
 * A migration as trace input: its up statements with their lines, the transaction each runs in under the
 * migration tool, and the rule ids the static lint reports on each — linted through ESLint's Linter with the
 * plugin's own config, so inline disable comments count as they do for the user. A TS/JS migration gives the SQL the
 * extractor finds in it, at the lines of the strings and calls it comes from, linted with the JS/TS config.
 */
import { isAbsolute, parse, relative, resolve } from "node:path";
import { Linter } from "eslint";
import { isScript, readMigration } from "../db/apply-migrations.js";
import type { StatementContext } from "../context/migration-context.js";
import type { MigrationSettings } from "../context/settings.js";
import plugin from "../eslint/plugin.js";
import { PLUGIN_NAMESPACE } from "../eslint/to-eslint-rule.js";
import { isTypeScript } from "../schema/js-migrations.js";
import type { SqlDocument } from "../sql/document.js";
import type { Location } from "../sql/source-text.js";
import { nodeOf } from "../sql/statement.js";
import type { TraceFileInput, TraceStatementInput } from "./model.js";

/**
 * @param path the file's path, used to recognise the migration tool (goose, Flyway…) as the linter does
 * @param shownAs the path printed in reports
 * @param cwd the project's directory, where the user runs ESLint: the lint's migration history is searched there
 */
export function loadSqlMigration(path: string, text: string, settings: MigrationSettings, shownAs: string = path, cwd: string = process.cwd()): TraceFileInput {
  const read = readMigration(path, text, settings);
  if (!read.ok) return { file: shownAs, statements: [], error: `the file could not be split into statements: ${read.error}` };
  const lint = lintIds(path, text, settings, read.document, cwd);
  const statements: TraceStatementInput[] = read.statements.map((up) => ({
    line: up.line,
    text: up.text,
    ...(up.statement.checked ? { parsed: up.statement } : {}),
    transaction: transactionKey(up.context),
    lint: lint.get(up.statement.index) ?? [],
    ...(up.statement.checked && nodeOf(up.statement, "TransactionStmt") ? { control: true } : up.notRun ? { notRun: up.notRun } : {}),
  }));
  return { file: shownAs, statements };
}

/**
 * Which transaction a statement runs in under the migration tool: the BEGIN that opened it, or the section the
 * runner wraps (or sends as one script); null when it runs on its own.
 */
function transactionKey(context: StatementContext): string | null {
  const tx = context.transaction;
  if (!tx.inside) return null;
  if (tx.why === "explicit") return `begin@${tx.beganAt}`;
  if (tx.why === "query") return `query@${tx.beganAt}`;
  // "runner" and "script": the whole section is one transaction. A top-level statement is never "do-block".
  return "section";
}

const linters = new Map<string, Linter>();
function linterFor(root: string): Linter {
  let linter = linters.get(root);
  if (!linter) linters.set(root, (linter = new Linter({ configType: "flat", cwd: root })));
  return linter;
}

/** Whether a (1-based line, 0-based column) position lies within a location. */
function holds(loc: Location, line: number, column: number): boolean {
  const after = line > loc.start.line || (line === loc.start.line && column >= loc.start.column);
  const before = line < loc.end.line || (line === loc.end.line && column <= loc.end.column);
  return after && before;
}

/**
 * Rule ids (without the plugin prefix) the lint reports, per top-level statement index of the document. The file is
 * linted as ESLint run in `cwd` lints it, migration history included. ESLint matches `files` patterns relative to
 * its cwd, so a file outside `cwd` is linted from the file system's root, without the history: searching for the
 * migrations before it from there would walk the whole disk.
 */
function lintIds(path: string, text: string, settings: MigrationSettings, document: SqlDocument, cwd: string): Map<number, string[]> {
  const file = resolve(cwd, path);
  const root = resolve(cwd);
  const fromRoot = relative(root, file);
  const inside = fromRoot !== "" && !fromRoot.startsWith("..") && !isAbsolute(fromRoot);
  const script = isScript(file);
  // configs.sql matches **/*.sql, configs.javascript and configs.typescript the script files.
  const base = script ? (isTypeScript(file) ? plugin.configs.typescript : plugin.configs.javascript) : plugin.configs.sql;
  const config = { ...base, settings: { [PLUGIN_NAMESPACE]: { ...settings, ...(inside ? {} : { history: false }) } } };
  const messages = linterFor(inside ? root : parse(file).root).verify(text, [config], file);
  const out = new Map<number, string[]>();
  const body = document.body;
  for (const message of messages) {
    if (!message.ruleId) continue;
    // The top-level statement that holds the message (a DO block's inner statements lie within it): by offset in a
    // .sql file; by position in a script, whose document offsets are those of the extracted SQL, not the file's.
    const index = (document.source.lineStarts[message.line - 1] ?? 0) + message.column - 1;
    const statement = script
      ? body.find((s) => holds(s.loc, message.line, message.column - 1))
      : (body.find((s) => index >= s.range[0] && index <= s.range[1]) ?? body.find((s) => s.loc.start.line === message.line));
    if (!statement) continue;
    const id = message.ruleId.replace(`${PLUGIN_NAMESPACE}/`, "");
    const ids = out.get(statement.index) ?? [];
    if (!ids.includes(id)) ids.push(id);
    out.set(statement.index, ids);
  }
  return out;
}
