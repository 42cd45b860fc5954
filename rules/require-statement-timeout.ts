/**
 * A statement whose run time grows with the size of a table in use — a rewrite, an index build, a full scan, an
 * unbounded UPDATE or DELETE — should run under a statement_timeout: on a table larger or busier than planned it
 * otherwise holds its locks for as long as it takes, and nothing stops it but a human.
 */
import type { AlterTableStmt, Constraint } from "@pgsql/types";
import type { StatementContext } from "../src/context/migration-context.js";
import { defineRule, type Finding, type MigrationRule } from "../src/rule.js";
import { addsColumnWithDefault } from "../src/sql/alter-table.js";
import { alterTableActionRanges } from "../src/sql/locate.js";
import { describeBlocking, isTrueOption, locksOf, type LockMode } from "../src/sql/locks.js";
import { formatName, quoteIdent, relationName, sameRelation, type QualifiedName } from "../src/sql/names.js";
import type { Range } from "../src/sql/source-text.js";
import { nodeOf, unwrap, type ParsedStatement } from "../src/sql/statement.js";
import noColumnTypeChange from "./no-column-type-change.js";
import noSetNotNull from "./no-set-not-null.js";
import noUnboundedUpdate from "./no-unbounded-update.js";
import noVolatileDefault from "./no-volatile-default.js";

type MessageId = "missingStatementTimeout";

/** Why a statement can run long: what it does to the table, in the message's words. */
type Work = "rewrite" | "scan" | "index" | "reindex" | "refresh" | "rows";

const WORK: Readonly<Record<Work, (table: string) => string>> = {
  rewrite: (t) => `rewrites ${t} and its indexes`,
  scan: (t) => `reads all of ${t}`,
  index: (t) => `builds an index over all of ${t}`,
  reindex: (t) => `rebuilds indexes of ${t}`,
  refresh: (t) => `recomputes all of ${t}`,
  rows: (t) => `can change every row of ${t}`,
};

interface LongRun {
  readonly work: Work;
  /** The clause that does it, as SQL: `ALTER COLUMN total TYPE bigint`, `CREATE INDEX idx`, … */
  readonly cause: string;
  readonly range: Range;
  /** The relation worked on, when it is not the statement's own table (the partition of ATTACH PARTITION). */
  readonly table?: QualifiedName;
}

export default defineRule<MessageId>({
  name: "require-statement-timeout",
  meta: {
    type: "suggestion",
    description: "Require statement_timeout to be set before a statement whose run time grows with the size of an existing table",
    recommended: false,
    appliesToRollbacks: true,
    messages: {
      missingStatementTimeout:
        "This statement ({{cause}}) {{work}} while holding {{lock}}, and no statement_timeout is in force: if it runs far longer than planned, it {{blocks}} until it ends and nothing stops it. Set statement_timeout before it to the longest run you can accept.",
    },
  },

  *check(statement, context) {
    if (context.statementTimeout.set) return;
    const long = longRun(statement, context);
    if (!long) return;
    const mode = lockOf(statement, context, long);
    yield {
      messageId: "missingStatementTimeout",
      data: {
        cause: long.run.cause,
        work: WORK[long.run.work](long.label),
        lock: mode ? `${/^[AEIOU]/.test(mode) ? "an" : "a"} ${mode} lock` : "row locks on the rows it changes",
        blocks: mode ? describeBlocking(mode) : "blocks writes to those rows",
      },
      range: long.run.range,
    };
  },
});

