/**
 * Kysely: `db.schema.alterTable('t').renameColumn(…).dropColumn(…).addColumn(…, (col) => col.notNull())`,
 * `createIndex(…).on(…).column(…)`, `createTable`, `dropTable`, `dropIndex`, `createView(…)[.materialized()]`,
 * `dropView`, and `db.updateTable(…).set(…).where(…)`
 * / `db.deleteFrom(…)` chains, translated to the SQL Kysely compiles for PostgreSQL.
 */
import type * as ESTree from "estree";
import { parseSql } from "../../../sql/pg-parser.js";
import { unwrapExpression } from "../sql-text.js";
import { bindValueOf, chainOf, linkNode, identifierOf, literalOf, PieceList, stringList, stringValue, type ChainLink } from "./pieces.js";
import { translateCall, unreadable } from "./reading.js";
import type { Operation, TranslateContext, Translator } from "./types.js";

type Expr = ESTree.Node & { range?: [number, number] };

export const kyselyTranslator: Translator = (call, context) => {
  const { root, links } = chainOf(call);
  const rootNode = unwrapExpression(root as Expr);
  // db.schema.… chains
  if (rootNode.type === "MemberExpression" && !rootNode.computed && rootNode.property.type === "Identifier" && rootNode.property.name === "schema") {
    const start = links.findIndex((l) => l.method !== "withSchema");
    const schema = stringValue(links.find((l) => l.method === "withSchema")?.args[0]);
    return start < 0 ? undefined : schemaChain(links.slice(start), context, schema);
  }
  if (rootNode.type === "Identifier" && (context.handles.has(rootNode.name) || rootNode.name === "db" || rootNode.name === "trx")) {
    const first = links[0];
    if (first?.method === "updateTable" || first?.method === "deleteFrom") return writeChain(links);
  }
  return undefined;
};

function schemaChain(links: readonly ChainLink[], context: TranslateContext, schema: string | undefined): readonly Operation[] | undefined {
  const [head, ...rest] = links;
  if (!head) return undefined;
  // withSchema('app') qualifies every table and index the chain names.
  const qualify = (name: string | undefined) => (name && schema !== undefined ? `${identifierOf(lit(schema))}.${name}` : name);
  const name = qualify(identifierOf(head.args[0]));
  const has = (method: string) => rest.some((l) => l.method === method);
  const out = new PieceList();
  const whole = links.at(-1)!.call;
  switch (head.method) {
    case "createTable": {
      if (!name) return notAnalysed(head, "the table name is not a constant");
      // A new table is never unsafe to create, but its columns and keys are what later statements (and a trace, which
      // runs them) build on: `addColumn` and the constraint calls become the column list, when they can be read.
      const create = `CREATE TABLE ${has("ifNotExists") ? "IF NOT EXISTS " : ""}${name}`;
      const elements = tableElements(rest, context);
      const full = elements && `${create} (${elements.join(", ")})`;
      return one(out.add(full && parsesAsOne(full) ? full : `${create} ()`, whole), whole);
    }
    case "dropTable":
      if (!name) return notAnalysed(head, "the table name is not a constant");
      return one(out.add(`DROP TABLE ${has("ifExists") ? "IF EXISTS " : ""}${name}${has("cascade") ? " CASCADE" : ""}`, whole), whole);
    case "createIndex": {
      const on = rest.find((l) => l.method === "on");
      const table = qualify(identifierOf(on?.args[0]));
      const columns = rest.flatMap((l) => (l.method === "column" ? (stringList(l.args) ?? []) : l.method === "columns" ? (stringList(l.args) ?? []) : []));
      // The index takes the table's schema: its own name is never qualified.
      const indexName = identifierOf(head.args[0]);
      if (!indexName || !table) return notAnalysed(head, "the index name or table is not a constant");
      const expression = rest.find((l) => l.method === "expression");
      const parts = columns.map((c) => identifierOf(lit(c))!);
      // Kysely puts the expression into the column list as written (`"name" gist_trgm_ops`, `lower(email)`).
      if (expression) parts.push(sqlOf(expression.args[0], context) ?? "(_expression)");
      const using = stringValue(rest.find((l) => l.method === "using")?.args[0]);
      const unique = has("unique") ? "UNIQUE " : "";
      const concurrently = has("concurrently") ? "CONCURRENTLY " : "";
      const text = `CREATE ${unique}INDEX ${concurrently}${has("ifNotExists") ? "IF NOT EXISTS " : ""}${indexName} ON ${table}${using ? ` USING ${using}` : ""} (${parts.join(", ") || "_column"})`;
      return one(out.add(text, whole), whole);
    }
    case "dropIndex":
      if (!name) return notAnalysed(head, "the index name is not a constant");
      return one(out.add(`DROP INDEX ${has("concurrently") ? "CONCURRENTLY " : ""}${has("ifExists") ? "IF EXISTS " : ""}${name}`, whole), whole);
    case "createView": {
      if (!name) return notAnalysed(head, "the view name is not a constant");
      // The query is a Kysely builder, not SQL: only what the view is, and its name, matter to the rules (a
      // relation created here, which later statements of the migration may rename or index freely).
      const query = sqlOf(rest.find((l) => l.method === "as")?.args[0], context) ?? "SELECT";
      const kind = has("materialized") ? "MATERIALIZED VIEW" : "VIEW";
      const text = `CREATE ${has("orReplace") ? "OR REPLACE " : ""}${has("temporary") ? "TEMPORARY " : ""}${kind} ${has("ifNotExists") ? "IF NOT EXISTS " : ""}${name} AS ${query}`;
      return one(out.add(text, whole), whole);
    }
    case "dropView":
      if (!name) return notAnalysed(head, "the view name is not a constant");
      return one(out.add(`DROP ${has("materialized") ? "MATERIALIZED VIEW" : "VIEW"} ${has("ifExists") ? "IF EXISTS " : ""}${name}${has("cascade") ? " CASCADE" : ""}`, whole), whole);
    case "alterTable":
      if (!name) return notAnalysed(head, "the table name is not a constant");
      return alterTable(name, head, rest.filter((l) => l.method !== "execute"), context);
    default:
      return undefined;
  }
}

