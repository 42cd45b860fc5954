/**
 * Which table-level lock a statement takes, following PostgreSQL's own choice (tablecmds.c
 * AlterTableGetLockLevel for ALTER TABLE, the command reference for the rest), and what that lock blocks.
 */
import type { AlterTableCmd, Constraint, DefElem } from "@pgsql/types";
import { nameFromList, relationName, type QualifiedName } from "./names.js";
import { nodeOf, unwrap, type ParsedStatement } from "./statement.js";

/** PostgreSQL's table lock modes, weakest first. */
export const LOCK_MODES = [
  "ACCESS SHARE",
  "ROW SHARE",
  "ROW EXCLUSIVE",
  "SHARE UPDATE EXCLUSIVE",
  "SHARE",
  "SHARE ROW EXCLUSIVE",
  "EXCLUSIVE",
  "ACCESS EXCLUSIVE",
] as const;
export type LockMode = (typeof LOCK_MODES)[number];

export const lockStrength = (mode: LockMode): number => LOCK_MODES.indexOf(mode);
export const strongest = (a: LockMode, b: LockMode): LockMode => (lockStrength(a) >= lockStrength(b) ? a : b);

/** Whether the mode conflicts with plain SELECT (ACCESS SHARE) and with INSERT/UPDATE/DELETE (ROW EXCLUSIVE). */
export function blocks(mode: LockMode): { reads: boolean; writes: boolean } {
  return { reads: mode === "ACCESS EXCLUSIVE", writes: lockStrength(mode) >= lockStrength("SHARE") };
}

/** "blocks reads and writes" / "blocks writes" / "blocks other schema changes and VACUUM". */
export function describeBlocking(mode: LockMode): string {
  const b = blocks(mode);
  if (b.reads) return "blocks all reads and writes";
  if (b.writes) return "blocks all writes";
  if (lockStrength(mode) >= lockStrength("SHARE UPDATE EXCLUSIVE")) return "blocks other schema changes and VACUUM";
  return "blocks only conflicting DDL";
}

/** A lock on one relation, as a statement takes it. */
export interface LockTaken {
  readonly relation: QualifiedName;
  readonly mode: LockMode;
  /** The table the lock is on is referenced, not altered (the other side of a foreign key). */
  readonly referenced?: boolean;
}

/** Options of `locksOf` / `alterTableCommandLock`: some lock levels changed between PostgreSQL versions. */
export interface LockOptions {
  /** Target PostgreSQL major version; the current behaviour when absent. */
  readonly postgresVersion?: number;
}

/**
 * Storage parameters that need ACCESS EXCLUSIVE when set or reset (reloptions.c; every other one takes SHARE
 * UPDATE EXCLUSIVE). PostgreSQL matches the names across relation kinds, so index and view options count too.
 */
const ACCESS_EXCLUSIVE_RELOPTIONS = new Set([
  "user_catalog_table",
  "autosummarize",
  "fastupdate",
  "pages_per_range",
  "gin_pending_list_limit",
  "buffering",
  "security_barrier",
  "security_invoker",
  "check_option",
]);

/** The lock one ALTER TABLE action takes on its table (tablecmds.c AlterTableGetLockLevel). */
export function alterTableCommandLock(cmd: AlterTableCmd, options: LockOptions = {}): LockMode {
  switch (cmd.subtype) {
    case "AT_SetRelOptions":
    case "AT_ResetRelOptions": {
      const names = (unwrap(cmd.def, "List")?.items ?? []).map((item) => unwrap(item, "DefElem")?.defname ?? "");
      return names.some((name) => ACCESS_EXCLUSIVE_RELOPTIONS.has(name)) ? "ACCESS EXCLUSIVE" : "SHARE UPDATE EXCLUSIVE";
    }
    case "AT_AttachPartition":
      // PostgreSQL 12 lowered ATTACH PARTITION from ACCESS EXCLUSIVE on the parent.
      return (options.postgresVersion ?? Infinity) < 12 ? "ACCESS EXCLUSIVE" : "SHARE UPDATE EXCLUSIVE";
    case "AT_SetStatistics":
    case "AT_ClusterOn":
    case "AT_DropCluster":
    case "AT_SetOptions":
    case "AT_ResetOptions":
    case "AT_ValidateConstraint":
    case "AT_DetachPartitionFinalize":
      return "SHARE UPDATE EXCLUSIVE";
    case "AT_DetachPartition":
      return unwrap(cmd.def, "PartitionCmd")?.concurrent ? "SHARE UPDATE EXCLUSIVE" : "ACCESS EXCLUSIVE";
    case "AT_EnableTrig":
    case "AT_EnableAlwaysTrig":
    case "AT_EnableReplicaTrig":
    case "AT_EnableTrigAll":
    case "AT_EnableTrigUser":
    case "AT_DisableTrig":
    case "AT_DisableTrigAll":
    case "AT_DisableTrigUser":
      return "SHARE ROW EXCLUSIVE";
    case "AT_AddConstraint": {
      const constraint = unwrap(cmd.def, "Constraint");
      return constraint?.contype === "CONSTR_FOREIGN" ? "SHARE ROW EXCLUSIVE" : "ACCESS EXCLUSIVE";
    }
    default:
      return "ACCESS EXCLUSIVE";
  }
}