/** The first part of the statement that can run long, with the relation it works on (undefined: not named). */
function longRun(statement: ParsedStatement, context: StatementContext): { run: LongRun; table?: QualifiedName; label: string } | undefined {
  const alter = nodeOf(statement, "AlterTableStmt");
  if (alter) {
    const table = alter.objtype === "OBJECT_TABLE" ? relationName(alter.relation) : undefined;
    if (!table || context.isNewTable(table)) return undefined;
    const runs = [...alterTableRuns(statement, alter, context), ...composedRuns(statement, context)];
    const first = runs.sort((a, b) => a.range[0] - b.range[0])[0];
    return first && { run: first, table: first.table ?? table, label: formatName(first.table ?? table) };
  }

  const index = nodeOf(statement, "IndexStmt");
  if (index) {
    const table = relationName(index.relation);
    if (!table || context.isNewTable(table)) return undefined;
    const name = index.idxname ? ` ${quoteIdent(index.idxname)}` : "";
    const cause = `CREATE ${index.unique ? "UNIQUE " : ""}INDEX${index.concurrent ? " CONCURRENTLY" : ""}${name}`;
    return { run: { work: "index", cause, range: statement.range }, table, label: formatName(table) };
  }

  const reindex = nodeOf(statement, "ReindexStmt");
  if (reindex) {
    const relation = relationName(reindex.relation);
    const kind = (reindex.kind ?? "REINDEX_OBJECT_INDEX").replace("REINDEX_OBJECT_", "");
    if (relation && kind === "TABLE" && context.isNewTable(relation)) return undefined;
    if (relation && kind === "INDEX" && context.isNewTable(context.tableOfIndexCreatedHere(relation.name))) return undefined;
    const concurrent = (reindex.params ?? []).some((p) => isTrueOption(unwrap(p, "DefElem"), "concurrently"));
    const target = relation ? formatName(relation) : reindex.name ? quoteIdent(reindex.name) : "";
    const cause = `REINDEX ${kind}${concurrent ? " CONCURRENTLY" : ""}${target ? ` ${target}` : ""}`;
    const indexTable = relation && kind === "INDEX" ? context.tableOfIndexCreatedHere(relation.name) : undefined;
    const label =
      kind === "TABLE" && relation ? formatName(relation)
      : kind === "INDEX" ? (indexTable ? formatName(indexTable) : `the table of index ${target}`)
      : kind === "SCHEMA" ? `every table of schema ${target}`
      : "every table of the database";
    return { run: { work: "reindex", cause, range: statement.range }, ...(kind === "TABLE" && relation ? { table: relation } : {}), label };
  }

  const vacuum = nodeOf(statement, "VacuumStmt");
  if (vacuum?.is_vacuumcmd) {
    const full = (vacuum.options ?? []).some((o) => isTrueOption(unwrap(o, "DefElem"), "full"));
    const tables = (vacuum.rels ?? []).map((r) => relationName(unwrap(r, "VacuumRelation")?.relation)).filter((t) => t !== undefined);
    const existing = tables.filter((t) => !context.isNewTable(t));
    if (tables.length > 0 && existing.length === 0) return undefined;
    const label = existing.length > 0 ? existing.map(formatName).join(", ") : "every table of the database";
    const run: LongRun = { work: full ? "rewrite" : "scan", cause: full ? "VACUUM FULL" : "VACUUM", range: statement.range };
    return { run, ...(existing.length === 1 ? { table: existing[0]! } : {}), label };
  }

  const cluster = nodeOf(statement, "ClusterStmt");
  if (cluster) {
    const table = relationName(cluster.relation);
    if (table && context.isNewTable(table)) return undefined;
    const run: LongRun = { work: "rewrite", cause: "CLUSTER", range: statement.range };
    return { run, ...(table ? { table } : {}), label: table ? formatName(table) : "every clustered table of the database" };
  }

  const refresh = nodeOf(statement, "RefreshMatViewStmt");
  if (refresh && !refresh.skipData) {
    const view = relationName(refresh.relation);
    if (!view || context.isNew("matview", view)) return undefined;
    const cause = `REFRESH MATERIALIZED VIEW${refresh.concurrent ? " CONCURRENTLY" : ""}`;
    return { run: { work: "refresh", cause, range: statement.range }, table: view, label: formatName(view) };
  }

  const dml = first(noUnboundedUpdate, statement, context);
  if (dml) {
    const update = nodeOf(statement, "UpdateStmt") ?? nodeOf(statement, "DeleteStmt");
    const table = relationName(update?.relation);
    const verb = String(dml.data?.verb ?? "UPDATE");
    const bounded = dml.messageId === "noWhere" ? `${verb} without WHERE` : `${verb} without a bounded WHERE`;
    return { run: { work: "rows", cause: bounded, range: dml.range ?? statement.range }, ...(table ? { table } : {}), label: String(dml.data?.table ?? "the table") };
  }
  return undefined;
}

