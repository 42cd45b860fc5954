/**
 * Applying a folder of migrations to a Database the way the migration tools would: the same files, in the same
 * order, only their "up" parts, one top-level statement at a time — so one statement PostgreSQL cannot run here (a
 * missing extension, role or tablespace) is reported and the rest still runs. Used by `trace` (history before the
 * traced migrations) and by the verification runner (a schema to verify against).
 *
 * TS/JS migrations (knex, Kysely, node-pg-migrate, TypeORM, Sequelize, MikroORM, raw SQL) are read through the
 * extractor the migration rules use: the SQL their up function runs, each statement at its line in the file, under the
 * framework's transaction convention. What a builder call is translated to is the SQL the framework would send, as
 * far as the call can be read without running it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, extname, join, resolve, sep } from "node:path";
import { markerKind, type MigrationConvention } from "../context/conventions.js";
import { analyzeMigration, type StatementContext } from "../context/migration-context.js";
import { DEFAULT_SETTINGS, type MigrationSettings } from "../context/settings.js";
import { parseDocument, type SqlDocument } from "../sql/document.js";
import { findKeywords } from "../sql/locate.js";
import { readJsMigration } from "../schema/js-migrations.js";
import { nodeOf, type ParsedStatement, type Statement } from "../sql/statement.js";
import type { Database } from "./database.js";

// ---------------------------------------------------------------------------------------------------------------
// Which files, in which order

/** A file the discovery did not take, and why (a rollback part, a test file). */
export interface SkippedFile {
  readonly path: string;
  readonly reason: string;
}

export interface MigrationFileList {
  /** Absolute paths of the migrations (.sql, and TS/JS), in the order the migration tool applies them. */
  readonly files: readonly string[];
  readonly skipped: readonly SkippedFile[];
}

const SCRIPT_EXTENSIONS = new Set([".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"]);
const IGNORED_FOLDERS = new Set(["node_modules", ".git"]);
/** golang-migrate `*.down.sql`, diesel `down.sql`. */
const DOWN_FILE = /(^|\.)down\.sql$/i;
/** Flyway undo migrations (`U2__drop_x.sql`). */
const FLYWAY_UNDO = /^U\d[\w.]*__.+\.sql$/;

/**
 * The migrations under the given paths (files or folders, searched recursively), in apply order. A file named
 * explicitly is taken as it is; in folders, rollback files (`*.down.sql`, `down.sql`, Flyway `U…`, sqitch
 * `revert/` and `verify/`) are skipped. Throws when a path does not exist.
 */
export function findMigrationFiles(paths: readonly string[], cwd: string = process.cwd()): MigrationFileList {
  const files = new Set<string>();
  const skipped: SkippedFile[] = [];
  for (const given of paths) {
    const path = resolve(cwd, given);
    if (!existsSync(path)) throw new Error(`${given}: no such file or folder`);
    if (statSync(path).isDirectory()) {
      for (const file of walk(path)) {
        const reason = skipReason(file, path);
        if (reason === null) files.add(file);
        else if (reason) skipped.push({ path: file, reason });
      }
    } else if (extname(path) === ".sql" || isScript(path)) {
      files.add(path);
    } else {
      skipped.push({ path, reason: "not a .sql, .js or .ts file" });
    }
  }
  return { files: sortMigrations([...files]), skipped };
}

/** A JS/TS file, read through the extractor. */
export function isScript(file: string): boolean {
  return SCRIPT_EXTENSIONS.has(extname(file).toLowerCase());
}

function* walk(folder: string): Generator<string> {
  const entries = readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      if (!IGNORED_FOLDERS.has(entry.name)) yield* walk(path);
    } else if (entry.isFile()) {
      yield path;
    }
  }
}

/** null: a migration to apply; a string: skipped for that reason; "": not a migration at all (README.md, JSON…). */
function skipReason(file: string, root: string): string | null {
  const name = basename(file);
  const folders = file.slice(root.length).split(sep).slice(0, -1);
  if (isScript(name)) return name.endsWith(".d.ts") || /\.(test|spec)\.[cm]?[jt]s$/.test(name) ? "" : null;
  if (extname(name) !== ".sql") return "";
  if (DOWN_FILE.test(name)) return "a rollback (down) migration";
  if (FLYWAY_UNDO.test(name)) return "a Flyway undo migration";
  if (folders.includes("revert")) return "a sqitch revert script";
  if (folders.includes("verify")) return "a sqitch verify script";
  return null;
}

/**
 * Apply order: by version, as the tools compare them — goose, golang-migrate, dbmate, Flyway and Drizzle by the
 * number the name starts with (numerically, so `V10` follows `V9`), Prisma and Supabase `migration.sql` by their
 * folder's name, sqitch `deploy/` scripts by their line in `sqitch.plan`; Flyway repeatable `R__` migrations after
 * every versioned one. Ties by path.
 */
