/**
 * ORM and query-builder calls in application code, and what they name: the table (when the code says it) and the
 * columns each call reads (filters, selections, orderings) and writes (one set of columns per row written).
 *
 * Prisma `db.user.update({ where, data })`; knex `knex("users").where(…).update({…})`; Kysely
 * `db.updateTable("users").set({…})`; Drizzle `db.update(users).set({…})` with `users = pgTable(…)`; TypeORM
 * `dataSource.getRepository(User).update(criteria, {…})`, `manager.save(User, {…})`, `userRepository.find({ where })`.
 */
import type { TSESTree } from "@typescript-eslint/utils";
import type { QualifiedName } from "../sql/names.js";
import type { Catalog } from "./catalog.js";
import type { Definitions, TableDefinition } from "./definitions.js";

export type Orm = "prisma" | "knex" | "kysely" | "drizzle" | "typeorm";

type Node = TSESTree.Node;

/** A name of a column as a call gives it: an object key or a string. */
export interface NameUse {
  readonly name: string;
  /** Where the name is in the file (just the column part of `"u.full_name as n"`). */
  readonly range: [number, number];
  /** The name can be replaced in place by another column's name (an identifier key, or a plain string). */
  readonly replaceable: boolean;
  readonly kind: "key" | "string";
}

export interface TableTarget {
  /** The table, when the code names it; undefined when it cannot be known (the rules then match by name). */
  readonly table: QualifiedName | undefined;
  /** Where the table is named (`"users"`, `users`, `db.user`), for reporting a dropped or renamed table. */
  readonly nameRange: [number, number] | undefined;
  /** How the ORM maps property names to columns (Prisma @map, Drizzle keys, TypeORM properties). */
  readonly columnOf: (name: string) => string | undefined;
}

export interface QueryCall {
  readonly orm: Orm;
  readonly call: TSESTree.CallExpression;
  readonly target: TableTarget;
  /** One entry per row written: the columns it sets. */
  readonly writes: readonly (readonly NameUse[])[];
  readonly reads: readonly NameUse[];
  /** The call's result is rows of the table (so `row.x` reads its columns). */
  readonly returnsRows: boolean;
}

export interface QueryEnvironment {
  readonly catalog: Catalog;
  readonly definitions: Definitions;
}

export function unwrap(node: Node): Node {
  let current = node;
  while (
    current.type === "TSAsExpression" ||
    current.type === "TSSatisfiesExpression" ||
    current.type === "TSNonNullExpression" ||
    current.type === "TSTypeAssertion" ||
    current.type === "ChainExpression" ||
    current.type === "AwaitExpression"
  ) {
    current = current.type === "AwaitExpression" ? current.argument : current.expression;
  }
  return current;
}

export function stringValue(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  const n = unwrap(node);
  if (n.type === "Literal" && typeof n.value === "string") return n.value;
  if (n.type === "TemplateLiteral" && n.expressions.length === 0) return n.quasis[0]?.value.cooked ?? undefined;
  return undefined;
}

const propertyName = (node: Node): string | undefined => (node.type === "Identifier" ? node.name : undefined);

interface Link {
  readonly method: string | undefined;
  readonly call: TSESTree.CallExpression;
  readonly args: readonly Node[];
}

/** The calls of a chain, root first: `db.updateTable("t").set({…}).execute()` → updateTable, set, execute. */
export function chainOf(call: TSESTree.CallExpression): { root: Node; links: Link[] } {
  const links: Link[] = [];
  let current: Node = call;
  for (;;) {
    const node = unwrap(current);
    if (node.type !== "CallExpression") return { root: node, links };
    const callee = unwrap(node.callee);
    if (callee.type === "MemberExpression" && !callee.computed) {
      links.unshift({ method: propertyName(callee.property), call: node, args: node.arguments });
      current = callee.object;
      continue;
    }
    links.unshift({ method: undefined, call: node, args: node.arguments });
    return { root: callee, links };
  }
}

