/**
 * `migration-safety trace`, the whole run: find the migrations, open the database (a fresh PGlite, or a server),
 * apply the history without bookkeeping, seed the tables if asked, trace the target migrations statement by
 * statement, and leave the server as it was unless told to commit.
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, relative } from "node:path";
import { applyMigrations, findMigrationFiles, readMigration, sortMigrations, type SkippedFile } from "../db/apply-migrations.js";
import { openDatabase, type Database } from "../db/database.js";
import { DEFAULT_SETTINGS, type MigrationSettings } from "../context/settings.js";
import { nodeOf } from "../sql/statement.js";
import { snapshotCatalog } from "./catalog.js";
import { loadSqlMigration } from "./load-sql.js";
import type { EngineInfo, TraceRun } from "./model.js";
import { traceFiles, type Isolation } from "./run.js";
import { seedTables } from "./seed.js";

export interface TraceOptions {
  /** Migration files or folders to trace. */
  readonly targets: readonly string[];
  /** Files or folders applied first, without tracing (the schema the targets run against). */
  readonly history?: readonly string[];
  /** Rows to generate in every table that exists before the targets run; 0 or absent: none. */
  readonly rows?: number;
  /** A PostgreSQL server; without one, a fresh in-memory PGlite. */
  readonly url?: string;
  /** On a server: commit every statement instead of rolling the whole run back. */
  readonly commit?: boolean;
  /** Linter settings (migration tool, transactionPerFile…); postgresVersion is the engine's. */
  readonly settings?: Partial<MigrationSettings>;
  readonly cwd?: string;
  /** Trace on this open database instead of opening one (tests); it is not closed. */
  readonly db?: { readonly database: Database; readonly isolation: Isolation };
  readonly onProgress?: (phase: "history" | "trace", file: string, index: number, total: number) => void;
}

/** A problem with what was asked (no migrations found, --commit without a server): exit code 2. */
export class TraceUsageError extends Error {
  override readonly name = "TraceUsageError";
}

export async function traceMigrations(options: TraceOptions): Promise<TraceRun> {
  const cwd = options.cwd ?? process.cwd();
  if (options.commit && !options.url && !options.db) throw new TraceUsageError("--commit applies to a PostgreSQL server (--database-url or DATABASE_URL); PGlite runs in memory");
  const found = findMigrationFiles(options.targets, cwd);
  if (found.files.length === 0) throw new TraceUsageError(`no migrations (.sql, .js, .ts) found in ${options.targets.join(", ")}`);
  const history = options.history?.length ? historyBefore(findMigrationFiles(options.history, cwd).files, found.files) : [];
  const skippedFiles: SkippedFile[] = [...found.skipped];

  const texts = new Map(found.files.map((file) => [file, readFileSync(file, "utf8")]));
  const opened = options.db ?? {
    database: await openDatabase({ url: options.url, extensions: extensionsNamed([...history, ...found.files], texts) }),
    isolation: options.url && !options.commit ? "rollback" : "commit",
  };
  const { database: db, isolation } = opened;
  try {
    const engine = await engineInfo(db);
    const settings: MigrationSettings = { ...DEFAULT_SETTINGS, ...options.settings, postgresVersion: engine.major };
    if (isolation === "rollback") await db.exec("BEGIN");
    try {
      const existedAtStart = options.rows ? [...(await snapshotCatalog(db)).relations.keys()] : [];
      const applied = history.length
        ? await applyMigrations(db, history, {
            settings,
            insideTransaction: isolation === "rollback",
            onFile: (file, index, total) => options.onProgress?.("history", shown(file, cwd), index, total),
          })
        : undefined;
      const seeding = options.rows ? await seedTables(db, options.rows, { insideTransaction: isolation === "rollback", existedAtStart }) : undefined;
      const inputs = found.files.map((file) => loadSqlMigration(file, texts.get(file)!, settings, shown(file, cwd), cwd));
      const started = performance.now();
      const files = await traceFiles(inputs, {
        db,
        isolation,
        postgresVersion: engine.major,
        onFile: (file, index, total) => options.onProgress?.("trace", file, index, total),
      });
      const ms = performance.now() - started;
      return {
        engine,
        isolation,
        ...(applied ? { history: { ...applied, failures: applied.failures.map((f) => ({ ...f, file: shown(f.file, cwd) })), skipped: applied.skipped.map((f) => ({ ...f, file: shown(f.file, cwd) })) } } : {}),
        ...(seeding ? { seeding } : {}),
        files,
        skippedFiles: skippedFiles.map((s) => ({ ...s, path: shown(s.path, cwd) })),
        ms,
      };
    } finally {
      if (isolation === "rollback") await db.exec("ROLLBACK");
    }
  } finally {
    if (!options.db) await db.close();
  }
}

/**
 * History files to apply: not the targets themselves, and in a target's folder only the ones ordered before it
 * (the later ones are migrations that come after the one being traced).
 */
export function historyBefore(history: readonly string[], targets: readonly string[]): string[] {
  const targetSet = new Set(targets);
  return history.filter((file) => {
    if (targetSet.has(file)) return false;
    return !targets.some((target) => dirname(target) === dirname(file) && sortMigrations([file, target])[0] === target);
  });
}

/** Extensions the migrations create, so PGlite can load the ones it ships before the first statement runs. */
function extensionsNamed(files: readonly string[], texts: ReadonlyMap<string, string>): string[] {
  const names = new Set<string>();
  for (const file of files) {
    const text = texts.get(file) ?? readFileSync(file, "utf8");
    if (!/create\s+extension/i.test(text)) continue;
    const read = readMigration(file, text);
    if (!read.ok) continue;
    for (const up of read.statements) {
      const name = up.statement.checked ? nodeOf(up.statement, "CreateExtensionStmt")?.extname : undefined;
      if (name) names.add(name);
    }
  }
  return [...names];
}

async function engineInfo(db: Database): Promise<EngineInfo> {
  const { rows } = await db.query<{ version: string; num: string | number }>(
    "SELECT current_setting('server_version') AS version, current_setting('server_version_num') AS num",
  );
  const version = (rows[0]?.version ?? "").split(" ")[0] ?? "";
  return { kind: db.kind, version, major: Math.floor(Number(rows[0]?.num ?? 0) / 10000) };
}

/** A path as reports print it: relative to the working directory when inside it. */
function shown(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : file;
}
