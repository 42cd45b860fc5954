/**
 * The report formats on real lint results, including files and identifiers chosen to break naive output: SARIF
 * validates against the official SARIF 2.1.0 schema, `github` lines parse back under the workflow-command syntax,
 * markdown parses into the intended structure.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import * as ajvFormats from "ajv-formats";
import { ESLint, type Linter } from "eslint";
import { fromMarkdown } from "mdast-util-from-markdown";
import type { Code, Heading, Nodes, Root } from "mdast";
import { describe, expect, it } from "vitest";
import plugin from "../../src/index.js";
import { allRules } from "../../rules/index.js";
import { docsUrl } from "../../src/eslint/to-eslint-rule.js";
import type { ReportInput } from "../../src/report/common.js";
import { SAFE_SEQUENCE_ANCHOR } from "../../src/report/common.js";
import { escapeData, escapeProperty, formatGithub, workflowCommand } from "../../src/report/github.js";
import { applySuggestion, codeBlock, formatMarkdown, inlineCode, VERIFY_HEADING } from "../../src/report/markdown.js";
import { absolutizeLinks, extractSection, loadSafeSequence } from "../../src/report/rule-docs.js";
import { buildSarif, PARSING_ERROR_RULE_ID } from "../../src/report/sarif.js";
import { demoteHeadings, verificationRenderer } from "../../src/report/verification.js";
import { tempProject } from "./helpers.js";

// File names with the characters each format must escape: spaces, %, commas and colons (workflow-command
// properties), # (URI fragments), backticks and brackets (markdown).
const files: Record<string, string> = {
  "db/migrations/001 create, index: 100%.sql": 'CREATE INDEX "idx_we`ird" ON "Tab,le: 50%" ("col\nx");\n',
  "db/migrations/002_#drop[1].sql": "-- drop it\nSET lock_timeout = '1s';\nALTER TABLE users DROP COLUMN \"<b>*legacy*</b> | x\";\n",
  "db/migrations/003_broken.sql": "SELECT 'never closed",
  "db/migrations/004_clean.sql": "CREATE TABLE t (id int);\n",
};

async function lintProject(): Promise<ReportInput & { eslint: ESLint }> {
  const cwd = tempProject(files);
  const eslint = new ESLint({ cwd, overrideConfigFile: true, overrideConfig: plugin.configs.recommended as Linter.Config[] });
  const results = (await eslint.lintFiles(["db/migrations"])).sort((a, b) => a.filePath.localeCompare(b.filePath));
  return { eslint, results, rulesMeta: eslint.getRulesMetaForResults(results), cwd };
}

const input = await lintProject();
const messageCount = input.results.reduce((n, r) => n + r.messages.length, 0);

describe("the lint results used below", () => {
  it("hold findings, a fatal parse error and a clean file", () => {
    expect(input.results).toHaveLength(4);
    expect(input.results[2]!.messages).toEqual([expect.objectContaining({ fatal: true, ruleId: null })]);
    expect(input.results[3]!.messages).toEqual([]);
    expect(messageCount).toBeGreaterThanOrEqual(4);
  });
});

describe("--format sarif", () => {
  // The official OASIS schema (SARIF 2.1.0 Errata 01, schemas/sarif-schema-2.1.0.json), stored verbatim beside this
  // test. It is written in JSON Schema draft-04, which Ajv 8 reads as draft-07 once the root `id` is spelled `$id`:
  // the only draft-04 keyword it uses that changed meaning (it has no boolean exclusiveMinimum/exclusiveMaximum).
  const official = JSON.parse(readFileSync(new URL("sarif-schema-2.1.0.json", import.meta.url), "utf8")) as Record<string, unknown>;
  const { id, $schema, ...rest } = official;
  const ajv = new Ajv({ strict: false, allErrors: true });
  // ajv-formats is CommonJS with `exports.default`; under NodeNext its default import is the module object.
  const addFormats = ajvFormats.default as unknown as (ajv: Ajv) => Ajv;
  addFormats(ajv);
  const validate = ajv.compile({ ...rest, $schema: "http://json-schema.org/draft-07/schema#", $id: id as string });
  const log = buildSarif(input);

  it("uses the official schema, whose draft-04 keywords mean the same in draft-07", () => {
    expect(official.title).toBe("Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema");
    expect($schema).toBe("http://json-schema.org/draft-04/schema#");
    expect(JSON.stringify(official)).not.toMatch(/exclusiveM(?:in|ax)imum/);
  });

  it("validates against the SARIF 2.1.0 schema", () => {
    expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it("is rejected by the validator when broken (the check is real)", () => {
    const broken = structuredClone(log);
    broken.runs[0]!.results![0]!.level = "fatal" as never;
    broken.runs[0]!.results![1]!.locations![0]!.physicalLocation!.artifactLocation!.uri = "not a uri reference";
    expect(validate(broken)).toBe(false);
    expect(validate.errors!.map((e) => e.keyword).sort()).toEqual(["enum", "format"]);
  });

  it("has one result per message, with its rule described in tool.driver.rules and helpUri the rule's docs", () => {
    const run = log.runs[0]!;
    expect(run.results).toHaveLength(messageCount);
    expect(run.columnKind).toBe("utf16CodeUnits");
    const rules = new Map(run.tool.driver.rules!.map((rule) => [rule.id, rule]));
    for (const result of run.results!) {
      const rule = rules.get(result.ruleId!)!;
      expect(rule, result.ruleId).toBeDefined();
      expect(run.tool.driver.rules![result.ruleIndex!]).toBe(rule);
      if (result.ruleId !== PARSING_ERROR_RULE_ID) expect(rule.helpUri).toBe(docsUrl(result.ruleId!.replace("migration-safety/", "")));
    }
    expect(rules.get(PARSING_ERROR_RULE_ID)?.shortDescription?.text).toMatch(/could not be parsed/);
  });

  it("points at the file (percent-encoded relative URI) and the ESLint range", () => {
    const result = log.runs[0]!.results!.find((r) => r.ruleId === "migration-safety/require-concurrent-index")!;
    const location = result.locations![0]!.physicalLocation!;
    expect(location.artifactLocation).toMatchObject({ uri: "db/migrations/001%20create%2C%20index%3A%20100%25.sql", uriBaseId: "%SRCROOT%" });
    expect(decodeURIComponent(location.artifactLocation!.uri!)).toBe("db/migrations/001 create, index: 100%.sql");
    const message = input.results[0]!.messages.find((m) => m.ruleId === "migration-safety/require-concurrent-index")!;
    expect(location.region).toEqual({ startLine: message.line, startColumn: message.column, endLine: message.endLine, endColumn: message.endColumn });
    expect(location.region).toMatchObject({ startLine: 1, endLine: 2 });
    // Resolved against the base the log declares, the URI names the linted file.
    const base = log.runs[0]!.originalUriBaseIds!["%SRCROOT%"]!.uri!;
    expect(fileURLToPath(new URL(location.artifactLocation!.uri!, base))).toBe(join(input.cwd, "db/migrations/001 create, index: 100%.sql"));
  });
});

/** The runner's parser for `::command prop=value,…::message` (actions/toolkit escaping, reversed). */
function parseWorkflowCommand(line: string): { command: string; properties: Record<string, string>; message: string } {
  const match = /^::([a-z]+)(?: ([^:]*))?::(.*)$/.exec(line);
  if (!match) throw new Error(`not a workflow command: ${line}`);
  const unescape = (value: string) => value.replace(/%3A/g, ":").replace(/%2C/g, ",").replace(/%0D/g, "\r").replace(/%0A/g, "\n").replace(/%25/g, "%");
  const properties: Record<string, string> = {};
  for (const pair of (match[2] ?? "").split(",").filter(Boolean)) {
    const eq = pair.indexOf("=");
    properties[pair.slice(0, eq)] = unescape(pair.slice(eq + 1));
  }
  return { command: match[1]!, properties, message: unescape(match[3]!) };
}

