import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultDatabaseUrl, openDatabase, type Database } from "../../src/db/database.js";
import { parseSql } from "../../src/sql/pg-parser.js";
import { runCli, tempProject } from "../cli/helpers.js";

const history = {
  "db/migrations/001_users.sql": "CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL, full_name text);\n",
  "db/migrations/002_display_name.sql": [
    "-- +goose Up",
    "ALTER TABLE users ADD COLUMN display_name text;",
    "UPDATE users SET display_name = normalize(full_name) WHERE display_name IS NULL;",
    "-- +goose Down",
    "UPDATE users SET display_name = NULL;",
    "ALTER TABLE users DROP COLUMN display_name;",
    "",
  ].join("\n"),
};

describe("backfill plan", () => {
  it("prints a SQL script: the batch with its key from the migration history, and the verification", async () => {
    const dir = tempProject(history);
    const file = join(dir, "db/migrations/002_display_name.sql");
    const result = await runCli(["backfill", "plan", file]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`-- Backfill of users (display_name): the batched form of the UPDATE at ${file}:3:`);
    expect(result.stdout).toContain(`-- Key: id (bigint), the primary key declared in ${join(dir, "db/migrations/001_users.sql")}:1.`);
    expect(result.stdout).toContain("-- Pending while display_name IS NULL: display_name is filled from other columns; a value the application already wrote is left alone.");
    expect(result.stdout).toContain("FOR NO KEY UPDATE SKIP LOCKED");
    expect(result.stdout).toContain("WHERE users.id > $1::bigint  -- not in the first batch");
    expect(result.stdout).toContain("SELECT 'transition:users.full_name->display_name' AS \"check\"");
    // The whole output is one valid script: BEGIN, two SET LOCAL, the batch, COMMIT, the check.
    expect(parseSql(result.stdout).stmts).toHaveLength(6);
  });

  it("plans an UPDATE given with --sql, or a transition, on the key given with --key; JSON on request", async () => {
    const sql = await runCli(["backfill", "plan", "--sql", 'UPDATE app."Users" SET "Nick" = lower(email)', "--key", '"Tenant", id', "--batch-size", "250"]);
    expect(sql.code).toBe(0);
    expect(sql.stdout).toContain("-- Key: \"Tenant\", id, given with --key.");
    expect(sql.stdout).toContain('WHERE ("Users"."Tenant", "Users".id) > ($1, $2)  -- not in the first batch');
    expect(sql.stdout).toContain("LIMIT 250");

    const transition = await runCli(["backfill", "plan", "--transition", "users.full_name:display_name=initcap(full_name)", "--key", "id", "--format", "json"]);
    expect(transition.code).toBe(0);
    const json = JSON.parse(transition.stdout);
    expect(json.backfills).toHaveLength(1);
    expect(json.backfills[0]).toMatchObject({
      table: "users",
      key: { columns: [{ name: "id" }], source: { kind: "option" } },
      assignments: [{ column: "display_name", expression: "initcap(full_name)", mode: "fill", pending: "display_name IS NULL" }],
    });
    expect(() => parseSql(json.backfills[0].firstBatch)).not.toThrow();
    expect(json.backfills[0].verification[0]).toMatchObject({ id: "transition:users.full_name->display_name", kind: "transition" });
  });

  it("prints the walk page by page with --order physical, as text and as JSON", async () => {
    const text = await runCli(["backfill", "plan", "--sql", "UPDATE users SET display_name = lower(email)", "--key", "id", "--order", "physical"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("-- Walked page by page, in the order rows lie on disk");
    expect(text.stdout).toContain("WHERE users.ctid >= $1::tid AND users.ctid < $2::tid");
    expect(text.stdout).not.toContain("users.id > $1");
    expect(() => parseSql(text.stdout)).not.toThrow();
    const json = JSON.parse((await runCli(["backfill", "plan", "--sql", "UPDATE users SET display_name = lower(email)", "--key", "id", "--order", "physical", "--format", "json"])).stdout);
    expect(json.backfills[0]).toMatchObject({ order: "physical", pageBatch: expect.stringContaining("ctid >= $1::tid"), unfinishedCount: expect.stringContaining("SELECT count(*)") });
    expect(json.backfills[0].firstBatch).toBeUndefined();
    expect((await runCli(["backfill", "plan", "--sql", "UPDATE users SET a = b", "--key", "id", "--order", "sideways"])).code).not.toBe(0);
  });

  it("says what is missing when no key can be found, and refuses UPDATEs it cannot batch, with exit code 2", async () => {
    const saved = process.env.DATABASE_URL;
    delete process.env.DATABASE_URL;
    try {
      const noKey = await runCli(["backfill", "plan", "--sql", "UPDATE users SET a = b"]);
      expect(noKey.code).toBe(2);
      expect(noKey.stderr).toContain("line 1: cannot batch this UPDATE: no primary key found for users");
      expect(noKey.stderr).toContain("give the key to walk with --key, e.g. --key id");
    } finally {
      if (saved !== undefined) process.env.DATABASE_URL = saved;
    }
    const join_ = await runCli(["backfill", "plan", "--sql", "UPDATE users u SET a = o.a FROM other o WHERE o.id = u.id", "--key", "id"]);
    expect(join_.code).toBe(2);
    expect(join_.stderr).toContain("UPDATE … FROM (a join with other tables) is not supported");
    expect((await runCli(["backfill", "plan", "--key", "id; DROP TABLE users", "--sql", "UPDATE t SET a = 1"])).code).toBe(2);
    expect((await runCli(["backfill", "plan"])).code).toBe(2);
  });
});

describe("backfill run on an in-memory PGlite (a rehearsal: earlier migrations, seeds, then the backfill)", () => {
  it("runs the batches on sample rows and verifies them", async () => {
    const dir = tempProject({
      ...history,
      "seed.sql": "INSERT INTO users (email, full_name) SELECT 'u' || g || '@example.com', 'User ' || g FROM generate_series(1, 3000) AS g;\n",
    });
    const saved = process.env.DATABASE_URL;
    delete process.env.DATABASE_URL;
    try {
      const args = ["backfill", "run", join(dir, "db/migrations/002_display_name.sql"), "--seed", join(dir, "seed.sql"), "--progress", "lines", "--workers", "3"];
      const result = await runCli(args);
      expect(result.stderr).toContain("rehearsing on an in-memory PGlite");
      expect(result.stderr).toContain("one worker: PGlite has a single connection");
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^users \(display_name\): done, 3000 rows updated in \d+ batches/);
      expect(result.stdout).toContain("ok    transition:users.full_name->display_name  3000 rows, 0 missing, 0 drifted");
    } finally {
      if (saved !== undefined) process.env.DATABASE_URL = saved;
    }
  });
});

/** `backfill run` against a database that outlives the command: a PGlite kept in a directory, and the server. */
const targets: { name: string; url: (dir: string) => string; schema: (name: string) => string }[] = [
  { name: "PGlite", url: (dir) => `pglite:${join(dir, "pgdata")}`, schema: () => "public" },
  ...(defaultDatabaseUrl() ? [{ name: "PostgreSQL server", url: () => defaultDatabaseUrl()!, schema: (name: string) => name }] : []),
];

for (const target of targets) {
  describe(`backfill run [${target.name}]`, () => {
    const dir = tempProject();
    const url = target.url(dir);
    const schema = target.schema(`ms_backfill_cli_${process.pid}_${Math.random().toString(36).slice(2, 8)}`);
    const table = `${schema}.items`;
    let db: Database | undefined;
    const withDb = async <T>(body: (db: Database) => Promise<T>): Promise<T> => {
      db = await openDatabase({ url });
      try {
        return await body(db);
      } finally {
        await db.close(); // a PGlite directory is one process's at a time: the command opens it next
        db = undefined;
      }
    };
    beforeAll(async () => {
      await withDb((d) => d.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}`));
    }, 60_000);
    afterAll(async () => {
      if (target.name !== "PGlite") await withDb((d) => d.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
    });

    const migration = (name: string, sql: string): string => {
      const path = join(dir, "migrations", name);
      tempWrite(path, sql);
      return path;
    };

    it("--format json ends with one object: updated, batches, rate, maxBatchMs and the verification", async () => {
      await withDb((d) => d.exec(`CREATE TABLE ${table} (id int PRIMARY KEY, qty int, qty_text text); INSERT INTO ${table} SELECT g, g % 17, NULL FROM generate_series(1, 5000) AS g;`));
      const file = migration("010_items.sql", `UPDATE ${table} SET qty_text = qty::text;\n`);
      const result = await runCli(["backfill", "run", file, "--database-url", url, "--format", "json", "--progress", "none"]);
      expect(result.code).toBe(0);
      const json = JSON.parse(result.stdout);
      expect(Object.keys(json).slice(0, 6)).toEqual(["status", "updated", "batches", "rate", "maxBatchMs", "verification"]);
      expect(json).toMatchObject({ status: "done", updated: 5000, verification: [{ check: `transition:${table}.qty->qty_text`, ok: true, total: 5000, missing: 0, drifted: 0 }] });
      expect(json.batches).toBeGreaterThan(0);
      expect(json.rate).toBeGreaterThan(0);
      expect(json.maxBatchMs).toBeGreaterThanOrEqual(0);
      // Progress was saved beside the migration; a second run resumes a finished backfill: nothing to do, verified again.
      const state = JSON.parse(readFileSync(join(dir, "migrations/.migration-safety/010_items.sql.backfill.json"), "utf8"));
      expect(Object.values(state.backfills)).toEqual([[expect.objectContaining({ done: true, updated: 5000 })]]);
      const again = await runCli(["backfill", "run", file, "--database-url", url, "--format", "json", "--progress", "none"]);
      expect(JSON.parse(again.stdout)).toMatchObject({ status: "done", updated: 0, verification: [{ ok: true }] });
    }, 120_000);

    it("walks page by page where it can, by key where it cannot (a partitioned table), and refuses --order physical there", async () => {
      await withDb((d) =>
        d.exec(`
          CREATE TABLE ${schema}.plain (id int PRIMARY KEY, a int, b int);
          INSERT INTO ${schema}.plain SELECT g, g, NULL FROM generate_series(1, 2000) AS g;
          CREATE TABLE ${schema}.parted (id int PRIMARY KEY, a int, b int) PARTITION BY RANGE (id);
          CREATE TABLE ${schema}.parted_low PARTITION OF ${schema}.parted FOR VALUES FROM (0) TO (1000);
          CREATE TABLE ${schema}.parted_high PARTITION OF ${schema}.parted FOR VALUES FROM (1000) TO (3000);
          INSERT INTO ${schema}.parted SELECT g, g, NULL FROM generate_series(1, 2000) AS g;
        `),
      );
      const plain = migration("020_plain.sql", `UPDATE ${schema}.plain SET b = a;\n`);
      const byPages = await runCli(["backfill", "run", plain, "--database-url", url, "--format", "json", "--progress", "none"]);
      expect(byPages.code).toBe(0);
      expect(byPages.stderr).toContain(`${schema}.plain: walking page by page, in the order rows lie on disk`);
      expect(JSON.parse(byPages.stdout)).toMatchObject({ updated: 2000, backfills: [{ order: "physical" }], verification: [{ ok: true }] });
      const state = JSON.parse(readFileSync(join(dir, "migrations/.migration-safety/020_plain.sql.backfill.json"), "utf8"));
      expect(Object.values(state.backfills)).toEqual([[expect.objectContaining({ order: "physical", done: true })]]);

      const parted = migration("021_parted.sql", `UPDATE ${schema}.parted SET b = a;\n`);
      const refused = await runCli(["backfill", "run", parted, "--database-url", url, "--progress", "none", "--order", "physical"]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(`${schema}.parted cannot be walked in physical order: the table is partitioned`);
      expect(await withDb(async (d) => Number((await d.query<{ n: string }>(`SELECT count(b) AS n FROM ${schema}.parted`)).rows[0]!.n))).toBe(0);
      const byKey = await runCli(["backfill", "run", parted, "--database-url", url, "--format", "json", "--progress", "none"]);
      expect(byKey.code).toBe(0);
      expect(byKey.stderr).toContain("walking by key id (integer)");
      expect(byKey.stderr).toContain("(not page by page: the table is partitioned: its pages are its partitions')");
      expect(JSON.parse(byKey.stdout)).toMatchObject({ updated: 2000, backfills: [{ order: "key" }] });
    }, 120_000);

    it.runIf(target.name !== "PGlite")("--workers 2 splits the pages into two shares, saved with the order, and resumes them as saved", async () => {
      await withDb((d) => d.exec(`CREATE TABLE ${schema}.split (id int PRIMARY KEY, a int, b int); INSERT INTO ${schema}.split SELECT g, g, NULL FROM generate_series(1, 20000) AS g;`));
      const file = migration("022_split.sql", `UPDATE ${schema}.split SET b = a;\n`);
      const result = await runCli(["backfill", "run", file, "--database-url", url, "--format", "json", "--progress", "none", "--workers", "2"]);
      expect(result.code).toBe(0);
      expect(result.stderr).toContain("2 workers, each on a share of the pages");
      expect(JSON.parse(result.stdout)).toMatchObject({ updated: 20_000, backfills: [{ order: "physical" }], verification: [{ ok: true }] });
      const state = JSON.parse(readFileSync(join(dir, "migrations/.migration-safety/022_split.sql.backfill.json"), "utf8"));
      const shares = Object.values(state.backfills)[0] as { order: string; updated: number; range: { lower: string[] | null; upper: string[] | null } }[];
      expect(shares.map((share) => share.order)).toEqual(["physical", "physical"]);
      expect(shares[0]!.range.upper).toEqual(shares[1]!.range.lower);
      expect(shares.every((share) => share.updated > 5000)).toBe(true);
      // Run again, asking for one worker by key: the saved shares and order are kept; nothing is left to do.
      const again = await runCli(["backfill", "run", file, "--database-url", url, "--format", "json", "--progress", "none", "--order", "key"]);
      expect(again.stderr).toMatch(/resuming from .* \(20000 rows done, finished\), page by page/);
      expect(again.stderr).toContain("2 workers, each on a share of the pages (as saved)");
      expect(JSON.parse(again.stdout)).toMatchObject({ status: "done", updated: 0, verification: [{ ok: true }] });
    }, 120_000);

    it("exits 1 when the verification finds drift after the backfill", async () => {
      await withDb((d) =>
        d.exec(`
          CREATE TABLE ${schema}.tampered (id int PRIMARY KEY, a int, b int);
          INSERT INTO ${schema}.tampered SELECT g, g, NULL FROM generate_series(1, 300) AS g;
          CREATE FUNCTION ${schema}.tamper() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.id = 7 THEN NEW.b := -1; END IF; RETURN NEW; END $$;
          CREATE TRIGGER tamper BEFORE UPDATE ON ${schema}.tampered FOR EACH ROW EXECUTE FUNCTION ${schema}.tamper();
        `),
      );
      const file = migration("011_tampered.sql", `UPDATE ${schema}.tampered SET b = a;\n`);
      const result = await runCli(["backfill", "run", file, "--database-url", url, "--progress", "none"]);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain(`FAIL  transition:${schema}.tampered.a->b  300 rows, 0 missing, 1 drifted`);
    }, 60_000);

    it("reports the failing row's key in JSON, and stops (exit 1) with the batch rolled back (by key)", async () => {
      await withDb((d) => d.exec(`CREATE TABLE ${schema}.raw (id int PRIMARY KEY, v text, n int); INSERT INTO ${schema}.raw SELECT g, g::text, NULL FROM generate_series(1, 3000) AS g; UPDATE ${schema}.raw SET v = 'x' WHERE id = 2222;`));
      const file = migration("012_raw.sql", `UPDATE ${schema}.raw SET n = v::int;\n`);
      const result = await runCli(["backfill", "run", file, "--database-url", url, "--format", "json", "--progress", "none", "--max-batch-size", "1000", "--order", "key"]);
      expect(result.code).toBe(1);
      expect(JSON.parse(result.stdout)).toMatchObject({
        status: "failed",
        updated: 2000,
        verification: [],
        error: { kind: "row", key: { id: "2222" }, code: "22P02" },
      });
      expect(await withDb(async (d) => Number((await d.query<{ n: string }>(`SELECT count(n) AS n FROM ${schema}.raw`)).rows[0]!.n))).toBe(2000);
    }, 60_000);

    it("finds the failing row among a batch's pages in physical order: the batches before it stay, its own is rolled back", async () => {
      // The bad row was updated last, so its version lies on the table's last page: every batch before that commits.
      await withDb((d) => d.exec(`CREATE TABLE ${schema}.raw_pages (id int PRIMARY KEY, v text, n int); INSERT INTO ${schema}.raw_pages SELECT g, g::text, NULL FROM generate_series(1, 3000) AS g; UPDATE ${schema}.raw_pages SET v = 'x' WHERE id = 17;`));
      const file = migration("012_raw_pages.sql", `UPDATE ${schema}.raw_pages SET n = v::int;\n`);
      const result = await runCli(["backfill", "run", file, "--database-url", url, "--format", "json", "--progress", "none", "--max-batch-size", "500", "--order", "physical"]);
      expect(result.code).toBe(1);
      const summary = JSON.parse(result.stdout);
      expect(summary).toMatchObject({ status: "failed", verification: [], error: { kind: "row", key: { id: "17" }, code: "22P02" } });
      expect(summary.updated).toBeGreaterThanOrEqual(2000);
      expect(summary.updated).toBeLessThan(2999);
      expect(await withDb(async (d) => Number((await d.query<{ n: string }>(`SELECT count(n) AS n FROM ${schema}.raw_pages`)).rows[0]!.n))).toBe(summary.updated);
    }, 60_000);

    it("stops cleanly on SIGINT after the batch in flight (exit 130), and the next run resumes", async () => {
      await withDb((d) => d.exec(`CREATE TABLE ${schema}.slow (id int PRIMARY KEY, a int, b int); INSERT INTO ${schema}.slow SELECT g, g, NULL FROM generate_series(1, 4000) AS g;`));
      const file = migration("013_slow.sql", `UPDATE ${schema}.slow SET b = a * 2;\n`);
      const args = ["backfill", "run", file, "--database-url", url, "--progress", "none", "--batch-size", "100", "--max-batch-size", "100", "--pause-ms", "20"];
      const statePath = join(dir, "migrations/.migration-safety/013_slow.sql.backfill.json");
      const running = runCli(args);
      await waitFor(() => readUpdated(statePath) >= 500);
      process.emit("SIGINT", "SIGINT");
      const stopped = await running;
      expect(stopped.code).toBe(130);
      expect(stopped.stderr).toContain("SIGINT: stopping after the current batch");
      expect(stopped.stdout).toContain("stopped; progress is saved in");
      const done = readUpdated(statePath);
      expect(done).toBeGreaterThanOrEqual(500);
      expect(done).toBeLessThan(4000);

      const resumed = await runCli([...args.slice(0, 5), "--format", "json", "--progress", "none"]);
      expect(resumed.code).toBe(0);
      expect(JSON.parse(resumed.stdout)).toMatchObject({ status: "done", updated: 4000 - done, verification: [{ ok: true, total: 4000 }] });
    }, 60_000);
  });
}

function readUpdated(statePath: string): number {
  try {
    const state = JSON.parse(readFileSync(statePath, "utf8"));
    const shares = Object.values(state.backfills as Record<string, { updated: number }[]>)[0] ?? [];
    return shares.reduce((n, share) => n + share.updated, 0);
  } catch {
    return 0;
  }
}

async function waitFor(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function tempWrite(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}
