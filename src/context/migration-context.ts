/**
 * What a rule needs to know beyond the statement in front of it, computed in one pass over the migration:
 * whether it runs inside a transaction, which tables this migration created before it, whether lock_timeout and
 * statement_timeout are in force, the target PostgreSQL version, and file-wide schema effects.
 */
import type { Node, VariableSetStmt } from "@pgsql/types";
import type { SqlDocument } from "../sql/document.js";
import { relationKey, sameRelation, type QualifiedName } from "../sql/names.js";
import { nodeOf, unwrap, type ParsedStatement, type Statement } from "../sql/statement.js";
import type { SchemaEffect } from "./effects.js";
import { MigrationIndex, type ObjectKind } from "./migration-index.js";
import { detectConvention, type MigrationConvention, type MigrationTool, type Phase } from "./conventions.js";
import type { MigrationSettings } from "./settings.js";
import type { SchemaHistory } from "../schema/model.js";

export type TransactionState =
  | { readonly inside: false }
  | {
      readonly inside: true;
      /**
       * explicit: a BEGIN earlier in the file; runner: the migration tool wraps the file (or section); script: the
       * tool sends the file as one multi-statement query, an implicit transaction; query: one call of a JS/TS
       * migration sends this statement and others as one query string, likewise; do-block: inside a DO body.
       */
      readonly why: "explicit" | "runner" | "script" | "query" | "do-block";
      /** Index of the BEGIN statement when explicit; of the query string's first statement for "query". */
      readonly beganAt?: number;
    };

export type TimeoutState =
  | { readonly set: false }
  | { readonly set: true; readonly by: "statement"; readonly value: string; readonly at: number }
  | { readonly set: true; readonly by: "runner" };

export interface StatementContext {
  readonly document: SqlDocument;
  readonly settings: MigrationSettings;
  /** The migration tool whose conventions apply to the file. */
  readonly tool: MigrationTool;
  /** up: the statement applies the migration; down: it rolls it back (a down file, or goose/dbmate Down part). */
  readonly phase: Phase;
  readonly transaction: TransactionState;
  /**
   * The migration tool runs this statement's section in a transaction it commits at the end. A COMMIT in the file
   * ends that transaction early (what follows runs on its own), and a BEGIN after it is committed by the tool.
   */
  readonly runnerCommits: boolean;
  readonly lockTimeout: TimeoutState;
  readonly statementTimeout: TimeoutState;
  /** True when this migration created the relation (table, materialized view, view) before this statement. */
  isNewTable(table: QualifiedName | undefined): boolean;
  /** True when this migration created an object of that kind (view, materialized view, domain…) before this statement. */
  isNew(kind: ObjectKind, name: QualifiedName | undefined): boolean;
  /** The table of an index this migration created before this statement, if it did. */
  tableOfIndexCreatedHere(index: string): QualifiedName | undefined;
  /** Schema effects of every statement of the migration, before and after this one. */
  readonly effects: readonly StatementEffects[];
  /** Indexed lookups over the whole migration (effects of a statement, statements on a table). */
  readonly migration: MigrationIndex;
  /**
   * The schema as the project's earlier migrations leave it (column types, constraints, indexes, which tables
   * unreleased migrations created), read-only. Absent when the file is not one of the project's migrations, when
   * `settings["migration-safety"].history` is false, and in rollback (down) parts, which run against a schema the
   * history does not describe. `isNewTable` already counts tables created by unreleased migrations.
   */
  readonly history?: SchemaHistory;
}

export interface StatementEffects {
  readonly statement: ParsedStatement;
  readonly effects: readonly SchemaEffect[];
}

/**
 * One context per statement of the document, indexed like `document.statements`. `path` (the file's path) lets the
 * migration tool's conventions be recognised from the file name.
 */