describe("--format github", () => {
  const lines = formatGithub(input).trimEnd().split("\n");

  it("escapes data and properties as the runner expects", () => {
    expect(escapeData("100% done\r\nnext")).toBe("100%25 done%0D%0Anext");
    expect(escapeProperty("a,b: 5%\n")).toBe("a%2Cb%3A 5%25%0A");
    expect(workflowCommand({ level: "warning", file: "a,b.sql", line: 3, title: "t:x", message: "m::n" })).toBe("::warning file=a%2Cb.sql,line=3,title=t%3Ax::m::n");
  });

  it("writes one workflow command per finding, which parses back to the original path, position and message", () => {
    expect(lines).toHaveLength(messageCount);
    const parsed = lines.map(parseWorkflowCommand);
    const expected = input.results.flatMap((result) =>
      result.messages.map((m) => ({ file: result.filePath.slice(input.cwd.length + 1), line: String(m.line), message: m.message, rule: m.ruleId })),
    );
    for (const want of expected) {
      const got = parsed.find((p) => p.properties.file === want.file && p.properties.line === want.line && p.message.startsWith(want.message));
      expect(got, JSON.stringify(want)).toBeDefined();
      expect(got!.command).toBe("error");
      expect(got!.properties.title).toBe(want.rule ?? "parsing error");
    }
    // A message with a line break stays on one line of output.
    expect(lines.every((line) => !line.includes("\r"))).toBe(true);
  });

  it("gives a column range only to one-line findings, and links the safe sequence", () => {
    const multiLine = parseWorkflowCommand(lines.find((l) => l.includes("require-concurrent-index"))!);
    expect(multiLine.properties).toMatchObject({ line: "1", endLine: "2" });
    expect(multiLine.properties.col).toBeUndefined();
    const oneLine = parseWorkflowCommand(lines.find((l) => l.includes("no-drop-column"))!);
    expect(oneLine.properties).toMatchObject({ line: "3", endLine: "3", col: expect.any(String), endColumn: expect.any(String) });
    expect(oneLine.message).toMatch(new RegExp(`\\nSafe sequence: https://\\S+/no-drop-column\\.md#${SAFE_SEQUENCE_ANCHOR}$`));
  });

  it("prints nothing for clean results", () => {
    expect(formatGithub({ ...input, results: [input.results[3]!] })).toBe("");
  });
});

