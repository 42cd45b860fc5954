/**
 * The report formats of `migration-safety lint`. stylish and json are ESLint's own formatters (the output users
 * already know); sarif, markdown and github are ours.
 */
import type { ESLint } from "eslint";
import type { ReportInput } from "./common.js";
import { formatGithub } from "./github.js";
import { formatMarkdown, type MarkdownOptions } from "./markdown.js";
import { formatSarif } from "./sarif.js";

export const FORMATS = ["stylish", "json", "sarif", "markdown", "github"] as const;
export type FormatName = (typeof FORMATS)[number];

export interface FormatOptions {
  /** ESLint's formatters (stylish, json) are loaded through the ESLint instance that produced the results. */
  readonly eslint: Pick<ESLint, "loadFormatter">;
  readonly markdown?: MarkdownOptions;
}

export async function formatReport(format: FormatName, input: ReportInput, options: FormatOptions): Promise<string> {
  switch (format) {
    case "stylish":
    case "json": {
      const formatter = await options.eslint.loadFormatter(format);
      // ESLint fills in cwd and the rules' metadata itself.
      return formatter.format([...input.results]);
    }
    case "sarif":
      return formatSarif(input);
    case "markdown":
      return formatMarkdown(input, options.markdown);
    case "github":
      return formatGithub(input);
  }
}

export type { ReportInput } from "./common.js";
export type { MarkdownOptions, MigrationSource, VerificationRenderer } from "./markdown.js";
