/**
 * What a WHERE clause says about the rows an UPDATE or DELETE touches: is it one batch (a key, a list of keys, a
 * key range, a LIMITed subquery, a cursor row) or potentially the whole table? Read from the libpg-query AST only.
 */
import type { DeleteStmt, Node, SelectStmt, UpdateStmt } from "@pgsql/types";
import { parsePlpgsql } from "./pg-parser.js";
import { kindOf, unwrap, type ParsedStatement } from "./statement.js";

/** Why a WHERE clause bounds the rows touched; `column` is the column key that does it (`id`, `(a,b)`). */
export type RowBound =
  | { readonly kind: "equality"; readonly column: string }
  | { readonly kind: "in-list"; readonly column: string }
  | { readonly kind: "limited-subquery"; readonly column: string }
  | { readonly kind: "range"; readonly column: string }
  | { readonly kind: "batch-join"; readonly source: string }
  | { readonly kind: "current-of" };

export interface BoundOptions {
  /**
   * Names that stand for values, not columns: the PL/pgSQL variables of the DO block around the statement
   * (`WHERE id > last_id` inside a loop compares with a variable, which the SQL parser sees as a column).
   */
  readonly variables?: ReadonlySet<string>;
}

type Ctes = ReadonlyMap<string, SelectStmt | undefined>;

interface Scope {
  readonly variables: ReadonlySet<string>;
  readonly ctes: Ctes;
}

const NO_VARIABLES: ReadonlySet<string> = new Set();

/**
 * How an UPDATE or DELETE is bounded to a batch of rows, or undefined when nothing in it limits the rows touched
 * (no WHERE, or a WHERE such as `display_name IS NULL` or `created_at < now()` that any number of rows may match).
 */
export function rowBound(statement: UpdateStmt | DeleteStmt, options: BoundOptions = {}): RowBound | undefined {
  const scope: Scope = { variables: options.variables ?? NO_VARIABLES, ctes: ctesOf(statement.withClause?.ctes, new Map()) };
  const where = statement.whereClause;
  if (!where) return undefined;
  const bound = expressionBound(where, scope);
  if (bound) return bound;
  const sources = (statement as UpdateStmt).fromClause ?? (statement as DeleteStmt).usingClause ?? [];
  return batchJoin(sources, where, scope);
}

/** The top-level AND-conjuncts of a predicate (`a AND (b AND c)` → a, b, c); a non-AND predicate is one conjunct. */
export function conjuncts(expression: Node | undefined): Node[] {
  if (!expression) return [];
  const bool = unwrap(expression, "BoolExpr");
  if (bool?.boolop === "AND_EXPR") return (bool.args ?? []).flatMap(conjuncts);
  return [expression];
}

/** The bound a whole predicate gives: one bounding conjunct, a two-sided range over conjuncts, or an OR of bounds. */
function expressionBound(expression: Node, scope: Scope): RowBound | undefined {
  const bool = unwrap(expression, "BoolExpr");
  if (bool?.boolop === "OR_EXPR") {
    // Each branch bounded means the union is bounded (`id = 1 OR id = 2`).
    const branches = (bool.args ?? []).map((arg) => expressionBound(arg, scope));
    return branches.length > 0 && branches.every((b) => b !== undefined) ? branches[0] : undefined;
  }
  const parts = conjuncts(expression);
  for (const part of parts) {
    const bound = conjunctBound(part, scope);
    if (bound) return bound;
  }
  return rangeBound(parts, scope);
}

