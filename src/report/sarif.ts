/**
 * `--format sarif`: a SARIF 2.1.0 log for code scanning (github/codeql-action/upload-sarif and other SARIF viewers),
 * built with node-sarif-builder. Each rule that reported is described in `tool.driver.rules` with its docs page as
 * `helpUri`; columns are ESLint's (UTF-16 code units, which the run declares).
 */
import { pathToFileURL } from "node:url";
import type { Linter } from "eslint";
import { SarifBuilder, SarifResultBuilder, SarifRuleBuilder, SarifRunBuilder } from "node-sarif-builder";
import type { Log, Region } from "sarif";
import { DOCS_BASE_URL, PLUGIN_NAMESPACE } from "../eslint/to-eslint-rule.js";
import { packageVersion } from "../package-info.js";
import { byPosition, displayPath, levelOf, safeSequenceUrl, type ReportInput } from "./common.js";

/** The rule id given to a file that could not be parsed at all (ESLint reports it without a rule). */
export const PARSING_ERROR_RULE_ID = `${PLUGIN_NAMESPACE}/parsing-error`;

/** Results carry paths relative to this base, which the log maps to the directory the command ran in. */
const SOURCE_ROOT = "%SRCROOT%";

const REPOSITORY_URL = DOCS_BASE_URL.replace(/\/blob\/.*$/, "");

/** A relative path as a URI reference: each segment percent-encoded, so spaces and `#` stay part of the path. */
const toUriReference = (path: string): string => path.split("/").map(encodeURIComponent).join("/");

function regionOf(message: Linter.LintMessage): Region | undefined {
  if (!(message.line >= 1)) return undefined;
  const region: Region = { startLine: message.line };
  if (message.column >= 1) region.startColumn = message.column;
  if (message.endLine !== undefined && message.endLine >= message.line) region.endLine = message.endLine;
  if (message.endColumn !== undefined && message.endColumn >= 1) region.endColumn = message.endColumn;
  return region;
}

export function buildSarif(input: ReportInput): Log {
  const run = new SarifRunBuilder().initSimple({ toolDriverName: PLUGIN_NAMESPACE, toolDriverVersion: packageVersion(), url: REPOSITORY_URL });
  run.run.columnKind = "utf16CodeUnits";
  run.run.invocations = [{ executionSuccessful: true }];
  run.run.originalUriBaseIds = { [SOURCE_ROOT]: { uri: `${pathToFileURL(input.cwd).href.replace(/\/?$/, "/")}` } };

  const ruleIds = new Set<string>();
  const results: SarifResultBuilder[] = [];
  for (const result of input.results) {
    const uri = toUriReference(displayPath(result.filePath, input.cwd));
    for (const message of [...result.messages].sort(byPosition)) {
      const ruleId = message.ruleId ?? PARSING_ERROR_RULE_ID;
      ruleIds.add(ruleId);
      const builder = new SarifResultBuilder();
      builder.setRuleId(ruleId);
      builder.setLevel(levelOf(message));
      const url = safeSequenceUrl(message.ruleId, input.rulesMeta);
      builder.setMessageText(url ? `${message.message} Safe sequence: ${url}` : message.message);
      builder.setLocationArtifactUri({ uri, uriBaseId: SOURCE_ROOT });
      const region = regionOf(message);
      if (region) builder.setLocationRegion(region);
      results.push(builder);
    }
  }

  for (const ruleId of [...ruleIds].sort()) {
    const meta = input.rulesMeta[ruleId];
    const rule = new SarifRuleBuilder().initSimple({
      ruleId,
      shortDescriptionText:
        ruleId === PARSING_ERROR_RULE_ID ? "The file could not be parsed, so nothing in it was checked." : (meta?.docs?.description ?? ruleId),
      ...(meta?.docs?.url ? { helpUri: meta.docs.url } : {}),
    });
    if (meta?.docs?.url) rule.rule.help = { text: `What breaks, the lock taken and the safe sequence: ${meta.docs.url}` };
    run.addRule(rule);
  }
  for (const result of results) run.addResult(result);

  const log = new SarifBuilder();
  log.addRun(run);
  return log.buildSarifOutput();
}

export const formatSarif = (input: ReportInput): string => `${JSON.stringify(buildSarif(input), null, 2)}\n`;
