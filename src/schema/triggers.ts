/**
 * Sync triggers: the dual-write of an expand/contract change done in the database. A PL/pgSQL trigger function
 * that copies one column into another (`NEW.display_name := normalize(NEW.full_name)`, or an `UPDATE … SET
 * display_name = full_name` in its body) tells which column replaces which, once a CREATE TRIGGER ties it to a table.
 */
import type { Node } from "@pgsql/types";
import { parsePlpgsql, parseSql, PgSyntaxError, scanSql } from "../sql/pg-parser.js";
import { nameFromList, relationName, type QualifiedName } from "../sql/names.js";
import { nodeOf, unwrap, type ParsedStatement } from "../sql/statement.js";

/** One column copied into another by a trigger function: into the trigger's table, or the table an UPDATE names. */
export interface SyncCopy {
  readonly to: string;
  readonly from: string;
  /** Set when the copy is an UPDATE of a named table rather than an assignment to NEW. */
  readonly table?: QualifiedName;
}

export interface TriggerFunction {
  readonly name: QualifiedName;
  readonly copies: readonly SyncCopy[];
}

/** The copies a CREATE FUNCTION … LANGUAGE plpgsql makes, or undefined for any other statement. */
export function triggerFunctionOf(statement: ParsedStatement): TriggerFunction | undefined {
  const create = nodeOf(statement, "CreateFunctionStmt");
  const name = create ? nameFromList(create.funcname) : undefined;
  if (!create || !name) return undefined;
  const language = (create.options ?? [])
    .map((o) => unwrap(o, "DefElem"))
    .find((d) => d?.defname === "language");
  const languageName = language?.arg ? unwrap(language.arg, "String")?.sval : undefined;
  if (languageName?.toLowerCase() !== "plpgsql") return undefined;
  let tree: unknown;
  try {
    tree = parsePlpgsql(statement.text);
  } catch (error) {
    if (error instanceof PgSyntaxError) return { name, copies: [] };
    throw error;
  }
  return { name, copies: copiesIn(tree) };
}

/** The table and function of a CREATE TRIGGER. */
export function triggerOf(statement: ParsedStatement): { table: QualifiedName; func: QualifiedName } | undefined {
  const trigger = nodeOf(statement, "CreateTrigStmt");
  const table = relationName(trigger?.relation);
  const func = nameFromList(trigger?.funcname);
  return table && func ? { table, func } : undefined;
}

interface Datum {
  PLpgSQL_rec?: { refname?: string };
  PLpgSQL_recfield?: { fieldname?: string; recparentno?: number };
}

function copiesIn(tree: unknown): SyncCopy[] {
  const copies: SyncCopy[] = [];
  const functions = (tree as { plpgsql_funcs?: { PLpgSQL_function?: { datums?: Datum[]; action?: unknown } }[] }).plpgsql_funcs ?? [];
  for (const fn of functions) {
    const datums = fn.PLpgSQL_function?.datums ?? [];
    walk(fn.PLpgSQL_function?.action, (key, value) => {
      if (key === "PLpgSQL_stmt_assign") {
        const { varno, expr } = value as { varno?: number; expr?: { PLpgSQL_expr?: { query?: string } } };
        const target = newRowField(datums, varno ?? 0);
        const query = expr?.PLpgSQL_expr?.query;
        if (target && query) {
          const from = singleNewColumn(assignedExpression(query));
          if (from && from !== target) copies.push({ to: target, from });
        }
      } else if (key === "PLpgSQL_stmt_execsql") {
        const query = (value as { sqlstmt?: { PLpgSQL_expr?: { query?: string } } }).sqlstmt?.PLpgSQL_expr?.query;
        if (query) copies.push(...updateCopies(query));
      }
    });
  }
  return copies;
}

