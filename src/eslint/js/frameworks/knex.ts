/**
 * knex: schema-builder calls (`knex.schema.alterTable('users', (t) => { t.renameColumn(…) })`, `dropTable`,
 * `renameTable`, column chains with `.alter()`) and query-builder writes (`knex('users').where(…).update(…)`)
 * translated to the SQL knex sends to PostgreSQL.
 */
import type * as ESTree from "estree";
import { unwrapExpression } from "../sql-text.js";
import { chainOf, identifierOf, literalOf, PieceList, stringList, stringValue, type ChainLink } from "./pieces.js";
import type { Operation, Translator } from "./types.js";

type Node = ESTree.Node & { parent?: Node };

/** knex column-type methods and the PostgreSQL type they create. */
const COLUMN_TYPES: Record<string, string> = {
  increments: "serial", bigIncrements: "bigserial", integer: "integer", bigInteger: "bigint", bigint: "bigint", smallint: "smallint",
  tinyint: "smallint", text: "text", string: "varchar(255)", float: "real", double: "double precision", decimal: "numeric",
  boolean: "boolean", date: "date", datetime: "timestamptz", timestamp: "timestamptz", time: "time", binary: "bytea",
  json: "json", jsonb: "jsonb", uuid: "uuid", enu: "text", enum: "text", specificType: "", geometry: "geometry",
};

export const knexTranslator: Translator = (call, context) => {
  const { root, links } = chainOf(call);
  const first = links[0];
  if (!first) return undefined;

  // knex.schema.<method>(…) and knex.schema.withSchema(…).<method>(…)
  const schemaLinks = links.filter((l) => l.method !== "withSchema");
  const schemaCall = schemaLinks[0];
  if (rootEndsWith(root, "schema") && schemaCall?.method) return schemaOperation(schemaCall, context.handles);

  // t.<column type>(…)….alter() / t.renameColumn(…) inside an alterTable callback
  const table = tableOfCallback(root as Node);
  if (table) return tableBuilderOperation(table, links);

  // knex('users')….update(…) / .del()
  if (first.method === undefined && root.type === "Identifier" && (context.handles.has(root.name) || root.name === "knex")) {
    return queryOperation(first, links.slice(1));
  }
  if (first.method === "table" || first.method === "from" || first.method === "into") {
    if (root.type === "Identifier" && (context.handles.has(root.name) || root.name === "knex")) return queryOperation(first, links.slice(1));
  }
  return undefined;
};

function rootEndsWith(root: ESTree.Node, name: string): boolean {
  const node = unwrapExpression(root as ESTree.Node & { range?: [number, number] });
  return node.type === "MemberExpression" && !node.computed && node.property.type === "Identifier" && node.property.name === name;
}

function schemaOperation(link: ChainLink, _handles: ReadonlySet<string>): readonly Operation[] | undefined {
  const [a, b] = link.args;
  const out = new PieceList();
  switch (link.method) {
    case "createTable":
    case "createTableIfNotExists": {
      const name = identifierOf(a);
      if (!name) return notAnalysed(link, "the table name is not a constant");
      // Columns of a new table do not matter to the rules: the table itself is what makes later statements safe.
      out.add(`CREATE TABLE ${link.method === "createTableIfNotExists" ? "IF NOT EXISTS " : ""}${name} ()`, link.call);
      return sql(out, link);
    }
    case "dropTable":
    case "dropTableIfExists": {
      const name = identifierOf(a);
      if (!name) return notAnalysed(link, "the table name is not a constant");
      out.add(`DROP TABLE ${link.method === "dropTableIfExists" ? "IF EXISTS " : ""}${name}`, link.call);
      return sql(out, link);
    }
    case "renameTable": {
      const from = identifierOf(a);
      const to = identifierOf(b);
      if (!from || !to) return notAnalysed(link, "the table names are not constants");
      out.add(`ALTER TABLE ${from} RENAME TO ${to}`, link.call);
      return sql(out, link);
    }
    case "alterTable":
    case "table":
      // The callback's calls are translated one by one where they stand (see tableOfCallback).
      return [];
    default:
      return undefined;
  }
}