export function analyzeMigration(
  document: SqlDocument,
  settings: MigrationSettings,
  path?: string,
  /** Given by the JS/TS extractor, which knows the framework; .sql files are recognised from path and comments. */
  knownConvention?: MigrationConvention,
  /** The schema before this migration (src/schema), given by the ESLint adapter when the file is a project migration. */
  history?: SchemaHistory,
): StatementContext[] {
  const convention = knownConvention ?? detectConvention({ path, document, tool: settings.migrationTool, transactionPerFile: settings.transactionPerFile });
  const statementsPerSection = new Map<number, number>();
  for (const statement of document.body) statementsPerSection.set(statement.section, (statementsPerSection.get(statement.section) ?? 0) + 1);

  const migration = new MigrationIndex(document);
  const effects = migration.statementsWithEffects;

  const runnerTimeout = (assumed: boolean): TimeoutState => (assumed ? { set: true, by: "runner" } : { set: false });
  const session = { lock: runnerTimeout(settings.assumeLockTimeout), statement: runnerTimeout(settings.assumeStatementTimeout) };
  let local: { lock: TimeoutState | null; statement: TimeoutState | null } = { lock: null, statement: null };
  let explicitBegin: number | null = null;
  /** A COMMIT or ROLLBACK in the file ended the transaction the runner wraps the section in. */
  let runnerEnded = false;
  /** The query string (its first statement's index) the previous statement was sent in with others, if any. */
  let previousQuery: number | undefined;
  let section = 0;

  const contexts: StatementContext[] = [];
  for (const statement of document.statements) {
    if (statement.section !== section) {
      // Each section (goose/dbmate Up or Down) runs on its own: nothing carries over from the previous one.
      section = statement.section;
      explicitBegin = null;
      runnerEnded = false;
      local = { lock: null, statement: null };
    }
    const { phase, transaction: mode } = convention.sections[statement.section] ?? { phase: "up", transaction: "autocommit" };
    const transaction: TransactionState =
      statement.origin.kind === "do-block"
        ? { inside: true, why: "do-block" }
        : explicitBegin !== null
          ? { inside: true, why: "explicit", beganAt: explicitBegin }
          : mode === "wrapped" && !runnerEnded
            ? { inside: true, why: "runner" }
            : mode === "script" && (statementsPerSection.get(statement.section) ?? 0) > 1
              ? { inside: true, why: "script" }
              : convention.sentTogether?.has(statement.index)
                ? { inside: true, why: "query", beganAt: convention.sentTogether.get(statement.index)! }
                : { inside: false };
    const index = statement.index;
    // The implicit transaction of a query string ends with it: its SET LOCALs end there too.
    const query = transaction.inside && transaction.why === "query" ? transaction.beganAt : undefined;
    if (previousQuery !== undefined && query !== previousQuery) local = { lock: null, statement: null };
    if (statement.origin.kind === "file") previousQuery = query;
    const known = phase === "up" ? history : undefined;
    contexts.push({
      document,
      settings,
      tool: convention.tool,
      phase,
      transaction,
      runnerCommits: mode === "wrapped",
      lockTimeout: local.lock ?? session.lock,
      statementTimeout: local.statement ?? session.statement,
      // Anything this migration created before — table, materialized view or view — is not in use by anyone yet; nor
      // is a table an unreleased migration created.
      isNewTable: (table) =>
        migration.createdBefore("table", table, index) ||
        migration.createdBefore("matview", table, index) ||
        migration.createdBefore("view", table, index) ||
        (table !== undefined && known !== undefined && known.isUnreleased(table)),
      isNew: (kind, name) => migration.createdBefore(kind, name, index),
      tableOfIndexCreatedHere: (name) => migration.tableOfIndex(name, index),
      effects,
      migration,
      ...(known ? { history: known } : {}),
    });
    if (!statement.checked) continue;

    // How this statement changes the state the next one sees.
    const tx = nodeOf(statement, "TransactionStmt");
    if (tx) {
      if (tx.kind === "TRANS_STMT_BEGIN" || tx.kind === "TRANS_STMT_START") explicitBegin ??= index;
      if (tx.kind === "TRANS_STMT_COMMIT" || tx.kind === "TRANS_STMT_ROLLBACK" || tx.kind === "TRANS_STMT_PREPARE") {
        explicitBegin = null;
        // Whatever transaction was open — the runner's, or a BEGIN inside it (a no-op there) — is over: until a BEGIN,
        // statements run on their own (the workaround for CONCURRENTLY in a runner that wraps every file).
        if (mode === "wrapped") runnerEnded = true;
        // COMMIT AND CHAIN starts the next transaction at once.
        if (tx.chain) explicitBegin = index;
        local = { lock: null, statement: null };
      }
      continue;
    }
    for (const change of timeoutChanges(statement)) {
      const assumed = change.which === "lock" ? settings.assumeLockTimeout : settings.assumeStatementTimeout;
      const next: TimeoutState =
        change.value !== null ? { set: true, by: "statement", value: change.value, at: index } : change.reset ? runnerTimeout(assumed) : { set: false };
      if (!change.local) {
        session[change.which] = next;
        local = { ...local, [change.which]: null };
      } else if (transaction.inside) {
        local = { ...local, [change.which]: next }; // SET LOCAL outside a transaction block has no effect
      }
    }
  }
  return contexts;
}