/** ALTER TABLE actions this rule judges itself: constraints that scan or build an index, and table-wide actions. */
function alterTableRuns(statement: ParsedStatement, alter: AlterTableStmt, context: StatementContext): LongRun[] {
  const ranges = alterTableActionRanges(statement, context.document.source);
  const cmds = (alter.cmds ?? []).map((c) => unwrap(c, "AlterTableCmd"));
  // PostgreSQL validates a foreign key on a new column (all NULL) only when the statement also gives a column a
  // default or adds a table-level foreign key (see require-not-valid-constraint).
  const columnFksValidated = cmds.some((cmd) => addsColumnWithDefault(cmd) || (cmd?.subtype === "AT_AddConstraint" && unwrap(cmd.def, "Constraint")?.contype === "CONSTR_FOREIGN"));
  const runs: LongRun[] = [];
  cmds.forEach((cmd, i) => {
    const range = ranges[i] ?? statement.range;
    const add = (work: Work, cause: string, table?: QualifiedName): void => void runs.push({ work, cause, range, ...(table ? { table } : {}) });
    switch (cmd?.subtype) {
      case "AT_AddConstraint": {
        const constraint = unwrap(cmd.def, "Constraint");
        const work = constraint && constraintWork(constraint, true);
        if (work) add(work, `ADD CONSTRAINT ${constraint!.conname ? `${quoteIdent(constraint!.conname)} ` : ""}${constraintKeyword(constraint!)}${work === "scan" ? " without NOT VALID" : ""}`);
        break;
      }
      case "AT_AddColumn": {
        const column = unwrap(cmd.def, "ColumnDef");
        for (const constraint of (column?.constraints ?? []).map((c) => unwrap(c, "Constraint"))) {
          const work = constraint && constraintWork(constraint, columnFksValidated);
          if (work) {
            add(work, `ADD COLUMN ${quoteIdent(column?.colname ?? "")} ${constraintKeyword(constraint!)}`);
            break;
          }
        }
        break;
      }
      case "AT_ValidateConstraint":
        add("scan", `VALIDATE CONSTRAINT ${quoteIdent(cmd.name ?? "")}`);
        break;
      case "AT_SetLogged":
      case "AT_SetUnLogged":
        add("rewrite", cmd.subtype === "AT_SetLogged" ? "SET LOGGED" : "SET UNLOGGED");
        break;
      case "AT_SetTableSpace":
        add("rewrite", `SET TABLESPACE ${quoteIdent(cmd.name ?? "")}`);
        break;
      case "AT_SetAccessMethod":
        add("rewrite", "SET ACCESS METHOD");
        break;
      case "AT_SetExpression":
        add("rewrite", `ALTER COLUMN ${quoteIdent(cmd.name ?? "")} SET EXPRESSION`);
        break;
      case "AT_AttachPartition": {
        const partition = relationName(unwrap(cmd.def, "PartitionCmd")?.name);
        // The partition's rows are checked against its bounds (unless a validated CHECK implies them).
        if (partition && !context.isNewTable(partition)) add("scan", `ATTACH PARTITION ${formatName(partition)}`, partition);
        break;
      }
    }
  });
  return runs;
}

