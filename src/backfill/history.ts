/**
 * The migration history a backfill's key can be read from: the migrations that ran before it, in the order their
 * names sort (how every migration tool orders them), plus the statements of its own file before the UPDATE. The
 * folder is the file's; for a migration that is a folder of its own (Prisma's `<name>/migration.sql`, diesel's and
 * sourcegraph's `<name>/up.sql`), the folder of those folders. Rollback parts (down files, goose/dbmate Down sections) are left out.
 */
import { readdirSync, readFileSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";
import { analyzeMigration } from "../context/migration-context.js";
import { markerKind } from "../context/conventions.js";
import { DEFAULT_SETTINGS } from "../context/settings.js";
import { parseDocument } from "../sql/document.js";
import type { ParsedStatement } from "../sql/statement.js";
import type { HistoryStatement } from "./keys.js";

/** More files than this in a folder means it is not a migrations folder we should read all of. */
const MAX_FILES = 5000;

/** The statements that ran before `upTo` (a statement of `file`), oldest first. Paths in messages are relative to cwd. */
export function historyBefore(file: string, upTo: ParsedStatement, cwd = process.cwd()): HistoryStatement[] {
  const absolute = resolve(cwd, file);
  const root = migrationsRoot(absolute);
  const own = relative(root, absolute);
  const earlier = migrationFiles(root, root === dirname(absolute) ? 0 : 1)
    .filter((f) => compareNames(f.key, own) < 0)
    .sort((a, b) => compareNames(a.key, b.key));
  const out: HistoryStatement[] = [];
  for (const { path } of earlier) {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch {
      continue; // unreadable: it cannot tell us anything
    }
    out.push(...upStatements(text, path, cwd));
  }
  out.push(...upStatements(readFileSync(absolute, "utf8"), absolute, cwd).filter((h) => h.statement.index < upTo.index));
  return out;
}

/** The "up" statements of a migration's text, in execution order. */
export function upStatements(text: string, path: string, cwd = process.cwd()): HistoryStatement[] {
  const outcome = parseDocument(text, { markerKind });
  if (!outcome.ok) return [];
  const contexts = analyzeMigration(outcome.document, DEFAULT_SETTINGS, path);
  const shown = relative(cwd, path);
  const name = shown === "" || shown.startsWith("..") || isAbsolute(shown) ? path : shown;
  return outcome.document.statements.flatMap((statement, i) =>
    statement.checked && contexts[i]?.phase === "up" ? [{ file: name, statement }] : [],
  );
}

interface MigrationFile {
  readonly path: string;
  /** What orders it among the others: its path relative to the migrations folder. */
  readonly key: string;
}

/** The .sql files under `root`, `depth` folder levels down. */
function migrationFiles(root: string, depth: number): MigrationFile[] {
  const files: MigrationFile[] = [];
  const visit = (dir: string, depth: number): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (files.length >= MAX_FILES) return;
      const path = join(dir, entry.name);
      if (entry.isDirectory() && depth > 0 && !entry.name.startsWith(".")) visit(path, depth - 1);
      else if (entry.isFile() && entry.name.endsWith(".sql")) files.push({ path, key: relative(root, path) });
    }
  };
  visit(root, depth);
  return files;
}

function migrationsRoot(file: string): string {
  return /^(migration|up|down)\.sql$/.test(basename(file)) ? dirname(dirname(file)) : dirname(file);
}

/** Migration order: by name, code point by code point (timestamps and zero-padded numbers sort right). */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