/** A single conjunct that bounds on its own. */
function conjunctBound(node: Node, scope: Scope): RowBound | undefined {
  if (unwrap(node, "CurrentOfExpr")) return { kind: "current-of" };
  const bool = unwrap(node, "BoolExpr");
  if (bool?.boolop === "OR_EXPR" || bool?.boolop === "AND_EXPR") return expressionBound(node, scope);

  const sublink = unwrap(node, "SubLink");
  if (sublink?.subLinkType === "ANY_SUBLINK" && isEqualsOperator(sublink.operName, true)) {
    // col IN (SELECT … LIMIT n)
    const column = columnKey(sublink.testexpr, scope);
    const select = unwrap(sublink.subselect, "SelectStmt");
    if (column && select && isLimitedSelect(select, scope)) return { kind: "limited-subquery", column };
    return undefined;
  }

  const expr = unwrap(node, "A_Expr");
  if (!expr) return undefined;
  switch (expr.kind) {
    case "AEXPR_OP":
    case "AEXPR_NOT_DISTINCT": {
      if (expr.kind === "AEXPR_OP" && !isEqualsOperator(expr.name)) return undefined;
      const column = columnKey(expr.lexpr, scope) ?? columnKey(expr.rexpr, scope);
      const other = columnKey(expr.lexpr, scope) ? expr.rexpr : expr.lexpr;
      return column && isConstant(other, scope) ? { kind: "equality", column } : undefined;
    }
    case "AEXPR_IN": {
      // `IN (…)` carries the operator "="; `NOT IN (…)` carries "<>".
      if (!isEqualsOperator(expr.name)) return undefined;
      const column = columnKey(expr.lexpr, scope);
      const items = unwrap(expr.rexpr, "List")?.items ?? [];
      return column && items.length > 0 && items.every((item) => isConstant(item, scope)) ? { kind: "in-list", column } : undefined;
    }
    case "AEXPR_OP_ANY": {
      if (!isEqualsOperator(expr.name)) return undefined;
      const column = columnKey(expr.lexpr, scope);
      if (!column) return undefined;
      // col = ANY(ARRAY(SELECT … LIMIT n))
      const array = unwrap(expr.rexpr, "SubLink");
      if (array) {
        const select = unwrap(array.subselect, "SelectStmt");
        return array.subLinkType === "ARRAY_SUBLINK" && select && isLimitedSelect(select, scope)
          ? { kind: "limited-subquery", column }
          : undefined;
      }
      // col = ANY($1), col = ANY('{1,2}'), col = ANY(ARRAY[1, 2])
      return isConstant(expr.rexpr, scope) ? { kind: "in-list", column } : undefined;
    }
    case "AEXPR_BETWEEN":
    case "AEXPR_BETWEEN_SYM": {
      const column = columnKey(expr.lexpr, scope);
      const items = unwrap(expr.rexpr, "List")?.items ?? [];
      return column && items.length === 2 && items.every((item) => isConstant(item, scope)) ? { kind: "range", column } : undefined;
    }
    default:
      return undefined;
  }
}

const LOWER = new Set([">", ">="]);
const UPPER = new Set(["<", "<="]);
const FLIPPED: Record<string, string> = { ">": "<", ">=": "<=", "<": ">", "<=": ">=" };

/** A lower and an upper bound on the same column among the conjuncts (`id >= $1 AND id < $2`). */
function rangeBound(parts: readonly Node[], scope: Scope): RowBound | undefined {
  const lower = new Set<string>();
  const upper = new Set<string>();
  for (const part of parts) {
    const expr = unwrap(part, "A_Expr");
    if (expr?.kind !== "AEXPR_OP") continue;
    const op = operatorName(expr.name);
    if (!op || !FLIPPED[op]) continue;
    let column = columnKey(expr.lexpr, scope);
    let value = expr.rexpr;
    let direction = op;
    if (!column) {
      column = columnKey(expr.rexpr, scope);
      value = expr.lexpr;
      direction = FLIPPED[op]!;
    }
    if (!column || !isConstant(value, scope)) continue;
    if (LOWER.has(direction)) lower.add(column);
    if (UPPER.has(direction)) upper.add(column);
    if (lower.has(column) && upper.has(column)) return { kind: "range", column };
  }
  return undefined;
}

/**
 * UPDATE … FROM (SELECT … LIMIT n) b WHERE t.id = b.id (and DELETE … USING): the rows touched are those joined to
 * a LIMITed set. The join must be a top-level equality with a column of that source, or every row would match.
 */
