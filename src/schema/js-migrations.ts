/**
 * Reads a JS/TS migration file (knex, Kysely, node-pg-migrate, TypeORM, …) for the history model: the same
 * extractor the migration rules use turns it into a SQL document with its up and down parts. The extractor needs an
 * ESLint SourceCode (scopes, to read constants), so the file goes through ESLint's Linter with one rule that keeps it.
 */
import { dirname, resolve } from "node:path";
import { Linter, type Rule } from "eslint";
import type { MigrationConvention } from "../context/conventions.js";
import { conventionFor, extractMigration, type EmbeddedMigration } from "../eslint/js/extract.js";
import { typescriptParser } from "../eslint/typescript-parser.js";
import type { SqlDocument } from "../sql/document.js";

export type ReadMigration = { readonly document: SqlDocument; readonly convention?: MigrationConvention } | { readonly skipped: string };

const TS_EXTENSIONS = /\.(ts|mts|cts|tsx)$/i;

/** A TypeScript file (read with typescript-eslint's parser), as opposed to JavaScript. */
export function isTypeScript(path: string): boolean {
  return TS_EXTENSIONS.test(path);
}

/**
 * @param transactionPerFile the `transactionPerFile` setting, applied to the framework's default as the migration
 *   rules apply it (undefined: the framework's default and the file's own opt-outs)
 */
export function readJsMigration(text: string, path: string, transactionPerFile?: boolean): ReadMigration {
  const typescript = isTypeScript(path);
  const parser = typescript ? typescriptParser : undefined;
  if (typescript && !parser) return { skipped: "TypeScript migrations need @typescript-eslint/parser, which is not installed" };
  let embedded: EmbeddedMigration | null = null;
  const capture: Rule.RuleModule = {
    create: (context) => ({
      "Program:exit"() {
        embedded = extractMigration(context.sourceCode);
      },
    }),
  };
  // ESLint matches `files` against the path relative to its cwd, and ignores a file outside it: the file's own
  // folder as cwd makes the pattern match wherever the file is.
  const linter = new Linter({ configType: "flat", cwd: dirname(resolve(path)) });
  const messages = linter.verify(
    text,
    [
      {
        // A pattern naming the extensions: ESLint does not lint .ts files matched only by a catch-all `**/*`.
        files: ["**/*.{js,mjs,cjs,jsx,ts,mts,cts,tsx}"],
        ...(parser ? { languageOptions: { parser } } : { languageOptions: { sourceType: "module" } }),
        plugins: { "migration-history": { rules: { capture } } },
        rules: { "migration-history/capture": "error" },
      },
    ],
    { filename: path },
  );
  const fatal = messages.find((m) => m.fatal);
  if (fatal) return { skipped: `it does not parse (${fatal.message}, line ${fatal.line})` };
  const found = embedded as EmbeddedMigration | null;
  if (!found) return { skipped: "it runs no SQL the extractor recognises" };
  return { document: found.document, convention: conventionFor(found, transactionPerFile) };
}
