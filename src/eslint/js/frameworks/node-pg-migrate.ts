/**
 * node-pg-migrate: `pgm.<operation>(…)` calls translated to the SQL node-pg-migrate sends (its
 * src/operations/*: quoted names, `ADD "col" type DEFAULT … NOT NULL`, `CREATE INDEX "t_c_index"`, …). `pgm.sql`
 * is raw SQL and read by raw-sql.ts; `pgm.noTransaction()` is read by migration-shape.ts.
 */
import type * as ESTree from "estree";
import { quoteIdent, quoteLiteral } from "../../../sql/names.js";
import { walk } from "../migration-shape.js";
import { lastSegment, type StaticReader, type StaticValue } from "../static-value.js";
import { constantSql, memberPath, PieceList, placeholderName } from "./pieces.js";
import { BuilderCall, builderTranslator, entriesOf, flagOf, optionalString, stringOf, stringsOf, unreadable } from "./reading.js";
import type { Operation, TranslateContext, Translator } from "./types.js";

type Node = ESTree.Node & { parent?: Node; range?: [number, number] };

/** Calls that create or change objects no rule is about (types, functions, extensions…): nothing to check. */
const NO_TABLE_EFFECT = new Set([
  "noTransaction", "func", "sql", "createExtension", "addExtension", "dropExtension", "createSchema", "dropSchema", "renameSchema",
  "createType", "dropType", "renameType", "addTypeAttribute", "dropTypeAttribute", "alterTypeAttribute", "addTypeValue",
  "renameTypeAttribute", "renameTypeValue", "createFunction", "dropFunction", "renameFunction", "createDomain", "dropDomain",
  "alterDomain", "renameDomain", "createSequence", "dropSequence", "alterSequence", "renameSequence", "createView", "dropView",
  "alterView", "alterViewColumn", "renameView", "createMaterializedView", "dropMaterializedView", "alterMaterializedView",
  "renameMaterializedView", "renameMaterializedViewColumn", "createRole", "dropRole", "alterRole", "renameRole", "createOperator",
  "dropOperator", "createOperatorClass", "dropOperatorClass", "renameOperatorClass", "createOperatorFamily", "dropOperatorFamily",
  "renameOperatorFamily", "addToOperatorFamily", "removeFromOperatorFamily", "createPolicy", "dropPolicy", "alterPolicy",
  "renamePolicy", "grantRoles", "revokeRoles", "grantOnSchemas", "revokeOnSchemas", "grantOnTables", "revokeOnTables",
  "createCast", "dropCast", "renameConstraint", "renameIndex",
]);

/** node-pg-migrate's type adapters (utils: applyTypeAdapters). */
const TYPE_ADAPTERS: Record<string, string> = {
  int: "integer", string: "text", float: "real", double: "double precision", datetime: "timestamp", bool: "boolean",
};

type Translate = (call: PgmCall) => Operation[];

/** One `pgm.x(…)` call, with the type shorthands its file declares (`exports.shorthands = {…}`). */
class PgmCall extends BuilderCall {
  readonly shorthands: ReadonlyMap<string, StaticValue>;

  constructor(call: ESTree.CallExpression, context: TranslateContext) {
    super(call, context.values);
    this.shorthands = shorthandsOf(call as Node, context.values);
  }
}