function batchJoin(sources: readonly Node[], where: Node, scope: Scope): RowBound | undefined {
  const limited = new Set<string>();
  for (const source of sources) {
    const sub = unwrap(source, "RangeSubselect");
    const subquery = unwrap(sub?.subquery, "SelectStmt");
    if (sub?.alias?.aliasname && subquery && isLimitedSelect(subquery, scope)) limited.add(sub.alias.aliasname);
    const range = unwrap(source, "RangeVar");
    if (range?.relname && !range.schemaname && isLimitedCte(range.relname, scope)) limited.add(range.alias?.aliasname ?? range.relname);
  }
  if (limited.size === 0) return undefined;
  for (const part of conjuncts(where)) {
    const expr = unwrap(part, "A_Expr");
    if (expr?.kind !== "AEXPR_OP" || !isEqualsOperator(expr.name)) continue;
    const left = qualifierOf(expr.lexpr);
    const right = qualifierOf(expr.rexpr);
    if (left === null || right === null) continue; // both sides must be columns
    for (const [mine, theirs] of [
      [left, right],
      [right, left],
    ] as const) {
      if (mine !== undefined && limited.has(mine) && theirs !== mine) return { kind: "batch-join", source: mine };
    }
  }
  return undefined;
}

/**
 * A SELECT that returns a bounded number of rows: it has a LIMIT / FETCH FIRST (not LIMIT ALL), is a VALUES list,
 * or reads from a single source that is itself limited (a subquery or a CTE), e.g. `SELECT id FROM batch`.
 */
export function isLimitedSelect(select: SelectStmt, scope: { readonly ctes?: Ctes; readonly variables?: ReadonlySet<string> } = {}): boolean {
  const inner: Scope = {
    variables: scope.variables ?? NO_VARIABLES,
    ctes: ctesOf(select.withClause?.ctes, scope.ctes ?? new Map()),
  };
  const limit = select.limitCount;
  if (limit && !unwrap(limit, "A_Const")?.isnull) return true;
  if (select.valuesLists?.length) return true;
  if ((select.op ?? "SETOP_NONE") !== "SETOP_NONE" || select.fromClause?.length !== 1) return false;
  const from = select.fromClause[0]!;
  const subquery = unwrap(unwrap(from, "RangeSubselect")?.subquery, "SelectStmt");
  if (subquery) return isLimitedSelect(subquery, inner);
  const range = unwrap(from, "RangeVar");
  return range?.relname !== undefined && !range.schemaname && isLimitedCte(range.relname, inner);
}

function isLimitedCte(name: string, scope: Scope): boolean {
  if (!scope.ctes.has(name)) return false;
  const query = scope.ctes.get(name);
  // A CTE may refer to the CTEs before it; evaluate it without itself in scope to stop recursion.
  const without = new Map(scope.ctes);
  without.delete(name);
  return query !== undefined && isLimitedSelect(query, { ...scope, ctes: without });
}

function ctesOf(ctes: readonly Node[] | undefined, outer: Ctes): Ctes {
  if (!ctes?.length) return outer;
  const map = new Map(outer);
  for (const node of ctes) {
    const cte = unwrap(node, "CommonTableExpr");
    // A data-modifying CTE (UPDATE … RETURNING) is not a SELECT we can bound: it shadows outer names as unknown.
    if (cte?.ctename) map.set(cte.ctename, unwrap(cte.ctequery, "SelectStmt"));
  }
  return map;
}

/**
 * An expression whose value does not depend on the row: constants, parameters ($1), PL/pgSQL variables, and
 * operators, casts and function calls over those (`$1 + 1000`, `now() - interval '1 day'`). Subqueries are not.
 */
