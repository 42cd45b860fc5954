/**
 * Which table-level lock a statement takes, following PostgreSQL's own choice (tablecmds.c
 * AlterTableGetLockLevel for ALTER TABLE, the command reference for the rest), and what that lock blocks.
 */
import type { AlterTableCmd, Constraint } from "@pgsql/types";
import { relationName, type QualifiedName } from "./names.js";
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

/** The lock one ALTER TABLE action takes on its table (tablecmds.c AlterTableGetLockLevel). */
export function alterTableCommandLock(cmd: AlterTableCmd): LockMode {
  switch (cmd.subtype) {
    case "AT_SetStatistics":
    case "AT_ClusterOn":
    case "AT_DropCluster":
    case "AT_SetOptions":
    case "AT_ResetOptions":
    case "AT_ValidateConstraint":
    case "AT_AttachPartition":
    case "AT_DetachPartitionFinalize":
    case "AT_SetRelOptions":
    case "AT_ResetRelOptions":
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

/**
 * The table locks a statement takes (the strongest per relation). Statements on unnamed objects (DROP INDEX: the
 * table is not in the statement) return what can be named; an empty list means "no table lock we know of".
 */
export function locksOf(statement: ParsedStatement): LockTaken[] {
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
      add(table, alterTableCommandLock(cmd));
      for (const fk of foreignKeysOf(cmd)) add(relationName(fk.pktable), "SHARE ROW EXCLUSIVE", true);
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
    add(relationName(rename.relation), rename.renameType === "OBJECT_INDEX" ? "SHARE UPDATE EXCLUSIVE" : "ACCESS EXCLUSIVE");
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
    const full = (vacuum.options ?? []).some((o) => unwrap(o, "DefElem")?.defname === "full");
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
    const concurrent = (reindex.params ?? []).some((p) => unwrap(p, "DefElem")?.defname === "concurrently");
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
