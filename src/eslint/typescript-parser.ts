/**
 * typescript-eslint's parser, an optional peer dependency: TypeScript migrations need it (the rules need no type
 * information), and without it the TypeScript configs are left out rather than failing on every .ts file.
 *
 * It is loaded on the first TypeScript file parsed, not when the plugin loads: it brings the TypeScript compiler,
 * about half a second of start-up that a project of .sql migrations would otherwise pay on every lint. Until then
 * ESLint holds a stand-in that forwards to it, found (not loaded) by resolving the package.
 */
import { createRequire } from "node:module";
import type { Linter } from "eslint";

const require = createRequire(import.meta.url);
const PACKAGE = "@typescript-eslint/parser";

let loaded: Linter.Parser | undefined;
function load(): Linter.Parser {
  loaded ??= require(PACKAGE) as Linter.Parser;
  return loaded;
}

/** The installed version, or undefined when the package is not installed. */
function installedVersion(): string | undefined {
  try {
    return (require(`${PACKAGE}/package.json`) as { version: string }).version;
  } catch {
    return undefined;
  }
}

const version = installedVersion();

/** The parser for ESLint configs, loaded on first use; undefined when it is not installed. */
export const typescriptParser: Linter.Parser | undefined =
  version === undefined
    ? undefined
    : {
        // The same identity as the real parser, so ESLint's cache keys do not change with the stand-in.
        meta: { name: "typescript-eslint/parser", version },
        parseForESLint: (text: string, options?: unknown) => {
          const parser = load() as { parseForESLint: (text: string, options?: unknown) => Linter.ESLintParseResult };
          return parser.parseForESLint(text, options);
        },
      };