const OPERATIONS: Record<string, Translate> = {
  createTable(c) {
    const table = nameOf(c.arg(0), "the table name");
    const options = entriesOf(c.arg(2), "the options");
    const columns = c.arg(1);
    const out = new PieceList().add(`CREATE TABLE ${flagOf(options, "ifNotExists", "option") ? "IF NOT EXISTS " : ""}${table} (`, c.call);
    // A new table's columns matter to no rule (nothing uses it yet): unreadable ones are left out, not given up on.
    const { clauses, primaryKey } = columns.kind === "object" ? newTableColumns(c, columns) : { clauses: [], primaryKey: [] };
    // Several primary key columns make one table constraint, as node-pg-migrate writes it.
    if (primaryKey.length > 1) clauses.push({ sql: `CONSTRAINT ${quoteIdent(`${plainName(c.arg(0))}_pkey`)} PRIMARY KEY (${primaryKey.map(quoteIdent).join(", ")})`, node: c.call });
    clauses.forEach((clause, i) => out.add(`${i > 0 ? ", " : ""}${clause.sql}`, clause.node));
    return c.statements(out.add(")", c.call));
  },
  dropTable(c) {
    const table = nameOf(c.arg(0), "the table name");
    const options = entriesOf(c.arg(1), "the options");
    const ifExists = flagOf(options, "ifExists", "option") ? "IF EXISTS " : "";
    return c.statements(new PieceList().add(`DROP TABLE ${ifExists}${table}${flagOf(options, "cascade", "option") ? " CASCADE" : ""}`, c.call));
  },
  renameTable(c) {
    const table = nameOf(c.arg(0), "the table name");
    const to = nameOf(c.arg(1), "the new table name");
    return c.statements(new PieceList().add(`ALTER TABLE ${table} RENAME TO ${to}`, c.call));
  },
  addColumns(c) {
    const table = nameOf(c.arg(0), "the table name");
    const columns = c.arg(1);
    if (columns.kind !== "object") unreadable("the columns", columns);
    const ifNotExists = flagOf(entriesOf(c.arg(2), "the options"), "ifNotExists", "option") ? "IF NOT EXISTS " : "";
    const out = new PieceList().add(`ALTER TABLE ${table} `, c.call);
    columnsOf(c, columns).forEach((column, i) => out.add(`${i > 0 ? ", " : ""}ADD ${ifNotExists}${column.sql}`, column.node));
    return c.statements(out);
  },
  dropColumns(c) {
    const table = nameOf(c.arg(0), "the table name");
    const columns = c.arg(1);
    const options = entriesOf(c.arg(2), "the options");
    const ifExists = flagOf(options, "ifExists", "option") ? "IF EXISTS " : "";
    const cascade = flagOf(options, "cascade", "option") ? " CASCADE" : "";
    // A string, a list of strings, or an object whose keys are the columns (the shape addColumns takes).
    const names: { name: string; node: ESTree.Node }[] =
      columns.kind === "object"
        ? [...columns.entries].map(([name, value]) => ({ name, node: c.at(value) }))
        : columns.kind === "array"
          ? columns.items.map((item, i) => ({ name: stringOf(item, `column ${i + 1}`), node: c.at(item) }))
          : [{ name: stringOf(columns, "the column name"), node: c.at(columns) }];
    const out = new PieceList().add(`ALTER TABLE ${table} `, c.call);
    names.forEach(({ name, node }, i) => out.add(`${i > 0 ? ", " : ""}DROP ${ifExists}${quoteIdent(name)}${cascade}`, node));
    return c.statements(out);
  },
  renameColumn(c) {
    const table = nameOf(c.arg(0), "the table name");
    const from = quoteIdent(stringOf(c.arg(1), "the column name"));
    const to = quoteIdent(stringOf(c.arg(2), "the new column name"));
    return c.statements(new PieceList().add(`ALTER TABLE ${table} RENAME ${from} TO ${to}`, c.call));
  },
  alterColumn(c) {
    const table = nameOf(c.arg(0), "the table name");
    const column = quoteIdent(stringOf(c.arg(1), "the column name"));
    const options = entriesOf(c.arg(2), "the options");
    const actions: { sql: string; node: ESTree.Node }[] = [];
    const dflt = options.get("default");
    if (dflt?.kind === "null") actions.push({ sql: "DROP DEFAULT", node: c.at(dflt) });
    else if (dflt && dflt.kind !== "undefined") actions.push({ sql: `SET DEFAULT ${valueSql(dflt)}`, node: c.at(dflt) });
    const type = options.get("type");
    if (type && type.kind !== "undefined") {
      const collation = optionalString(options, "collation", "option");
      const using = optionalString(options, "using", "option");
      const text = `SET DATA TYPE ${adaptType(stringOf(type, "the type"))}${collation ? ` COLLATE ${collation}` : ""}${using ? ` USING ${using}` : ""}`;
      actions.push({ sql: text, node: c.at(type) });
    }
    if (flagOf(options, "notNull", "option")) actions.push({ sql: "SET NOT NULL", node: c.at(options.get("notNull")) });
    else if (options.get("notNull")?.kind === "boolean" || flagOf(options, "allowNull", "option")) {
      actions.push({ sql: "DROP NOT NULL", node: c.at(options.get("notNull") ?? options.get("allowNull")) });
    }
    if (actions.length === 0) return [];
    const out = new PieceList().add(`ALTER TABLE ${table} `, c.call);
    actions.forEach((action, i) => out.add(`${i > 0 ? ", " : ""}ALTER ${column} ${action.sql}`, action.node));
    return c.statements(out);
  },
  createIndex(c) {
    const table = c.arg(0);
    const tableName = nameOf(table, "the table name");
    const columns = indexColumns(c.arg(1));
    const options = entriesOf(c.arg(2), "the options");
    const name = indexName(table, columns, options);
    const unique = flagOf(options, "unique", "option") ? " UNIQUE" : "";
    const concurrently = flagOf(options, "concurrently", "option") ? " CONCURRENTLY" : "";
    const ifNotExists = flagOf(options, "ifNotExists", "option") ? " IF NOT EXISTS" : "";
    const method = optionalString(options, "method", "option");
    const where = optionalString(options, "where", "option");
    const includeValue = options.get("include");
    const include = includeValue && includeValue.kind !== "undefined" ? ` INCLUDE (${stringsOf(includeValue, "option `include`").map(quoteIdent).join(", ")})` : "";
    const text = `CREATE${unique} INDEX${concurrently}${ifNotExists} ${name} ON ${tableName}${method ? ` USING ${method}` : ""} (${columns.map((col) => col.sql).join(", ")})${include}${where ? ` WHERE ${where}` : ""}`;
    return c.statements(new PieceList().add(text, c.call));
  },
  dropIndex(c) {
    const table = c.arg(0);
    nameOf(table, "the table name");
    const options = entriesOf(c.arg(2), "the options");
    // The name only needs the columns when it is not given.
    const name = optionalString(options, "name", "option") !== undefined ? indexName(table, [], options) : indexName(table, indexColumns(c.arg(1)), options);
    const concurrently = flagOf(options, "concurrently", "option") ? " CONCURRENTLY" : "";
    const ifExists = flagOf(options, "ifExists", "option") ? " IF EXISTS" : "";
    const cascade = flagOf(options, "cascade", "option") ? " CASCADE" : "";
    return c.statements(new PieceList().add(`DROP INDEX${concurrently}${ifExists} ${name}${cascade}`, c.call));
  },
  addConstraint(c) {
    const table = c.arg(0);
    const tableName = nameOf(table, "the table name");
    const nameValue = c.arg(1);
    const name = nameValue.kind === "null" || nameValue.kind === "undefined" ? undefined : stringOf(nameValue, "the constraint name");
    const spec = c.arg(2);
    const out = new PieceList().add(`ALTER TABLE ${tableName} `, c.call);
    const constraints =
      spec.kind === "string"
        ? [{ sql: `${name ? `CONSTRAINT ${quoteIdent(name)} ` : ""}${spec.value}`, node: c.at(spec) }]
        : constraintsOf(c, plainName(table), entriesOf(spec, "the constraint"), name);
    if (constraints.length === 0) unreadable("the constraint has no check, unique, primaryKey, foreignKeys or exclude");
    constraints.forEach((constraint, i) => out.add(`${i > 0 ? ", " : ""}ADD ${constraint.sql}`, constraint.node));
    return c.statements(out);
  },
  dropConstraint(c) {
    const table = nameOf(c.arg(0), "the table name");
    const name = quoteIdent(stringOf(c.arg(1), "the constraint name"));
    const options = entriesOf(c.arg(2), "the options");
    const ifExists = flagOf(options, "ifExists", "option") ? "IF EXISTS " : "";
    const cascade = flagOf(options, "cascade", "option") ? " CASCADE" : "";
    return c.statements(new PieceList().add(`ALTER TABLE ${table} DROP CONSTRAINT ${ifExists}${name}${cascade}`, c.call));
  },
  refreshMaterializedView(c) {
    const view = nameOf(c.arg(0), "the view name");
    const options = entriesOf(c.arg(1), "the options");
    const concurrently = flagOf(options, "concurrently", "option") ? " CONCURRENTLY" : "";
    const data = options.get("data");
    const withData = data?.kind === "boolean" ? (data.value ? " WITH DATA" : " WITH NO DATA") : "";
    return c.statements(new PieceList().add(`REFRESH MATERIALIZED VIEW${concurrently} ${view}${withData}`, c.call));
  },
};
// node-pg-migrate's aliases.
OPERATIONS.addColumn = OPERATIONS.addColumns!;
OPERATIONS.dropColumn = OPERATIONS.dropColumns!;
OPERATIONS.addIndex = OPERATIONS.createIndex!;
OPERATIONS.removeIndex = OPERATIONS.dropIndex!;
OPERATIONS.createConstraint = OPERATIONS.addConstraint!;