const textOf = (node: Nodes): string =>
  "value" in node && typeof node.value === "string" ? node.value : "children" in node ? (node.children as Nodes[]).map(textOf).join("") : "";

function walk(node: Nodes, visit: (node: Nodes) => void): void {
  visit(node);
  if ("children" in node) for (const child of node.children as Nodes[]) walk(child, visit);
}

function nodesOf<T extends Nodes["type"]>(tree: Root, type: T): Extract<Nodes, { type: T }>[] {
  const found: Nodes[] = [];
  walk(tree, (node) => node.type === type && found.push(node));
  return found as Extract<Nodes, { type: T }>[];
}

describe("--format markdown", () => {
  const verified: string[] = [];
  const markdown = formatMarkdown(input, {
    verification: (migration) => {
      verified.push(migration.displayPath);
      return "```sql\nSELECT count(*) FROM users WHERE display_name IS NULL;\n```";
    },
  });
  const tree = fromMarkdown(markdown);
  const headings = nodesOf(tree, "heading") as Heading[];

  it("has a title, one heading per migration (findings first) and a verification section under each", () => {
    expect(headings.filter((h) => h.depth === 2).map(textOf)).toEqual(["Migration safety"]);
    const migrations = headings.filter((h) => h.depth === 3).map(textOf);
    expect(migrations).toEqual([
      expect.stringContaining("db/migrations/001 create, index: 100%.sql"),
      expect.stringContaining("db/migrations/002_#drop[1].sql"),
      expect.stringContaining("db/migrations/003_broken.sql"),
      expect.stringContaining("db/migrations/004_clean.sql"),
    ]);
    expect(headings.filter((h) => h.depth === 4).map(textOf)).toEqual(Array(4).fill(VERIFY_HEADING));
    expect(verified.sort()).toEqual(Object.keys(files).sort());
  });

  it("keeps hostile identifiers and paths as text: no stray HTML, emphasis, links or tables", () => {
    const html = nodesOf(tree, "html").map((n) => n.value.trim());
    expect(html.every((value) => /^<\/?(details|summary|sub)\b/.test(value))).toBe(true);
    expect(nodesOf(tree, "emphasis")).toEqual([]);
    const links = nodesOf(tree, "link").map((l) => l.url);
    expect(links.length).toBeGreaterThan(0);
    expect(links.every((url) => url.startsWith("https://"))).toBe(true);
    expect(markdown).toContain("\\<b\\>\\*legacy\\*\\</b\\> \\| x");
    expect(nodesOf(tree, "paragraph").map(textOf).join("\n")).toContain("<b>*legacy*</b> | x");
  });

  it("links each finding to its rule's safe sequence and folds the sequence in", () => {
    const ruleLinks = nodesOf(tree, "link").map((l) => l.url).filter((url) => url.includes("/docs/rules/"));
    expect(ruleLinks).toContain(`${docsUrl("no-drop-column")}#${SAFE_SEQUENCE_ANCHOR}`);
    expect(markdown).toContain("<summary>Safe sequence: no-drop-column</summary>");
    expect(markdown).toContain(loadSafeSequence("no-drop-column")!.slice(0, 200));
  });

  it("shows suggested rewrites as SQL code blocks that hold the rewritten statement", () => {
    const sql = (nodesOf(tree, "code") as Code[]).filter((c) => c.lang === "sql").map((c) => c.value);
    expect(sql).toContain('CREATE INDEX CONCURRENTLY "idx_we`ird" ON "Tab,le: 50%" ("col\nx");');
    expect(sql).toContain("SELECT count(*) FROM users WHERE display_name IS NULL;");
  });

  it("summarises clean input", () => {
    const clean = formatMarkdown({ ...input, results: [input.results[3]!] });
    expect(clean).toMatch(/No unsafe step found in 1 migration\./);
    expect(formatMarkdown({ ...input, results: [] })).toMatch(/No migration files were checked\./);
  });
});

