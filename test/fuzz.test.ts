/**
 * Fuzzing the language and every rule with mutated real statements (truncations, swapped tokens, random bytes,
 * unbalanced quotes and dollar quotes). For every input: nothing throws, the file finishes within a time bound,
 * and nothing is silently passed — every character that is not whitespace or a comment belongs to a statement
 * that was parsed or to one that is reported as not checked (or the file is a fatal parsing error).
 */
import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { Linter } from "eslint";
import { describe, expect, it } from "vitest";
import plugin from "../src/index.js";
import { markerKind } from "../src/context/conventions.js";
import { parseDocument } from "../src/sql/document.js";
import { parseSql } from "../src/sql/pg-parser.js";

const RUNS = Number(process.env.FUZZ_RUNS ?? 1500);
const TIME_BOUND_MS = 5_000;

const fixtures = new URL("../fixtures/", import.meta.url);
const seeds: string[] = [
  ...readdirSync(new URL("unsafe/migrations/", fixtures)).map((f) => readFileSync(new URL(`unsafe/migrations/${f}`, fixtures), "utf8")),
  readFileSync(new URL("workflow/migrations/20261101000000_expand_display_name.sql", fixtures), "utf8"),
  "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_class WHERE relname = 'x') THEN EXECUTE 'CREATE INDEX CONCURRENTLY x ON t (a)'; END IF; END $$;",
  "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN NEW.updated_at := now(); RETURN NEW; END $fn$;",
  "-- +goose Up\nALTER TABLE users ADD COLUMN nickname text;\n-- +goose Down\nALTER TABLE users DROP COLUMN nickname;",
  "COPY t (a, b) FROM stdin;\n1\t'x\n\\.\nUPDATE t SET a = E'\\'' WHERE id BETWEEN 1 AND 1000;",
  "ALTER TABLE \"Ünïcode\" ADD CONSTRAINT c CHECK (\"ä\" > 0) NOT VALID; /* é */ ALTER TABLE \"Ünïcode\" VALIDATE CONSTRAINT c;",
];

const linter = new Linter({ configType: "flat" });
const config: Linter.Config[] = [{ ...plugin.configs.sql, settings: { "migration-safety": { postgresVersion: 15 } } }];

const noise = fc.constantFrom("'", '"', "$$", "$q$", "/*", "*/", "--", ";", "(", ")", "\\", "\0", "é", "😀", "E'\\", "\n", "BEGIN;", "COMMIT;", ":", "${", "{{");
const mutation = fc.oneof(
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("swap" as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), text: fc.oneof(noise, fc.string({ unit: "binary", maxLength: 6 })) }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 12 }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(text: string, m: Mutation): string {
  switch (m.kind) {
    case "truncate":
      return text.slice(0, m.at % (text.length + 1));
    case "insert": {
      const at = m.at % (text.length + 1);
      return text.slice(0, at) + m.text + text.slice(at);
    }
    case "delete": {
      const at = m.at % (text.length + 1);
      return text.slice(0, at) + text.slice(at + m.length);
    }
    case "swap": {
      const words = text.split(/(\s+)/);
      const i = m.a % words.length;
      const j = m.b % words.length;
      [words[i], words[j]] = [words[j]!, words[i]!];
      return words.join("");
    }
  }
}

const input = fc
  .tuple(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.array(fc.constantFrom(...seeds), { maxLength: 2 }))
  .map(([seed, mutations, more]) => mutations.reduce(mutate, [seed, ...more].join("\n")));

/** The characters of the text that are neither whitespace nor inside a comment. */
function significantIndices(text: string, comments: readonly { range: readonly [number, number] }[]): number[] {
  const inComment = new Uint8Array(text.length);
  for (const { range } of comments) inComment.fill(1, range[0], range[1]);
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) if (!inComment[i] && !/\s|;/.test(text[i]!)) out.push(i);
  return out;
}

describe("fuzz", () => {
  it(`never throws, stays within ${TIME_BOUND_MS} ms per file, and never silently passes a statement (${RUNS} inputs)`, () => {
    let fatal = 0;
    let withUnchecked = 0;
    fc.assert(
      fc.property(input, (text) => {
        const started = performance.now();
        const messages = linter.verify(text, config, "db/migrations/0001_fuzz.sql"); // throws on any crash
        expect(performance.now() - started).toBeLessThan(TIME_BOUND_MS);

        const outcome = parseDocument(text, { markerKind });
        if (!outcome.ok) {
          fatal++;
          expect(messages.some((m) => m.fatal)).toBe(true);
          return;
        }
        const doc = outcome.document;
        const unchecked = doc.statements.filter((s) => !s.checked);
        if (unchecked.length > 0) withUnchecked++;
        // Every unchecked piece is reported by the rule every config enables.
        expect(messages.filter((m) => m.ruleId === "migration-safety/no-unchecked-statement")).toHaveLength(unchecked.length);
        // Every statement said to be parsed really parses on its own.
        for (const s of doc.body) if (s.checked && !doc.placeholders.length) expect(() => parseSql(s.text)).not.toThrow();
        // Every significant character is covered by a statement, a meta-command or COPY data.
        const covered = new Uint8Array(text.length);
        for (const s of doc.body) covered.fill(1, s.range[0], s.range[1]);
        for (const m of doc.metaCommands) covered.fill(1, m.range[0], m.range[1]);
        for (const r of doc.copyData) covered.fill(1, r[0], r[1]);
        const missed = significantIndices(text, doc.comments).filter((i) => !covered[i]);
        expect(missed.map((i) => JSON.stringify(text.slice(Math.max(0, i - 10), i + 10)))).toEqual([]);
      }),
      { numRuns: RUNS },
    );
    // The generator must reach the interesting cases, or the property says little.
    expect(withUnchecked).toBeGreaterThan(RUNS / 10);
    expect(fatal).toBeGreaterThan(0);
    console.log(`fuzz: ${RUNS} inputs, ${withUnchecked} with statements reported as not checked, ${fatal} fatal`);
  }, 120_000);
});
