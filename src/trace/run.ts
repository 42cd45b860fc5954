/**
 * Runs the traced migrations one statement at a time and observes each: the relation locks its transaction holds
 * (pg_locks, read inside that transaction), the catalog before and after it (rewrites, constraints, columns), the
 * lock_timeout in force and how long it took. Findings are derived afterwards, from the observations alone
 * (findings.ts).
 *
 * Two isolations. commit (PGlite, or a server with --commit): each statement in its own transaction — `BEGIN;
 * statement; read pg_locks; COMMIT` — so pg_locks shows exactly what the statement took; statements PostgreSQL
 * refuses in a transaction block (CONCURRENTLY, VACUUM) run outside one and their locks come from the static model.
 * rollback (a server, by default): the whole run is one transaction rolled back at the end, each statement under a
 * savepoint; locks are the ones pg_locks gained during the statement, plus the static model's for locks the run
 * already held (PostgreSQL does not show a lock twice), and statements refused in a transaction block are not traced.
 */
import type { Node } from "@pgsql/types";
import { describeError } from "../db/apply-migrations.js";
import type { Database } from "../db/database.js";
import { locksOf, lockStrength, type LockMode } from "../sql/locks.js";
import { quoteIdent, type QualifiedName } from "../sql/names.js";
import { nodeOf, unwrap, type ParsedStatement } from "../sql/statement.js";
import { diffCatalog, foreignKeysWithoutIndex, heldLocks, observeAfter, snapshotCatalog, type CatalogDiff, type CatalogSnapshot, type HeldLock, type RelationInfo } from "./catalog.js";
import { deriveFindings, type ObservedStatement } from "./findings.js";
import type { FileTrace, LockSource, TraceFileInput, TraceStatementInput } from "./model.js";

export type Isolation = "commit" | "rollback";

export interface RunOptions {
  readonly db: Database;
  /** rollback: the caller has opened the run's transaction (and rolls it back). */
  readonly isolation: Isolation;
  /** The engine's major version, for the static lock model. */
  readonly postgresVersion: number;
  readonly onFile?: (file: string, index: number, total: number) => void;
}

/** SQLSTATE 25001: "… cannot run inside a transaction block". */
const ACTIVE_SQL_TRANSACTION = "25001";

export async function traceFiles(files: readonly TraceFileInput[], options: RunOptions): Promise<FileTrace[]> {
  const { db } = options;
  const initial = (await db.query<{ lock: string; statement: string }>(
    "SELECT current_setting('lock_timeout') AS lock, current_setting('statement_timeout') AS statement",
  )).rows[0]!;
  const resetTimeouts = (): Promise<unknown> =>
    db.query("SELECT set_config('lock_timeout', $1, false), set_config('statement_timeout', $2, false)", [initial.lock, initial.statement]);
  const traces: FileTrace[] = [];
  // One full read of the catalog; from then on each statement re-reads only what it locked.
  let catalog = await snapshotCatalog(db);
  for (const [index, file] of files.entries()) {
    if (file.error) {
      traces.push({ file: file.file, statements: [], error: file.error });
    } else {
      // Every migration starts with the session's timeouts: one file's SET lock_timeout does not carry to the next.
      await resetTimeouts();
      const run = new FileRun(file, options, catalog);
      traces.push(await run.run());
      catalog = run.catalog;
    }
    options.onFile?.(file.file, index, files.length);
  }
  await resetTimeouts();
  return traces;
}

/** One statement's raw outcome, before findings. */
type Outcome =
  | { readonly kind: "traced"; readonly observed: Omit<ObservedStatement, "input" | "preExisting"> }
  | { readonly kind: "not traced"; readonly why: "failed" | "not run" | "needs no transaction block"; readonly message: string; readonly code?: string; readonly refusedInTransaction?: boolean };

class FileRun {
  readonly #file: TraceFileInput;
  readonly #db: Database;
  readonly #options: RunOptions;
  /** The catalog as it stands now (the "before" of the next statement). */
  #catalog: CatalogSnapshot;
  /** The logical transaction (TraceStatementInput.transaction) the last statement ran in. */
  #transaction: string | null = null;
  /** commit isolation: SET LOCAL statements of the current logical transaction, replayed in each statement's own. */
  #replay: string[] = [];
  /** rollback isolation: values to restore when the logical transaction ends (SET LOCAL outlives our savepoints). */
  #restore = new Map<string, string>();

