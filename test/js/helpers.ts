/**
 * Test helpers for JS/TS migrations: ESLint's RuleTester with the default espree parser (.js) and typescript-eslint's
 * parser (.ts), each rule wrapped as the plugin wraps it; and the SQL the extractor assembles from a file.
 *
 *   runJsRule(rule, { valid: [...], invalid: [...] });   // cases with filename "migrations/x.js"
 *   runTsRule(rule, { valid: [...], invalid: [...] });   // cases with filename "migrations/x.ts"
 */
import tsParser from "@typescript-eslint/parser";
import { Linter, RuleTester } from "eslint";
import plugin from "../../src/index.js";
import { extractMigration, type EmbeddedMigration } from "../../src/eslint/js/extract.js";
import { toEslintRule } from "../../src/eslint/to-eslint-rule.js";
import type { MigrationRule } from "../../src/rule.js";

type Run = Parameters<RuleTester["run"]>[2];
type Case = Run["valid"][number];

const languageOptions = { ecmaVersion: "latest", sourceType: "module" } as const;
const jsTester = new RuleTester({ languageOptions });
const tsTester = new RuleTester({ languageOptions: { ...languageOptions, parser: tsParser as Linter.Parser } });

/** Each case gets a migration file name unless it has one (the rules only look at files in migration folders). */
function named(tests: Run, extension: "js" | "ts"): Run {
  const withName = <T extends Case>(test: T): T =>
    typeof test === "string" ? ({ code: test, filename: `migrations/20240101_case.${extension}` } as unknown as T) : { filename: `migrations/20240101_case.${extension}`, ...(test as object) } as T;
  return { valid: tests.valid.map(withName), invalid: tests.invalid.map(withName) };
}

export function runJsRule(rule: MigrationRule, tests: Run): void {
  jsTester.run(`${rule.name} (JavaScript)`, toEslintRule(rule) as never, named(tests, "js"));
}

export function runTsRule(rule: MigrationRule, tests: Run): void {
  tsTester.run(`${rule.name} (TypeScript)`, toEslintRule(rule) as never, named(tests, "ts"));
}

const linter = new Linter({ configType: "flat" });

/** What the extractor makes of a file: the assembled SQL and its parsed document (null when it runs no SQL). */
export function extracted(code: string, filename = "migrations/20240101_case.js"): EmbeddedMigration | null {
  let result: EmbeddedMigration | null = null;
  const capture = {
    rules: {
      capture: {
        create(context: { sourceCode: unknown }) {
          return { "Program:exit": () => void (result = extractMigration(context.sourceCode as never)) };
        },
      },
    },
  };
  const messages = linter.verify(
    code,
    [
      {
        files: ["**/*.js", "**/*.ts"],
        ...(filename.endsWith(".ts") ? { languageOptions: { parser: tsParser as Linter.Parser } } : {}),
        plugins: { test: capture as never },
        rules: { "test/capture": "error" },
      },
    ],
    filename,
  );
  const fatal = messages.find((m) => m.fatal);
  if (fatal) throw new Error(`${filename} does not parse: ${fatal.message}`);
  return result;
}

/** The statements of the up (or down) part of a file, as SQL text; not-analysed parts as `NOT ANALYSED: reason`. */
export function statementsOf(code: string, filename?: string, phase: "up" | "down" = "up"): string[] {
  const embedded = extracted(code, filename);
  if (!embedded) return [];
  const section = embedded.convention.sections.findIndex((s) => s.phase === phase);
  return embedded.document.statements
    .filter((s) => s.section === section)
    .map((s) => (s.checked ? s.text : `NOT ANALYSED: ${s.reason}`));
}

export { plugin };