export const nodePgMigrateTranslator: Translator = builderTranslator({
  framework: "node-pg-migrate",
  handle: "pgm",
  methodLabel: (method) => `\`${method}\``,
  operations: OPERATIONS,
  noEffect: NO_TABLE_EFFECT,
  callOf: (call, context) => new PgmCall(call, context),
});

/** A node-pg-migrate Name: a string (quoted whole, dots included) or `{ schema, name }`. */
function nameOf(value: StaticValue, what: string): string {
  if (value.kind === "string") return quoteIdent(value.value);
  if (value.kind === "object") {
    const name = value.entries.get("name");
    const schema = value.entries.get("schema");
    const quoted = quoteIdent(stringOf(name ?? value, `${what} \`name\``));
    return schema && schema.kind !== "undefined" ? `${quoteIdent(stringOf(schema, `${what} \`schema\``))}.${quoted}` : quoted;
  }
  return unreadable(what, value);
}

/** The bare name of a table, as node-pg-migrate uses it to name indexes and constraints. */
function plainName(value: StaticValue): string {
  if (value.kind === "string") return value.value;
  const name = value.kind === "object" ? value.entries.get("name") : undefined;
  return name?.kind === "string" ? name.value : "";
}

interface Clause {
  readonly sql: string;
  readonly node: ESTree.Node;
}

function columnsOf(c: PgmCall, columns: Extract<StaticValue, { kind: "object" }>): Clause[] {
  const clauses = [...columns.entries].map(([name, definition]) => ({ sql: columnSql(c, name, definition), node: c.at(definition) }));
  if (clauses.length === 0) unreadable("there are no columns");
  return clauses;
}

/** Columns of a new table: whatever can be read (CREATE TABLE of a new table is never unsafe). */
function newTableColumns(c: PgmCall, columns: Extract<StaticValue, { kind: "object" }>): { clauses: Clause[]; primaryKey: string[] } {
  const primaryKey = [...columns.entries]
    .filter(([, definition]) => {
      try {
        return flagOf(applyShorthands(c, definition, "a column"), "primaryKey", "a column");
      } catch {
        return false;
      }
    })
    .map(([name]) => name);
  const clauses: Clause[] = [];
  for (const [name, definition] of columns.entries) {
    try {
      clauses.push({ sql: columnSql(c, name, definition, primaryKey.length > 1), node: c.at(definition) });
    } catch {
      // left out: see above
    }
  }
  return { clauses, primaryKey };
}

/** One column definition as node-pg-migrate writes it (tables/shared.ts parseColumns), constraints in its order. */
function columnSql(c: PgmCall, name: string, raw: StaticValue, primaryKeyElsewhere = false): string {
  const options = applyShorthands(c, raw, `column \`${name}\``);
  const what = `column \`${name}\``;
  const type = stringOf(options.get("type") ?? raw, `the type of ${what}`);
  const parts = [`${quoteIdent(name)} ${adaptType(type)}`];
  const collation = optionalString(options, "collation", what);
  if (collation) parts.push(`COLLATE ${collation}`);
  const dflt = options.get("default");
  if (dflt && dflt.kind !== "undefined") parts.push(`DEFAULT ${valueSql(dflt)}`);
  if (flagOf(options, "unique", what)) parts.push("UNIQUE");
  if (flagOf(options, "primaryKey", what) && !primaryKeyElsewhere) parts.push("PRIMARY KEY");
  if (flagOf(options, "notNull", what)) parts.push("NOT NULL");
  const check = optionalString(options, "check", what);
  if (check) parts.push(`CHECK (${check})`);
  const references = options.get("references");
  if (references && references.kind !== "undefined") {
    const constraintName = optionalString(options, "referencesConstraintName", what);
    parts.push(`${constraintName ? `CONSTRAINT ${quoteIdent(constraintName)} ` : ""}${referencesSql(references, options, what)}`);
  }
  if (flagOf(options, "deferrable", what)) parts.push(`DEFERRABLE INITIALLY ${flagOf(options, "deferred", what) ? "DEFERRED" : "IMMEDIATE"}`);
  const identity = options.get("sequenceGenerated") ?? options.get("generated");
  if (identity && identity.kind === "object") {
    const precedence = optionalString(identity.entries, "precedence", `${what} sequenceGenerated`) ?? "BY DEFAULT";
    parts.push(`GENERATED ${precedence} AS IDENTITY`);
  }
  const expression = optionalString(options, "expressionGenerated", what);
  if (expression) parts.push(`GENERATED ALWAYS AS (${expression}) STORED`);
  return parts.join(" ");
}

