/**
 * Column transitions as verification needs them: inferred from a migration's backfill UPDATEs (`UPDATE users u SET
 * display_name = normalize(u.full_name)` → users.full_name → display_name, expected value normalize(full_name)), or
 * given on the command line as `users.full_name:display_name[=expression]`.
 */
import type { Node, ResTarget, UpdateStmt } from "@pgsql/types";
import type { StatementContext } from "../context/migration-context.js";
import type { SqlDocument } from "../sql/document.js";
import { formatName, quoteIdent, relationName, sameRelation, type QualifiedName } from "../sql/names.js";
import { parseSql, PgSyntaxError } from "../sql/pg-parser.js";
import { sliceSetExpression, StatementTokens } from "../sql/slices.js";
import { nodeOf, unwrap, type ParsedStatement } from "../sql/statement.js";
import { expressionVolatility } from "../sql/volatility.js";
import type { CheckOrigin, Transition } from "./check.js";
import { withoutQualifier } from "./expressions.js";

/** Where a statement is, for check origins. */
export function statementOrigin(statement: ParsedStatement, file: string | undefined): CheckOrigin {
  const firstLine = statement.text.split(/\r\n|\r|\n/, 1)[0] ?? "";
  const excerpt = firstLine.length > 72 ? `${firstLine.slice(0, 71)}…` : firstLine;
  return { kind: "statement", ...(file === undefined ? {} : { file }), line: statement.loc.start.line, excerpt };
}

/**
 * Transitions from the backfill UPDATEs of a migration's up part: each `SET new = f(old)` reading exactly one other
 * column of the row is old → new. A SET reading several columns takes the first as `from` (missing rows are then
 * counted from that one; drift still compares the whole expression).
 */
export function inferTransitions(document: SqlDocument, contexts: readonly StatementContext[], file?: string): Transition[] {
  const found: Transition[] = [];
  for (const statement of document.statements) {
    if (!statement.checked || contexts[statement.index]?.phase === "down") continue;
    const update = nodeOf(statement, "UpdateStmt");
    const table = relationName(update?.relation);
    if (!update || !table) continue;
    for (const target of update.targetList ?? []) {
      const set = unwrap(target, "ResTarget");
      if (!set?.name || !set.val || set.indirection?.length) continue;
      const transition = backfillTransition(document, statement, update, table, set, file);
      if (transition && !found.some((t) => sameTransition(t, transition))) found.push(transition);
    }
  }
  return found;
}

function backfillTransition(
  document: SqlDocument,
  statement: ParsedStatement,
  update: UpdateStmt,
  table: QualifiedName,
  set: ResTarget,
  file: string | undefined,
): Transition | undefined {
  const alias = update.relation?.alias?.aliasname;
  const own = new Set([alias ?? table.name]);
  const others = new Set((update.fromClause ?? []).flatMap(rangeNames));
  const refs = columnRefs(set.val!);
  // Columns of this row the expression reads; a qualified reference to a FROM item is another table's.
  const sources = [...new Set(refs.filter((r) => r.qualifier === undefined || own.has(r.qualifier)).map((r) => r.column))].filter((c) => c !== set.name);
  if (sources.length === 0) return undefined; // a constant (SET flag = false) or a self-update (n = n + 1): not a transition
  const origin = statementOrigin(statement, file);
  const base = { table, from: sources[0]!, to: set.name!, origin };
  const opaque = opaqueReason(set.val!, refs, others);
  if (opaque) return { ...base, opaque };
  const tokens = StatementTokens.of(statement, document.source);
  const slice = tokens && sliceSetExpression(tokens, set);
  if (!slice?.ok) return { ...base, opaque: "the backfill's expression could not be isolated from the statement's text" };
  if (!refs.some((r) => r.qualifier === alias && alias !== undefined)) return { ...base, expression: slice.text };
  const bare = withoutQualifier(slice.text, alias!, set.val!);
  return bare === undefined ? { ...base, opaque: `the backfill's expression refers to the table as ${quoteIdent(alias!)} in a way that cannot be rewritten` } : { ...base, expression: bare };
}

/** Why the expression cannot be evaluated on the table alone, if it cannot. */
function opaqueReason(value: Node, refs: readonly ColumnReference[], others: ReadonlySet<string>): string | undefined {
  const foreign = refs.find((r) => r.qualifier !== undefined && others.has(r.qualifier));
  if (foreign) return `the backfill's expression reads ${quoteIdent(foreign.qualifier!)}.${quoteIdent(foreign.column)}, another relation of the UPDATE`;
  if (containsKind(value, "ParamRef")) return "the backfill's expression reads a parameter ($n)";
  const volatility = expressionVolatility(value);
  if (volatility.volatility === "volatile") return `the backfill's expression is volatile (${volatility.culprit ?? "it changes on every call"})`;
  return undefined;
}

interface ColumnReference {
  readonly qualifier?: string;
  readonly column: string;
}