/** The table of an `alterTable('users', (t) => …)` / `table('users', …)` callback whose parameter `t` is `root`. */
function tableOfCallback(root: Node): string | undefined {
  if (root.type !== "Identifier") return undefined;
  for (let node = root.parent; node; node = node.parent) {
    if (node.type !== "FunctionExpression" && node.type !== "ArrowFunctionExpression") continue;
    const param = node.params[0];
    if (param?.type !== "Identifier" || param.name !== root.name) continue;
    const call = node.parent;
    if (call?.type !== "CallExpression" || call.arguments[1] !== node) return undefined;
    const callee = unwrapExpression(call.callee as ESTree.Node & { range?: [number, number] });
    if (callee.type !== "MemberExpression" || callee.property.type !== "Identifier") return undefined;
    if (callee.property.name !== "alterTable" && callee.property.name !== "table") return undefined;
    return identifierOf(call.arguments[0] as ESTree.Node);
  }
  return undefined;
}

function tableBuilderOperation(table: string, links: readonly ChainLink[]): readonly Operation[] | undefined {
  const first = links[0]!;
  const [a, b] = first.args;
  const out = new PieceList();
  const alter = `ALTER TABLE ${table} `;
  switch (first.method) {
    case "renameColumn": {
      const from = identifierOf(a);
      const to = identifierOf(b);
      if (!from || !to) return notAnalysed(first, "the column names are not constants");
      return sql(out.add(`${alter}RENAME COLUMN ${from} TO ${to}`, first.call), first);
    }
    case "dropColumn":
    case "dropColumns": {
      const columns = stringList(first.args);
      if (!columns) return notAnalysed(first, "the column names are not constants");
      out.add(alter, first.call);
      columns.forEach((c, i) => out.add(`${i ? ", " : ""}DROP COLUMN ${identifierOf({ type: "Literal", value: c } as ESTree.Literal)}`, first.call));
      return sql(out, first);
    }
    case "dropTimestamps":
      return sql(out.add(`${alter}DROP COLUMN created_at, DROP COLUMN updated_at`, first.call), first);
    case "index":
    case "unique": {
      const columns = stringList([a as ESTree.Node].filter(Boolean));
      if (!columns) return notAnalysed(first, "the index columns are not constants");
      const name = stringValue(b) ?? indexOptionName(b);
      const cols = columns.map((c) => identifierOf({ type: "Literal", value: c } as ESTree.Literal)).join(", ");
      // knex adds a unique *constraint* on PostgreSQL, a plain index for index().
      const text =
        first.method === "unique"
          ? `${alter}ADD CONSTRAINT ${identifierOf({ type: "Literal", value: name ?? `${stripQuotes(table)}_${columns.join("_")}_unique` } as ESTree.Literal)} UNIQUE (${cols})`
          : `CREATE INDEX ${name ? `${identifierOf({ type: "Literal", value: name } as ESTree.Literal)} ` : ""}ON ${table} (${cols})`;
      return sql(out.add(text, first.call), first);
    }
    case "dropIndex":
    case "dropUnique": {
      const name = stringValue(b) ?? (stringList([a as ESTree.Node]) ? `${stripQuotes(table)}_${stringList([a as ESTree.Node])!.join("_")}_${first.method === "dropUnique" ? "unique" : "index"}` : undefined);
      if (!name) return notAnalysed(first, "the index name is not a constant");
      const quoted = identifierOf({ type: "Literal", value: name } as ESTree.Literal);
      return sql(out.add(first.method === "dropUnique" ? `${alter}DROP CONSTRAINT ${quoted}` : `DROP INDEX ${quoted}`, first.call), first);
    }
    case "setNullable":
    case "dropNullable": {
      const column = identifierOf(a);
      if (!column) return notAnalysed(first, "the column name is not a constant");
      return sql(out.add(`${alter}ALTER COLUMN ${column} ${first.method === "setNullable" ? "DROP" : "SET"} NOT NULL`, first.call), first);
    }
    case "foreign": {
      const columns = stringList([a as ESTree.Node]);
      const references = links.find((l) => l.method === "references");
      const inTable = links.find((l) => l.method === "inTable");
      const target = stringValue(references?.args[0]);
      const [refTable, refColumn] = target?.includes(".") && !inTable ? target.split(".") : [stringValue(inTable?.args[0]), target];
      if (!columns || !refTable || !refColumn) return notAnalysed(first, "the foreign key is not made of constants");
      const cols = columns.map((c) => identifierOf({ type: "Literal", value: c } as ESTree.Literal)).join(", ");
      return sql(out.add(`${alter}ADD FOREIGN KEY (${cols}) REFERENCES ${identifierOf({ type: "Literal", value: refTable } as ESTree.Literal)} (${identifierOf({ type: "Literal", value: refColumn } as ESTree.Literal)})`, links.at(-1)!.call), first);
    }
    default:
      if (first.method && first.method in COLUMN_TYPES) return columnOperation(table, first, links);
      return undefined;
  }
}