/** `REFERENCES "t"` (its primary key), or the raw text when it already looks like SQL (`"t"(id)`, `t(id)`). */
function referencesSql(references: StaticValue, options: ReadonlyMap<string, StaticValue>, what: string): string {
  const target = references.kind === "string" && (references.value.startsWith('"') || references.value.endsWith(")")) ? references.value : nameOf(references, `${what} \`references\``);
  const clauses = [`REFERENCES ${target}`];
  const match = optionalString(options, "match", what);
  if (match) clauses.push(`MATCH ${match}`);
  const onDelete = optionalString(options, "onDelete", what);
  if (onDelete) clauses.push(`ON DELETE ${onDelete}`);
  const onUpdate = optionalString(options, "onUpdate", what);
  if (onUpdate) clauses.push(`ON UPDATE ${onUpdate}`);
  return clauses.join(" ");
}

/** A column given as a type string or an options object, with node-pg-migrate's shorthands (`'id'`, the file's own). */
function applyShorthands(c: PgmCall, raw: StaticValue, what: string): ReadonlyMap<string, StaticValue> {
  let options: Map<string, StaticValue>;
  if (raw.kind === "string") options = new Map([["type", raw]]);
  else if (raw.kind === "object") options = new Map(raw.entries);
  else return unreadable(`the definition of ${what}`, raw);
  const seen = new Set<string>();
  for (;;) {
    const type = options.get("type");
    if (type?.kind !== "string" || seen.has(type.value)) return options;
    seen.add(type.value);
    const shorthand = c.shorthands.get(type.value) ?? BUILTIN_SHORTHANDS.get(type.value);
    if (!shorthand) return options;
    const expanded = shorthand.kind === "string" ? new Map([["type", shorthand]]) : shorthand.kind === "object" ? shorthand.entries : undefined;
    if (!expanded) return unreadable(`the shorthand \`${type.value}\` of ${what}`, shorthand);
    const own = new Map(options);
    own.delete("type");
    options = new Map([...expanded, ...own]);
  }
}