  constructor(file: TraceFileInput, options: RunOptions, catalog: CatalogSnapshot) {
    this.#file = file;
    this.#db = options.db;
    this.#options = options;
    this.#catalog = catalog;
  }

  /** The catalog after the file's last statement. */
  get catalog(): CatalogSnapshot {
    return this.#catalog;
  }

  async run(): Promise<FileTrace> {
    const preExisting = new Set(this.#catalog.relations.keys());
    const observed: ObservedStatement[] = [];
    for (const input of this.#file.statements) {
      if (input.transaction !== this.#transaction) await this.#endTransaction();
      this.#transaction = input.transaction;
      if (input.control) continue;
      const outcome = input.notRun ? ({ kind: "not traced", why: "not run", message: input.notRun } as const) : await this.#trace(input);
      observed.push(outcome.kind === "traced" ? { input, preExisting, ...outcome.observed } : { input, preExisting, notTraced: outcome, ...EMPTY });
      if (input.transaction === null) await this.#endTransaction();
    }
    await this.#endTransaction();
    const foreignKeys = observed.flatMap((o) => o.diff.constraints.filter((c) => c.change === "added" && c.type === "FOREIGN KEY").map((c) => c.oid));
    const unindexed = await foreignKeysWithoutIndex(this.#db, foreignKeys);
    return { file: this.#file.file, statements: deriveFindings(this.#file.file, observed, unindexed) };
  }

  async #trace(input: TraceStatementInput): Promise<Outcome> {
    return this.#options.isolation === "commit" ? this.#traceCommitted(input) : this.#traceUnderSavepoint(input);
  }

  /** BEGIN; replayed SET LOCALs; statement; pg_locks; catalog; COMMIT. */
  async #traceCommitted(input: TraceStatementInput): Promise<Outcome> {
    const db = this.#db;
    await db.exec("BEGIN");
    let lockTimeout: string | null = null;
    let ms: number;
    let locks: HeldLock[];
    let after: CatalogSnapshot;
    try {
      for (const text of this.#replay) await db.exec(text);
      lockTimeout = await currentLockTimeout(db);
      const started = performance.now();
      await db.exec(input.text);
      ms = performance.now() - started;
      ({ locks, after } = await observeAfter(db, this.#catalog));
      await db.exec("COMMIT");
    } catch (error) {
      await db.exec("ROLLBACK").catch(() => undefined); // a failed COMMIT has already ended the transaction
      const described = describeError(error);
      if (described.code === ACTIVE_SQL_TRANSACTION) return this.#traceOutside(input);
      return failed(described);
    }
    if (input.parsed && localSettingNames(input.parsed).length > 0 && input.transaction !== null) this.#replay.push(input.text);
    return this.#observed(input, { lockTimeout, ms, after, locks: this.#observedLocks(locks, after) });
  }

  /** A statement PostgreSQL refuses in a transaction block: run as it is, locks from the static model. */
  async #traceOutside(input: TraceStatementInput): Promise<Outcome> {
    const db = this.#db;
    const lockTimeout = await currentLockTimeout(db);
    const started = performance.now();
    try {
      await db.exec(input.text);
    } catch (error) {
      return { ...failed(describeError(error)), refusedInTransaction: true };
    }
    const ms = performance.now() - started;
    const after = await snapshotCatalog(db);
    const locks = input.parsed ? this.#staticLocks(input.parsed, after, () => true, "static") : [];
    return this.#observed(input, { lockTimeout, ms, after, locks, outsideTransaction: true, refusedInTransaction: true });
  }

  /** SAVEPOINT; pg_locks before; statement; pg_locks after; catalog; RELEASE. */
  async #traceUnderSavepoint(input: TraceStatementInput): Promise<Outcome> {
    const db = this.#db;
    const names = input.parsed ? localSettingNames(input.parsed) : [];
    for (const name of names) {
      if (this.#restore.has(name)) continue;
      const { rows } = await db.query<{ value: string | null }>("SELECT current_setting($1, true) AS value", [name]);
      this.#restore.set(name, rows[0]?.value ?? "");
    }
    await db.exec("SAVEPOINT migration_safety_trace");
    let lockTimeout: string | null;
    let ms: number;
    let before: HeldLock[];
    let locks: HeldLock[];
    let after: CatalogSnapshot;
    try {
      lockTimeout = await currentLockTimeout(db);
      before = await heldLocks(db);
      const started = performance.now();
      await db.exec(input.text);
      ms = performance.now() - started;
      ({ locks, after } = await observeAfter(db, this.#catalog));
      await db.exec("RELEASE SAVEPOINT migration_safety_trace");
    } catch (error) {
      await db.exec("ROLLBACK TO SAVEPOINT migration_safety_trace; RELEASE SAVEPOINT migration_safety_trace");
      const described = describeError(error);
      if (described.code === ACTIVE_SQL_TRANSACTION) {
        return {
          kind: "not traced",
          why: "needs no transaction block",
          message: `${described.error}; this trace runs in one transaction that is rolled back at the end (trace it on PGlite, or on the server with --commit)`,
          code: described.code,
          refusedInTransaction: true,
        };
      }
      return failed(described);
    }
    const key = (l: HeldLock): string => `${l.oid}:${l.mode}`;
    const heldBefore = new Set(before.map(key));
    const gained = this.#observedLocks(locks.filter((l) => !heldBefore.has(key(l))), after);
    // PostgreSQL records a lock once per mode: one the run already held does not show again. Name those from the model.
    const held = input.parsed ? this.#staticLocks(input.parsed, after, (oid, mode) => heldBefore.has(`${oid}:${mode}`), "held") : [];
    const seen = new Set(gained.map((l) => `${l.relation.oid}:${l.mode}`));
    return this.#observed(input, { lockTimeout, ms, after, locks: [...gained, ...held.filter((l) => !seen.has(`${l.relation.oid}:${l.mode}`))] });
  }

  #observed(
    input: TraceStatementInput,
    o: { lockTimeout: string | null; ms: number; after: CatalogSnapshot; locks: RawLock[]; outsideTransaction?: boolean; refusedInTransaction?: boolean },
  ): Outcome {
    const before = this.#catalog;
    this.#catalog = o.after;
    const diff = diffCatalog(before, o.after, { rebuilds: input.parsed !== undefined && rebuildsUnderOldNames(input.parsed) });
    return {
      kind: "traced",
      observed: {
        ms: o.ms,
        lockTimeout: o.lockTimeout,
        locks: strongestPerRelation(o.locks),
        diff,
        outsideTransaction: o.outsideTransaction ?? false,
        refusedInTransaction: o.refusedInTransaction ?? false,
        validatedReferences: new Set(o.locks.filter((l) => l.source === "observed" && l.mode === "ROW SHARE").map((l) => l.relation.oid)),
      },
    };
  }

  /** pg_locks rows on the user's relations (catalogs, and relations created and dropped inside the statement, left out). */
  #observedLocks(locks: readonly HeldLock[], after: CatalogSnapshot): RawLock[] {
    const out: RawLock[] = [];
    for (const lock of locks) {
      const relation = after.relations.get(lock.oid) ?? this.#catalog.relations.get(lock.oid);
      if (relation) out.push({ relation, mode: lock.mode, source: "observed" });
    }
    return out;
  }

  /** The static model's locks for a statement, resolved to relations of the catalog before (or after) it. */
  #staticLocks(parsed: ParsedStatement, after: CatalogSnapshot, keep: (oid: number, mode: LockMode) => boolean, source: LockSource): RawLock[] {
    const out: RawLock[] = [];
    for (const lock of locksOf(parsed, { postgresVersion: this.#options.postgresVersion })) {
      const relation = resolve(lock.relation, this.#catalog) ?? resolve(lock.relation, after);
      if (relation && keep(relation.oid, lock.mode)) out.push({ relation, mode: lock.mode, source });
    }
    // DROP INDEX does not name the index's table, so the model has no lock for it: find the table in the catalog.
    const index = nodeOf(parsed, "DropStmt");
    if (index?.removeType === "OBJECT_INDEX") {
      for (const object of index.objects ?? []) {
        const parts = (unwrap(object, "List")?.items ?? []).map((item: Node) => unwrap(item, "String")?.sval ?? "");
        const name = parts[parts.length - 1];
        const dropped = name ? resolve(parts.length > 1 ? { schema: parts[parts.length - 2]!, name } : { name }, this.#catalog) : undefined;
        const table = dropped?.table !== undefined ? this.#catalog.relations.get(dropped.table) : undefined;
        const mode: LockMode = index.concurrent ? "SHARE UPDATE EXCLUSIVE" : "ACCESS EXCLUSIVE";
        if (table && keep(table.oid, mode)) out.push({ relation: table, mode, source });
      }
    }
    return out;
  }

  /** The logical transaction ended: its SET LOCALs end with it. */
  async #endTransaction(): Promise<void> {
    this.#replay = [];
    for (const [name, value] of this.#restore) await this.#db.query("SELECT set_config($1, $2, true)", [name, value]);
    this.#restore.clear();
  }
}

interface RawLock {
  readonly relation: RelationInfo;
  readonly mode: LockMode;
  readonly source: LockSource;
}

const EMPTY = {
  ms: null,
  lockTimeout: null,
  locks: [],
  diff: { rewritten: [], createdIndexes: [], droppedIndexes: [], constraints: [], columns: [] } satisfies CatalogDiff,
  outsideTransaction: false,
  refusedInTransaction: false,
  validatedReferences: new Set<number>(),
} as const;

/**
 * One lock per relation: the strongest mode its transaction holds (pg_locks lists every mode taken; the strongest
 * decides what waits). An observed lock wins over the model's at equal strength.
 */
function strongestPerRelation(locks: readonly RawLock[]): RawLock[] {
  const out = new Map<number, RawLock>();
  for (const lock of locks) {
    const current = out.get(lock.relation.oid);
    const stronger = !current || lockStrength(lock.mode) > lockStrength(current.mode);
    const sameButObserved = current && lockStrength(lock.mode) === lockStrength(current.mode) && lock.source === "observed";
    if (stronger || sameButObserved) out.set(lock.relation.oid, lock);
  }
  return [...out.values()];
}

function failed({ error, code }: { error: string; code?: string }): Outcome & { kind: "not traced" } {
  return { kind: "not traced", why: "failed", message: error, ...(code ? { code } : {}) };
}

async function currentLockTimeout(db: Database): Promise<string | null> {
  const { rows } = await db.query<{ lock_timeout: string }>("SELECT current_setting('lock_timeout') AS lock_timeout");
  const value = rows[0]?.lock_timeout ?? "0";
  return /^0\D*$/.test(value.trim()) ? null : value;
}

/**
 * A relation named in SQL, found in a snapshot: by schema and name when the SQL gave a schema, else the one the
 * search_path makes visible (regclass prints it unqualified).
 */
function resolve(name: QualifiedName, catalog: CatalogSnapshot): RelationInfo | undefined {
  let fallback: RelationInfo | undefined;
  for (const relation of catalog.relations.values()) {
    if (relation.relname !== name.name) continue;
    if (name.schema !== undefined) {
      if (relation.schema === name.schema) return relation;
    } else if (relation.name === quoteIdent(name.name)) {
      return relation;
    } else {
      fallback ??= relation;
    }
  }
  return fallback;
}

/** ALTER COLUMN TYPE: PostgreSQL rebuilds the column's indexes and constraints under their old names. */
function rebuildsUnderOldNames(statement: ParsedStatement): boolean {
  return (nodeOf(statement, "AlterTableStmt")?.cmds ?? []).some((c) => unwrap(c, "AlterTableCmd")?.subtype === "AT_AlterColumnType");
}

/** Settings a statement changes for the rest of its transaction only: SET LOCAL, set_config(…, true). */
export function localSettingNames(statement: ParsedStatement): string[] {
  const set = nodeOf(statement, "VariableSetStmt");
  if (set) return set.is_local && set.name && set.kind !== "VAR_SET_MULTI" ? [set.name] : [];
  const select = nodeOf(statement, "SelectStmt");
  const names: string[] = [];
  for (const target of select?.targetList ?? []) {
    const call = unwrap(unwrap(target, "ResTarget")?.val, "FuncCall");
    const fn = (call?.funcname ?? []).map((n) => unwrap(n, "String")?.sval).join(".");
    if (fn !== "set_config" && fn !== "pg_catalog.set_config") continue;
    const [name, , isLocal] = call?.args ?? [];
    const setting = unwrap(name, "A_Const")?.sval?.sval;
    const flag = unwrap(isLocal, "A_Const");
    const local = flag?.boolval?.boolval === true || ["true", "t", "on", "1"].includes((flag?.sval?.sval ?? "").toLowerCase());
    if (setting && local) names.push(setting);
  }
  return names;
}
