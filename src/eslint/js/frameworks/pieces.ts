/**
 * Small helpers for translators: SQL text mapped to the JS node it comes from, identifiers and literals from JS
 * values, and reading a call chain (`a.b(x).c(y).d()`) link by link.
 */
import type * as ESTree from "estree";
import { quoteIdent, quoteLiteral } from "../../../sql/names.js";
import { rangeOf, unwrapExpression, type SqlPiece } from "../sql-text.js";
import type { StaticValue } from "../static-value.js";

type Node = ESTree.Node & { range?: [number, number] };

export class PieceList {
  readonly pieces: SqlPiece[] = [];

  /** Text reported on `node` when a finding lands on it. */
  add(text: string, node: ESTree.Node): this {
    this.pieces.push({ text, mapping: { kind: "span", range: rangeOf(node as Node) } });
    return this;
  }

  addPieces(pieces: readonly SqlPiece[]): this {
    this.pieces.push(...pieces);
    return this;
  }
}

/** A column or table name given as a JS string, quoted for SQL as the framework would (`"userId"` keeps its case). */
export function identifierOf(node: ESTree.Node | undefined): string | undefined {
  const value = stringValue(node);
  return value === undefined ? undefined : quoteName(value);
}

/** A dotted name (`app.users`) quoted part by part, as knex and TypeORM quote names. */
export function quoteName(value: string): string {
  return value
    .split(".")
    .map((part) => quoteIdent(part))
    .join(".");
}

export function stringValue(node: ESTree.Node | undefined): string | undefined {
  if (!node) return undefined;
  const n = unwrapExpression(node as Node);
  if (n.type === "Literal" && typeof n.value === "string") return n.value;
  if (n.type === "TemplateLiteral" && n.expressions.length === 0) return n.quasis[0]?.value.cooked ?? undefined;
  return undefined;
}

/** Strings of an array literal or of the arguments themselves: `['a', 'b']` or `'a', 'b'`. */
export function stringList(nodes: readonly ESTree.Node[]): string[] | undefined {
  const first = nodes[0] ? unwrapExpression(nodes[0] as Node) : undefined;
  const items = first?.type === "ArrayExpression" ? first.elements : nodes;
  const out: string[] = [];
  for (const item of items) {
    const value = item && item.type !== "SpreadElement" ? stringValue(item) : undefined;
    if (value === undefined) return undefined;
    out.push(value);
  }
  return out;
}

/** A JS value as a SQL literal when it is a constant; otherwise a name-shaped placeholder (it parses anywhere). */
/** A constant read statically, as the SQL literal the frameworks write for it; undefined for anything else. */
export function constantSql(value: StaticValue): string | undefined {
  switch (value.kind) {
    case "string":
      return quoteLiteral(value.value);
    case "number":
    case "boolean":
      return String(value.value);
    case "null":
      return "NULL";
    default:
      return undefined;
  }
}

export function literalOf(node: ESTree.Node | undefined): string {
  if (!node) return "NULL";
  const n = unwrapExpression(node as Node);
  if (n.type === "Literal") {
    if (typeof n.value === "string") return quoteLiteral(n.value);
    if (typeof n.value === "number" || typeof n.value === "boolean") return String(n.value);
    if (n.value === null) return "NULL";
  }
  if (n.type === "UnaryExpression" && n.operator === "-" && n.argument.type === "Literal" && typeof n.argument.value === "number") return `-${n.argument.value}`;
  return "_value";
}

/**
 * A value the query builder sends as a bind parameter (a WHERE or SET value): its literal when it is a constant,
 * else `$1` — a parameter, which the boundedness check rightly counts as a constant (unlike a name-shaped stand-in,
 * which would read as a column).
 */
export function bindValueOf(node: ESTree.Node | undefined): string {
  const literal = literalOf(node);
  return literal === "_value" ? "$1" : literal;
}

export interface ChainLink {
  /** The method name (`alterTable`), or undefined for a call of a plain function (`knex('users')`). */
  readonly method: string | undefined;
  readonly call: ESTree.CallExpression;
  readonly args: readonly ESTree.Node[];
}

/**
 * The links of a call chain, root first: `db.schema.alterTable('t').dropColumn('c').execute()` →
 * [alterTable('t'), dropColumn('c'), execute()] with root object `db.schema`.
 */
export function chainOf(call: ESTree.CallExpression): { root: ESTree.Node; links: ChainLink[] } {
  const links: ChainLink[] = [];
  let current: ESTree.Node = call;
  for (;;) {
    const node = unwrapExpression(current as Node);
    if (node.type === "CallExpression") {
      const callee = unwrapExpression(node.callee as Node);
      if (callee.type === "MemberExpression" && !callee.computed && callee.property.type === "Identifier") {
        links.unshift({ method: callee.property.name, call: node, args: node.arguments as ESTree.Node[] });
        current = callee.object;
        continue;
      }
      links.unshift({ method: undefined, call: node, args: node.arguments as ESTree.Node[] });
      return { root: callee, links };
    }
    return { root: node, links };
  }
}

/**
 * The node a finding on one link of a chain should point at: the method name and its arguments
 * (`unique()` of `t.string('email').unique()`), not the whole chain up to it.
 */
export function linkNode(link: ChainLink): ESTree.Node {
  const callee = unwrapExpression(link.call.callee as Node);
  if (callee.type !== "MemberExpression") return link.call;
  const start = (callee.property as Node).range?.[0] ?? 0;
  const end = (link.call as Node).range?.[1] ?? 0;
  return { type: "Identifier", name: link.method ?? "call", range: [start, end] } as ESTree.Node;
}

/** `a.b.c` as "a.b.c" (identifiers and `this` only), else undefined. */
export function memberPath(node: ESTree.Node): string | undefined {
  const n = unwrapExpression(node as Node);
  if (n.type === "Identifier") return n.name;
  if (n.type === "ThisExpression") return "this";
  if (n.type === "MemberExpression" && !n.computed && n.property.type === "Identifier") {
    const object = memberPath(n.object);
    return object === undefined ? undefined : `${object}.${n.property.name}`;
  }
  return undefined;
}

/** Whether a call is the outermost of its chain (its result is not the object of a further member call). */
export function isChainTop(call: ESTree.CallExpression & { parent?: ESTree.Node }): boolean {
  let node: ESTree.Node & { parent?: ESTree.Node } = call;
  let parent = node.parent;
  // Skip TS wrappers and parentheses around the call.
  while (parent && ["TSAsExpression", "TSNonNullExpression", "ParenthesizedExpression"].includes(parent.type)) {
    node = parent;
    parent = (parent as ESTree.Node & { parent?: ESTree.Node }).parent;
  }
  if (parent?.type !== "MemberExpression" || parent.object !== node) return true;
  const grand = (parent as ESTree.Node & { parent?: ESTree.Node }).parent;
  return !(grand?.type === "CallExpression" && grand.callee === parent);
}

/** A name-shaped stand-in for SQL that only exists at run time, named after the code (`_pgm_func`). */
export function placeholderName(source: string): string {
  const cleaned = source.replace(/[^A-Za-z0-9_]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 40);
  return `_${cleaned || "value"}`;
}
