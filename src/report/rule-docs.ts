/**
 * The "Safe alternative, step by step" section of a rule's page in docs/rules/, for the PR summary. The package ships
 * docs/ (package.json "files"), so the section is read from disk next to the code; links are made absolute because
 * the text ends up in a pull request, far from the docs folder.
 */
import { existsSync, readFileSync } from "node:fs";
import { DOCS_BASE_URL } from "../eslint/to-eslint-rule.js";

export const SAFE_SEQUENCE_HEADING = "Safe alternative, step by step";

/** The body of the `## heading` section of a markdown page (up to the next `## `), trimmed; undefined if absent. */
export function extractSection(markdown: string, heading: string): string | undefined {
  const lines = markdown.split(/\r?\n/);
  const start = lines.findIndex((line) => line.trim() === `## ${heading}`);
  if (start < 0) return undefined;
  const body: string[] = [];
  let fence: string | undefined;
  for (const line of lines.slice(start + 1)) {
    // A "## " line inside a code block is code, not the next section.
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && (fence === undefined || (marker[0] === fence[0] && marker.length >= fence.length))) {
      fence = fence === undefined ? marker : undefined;
    }
    if (fence === undefined && /^##\s/.test(line)) break;
    body.push(line);
  }
  const text = body.join("\n").trim();
  return text || undefined;
}

/** Markdown links with a relative target (`[x](other-rule.md)`) pointed at `base` instead. */
export function absolutizeLinks(markdown: string, base: string): string {
  return markdown.replace(/\]\(([^)\s]+)\)/g, (whole, target: string) =>
    /^(?:[a-z][a-z0-9+.-]*:|#|\/)/i.test(target) ? whole : `](${new URL(target, base).href})`,
  );
}

let docsDir: URL | null | undefined; // null: looked, not found

/** docs/rules/ of this package: beside src/ when run from sources, two levels above dist/src/report/ when built. */
function rulesDocsDir(): URL | null {
  if (docsDir !== undefined) return docsDir;
  for (let dir = new URL(".", import.meta.url); ; dir = new URL("..", dir)) {
    const candidate = new URL("docs/rules/", dir);
    if (existsSync(new URL("package.json", dir)) && existsSync(candidate)) return (docsDir = candidate);
    if (dir.pathname === "/") return (docsDir = null);
  }
}

const cache = new Map<string, string | undefined>();

/** The safe sequence of one of this plugin's rules, with absolute links; undefined when the page is not there. */
export function loadSafeSequence(ruleName: string): string | undefined {
  if (cache.has(ruleName)) return cache.get(ruleName);
  const dir = rulesDocsDir();
  const file = dir && /^[a-z0-9-]+$/.test(ruleName) ? new URL(`${ruleName}.md`, dir) : undefined;
  const section = file && existsSync(file) ? extractSection(readFileSync(file, "utf8"), SAFE_SEQUENCE_HEADING) : undefined;
  const text = section && absolutizeLinks(section, DOCS_BASE_URL);
  cache.set(ruleName, text);
  return text;
}