/** `t.string('name').notNullable().defaultTo('x')` → ADD COLUMN; with `.alter()` → ALTER COLUMN … TYPE / NOT NULL. */
function columnOperation(table: string, first: ChainLink, links: readonly ChainLink[]): readonly Operation[] {
  const column = identifierOf(first.args[0]);
  if (!column) return notAnalysed(first, "the column name is not a constant");
  const type = first.method === "specificType" ? (stringValue(first.args[1]) ?? "text") : typeWithArgs(first);
  const has = (method: string) => links.some((l) => l.method === method);
  const link = (method: string) => links.find((l) => l.method === method);
  const whole = links.at(-1)!.call;
  const out = new PieceList();
  if (has("alter")) {
    // knex's alter() re-states the column: type, nullability and default all change in one ALTER TABLE.
    const actions = [`ALTER COLUMN ${column} TYPE ${type}`];
    if (has("notNullable")) actions.push(`ALTER COLUMN ${column} SET NOT NULL`);
    else if (!has("alterType")) actions.push(`ALTER COLUMN ${column} DROP NOT NULL`);
    const dflt = link("defaultTo");
    actions.push(dflt ? `ALTER COLUMN ${column} SET DEFAULT ${literalOf(dflt.args[0])}` : `ALTER COLUMN ${column} DROP DEFAULT`);
    return sql(out.add(`ALTER TABLE ${table} ${actions.join(", ")}`, whole), first);
  }
  const parts = [`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`];
  if (has("notNullable")) parts.push("NOT NULL");
  const dflt = link("defaultTo");
  if (dflt) parts.push(`DEFAULT ${defaultOf(dflt.args[0])}`);
  if (has("primary")) parts.push("PRIMARY KEY");
  if (has("unique")) parts.push("UNIQUE");
  const references = link("references");
  if (references) {
    const target = stringValue(references.args[0]) ?? "";
    const inTable = stringValue(link("inTable")?.args[0]);
    const [refTable, refColumn] = target.includes(".") && !inTable ? target.split(".") : [inTable, target];
    if (refTable && refColumn) parts.push(`REFERENCES ${identifierOf({ type: "Literal", value: refTable } as ESTree.Literal)} (${identifierOf({ type: "Literal", value: refColumn } as ESTree.Literal)})`);
  }
  const operations: Operation[] = [...sql(out.add(parts.join(" "), whole), first)];
  if (has("index")) {
    const name = stringValue(link("index")?.args[0]);
    operations.push(...sql(new PieceList().add(`CREATE INDEX ${name ? `${identifierOf({ type: "Literal", value: name } as ESTree.Literal)} ` : ""}ON ${table} (${column})`, link("index")!.call), first));
  }
  return operations;
}

/** knex's `defaultTo(knex.fn.now())` / `knex.raw('gen_random_uuid()')`: the SQL it stands for. */
function defaultOf(node: ESTree.Node | undefined): string {
  const n = node ? unwrapExpression(node as ESTree.Node & { range?: [number, number] }) : undefined;
  if (n?.type === "CallExpression") {
    const callee = n.callee;
    if (callee.type === "MemberExpression" && callee.property.type === "Identifier") {
      if (callee.property.name === "now") return "now()";
      if (callee.property.name === "raw") return stringValue(n.arguments[0] as ESTree.Node) ?? "_value()";
      if (callee.property.name === "uuid") return "gen_random_uuid()";
    }
    return "_value()"; // an unknown call: a function the volatility check cannot prove stable
  }
  return literalOf(node);
}

function typeWithArgs(link: ChainLink): string {
  const base = COLUMN_TYPES[link.method ?? ""] ?? "text";
  if (link.method === "string") {
    const length = link.args[1];
    return length && length.type === "Literal" && typeof length.value === "number" ? `varchar(${length.value})` : base;
  }
  if (link.method === "decimal") {
    const [, p, s] = link.args;
    return p?.type === "Literal" && s?.type === "Literal" ? `numeric(${p.value}, ${s.value})` : base;
  }
  return base;
}

