import { describe, expect, it } from "vitest";
import { analyzeMigration } from "../../src/context/migration-context.js";
import { DEFAULT_SETTINGS, type MigrationSettings } from "../../src/context/settings.js";
import { earlierInTransaction, transactionStart } from "../../src/context/transaction-scope.js";
import { markerKind } from "../../src/context/conventions.js";
import { parseDocument } from "../../src/sql/document.js";

function scopes(text: string, settings: Partial<MigrationSettings> = {}, path?: string) {
  const outcome = parseDocument(text, { markerKind });
  if (!outcome.ok) throw new Error(outcome.message);
  const { document } = outcome;
  const contexts = analyzeMigration(document, { ...DEFAULT_SETTINGS, ...settings }, path);
  return document.statements.map((s) => ({
    start: transactionStart(s, contexts[s.index]!),
    earlier: [...earlierInTransaction(s, contexts[s.index]!)].map((e) => e.index),
  }));
}

describe("transactionStart / earlierInTransaction", () => {
  it("is undefined for statements that run on their own", () => {
    expect(scopes("SELECT 1; SELECT 2;").map((s) => s.start)).toEqual([undefined, undefined]);
  });

  it("starts after an explicit BEGIN and stops at COMMIT", () => {
    const s = scopes("SELECT 0; BEGIN; SELECT 2; SELECT 3; COMMIT; SELECT 5;");
    expect(s.map((x) => x.start)).toEqual([undefined, undefined, 2, 2, 2, undefined]);
    expect(s[3]!.earlier).toEqual([2]);
  });

  it("keeps the first BEGIN when a second one is nested", () => {
    const s = scopes("BEGIN; SELECT 1; BEGIN; SELECT 3; COMMIT;");
    expect(s[3]!.earlier).toEqual([2, 1]);
  });

  it("covers the whole runner-wrapped file, up to a COMMIT in it; after it, statements run on their own until a BEGIN", () => {
    const s = scopes("SELECT 0; SELECT 1; COMMIT; SELECT 3; SELECT 4; BEGIN; SELECT 6; SELECT 7;", { transactionPerFile: true });
    // The COMMIT ended the runner's transaction: 3 and 4 each commit on their own; the BEGIN opens the next one,
    // which the runner commits at the end.
    expect(s.map((x) => x.start)).toEqual([0, 0, 0, undefined, undefined, undefined, 6, 6]);
    expect(s[1]!.earlier).toEqual([0]);
    expect(s[4]!.earlier).toEqual([]);
    expect(s[7]!.earlier).toEqual([6]);
  });

  it("restarts in each goose section", () => {
    const s = scopes("-- +goose Up\nSELECT 1;\nSELECT 2;\n-- +goose Down\nSELECT 3;\nSELECT 4;", {}, "db/migrations/1_x.sql");
    expect(s.map((x) => x.earlier)).toEqual([[], [0], [], [2]]);
  });

  it("counts a DO block's earlier statements, and the explicit transaction around it, but not the DO itself", () => {
    const s = scopes("BEGIN; SELECT 1; DO $$ BEGIN PERFORM 1; UPDATE t SET a = 1; DELETE FROM t; END $$; COMMIT;");
    // 0 BEGIN, 1 SELECT, 2 DO, 3 UPDATE, 4 DELETE, 5 COMMIT
    expect(s[4]!.earlier).toEqual([3, 1]);
    const alone = scopes("SELECT 1; DO $$ BEGIN UPDATE t SET a = 1; DELETE FROM t; END $$;");
    expect(alone[3]!.earlier).toEqual([2]);
  });
});
