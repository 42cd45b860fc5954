/**
 * The file-system edge of the history model: finds the migrations the settings point at, orders them the way
 * migration tools do, parses them, and caches the model across the files of one ESLint run — rebuilding it when a
 * migration is added, removed or edited (an editor keeps one ESLint process for hours).
 *
 * Order: migration tools run files by name (timestamps, zero-padded or plain version numbers), so files are sorted
 * by their path relative to the working directory, folder by folder, comparing digit runs as numbers (`V2__` before
 * `V10__`, `9_add` before `10_drop`). Prisma's `migrations/<timestamp>_<name>/migration.sql` sorts by its folder.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync, type Stats } from "node:fs";
import { extname, isAbsolute, join, relative, resolve, sep } from "node:path";
import picomatch from "picomatch";
import { markerKind } from "../context/conventions.js";
import { readSettings } from "../context/settings.js";
import { parseDocument, type SqlDocument } from "../sql/document.js";
import { MIGRATION_JS_FILES, MIGRATION_SQL_FILES, MIGRATION_TS_FILES } from "./migration-places.js";
import { buildModel, type MigrationSource } from "./history.js";
import { readJsMigration, type ReadMigration } from "./js-migrations.js";
import type { SchemaHistory, SchemaModel, SkippedMigration } from "./model.js";
import { readSchemaSettings } from "./settings.js";
import { HistoryTimeline } from "./timeline.js";

/**
 * Turns a migration file into a SQL document (with the conventions it runs under, when the reader knows them), or
 * says why it cannot. One reader per file extension.
 */
export type MigrationReader = (text: string, path: string) => ReadMigration;

const readSql: MigrationReader = (text) => {
  const outcome = parseDocument(text, { markerKind });
  return outcome.ok ? { document: outcome.document } : { skipped: `it could not be split into statements (${outcome.message})` };
};

const readers = new Map<string, MigrationReader>([
  [".sql", readSql],
  ...[".js", ".mjs", ".cjs", ".ts", ".mts", ".cts"].map((extension) => [extension, readJsMigration] as const),
]);

/** Teach the model to read another kind of migration file. Files no reader knows are listed in `model.skipped`. */
export function registerMigrationReader(extensions: readonly string[], reader: MigrationReader): void {
  for (const extension of extensions) readers.set(extension.startsWith(".") ? extension : `.${extension}`, reader);
}

/** Where the model looks when `settings["migration-safety"].migrations` is not given: the recommended config's places. */
export function defaultMigrationGlobs(): readonly string[] {
  return [...MIGRATION_SQL_FILES, ...MIGRATION_JS_FILES, ...MIGRATION_TS_FILES];
}

export const DEFAULT_PRISMA_SCHEMA_GLOBS = ["prisma/schema.prisma", "schema.prisma", "prisma/schema/*.prisma"];

/** Folders never searched: dependencies and hidden folders (.git, caches). */
const SKIPPED_FOLDERS = (name: string): boolean => name === "node_modules" || name.startsWith(".");

/**
 * Files matching the globs (relative to `cwd`; a leading `!` excludes), as sorted `/`-separated relative paths.
 */
export function findFiles(cwd: string, globs: readonly string[]): string[] {
  const include = globs.filter((g) => !g.startsWith("!"));
  const exclude = globs.filter((g) => g.startsWith("!")).map((g) => picomatch(g.slice(1), { dot: true }));
  const found = new Set<string>();
  for (const glob of include) {
    const matches = picomatch(glob, { dot: true });
    const { base, isGlob } = picomatch.scan(glob);
    if (!isGlob) {
      if (isFile(join(cwd, glob))) found.add(toPosix(glob));
      continue;
    }
    walk(resolve(cwd, base), (absolute) => {
      const path = toPosix(relative(cwd, absolute));
      if (matches(path)) found.add(path);
    });
  }
  return [...found].filter((path) => !exclude.some((m) => m(path))).sort(compareMigrationPaths);
}

/** Migration order: folder by folder, digit runs compared as numbers, then as text. */
export function compareMigrationPaths(a: string, b: string): number {
  const as = a.split("/");
  const bs = b.split("/");
  for (let i = 0; i < Math.min(as.length, bs.length); i++) {
    const order = naturalCompare(as[i]!, bs[i]!);
    if (order !== 0) return order;
  }
  return as.length - bs.length;
}

const collator = new Intl.Collator("en", { numeric: true, sensitivity: "variant" });