/** Whether a call is the last of its chain (its result is not the object of a further method call). */
export function isChainTop(call: TSESTree.CallExpression): boolean {
  let node: Node = call;
  let parent = node.parent;
  while (parent && (parent.type === "TSAsExpression" || parent.type === "TSNonNullExpression" || parent.type === "ChainExpression")) {
    node = parent;
    parent = parent.parent;
  }
  if (parent?.type !== "MemberExpression" || parent.object !== node) return true;
  return !(parent.parent?.type === "CallExpression" && parent.parent.callee === parent);
}

const PRISMA_METHODS = new Set([
  "findUnique", "findUniqueOrThrow", "findFirst", "findFirstOrThrow", "findMany", "create", "createMany", "createManyAndReturn",
  "update", "updateMany", "updateManyAndReturn", "upsert", "delete", "deleteMany", "count", "aggregate", "groupBy",
]);
/** Methods only Prisma has: enough to recognise a call without a schema.prisma. */
const PRISMA_ONLY = new Set(["findUnique", "findUniqueOrThrow", "findFirst", "findFirstOrThrow", "findMany", "createMany", "createManyAndReturn", "updateMany", "updateManyAndReturn", "upsert", "deleteMany", "aggregate", "groupBy"]);
const PRISMA_ARGUMENT_KEYS = new Set(["data", "where", "select", "include", "omit", "orderBy", "create", "update", "distinct", "cursor", "by"]);
const PRISMA_READS = new Set(["findUnique", "findUniqueOrThrow", "findFirst", "findFirstOrThrow", "findMany", "createManyAndReturn", "updateManyAndReturn", "create", "update", "upsert", "delete"]);

export function recognizeQuery(call: TSESTree.CallExpression, env: QueryEnvironment): QueryCall | undefined {
  return prismaCall(call, env) ?? typeormCall(call, env) ?? builderCall(call, env);
}

/** The object properties of an object literal argument, by key. */
function properties(node: Node | undefined): Map<string, Node> {
  const out = new Map<string, Node>();
  const object = node ? unwrap(node) : undefined;
  if (object?.type !== "ObjectExpression") return out;
  for (const p of object.properties) {
    if (p.type !== "Property" || p.computed) continue;
    const key = p.key.type === "Identifier" ? p.key.name : stringValue(p.key);
    if (key !== undefined) out.set(key, p.value);
  }
  return out;
}

/** The keys of an object literal as column names. */
function keysOf(node: Node | undefined): NameUse[] {
  const object = node ? unwrap(node) : undefined;
  if (object?.type !== "ObjectExpression") return [];
  const out: NameUse[] = [];
  for (const p of object.properties) {
    if (p.type !== "Property" || p.computed) continue;
    if (p.key.type === "Identifier") out.push({ name: p.key.name, range: p.key.range, replaceable: !p.shorthand, kind: "key" });
    else {
      const value = stringValue(p.key);
      if (value !== undefined) out.push({ name: value, range: [p.key.range[0] + 1, p.key.range[1] - 1], replaceable: literalIsPlain(p.key, value), kind: "key" });
    }
  }
  return out;
}

/** Rows of an object or an array of objects (`insert([{…}, {…}])`). */
function rowsOf(node: Node | undefined): NameUse[][] {
  const value = node ? unwrap(node) : undefined;
  if (value?.type === "ArrayExpression") return value.elements.flatMap((e) => (e && e.type !== "SpreadElement" ? rowsOf(e) : []));
  return value?.type === "ObjectExpression" ? [keysOf(value)] : [];
}

/** Whether a string literal's source is exactly its value in quotes (no escapes), so offsets map one to one. */
function literalIsPlain(node: Node, value: string): boolean {
  return node.range[1] - node.range[0] === value.length + 2;
}

/**
 * A column named by a string: `"full_name"`, `"u.full_name"`, `"full_name as name"`, `"users.full_name desc"`.
 * The range covers just the column's name when the literal has no escapes.
 */
function columnString(node: Node): NameUse | undefined {
  const n = unwrap(node);
  const value = stringValue(n);
  if (value === undefined || n.type !== "Literal") return undefined;
  const match = /^(\s*)((?:[A-Za-z_][\w$]*\.)*)([A-Za-z_][\w$]*)(?:\s+as\s+[\w$]+|\s+(?:asc|desc))?\s*$/i.exec(value);
  if (!match) return undefined;
  const name = match[3]!;
  const plain = literalIsPlain(n, value);
  const start = n.range[0] + 1 + match[1]!.length + match[2]!.length;
  return { name, range: plain ? [start, start + name.length] : n.range, replaceable: plain, kind: "string" };
}