/** Methods of Kysely's alterTable builder that compile to MySQL-only syntax, which PostgreSQL rejects. */
const MYSQL_ONLY = new Set(["addIndex", "dropIndex", "modifyColumn"]);

/**
 * One ALTER TABLE with an action per chained call, each action mapped to its own call for precise reports. A name
 * or a column callback that cannot be read makes the whole statement not analysed (a guess would report on `_column`).
 */
function alterTable(table: string, head: ChainLink, actions: readonly ChainLink[], context: TranslateContext): readonly Operation[] {
  return translateCall("Kysely", "alterTable", head.call, () => {
    const out = new PieceList().add(`ALTER TABLE ${table} `, head.call);
    let count = 0;
    const add = (text: string, link: ChainLink): void => {
      if (count++ > 0) out.add(", ", link.call);
      out.add(text, linkNode(link));
    };
    const name = (node: ESTree.Node | undefined, link: ChainLink, what: string) => identifierOf(node) ?? unreadable(`the ${what} of \`${link.method}\` is not a constant`);
    const names = (node: ESTree.Node | undefined, link: ChainLink, what: string) =>
      (stringList([node as ESTree.Node].filter(Boolean)) ?? unreadable(`the ${what} of \`${link.method}\` are not constants`)).map((c) => identifierOf(lit(c))).join(", ");
    for (const link of actions) {
      const [a, b] = link.args;
      if (MYSQL_ONLY.has(link.method ?? "")) {
        unreadable(`\`${link.method}\` compiles to MySQL syntax (ALTER TABLE … ${link.method === "modifyColumn" ? "MODIFY COLUMN" : link.method === "addIndex" ? "ADD INDEX" : "DROP INDEX"}), which PostgreSQL rejects; use db.schema.createIndex/dropIndex or alterColumn`);
      }
      switch (link.method) {
        case "renameColumn":
          add(`RENAME COLUMN ${name(a, link, "column name")} TO ${name(b, link, "new column name")}`, link);
          break;
        case "renameTo":
          add(`RENAME TO ${name(a, link, "table name")}`, link);
          break;
        case "dropColumn":
          add(`DROP COLUMN ${name(a, link, "column name")}`, link);
          break;
        case "addColumn": {
          const modifiers = link.args[2] ? columnModifiers(link.args[2]) : "";
          if (modifiers === undefined) unreadable(`the column callback of \`addColumn\` is not a chain of column methods`);
          add(`ADD COLUMN ${name(a, link, "column name")} ${typeOf(b, context)}${modifiers}`, link);
          break;
        }
        case "alterColumn": {
          const changes = alterColumnChanges(name(a, link, "column name"), link.args[1], context);
          if (changes.length === 0) unreadable("the callback of `alterColumn` is not a chain of setDataType/setDefault/dropDefault/setNotNull/dropNotNull");
          for (const change of changes) add(change, link);
          break;
        }
        case "addUniqueConstraint":
          add(`ADD CONSTRAINT ${name(a, link, "constraint name")} UNIQUE (${names(b, link, "columns")})`, link);
          break;
        case "addPrimaryKeyConstraint":
          add(`ADD CONSTRAINT ${name(a, link, "constraint name")} PRIMARY KEY (${names(b, link, "columns")})`, link);
          break;
        case "addForeignKeyConstraint": {
          const [constraint, columns, refTable, refColumns] = link.args;
          add(
            `ADD CONSTRAINT ${name(constraint, link, "constraint name")} FOREIGN KEY (${names(columns, link, "columns")}) REFERENCES ${name(refTable, link, "referenced table")} (${names(refColumns, link, "referenced columns")})`,
            link,
          );
          break;
        }
        case "addCheckConstraint":
          add(`ADD CONSTRAINT ${name(a, link, "constraint name")} CHECK (${sqlOf(b, context) ?? unreadable("the check of `addCheckConstraint` is not a readable sql template")})`, link);
          break;
        case "dropConstraint":
          add(`DROP CONSTRAINT ${name(a, link, "constraint name")}`, link);
          break;
        default:
          break;
      }
    }
    return count === 0 ? [] : one(out, head.call);
  });
}

