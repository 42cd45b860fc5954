/**
 * `--format github`: one GitHub Actions workflow command per finding (`::error file=…,line=…::message`), which the
 * runner turns into an annotation on the pull request's diff.
 */
import { byPosition, displayPath, levelOf, safeSequenceUrl, type ReportInput } from "./common.js";

// Escaping as the runner's command parser reverses it (actions/toolkit, packages/core/src/command.ts): in the message
// "%", CR and LF; in a property value also ":" and "," (they separate properties).
export const escapeData = (value: string): string => value.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
export const escapeProperty = (value: string): string => escapeData(value).replace(/:/g, "%3A").replace(/,/g, "%2C");

export interface Annotation {
  readonly level: "error" | "warning" | "notice";
  readonly file: string;
  readonly line?: number | undefined;
  readonly endLine?: number | undefined;
  readonly col?: number | undefined;
  readonly endColumn?: number | undefined;
  readonly title?: string | undefined;
  readonly message: string;
}

/** One workflow command line, properties in the order GitHub documents them; absent ones are left out. */
export function workflowCommand(annotation: Annotation): string {
  const { level, message, ...properties } = annotation;
  const rendered = (["file", "line", "endLine", "col", "endColumn", "title"] as const)
    .filter((key) => properties[key] !== undefined)
    .map((key) => `${key}=${escapeProperty(String(properties[key]))}`);
  return `::${level} ${rendered.join(",")}::${escapeData(message)}`;
}

export function formatGithub(input: ReportInput): string {
  const lines: string[] = [];
  for (const result of input.results) {
    const file = displayPath(result.filePath, input.cwd);
    for (const message of [...result.messages].sort(byPosition)) {
      const url = safeSequenceUrl(message.ruleId, input.rulesMeta);
      const known = message.line > 0;
      // Annotations carry a column range only within one line (GitHub drops columns of multi-line ranges).
      const oneLine = known && (message.endLine === undefined || message.endLine === message.line);
      lines.push(
        workflowCommand({
          level: levelOf(message),
          file,
          line: known ? message.line : undefined,
          endLine: known ? message.endLine : undefined,
          col: oneLine ? message.column : undefined,
          endColumn: oneLine ? message.endColumn : undefined,
          title: message.ruleId ?? (message.fatal ? "parsing error" : undefined),
          message: url ? `${message.message}\nSafe sequence: ${url}` : message.message,
        }),
      );
    }
  }
  return lines.length ? `${lines.join("\n")}\n` : "";
}