export function sortMigrations(files: readonly string[]): string[] {
  const plans = new Map<string, Map<string, number> | null>();
  const keyOf = (file: string): OrderKey => orderKey(file, plans);
  const keyed = files.map((file) => ({ file, key: keyOf(file) }));
  keyed.sort((a, b) => compareKeys(a.key, b.key) || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return keyed.map((k) => k.file);
}

interface OrderKey {
  /** 0: versioned or planned, 1: unversioned, 2: Flyway repeatable (applied last). */
  readonly group: number;
  /** Version parts as digit strings without leading zeros, or the sqitch plan position. */
  readonly version: readonly string[];
  readonly name: string;
}

function orderKey(file: string, plans: Map<string, Map<string, number> | null>): OrderKey {
  const name = basename(file);
  const folder = dirname(file);
  const planned = sqitchPosition(file, plans);
  if (planned !== undefined) return { group: 0, version: [String(planned)], name };
  // Prisma and Supabase keep one migration.sql per folder named after the migration.
  const migrationName = name === "migration.sql" ? basename(folder) : name;
  if (/^R__/.test(migrationName)) return { group: 2, version: [], name: migrationName };
  const match = /^[Vv]?(\d+(?:[._]\d+)*)/.exec(migrationName);
  if (!match) return { group: 1, version: [], name: migrationName };
  const version = match[1]!.split(/[._]/).map((part) => part.replace(/^0+(?=\d)/, ""));
  return { group: 0, version, name: migrationName };
}

function compareKeys(a: OrderKey, b: OrderKey): number {
  if (a.group !== b.group) return a.group - b.group;
  for (let i = 0; i < Math.max(a.version.length, b.version.length); i++) {
    const x = a.version[i];
    const y = b.version[i];
    if (x === undefined || y === undefined) return x === undefined ? -1 : 1;
    if (x.length !== y.length) return x.length - y.length; // numeric comparison of digit strings of any length
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The position of a sqitch `deploy/<change>.sql` script in the `sqitch.plan` beside its deploy folder. */
function sqitchPosition(file: string, plans: Map<string, Map<string, number> | null>): number | undefined {
  const deploy = dirname(file);
  if (basename(deploy) !== "deploy") return undefined;
  const planFile = join(dirname(deploy), "sqitch.plan");
  let plan = plans.get(planFile);
  if (plan === undefined) {
    plan = existsSync(planFile) ? readSqitchPlan(readFileSync(planFile, "utf8")) : null;
    plans.set(planFile, plan);
  }
  return plan?.get(basename(file, ".sql"));
}

/** Change names of a sqitch plan, in order (pragmas `%…`, comments `#…` and tags `@…` are not changes). */
export function readSqitchPlan(text: string): Map<string, number> {
  const order = new Map<string, number>();
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (!trimmed || /^[%#@]/.test(trimmed)) continue;
    const change = trimmed.split(/\s+/)[0]!;
    if (!order.has(change)) order.set(change, order.size);
  }
  return order;
}

// ---------------------------------------------------------------------------------------------------------------
// Which statements

/** One top-level statement of a migration's up part, as the tool would send it. */
export interface UpStatement {
  readonly file: string;
  /** 1-based line of the statement's first token. */
  readonly line: number;
  readonly text: string;
  readonly statement: Statement;
  readonly context: StatementContext;
  /** Why the statement is not sent to the database at all (COPY data that is not loaded, transaction control). */
  readonly notRun?: string;
}

export type ReadMigrationOutcome =
  | { readonly ok: true; readonly document: SqlDocument; readonly contexts: readonly StatementContext[]; readonly statements: readonly UpStatement[] }
  | { readonly ok: false; readonly error: string };

/**
 * The up statements of one migration file, top-level only (a DO block runs as a whole). goose and dbmate files are
 * split at their markers and the Down part left out; rollback files give no statement.
 */
export function readMigration(file: string, text: string, settings: MigrationSettings = DEFAULT_SETTINGS): ReadMigrationOutcome {
  let document: SqlDocument;
  let convention: MigrationConvention | undefined;
  if (isScript(file)) {
    // The statement positions of the extracted document are the file's lines.
    const script = readJsMigration(text, file, settings.transactionPerFile);
    if ("skipped" in script) return { ok: false, error: `not read as a migration: ${script.skipped}` };
    ({ document, convention } = script);
  } else {
    const outcome = parseDocument(text, { markerKind });
    if (!outcome.ok) {
      const line = outcome.source.positionOf(outcome.index).line;
      return { ok: false, error: `${outcome.message} (line ${line})` };
    }
    document = outcome.document;
  }
  const contexts = analyzeMigration(document, settings, file, convention);
  const statements: UpStatement[] = [];
  for (const statement of document.body) {
    const context = contexts[statement.index]!;
    if (context.phase !== "up") continue;
    const notRun = statement.checked ? notRunReason(statement) : undefined;
    statements.push({ file, line: statement.loc.start.line, text: statement.text, statement, context, ...(notRun ? { notRun } : {}) });
  }
  return { ok: true, document, contexts, statements };
}

/**
 * Statements that are not sent as they are. Transaction control is left to the caller, who decides how statements
 * are grouped; COPY between the client and the server needs a data stream this runner does not have.
 */
function notRunReason(statement: ParsedStatement): string | undefined {
  if (nodeOf(statement, "TransactionStmt")) return "transaction control: the runner decides how statements are grouped";
  const copy = nodeOf(statement, "CopyStmt");
  if (copy && !copy.filename && !copy.is_program) {
    return copy.is_from ? "COPY … FROM stdin: the data that follows it in the file is not loaded" : "COPY … TO stdout sends rows to the client";
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Running them

export interface StatementFailure {
  readonly file: string;
  readonly line: number;
  readonly statement: string;
  readonly error: string;
  /** PostgreSQL's SQLSTATE, when the error came from the database. */
  readonly code?: string;
}

export interface ApplyOptions {
  readonly settings?: MigrationSettings;
  /**
   * The connection is inside a transaction the caller will roll back: each statement runs under a savepoint, so a
   * failure undoes only that statement, and index builds and drops are sent without CONCURRENTLY (refused inside a
   * transaction block; the resulting schema is the same).
   */
  readonly insideTransaction?: boolean;
  /** Called after each file (progress). */
  readonly onFile?: (file: string, index: number, total: number) => void;
}

export interface ApplyResult {
  readonly files: number;
  /** Statements that ran successfully. */
  readonly applied: number;
  readonly failures: readonly StatementFailure[];
  /** Statements not sent (COPY data, transaction control), and files that could not be split into statements. */
  readonly skipped: readonly StatementFailure[];
}

/**
 * Apply the up parts of migration files in the given order, each top-level statement on its own, without any
 * per-statement bookkeeping beyond failures. Transaction control in the files is not sent: statements run one by
 * one (autocommit, or a savepoint each when `insideTransaction`), so one failure never aborts the rest.
 */
export async function applyMigrations(db: Database, files: readonly string[], options: ApplyOptions = {}): Promise<ApplyResult> {
  const settings = options.settings ?? DEFAULT_SETTINGS;
  const failures: StatementFailure[] = [];
  const skipped: StatementFailure[] = [];
  let applied = 0;
  for (const [index, file] of files.entries()) {
    const read = readMigration(file, readFileSync(file, "utf8"), settings);
    if (!read.ok) {
      skipped.push({ file, line: 1, statement: "", error: read.error });
    } else {
      for (const up of read.statements) {
        if (up.notRun) {
          if (!nodeOfKind(up.statement, "TransactionStmt")) skipped.push({ file, line: up.line, statement: up.text, error: up.notRun });
          continue;
        }
        const sql = options.insideTransaction ? withoutConcurrently(up.statement, read.document) : up.text;
        const failure = await runStatement(db, sql, options.insideTransaction ?? false);
        if (failure) failures.push({ file, line: up.line, statement: up.text, ...failure });
        else applied++;
      }
    }
    options.onFile?.(file, index, files.length);
  }
  return { files: files.length, applied, failures, skipped };
}

function nodeOfKind(statement: Statement, kind: "TransactionStmt"): boolean {
  return statement.checked && nodeOf(statement, kind) !== undefined;
}

/** Run one statement; on failure, the error (and, inside a transaction, only the statement is undone). */
export async function runStatement(db: Database, sql: string, insideTransaction: boolean): Promise<{ error: string; code?: string } | undefined> {
  if (insideTransaction) await db.exec("SAVEPOINT migration_safety_apply");
  try {
    await db.exec(sql);
    if (insideTransaction) await db.exec("RELEASE SAVEPOINT migration_safety_apply");
    return undefined;
  } catch (error) {
    if (insideTransaction) await db.exec("ROLLBACK TO SAVEPOINT migration_safety_apply; RELEASE SAVEPOINT migration_safety_apply");
    return describeError(error);
  }
}

/** The message and SQLSTATE of an error thrown by pg or PGlite. */
export function describeError(error: unknown): { error: string; code?: string } {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? { error: message, code } : { error: message };
}

/**
 * The statement's text without the CONCURRENTLY of CREATE INDEX / DROP INDEX, which PostgreSQL refuses inside a
 * transaction block; any other statement unchanged. The keyword is found by PostgreSQL's own scanner.
 */
export function withoutConcurrently(statement: Statement, document: SqlDocument): string {
  if (!statement.checked) return statement.text;
  const concurrent = nodeOf(statement, "IndexStmt")?.concurrent === true || (nodeOf(statement, "DropStmt")?.removeType === "OBJECT_INDEX" && nodeOf(statement, "DropStmt")?.concurrent === true);
  if (!concurrent) return statement.text;
  const keyword = findKeywords(statement, document.source, ["CONCURRENTLY"]);
  if (!keyword) return statement.text;
  const [start, end] = [keyword[0] - statement.range[0], keyword[1] - statement.range[0]];
  return `${statement.text.slice(0, start)}${statement.text.slice(end)}`;
}
