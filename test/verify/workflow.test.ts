/**
 * The WORKFLOW.md example end to end, on PGlite and on the server: apply fixtures/workflow/migrations, load the
 * verify seed (old-app rows), verify (missing and drifted rows are counted), run the real backfill batch from
 * fixtures/workflow/backfill until it updates nothing, verify again (missing=0 drifted=0).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, expect, it } from "vitest";
import { applyMigrations, findMigrationFiles } from "../../src/db/apply-migrations.js";
import { fromMarkdown } from "mdast-util-from-markdown";
import { parseTransitionOption, planVerification, renderMarkdown, renderSqlScript, runChecks, type SqlFile } from "../../src/verify/index.js";
import { describeOnDatabases } from "../helpers/databases.js";

const workflow = fileURLToPath(new URL("../../fixtures/workflow/", import.meta.url));
const read = (path: string): SqlFile => ({ path, text: readFileSync(`${workflow}${path}`, "utf8") });
const expand = read("migrations/20261101000000_expand_display_name.sql");
const backfill = read("backfill/backfill_display_name.sql");
const contract = read("contract/20261201000000_drop_full_name.sql");

describeOnDatabases("verify: the WORKFLOW.md example", (db) => {
  const plan = planVerification([expand, backfill]);

  beforeAll(async () => {
    const applied = await applyMigrations(db(), findMigrationFiles([`${workflow}migrations`]).files);
    for (const failure of applied.failures) {
      // On a shared server the concurrent build waits for other sessions' transactions, and the migration's own
      // lock_timeout (2s) may cancel it, leaving an INVALID index — what an operator does then: drop it, build again.
      expect(failure).toMatchObject({ statement: expect.stringContaining("CREATE INDEX CONCURRENTLY"), error: "canceling statement due to lock timeout" });
      await db().exec("SET lock_timeout = 0");
      await db().exec("DROP INDEX IF EXISTS idx_users_display_name");
      await db().exec(failure.statement);
    }
    await db().exec(read("verify-seed.sql").text);
  }, 120_000);

  it("checks the index of the expand step and the transition of the backfill, with the backfill's own expression", () => {
    expect(plan.checks.map((c) => c.id)).toEqual(["index-valid:idx_users_display_name", "transition:users.full_name->display_name"]);
    expect(plan.checks[1]!.sql).toContain("display_name IS DISTINCT FROM (normalize(full_name))");
  });

  it("before the backfill: every old-app row is missing and drifted; the index is valid", async () => {
    const results = await runChecks(db(), plan.checks);
    expect(results).toEqual([
      expect.objectContaining({ check: "index-valid:idx_users_display_name", ok: true }),
      {
        check: "transition:users.full_name->display_name",
        ok: false,
        detail: "2504 rows, 2502 missing, 2502 drifted",
        figures: { total: 2504, missing: 2502, drifted: 2502 },
      },
    ]);
  });

  it("after the batched backfill: missing=0 drifted=0", async () => {
    let last = 0;
    let batches = 0;
    for (;;) {
      const { rows } = await db().query<{ id: number | string }>(backfill.text, [last]);
      if (rows.length === 0) break;
      last = Math.max(...rows.map((r) => Number(r.id)));
      batches++;
    }
    expect(batches).toBe(3);
    const results = await runChecks(db(), plan.checks);
    expect(results.map((r) => [r.check, r.ok, r.figures])).toEqual([
      ["index-valid:idx_users_display_name", true, { present: true, valid: true, ready: true }],
      ["transition:users.full_name->display_name", true, { total: 2504, missing: 0, drifted: 0 }],
    ]);
    // The backfill wrote the normalized (NFC) form, which is what the check compared with.
    const { rows } = await db().query<{ display_name: string }>("SELECT display_name FROM users WHERE email = 'zoe@example.com'");
    expect(rows[0]!.display_name).toBe("Zoë Adams".normalize("NFC"));
  });

  it("a row written later by an old app instance (full_name only) shows up as missing again", async () => {
    await db().exec("INSERT INTO users (email, full_name) VALUES ('late@example.com', 'Late Writer')");
    await db().exec("UPDATE users SET full_name = 'Renamed' WHERE email = 'ada@example.com'");
    const [, transition] = await runChecks(db(), plan.checks);
    expect(transition!.figures).toEqual({ total: 2505, missing: 1, drifted: 2 });
  });

  it("before the contract: nothing depends on full_name, and the transition (given by hand) is still clean", async () => {
    await db().exec("UPDATE users SET display_name = normalize(full_name) WHERE display_name IS DISTINCT FROM normalize(full_name)");
    const before = planVerification([contract], { transitions: [parseTransitionOption("users.full_name:display_name=normalize(full_name)")] });
    const results = await runChecks(db(), before.checks);
    expect(results.map((r) => r.check)).toEqual(["dependents:users.full_name", "queries:users.full_name", "transition:users.full_name->display_name"]);
    // On the shared server, other test files' functions (dual-write triggers…) may mention full_name: only
    // pg_depend's answer is this suite's own there.
    if (db().kind === "pglite") expect(results[0]).toMatchObject({ ok: true, detail: "nothing in the database depends on users.full_name" });
    else expect(results[0]!.figures.dependents).toBe(0);
    expect(results[1]).toMatchObject({ ok: true, detail: "pg_stat_statements not installed" });
    expect(results[2]).toMatchObject({ ok: true, detail: "2505 rows, 0 missing, 0 drifted" });
  });

  it("the printed script and each query of the PR section run as they are", async () => {
    const all = planVerification([expand, backfill, contract]);
    await db().exec(renderSqlScript(all.checks, { files: [expand.path, backfill.path, contract.path] }));
    const blocks = fromMarkdown(renderMarkdown(all.checks)).children.filter((node) => node.type === "code");
    expect(blocks).toHaveLength(all.checks.length);
    for (const block of blocks) expect((await db().query(block.value.replace(/;$/, ""))).rows).toHaveLength(1);
  });
});
