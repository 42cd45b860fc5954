/**
 * What a statement does to the schema, as plain facts: tables created, columns added, dropped, renamed. The
 * migration context reads them to know which tables are brand new; file-level rules (a rename written as drop +
 * add) and, later, the migration-history model read them too.
 */
import type { Node } from "@pgsql/types";
import { nameFromList, relationName, type QualifiedName } from "../sql/names.js";
import { nodeOf, unwrap, type ParsedStatement } from "../sql/statement.js";

export type SchemaEffect =
  | { kind: "create-table"; table: QualifiedName }
  | { kind: "drop-table"; table: QualifiedName }
  | { kind: "rename-table"; table: QualifiedName; to: string }
  | { kind: "add-column"; table: QualifiedName; column: string; action: number }
  | { kind: "drop-column"; table: QualifiedName; column: string; action: number }
  | { kind: "rename-column"; table: QualifiedName; column: string; to: string }
  | { kind: "create-index"; index: string; table: QualifiedName }
  /** `UPDATE table SET column = f(sources…)`: a backfill of `column` from other columns of the row. */
  | { kind: "backfill"; table: QualifiedName; column: string; sources: readonly string[] };

export function effectsOf(statement: ParsedStatement): SchemaEffect[] {
  const create = nodeOf(statement, "CreateStmt");
  if (create) {
    const table = relationName(create.relation);
    return table ? [{ kind: "create-table", table }] : [];
  }
  const createAs = nodeOf(statement, "CreateTableAsStmt");
  if (createAs) {
    const table = relationName(createAs.into?.rel);
    return table && createAs.objtype !== "OBJECT_MATVIEW" ? [{ kind: "create-table", table }] : [];
  }
  const select = nodeOf(statement, "SelectStmt");
  if (select?.intoClause) {
    const table = relationName(select.intoClause.rel);
    return table ? [{ kind: "create-table", table }] : [];
  }
  const update = nodeOf(statement, "UpdateStmt");
  if (update) {
    const table = relationName(update.relation);
    if (!table) return [];
    return (update.targetList ?? []).flatMap((target) => {
      const set = unwrap(target, "ResTarget");
      if (!set?.name) return [];
      return [{ kind: "backfill" as const, table, column: set.name, sources: columnsReferenced(set.val) }];
    });
  }
  const index = nodeOf(statement, "IndexStmt");
  if (index) {
    const table = relationName(index.relation);
    return table && index.idxname ? [{ kind: "create-index", index: index.idxname, table }] : [];
  }
  const alter = nodeOf(statement, "AlterTableStmt");
  if (alter && alter.objtype === "OBJECT_TABLE") {
    const table = relationName(alter.relation);
    if (!table) return [];
    const effects: SchemaEffect[] = [];
    (alter.cmds ?? []).forEach((wrapped, action) => {
      const cmd = unwrap(wrapped, "AlterTableCmd");
      if (cmd?.subtype === "AT_DropColumn" && cmd.name) effects.push({ kind: "drop-column", table, column: cmd.name, action });
      if (cmd?.subtype === "AT_AddColumn") {
        const column = unwrap(cmd.def, "ColumnDef")?.colname;
        if (column) effects.push({ kind: "add-column", table, column, action });
      }
    });
    return effects;
  }
  const rename = nodeOf(statement, "RenameStmt");
  if (rename) {
    const table = relationName(rename.relation);
    if (!table || !rename.newname) return [];
    if (rename.renameType === "OBJECT_TABLE") return [{ kind: "rename-table", table, to: rename.newname }];
    if (rename.renameType === "OBJECT_COLUMN" && rename.relationType === "OBJECT_TABLE" && rename.subname) {
      return [{ kind: "rename-column", table, column: rename.subname, to: rename.newname }];
    }
    return [];
  }
  const drop = nodeOf(statement, "DropStmt");
  if (drop?.removeType === "OBJECT_TABLE") {
    return (drop.objects ?? [])
      .map((object: Node) => nameFromList(unwrap(object, "List")?.items))
      .filter((table): table is QualifiedName => table !== undefined)
      .map((table) => ({ kind: "drop-table" as const, table }));
  }
  return [];
}

/** Names of the columns an expression reads (the last part of each column reference: `u.full_name` → full_name). */
export function columnsReferenced(expression: unknown): string[] {
  const found = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item);
      return;
    }
    if (node === null || typeof node !== "object") return;
    const ref = (node as { ColumnRef?: { fields?: Node[] } }).ColumnRef;
    if (ref) {
      const last = ref.fields?.[ref.fields.length - 1];
      const name = last && "String" in last ? last.String.sval : undefined;
      if (name) found.add(name);
      return;
    }
    for (const value of Object.values(node)) walk(value);
  };
  walk(expression);
  return [...found];
}