export function isConstant(node: Node | undefined, scope: { readonly variables?: ReadonlySet<string> } = {}): boolean {
  if (!node) return false;
  const variables = scope.variables ?? NO_VARIABLES;
  const recurse = (child: Node | undefined): boolean => isConstant(child, { variables });
  switch (kindOf(node)) {
    case "A_Const":
    case "ParamRef":
    case "SQLValueFunction":
      return true;
    case "ColumnRef":
      return isVariable(unwrap(node, "ColumnRef")?.fields, variables);
    case "TypeCast":
      return recurse(unwrap(node, "TypeCast")?.arg);
    case "A_Expr": {
      const expr = unwrap(node, "A_Expr")!;
      if (expr.kind !== "AEXPR_OP") return false;
      return (expr.lexpr === undefined || recurse(expr.lexpr)) && recurse(expr.rexpr);
    }
    case "FuncCall": {
      const call = unwrap(node, "FuncCall")!;
      if (call.over || call.agg_star || call.agg_filter || call.agg_order?.length) return false;
      return (call.args ?? []).every(recurse);
    }
    case "A_ArrayExpr":
      return (unwrap(node, "A_ArrayExpr")?.elements ?? []).every(recurse);
    case "RowExpr":
      return (unwrap(node, "RowExpr")?.args ?? []).every(recurse);
    case "CoalesceExpr":
      return (unwrap(node, "CoalesceExpr")?.args ?? []).every(recurse);
    case "MinMaxExpr":
      return (unwrap(node, "MinMaxExpr")?.args ?? []).every(recurse);
    default:
      return false;
  }
}

/** `last_id` or `r.id` where `last_id` / `r` is a PL/pgSQL variable. */
function isVariable(fields: readonly Node[] | undefined, variables: ReadonlySet<string>): boolean {
  if (!fields?.length || variables.size === 0 || fields.length > 2) return false;
  const first = unwrap(fields[0], "String")?.sval;
  return first !== undefined && variables.has(first);
}

/**
 * A stable key for the column (or row of columns) an operand names, or undefined when it is not a column: `id`
 * and `u.id` both give `id`; `(a, b)` gives `(a,b)`; a cast of a column is still that column.
 */
function columnKey(node: Node | undefined, scope: Scope): string | undefined {
  if (!node) return undefined;
  const ref = unwrap(node, "ColumnRef");
  if (ref) {
    if (isVariable(ref.fields, scope.variables)) return undefined;
    const last = ref.fields?.[ref.fields.length - 1];
    return unwrap(last, "String")?.sval;
  }
  const cast = unwrap(node, "TypeCast");
  if (cast) return columnKey(cast.arg, scope);
  const row = unwrap(node, "RowExpr");
  if (row?.args?.length) {
    const keys = row.args.map((arg) => columnKey(arg, scope));
    return keys.every((k) => k !== undefined) ? `(${keys.join(",")})` : undefined;
  }
  return undefined;
}

/** For a column reference: its qualifier (`b` of `b.id`), undefined when unqualified; null when not a column. */
function qualifierOf(node: Node | undefined): string | undefined | null {
  const fields = unwrap(node, "ColumnRef")?.fields;
  if (!fields?.length) return null;
  return fields.length >= 2 ? unwrap(fields[fields.length - 2], "String")?.sval : undefined;
}

function operatorName(name: readonly Node[] | undefined): string | undefined {
  const last = name?.[name.length - 1];
  return unwrap(last, "String")?.sval;
}

/** The operator is `=` (or `OPERATOR(pg_catalog.=)`); with allowAbsent, a missing name (plain IN) counts. */
function isEqualsOperator(name: readonly Node[] | undefined, allowAbsent = false): boolean {
  if (!name?.length) return allowAbsent;
  return operatorName(name) === "=";
}

const variableCache = new WeakMap<ParsedStatement, ReadonlySet<string>>();

/** The names of the variables a DO block declares (DECLARE, FOR loop variables), for BoundOptions.variables. */
export function doBlockVariables(doStatement: ParsedStatement): ReadonlySet<string> {
  let names = variableCache.get(doStatement);
  if (names) return names;
  const found = new Set<string>();
  try {
    const tree = parsePlpgsql(doStatement.text);
    for (const fn of tree.plpgsql_funcs ?? []) {
      const datums = (fn.PLpgSQL_function as { datums?: unknown[] } | undefined)?.datums ?? [];
      for (const datum of datums) {
        if (datum === null || typeof datum !== "object") continue;
        for (const value of Object.values(datum as Record<string, { refname?: string }>)) {
          if (typeof value?.refname === "string") found.add(value.refname);
        }
      }
    }
  } catch {
    // An unparsable body is reported elsewhere; without variables, comparisons with them look unbounded.
  }
  names = found;
  variableCache.set(doStatement, names);
  return names;
}