describe("markdown building blocks", () => {
  it("inline code and code blocks hold any backtick run", () => {
    const tree = fromMarkdown(`${inlineCode("a ``` b")} and\n\n${codeBlock("x\n```\ny", "sql")}\n`);
    expect(nodesOf(tree, "inlineCode").map((n) => n.value)).toEqual(["a ``` b"]);
    expect(nodesOf(tree, "code").map((n) => n.value)).toEqual(["x\n```\ny"]);
  });

  it("applySuggestion shows the whole rewritten lines, with the reported statement", () => {
    const source = "SELECT 1;\nALTER TABLE t ADD COLUMN c int;\nSELECT 2;\n";
    const at = source.indexOf("ALTER");
    expect(applySuggestion(source, { range: [at, at], text: "SET lock_timeout = '2s';\n" }, [at, at + 31])).toBe(
      "SET lock_timeout = '2s';\nALTER TABLE t ADD COLUMN c int;",
    );
  });
});

describe("rule docs: the safe sequence", () => {
  it("every rule's page has the section the reports link to", () => {
    for (const rule of allRules) expect(loadSafeSequence(rule.name), rule.name).toMatch(/\S/);
  });

  it("extracts a section up to the next heading, not stopping at '## ' inside code", () => {
    const page = "# t\n\n## A\n\none\n\n```sql\n## not a heading\n```\n\n## B\n\ntwo\n";
    expect(extractSection(page, "A")).toBe("one\n\n```sql\n## not a heading\n```");
    expect(extractSection(page, "C")).toBeUndefined();
  });

  it("makes relative links absolute", () => {
    expect(absolutizeLinks("see [x](no-drop-column.md) and [y](https://e.org/a) [z](#here)", "https://h/docs/rules/")).toBe(
      "see [x](https://h/docs/rules/no-drop-column.md) and [y](https://e.org/a) [z](#here)",
    );
  });
});

describe("the verification section (src/verify through src/report/verification.ts)", () => {
  it("renders the checks of a migration, headings below the summary's, or nothing when there is nothing to verify", () => {
    const render = verificationRenderer(() => undefined);
    const section = render({ filePath: "/x/1.sql", displayPath: "db/migrations/1 it's.sql", source: "CREATE INDEX CONCURRENTLY i ON users (email);\n" })!;
    expect(section).toMatch(/^##### /m);
    expect(section).not.toMatch(/^#{1,4} /m);
    expect(section).toContain("`migration-safety verify --run 'db/migrations/1 it'\\''s.sql'`");
    expect(render({ filePath: "/x/2.sql", displayPath: "2.sql", source: "SELECT 1;\n" })).toBeUndefined();
  });

  it("says so when the checks cannot be generated", () => {
    const section = verificationRenderer(() => undefined)({ filePath: "/x/3.sql", displayPath: "3.sql", source: "SELECT 'never closed" });
    expect(section).toMatch(/^Verification SQL could not be generated for this file: /);
  });

  it("demotes headings outside code fences only", () => {
    expect(demoteHeadings("### a\n```sql\n### b\n```\n###### c", 2)).toBe("##### a\n```sql\n### b\n```\n###### c");
  });
});
