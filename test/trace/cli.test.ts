/**
 * `migration-safety trace` as users run it: in-process for formats and exit codes, once on the server when
 * DATABASE_URL is set (rolled back: nothing left), and once end to end through the built executable.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { fromMarkdown } from "mdast-util-from-markdown";
import { defaultDatabaseUrl, openDatabase } from "../../src/db/database.js";
import { requireBuild, runBuiltCli, runCli, tempProject } from "../cli/helpers.js";

const unsafe = {
  "migrations/001_init.sql": "CREATE TABLE trace_cli_users (id int PRIMARY KEY, email text);\n",
  "migrations/002_index.sql": "CREATE INDEX trace_cli_users_email ON trace_cli_users (email);\n",
};

// Each run starts its own PGlite (a few seconds, more on a busy CI machine).
const PGLITE_RUN = 90_000;

describe("migration-safety trace", () => {
  it("--format json: one object per statement, exit 1 on findings", async () => {
    const project = tempProject(unsafe);
    const result = await runCli(["trace", `${project}/migrations/002_index.sql`, "--history", `${project}/migrations`, "--pglite", "--format", "json"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(1);
    const rows = JSON.parse(result.stdout) as { file: string; line: number; locks: { relation: string; mode: string; kind: string }[]; findings: string[] }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ line: 1, rewritten: [], findings: ["require-lock-timeout", "require-concurrent-index"] });
    // The table's lock, and the new index's own (nobody else can see it yet).
    expect(rows[0]!.locks).toEqual([
      { relation: "trace_cli_users", mode: "SHARE", kind: "table", blocksReads: false, blocksWrites: true, source: "observed", heldMs: expect.any(Number) },
      { relation: "trace_cli_users_email", mode: "ACCESS EXCLUSIVE", kind: "index", blocksReads: true, blocksWrites: true, source: "observed", heldMs: expect.any(Number) },
    ]);
    expect(rows[0]!.file).toMatch(/002_index\.sql$/);
  }, PGLITE_RUN);

  it("exit 0 when every statement ran and nothing was found; --format markdown parses", async () => {
    const project = tempProject({ "m/1.sql": "SET lock_timeout = '2s';\nCREATE TABLE trace_cli_fresh (id int PRIMARY KEY);\nCREATE INDEX ON trace_cli_fresh (id);\n" });
    const result = await runCli(["trace", `${project}/m`, "--pglite", "--format", "markdown"]);
    expect(result.code).toBe(0);
    expect(fromMarkdown(result.stdout).children[0]).toMatchObject({ type: "heading", depth: 2 });
    expect(result.stdout).toContain("3 of 3 statements traced");
  }, PGLITE_RUN);

  it("usage errors exit 2: no migrations, --commit without a server, --pglite with --database-url, a bad --rows", async () => {
    const empty = tempProject({ "m/readme.md": "" });
    const none = await runCli(["trace", `${empty}/m`, "--pglite"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("no migrations (.sql, .js, .ts) found");
    const project = tempProject(unsafe);
    const commit = await runCli(["trace", `${project}/migrations`, "--pglite", "--commit"]);
    expect(commit.code).toBe(2);
    expect(commit.stderr).toContain("--commit applies to a PostgreSQL server");
    expect((await runCli(["trace", `${project}/migrations`, "--pglite", "--database-url", "postgres://x"])).code).toBe(2);
    expect((await runCli(["trace", `${project}/migrations`, "--rows", "many"])).code).toBe(2);
  });

  const serverUrl = defaultDatabaseUrl();
  it.skipIf(!serverUrl)("on the server: rolled back at the end, so nothing is left behind", async () => {
    const project = tempProject({
      "m/001.sql": "CREATE TABLE trace_cli_server (id int PRIMARY KEY);\n",
      "m/002.sql": "ALTER TABLE trace_cli_server ADD COLUMN note text;\nCREATE INDEX CONCURRENTLY trace_cli_server_note ON trace_cli_server (note);\n",
    });
    const result = await runCli(["trace", `${project}/m/002.sql`, "--history", `${project}/m`, "--database-url", serverUrl!, "--format", "json", "--rows", "10"]);
    const rows = JSON.parse(result.stdout) as { traced: boolean; notTraced?: { why: string } }[];
    expect(rows.map((r) => r.traced)).toEqual([true, false]);
    expect(rows[1]!.notTraced?.why).toBe("needs no transaction block");
    const db = await openDatabase({ url: serverUrl });
    try {
      const { rows: left } = await db.query("SELECT 1 FROM pg_class WHERE relname LIKE 'trace_cli_server%'");
      expect(left).toEqual([]);
    } finally {
      await db.close();
    }
  });
});

describe("migration-safety trace (built)", () => {
  beforeAll(requireBuild);

  it("runs from the executable on an embedded PGlite, with nothing installed", () => {
    const project = tempProject(unsafe);
    const result = runBuiltCli(["trace", "migrations/002_index.sql", "--history", "migrations"], project, { DATABASE_URL: "" });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("Trace on PostgreSQL");
    expect(result.stdout).toMatch(/trace_cli_users {2}SHARE {2}blocks writes/);
    expect(runBuiltCli(["--help"], project).stdout).toMatch(/^\s+trace \[options\] <migrations\.\.\.>/m);
  }, PGLITE_RUN);
});