const literalNode = { type: "Literal", value: null } as ESTree.Node;
const BUILTIN_SHORTHANDS: ReadonlyMap<string, StaticValue> = new Map([
  [
    "id",
    {
      kind: "object",
      node: literalNode,
      entries: new Map<string, StaticValue>([
        ["type", { kind: "string", value: "serial", node: literalNode }],
        ["primaryKey", { kind: "boolean", value: true, node: literalNode }],
      ]),
    },
  ],
]);

function adaptType(type: string): string {
  return TYPE_ADAPTERS[type] ?? type;
}

/** node-pg-migrate's escapeValue: strings as literals, `pgm.func('…')`/PgLiteral as raw SQL, arrays as ARRAY[…]. */
function valueSql(value: StaticValue): string {
  const constant = constantSql(value);
  if (constant !== undefined) return constant;
  switch (value.kind) {
    case "array":
      return `ARRAY[${value.items.map(valueSql).join(",")}]`;
    case "call": {
      const callee = lastSegment(value.callee);
      const arg = value.args[0];
      const raw = callee === "func" || callee === "create" || (value.construct && callee === "PgLiteral");
      if (raw && arg?.kind === "string") return arg.value;
      // SQL that cannot be read: a call the volatility check cannot prove stable, named after the code.
      if (raw) return `${placeholderName(value.callee)}()`;
      // Any other call returns a JavaScript value, which node-pg-migrate writes as a constant.
      return "_value";
    }
    default:
      // Some JavaScript value: node-pg-migrate writes it as a constant.
      return "_value";
  }
}

