/**
 * Migration tools' conventions: which part of a file is a rollback, and whether the tool runs it in a transaction.
 * Recognised from the file's path and its marker comments, or forced by the `migrationTool` setting.
 *
 * Why it matters: a rollback (down/undo/revert) that drops a column undoes an expand and is not a contract step;
 * and whether CONCURRENTLY fails depends on how the tool sends the file to PostgreSQL.
 */
import type { Node } from "@pgsql/types";
import type { MarkerKind, SqlDocument } from "../sql/document.js";
import { nodeOf, unwrap, type ParsedStatement } from "../sql/statement.js";

export const MIGRATION_TOOLS = [
  "plain",
  "goose",
  "dbmate",
  "golang-migrate",
  "diesel",
  "flyway",
  "sqitch",
  "prisma",
  "drizzle",
  "supabase",
  // JS/TS migration frameworks (their files are read by src/eslint/js/)
  "knex",
  "kysely",
  "node-pg-migrate",
  "typeorm",
  "sequelize",
  "mikro-orm",
] as const;
export type MigrationTool = (typeof MIGRATION_TOOLS)[number];

/** How a message names the tool that runs the migration: its own spelling, not the setting's id. */
const TOOL_NAMES: Record<MigrationTool, string> = {
  plain: "the migration runner (setting transactionPerFile)",
  goose: "goose",
  dbmate: "dbmate",
  "golang-migrate": "golang-migrate",
  diesel: "Diesel",
  flyway: "Flyway",
  sqitch: "Sqitch",
  prisma: "Prisma Migrate",
  drizzle: "Drizzle Kit",
  supabase: "the Supabase CLI",
  knex: "knex",
  kysely: "Kysely's Migrator",
  "node-pg-migrate": "node-pg-migrate",
  typeorm: "TypeORM",
  sequelize: "Sequelize",
  "mikro-orm": "MikroORM",
};

export function toolName(tool: MigrationTool): string {
  return TOOL_NAMES[tool];
}

/** up: applies the change; down: rolls it back (down/undo/revert). */
export type Phase = "up" | "down";

/**
 * How the tool runs a section:
 * - wrapped: inside BEGIN … COMMIT (goose, dbmate, Flyway, Supabase, diesel, drizzle's migrator);
 * - script: the whole text in one multi-statement query, which PostgreSQL runs as one implicit transaction when it
 *   holds more than one statement (Prisma, golang-migrate, dbmate with transaction:false);
 * - autocommit: statement by statement, each its own transaction unless the file says BEGIN (psql, sqitch,
 *   goose NO TRANSACTION).
 */
export type TransactionMode = "wrapped" | "script" | "autocommit";

export interface SectionConvention {
  readonly phase: Phase;
  readonly transaction: TransactionMode;
}

export interface MigrationConvention {
  readonly tool: MigrationTool;
  /** One per document section, in order. */
  readonly sections: readonly SectionConvention[];
  /**
   * Statements sent to PostgreSQL in one query string with others (a JS/TS raw SQL call holding several), by
   * statement index: the index of the first statement of that query. PostgreSQL runs such a query as one implicit
   * transaction.
   */
  readonly sentTogether?: ReadonlyMap<number, number>;
}

/** Section markers and statement boundaries of the tools that put them in comments. */
export function markerKind(lineCommentValue: string): MarkerKind {
  const value = lineCommentValue.trim();
  if (/^\+goose\s+(up|down)\b/i.test(value)) return "section";
  // goose sends what lies between StatementBegin and StatementEnd as one statement, semicolon or not.
  if (/^\+goose\s+statement(begin|end)\b/i.test(value)) return "statement";
  if (/^migrate:(up|down)\b/.test(value)) return "section";
  if (/^>\s*statement-breakpoint\b/.test(value)) return "statement";
  return null;
}

const FLYWAY_NAME = /^(V|U|R)(\d[\w.]*)?__.+\.sql$/;

export interface ConventionInput {
  /** The file's path (any separator), or undefined for text without a file. */
  readonly path: string | undefined;
  readonly document: SqlDocument;
  /** `migrationTool` setting; "auto" detects. */
  readonly tool: MigrationTool | "auto";
  /** `transactionPerFile` setting when given: overrides the tool's default for every section. */
  readonly transactionPerFile: boolean | undefined;
}

