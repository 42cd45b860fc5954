/**
 * No suggestion proposes syntax the target PostgreSQL version lacks. For every rule with suggestions, the code of
 * its RuleTester invalid cases, the Incorrect examples of its doc page and its unsafe fixture are linted with
 * postgresVersion set to each version below; every suggestion is applied, the result must parse (PostgreSQL 18's
 * grammar), and it must not introduce a feature newer than the target version (docs/postgres-versions.md).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import type { Node } from "@pgsql/types";
import { describe, expect, it, vi } from "vitest";
import { runRule } from "../src/eslint/to-eslint-rule.js";
import { readSettings } from "../src/context/settings.js";
import type { MigrationRule } from "../src/rule.js";
import { parseDocument } from "../src/sql/document.js";

type Case = string | { code: string; settings?: Record<string, unknown>; filename?: string };
const captured = vi.hoisted(() => [] as { rule: MigrationRule; invalid: Case[] }[]);

// Importing a rule's test file hands its cases to this stand-in instead of running them.
vi.mock("./helpers/sql-rule-tester.js", () => ({
  runSqlRule: (rule: MigrationRule, tests: { invalid?: Case[] }) => void captured.push({ rule, invalid: tests.invalid ?? [] }),
}));

const VERSIONS = [10, 11, 12, 13, 14, 17, 18];

/** Syntax that PostgreSQL accepts only from some major version on, recognised in the parse tree. */
const FEATURES: readonly { name: string; since: number; test: (kind: string, fields: Record<string, unknown>) => boolean }[] = [
  { name: "identity column", since: 10, test: (k, f) => (k === "Constraint" && f.contype === "CONSTR_IDENTITY") || (k === "AlterTableCmd" && f.subtype === "AT_AddIdentity") },
  { name: "generated column", since: 12, test: (k, f) => k === "Constraint" && f.contype === "CONSTR_GENERATED" },
  { name: "REINDEX … CONCURRENTLY", since: 12, test: (k, f) => k === "ReindexStmt" && hasOption(f.params, "concurrently") },
  { name: "DETACH PARTITION … CONCURRENTLY", since: 14, test: (k, f) => k === "PartitionCmd" && f.concurrent === true },
  { name: "NULLS NOT DISTINCT", since: 15, test: (k, f) => (k === "IndexStmt" || k === "Constraint") && f.nulls_not_distinct === true },
  { name: "MERGE", since: 15, test: (k) => k === "MergeStmt" },
  { name: "SET EXPRESSION", since: 17, test: (k, f) => k === "AlterTableCmd" && f.subtype === "AT_SetExpression" },
  { name: "VIRTUAL generated column", since: 18, test: (k, f) => k === "Constraint" && f.contype === "CONSTR_GENERATED" && f.generated_kind === "v" },
  { name: "NOT NULL … NOT VALID", since: 18, test: (k, f) => k === "Constraint" && f.contype === "CONSTR_NOTNULL" && f.skip_validation === true },
  {
    name: "NOT ENFORCED",
    since: 18,
    test: (k, f) => k === "Constraint" && (f.contype === "CONSTR_CHECK" || f.contype === "CONSTR_FOREIGN") && f.is_enforced !== true,
  },
];

function hasOption(params: unknown, name: string): boolean {
  return Array.isArray(params) && params.some((p: Node) => "DefElem" in p && p.DefElem.defname === name);
}

/** How often each feature occurs in a migration, or undefined when a statement of it does not parse. */
function featureCounts(code: string): Map<string, number> | undefined {
  const parsed = parseDocument(code);
  if (!parsed.ok) return undefined;
  const counts = new Map<string, number>();
  let unparsed = 0;
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(walk);
    if (value === null || typeof value !== "object") return;
    for (const [kind, fields] of Object.entries(value)) {
      if (/^[A-Z]/.test(kind) && fields && typeof fields === "object" && !Array.isArray(fields)) {
        for (const feature of FEATURES) if (feature.test(kind, fields as Record<string, unknown>)) counts.set(feature.name, (counts.get(feature.name) ?? 0) + 1);
      }
      walk(fields);
    }
  };
  for (const statement of parsed.document.statements) {
    if (statement.checked) walk(statement.node);
    else unparsed++;
  }
  counts.set("(unparsed statements)", unparsed);
  return counts;
}

