/**
 * knex: schema-builder calls (`knex.schema.alterTable('users', (t) => { t.renameColumn(…) })`, `dropTable`,
 * `renameTable`, column chains with `.alter()`) and query-builder writes (`knex('users').where(…).update(…)`)
 * translated to the SQL knex sends to PostgreSQL.
 */
import type * as ESTree from "estree";
import { quoteIdent } from "../../../sql/names.js";
import { unwrapExpression } from "../sql-text.js";
import { bindValueOf, chainOf, identifierOf, linkNode, literalOf, PieceList, quoteName, stringList, stringValue, type ChainLink } from "./pieces.js";
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
  if (rootEndsWith(root, "schema") && schemaCall?.method) return schemaOperation(schemaCall, schemaOf(links));

  // t.<column type>(…)….alter() / t.renameColumn(…) inside an alterTable callback
  const table = tableOfCallback(root as Node);
  if (table) return tableBuilderOperation(table, links);

  // knex('users')….update(…) / .del()
  if (first.method === undefined && root.type === "Identifier" && (context.handles.has(root.name) || root.name === "knex" || root.name === "trx")) {
    return queryOperation(first, links.slice(1));
  }
  if (first.method === "table" || first.method === "from" || first.method === "into") {
    if (root.type === "Identifier" && (context.handles.has(root.name) || root.name === "knex" || root.name === "trx")) return queryOperation(first, links.slice(1));
  }
  return undefined;
};

function rootEndsWith(root: ESTree.Node, name: string): boolean {
  const node = unwrapExpression(root as ESTree.Node & { range?: [number, number] });
  return node.type === "MemberExpression" && !node.computed && node.property.type === "Identifier" && node.property.name === name;
}

/** The schema a chain names with `withSchema('app')`, quoted; undefined when it names none. */
function schemaOf(links: readonly ChainLink[]): string | undefined {
  const schema = stringValue(links.find((l) => l.method === "withSchema")?.args[0]);
  return schema === undefined ? undefined : quoteIdent(schema);
}

function schemaOperation(link: ChainLink, schema: string | undefined): readonly Operation[] | undefined {
  const [a, b] = link.args;
  // withSchema('app') qualifies the table the operation names (not the new name of a rename).
  const table = identifierOf(a) && schema ? `${schema}.${identifierOf(a)}` : identifierOf(a);
  const out = new PieceList();
  switch (link.method) {
    case "createTable":
    case "createTableIfNotExists": {
      const name = table;
      if (!name) return notAnalysed(link, "the table name is not a constant");
      // The table first, then what its callback adds, as ALTER TABLE statements on the new table: exempt from the
      // rules like the table itself, but what later statements (and a trace, which runs them) build on.
      out.add(`CREATE TABLE ${link.method === "createTableIfNotExists" ? "IF NOT EXISTS " : ""}${name} ()`, link.call);
      return [...sql(out, link), ...callbackOperations(name, b)];
    }
    case "dropTable":
    case "dropTableIfExists": {
      const name = table;
      if (!name) return notAnalysed(link, "the table name is not a constant");
      out.add(`DROP TABLE ${link.method === "dropTableIfExists" ? "IF EXISTS " : ""}${name}`, link.call);
      return sql(out, link);
    }
    case "renameTable": {
      const from = table;
      const to = identifierOf(b);
      if (!from || !to) return notAnalysed(link, "the table names are not constants");
      out.add(`ALTER TABLE ${from} RENAME TO ${to}`, link.call);
      return sql(out, link);
    }
    case "alterTable":
    case "table":
      // The callback's calls are translated one by one where they stand (see tableOfCallback): returning nothing
      // here lets the extractor walk into the callback instead of consuming it whole.
      return undefined;
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
    const table = identifierOf(call.arguments[0] as ESTree.Node);
    const schema = schemaOf(chainOf(callee.object as ESTree.CallExpression).links);
    return table && schema ? `${schema}.${table}` : table;
  }
  return undefined;
}

