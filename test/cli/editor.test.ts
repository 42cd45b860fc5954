/**
 * The SQL language the way the VS Code ESLint extension drives it: one ESLint instance per workspace, `lintText`
 * with the document's path on every change, suggestions offered as quick fixes (applied by the editor as text
 * edits), "fix all" through ESLint's `fix` option (which never applies suggestions), and the "disable rule" quick
 * fix writing a comment in the style `eslint.codeAction.disableRuleComment.commentStyle` asks for.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ESLint, type Linter } from "eslint";
import { describe, expect, it } from "vitest";
import plugin from "../../src/index.js";
import { ESLINT_VALIDATE } from "../../src/cli/init-plan.js";
import { repoRoot, tempProject } from "./helpers.js";

const workspace = tempProject();
const options: ESLint.Options = { cwd: workspace, overrideConfigFile: true, overrideConfig: plugin.configs.recommended as Linter.Config[] };
const eslint = new ESLint(options);

/** What the extension does on each keystroke: lint the unsaved text under the document's path. */
async function lintDocument(text: string, path = "db/migrations/004_index.sql", instance = eslint): Promise<ESLint.LintResult> {
  const [result] = await instance.lintText(text, { filePath: join(workspace, path), warnIgnored: false });
  return result!;
}

/** The editor applying a suggestion: one text edit replacing `range` with `text`. */
const applyEdit = (text: string, fix: { range: [number, number]; text: string }) => text.slice(0, fix.range[0]) + fix.text + text.slice(fix.range[1]);

const rules = (result: ESLint.LintResult) => result.messages.map((m) => m.ruleId);
const UNSAFE = "SET lock_timeout = '2s';\nCREATE INDEX idx_users_email ON users (email);\n";

describe("lintText with the document's path", () => {
  it("reports on the statement, with the safe rewrite as a suggestion whose edit makes the finding go away", async () => {
    const result = await lintDocument(UNSAFE);
    expect(rules(result)).toEqual(["migration-safety/require-concurrent-index"]);
    const [message] = result.messages;
    expect(message).toMatchObject({ line: 2, column: 1, endLine: 2, endColumn: 46, severity: 2 });
    expect(message!.suggestions).toEqual([
      expect.objectContaining({ desc: "Add CONCURRENTLY (and run the statement outside a transaction block).", fix: { range: [37, 37], text: " CONCURRENTLY" } }),
    ]);
    const fixed = applyEdit(UNSAFE, message!.suggestions![0]!.fix);
    expect(fixed).toContain("CREATE INDEX CONCURRENTLY idx_users_email");
    expect(rules(await lintDocument(fixed))).toEqual([]);
  });

  it("'fix all' (ESLint's fix option) leaves the text alone: suggestions are never applied automatically", async () => {
    const fixing = new ESLint({ ...options, fix: true });
    const result = await lintDocument(UNSAFE, undefined, fixing);
    expect(result.output).toBeUndefined();
    expect(result.messages[0]!.suggestions).toHaveLength(1);
  });

  it("stays quiet on a .sql file the config does not cover (warnIgnored: false, as the extension passes)", async () => {
    const results = await eslint.lintText(UNSAFE, { filePath: join(workspace, "queries/report.sql"), warnIgnored: false });
    expect(results).toEqual([]);
  });

  it("survives half-typed text: the unfinished statement is reported as not checked, the others still are", async () => {
    const result = await lintDocument("CREATE INDEX a ON t (x);\nALTER TABLE users ADD COL\n");
    expect(rules(result)).toEqual(["migration-safety/require-concurrent-index", "migration-safety/require-lock-timeout", "migration-safety/no-unchecked-statement"]);
  });
});

describe("the 'disable rule' quick fix", () => {
  const disabled = (comment: string) => `SET lock_timeout = '2s';\n${comment}\nCREATE INDEX idx_users_email ON users (email);\n`;

  it('with commentStyle "block" writes a comment that is valid SQL and silences the rule', async () => {
    const result = await lintDocument(disabled("/* eslint-disable-next-line migration-safety/require-concurrent-index */"));
    expect(result.messages).toEqual([]);
  });

  it('with the default commentStyle "line" writes `//`, which is not SQL: the statement is no longer checked', async () => {
    const result = await lintDocument(disabled("// eslint-disable-next-line migration-safety/require-concurrent-index"));
    expect(rules(result)).toEqual(["migration-safety/no-unchecked-statement"]);
  });
});

describe("examples/project/.vscode/settings.json", () => {
  it("validates sql and the JS/TS language ids, and asks for block comments", () => {
    const settings = JSON.parse(readFileSync(join(repoRoot, "examples/project/.vscode/settings.json"), "utf8")) as Record<string, unknown>;
    expect(settings["eslint.validate"]).toEqual([...ESLINT_VALIDATE]);
    expect(settings["eslint.codeAction.disableRuleComment"]).toMatchObject({ commentStyle: "block" });
    expect(settings).not.toHaveProperty("eslint.probe");
  });
});