/** What a constraint added to a table in use costs: a validation scan, an index build, or nothing long. */
function constraintWork(constraint: Constraint, foreignKeysValidated: boolean): Work | undefined {
  switch (constraint.contype) {
    case "CONSTR_CHECK":
      return constraint.skip_validation ? undefined : "scan";
    case "CONSTR_FOREIGN":
      return constraint.skip_validation || !foreignKeysValidated ? undefined : "scan";
    case "CONSTR_PRIMARY":
    case "CONSTR_UNIQUE":
      return constraint.indexname ? undefined : "index"; // USING INDEX attaches an index built beforehand
    case "CONSTR_EXCLUSION":
      return "index";
    default:
      return undefined;
  }
}

function constraintKeyword(constraint: Constraint): string {
  const keywords: Partial<Record<NonNullable<Constraint["contype"]>, string>> = {
    CONSTR_CHECK: "CHECK",
    CONSTR_FOREIGN: "FOREIGN KEY",
    CONSTR_PRIMARY: "PRIMARY KEY",
    CONSTR_UNIQUE: "UNIQUE",
    CONSTR_EXCLUSION: "EXCLUDE",
  };
  return constraint.contype ? keywords[constraint.contype] ?? "" : "";
}

/**
 * ALTER TABLE actions whose cost the recommended rules already work out, with the version and the history of the
 * file taken into account: an ADD COLUMN that fills every row (no-volatile-default), a type change that is not
 * binary-coercible (no-column-type-change), a SET NOT NULL that no validated CHECK proves (no-set-not-null).
 */
function composedRuns(statement: ParsedStatement, context: StatementContext): LongRun[] {
  const runs: LongRun[] = [];
  for (const finding of noVolatileDefault.check!(statement, context)) {
    const scan = finding.messageId === "virtualNotNull";
    runs.push({ work: scan ? "scan" : "rewrite", cause: `ADD COLUMN ${finding.data?.column ?? ""}`, range: finding.range ?? statement.range });
  }
  for (const finding of noColumnTypeChange.check!(statement, context)) {
    runs.push({ work: "rewrite", cause: `ALTER COLUMN ${finding.data?.column ?? ""} TYPE ${finding.data?.type ?? ""}`, range: finding.range ?? statement.range });
  }
  for (const finding of noSetNotNull.check!(statement, context)) {
    runs.push({ work: "scan", cause: `ALTER COLUMN ${finding.data?.column ?? ""} SET NOT NULL`, range: finding.range ?? statement.range });
  }
  return runs;
}

function first<M extends string>(rule: MigrationRule<M>, statement: ParsedStatement, context: StatementContext): Finding<M> | undefined {
  for (const finding of rule.check!(statement, context)) return finding;
  return undefined;
}

/** The lock the statement holds on the table it works on, as PostgreSQL takes it (undefined for DML: row locks). */
function lockOf(statement: ParsedStatement, context: StatementContext, long: { run: LongRun; table?: QualifiedName }): LockMode | undefined {
  if (long.run.work === "rows") return undefined;
  const locks = locksOf(statement, { postgresVersion: context.settings.postgresVersion });
  const onTable = long.table ? locks.find((l) => !l.referenced && sameRelation(l.relation, long.table!)) : undefined;
  if (onTable) return onTable.mode;
  // Statements whose table is not named (REINDEX INDEX, VACUUM of several tables): the mode PostgreSQL takes.
  const reindex = nodeOf(statement, "ReindexStmt");
  if (reindex) return (reindex.params ?? []).some((p) => isTrueOption(unwrap(p, "DefElem"), "concurrently")) ? "SHARE UPDATE EXCLUSIVE" : "SHARE";
  if (nodeOf(statement, "VacuumStmt")) return long.run.work === "rewrite" ? "ACCESS EXCLUSIVE" : "SHARE UPDATE EXCLUSIVE";
  return locks[0]?.mode ?? "ACCESS EXCLUSIVE";
}