/** knex('users').where(…).update({…}) and .del()/.delete(): an UPDATE/DELETE with the WHERE knex builds. */
function queryOperation(root: ChainLink, links: readonly ChainLink[]): readonly Operation[] | undefined {
  const table = identifierOf(root.args[0]);
  const last = links.at(-1);
  if (!last || !table) return undefined;
  const isUpdate = last.method === "update";
  const isDelete = last.method === "del" || last.method === "delete";
  if (!isUpdate && !isDelete) return undefined;
  const out = new PieceList();
  if (isUpdate) {
    const values = last.args[0] ? unwrapExpression(last.args[0] as ESTree.Node & { range?: [number, number] }) : undefined;
    const sets: string[] = [];
    if (values?.type === "ObjectExpression") {
      for (const p of values.properties) {
        if (p.type === "Property" && (p.key.type === "Identifier" || p.key.type === "Literal")) {
          const key = p.key.type === "Identifier" ? p.key.name : String(p.key.value);
          sets.push(`${identifierOf({ type: "Literal", value: key } as ESTree.Literal)} = ${literalOf(p.value as ESTree.Node)}`);
        }
      }
    } else if (values && stringValue(values) !== undefined) {
      sets.push(`${identifierOf(values)} = ${literalOf(last.args[1] as ESTree.Node)}`);
    }
    if (sets.length === 0) sets.push("_column = _value");
    out.add(`UPDATE ${table} SET ${sets.join(", ")}`, last.call);
  } else {
    out.add(`DELETE FROM ${table}`, last.call);
  }
  const conditions = links.slice(0, -1).map(whereOf).filter((c): c is string => c !== undefined);
  if (conditions.length > 0) out.add(` WHERE ${conditions.join(" AND ")}`, last.call);
  return sql(out, last);
}

/** One knex where-clause as SQL, or a predicate the boundedness check treats as unbounded when it is not understood. */
function whereOf(link: ChainLink): string | undefined {
  const [a, b, c] = link.args;
  const column = identifierOf(a);
  switch (link.method) {
    case "where":
    case "andWhere": {
      const object = a ? unwrapExpression(a as ESTree.Node & { range?: [number, number] }) : undefined;
      if (object?.type === "ObjectExpression") {
        return object.properties
          .filter((p): p is ESTree.Property => p.type === "Property" && p.key.type === "Identifier")
          .map((p) => `${identifierOf({ type: "Literal", value: (p.key as ESTree.Identifier).name } as ESTree.Literal)} = ${literalOf(p.value as ESTree.Node)}`)
          .join(" AND ");
      }
      if (!column) return "_unknown_condition";
      if (c !== undefined) return `${column} ${stringValue(b) ?? "="} ${literalOf(c)}`;
      return `${column} = ${literalOf(b)}`;
    }
    case "whereIn": {
      const values = b ? unwrapExpression(b as ESTree.Node & { range?: [number, number] }) : undefined;
      if (column && values?.type === "ArrayExpression") return `${column} IN (${values.elements.map((e) => literalOf(e as ESTree.Node)).join(", ") || "NULL"})`;
      return column ? `${column} = ANY(_values)` : "_unknown_condition";
    }
    case "whereBetween": {
      const range = b ? unwrapExpression(b as ESTree.Node & { range?: [number, number] }) : undefined;
      if (column && range?.type === "ArrayExpression" && range.elements.length === 2) {
        return `${column} BETWEEN ${literalOf(range.elements[0] as ESTree.Node)} AND ${literalOf(range.elements[1] as ESTree.Node)}`;
      }
      return "_unknown_condition";
    }
    case "whereNull":
      return column ? `${column} IS NULL` : "_unknown_condition";
    case "whereNotNull":
      return column ? `${column} IS NOT NULL` : "_unknown_condition";
    case "whereRaw":
      return stringValue(a) ?? "_unknown_condition";
    default:
      return link.method?.startsWith("where") || link.method?.startsWith("orWhere") ? "_unknown_condition" : undefined;
  }
}

function indexOptionName(node: ESTree.Node | undefined): string | undefined {
  const n = node ? unwrapExpression(node as ESTree.Node & { range?: [number, number] }) : undefined;
  if (n?.type !== "ObjectExpression") return undefined;
  for (const p of n.properties) {
    if (p.type === "Property" && p.key.type === "Identifier" && p.key.name === "indexName") return stringValue(p.value as ESTree.Node);
  }
  return undefined;
}

const stripQuotes = (name: string): string => name.replace(/^"|"$/g, "").replaceAll('""', '"');

function sql(out: PieceList, link: ChainLink): Operation[] {
  return [{ kind: "sql", pieces: out.pieces, node: link.call }];
}

function notAnalysed(link: ChainLink, why: string): Operation[] {
  return [{ kind: "not-analysed", reason: `knex \`${link.method}\`: ${why}`, node: link.call }];
}
