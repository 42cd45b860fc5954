/**
 * Input nobody meant to lint still gets a clear answer, in bounded time, without stopping the other files:
 * a BOM, CRLF line ends, invalid UTF-8, deep nesting, a 50 MB file, binary content.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ESLint, type Linter } from "eslint";
import { describe, expect, it } from "vitest";
import plugin from "../../src/index.js";

const config: Linter.Config[] = [{ ...plugin.configs.sql, settings: { "migration-safety": { assumeLockTimeout: true } } }];

async function lintFile(name: string, content: string | Buffer): Promise<Linter.LintMessage[]> {
  const dir = mkdtempSync(join(tmpdir(), "ms-bad-"));
  writeFileSync(join(dir, name), content);
  const [result] = await new ESLint({ cwd: dir, overrideConfigFile: true, overrideConfig: config }).lintFiles([name]);
  return result!.messages;
}
const brief = (messages: Linter.LintMessage[]) => messages.map((m) => [m.ruleId?.replace("migration-safety/", "") ?? "fatal", m.line, m.column]);

describe("bad input", () => {
  it("strips a BOM and keeps columns right", async () => {
    expect(brief(await lintFile("a.sql", "\uFEFFCREATE INDEX i ON t (a);"))).toEqual([["require-concurrent-index", 1, 1]]);
  });

  it("handles CRLF line ends", async () => {
    expect(brief(await lintFile("a.sql", "SELECT 1;\r\n\r\nCREATE INDEX i ON t (a);\r\n"))).toEqual([["require-concurrent-index", 3, 1]]);
  });

  it("lints invalid UTF-8 (decoded with replacement characters) instead of crashing", async () => {
    const bytes = Buffer.concat([Buffer.from("-- caf"), Buffer.from([0xe9, 0xff]), Buffer.from("\nCREATE INDEX i ON t (a);\n")]);
    expect(brief(await lintFile("a.sql", bytes))).toEqual([["require-concurrent-index", 2, 1]]);
  });

  it("parses a statement nested 1,000 levels deep, and reports one nested 10,000 deep as not checked", async () => {
    const deep = (n: number) => `SELECT ${"(".repeat(n)}1${")".repeat(n)};\nCREATE INDEX i ON t (a);`;
    expect(brief(await lintFile("a.sql", deep(1_000)))).toEqual([["require-concurrent-index", 2, 1]]);
    const messages = await lintFile("b.sql", deep(10_000));
    expect(brief(messages)).toEqual([["no-unchecked-statement", 1, 1], ["require-concurrent-index", 2, 1]]);
    expect(messages[0]!.message).toContain("memory exhausted");
  });

  it("reports a 50 MB file as not checked, quickly and without parsing it", async () => {
    const started = Date.now();
    const messages = await lintFile("dump.sql", "INSERT INTO t VALUES (1, 'x');\n".repeat(1_700_000));
    expect(brief(messages)).toEqual([["no-unchecked-statement", 1, 1]]);
    expect(messages[0]!.message).toMatch(/the file is 50\.3 MB, larger than the 10 MB this linter parses/);
    expect(Date.now() - started).toBeLessThan(20_000); // a generous bound: the point is "does not parse 50 MB"
  });

  it("reports binary content as not checked", async () => {
    const binary = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
    const messages = await lintFile("blob.sql", binary);
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.every((m) => m.ruleId === "migration-safety/no-unchecked-statement" || m.fatal)).toBe(true);
  });
});