export function detectConvention({ path, document, tool: forced, transactionPerFile }: ConventionInput): MigrationConvention {
  const segments = (path ?? "").replaceAll("\\", "/").split("/");
  const name = segments[segments.length - 1] ?? "";
  const folders = segments.slice(0, -1);
  const markers = document.sections.map((s) => s.marker?.value.trim() ?? "");
  const tool = forced !== "auto" ? forced : detectTool(name, folders, markers, document);

  const sections = document.sections.map((_, index): SectionConvention => {
    const marker = markers[index]!;
    const phase = sectionPhase(tool, name, folders, marker);
    const transaction = transactionPerFile === undefined ? toolTransaction(tool, marker, document) : transactionPerFile ? "wrapped" : "autocommit";
    return { phase, transaction };
  });
  return { tool, sections };
}

function detectTool(name: string, folders: string[], markers: string[], document: SqlDocument): MigrationTool {
  if (markers.some((m) => /^\+goose/i.test(m))) return "goose";
  if (markers.some((m) => m.startsWith("migrate:"))) return "dbmate";
  if (document.comments.some((c) => /^>\s*statement-breakpoint\b/.test(c.value.trim()))) return "drizzle";
  if (FLYWAY_NAME.test(name)) return "flyway";
  if (folders.includes("deploy") || folders.includes("revert") || folders.includes("verify")) {
    if (folders.some((f) => f === "deploy" || f === "revert")) return "sqitch";
  }
  if (name === "migration.sql" && folders.includes("migrations")) return folders.includes("supabase") ? "supabase" : "prisma";
  if (folders.includes("supabase") && folders.includes("migrations")) return "supabase";
  if (/\.(up|down)\.sql$/.test(name)) return "golang-migrate";
  if (name === "up.sql" || name === "down.sql") return "diesel";
  if (folders.includes("drizzle")) return "drizzle";
  return "plain";
}

function sectionPhase(tool: MigrationTool, name: string, folders: string[], marker: string): Phase {
  switch (tool) {
    case "goose":
      return /^\+goose\s+down\b/i.test(marker) ? "down" : "up";
    case "dbmate":
      return marker.startsWith("migrate:down") ? "down" : "up";
    case "flyway":
      return name.startsWith("U") ? "down" : "up";
    case "sqitch":
      return folders.includes("revert") ? "down" : "up";
    default:
      return /(^|\.)down\.sql$/.test(name) ? "down" : "up";
  }
}

function toolTransaction(tool: MigrationTool, marker: string, document: SqlDocument): TransactionMode {
  switch (tool) {
    case "goose":
      // goose wraps each migration unless the file says `-- +goose NO TRANSACTION`, then runs statements one by one.
      return document.comments.some((c) => /^\+goose\s+no\s+transaction\b/i.test(c.value.trim())) ? "autocommit" : "wrapped";
    case "dbmate":
      // `-- migrate:up transaction:false` sends the section as one script instead.
      return /\btransaction:false\b/.test(marker) ? "script" : "wrapped";
    case "flyway":
      // Flyway runs a migration that holds a statement PostgreSQL refuses in a transaction (CONCURRENTLY) without one.
      return hasNonTransactionalStatement(document) ? "autocommit" : "wrapped";
    case "diesel":
    case "supabase":
    case "drizzle":
    case "knex":
    case "kysely":
    case "node-pg-migrate":
    case "typeorm":
    case "mikro-orm":
      return "wrapped";
    case "sequelize":
      return "autocommit";
    case "prisma":
    case "golang-migrate":
      return "script";
    case "sqitch":
    case "plain":
      return "autocommit";
  }
}

/** Statements PostgreSQL refuses inside a transaction block, which make Flyway run their migration without one. */
function hasNonTransactionalStatement(document: SqlDocument): boolean {
  return document.statements.some((statement) => statement.checked && refusesTransactionBlock(statement));
}

export function refusesTransactionBlock(statement: ParsedStatement): boolean {
  const concurrently = (params: readonly Node[] | undefined): boolean => (params ?? []).some((p) => unwrap(p, "DefElem")?.defname === "concurrently");
  if (nodeOf(statement, "IndexStmt")?.concurrent) return true;
  const drop = nodeOf(statement, "DropStmt");
  if (drop?.removeType === "OBJECT_INDEX" && drop.concurrent) return true;
  if (concurrently(nodeOf(statement, "ReindexStmt")?.params)) return true;
  const alter = nodeOf(statement, "AlterTableStmt");
  return (alter?.cmds ?? []).some((c) => {
    const cmd = unwrap(c, "AlterTableCmd");
    return cmd?.subtype === "AT_DetachPartition" && unwrap(cmd.def, "PartitionCmd")?.concurrent === true;
  });
}