/** Strings among arguments and array arguments: `select("a", "b")`, `select(["a", "b"])`. */
function stringsIn(args: readonly Node[]): NameUse[] {
  return args.flatMap((arg) => {
    const value = unwrap(arg);
    const items = value.type === "ArrayExpression" ? value.elements : [value];
    return items.flatMap((item) => (item && item.type !== "SpreadElement" ? (columnString(item) ?? []) : []));
  });
}

function prismaCall(call: TSESTree.CallExpression, env: QueryEnvironment): QueryCall | undefined {
  const callee = unwrap(call.callee);
  if (callee.type !== "MemberExpression" || callee.computed) return undefined;
  const method = propertyName(callee.property);
  const access = unwrap(callee.object);
  if (!method || !PRISMA_METHODS.has(method) || access.type !== "MemberExpression" || access.computed) return undefined;
  const model = propertyName(access.property);
  if (!model || model.startsWith("$")) return undefined;
  const args = properties(call.arguments[0]);
  const { catalog } = env;
  if (catalog.prisma.length > 0) {
    if (!catalog.prisma.some((m) => m.clientProperty === model)) return undefined;
  } else if (!PRISMA_ONLY.has(method) && ![...args.keys()].some((k) => PRISMA_ARGUMENT_KEYS.has(k))) {
    return undefined;
  }
  const found = catalog.prismaTable(model);
  const table = found?.table;
  const target: TableTarget = {
    table,
    nameRange: access.property.range,
    columnOf: (name) => (table ? catalog.prismaColumn(table, name) : undefined),
  };
  const writes = method === "upsert" ? [...rowsOf(args.get("create")), ...rowsOf(args.get("update"))] : rowsOf(args.get("data"));
  const reads: NameUse[] = [...whereKeys(args.get("where")), ...keysOf(args.get("select")), ...keysOf(args.get("omit")), ...orderKeys(args.get("orderBy")), ...keysOf(args.get("cursor"))];
  for (const key of ["distinct", "by"]) {
    const value = args.get(key);
    if (value) reads.push(...stringsIn([value]));
  }
  return { orm: "prisma", call, target, writes, reads, returnsRows: PRISMA_READS.has(method) };
}

/** Keys of a Prisma/TypeORM filter, through AND/OR/NOT and arrays of filters. */
function whereKeys(node: Node | undefined): NameUse[] {
  const value = node ? unwrap(node) : undefined;
  if (!value) return [];
  if (value.type === "ArrayExpression") return value.elements.flatMap((e) => (e && e.type !== "SpreadElement" ? whereKeys(e) : []));
  if (value.type !== "ObjectExpression") return [];
  const out: NameUse[] = [];
  const nested = properties(value);
  for (const key of keysOf(value)) {
    if (key.name === "AND" || key.name === "OR" || key.name === "NOT") out.push(...whereKeys(nested.get(key.name)));
    else out.push(key);
  }
  return out;
}

function orderKeys(node: Node | undefined): NameUse[] {
  const value = node ? unwrap(node) : undefined;
  if (value?.type === "ArrayExpression") return value.elements.flatMap((e) => (e && e.type !== "SpreadElement" ? keysOf(e) : []));
  return keysOf(value);
}

const TYPEORM_WRITES = new Set(["save", "insert", "upsert", "create", "update"]);
const TYPEORM_FINDS = new Set(["find", "findOne", "findOneOrFail", "findAndCount", "count", "exist", "exists"]);
const TYPEORM_BY = new Set(["findBy", "findOneBy", "findOneByOrFail", "findAndCountBy", "countBy", "existsBy", "delete", "softDelete"]);

