/**
 * Kysely: `db.schema.alterTable('t').renameColumn(…).dropColumn(…).addColumn(…, (col) => col.notNull())`,
 * `createIndex(…).on(…).column(…)`, `createTable`, `dropTable`, `dropIndex`, and `db.updateTable(…).set(…).where(…)`
 * / `db.deleteFrom(…)` chains, translated to the SQL Kysely compiles for PostgreSQL.
 */
import type * as ESTree from "estree";
import { unwrapExpression } from "../sql-text.js";
import { chainOf, identifierOf, literalOf, PieceList, stringList, stringValue, type ChainLink } from "./pieces.js";
import type { Operation, TranslateContext, Translator } from "./types.js";

type Expr = ESTree.Node & { range?: [number, number] };

export const kyselyTranslator: Translator = (call, context) => {
  const { root, links } = chainOf(call);
  const rootNode = unwrapExpression(root as Expr);
  // db.schema.… chains
  if (rootNode.type === "MemberExpression" && !rootNode.computed && rootNode.property.type === "Identifier" && rootNode.property.name === "schema") {
    const start = links.findIndex((l) => l.method !== "withSchema");
    return start < 0 ? undefined : schemaChain(links.slice(start), context);
  }
  if (rootNode.type === "Identifier" && (context.handles.has(rootNode.name) || rootNode.name === "db" || rootNode.name === "trx")) {
    const first = links[0];
    if (first?.method === "updateTable" || first?.method === "deleteFrom") return writeChain(links);
  }
  return undefined;
};

function schemaChain(links: readonly ChainLink[], context: TranslateContext): readonly Operation[] | undefined {
  const [head, ...rest] = links;
  if (!head) return undefined;
  const name = identifierOf(head.args[0]);
  const has = (method: string) => rest.some((l) => l.method === method);
  const out = new PieceList();
  const whole = links.at(-1)!.call;
  switch (head.method) {
    case "createTable":
      if (!name) return notAnalysed(head, "the table name is not a constant");
      return one(out.add(`CREATE TABLE ${has("ifNotExists") ? "IF NOT EXISTS " : ""}${name} ()`, whole), whole);
    case "dropTable":
      if (!name) return notAnalysed(head, "the table name is not a constant");
      return one(out.add(`DROP TABLE ${has("ifExists") ? "IF EXISTS " : ""}${name}${has("cascade") ? " CASCADE" : ""}`, whole), whole);
    case "createIndex": {
      const on = rest.find((l) => l.method === "on");
      const table = identifierOf(on?.args[0]);
      const columns = rest.flatMap((l) => (l.method === "column" ? (stringList(l.args) ?? []) : l.method === "columns" ? (stringList(l.args) ?? []) : []));
      if (!name || !table) return notAnalysed(head, "the index name or table is not a constant");
      const expression = rest.find((l) => l.method === "expression");
      const cols = columns.length > 0 ? columns.map((c) => identifierOf(lit(c))).join(", ") : expression ? "(_expression)" : "_column";
      const unique = has("unique") ? "UNIQUE " : "";
      const concurrently = has("concurrently") ? "CONCURRENTLY " : "";
      return one(out.add(`CREATE ${unique}INDEX ${concurrently}${has("ifNotExists") ? "IF NOT EXISTS " : ""}${name} ON ${table} (${cols})`, whole), whole);
    }
    case "dropIndex":
      if (!name) return notAnalysed(head, "the index name is not a constant");
      return one(out.add(`DROP INDEX ${has("concurrently") ? "CONCURRENTLY " : ""}${has("ifExists") ? "IF EXISTS " : ""}${name}`, whole), whole);
    case "alterTable":
      if (!name) return notAnalysed(head, "the table name is not a constant");
      return alterTable(name, head, rest.filter((l) => l.method !== "execute"), context);
    default:
      return undefined;
  }
}