/** The column and index calls of a createTable callback (`(t) => { t.increments(); t.string('email'); … }`), in order. */
function callbackOperations(table: string, callback: ESTree.Node | undefined): Operation[] {
  const fn = callback ? unwrapExpression(callback as ESTree.Node & { range?: [number, number] }) : undefined;
  if (fn?.type !== "ArrowFunctionExpression" && fn?.type !== "FunctionExpression") return [];
  const param = fn.params[0];
  if (param?.type !== "Identifier") return [];
  const expressions = fn.body.type === "BlockStatement" ? fn.body.body.flatMap((s) => (s.type === "ExpressionStatement" ? [s.expression] : [])) : [fn.body];
  const operations: Operation[] = [];
  for (const expression of expressions) {
    const node = unwrapExpression(expression as ESTree.Node & { range?: [number, number] });
    if (node.type !== "CallExpression") continue;
    const { root, links } = chainOf(node);
    if (root.type !== "Identifier" || root.name !== param.name || links.length === 0) continue;
    // What cannot be read is left out rather than reported: nothing on a new table is unsafe, so it is no reason to
    // say the migration was not checked.
    operations.push(...(tableBuilderOperation(table, links) ?? []).filter((operation) => operation.kind !== "not-analysed"));
  }
  return operations;
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
      columns.forEach((c, i) => out.add(`${i ? ", " : ""}DROP COLUMN ${quoteName(c)}`, first.call));
      return sql(out, first);
    }
    case "dropTimestamps":
      return sql(out.add(`${alter}DROP COLUMN created_at, DROP COLUMN updated_at`, first.call), first);
    case "index":
    case "unique": {
      const columns = stringList([a as ESTree.Node].filter(Boolean));
      if (!columns) return notAnalysed(first, "the index columns are not constants");
      // index(columns, indexName?, options?) / unique(columns, indexName? | { indexName, useConstraint, predicate })
      const options = first.method === "unique" && b && stringValue(b) === undefined ? b : first.args[2];
      const name = stringValue(b) ?? indexOptionName(b) ?? knexIndexName(table, columns, first.method);
      const cols = columns.map((c) => quoteName(c)).join(", ");
      const predicate = optionBoolean(options, "predicate");
      const indexType = optionString(options, "indexType");
      // knex adds a unique *constraint* on PostgreSQL (unless useConstraint: false or a predicate), a plain index for index().
      const asConstraint = first.method === "unique" && optionBoolean(options, "useConstraint") !== false && !predicate;
      const text = asConstraint
        ? `${alter}ADD CONSTRAINT ${quoteIdent(name)} UNIQUE (${cols})`
        : `CREATE ${first.method === "unique" ? "UNIQUE " : ""}INDEX ${quoteIdent(name)} ON ${table}${indexType ? ` USING ${indexType}` : ""} (${cols})`;
      return sql(out.add(text, first.call), first);
    }
    case "timestamps": {
      // timestamps(useTimestamps?, defaultToNow?, useCamelCase?): two columns, NOT NULL DEFAULT now() with defaultToNow.
      const [, defaultToNow, camel] = first.args.map((arg) => (arg?.type === "Literal" ? arg.value : undefined));
      const type = "timestamptz"; // knex uses timestamptz on PostgreSQL whether useTimestamps is true or not
      const suffix = defaultToNow === true ? " NOT NULL DEFAULT now()" : "";
      const [created, updated] = camel === true ? ["createdAt", "updatedAt"] : ["created_at", "updated_at"];
      return sql(out.add(`${alter}ADD COLUMN ${quoteIdent(created!)} ${type}${suffix}, ADD COLUMN ${quoteIdent(updated!)} ${type}${suffix}`, first.call), first);
    }
    case "dropIndex":
    case "dropUnique": {
      const dropped = stringList([a as ESTree.Node].filter(Boolean));
      const name = stringValue(b) ?? (dropped ? knexIndexName(table, dropped, first.method === "dropUnique" ? "unique" : "index") : undefined);
      if (!name) return notAnalysed(first, "the index name is not a constant");
      const quoted = quoteIdent(name);
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
      const cols = columns.map((c) => quoteName(c)).join(", ");
      return sql(out.add(`${alter}ADD FOREIGN KEY (${cols}) REFERENCES ${quoteName(refTable)} (${quoteName(refColumn)})`, links.at(-1)!.call), first);
    }
    default:
      if (first.method && first.method in COLUMN_TYPES) return columnOperation(table, first, links);
      return undefined;
  }
}