/**
 * The column and constraint list of a createTable chain (`addColumn`, `addPrimaryKeyConstraint`,
 * `addUniqueConstraint`, `addForeignKeyConstraint`, `addCheckConstraint`); undefined when one cannot be read.
 */
function tableElements(links: readonly ChainLink[], context: TranslateContext): string[] | undefined {
  const elements: string[] = [];
  const names = (node: ESTree.Node | undefined): string | undefined => stringList([node as ESTree.Node].filter(Boolean))?.map((c) => identifierOf(lit(c))).join(", ");
  for (const link of links) {
    const [a, b, c, d] = link.args;
    const element = ((): string | undefined | null => {
      switch (link.method) {
        case "addColumn": {
          const column = identifierOf(a);
          const modifiers = c ? columnModifiers(c) : "";
          return column && modifiers !== undefined ? `${column} ${typeOf(b, context)}${modifiers}` : undefined;
        }
        case "addPrimaryKeyConstraint":
        case "addUniqueConstraint": {
          const constraint = identifierOf(a);
          const columns = names(b);
          return constraint && columns ? `CONSTRAINT ${constraint} ${link.method === "addUniqueConstraint" ? "UNIQUE" : "PRIMARY KEY"} (${columns})` : undefined;
        }
        case "addForeignKeyConstraint": {
          const [constraint, columns, table, refColumns] = [identifierOf(a), names(b), identifierOf(c), names(d)];
          return constraint && columns && table && refColumns ? `CONSTRAINT ${constraint} FOREIGN KEY (${columns}) REFERENCES ${table} (${refColumns})` : undefined;
        }
        case "addCheckConstraint": {
          const constraint = identifierOf(a);
          const check = sqlOf(b, context);
          return constraint && check ? `CONSTRAINT ${constraint} CHECK (${check})` : undefined;
        }
        default:
          return null; // not part of the table's definition (ifNotExists, execute, modifyEnd…)
      }
    })();
    if (element === undefined) return undefined;
    if (element !== null) elements.push(element);
  }
  return elements;
}

/** Whether assembled SQL is one statement PostgreSQL's parser accepts (a type or default read wrongly is not). */
function parsesAsOne(sql: string): boolean {
  try {
    return parseSql(sql).stmts?.length === 1;
  } catch {
    return false;
  }
}

/** `(col) => col.notNull().defaultTo(…).references('t.id').unique().primaryKey()` as SQL column constraints. */
function columnModifiers(callback: ESTree.Node | undefined): string | undefined {
  const body = callbackBody(callback);
  if (!body) return undefined;
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
            .filter((p): p is ESTree.Property => p.type === "Property" && !p.computed && (p.key.type === "Identifier" || p.key.type === "Literal"))
            .map((p) => `${identifierOf(lit(p.key.type === "Identifier" ? p.key.name : String((p.key as ESTree.Literal).value)))} = ${bindValueOf(p.value as ESTree.Node)}`)
        : [];
    out.add(`UPDATE ${table} SET ${assignments.join(", ") || "_column = $1"}`, whole);
  } else {
    out.add(`DELETE FROM ${table}`, whole);
  }
  const conditions = rest
    .filter((l) => l.method === "where")
    .map((l) => {
      const [column, op, value] = l.args;
      const name = identifierOf(column);
      const operator = stringValue(op);
      if (!name || !operator) return "_unknown_condition";
      // Kysely binds the value: `in` takes a list (`[1, 2]` or a variable), `is` takes null.
      if (operator === "in" || operator === "not in") {
        const list = value ? unwrapExpression(value as Expr) : undefined;
        const items = list?.type === "ArrayExpression" ? list.elements.map((e) => bindValueOf(e as ESTree.Node)).join(", ") : "";
        return items ? `${name} ${operator.toUpperCase()} (${items})` : `${name} ${operator === "in" ? "=" : "<>"} ANY($1)`;
      }
      return `${name} ${operator} ${operator === "is" || operator === "is not" ? literalOf(value) : bindValueOf(value)}`;
    });
  if (conditions.length > 0) out.add(` WHERE ${conditions.join(" AND ")}`, whole);
  return one(out, whole);
}

const lit = (value: string): ESTree.Literal => ({ type: "Literal", value }) as ESTree.Literal;
const one = (out: PieceList, node: ESTree.Node): Operation[] => [{ kind: "sql", pieces: out.pieces, node }];
const notAnalysed = (link: ChainLink, why: string): Operation[] => [{ kind: "not-analysed", reason: `Kysely \`${link.method}\`: ${why}`, node: link.call }];