interface IndexColumn {
  readonly name: string;
  readonly sql: string;
}

function indexColumns(value: StaticValue): IndexColumn[] {
  const items = value.kind === "array" ? value.items : [value];
  return items.map((item, i) => {
    if (item.kind === "string") return { name: item.value, sql: columnOrExpression(item.value) };
    if (item.kind === "object") {
      const name = stringOf(item.entries.get("name") ?? item, `index column ${i + 1} \`name\``);
      const opclass = optionalString(item.entries, "opclass", `index column ${i + 1}`);
      const sort = optionalString(item.entries, "sort", `index column ${i + 1}`);
      return { name, sql: [columnOrExpression(name), opclass ? quoteIdent(opclass) : undefined, sort].filter(Boolean).join(" ") };
    }
    return unreadable("the index columns", item);
  });
}

/** node-pg-migrate quotes a column name, and leaves an expression (`lower(email)`) as written. */
function columnOrExpression(name: string): string {
  return /[ ().]/.test(name) ? name : quoteIdent(name);
}

/** The index name node-pg-migrate uses: the `name` option, else `<table>_<columns>[_unique]_index`. */
function indexName(table: StaticValue, columns: readonly IndexColumn[], options: ReadonlyMap<string, StaticValue>): string {
  const given = optionalString(options, "name", "option");
  const unique = flagOf(options, "unique", "option") ? "_unique" : "";
  const name = given ?? `${plainName(table)}_${columns.map((col) => col.name).join("_")}${unique}_index`;
  const schema = table.kind === "object" ? table.entries.get("schema") : undefined;
  return schema?.kind === "string" ? `${quoteIdent(schema.value)}.${quoteIdent(name)}` : quoteIdent(name);
}