/**
 * `t.string('name').notNullable().defaultTo('x')` → ADD COLUMN, followed — as knex sends them — by separate
 * statements for `.unique()` (a constraint), `.index()`, `.primary()` and `.references()` (a foreign key);
 * with `.alter()` → ALTER COLUMN: knex re-states the column (type, default, nullability) unless told otherwise.
 */
function columnOperation(table: string, first: ChainLink, links: readonly ChainLink[]): readonly Operation[] {
  // increments() and bigIncrements() without a name make `id`.
  const unnamedId = first.args.length === 0 && (first.method === "increments" || first.method === "bigIncrements");
  const columnName = unnamedId ? "id" : stringValue(first.args[0]);
  if (columnName === undefined) return notAnalysed(first, "the column name is not a constant");
  const column = quoteName(columnName);
  const type = first.method === "specificType" ? (stringValue(first.args[1]) ?? "text") : typeWithArgs(first);
  const has = (method: string) => links.some((l) => l.method === method);
  const link = (method: string) => links.find((l) => l.method === method);
  const whole = links.at(-1)!.call;
  const alterLink = link("alter");
  if (alterLink) {
    // alter({ alterNullable, alterType }) — both default to true.
    const alterType = optionBoolean(alterLink.args[0], "alterType") !== false;
    const alterNullable = optionBoolean(alterLink.args[0], "alterNullable") !== false;
    const actions: string[] = [];
    if (alterType) actions.push(`ALTER COLUMN ${column} DROP DEFAULT`, `ALTER COLUMN ${column} TYPE ${type} USING (${column}::${type})`);
    const dflt = link("defaultTo");
    if (dflt) actions.push(`ALTER COLUMN ${column} SET DEFAULT ${defaultOf(dflt.args[0])}`);
    if (alterNullable) actions.push(`ALTER COLUMN ${column} ${has("notNullable") ? "SET" : "DROP"} NOT NULL`);
    if (actions.length === 0) return [];
    return sql(new PieceList().add(`ALTER TABLE ${table} ${actions.join(", ")}`, whole), first);
  }
  const serial = first.method === "increments" || first.method === "bigIncrements";
  const parts = [`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`];
  if (serial && optionBoolean(first.args[1], "primaryKey") !== false) parts.push("PRIMARY KEY");
  if (has("notNullable")) parts.push("NOT NULL");
  const dflt = link("defaultTo");
  if (dflt) parts.push(`DEFAULT ${defaultOf(dflt.args[0])}`);
  const operations: Operation[] = [...sql(new PieceList().add(parts.join(" "), whole), first)];
  const then = (text: string, at: ChainLink) => operations.push(...sql(new PieceList().add(text, linkNode(at)), at));
  const primary = link("primary");
  if (primary) then(`ALTER TABLE ${table} ADD CONSTRAINT ${quoteIdent(stringValue(primary.args[0]) ?? `${plainTable(table)}_pkey`)} PRIMARY KEY (${column})`, primary);
  const unique = link("unique");
  if (unique) {
    const name = stringValue(unique.args[0]) ?? indexOptionName(unique.args[0]) ?? knexIndexName(table, [columnName], "unique");
    then(`ALTER TABLE ${table} ADD CONSTRAINT ${quoteIdent(name)} UNIQUE (${column})`, unique);
  }
  const index = link("index");
  if (index) then(`CREATE INDEX ${quoteIdent(stringValue(index.args[0]) ?? knexIndexName(table, [columnName], "index"))} ON ${table} (${column})`, index);
  const references = link("references");
  if (references) {
    const target = stringValue(references.args[0]) ?? indexOptionName(references.args[0]);
    const inTable = stringValue(link("inTable")?.args[0]);
    const dot = target?.lastIndexOf(".") ?? -1;
    const [refTable, refColumn] = target && dot > 0 && !inTable ? [target.slice(0, dot), target.slice(dot + 1)] : [inTable, target];
    if (!refTable || !refColumn) {
      operations.push({ kind: "not-analysed", reason: "knex `references`: the referenced table or column is not a constant", node: linkNode(references) });
    } else {
      const onDelete = stringValue(link("onDelete")?.args[0]);
      const onUpdate = stringValue(link("onUpdate")?.args[0]);
      const name = knexIndexName(table, [columnName], "foreign");
      then(
        `ALTER TABLE ${table} ADD CONSTRAINT ${quoteIdent(name)} FOREIGN KEY (${column}) REFERENCES ${quoteName(refTable)} (${quoteName(refColumn)})` +
          `${onDelete ? ` ON DELETE ${onDelete}` : ""}${onUpdate ? ` ON UPDATE ${onUpdate}` : ""}`,
        references,
      );
    }
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

/**
 * knex('users').where(…).update({…}), .del()/.delete(), .increment()/.decrement() — where-clauses may come before or
 * after the write (`knex('users').update({…}).where(…)` is common): an UPDATE/DELETE with the WHERE knex builds.
 */
function queryOperation(root: ChainLink, links: readonly ChainLink[]): readonly Operation[] | undefined {
  const table = identifierOf(root.args[0]);
  const write = links.find((l) => ["update", "del", "delete", "increment", "decrement"].includes(l.method ?? ""));
  if (!write || !table) return undefined;
  const whole = links.at(-1)!.call;
  const out = new PieceList();
  if (write.method === "update") {
    const values = write.args[0] ? unwrapExpression(write.args[0] as ESTree.Node & { range?: [number, number] }) : undefined;
    const sets: string[] = [];
    if (values?.type === "ObjectExpression") {
      for (const p of values.properties) {
        if (p.type === "Property" && (p.key.type === "Identifier" || p.key.type === "Literal")) {
          const key = p.key.type === "Identifier" ? p.key.name : String(p.key.value);
          sets.push(`${quoteName(key)} = ${bindValueOf(p.value as ESTree.Node)}`);
        }
      }
    } else if (values && stringValue(values) !== undefined) {
      sets.push(`${identifierOf(values)} = ${bindValueOf(write.args[1] as ESTree.Node)}`);
    }
    if (sets.length === 0) sets.push("_column = $1");
    out.add(`UPDATE ${table} SET ${sets.join(", ")}`, whole);
  } else if (write.method === "increment" || write.method === "decrement") {
    const column = identifierOf(write.args[0]) ?? "_column";
    out.add(`UPDATE ${table} SET ${column} = ${column} ${write.method === "increment" ? "+" : "-"} ${bindValueOf(write.args[1] as ESTree.Node | undefined)}`, whole);
  } else {
    out.add(`DELETE FROM ${table}`, whole);
  }
  const conditions = links.filter((l) => l !== write).map(whereOf).filter((c): c is string => c !== undefined);
  // Clauses are joined with AND unless the clause itself is an orWhere (it starts with OR).
  if (conditions.length > 0) out.add(` WHERE ${conditions.map((c, i) => (i === 0 ? c.replace(/^OR /, "") : c.startsWith("OR ") ? c : `AND ${c}`)).join(" ")}`, whole);
  return sql(out, write);
}

/** One knex where-clause as SQL, or a predicate the boundedness check treats as unbounded when it is not understood. */
function whereOf(link: ChainLink): string | undefined {
  const [a, b, c] = link.args;
  const column = identifierOf(a);
  // knex writes the clauses in order, `or` between an orWhere and what precedes it; SQL's precedence then applies.
  const method = link.method ?? "";
  const or = method.startsWith("orWhere");
  const base = or ? `where${method.slice("orWhere".length)}` : method === "andWhere" ? "where" : method;
  const clause = (text: string) => `${or ? "OR " : ""}(${text})`;
  switch (base) {
    case "where": {
      const object = a ? unwrapExpression(a as ESTree.Node & { range?: [number, number] }) : undefined;
      if (object?.type === "ObjectExpression") {
        const parts = object.properties.map((p) =>
          p.type === "Property" && (p.key.type === "Identifier" || p.key.type === "Literal") && !p.computed
            ? `${quoteName(p.key.type === "Identifier" ? p.key.name : String(p.key.value))} = ${bindValueOf(p.value as ESTree.Node)}`
            : "_unknown_condition",
        );
        return clause(parts.join(" AND ") || "_unknown_condition");
      }
      if (!column) return clause("_unknown_condition");
      if (c !== undefined) return clause(`${column} ${stringValue(b) ?? "="} ${bindValueOf(c)}`);
      return clause(unwrapExpression(b as ESTree.Node & { range?: [number, number] }).type === "Literal" && (b as ESTree.Literal).value === null ? `${column} IS NULL` : `${column} = ${bindValueOf(b)}`);
    }
    case "whereIn": {
      const values = b ? unwrapExpression(b as ESTree.Node & { range?: [number, number] }) : undefined;
      if (column && values?.type === "ArrayExpression") return clause(`${column} IN (${values.elements.map((e) => bindValueOf(e as ESTree.Node)).join(", ") || "NULL"})`);
      return clause(column ? `${column} = ANY($1)` : "_unknown_condition");
    }
    case "whereBetween": {
      const range = b ? unwrapExpression(b as ESTree.Node & { range?: [number, number] }) : undefined;
      if (column && range?.type === "ArrayExpression" && range.elements.length === 2) {
        return clause(`${column} BETWEEN ${bindValueOf(range.elements[0] as ESTree.Node)} AND ${bindValueOf(range.elements[1] as ESTree.Node)}`);
      }
      return clause("_unknown_condition");
    }
    case "whereNull":
      return clause(column ? `${column} IS NULL` : "_unknown_condition");
    case "whereNotNull":
      return clause(column ? `${column} IS NOT NULL` : "_unknown_condition");
    case "whereRaw":
      return clause(stringValue(a) ?? "_unknown_condition");
    default:
      return base.startsWith("where") ? clause("_unknown_condition") : undefined;
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

/** The table's own name (no schema, no quotes), as knex uses it in generated index and constraint names. */
function plainTable(quoted: string): string {
  const last = quoted.match(/(?:^|\.)("(?:[^"]|"")*"|[^."]+)$/)?.[1] ?? quoted;
  return last.startsWith('"') ? last.slice(1, -1).replaceAll('""', '"') : last;
}

/** knex's generated names: `<table>_<columns>_<index|unique|foreign>`, lower-cased, dots and dashes as `_`. */
function knexIndexName(table: string, columns: readonly string[], kind: string): string {
  return `${plainTable(table)}_${columns.join("_")}_${kind}`.toLowerCase().replace(/[.-]/g, "_");
}

/** A boolean in an options object (`{ useConstraint: false }`); undefined when absent or not a constant. */
function optionBoolean(node: ESTree.Node | undefined, key: string): boolean | undefined {
  const value = optionValue(node, key);
  return value?.type === "Literal" && typeof value.value === "boolean" ? value.value : value ? true : undefined;
}

function optionString(node: ESTree.Node | undefined, key: string): string | undefined {
  return stringValue(optionValue(node, key));
}

function optionValue(node: ESTree.Node | undefined, key: string): ESTree.Node | undefined {
  const n = node ? unwrapExpression(node as ESTree.Node & { range?: [number, number] }) : undefined;
  if (n?.type !== "ObjectExpression") return undefined;
  for (const p of n.properties) {
    if (p.type === "Property" && !p.computed && p.key.type === "Identifier" && p.key.name === key) return p.value as ESTree.Node;
  }
  return undefined;
}

function sql(out: PieceList, link: ChainLink): Operation[] {
  return [{ kind: "sql", pieces: out.pieces, node: link.call }];
}

function notAnalysed(link: ChainLink, why: string): Operation[] {
  return [{ kind: "not-analysed", reason: `knex \`${link.method}\`: ${why}`, node: link.call }];
}