/** `NEW.<field>` as an assignment target: a record field whose record is the trigger's NEW row. */
function newRowField(datums: readonly Datum[], varno: number): string | undefined {
  const field = datums[varno]?.PLpgSQL_recfield;
  if (!field?.fieldname) return undefined;
  const parent = datums[field.recparentno ?? 0]?.PLpgSQL_rec;
  return parent?.refname === "new" ? field.fieldname : undefined;
}

/** The right-hand side of `target := expression` (or `target = expression`), as PostgreSQL's lexer splits it. */
function assignedExpression(query: string): string | undefined {
  const tokens = scanSql(query);
  if (!tokens) return undefined;
  const op = tokens.find((t) => t.text === ":=" || t.text === "=");
  if (!op) return undefined;
  return Buffer.from(query, "utf8").subarray(op.end).toString("utf8");
}

/** The one column of NEW that an expression reads (`normalize(NEW.full_name)` → full_name), if exactly one. */
function singleNewColumn(expression: string | undefined): string | undefined {
  if (!expression?.trim()) return undefined;
  const root = parseExpression(expression);
  if (!root) return undefined;
  const columns = new Set<string>();
  let other = false;
  walkNodes(root, (ref) => {
    const parts = ref.map((f) => unwrap(f, "String")?.sval);
    if (parts.length === 2 && parts[0] === "new" && parts[1]) columns.add(parts[1]);
    else other = true;
  });
  return columns.size === 1 && !other ? [...columns][0] : undefined;
}

/** `UPDATE t SET a = f(b)` inside a trigger body: a copy of b into a, on t. */
function updateCopies(query: string): SyncCopy[] {
  let statement: Node | undefined;
  try {
    statement = parseSql(query).stmts?.[0]?.stmt;
  } catch (error) {
    if (error instanceof PgSyntaxError) return [];
    throw error;
  }
  const update = unwrap(statement, "UpdateStmt");
  const table = relationName(update?.relation);
  if (!update || !table) return [];
  const copies: SyncCopy[] = [];
  for (const target of update.targetList ?? []) {
    const set = unwrap(target, "ResTarget");
    if (!set?.name || !set.val) continue;
    const columns = new Set<string>();
    walkNodes(set.val, (ref) => {
      const last = ref[ref.length - 1];
      const name = last ? unwrap(last, "String")?.sval : undefined;
      // NEW.x in a trigger's UPDATE is a value of the row that fired it, not a column of the updated table.
      if (name && !(ref.length === 2 && unwrap(ref[0], "String")?.sval === "new")) columns.add(name);
    });
    if (columns.size === 1) {
      const from = [...columns][0]!;
      if (from !== set.name) copies.push({ to: set.name, from, table });
    }
  }
  return copies;
}

function parseExpression(expression: string): Node | undefined {
  try {
    const select = unwrap(parseSql(`SELECT ${expression}`).stmts?.[0]?.stmt, "SelectStmt");
    const targets = select?.targetList;
    return targets?.length === 1 ? unwrap(targets[0], "ResTarget")?.val : undefined;
  } catch (error) {
    if (error instanceof PgSyntaxError) return undefined;
    throw error;
  }
}

/** Calls `onColumnRef` with the fields of every ColumnRef under a node. */
function walkNodes(node: unknown, onColumnRef: (fields: Node[]) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) walkNodes(item, onColumnRef);
    return;
  }
  if (node === null || typeof node !== "object") return;
  const ref = (node as { ColumnRef?: { fields?: Node[] } }).ColumnRef;
  if (ref) {
    onColumnRef(ref.fields ?? []);
    return;
  }
  for (const value of Object.values(node)) walkNodes(value, onColumnRef);
}

function walk(tree: unknown, visit: (key: string, value: unknown) => void): void {
  if (Array.isArray(tree)) {
    for (const item of tree) walk(item, visit);
    return;
  }
  if (tree === null || typeof tree !== "object") return;
  for (const [key, value] of Object.entries(tree)) {
    visit(key, value);
    walk(value, visit);
  }
}