function typeormCall(call: TSESTree.CallExpression, env: QueryEnvironment): QueryCall | undefined {
  const callee = unwrap(call.callee);
  if (callee.type !== "MemberExpression" || callee.computed) return undefined;
  const method = propertyName(callee.property);
  if (!method || !(TYPEORM_WRITES.has(method) || TYPEORM_FINDS.has(method) || TYPEORM_BY.has(method))) return undefined;
  const object = unwrap(callee.object);
  let entity: TableDefinition | undefined;
  let entityNode: Node | undefined;
  let args: readonly Node[] = call.arguments;
  if (object.type === "CallExpression") {
    // dataSource.getRepository(User).update(…)
    const getter = unwrap(object.callee);
    const name = getter.type === "MemberExpression" ? propertyName(getter.property) : getter.type === "Identifier" ? getter.name : undefined;
    if (name !== "getRepository" && name !== "getTreeRepository") return undefined;
    const arg = object.arguments[0] ? unwrap(object.arguments[0]) : undefined;
    if (arg?.type === "Identifier") {
      entity = env.definitions.tableOf(arg);
      entityNode = arg;
    }
    if (!entity) return undefined;
  } else {
    const first = call.arguments[0] ? unwrap(call.arguments[0]) : undefined;
    const firstEntity = first?.type === "Identifier" ? env.definitions.tableOf(first) : undefined;
    if (firstEntity?.kind === "typeorm") {
      // manager.update(User, criteria, partial)
      entity = firstEntity;
      entityNode = first;
      args = call.arguments.slice(1);
    } else {
      // this.userRepository.update(…): a repository whose entity the code does not show.
      const holder = object.type === "MemberExpression" ? propertyName(object.property) : object.type === "Identifier" ? object.name : undefined;
      if (!holder || !/(repo|repository)$/i.test(holder)) return undefined;
    }
  }
  if (entity && entity.kind !== "typeorm") return undefined;
  const target: TableTarget = {
    table: entity?.table,
    nameRange: entityNode?.range,
    columnOf: (name) => entity?.columns.get(name),
  };
  const writes: NameUse[][] = [];
  const reads: NameUse[] = [];
  if (method === "update") {
    reads.push(...whereKeys(args[0]));
    writes.push(...rowsOf(args[1]));
  } else if (TYPEORM_WRITES.has(method)) {
    writes.push(...rowsOf(args[0]));
  } else if (TYPEORM_BY.has(method)) {
    reads.push(...whereKeys(args[0]));
  } else {
    const options = properties(args[0]);
    reads.push(...whereKeys(options.get("where")), ...keysOf(options.get("order")));
    const select = options.get("select");
    if (select) reads.push(...(unwrap(select).type === "ArrayExpression" ? stringsIn([select]) : keysOf(select)));
  }
  return { orm: "typeorm", call, target, writes, reads, returnsRows: TYPEORM_FINDS.has(method) || TYPEORM_BY.has(method) };
}

const TABLE_LINKS: Record<string, "knex" | "kysely"> = {
  from: "knex",
  table: "knex",
  into: "knex",
  updateTable: "kysely",
  insertInto: "kysely",
  selectFrom: "kysely",
  deleteFrom: "kysely",
  mergeInto: "kysely",
  replaceInto: "kysely",
};
const DRIZZLE_TABLE_LINKS = new Set(["update", "insert", "delete", "from"]);
const ALL_STRING_ARGS = new Set(["select", "column", "columns", "returning", "distinct", "distinctOn", "groupBy", "pluck", "first"]);
const FIRST_STRING_ARG = new Set([
  "where", "andWhere", "orWhere", "whereNot", "andWhereNot", "orWhereNot", "whereIn", "orWhereIn", "whereNotIn", "orWhereNotIn",
  "whereNull", "orWhereNull", "whereNotNull", "orWhereNotNull", "whereBetween", "whereNotBetween", "whereLike", "whereILike",
  "orderBy", "having", "onConflict",
]);
const WRITE_LINKS = new Set(["update", "insert", "upsert", "merge", "set", "values", "del", "delete", "increment", "decrement"]);

/** `"users"`, `"users as u"`, `"app.users"` → the table. */
function tableFromString(value: string): QualifiedName | undefined {
  const match = /^\s*(?:([A-Za-z_][\w$]*)\.)?([A-Za-z_][\w$]*)(?:\s+(?:as\s+)?[\w$]+)?\s*$/i.exec(value);
  if (!match) return undefined;
  return match[1] ? { schema: match[1], name: match[2]! } : { name: match[2]! };
}