/** One ALTER TABLE with an action per chained call, each action mapped to its own call for precise reports. */
function alterTable(table: string, head: ChainLink, actions: readonly ChainLink[], context: TranslateContext): readonly Operation[] {
  const out = new PieceList().add(`ALTER TABLE ${table} `, head.call);
  let count = 0;
  const add = (text: string, link: ChainLink): void => {
    if (count++ > 0) out.add(", ", link.call);
    out.add(text, actionNode(link));
  };
  for (const link of actions) {
    const [a, b] = link.args;
    switch (link.method) {
      case "renameColumn":
        add(`RENAME COLUMN ${identifierOf(a) ?? "_column"} TO ${identifierOf(b) ?? "_column"}`, link);
        break;
      case "renameTo":
        add(`RENAME TO ${identifierOf(a) ?? "_table"}`, link);
        break;
      case "dropColumn":
        add(`DROP COLUMN ${identifierOf(a) ?? "_column"}`, link);
        break;
      case "addColumn":
        add(`ADD COLUMN ${identifierOf(a) ?? "_column"} ${typeOf(b, context)}${columnModifiers(link.args[2])}`, link);
        break;
      case "alterColumn":
        for (const change of alterColumnChanges(identifierOf(a) ?? "_column", link.args[1], context)) add(change, link);
        break;
      case "addUniqueConstraint":
        add(`ADD CONSTRAINT ${identifierOf(a) ?? "_constraint"} UNIQUE (${(stringList([b as ESTree.Node]) ?? ["_column"]).map((c) => identifierOf(lit(c))).join(", ")})`, link);
        break;
      case "addPrimaryKeyConstraint":
        add(`ADD CONSTRAINT ${identifierOf(a) ?? "_constraint"} PRIMARY KEY (${(stringList([b as ESTree.Node]) ?? ["_column"]).map((c) => identifierOf(lit(c))).join(", ")})`, link);
        break;
      case "addForeignKeyConstraint": {
        const [name, columns, refTable, refColumns] = link.args;
        const cols = (stringList([columns as ESTree.Node]) ?? ["_column"]).map((c) => identifierOf(lit(c))).join(", ");
        const refs = (stringList([refColumns as ESTree.Node]) ?? ["_column"]).map((c) => identifierOf(lit(c))).join(", ");
        add(`ADD CONSTRAINT ${identifierOf(name) ?? "_constraint"} FOREIGN KEY (${cols}) REFERENCES ${identifierOf(refTable) ?? "_table"} (${refs})`, link);
        break;
      }
      case "addCheckConstraint":
        add(`ADD CONSTRAINT ${identifierOf(a) ?? "_constraint"} CHECK (${sqlOf(b, context) ?? "true"})`, link);
        break;
      case "dropConstraint":
        add(`DROP CONSTRAINT ${identifierOf(a) ?? "_constraint"}`, link);
        break;
      case "addIndex":
        // A `sql` index definition or a builder: not an ALTER TABLE action in PostgreSQL; read as an index build.
        break;
      default:
        break;
    }
  }
  if (count === 0) return [];
  return one(out, head.call);
}

/** The node a finding on one action should point at: the method name and its arguments (`dropColumn('x')`). */
function actionNode(link: ChainLink): ESTree.Node {
  const callee = link.call.callee as ESTree.MemberExpression & { range?: [number, number] };
  const property = callee.property as ESTree.Node & { range?: [number, number] };
  const end = (link.call as ESTree.Node & { range?: [number, number] }).range?.[1] ?? 0;
  return { type: "Identifier", name: "action", range: [property.range?.[0] ?? 0, end] } as ESTree.Node;
}

/** `(col) => col.notNull().defaultTo(…).references('t.id').unique().primaryKey()` as SQL column constraints. */
function columnModifiers(callback: ESTree.Node | undefined): string {
  const body = callbackBody(callback);
  if (!body) return "";
  const { links } = chainOf(body);
  const parts: string[] = [];
  for (const link of links) {
    if (link.method === "notNull") parts.push("NOT NULL");
    if (link.method === "primaryKey") parts.push("PRIMARY KEY");
    if (link.method === "unique") parts.push("UNIQUE");
    if (link.method === "defaultTo") parts.push(`DEFAULT ${defaultOf(link.args[0])}`);
    if (link.method === "references") {
      const [table, column] = (stringValue(link.args[0]) ?? "_table._column").split(".");
      parts.push(`REFERENCES ${identifierOf(lit(table ?? "_table"))} (${identifierOf(lit(column ?? "_column"))})`);
    }
    if (link.method === "generatedAlwaysAsIdentity" || link.method === "generatedByDefaultAsIdentity") parts.push("GENERATED BY DEFAULT AS IDENTITY");
  }
  return parts.length > 0 ? ` ${parts.join(" ")}` : "";
}

