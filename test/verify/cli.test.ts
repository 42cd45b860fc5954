/**
 * `migration-safety verify`, in-process through run(argv) (and once as a spawned process from dist/): the SQL
 * script and the PR section (snapshotted, and executed), `--run` on an embedded PGlite with the migrations folder
 * and a seed applied, `--run` on the server, JSON output, exit codes and usage errors.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { fromMarkdown } from "mdast-util-from-markdown";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { run } from "../../src/cli/main.js";
import { applyMigrations, findMigrationFiles } from "../../src/db/apply-migrations.js";
import { openDatabase, type Database } from "../../src/db/database.js";
import { databaseTargets } from "../helpers/databases.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const EXPAND = "fixtures/workflow/migrations/20261101000000_expand_display_name.sql";
const BACKFILL = "fixtures/workflow/backfill/backfill_display_name.sql";
const CONTRACT = "fixtures/workflow/contract/20261201000000_drop_full_name.sql";
const SEED = "fixtures/workflow/verify-seed.sql";

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(...args: string[]): Promise<Outcome> {
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    process.exitCode = undefined;
    const code = await run(["node", "migration-safety", "verify", ...args]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = undefined;
  }
}

let databaseUrl: string | undefined;
beforeAll(() => {
  // Paths are given relative to the repository, as a user in it would (workers cannot chdir).
  expect(`${process.cwd()}/`).toBe(root);
});
beforeEach(() => {
  // --run picks DATABASE_URL up by default; these tests choose the database explicitly.
  databaseUrl = process.env.DATABASE_URL;
  delete process.env.DATABASE_URL;
});
afterEach(() => {
  if (databaseUrl !== undefined) process.env.DATABASE_URL = databaseUrl;
});

describe("migration-safety verify: printing the checks", () => {
  it("prints one SQL script for the expand migration and its backfill", async () => {
    const { code, stdout, stderr } = await cli(EXPAND, BACKFILL);
    expect([code, stderr]).toEqual([0, ""]);
    expect(stdout).toMatchSnapshot();
  });

  it("--format markdown prints the PR section", async () => {
    const { code, stdout } = await cli("--format", "markdown", EXPAND, BACKFILL);
    expect(code).toBe(0);
    expect(stdout).toMatchSnapshot();
    expect(fromMarkdown(stdout).children.filter((n) => n.type === "code")).toHaveLength(2);
  });

  it("the contract migration: what must be true before full_name is dropped, with the transition given by hand", async () => {
    const { code, stdout } = await cli(CONTRACT, "--transition", "users.full_name:display_name=normalize(full_name)");
    expect(code).toBe(0);
    expect(stdout).toMatchSnapshot();
  });

  it("--format json lists the checks as data", async () => {
    const { stdout } = await cli("--format", "json", EXPAND);
    expect(JSON.parse(stdout)).toEqual([
      expect.objectContaining({ id: "index-valid:idx_users_display_name", kind: "index-valid", when: "after", sql: expect.stringMatching(/^SELECT /) }),
    ]);
  });

  it("a file with nothing to verify prints a script that says so", async () => {
    const { code, stdout } = await cli(BACKFILL.replace("backfill_display_name", "../migrations/20261001000000_create_users"));
    expect(code).toBe(0);
    expect(stdout).toContain("-- No checks: nothing in these files needs verifying.");
  });
});

// Each run starts a PGlite (a second or two; several on a busy 2-core machine).
describe("migration-safety verify --run on the embedded PGlite", { timeout: 90_000 }, () => {
  it("applies the migrations folder and the seed, then reports the missing and drifted rows (exit 1)", async () => {
    const { code, stdout, stderr } = await cli("--run", "--format", "json", "--seed", SEED, EXPAND, BACKFILL);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toEqual([
      { check: "index-valid:idx_users_display_name", ok: true, detail: "index idx_users_display_name is valid and ready", present: true, valid: true, ready: true },
      { check: "transition:users.full_name->display_name", ok: false, detail: "2504 rows, 2502 missing, 2502 drifted", total: 2504, missing: 2502, drifted: 2502 },
    ]);
    expect(stderr).toContain("applied 4 statements of 2 migrations from fixtures/workflow/migrations to an in-memory PGlite");
  });

  it("prints a result table", async () => {
    const { code, stdout } = await cli("--run", "--seed", SEED, "--migrations", "fixtures/workflow/migrations", EXPAND, BACKFILL);
    expect(code).toBe(1);
    expect(stdout).toMatchInlineSnapshot(`
      "ok    index-valid:idx_users_display_name        index idx_users_display_name is valid and ready
      FAIL  transition:users.full_name->display_name  2504 rows, 2502 missing, 2502 drifted

      1 of 2 checks failed.
      "
    `);
  });

  it("exit 0 when every check passes (no rows: nothing is missing)", async () => {
    const { code, stdout } = await cli("--run", EXPAND, BACKFILL);
    expect(code).toBe(0);
    expect(stdout).toContain("All 2 checks passed.");
  });

  it("--run --format markdown puts the results above the queries", async () => {
    const { code, stdout } = await cli("--run", "--format", "markdown", "--seed", SEED, EXPAND, BACKFILL);
    expect(code).toBe(1);
    expect(stdout).toContain("| transition:users.full_name->display_name | ❌ | 2504 rows, 2502 missing, 2502 drifted |");
  });
});

describe("migration-safety verify: usage errors (exit 2)", () => {
  it.each([
    [["--run", "--format", "sql", EXPAND], /--format sql prints the checks/],
    [["--format", "text", EXPAND], /--format text is the result table of --run/],
    [["--format", "yaml", EXPAND], /argument 'yaml' is invalid/],
    [["--transition", "users.full_name", EXPAND], /no ':' between the old and the new column/],
    [["--run", "--database-url", "postgres://nobody@127.0.0.1:1/x", "--seed", SEED, EXPAND], /verify never writes to a server/],
    [["fixtures/workflow/no-such-file.sql"], /no-such-file\.sql/],
    [[], /missing required argument 'files'/],
  ])("%j", async (args, message) => {
    const { code, stderr } = await cli(...args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });
});

const server = databaseTargets.find((t) => t.url !== undefined);

describe.skipIf(!server)("migration-safety verify --run on the server", () => {
  const schema = `ms_test_cli_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  let db: Database;
  beforeAll(async () => {
    db = await openDatabase({ url: server!.url });
    await db.exec(`CREATE SCHEMA ${schema}; SET search_path TO ${schema};`);
    await applyMigrations(db, findMigrationFiles([`${root}fixtures/workflow/migrations`]).files);
    await db.exec(`SET search_path TO ${schema}; INSERT INTO users (email, full_name, display_name) VALUES ('a@x', 'A', 'A'), ('b@x', 'B', NULL);`);
  }, 120_000);
  afterAll(async () => {
    await db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await db.close();
  });

  it("uses --database-url (or DATABASE_URL), applies nothing, writes nothing", async () => {
    const url = `${server!.url}${server!.url!.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    const { code, stdout, stderr } = await cli("--run", "--format", "json", "--database-url", url, EXPAND, BACKFILL);
    expect(stderr).toContain("on the server, read-only");
    expect(code).toBe(1);
    expect(JSON.parse(stdout)[1]).toMatchObject({ check: "transition:users.full_name->display_name", total: 2, missing: 1, drifted: 1 });
    process.env.DATABASE_URL = url;
    try {
      const again = await cli("--run", "--format", "json", EXPAND, BACKFILL);
      expect(JSON.parse(again.stdout)).toEqual(JSON.parse(stdout));
    } finally {
      delete process.env.DATABASE_URL;
    }
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.users WHERE display_name IS NULL`);
    expect(rows).toEqual([{ n: 1 }]);
  });
});

describe("migration-safety verify as a process", { timeout: 120_000 }, () => {
  const bin = `${root}dist/src/cli/bin.js`;
  it.skipIf(!existsSync(bin))("prints the script and runs the checks from the built package", () => {
    const printed = execFileSync(process.execPath, [bin, "verify", EXPAND], { cwd: root, encoding: "utf8" });
    expect(printed).toContain("SELECT 'index-valid:idx_users_display_name' AS \"check\"");
    const env = { ...process.env };
    delete env.DATABASE_URL;
    const ran = spawnSync(process.execPath, [bin, "verify", "--run", "--seed", SEED, EXPAND, BACKFILL], { cwd: root, encoding: "utf8", env });
    expect(ran.status).toBe(1);
    expect(ran.stdout).toContain("FAIL  transition:users.full_name->display_name  2504 rows, 2502 missing, 2502 drifted");
  });
});