interface TimeoutChange {
  which: "lock" | "statement";
  /** The new value, or null when the timeout is turned off (0) or reset. */
  value: string | null;
  reset: boolean;
  local: boolean;
}

const TIMEOUTS: Record<string, "lock" | "statement"> = { lock_timeout: "lock", statement_timeout: "statement" };

/** `SET [LOCAL] lock_timeout …`, `RESET …`, and `SELECT set_config('lock_timeout', …, is_local)`. */
function timeoutChanges(statement: ParsedStatement): TimeoutChange[] {
  const set = nodeOf(statement, "VariableSetStmt");
  if (set) return variableSet(set);
  const select = nodeOf(statement, "SelectStmt");
  if (!select) return [];
  const changes: TimeoutChange[] = [];
  for (const target of select.targetList ?? []) {
    const call = unwrap(unwrap(target, "ResTarget")?.val, "FuncCall");
    const name = call?.funcname?.map((n) => unwrap(n, "String")?.sval).join(".");
    if (name !== "set_config" && name !== "pg_catalog.set_config") continue;
    const [setting, value, isLocal] = (call?.args ?? []).map(constantText);
    const which = setting ? TIMEOUTS[setting] : undefined;
    if (!which || value === undefined) continue;
    changes.push({ which, value: isDisabled(value) ? null : value, reset: false, local: isLocal === "true" || isLocal === "t" });
  }
  return changes;
}

function variableSet(set: VariableSetStmt): TimeoutChange[] {
  if (set.kind === "VAR_RESET_ALL") {
    return [
      { which: "lock", value: null, reset: true, local: false },
      { which: "statement", value: null, reset: true, local: false },
    ];
  }
  const which = set.name ? TIMEOUTS[set.name] : undefined;
  if (!which) return [];
  const local = set.is_local === true;
  if (set.kind === "VAR_RESET" || set.kind === "VAR_SET_DEFAULT") return [{ which, value: null, reset: true, local }];
  if (set.kind !== "VAR_SET_VALUE") return [];
  const value = constantText(set.args?.[0]);
  return [{ which, value: value === undefined || isDisabled(value) ? null : value, reset: false, local }];
}

/** The text of a constant argument: '5s' → 5s, 5000 → 5000, true → true. */
function constantText(node: Node | undefined): string | undefined {
  const constant = unwrap(node, "A_Const") ?? unwrap(unwrap(node, "TypeCast")?.arg, "A_Const");
  if (!constant) return undefined;
  if (constant.sval) return constant.sval.sval ?? "";
  if (constant.ival) return String(constant.ival.ival ?? 0);
  if (constant.fval) return constant.fval.fval ?? "0";
  if (constant.boolval) return String(constant.boolval.boolval ?? false);
  if (constant.isnull) return undefined;
  return "0"; // proto3 omits zero values: `SET lock_timeout = 0` arrives as an empty ival
}

/** 0 in any unit disables the timeout. */
function isDisabled(value: string): boolean {
  const digits = value.trim().replace(/[a-z]+$/i, "").trim();
  return digits !== "" && Number(digits) === 0;
}

export function isParsed(statement: Statement): statement is ParsedStatement {
  return statement.checked;
}