/** Foreign-key constraints of an ALTER TABLE action (ADD CONSTRAINT … FOREIGN KEY, ADD COLUMN … REFERENCES). */
export function foreignKeysOf(cmd: AlterTableCmd): Constraint[] {
  if (cmd.subtype === "AT_AddConstraint") {
    const constraint = unwrap(cmd.def, "Constraint");
    return constraint?.contype === "CONSTR_FOREIGN" ? [constraint] : [];
  }
  if (cmd.subtype === "AT_AddColumn") {
    const column = unwrap(cmd.def, "ColumnDef");
    return (column?.constraints ?? [])
      .map((c) => unwrap(c, "Constraint"))
      .filter((c): c is Constraint => c?.contype === "CONSTR_FOREIGN");
  }
  return [];
}

/** The partition an ATTACH / DETACH PARTITION action moves, which it locks as well as the parent. */
function partitionLock(cmd: AlterTableCmd, parentMode: LockMode): { relation: QualifiedName; mode: LockMode } | undefined {
  if (cmd.subtype !== "AT_AttachPartition" && cmd.subtype !== "AT_DetachPartition") return undefined;
  const relation = relationName(unwrap(cmd.def, "PartitionCmd")?.name);
  if (!relation) return undefined;
  // ATTACH takes ACCESS EXCLUSIVE on the table being attached; DETACH locks the partition like the parent.
  return { relation, mode: cmd.subtype === "AT_AttachPartition" ? "ACCESS EXCLUSIVE" : parentMode };
}

/**
 * The table locks a statement takes (the strongest per relation). Statements on unnamed objects (DROP INDEX,
 * REINDEX INDEX: the table is not in the statement) return what can be named; an empty list means "no table lock
 * we know of". Locks PostgreSQL takes on relations the statement does not name (a default partition, the other
 * side of a foreign key of a dropped table) are not included.
 */