function alterColumnChanges(column: string, callback: ESTree.Node | undefined, context: TranslateContext): string[] {
  const body = callbackBody(callback);
  if (!body) return [];
  const { links } = chainOf(body);
  const changes: string[] = [];
  for (const link of links) {
    if (link.method === "setDataType") changes.push(`ALTER COLUMN ${column} TYPE ${typeOf(link.args[0], context)}`);
    if (link.method === "setNotNull") changes.push(`ALTER COLUMN ${column} SET NOT NULL`);
    if (link.method === "dropNotNull") changes.push(`ALTER COLUMN ${column} DROP NOT NULL`);
    if (link.method === "setDefault") changes.push(`ALTER COLUMN ${column} SET DEFAULT ${defaultOf(link.args[0])}`);
    if (link.method === "dropDefault") changes.push(`ALTER COLUMN ${column} DROP DEFAULT`);
  }
  return changes;
}

function callbackBody(callback: ESTree.Node | undefined): ESTree.CallExpression | undefined {
  const fn = callback ? unwrapExpression(callback as Expr) : undefined;
  if (fn?.type !== "ArrowFunctionExpression" && fn?.type !== "FunctionExpression") return undefined;
  let body: ESTree.Node | undefined = fn.body;
  if (body?.type === "BlockStatement") {
    const ret = body.body.find((s): s is ESTree.ReturnStatement => s.type === "ReturnStatement");
    body = ret?.argument ?? undefined;
  }
  const expression = body ? unwrapExpression(body as Expr) : undefined;
  return expression?.type === "CallExpression" ? expression : undefined;
}

/** A column type: a string ('varchar(255)', 'timestamptz') or a `sql` template; unknown types become text. */
function typeOf(node: ESTree.Node | undefined, context: TranslateContext): string {
  return stringValue(node) ?? sqlOf(node, context) ?? "text";
}

function sqlOf(node: ESTree.Node | undefined, context: TranslateContext): string | undefined {
  if (!node) return undefined;
  const value = context.reader.read(node, true);
  return value.ok ? value.pieces.map((p) => p.text).join("") : undefined;
}

/** Kysely's `defaultTo(sql\`now()\`)` or a constant. */
function defaultOf(node: ESTree.Node | undefined): string {
  const n = node ? unwrapExpression(node as Expr) : undefined;
  if (n?.type === "TaggedTemplateExpression") return n.quasi.quasis.map((q) => q.value.cooked).join("_value");
  return literalOf(node);
}

/** db.updateTable('t').set({…}).where('id', '=', x) / db.deleteFrom('t').where(…) */
function writeChain(links: readonly ChainLink[]): readonly Operation[] | undefined {
  const [head, ...rest] = links;
  if (!head || rest.at(-1)?.method?.startsWith("execute") !== true) return undefined;
  const table = identifierOf(head.args[0]);
  if (!table) return notAnalysed(head, "the table name is not a constant");
  const whole = links.at(-1)!.call;
  const out = new PieceList();
  if (head.method === "updateTable") {
    const set = rest.find((l) => l.method === "set");
    const object = set?.args[0] ? unwrapExpression(set.args[0] as Expr) : undefined;
    const assignments =
      object?.type === "ObjectExpression"
        ? object.properties
            .filter((p): p is ESTree.Property => p.type === "Property" && p.key.type === "Identifier")
            .map((p) => `${identifierOf(lit((p.key as ESTree.Identifier).name))} = ${literalOf(p.value as ESTree.Node)}`)
        : [];
    out.add(`UPDATE ${table} SET ${assignments.join(", ") || "_column = _value"}`, whole);
  } else {
    out.add(`DELETE FROM ${table}`, whole);
  }
  const conditions = rest
    .filter((l) => l.method === "where")
    .map((l) => {
      const [column, op, value] = l.args;
      const name = identifierOf(column);
      const operator = stringValue(op);
      return name && operator ? `${name} ${operator === "in" ? "IN" : operator} ${operator === "in" ? `(${literalOf(value)})` : literalOf(value)}` : "_unknown_condition";
    });
  if (conditions.length > 0) out.add(` WHERE ${conditions.join(" AND ")}`, whole);
  return one(out, whole);
}

const lit = (value: string): ESTree.Literal => ({ type: "Literal", value }) as ESTree.Literal;
const one = (out: PieceList, node: ESTree.Node): Operation[] => [{ kind: "sql", pieces: out.pieces, node }];
const notAnalysed = (link: ChainLink, why: string): Operation[] => [{ kind: "not-analysed", reason: `Kysely \`${link.method}\`: ${why}`, node: link.call }];