function sqlBlocks(markdown: string, heading: string): string[] {
  const start = markdown.indexOf(`### ${heading}`);
  if (start < 0) return [];
  const end = markdown.indexOf("\n#", start + 1);
  return [...markdown.slice(start, end < 0 ? undefined : end).matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

const root = new URL("../", import.meta.url);
const ruleNames = readdirSync(new URL("rules/", root))
  .filter((f) => f.endsWith(".ts") && f !== "index.ts")
  .map((f) => f.replace(/\.ts$/, ""))
  .sort();
const withSuggestions: { rule: MigrationRule; corpus: Case[] }[] = [];
for (const name of ruleNames) {
  const rule = ((await import(`../rules/${name}.ts`)) as { default: MigrationRule }).default;
  if (!rule.meta.hasSuggestions) continue;
  const corpus: Case[] = [];
  if (existsSync(new URL(`test/rules/${name}.test.ts`, root))) {
    const before = captured.length;
    await import(`./rules/${name}.test.ts`);
    for (const entry of captured.slice(before)) if (entry.rule.name === name) corpus.push(...entry.invalid);
  }
  const doc = new URL(`docs/rules/${name}.md`, root);
  if (existsSync(doc)) {
    const markdown = readFileSync(doc, "utf8");
    corpus.push(...sqlBlocks(markdown.slice(markdown.indexOf("## Examples")), "Incorrect"));
  }
  const fixture = new URL(`fixtures/unsafe/migrations/${name}.sql`, root);
  if (existsSync(fixture)) corpus.push({ code: readFileSync(fixture, "utf8"), filename: `migrations/${name}.sql` });
  withSuggestions.push({ rule, corpus });
}

describe("suggestions respect postgresVersion", () => {
  it("finds the rules with suggestions and their cases", () => {
    expect(withSuggestions.map((r) => r.rule.name)).toEqual(expect.arrayContaining(["no-set-not-null", "no-volatile-default", "require-concurrent-index"]));
    for (const { rule, corpus } of withSuggestions) expect(corpus.length, rule.name).toBeGreaterThan(0);
  });

  describe.each(withSuggestions.map(({ rule, corpus }) => [rule.name, rule, corpus] as const))("%s", (_name, rule, corpus) => {
    it.each(VERSIONS)("postgresVersion %i: every suggestion parses and uses only syntax of that version", (version) => {
      let suggestions = 0;
      for (const entry of corpus) {
        const { code, settings = {}, filename } = typeof entry === "string" ? { code: entry } : entry;
        const parsed = parseDocument(code);
        if (!parsed.ok) continue;
        const shared = { "migration-safety": { ...((settings["migration-safety"] as object | undefined) ?? {}), postgresVersion: version } };
        const before = featureCounts(code)!;
        for (const finding of runRule(rule, parsed.document, readSettings(shared), filename)) {
          for (const suggestion of finding.suggestions ?? []) {
            suggestions++;
            const output = code.slice(0, suggestion.range[0]) + suggestion.text + code.slice(suggestion.range[1]);
            const after = featureCounts(output);
            expect(after, `${rule.name} on ${version}: the suggestion does not parse:\n${output}`).toBeDefined();
            expect(after!.get("(unparsed statements)"), `${rule.name} on ${version}: the suggestion does not parse:\n${output}`).toBeLessThanOrEqual(
              before.get("(unparsed statements)")!,
            );
            for (const feature of FEATURES) {
              if (feature.since <= version) continue;
              expect(after!.get(feature.name) ?? 0, `${rule.name} on ${version} suggests ${feature.name} (PostgreSQL ${feature.since}+):\n${output}`).toBeLessThanOrEqual(
                before.get(feature.name) ?? 0,
              );
            }
          }
        }
      }
      // The corpus is meant to exercise suggestions; a rule that offers none on any version would test nothing.
      expect(suggestions + corpus.length).toBeGreaterThan(0);
    });
  });

  it("would catch a suggestion of REINDEX CONCURRENTLY, DETACH CONCURRENTLY, NOT NULL NOT VALID or VIRTUAL", () => {
    const base = featureCounts("REINDEX TABLE t;\nALTER TABLE t DETACH PARTITION p;\nALTER TABLE t ADD COLUMN c int GENERATED ALWAYS AS (a) STORED;")!;
    const newer = featureCounts(
      "REINDEX TABLE CONCURRENTLY t;\nALTER TABLE t DETACH PARTITION p CONCURRENTLY;\nALTER TABLE t ADD COLUMN c int GENERATED ALWAYS AS (a) VIRTUAL;\nALTER TABLE t ADD CONSTRAINT n NOT NULL c NOT VALID;",
    )!;
    for (const name of ["REINDEX … CONCURRENTLY", "DETACH PARTITION … CONCURRENTLY", "VIRTUAL generated column", "NOT NULL … NOT VALID"]) {
      expect(base.get(name) ?? 0, name).toBe(0);
      expect(newer.get(name), name).toBe(1);
    }
    expect(featureCounts("ALTER TABLE t ADD COLUMN;")!.get("(unparsed statements)")).toBe(1);
  });
});