function columnRefs(node: unknown): ColumnReference[] {
  const found: ColumnReference[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(walk);
    if (value === null || typeof value !== "object") return;
    const ref = unwrap(value as Node, "ColumnRef");
    if (ref) {
      const parts = (ref.fields ?? []).map((f) => unwrap(f, "String")?.sval);
      const column = parts[parts.length - 1];
      if (column !== undefined) found.push(parts.length >= 2 && parts[parts.length - 2] !== undefined ? { qualifier: parts[parts.length - 2]!, column } : { column });
      return;
    }
    for (const child of Object.values(value)) walk(child);
  };
  walk(node);
  return found;
}

function containsKind(node: unknown, kind: string): boolean {
  if (Array.isArray(node)) return node.some((n) => containsKind(n, kind));
  if (node === null || typeof node !== "object") return false;
  return Object.entries(node).some(([key, value]) => key === kind || containsKind(value, kind));
}

/** The names a FROM item can be referred to by (its alias, else its relation name). */
function rangeNames(item: Node): string[] {
  const range = unwrap(item, "RangeVar");
  if (range) return [range.alias?.aliasname ?? range.relname ?? ""].filter(Boolean);
  const sub = unwrap(item, "RangeSubselect") ?? unwrap(item, "RangeFunction");
  if (sub?.alias?.aliasname) return [sub.alias.aliasname];
  const join = unwrap(item, "JoinExpr");
  if (join) return [...(join.larg ? rangeNames(join.larg) : []), ...(join.rarg ? rangeNames(join.rarg) : []), ...(join.alias?.aliasname ? [join.alias.aliasname] : [])];
  return [];
}

export function sameTransition(a: Transition, b: Transition): boolean {
  return sameRelation(a.table, b.table) && a.from === b.from && a.to === b.to;
}

export class TransitionSyntaxError extends Error {
  constructor(text: string, why: string) {
    super(`--transition ${JSON.stringify(text)}: ${why}; expected [schema.]table.old_column:new_column[=expression], e.g. users.full_name:display_name`);
    this.name = "TransitionSyntaxError";
  }
}

/**
 * `users.full_name:display_name`, `app."User".full_name:display_name=lower(full_name)`: names as in SQL (quoted
 * when needed), the expression (over the table's columns) optional — without one the new column is a plain copy.
 */
export function parseTransitionOption(text: string): Transition {
  const colon = indexOutsideQuotes(text, ":", 0);
  if (colon < 0) throw new TransitionSyntaxError(text, "no ':' between the old and the new column");
  const equals = indexOutsideQuotes(text, "=", colon);
  const left = text.slice(0, colon).trim();
  const right = (equals < 0 ? text.slice(colon + 1) : text.slice(colon + 1, equals)).trim();
  const path = namePath(left);
  if (!path || path.length < 2 || path.length > 3) throw new TransitionSyntaxError(text, `${JSON.stringify(left)} is not table.column or schema.table.column`);
  const to = namePath(right);
  if (!to || to.length !== 1) throw new TransitionSyntaxError(text, `${JSON.stringify(right)} is not a column name`);
  const table: QualifiedName = path.length === 3 ? { schema: path[0]!, name: path[1]! } : { name: path[0]! };
  const expression = equals < 0 ? undefined : text.slice(equals + 1).trim();
  if (expression !== undefined && !isSingleExpression(expression)) throw new TransitionSyntaxError(text, `${JSON.stringify(expression)} is not one SQL expression`);
  return {
    table,
    from: path[path.length - 1]!,
    to: to[0]!,
    ...(expression === undefined ? {} : { expression }),
    origin: { kind: "option", text: `--transition ${text}` },
  };
}

/** The parts of a dotted SQL name (`app."User".full_name` → app, User, full_name), as PostgreSQL reads them. */
function namePath(text: string): string[] | undefined {
  if (text === "") return undefined;
  try {
    const select = onlySelect(parseSql(`SELECT ${text}`).stmts ?? []);
    const target = select?.targetList?.length === 1 ? unwrap(select.targetList[0], "ResTarget") : undefined;
    const ref = target && !target.name ? unwrap(target.val, "ColumnRef") : undefined;
    const parts = ref?.fields?.map((f) => unwrap(f, "String")?.sval);
    return parts && parts.every((p): p is string => p !== undefined) ? parts : undefined;
  } catch (error) {
    if (error instanceof PgSyntaxError) return undefined;
    throw error;
  }
}

/** The SELECT of a one-statement parse, if that is what it is. */
function onlySelect(stmts: readonly { stmt?: Node }[]) {
  return stmts.length === 1 ? unwrap(stmts[0]!.stmt, "SelectStmt") : undefined;
}

function isSingleExpression(text: string): boolean {
  if (text === "") return false;
  try {
    const select = onlySelect(parseSql(`SELECT ${text}`).stmts ?? []);
    return select !== undefined && select.targetList?.length === 1 && Object.keys(select).every((k) => k === "targetList" || k === "limitOption" || k === "op");
  } catch (error) {
    if (error instanceof PgSyntaxError) return false;
    throw error;
  }
}

function indexOutsideQuotes(text: string, char: string, from: number): number {
  let quoted = false;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '"') quoted = !quoted;
    else if (!quoted && text[i] === char) return i;
  }
  return -1;
}

/** `users.full_name->display_name`, the object part of a transition check's id. */
export function transitionLabel(transition: Transition): string {
  return `${formatName(transition.table)}.${quoteIdent(transition.from)}->${quoteIdent(transition.to)}`;
}