/** addConstraint's options object (tables/shared.ts parseConstraints), one clause per constraint. */
function constraintsOf(c: PgmCall, table: string, options: ReadonlyMap<string, StaticValue>, given: string | undefined): Clause[] {
  const clauses: Clause[] = [];
  const named = (fallback: string) => `CONSTRAINT ${quoteIdent(given ?? fallback)} `;
  const deferrable = flagOf(options, "deferrable", "option") ? ` DEFERRABLE INITIALLY ${flagOf(options, "deferred", "option") ? "DEFERRED" : "IMMEDIATE"}` : "";
  const check = options.get("check");
  if (check && check.kind !== "undefined") {
    const checks = stringsOf(check, "option `check`");
    checks.forEach((expression, i) => {
      const fallback = check.kind === "array" ? `${table}_chck_${i + 1}` : `${table}_chck`;
      clauses.push({ sql: `${named(fallback)}CHECK (${expression})${deferrable}`, node: c.at(check) });
    });
  }
  const unique = options.get("unique");
  if (unique && unique.kind !== "undefined") {
    const sets = unique.kind === "array" && unique.items.some((item) => item.kind === "array") ? unique.items : [unique];
    for (const set of sets) {
      const columns = stringsOf(set, "option `unique`");
      clauses.push({ sql: `${named(`${table}_uniq_${columns.join("_")}`)}UNIQUE (${columns.map(quoteIdent).join(", ")})${deferrable}`, node: c.at(unique) });
    }
  }
  const primaryKey = options.get("primaryKey");
  if (primaryKey && primaryKey.kind !== "undefined") {
    const columns = stringsOf(primaryKey, "option `primaryKey`");
    clauses.push({ sql: `${named(`${table}_pkey`)}PRIMARY KEY (${columns.map(quoteIdent).join(", ")})${deferrable}`, node: c.at(primaryKey) });
  }
  const foreignKeys = options.get("foreignKeys");
  if (foreignKeys && foreignKeys.kind !== "undefined") {
    for (const fk of foreignKeys.kind === "array" ? foreignKeys.items : [foreignKeys]) {
      const entries = entriesOf(fk, "option `foreignKeys`");
      const columns = stringsOf(entries.get("columns") ?? fk, "foreign key `columns`");
      const constraintName = optionalString(entries, "referencesConstraintName", "foreign key") ?? given ?? `${table}_fk_${columns.join("_")}`;
      const references = referencesSql(entries.get("references") ?? fk, entries, "foreign key");
      clauses.push({ sql: `CONSTRAINT ${quoteIdent(constraintName)} FOREIGN KEY (${columns.map(quoteIdent).join(", ")}) ${references}${deferrable}`, node: c.at(fk) });
    }
  }
  const exclude = optionalString(options, "exclude", "option");
  if (exclude) clauses.push({ sql: `${named(`${table}_excl`)}EXCLUDE ${exclude}${deferrable}`, node: c.call });
  return clauses;
}

const shorthandCache = new WeakMap<ESTree.Node, ReadonlyMap<string, StaticValue>>();

/** The file's own type shorthands: `exports.shorthands = {…}` or `export const shorthands = {…}`. */
function shorthandsOf(node: Node, values: StaticReader): ReadonlyMap<string, StaticValue> {
  let program: Node = node;
  while (program.parent) program = program.parent;
  const cached = shorthandCache.get(program);
  if (cached) return cached;
  let found: ReadonlyMap<string, StaticValue> = new Map();
  walk(program, (n) => {
    let init: ESTree.Node | undefined;
    if (n.type === "VariableDeclarator" && n.id.type === "Identifier" && n.id.name === "shorthands" && n.init) init = n.init;
    if (n.type === "AssignmentExpression" && n.left.type === "MemberExpression" && memberPath(n.left)?.endsWith("exports.shorthands")) init = n.right;
    if (!init) return;
    const value = values.read(init);
    if (value.kind === "object") found = value.entries;
  });
  shorthandCache.set(program, found);
  return found;
}
