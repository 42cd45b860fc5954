/**
 * The built command, killed for real: `node dist/src/cli/bin.js backfill run …` gets SIGKILL mid-way (no handler
 * runs, the batch in flight dies with the connection), then runs again and resumes from the state file. At the end
 * the verification is clean and every row was updated exactly once (a trigger counts the updates of each row).
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultDatabaseUrl, openDatabase, type Database } from "../../src/db/database.js";
import { builtCli, repoRoot, tempProject } from "../cli/helpers.js";

/** dist/ must hold what src/ says: rebuild when a source of the backfill command is newer than its output. */
function ensureBuilt(): void {
  const sources = [
    ...readdirSync(join(repoRoot, "src/backfill")).filter((f) => f.endsWith(".ts")).map((f) => `src/backfill/${f}`),
    "src/cli/commands/backfill.ts",
    "src/cli/main.ts",
    "src/db/database.ts",
  ];
  const stale = sources.some((source) => {
    const output = join(repoRoot, "dist", source.replace(/\.ts$/, ".js"));
    try {
      return statSync(output).mtimeMs < statSync(join(repoRoot, source)).mtimeMs;
    } catch {
      return true;
    }
  });
  if (stale) execFileSync("npm", ["run", "build"], { cwd: repoRoot, stdio: "ignore", timeout: 180_000 });
}

// On the server, two workers walk a share of the keys each: both are killed mid-way and both resume.
const targets = [
  { name: "PGlite", url: (dir: string) => `pglite:${join(dir, "pgdata")}`, schema: "public", workers: 1 },
  ...(defaultDatabaseUrl() ? [{ name: "PostgreSQL server, two workers", url: () => defaultDatabaseUrl()!, schema: `ms_backfill_kill_${process.pid}`, workers: 2 }] : []),
];

beforeAll(ensureBuilt, 200_000);

for (const target of targets) {
  describe(`backfill run, killed and resumed [${target.name}]`, () => {
    const dir = tempProject();
    const url = target.url(dir);
    const { schema } = target;
    const withDb = async <T>(body: (db: Database) => Promise<T>): Promise<T> => {
      const db = await openDatabase({ url });
      try {
        return await body(db);
      } finally {
        await db.close();
      }
    };
    afterAll(async () => {
      if (schema !== "public") await withDb((db) => db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
    });

    it("ends clean, every row updated exactly once, after a SIGKILL mid-way and a resume", async () => {
      const rows = 100_000;
      await withDb((db) =>
        db.exec(`
          CREATE SCHEMA IF NOT EXISTS ${schema};
          CREATE TABLE ${schema}.people (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), first text, last text, full_name text, touched int NOT NULL DEFAULT 0);
          INSERT INTO ${schema}.people (first, last) SELECT 'First' || g, 'Last' || g FROM generate_series(1, ${rows}) AS g;
          CREATE FUNCTION ${schema}.count_touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.touched := OLD.touched + 1; RETURN NEW; END $$;
          CREATE TRIGGER count_touch BEFORE UPDATE ON ${schema}.people FOR EACH ROW EXECUTE FUNCTION ${schema}.count_touch();
        `),
      );
      mkdirSync(join(dir, "migrations"), { recursive: true });
      const file = join(dir, "migrations", "020_full_name.sql");
      writeFileSync(file, `UPDATE ${schema}.people SET full_name = first || ' ' || last;\n`);
      const statePath = join(dir, "migrations/.migration-safety/020_full_name.sql.backfill.json");
      const args = [builtCli, "backfill", "run", file, "--database-url", url, "--format", "json", "--max-batch-size", "2000", "--pause-ms", "5", "--workers", String(target.workers)];

      // First run: killed once a fifth of the rows are done.
      const first = spawn(process.execPath, args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
      const firstExit = new Promise<NodeJS.Signals | number | null>((resolve) => first.on("exit", (code, signal) => resolve(signal ?? code)));
      let killedAt = 0;
      for (const deadline = Date.now() + 120_000; Date.now() < deadline; await sleep(5)) {
        killedAt = updatedIn(statePath);
        if (killedAt >= rows / 5) break;
      }
      first.kill("SIGKILL");
      expect(await firstExit).toBe("SIGKILL");
      const pendingAfterKill = await withDb(async (db) => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${schema}.people WHERE full_name IS NULL`)).rows[0]!.n));
      expect(killedAt).toBeGreaterThanOrEqual(rows / 5);
      expect(pendingAfterKill).toBeGreaterThan(0); // killed mid-way, not after the end
      expect(sharesIn(statePath)).toHaveLength(target.workers);

      // Second run: resumes from the saved cursor and finishes.
      const second = spawn(process.execPath, args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      second.stdout.on("data", (chunk) => (stdout += chunk));
      second.stderr.on("data", (chunk) => (stderr += chunk));
      const code = await new Promise<number | null>((resolve) => second.on("exit", resolve));
      expect(stderr).toContain("resuming from");
      expect(code).toBe(0);
      const summary = JSON.parse(stdout);
      expect(summary).toMatchObject({ status: "done", verification: [{ ok: true, total: rows, missing: 0, drifted: 0 }] });
      // The resumed run did the rest; at most one batch's worth (committed, then killed before its state was saved)
      // was found already done and skipped.
      expect(summary.updated).toBe(pendingAfterKill);

      const wrong = await withDb(async (db) =>
        Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${schema}.people WHERE touched <> 1 OR full_name IS DISTINCT FROM first || ' ' || last`)).rows[0]!.n),
      );
      expect(wrong).toBe(0);
    }, 300_000);
  });
}

/** The saved states of the file's one backfill: one per worker's share of the keys. */
function sharesIn(statePath: string): { updated: number }[] {
  try {
    const state = JSON.parse(readFileSync(statePath, "utf8"));
    return Object.values(state.backfills as Record<string, { updated: number }[]>)[0] ?? [];
  } catch {
    return []; // not written yet, or (never, thanks to write-then-rename) half written
  }
}

function updatedIn(statePath: string): number {
  return sharesIn(statePath).reduce((n, share) => n + share.updated, 0);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