function naturalCompare(a: string, b: string): number {
  // Ties in the numeric collation (`01` vs `1`) fall back to code-point order, so the sort is total.
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

function walk(directory: string, onFile: (absolute: string) => void): void {
  let entries;
  try {
    entries = readdirSync(directory, { withFileTypes: true });
  } catch {
    return; // a glob whose base does not exist matches nothing
  }
  for (const entry of entries) {
    const absolute = join(directory, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_FOLDERS(entry.name)) walk(absolute, onFile);
    } else if (entry.isFile()) onFile(absolute);
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

const toPosix = (path: string): string => path.split(sep).join("/");

export interface LoadOptions {
  /** The directory globs are relative to: ESLint's cwd. */
  readonly cwd: string;
  /** ESLint's shared `settings` object (the `migration-safety` key is read). */
  readonly settings?: Record<string, unknown>;
}

/** A file as last seen: a change of size or modification time means it must be read again. */
interface Seen {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
}

interface Cached<T> {
  readonly globs: readonly string[];
  readonly files: readonly Seen[];
  /** Folders that held migrations, with their modification time: adding or removing a file there changes it. */
  readonly folders: readonly Seen[];
  readonly searchedAt: number;
  /** When the files were last found unchanged (or read). */
  checkedAt: number;
  readonly settingsKey: string;
  readonly value: T;
}

/** A new migration in a folder that held none before is found by searching again after this long. */
const RESEARCH_AFTER_MS = 2000;

/**
 * How long the per-file history trusts its last check that no migration changed. Checking costs a stat of every
 * migration, and ESLint asks for every file it lints: a 1,000-file project linted in one run would make a million
 * stat calls. An edit saved less than this long before the next lint may be seen one lint late.
 */
const RECHECK_AFTER_MS = 1000;

const models = new Map<string, Cached<SchemaModel>>();
const timelines = new Map<string, Cached<HistoryTimeline>>();
const documents = new Map<string, { seen: Seen; result: ReadMigration }>();

/** The history model for a working directory and settings, from the cache while no migration changed. */
export function loadSchemaModel({ cwd, settings }: LoadOptions): SchemaModel {
  const migration = readSettings(settings);
  const schema = readSchemaSettings(settings);
  const settingsKey = JSON.stringify([migration.migrationTool, migration.transactionPerFile, schema.transitions]);
  return cached(models, cwd, schema.migrations ?? defaultMigrationGlobs(), settingsKey, 0, (files) => {
    const { sources, skipped } = sourcesOf(cwd, files);
    return buildModel(sources, { migration, schema }, skipped);
  });
}

export interface HistoryOptions extends LoadOptions {
  /** The file being linted (absolute, or relative to `cwd`). */
  readonly filename: string;
}

/**
 * `context.history` for a file: the schema as the project's migrations ordered before it leave it, or undefined when
 * the file is not one of them (or `settings["migration-safety"].history` is false). The file itself is read by
 * ESLint, not from disk: only the migrations before it are.
 */
export function loadSchemaHistory({ cwd, settings, filename }: HistoryOptions): SchemaHistory | undefined {
  const schema = readSchemaSettings(settings);
  if (!schema.history) return undefined;
  const path = toPosix(relative(cwd, resolve(cwd, filename)));
  if (path.startsWith("../") || isAbsolute(path)) return undefined;
  const timeline = loadTimeline(cwd, settings);
  return timeline.has(path) ? timeline.before(path, unreleasedMatcher(schema.unreleasedMigrations)) : undefined;
}

/** The schema before every migration of the project, replayed once and cached like the model. */
export function loadTimeline(cwd: string, settings: Record<string, unknown> | undefined): HistoryTimeline {
  const migration = readSettings(settings);
  const schema = readSchemaSettings(settings);
  const settingsKey = JSON.stringify([migration.migrationTool, migration.transactionPerFile]);
  return cached(timelines, cwd, schema.migrations ?? defaultMigrationGlobs(), settingsKey, RECHECK_AFTER_MS, (files) => {
    const byPath = new Map(files.map((file) => [file.path, file]));
    const load = (path: string): MigrationSource | undefined => {
      const file = byPath.get(path);
      const result = file ? documentOf(cwd, file) : undefined;
      return result && !("skipped" in result) ? { path, ...result } : undefined;
    };
    return new HistoryTimeline(files.map((file) => file.path), load, { migration, schema });
  });
}

/** Documents ESLint parsed for the files it linted, with their text: the history reuses them instead of parsing again. */
const linted = new Map<string, { text: string; document: SqlDocument }>();

/**
 * Tell the history that ESLint parsed this .sql file (absolute path) into this document: when the history needs the
 * migration and the file on disk has the same text, it takes the document instead of parsing the file again.
 */
export function rememberDocument(absolutePath: string, text: string, document: SqlDocument): void {
  if (extname(absolutePath).toLowerCase() === ".sql") linted.set(absolutePath, { text, document });
}

const matchers = new WeakMap<readonly string[], (path: string) => boolean>();

/** Unreleased migrations: paths or globs relative to the working directory. */
function unreleasedMatcher(globs: readonly string[]): ((path: string) => boolean) | undefined {
  if (globs.length === 0) return undefined;
  let matcher = matchers.get(globs);
  if (!matcher) {
    const exact = new Set(globs.map((g) => toPosix(g).replace(/^\.\//, "")));
    const patterns = picomatch([...exact], { dot: true });
    // Rules ask for every statement on a table (isNewTable): answer each migration once.
    const answers = new Map<string, boolean>();
    matcher = (path) => {
      let answer = answers.get(path);
      if (answer === undefined) answers.set(path, (answer = exact.has(path) || patterns(path)));
      return answer;
    };
    matchers.set(globs, matcher);
  }
  return matcher;
}

/** The cached value for these files and settings, rebuilt when a migration was added, removed or edited. */
function cached<T>(
  cache: Map<string, Cached<T>>,
  cwd: string,
  globs: readonly string[],
  settingsKey: string,
  trustForMs: number,
  build: (files: readonly Seen[]) => T,
): T {
  const cacheKey = `${cwd}\0${globs.join("\0")}`;
  const hit = cache.get(cacheKey);
  if (hit && hit.settingsKey === settingsKey) {
    const now = Date.now();
    if (now - hit.checkedAt < trustForMs) return hit.value;
    if (isFresh(cwd, hit)) {
      hit.checkedAt = now;
      return hit.value;
    }
  }
  const paths = findFiles(cwd, globs);
  const files = paths.map((path) => stat(cwd, path)).filter((s): s is Seen => s !== undefined);
  const value = build(files);
  const folders = [...new Set(paths.map((p) => p.slice(0, Math.max(0, p.lastIndexOf("/")))))]
    .map((folder) => stat(cwd, folder))
    .filter((s): s is Seen => s !== undefined);
  const now = Date.now();
  cache.set(cacheKey, { globs, files, folders, searchedAt: now, checkedAt: now, settingsKey, value });
  return value;
}

function isFresh(cwd: string, cached: Cached<unknown>): boolean {
  if (Date.now() - cached.searchedAt > RESEARCH_AFTER_MS) {
    const paths = findFiles(cwd, cached.globs);
    if (paths.length !== cached.files.length || paths.some((p, i) => p !== cached.files[i]!.path)) return false;
  }
  return [...cached.files, ...cached.folders].every((seen) => sameAsNow(cwd, seen));
}

function sameAsNow(cwd: string, seen: Seen): boolean {
  const now = stat(cwd, seen.path);
  return now !== undefined && now.size === seen.size && now.mtimeMs === seen.mtimeMs;
}

function stat(cwd: string, path: string): Seen | undefined {
  let stats: Stats;
  try {
    stats = statSync(join(cwd, path));
  } catch {
    return undefined;
  }
  return { path, size: stats.isFile() ? stats.size : 0, mtimeMs: stats.mtimeMs };
}

function sourcesOf(cwd: string, files: readonly Seen[]): { sources: MigrationSource[]; skipped: SkippedMigration[] } {
  const sources: MigrationSource[] = [];
  const skipped: SkippedMigration[] = [];
  for (const file of files) {
    const result = documentOf(cwd, file);
    if ("skipped" in result) skipped.push({ migration: file.path, reason: result.skipped });
    else sources.push({ path: file.path, ...result });
  }
  return { sources, skipped };
}

/** A migration's document, parsed once per version of the file. */
function documentOf(cwd: string, file: Seen): ReadMigration {
  const key = join(cwd, file.path);
  const hit = documents.get(key);
  if (hit && hit.seen.size === file.size && hit.seen.mtimeMs === file.mtimeMs) return hit.result;
  const reader = readers.get(extname(file.path).toLowerCase());
  const text = reader ? readFileSync(key, "utf8") : undefined;
  const parsed = linted.get(key);
  const result =
    reader && text !== undefined
      ? parsed && parsed.text === text && reader === readSql
        ? { document: parsed.document }
        : reader(text, file.path)
      : { skipped: `no reader for ${extname(file.path) || "files without an extension"} migrations` };
  documents.set(key, { seen: file, result });
  return result;
}

export interface FingerprintOptions {
  /** Default: process.cwd(), where ESLint runs. */
  readonly cwd?: string;
  /** Same as `settings["migration-safety"].migrations`. */
  readonly migrations?: string | readonly string[];
  /** Same as `settings["migration-safety"].prismaSchema`. */
  readonly prismaSchema?: string | readonly string[];
}

/**
 * A hash of every migration (and Prisma schema) the app rules read. ESLint's `--cache` keys results by each linted
 * file's content and its config, so app code is not re-linted when only a migration changed; putting this value in
 * the settings makes the config — and so the cache key — change with the migrations.
 */
export function migrationsFingerprint(options: FingerprintOptions = {}): string {
  const cwd = options.cwd ?? process.cwd();
  const list = (value: string | readonly string[] | undefined, fallback: readonly string[]): readonly string[] =>
    value === undefined ? fallback : typeof value === "string" ? [value] : value;
  const hash = createHash("sha256");
  const files = [...findFiles(cwd, list(options.migrations, defaultMigrationGlobs())), ...findFiles(cwd, list(options.prismaSchema, DEFAULT_PRISMA_SCHEMA_GLOBS))];
  for (const path of files) {
    hash.update(path).update("\0").update(readFileSync(join(cwd, path))).update("\0");
  }
  return hash.digest("hex").slice(0, 16);
}

/** Forget every cached model and document (tests; a long-lived process that wants a clean slate). */
export function clearSchemaCache(): void {
  models.clear();
  timelines.clear();
  linted.clear();
  documents.clear();
}