function builderCall(call: TSESTree.CallExpression, env: QueryEnvironment): QueryCall | undefined {
  if (!isChainTop(call)) return undefined;
  const { root, links } = chainOf(call);
  let orm: Orm | undefined;
  let table: QualifiedName | undefined;
  let nameNode: Node | undefined;
  let definition: TableDefinition | undefined;
  const first = links[0];
  // knex("users")…: a plain function called with a table name, continued by query-builder methods.
  if (first && first.method === undefined && links.length >= 2 && (root.type === "Identifier" || root.type === "MemberExpression")) {
    const name = stringValue(first.args[0]);
    const parsed = name !== undefined && first.args.length === 1 ? tableFromString(name) : undefined;
    if (parsed && links.slice(1).some((l) => l.method && (WRITE_LINKS.has(l.method) || ALL_STRING_ARGS.has(l.method) || FIRST_STRING_ARG.has(l.method)))) {
      orm = "knex";
      table = parsed;
      nameNode = first.args[0];
    }
  }
  for (const link of links) {
    if (orm || !link.method) continue;
    const arg = link.args[0] ? unwrap(link.args[0]) : undefined;
    const name = stringValue(arg);
    if (name !== undefined && TABLE_LINKS[link.method]) {
      const parsed = tableFromString(name);
      if (!parsed) continue;
      orm = TABLE_LINKS[link.method];
      table = parsed;
      nameNode = arg;
    } else if (arg?.type === "Identifier" && DRIZZLE_TABLE_LINKS.has(link.method)) {
      const found = env.definitions.tableOf(arg);
      if (found?.kind !== "drizzle") continue;
      orm = "drizzle";
      definition = found;
      table = found.table;
      nameNode = arg;
    }
  }
  if (!orm) return undefined;
  const writes: NameUse[][] = [];
  const reads: NameUse[] = [];
  let writing = false;
  for (const link of links) {
    const method = link.method;
    if (!method) continue;
    if (WRITE_LINKS.has(method)) writing = true;
    if (orm === "knex" && (method === "update" || method === "increment" || method === "decrement") && stringValue(link.args[0]) !== undefined) {
      // update("col", value), increment("col"): one column written.
      const single = columnString(link.args[0]!);
      if (single) writes.push([single]);
      continue;
    }
    if ((orm === "knex" && ["update", "insert", "upsert", "merge"].includes(method)) || ((orm === "kysely" || orm === "drizzle") && (method === "set" || method === "values"))) {
      writes.push(...rowsOf(link.args[0]));
      continue;
    }
    if (orm === "drizzle" && (method === "onConflictDoUpdate" || method === "onDuplicateKeyUpdate")) {
      writes.push(...rowsOf(properties(link.args[0]).get("set")));
      continue;
    }
    if (orm === "drizzle") continue; // Drizzle reads name columns through the table object (users.fullName)
    if (ALL_STRING_ARGS.has(method)) reads.push(...stringsIn(link.args));
    else if (FIRST_STRING_ARG.has(method) && link.args[0]) {
      const arg = unwrap(link.args[0]);
      if (arg.type === "ObjectExpression") reads.push(...keysOf(arg));
      else reads.push(...stringsIn([arg]));
    }
  }
  const target: TableTarget = {
    table,
    nameRange: nameNode ? stringRange(nameNode) : undefined,
    columnOf: (name) => definition?.columns.get(name),
  };
  return { orm, call, target, writes, reads, returnsRows: !writing };
}

/** The range of a table name in a string (`"users as u"` → users) or an identifier. */
function stringRange(node: Node): [number, number] {
  const value = stringValue(node);
  if (value === undefined || node.type !== "Literal" || !literalIsPlain(node, value)) return node.range;
  const match = /^(\s*)((?:[A-Za-z_][\w$]*\.)?[A-Za-z_][\w$]*)/.exec(value);
  if (!match) return node.range;
  const start = node.range[0] + 1 + match[1]!.length;
  return [start, start + match[2]!.length];
}
