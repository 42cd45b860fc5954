/**
 * The seam between the PR summary (`lint --format markdown`) and the verification generator (src/verify): for each
 * migration, the body of its "How to verify this migration" section — the read-only checks `migration-safety verify`
 * would print for that file, with the settings the linter used for it.
 */
import { readFileSync } from "node:fs";
import type { MigrationSettings } from "../context/settings.js";
import { planVerification, renderMarkdown } from "../verify/index.js";
import type { MigrationSource, VerificationRenderer } from "./markdown.js";

/** Markdown with every ATX heading outside code fences pushed `by` levels down (at most to level 6). */
export function demoteHeadings(markdown: string, by: number): string {
  let fence: string | undefined;
  return markdown
    .split("\n")
    .map((line) => {
      const marker = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
      if (marker && (fence === undefined || (marker[0] === fence[0] && marker.length >= fence.length))) {
        fence = fence === undefined ? marker : undefined;
        return line;
      }
      if (fence !== undefined) return line;
      return line.replace(/^(#{1,6})(?=\s)/, (hashes) => "#".repeat(Math.min(6, hashes.length + by)));
    })
    .join("\n");
}

/** A path as one shell word: as is when it is plain, else single-quoted. */
export const shellWord = (text: string): string => (/^[\w./@%+=:,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`);

/**
 * The renderer for the markdown format. `settingsFor` gives the settings the linter used for a file. A migration
 * with nothing to verify gets no section; one whose checks cannot be generated says so instead of hiding it.
 */
export function verificationRenderer(settingsFor: (filePath: string) => MigrationSettings | undefined): VerificationRenderer {
  return (migration: MigrationSource) => {
    try {
      const text = migration.source ?? readFileSync(migration.filePath, "utf8");
      const settings = settingsFor(migration.filePath);
      const plan = planVerification([{ path: migration.displayPath, text }], settings ? { settings } : {});
      if (plan.checks.length === 0 && plan.skipped.length === 0) return undefined;
      const body = renderMarkdown(plan.checks, { heading: false, skipped: plan.skipped, command: `migration-safety verify --run ${shellWord(migration.displayPath)}` });
      // The summary puts each migration under ### and this section under ####; the checks' own ### go below it.
      return demoteHeadings(body, 2);
    } catch (error) {
      // A file that cannot be split into statements is a finding of its own already; say why there is no SQL here.
      return `Verification SQL could not be generated for this file: ${(error instanceof Error ? error.message : String(error)).replace(/[\\`*_[\]<>|~&#!]/g, "\\$&")}`;
    }
  };
}
