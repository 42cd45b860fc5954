/**
 * Lint SQL text through ESLint's Linter with the plugin, the way a user's config would run it.
 */
import { Linter } from "eslint";
import plugin from "../../src/index.js";

const linter = new Linter({ configType: "flat" });

export interface LintOptions {
  /** Rule names (without prefix) to enable; default: the recommended set. */
  rules?: readonly string[];
  settings?: Record<string, unknown>;
  filename?: string;
}

export function lintSql(code: string, options: LintOptions = {}): Linter.LintMessage[] {
  const rules: Linter.RulesRecord = options.rules
    ? Object.fromEntries(options.rules.map((name) => [`migration-safety/${name}`, "error"]))
    : (plugin.configs.sql.rules as Linter.RulesRecord);
  return linter.verify(
    code,
    [
      {
        files: ["**/*.sql"],
        plugins: { "migration-safety": plugin as never },
        language: "migration-safety/sql",
        rules,
        settings: options.settings ?? {},
      },
    ],
    options.filename ?? "migrations/0001_test.sql",
  );
}

/** Rule ids (without prefix) of the messages, in order. */
export const ruleIds = (messages: readonly Linter.LintMessage[]): (string | null)[] =>
  messages.map((m) => (m.ruleId ? m.ruleId.replace(/^migration-safety\//, "") : null));
