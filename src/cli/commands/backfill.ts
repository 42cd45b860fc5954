/**
 * `migration-safety backfill plan|run`: the safe form of an unbounded UPDATE. `plan` prints it (keyset batches, an
 * idempotent pending predicate, SKIP LOCKED, the verification query); `run` executes it against a database with
 * progress, adaptive batch size, timeouts, retries, a guard, resume after a stop, and verification at the end.
 * Exit code 0 done and verified, 1 a check failed or a row/batch failed, 2 usage or internal error, 130/143 stopped
 * by SIGINT/SIGTERM (state saved: run again to resume).
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import {
  barProgress,
  defaultStatePath,
  describeKey,
  describeKeySource,
  GuardError,
  guardSaysOk,
  historyBefore,
  lineProgress,
  parseKeyOption,
  planText,
  prepareBackfills,
  readCatalog,
  readState,
  runWorkers,
  shareState,
  silentProgress,
  splitKeyRange,
  totalUpdated,
  keyWalk,
  pageWalk,
  physicalSupport,
  splitPages,
  type Walk,
  STATE_VERSION,
  StateError,
  writeState,
  type BackfillState,
  type KeyRange,
  type Prepared,
  type PreparedBackfill,
  type StateFile,
  type WorkersOutcome,
} from "../../backfill/index.js";
import { applyMigrations, findMigrationFiles, readMigration, runStatement } from "../../db/apply-migrations.js";
import { defaultDatabaseUrl, openDatabase, type Database } from "../../db/database.js";
import { formatName, quoteIdent, type QualifiedName } from "../../sql/names.js";
import { parseTransitionOption, renderResults, runChecks, TransitionSyntaxError, type CheckResult } from "../../verify/index.js";
import { EXIT } from "../main.js";

const FORMATS = ["text", "json"] as const;
type Format = (typeof FORMATS)[number];

interface CommonOptions {
  readonly key?: string;
  readonly databaseUrl?: string;
  readonly batchSize: number;
  readonly targetMs: number;
  readonly lockTimeout: number;
  readonly statementTimeout?: number;
  readonly format: Format;
}

interface PlanOptions extends CommonOptions {
  readonly sql?: string;
  readonly transition?: string;
  readonly order: "key" | "physical";
}

const PROGRESS = ["auto", "bar", "lines", "none"] as const;
const ORDERS = ["auto", "physical", "key"] as const;

interface RunOptions extends CommonOptions {
  readonly progress: (typeof PROGRESS)[number];
  readonly pauseMs: number;
  readonly maxBatchSize: number;
  readonly guard?: string;
  readonly stateFile?: string;
  readonly restart?: boolean;
  readonly migrations?: string;
  readonly seed: string[];
  readonly workers: number;
  readonly order: (typeof ORDERS)[number];
}

const DEFAULTS = { batchSize: 1000, targetMs: 100, lockTimeout: "1s" } as const;

export function register(program: Command): void {
  const backfill = program
    .command("backfill")
    .description("Backfill in bounded, resumable keyset batches instead of one unbounded UPDATE.");

  withCommonOptions(
    backfill
      .command("plan")
      .description("Print the batched form of a migration's unbounded UPDATEs, with the verification query.")
      .argument("[file]", "a migration; every unbounded UPDATE in it is planned")
      .option("--sql <update>", "plan this UPDATE instead of a file's")
      .option("--transition <spec>", "plan the copy [schema.]table.old_column:new_column[=expression]")
      .addOption(new Option("--order <order>", "print the walk by key (works everywhere) or page by page (PostgreSQL 14+, plain tables; what run does there)").choices(["key", "physical"]).default("key")),
  ).action(async function (this: Command, file: string | undefined, options: PlanOptions) {
    process.exitCode = await plan(this, file, options);
  });

  withCommonOptions(
    backfill
      .command("run")
      .description("Run a migration's unbounded UPDATEs in batches, with progress, resume and verification.")
      .argument("<file>", "the migration whose unbounded UPDATEs to run (only those statements run)")
      .option("--pause-ms <ms>", "sleep between batches", integer, 0)
      .option("--max-batch-size <rows>", "the largest batch the adaptive size may reach", integer, 100_000)
      .option("--guard <sql>", "a query returning a boolean column ok (e.g. replication lag below a limit); batches wait while it is false")
      .option("--state-file <path>", "where progress is saved for resuming (default: .migration-safety/<file>.backfill.json beside the file)")
      .option("--restart", "ignore saved progress and start from the first key")
      .option("--workers <n>", "server only: split the keys into n shares run side by side, each on its own connection", positive, 1)
      .addOption(
        new Option("--order <order>", "go over the table page by page as it lies on disk (physical: PostgreSQL 14+, plain tables), or by key; auto: physical where possible")
          .choices(ORDERS)
          .default("auto"),
      )
      .addOption(new Option("--progress <style>", "progress on stderr: a bar on a terminal, lines otherwise (auto)").choices(PROGRESS).default("auto"))
      .option("--migrations <dir>", "in-memory PGlite only: the migrations folder to apply first (default: the file's folder)")
      .option("--seed <file>", "in-memory PGlite only: SQL to run before the backfill, e.g. sample rows (repeatable)", (value: string, previous: string[]) => [...previous, value], []),
  ).action(async function (this: Command, file: string, options: RunOptions) {
    process.exitCode = await run(this, file, options);
  });
}

function withCommonOptions(command: Command): Command {
  return command
    .option("--key <columns>", "the key to walk, e.g. id or tenant_id,id (default: the primary key, from the migrations or the database)")
    .option("--database-url <url>", "PostgreSQL server (default: DATABASE_URL), or pglite:<dir> for a PGlite kept on disk")
    .option("--batch-size <rows>", "rows in the first batch (run adapts it)", integer, DEFAULTS.batchSize)
    .option("--target-ms <ms>", "keep each batch's transaction under this", integer, DEFAULTS.targetMs)
    .option("--lock-timeout <duration>", "lock_timeout for each batch (e.g. 1s, 500ms)", duration, duration(DEFAULTS.lockTimeout))
    .option("--statement-timeout <duration>", "statement_timeout for each batch (default: target + lock timeout)", duration)
    .addOption(new Option("-f, --format <format>", "output format").choices(FORMATS).default("text"));
}

const note = (text: string): void => void process.stderr.write(`migration-safety: ${text}\n`);

// ---------------------------------------------------------------------------------------------------------------
// plan

async function plan(command: Command, file: string | undefined, options: PlanOptions): Promise<number> {
  const given = [file, options.sql, options.transition].filter((x) => x !== undefined).length;
  if (given !== 1) command.error("error: give one of <file>, --sql \"UPDATE …\" or --transition table.old:new", { exitCode: EXIT.error });
  const key = keyOption(command, options.key);
  let text: string;
  if (options.transition !== undefined) text = transitionUpdate(command, options.transition);
  else text = options.sql ?? readFileSync(file!, "utf8");

  const url = options.databaseUrl ?? defaultDatabaseUrl();
  const connection = lazyDatabase(url);
  try {
    const prepared = await prepareBackfills({
      text,
      file,
      key,
      history: file ? (upTo) => historyBefore(file, upTo) : undefined,
      catalog: url ? async (table) => readCatalog(await connection.get(), table) : undefined,
      // An explicit --database-url is asked even when the migrations tell the key: it knows the real types.
      needCatalog: options.databaseUrl !== undefined,
    });
    reportUnplanned(prepared, file);
    const statementTimeoutMs = options.statementTimeout ?? options.targetMs + options.lockTimeout;
    if (options.format === "json") {
      process.stdout.write(`${JSON.stringify(planJson(prepared, file, options, statementTimeoutMs), null, 2)}\n`);
    } else {
      const texts = prepared.backfills.map((b) => planText(b, { file, order: options.order, batchSize: options.batchSize, lockTimeoutMs: options.lockTimeout, statementTimeoutMs }));
      process.stdout.write(texts.join("\n"));
    }
    if (prepared.backfills.length === 0 && prepared.refused.length === 0) note(`no unbounded UPDATE to batch${file ? ` in ${file}` : ""}`);
    return prepared.refused.length > 0 ? EXIT.error : EXIT.ok;
  } finally {
    await connection.close();
  }
}

function planJson(prepared: Prepared, file: string | undefined, options: PlanOptions, statementTimeoutMs: number): unknown {
  return {
    backfills: prepared.backfills.map(({ id, plan: p, checks }) => ({
      id,
      ...(file ? { file } : {}),
      line: p.target.line,
      table: formatName(p.target.table),
      key: { columns: p.key.columns, source: p.key.source, description: describeKeySource(p.key.source) },
      assignments: p.assignments.map((a) => ({ column: a.column, expression: a.expression, mode: a.mode, pending: a.pending, why: a.why })),
      warnings: p.warnings,
      lockTimeoutMs: options.lockTimeout,
      statementTimeoutMs,
      order: options.order,
      ...(options.order === "physical"
        ? { pageBatch: p.pageBatchSql(), unfinishedCount: p.pendingSql(true, false, true) }
        : { firstBatch: p.batchSql(options.batchSize, true), nextBatch: p.batchSql(options.batchSize, false) }),
      verification: checks,
    })),
    refused: prepared.refused.map((r) => ({ line: r.line, reason: r.reason })),
    unchecked: prepared.unchecked,
  };
}

/** `--transition users.full_name:display_name[=expr]` as the UPDATE it stands for. */
function transitionUpdate(command: Command, spec: string): string {
  try {
    const transition = parseTransitionOption(spec);
    return `UPDATE ${formatName(transition.table)} SET ${quoteIdent(transition.to)} = ${transition.expression ?? quoteIdent(transition.from)}`;
  } catch (error) {
    if (error instanceof TransitionSyntaxError) command.error(`error: ${error.message}`, { exitCode: EXIT.error });
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// run

interface Finished {
  readonly backfill: PreparedBackfill;
  readonly outcome: WorkersOutcome;
}

async function run(command: Command, file: string, options: RunOptions): Promise<number> {
  const key = keyOption(command, options.key);
  const url = options.databaseUrl ?? defaultDatabaseUrl();
  const scratch = url === undefined;
  if (!scratch && (options.seed.length > 0 || options.migrations !== undefined)) {
    command.error("error: --migrations and --seed prepare the in-memory PGlite used without a database URL", { exitCode: EXIT.error });
  }
  const text = readFileSync(file, "utf8");
  const db = await openDatabase({ url });
  try {
    if (scratch) {
      note("no DATABASE_URL or --database-url: rehearsing on an in-memory PGlite (earlier migrations, seeds, then this file); nothing is saved");
      await prepareScratch(db, file, options);
    }
    const prepared = await prepareBackfills({
      text,
      file,
      key,
      history: (upTo) => historyBefore(file, upTo),
      catalog: (table: QualifiedName) => readCatalog(db, table),
      needCatalog: true,
    });
    reportUnplanned(prepared, file);
    if (prepared.refused.length > 0) {
      note("nothing was run: every unbounded UPDATE of the file must be batchable");
      return EXIT.error;
    }
    if (prepared.backfills.length === 0) {
      note(`no unbounded UPDATE to batch in ${file}`);
      if (options.format === "json") process.stdout.write(`${JSON.stringify(summaryJson("done", [], []), null, 2)}\n`);
      return EXIT.ok;
    }
    if (options.guard) {
      try {
        await guardSaysOk(db, options.guard); // a broken guard is a usage error now, not an endless wait later
      } catch (error) {
        if (error instanceof GuardError) command.error(`error: ${error.message}`, { exitCode: EXIT.error });
        throw error;
      }
    }
    return await runAll(db, url, file, prepared.backfills, options, scratch);
  } catch (error) {
    if (error instanceof StateError) command.error(`error: ${error.message}`, { exitCode: EXIT.error });
    throw error;
  } finally {
    await db.close();
  }
}

async function runAll(db: Database, url: string | undefined, file: string, backfills: readonly PreparedBackfill[], options: RunOptions, scratch: boolean): Promise<number> {
  const statePath = options.stateFile ?? defaultStatePath(file);
  const migration = resolve(file);
  const saved: StateFile | undefined = scratch || options.restart ? undefined : readState(statePath, migration);
  const records: Record<string, readonly BackfillState[]> = {};
  const stale = Object.keys(saved?.backfills ?? {}).filter((id) => !backfills.some((b) => b.id === id));
  if (stale.length > 0) note(`${statePath} holds progress of UPDATEs that changed since; they start over`);

  const controller = new AbortController();
  let stoppedBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stoppedBy) {
      note(`${signal} again: exiting now; the server rolls back the batch in flight`);
      process.exit(signal === "SIGINT" ? 130 : 143);
    }
    stoppedBy = signal;
    note(`${signal}: stopping after the current batch (send it again to exit at once)`);
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const style = options.progress === "auto" ? (process.stderr.isTTY ? "bar" : "lines") : options.progress;
  const progress = style === "bar" ? barProgress(process.stderr) : style === "lines" ? lineProgress(process.stderr) : silentProgress;
  const statementTimeoutMs = options.statementTimeout ?? options.targetMs + options.lockTimeout;
  const finished: Finished[] = [];
  // Each worker after the first gets a connection of its own, opened when a backfill first needs it.
  const extra: Database[] = [];
  try {
    for (const backfill of backfills) {
      const { plan: p } = backfill;
      const fresh: BackfillState = {
        table: formatName(p.target.table),
        line: p.target.line,
        cursor: null,
        pass: 1,
        skipped: [],
        queue: null,
        updated: 0,
        batches: 0,
        done: false,
        savedAt: new Date().toISOString(),
      };
      const resumed = saved?.backfills[backfill.id];
      const walked = await chooseWalk(db, p, resumed ? (resumed[0]?.order ?? "key") : options.order, resumed !== undefined);
      if (!walked.ok) throw new StateError(walked.reason);
      // PGlite has a single connection: one worker there.
      const initial = resumed ?? (await walked.shares(db.kind === "pglite" ? 1 : options.workers)).map((range) => shareState({ ...fresh, ...(walked.walk.order === "physical" ? { order: "physical" } : {}) }, range));
      const done = totalUpdated(initial);
      const order = walked.walk.order === "physical" ? "page by page, in the order rows lie on disk" : `by key ${describeKey(p.key.columns)}, ${describeKeySource(p.key.source)}`;
      if (resumed) note(`${formatName(p.target.table)}: resuming from ${statePath} (${done} rows done${initial.every((s) => s.done) ? ", finished" : ""}), ${order}`);
      else note(`${formatName(p.target.table)}: walking ${order}${walked.fallback ? ` (${walked.fallback})` : ""}`);
      if (initial.length > 1) note(`${initial.length} workers, each on a share of the ${walked.walk.unit}${resumed && initial.length !== options.workers ? " (as saved)" : ""}`);
      else if (options.workers > 1 && !resumed) note(`one worker: ${db.kind === "pglite" ? "PGlite has a single connection" : "too few rows to share"}`);
      for (const warning of p.warnings) note(`warning: ${warning}`);
      if (initial.length > 1 && db.kind === "pglite") {
        throw new StateError(`${statePath} was saved by ${initial.length} workers on a server; resume it there, or start over with --restart`);
      }
      while (extra.length < initial.length - 1) extra.push(await openDatabase({ url }));
      const outcome = await runWorkers([db, ...extra], p, initial, {
        walk: walked.walk,
        batchSize: options.batchSize,
        maxBatchSize: options.maxBatchSize,
        targetMs: options.targetMs,
        pauseMs: options.pauseMs,
        lockTimeoutMs: options.lockTimeout,
        statementTimeoutMs,
        guard: options.guard,
        signal: controller.signal,
        progress,
        save: (states) => {
          records[backfill.id] = states;
          if (!scratch) writeState(statePath, { version: STATE_VERSION, file: migration, backfills: { ...saved?.backfills, ...records } });
        },
      });
      finished.push({ backfill, outcome });
      if (outcome.status !== "done") break;
    }
  } finally {
    progress.stop();
    await Promise.all(extra.map((d) => d.close()));
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }

  const last = finished[finished.length - 1]!.outcome;
  const status = finished.length === backfills.length && last.status === "done" ? "done" : last.status;
  const results = status === "done" ? await runChecks(db, backfills.flatMap((b) => b.checks)) : [];
  if (options.format === "json") process.stdout.write(`${JSON.stringify(summaryJson(status, finished, results), null, 2)}\n`);
  else process.stdout.write(summaryText(status, finished, results, statePath, scratch));

  if (status === "interrupted") return stoppedBy === "SIGTERM" ? 143 : 130;
  if (status === "failed") return EXIT.findings;
  return results.every((r) => r.ok) ? EXIT.ok : EXIT.findings;
}

function summaryJson(status: string, finished: readonly Finished[], results: readonly CheckResult[]): unknown {
  const updated = finished.reduce((n, f) => n + f.outcome.stats.updated, 0);
  const elapsedMs = finished.reduce((n, f) => n + f.outcome.stats.elapsedMs, 0);
  const failed = finished.find((f) => f.outcome.status === "failed")?.outcome;
  return {
    status,
    updated,
    batches: finished.reduce((n, f) => n + f.outcome.stats.batches, 0),
    rate: elapsedMs > 0 ? Math.round((updated / elapsedMs) * 1000) : 0,
    maxBatchMs: Math.round(Math.max(0, ...finished.map((f) => f.outcome.stats.maxBatchMs))),
    verification: results.map((r) => ({ check: r.check, ok: r.ok, detail: r.detail, ...r.figures, ...(r.error === undefined ? {} : { error: r.error }) })),
    backfills: finished.map(({ backfill, outcome }) => ({
      table: formatName(backfill.plan.target.table),
      line: backfill.plan.target.line,
      columns: backfill.plan.assignments.map((a) => a.column),
      key: backfill.plan.key.columns.map((c) => c.name),
      order: outcome.states[0]?.order ?? "key",
      status: outcome.status,
      updated: outcome.stats.updated,
      totalUpdated: totalUpdated(outcome.states),
      batches: outcome.stats.batches,
      retries: outcome.stats.retries,
      maxBatchMs: Math.round(outcome.stats.maxBatchMs),
    })),
    ...(failed?.status === "failed" ? { error: failed.failure } : {}),
  };
}

function summaryText(status: string, finished: readonly Finished[], results: readonly CheckResult[], statePath: string, scratch: boolean): string {
  const lines: string[] = [];
  for (const { backfill, outcome } of finished) {
    const { stats } = outcome;
    const rate = stats.elapsedMs > 0 ? Math.round((stats.updated / stats.elapsedMs) * 1000) : 0;
    const name = `${formatName(backfill.plan.target.table)} (${backfill.plan.assignments.map((a) => formatName({ name: a.column })).join(", ")})`;
    lines.push(`${name}: ${outcome.status}, ${stats.updated} rows updated in ${stats.batches} batches, ${rate} rows/s, longest batch ${Math.round(stats.maxBatchMs)} ms${stats.retries ? `, ${stats.retries} retries` : ""}`);
    if (outcome.status === "failed") {
      const { failure } = outcome;
      if (failure.kind === "row") {
        const key = Object.entries(failure.key).map(([k, v]) => `${formatName({ name: k })} = ${v}`).join(", ");
        lines.push(`  the row with ${key} fails: ${failure.message}${failure.code ? ` (${failure.code})` : ""}`);
        lines.push(`  its batch was rolled back; fix the row (or the expression) and run again to resume`);
      } else {
        lines.push(`  the batch failed: ${failure.message}${failure.code ? ` (${failure.code})` : ""}; it was rolled back`);
      }
    }
  }
  if (status === "interrupted") lines.push(scratch ? "stopped." : `stopped; progress is saved in ${statePath}: run the same command again to resume.`);
  if (status === "done") lines.push("", renderResults(results).trimEnd());
  return `${lines.join("\n")}\n`;
}

/** In-memory PGlite: the migrations before this one, the seeds, then this file's statements before its backfills. */
async function prepareScratch(db: Database, file: string, options: RunOptions): Promise<void> {
  const folder = options.migrations ?? dirname(file);
  const target = resolve(file);
  const all = findMigrationFiles([folder]).files;
  const position = all.indexOf(target);
  const earlier = position >= 0 ? all.slice(0, position) : all.filter((f) => f !== target);
  const applied = await applyMigrations(db, earlier);
  note(`applied ${applied.applied} statements of ${applied.files} earlier migrations from ${folder}`);
  for (const failure of [...applied.failures, ...applied.skipped]) note(`${failure.file}:${failure.line}: ${failure.error}`);
  for (const seed of options.seed) await db.exec(readFileSync(seed, "utf8"));
  // This file's own statements, except its unbounded UPDATEs (the backfills, run batched next) and what follows them.
  const read = readMigration(target, readFileSync(file, "utf8"));
  if (!read.ok) return;
  const probe = await prepareBackfills({ text: readFileSync(file, "utf8"), file });
  const first = Math.min(...[...probe.backfills.map((b) => b.plan.target.statement.index), ...probe.refused.map((r) => r.statement.index)]);
  for (const up of read.statements) {
    if (up.statement.index >= first || up.notRun) continue;
    const failure = await runStatement(db, up.text, false);
    if (failure) note(`${file}:${up.line}: ${failure.error}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// shared

function reportUnplanned(prepared: Prepared, file: string | undefined): void {
  const where = (line: number): string => (file ? `${file}:${line}` : `line ${line}`);
  for (const refused of prepared.refused) note(`${where(refused.line)}: cannot batch this UPDATE: ${refused.reason}`);
  for (const unchecked of prepared.unchecked) note(`${where(unchecked.line)}: not analysed (${unchecked.reason}); an UPDATE there would not be batched`);
}

function keyOption(command: Command, text: string | undefined): readonly string[] | undefined {
  if (text === undefined) return undefined;
  const parsed = parseKeyOption(text);
  if (!parsed.ok) command.error(`error: ${parsed.reason}`, { exitCode: EXIT.error });
  return parsed.columns;
}

/** A database opened on first use, so `plan` connects only when it needs the catalog. */
function lazyDatabase(url: string | undefined): { get(): Promise<Database>; close(): Promise<void> } {
  let opened: Promise<Database> | undefined;
  return {
    get() {
      opened ??= openDatabase({ url });
      return opened;
    },
    async close() {
      if (opened) await (await opened).close();
    },
  };
}

type ChosenWalk =
  | { readonly ok: true; readonly walk: Walk; readonly shares: (workers: number) => Promise<KeyRange[]>; readonly fallback?: string }
  | { readonly ok: false; readonly reason: string };

/**
 * The walk for a backfill: physical order where the database allows it (auto), else the key. A walk asked for
 * by name (or saved by the run being resumed) that cannot be had here is an error, not a silent change of order.
 */
async function chooseWalk(db: Database, p: PreparedBackfill["plan"], order: (typeof ORDERS)[number], resuming: boolean): Promise<ChosenWalk> {
  const byKey: ChosenWalk = { ok: true, walk: keyWalk(p), shares: (workers) => splitKeyRange(db, p, workers) };
  if (order === "key") return byKey;
  const support = await physicalSupport(db, p);
  if (support.ok) return { ok: true, walk: pageWalk(p, support.rowsPerPage), shares: async (workers) => splitPages(support.pages, workers) };
  if (order === "auto") return { ...byKey, fallback: `not page by page: ${support.reason}` };
  return { ok: false, reason: `${formatName(p.target.table)} cannot be walked in physical order${resuming ? ", as the saved progress does" : ""}: ${support.reason}${resuming ? "; start over with --restart" : "; use --order key"}` };
}

function positive(value: string): number {
  const n = integer(value);
  if (n < 1) throw new InvalidArgumentError("expected 1 or more");
  return n;
}

function integer(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError("expected a whole number");
  return n;
}

/** `1s`, `500ms`, `2min`, or a number of milliseconds. */
export function duration(value: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|min)?\s*$/.exec(value);
  if (!match) throw new InvalidArgumentError("expected a duration such as 500ms, 1s or 2min");
  const factor = { ms: 1, s: 1000, min: 60_000 }[(match[2] ?? "ms") as "ms" | "s" | "min"];
  return Math.round(Number(match[1]) * factor);
}