export function locksOf(statement: ParsedStatement, options: LockOptions = {}): LockTaken[] {
  const locks: LockTaken[] = [];
  const add = (relation: QualifiedName | undefined, mode: LockMode, referenced = false): void => {
    if (!relation) return;
    const existing = locks.findIndex((l) => l.relation.name === relation.name && l.relation.schema === relation.schema);
    if (existing < 0) locks.push({ relation, mode, ...(referenced ? { referenced } : {}) });
    else locks[existing] = { ...locks[existing]!, mode: strongest(locks[existing]!.mode, mode) };
  };

  const alter = nodeOf(statement, "AlterTableStmt");
  if (alter) {
    if (alter.objtype !== "OBJECT_TABLE" && alter.objtype !== "OBJECT_MATVIEW" && alter.objtype !== "OBJECT_FOREIGN_TABLE") return locks;
    const table = relationName(alter.relation);
    for (const wrapped of alter.cmds ?? []) {
      const cmd = unwrap(wrapped, "AlterTableCmd");
      if (!cmd) continue;
      const mode = alterTableCommandLock(cmd, options);
      add(table, mode);
      for (const fk of foreignKeysOf(cmd)) add(relationName(fk.pktable), "SHARE ROW EXCLUSIVE", true);
      const partition = partitionLock(cmd, mode);
      if (partition) add(partition.relation, partition.mode);
    }
    return locks;
  }
  const create = nodeOf(statement, "CreateStmt");
  if (create) {
    // The new table itself is nobody's yet; its parents and referenced tables are.
    for (const parent of create.inhRelations ?? []) {
      // A new partition changes the parent's partition descriptor; a plain INHERITS child only its relhassubclass.
      add(relationName(unwrap(parent, "RangeVar")), create.partbound ? "ACCESS EXCLUSIVE" : "SHARE UPDATE EXCLUSIVE");
    }
    for (const element of create.tableElts ?? []) {
      const constraints = unwrap(element, "ColumnDef")?.constraints ?? [element];
      for (const wrapped of constraints) {
        const constraint = unwrap(wrapped, "Constraint");
        if (constraint?.contype === "CONSTR_FOREIGN") add(relationName(constraint.pktable), "SHARE ROW EXCLUSIVE", true);
      }
    }
    return locks;
  }
  const index = nodeOf(statement, "IndexStmt");
  if (index) {
    add(relationName(index.relation), index.concurrent ? "SHARE UPDATE EXCLUSIVE" : "SHARE");
    return locks;
  }
  const rename = nodeOf(statement, "RenameStmt");
  if (rename) {
    // Renaming an index takes SHARE UPDATE EXCLUSIVE since PostgreSQL 12; everything else ACCESS EXCLUSIVE.
    const lowered = rename.renameType === "OBJECT_INDEX" && (options.postgresVersion ?? Infinity) >= 12;
    add(relationName(rename.relation), lowered ? "SHARE UPDATE EXCLUSIVE" : "ACCESS EXCLUSIVE");
    return locks;
  }
  const drop = nodeOf(statement, "DropStmt");
  if (drop) {
    if (drop.removeType === "OBJECT_TABLE" || drop.removeType === "OBJECT_MATVIEW" || drop.removeType === "OBJECT_VIEW") {
      for (const object of drop.objects ?? []) {
        const list = unwrap(object, "List");
        const parts = (list?.items ?? []).map((item) => unwrap(item, "String")?.sval ?? "");
        const name = parts[parts.length - 1];
        if (name) add(parts.length > 1 ? { schema: parts[parts.length - 2]!, name } : { name }, "ACCESS EXCLUSIVE");
      }
    }
    if (drop.removeType === "OBJECT_TRIGGER" || drop.removeType === "OBJECT_RULE" || drop.removeType === "OBJECT_POLICY") {
      // `DROP TRIGGER trg ON app.t` arrives as [app, t, trg]; the table is locked like the object is dropped.
      for (const object of drop.objects ?? []) {
        add(nameFromList(unwrap(object, "List")?.items?.slice(0, -1)), "ACCESS EXCLUSIVE");
      }
    }
    return locks;
  }
  const policy = nodeOf(statement, "CreatePolicyStmt") ?? nodeOf(statement, "AlterPolicyStmt");
  if (policy) {
    add(relationName(policy.table), "ACCESS EXCLUSIVE");
    return locks;
  }
  const rule = nodeOf(statement, "RuleStmt");
  if (rule) {
    add(relationName(rule.relation), "ACCESS EXCLUSIVE");
    return locks;
  }
  const setSchema = nodeOf(statement, "AlterObjectSchemaStmt");
  if (setSchema) {
    const relationKinds = ["OBJECT_TABLE", "OBJECT_MATVIEW", "OBJECT_VIEW", "OBJECT_FOREIGN_TABLE"];
    if (relationKinds.includes(setSchema.objectType ?? "")) add(relationName(setSchema.relation), "ACCESS EXCLUSIVE");
    return locks;
  }
  const truncate = nodeOf(statement, "TruncateStmt");
  if (truncate) {
    for (const relation of truncate.relations ?? []) add(relationName(unwrap(relation, "RangeVar")), "ACCESS EXCLUSIVE");
    return locks;
  }
  const lock = nodeOf(statement, "LockStmt");
  if (lock) {
    const mode = LOCK_MODES[(lock.mode ?? 8) - 1] ?? "ACCESS EXCLUSIVE";
    for (const relation of lock.relations ?? []) add(relationName(unwrap(relation, "RangeVar")), mode);
    return locks;
  }
  const cluster = nodeOf(statement, "ClusterStmt");
  if (cluster) {
    add(relationName(cluster.relation), "ACCESS EXCLUSIVE");
    return locks;
  }
  const vacuum = nodeOf(statement, "VacuumStmt");
  if (vacuum) {
    const full = vacuum.is_vacuumcmd === true && (vacuum.options ?? []).some((o) => isTrueOption(unwrap(o, "DefElem"), "full"));
    for (const rel of vacuum.rels ?? []) {
      add(relationName(unwrap(rel, "VacuumRelation")?.relation), full ? "ACCESS EXCLUSIVE" : "SHARE UPDATE EXCLUSIVE");
    }
    return locks;
  }
  const refresh = nodeOf(statement, "RefreshMatViewStmt");
  if (refresh) {
    add(relationName(refresh.relation), refresh.concurrent ? "EXCLUSIVE" : "ACCESS EXCLUSIVE");
    return locks;
  }
  const reindex = nodeOf(statement, "ReindexStmt");
  if (reindex) {
    const concurrent = (reindex.params ?? []).some((p) => isTrueOption(unwrap(p, "DefElem"), "concurrently"));
    if (reindex.kind === "REINDEX_OBJECT_TABLE") add(relationName(reindex.relation), concurrent ? "SHARE UPDATE EXCLUSIVE" : "SHARE");
    return locks;
  }
  const trigger = nodeOf(statement, "CreateTrigStmt");
  if (trigger) {
    add(relationName(trigger.relation), "SHARE ROW EXCLUSIVE");
    return locks;
  }
  return locks;
}

/** Whether a `(NAME [boolean])` option list item turns NAME on: `FULL`, `FULL true`, `FULL 1`, `FULL on`. */
export function isTrueOption(option: DefElem | undefined, name: string): boolean {
  if (option?.defname !== name) return false;
  if (!option.arg) return true;
  const integer = unwrap(option.arg, "Integer");
  if (integer) return (integer.ival ?? 0) !== 0; // proto3 omits a zero ival
  const text = (unwrap(option.arg, "String")?.sval ?? unwrap(option.arg, "Boolean")?.boolval?.toString() ?? "").toLowerCase();
  return !["false", "off", "0"].includes(text); // defGetBoolean: true/false/on/off, 0/1
}
