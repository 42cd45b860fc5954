/**
 * Sequelize: `queryInterface.<method>(…)` calls of a migration (sequelize-cli / Umzug) translated to the SQL
 * Sequelize's PostgreSQL query generator sends — e.g. `changeColumn` re-states the whole column as SET/DROP NOT
 * NULL, SET/DROP DEFAULT and TYPE, and `bulkUpdate` with an empty `where` updates every row.
 * `queryInterface.sequelize.query` is raw SQL and read by raw-sql.ts.
 */
import { quoteIdent, quoteLiteral } from "../../../sql/names.js";
import { lastSegment, type StaticValue } from "../static-value.js";
import { constantSql, PieceList } from "./pieces.js";
import { BuilderCall, builderTranslator, entriesOf, flagOf, optionalString, stringOf, stringsOf, unreadable } from "./reading.js";
import type { Operation, Translator } from "./types.js";

/** Reads and inserts: no rule is about them. */
const NO_SCHEMA_EFFECT = new Set([
  "bulkInsert", "insert", "upsert", "select", "rawSelect", "describeTable", "showAllTables", "showAllSchemas", "tableExists",
  "showIndex", "getForeignKeysForTables", "getForeignKeyReferencesForTable", "showConstraint", "createSchema", "dropSchema",
  "createFunction", "dropFunction", "renameFunction", "ensureEnums", "databaseVersion", "quoteIdentifier", "quoteTable",
  "quoteIdentifiers", "escape",
]);

/** Sequelize DataTypes as the PostgreSQL dialect writes them (data-types.js toSql). */
const DATA_TYPES: Record<string, string> = {
  STRING: "VARCHAR(255)", CHAR: "CHAR(255)", TEXT: "TEXT", CITEXT: "CITEXT", TINYINT: "SMALLINT", SMALLINT: "SMALLINT",
  MEDIUMINT: "INTEGER", INTEGER: "INTEGER", BIGINT: "BIGINT", FLOAT: "FLOAT", REAL: "REAL", DOUBLE: "DOUBLE PRECISION",
  "DOUBLE PRECISION": "DOUBLE PRECISION", DECIMAL: "DECIMAL", NUMERIC: "DECIMAL", BOOLEAN: "BOOLEAN", DATE: "TIMESTAMP WITH TIME ZONE",
  DATEONLY: "DATE", TIME: "TIME", UUID: "UUID", UUIDV1: "UUID", UUIDV4: "UUID", JSON: "JSON", JSONB: "JSONB", BLOB: "BYTEA",
  INET: "INET", CIDR: "CIDR", MACADDR: "MACADDR", HSTORE: "HSTORE", TSVECTOR: "TSVECTOR", GEOMETRY: "GEOMETRY", GEOGRAPHY: "GEOGRAPHY",
};

/** Types that take a length or precision: `STRING(100)` → VARCHAR(100). */
const SIZED: Record<string, string> = { STRING: "VARCHAR", CHAR: "CHAR", DECIMAL: "DECIMAL", NUMERIC: "DECIMAL", FLOAT: "FLOAT", TIME: "TIME", DATE: "TIMESTAMP WITH TIME ZONE" };

/** Default values Sequelize computes in JavaScript and never writes into the schema (`defaultValueSchemable`). */
const JS_SIDE_DEFAULTS = new Set(["NOW", "UUIDV1", "UUIDV4"]);

type Translate = (call: BuilderCall) => Operation[];

const OPERATIONS: Record<string, Translate> = {
  createTable(c) {
    const table = tableOf(c.arg(0));
    const attributes = c.arg(1);
    // The columns of a new table matter to no rule: those that cannot be read are left out.
    const columns: string[] = [];
    if (attributes.kind === "object") {
      for (const [name, attribute] of attributes.entries) {
        try {
          columns.push(`${quoteIdent(name)} ${attributeSql(attribute, `column \`${name}\``, plainTable(c.arg(0)), name).sql}`);
        } catch {
          // left out
        }
      }
    }
    return c.statements(`CREATE TABLE IF NOT EXISTS ${table} (${columns.join(", ")})`);
  },
  dropTable(c) {
    const options = entriesOf(c.arg(1), "the options");
    return c.statements(`DROP TABLE IF EXISTS ${tableOf(c.arg(0))}${flagOf(options, "cascade", "option") ? " CASCADE" : ""}`);
  },
  renameTable(c) {
    return c.statements(`ALTER TABLE ${tableOf(c.arg(0))} RENAME TO ${tableOf(c.arg(1))}`);
  },
  addColumn(c) {
    const table = tableOf(c.arg(0));
    const column = stringOf(c.arg(1), "the column name");
    const attribute = c.arg(2);
    const { sql, enumType } = attributeSql(attribute, "the column", plainTable(c.arg(0)), column);
    const add = new PieceList().add(`ALTER TABLE ${table} `, c.call).add(`ADD COLUMN ${quoteIdent(column)} ${sql}`, c.at(attribute));
    return c.statements(...(enumType ? [enumType] : []), add);
  },
  removeColumn(c) {
    const column = c.arg(1);
    return c.statements(new PieceList().add(`ALTER TABLE ${tableOf(c.arg(0))} `, c.call).add(`DROP COLUMN ${quoteIdent(stringOf(column, "the column name"))}`, c.at(column)));
  },
  renameColumn(c) {
    const from = quoteIdent(stringOf(c.arg(1), "the column name"));
    const to = quoteIdent(stringOf(c.arg(2), "the new column name"));
    return c.statements(`ALTER TABLE ${tableOf(c.arg(0))} RENAME COLUMN ${from} TO ${to}`);
  },
  changeColumn(c) {
    // postgres/query-generator.js changeColumnQuery: the column is re-stated whole, so what the call leaves out is reset.
    const table = tableOf(c.arg(0));
    const name = stringOf(c.arg(1), "the column name");
    const column = quoteIdent(name);
    const attribute = c.arg(2);
    const parts = attributeParts(attribute, "the column", plainTable(c.arg(0)), name);
    const alter = (action: string) => `ALTER TABLE ${table} ALTER COLUMN ${column} ${action}`;
    const texts: string[] = [];
    if (parts.notNull) texts.push(alter("SET NOT NULL"));
    else if (!parts.references) texts.push(alter("DROP NOT NULL"));
    if (parts.defaultSql !== undefined) texts.push(alter(`SET DEFAULT ${parts.defaultSql}`));
    else if (!parts.references) texts.push(alter("DROP DEFAULT"));
    if (parts.enumType) texts.push(parts.enumType);
    if (parts.unique) texts.push(`ALTER TABLE ${table} ADD UNIQUE (${column})`);
    if (parts.references) texts.push(`ALTER TABLE ${table} ADD FOREIGN KEY (${column}) ${parts.references}`);
    else texts.push(alter(`TYPE ${parts.type}${parts.enumType ? ` USING (${column}::${parts.type})` : ""}`));
    return c.statements(...texts);
  },
  addIndex(c) {
    const tableValue = c.arg(0);
    const table = tableOf(tableValue);
    // addIndex(table, fields, options) or addIndex(table, { fields, … })
    const second = c.arg(1);
    const options = second.kind === "object" ? second.entries : entriesOf(c.arg(2), "the options");
    const fieldsValue = second.kind === "object" ? (options.get("fields") ?? second) : second;
    const fields = indexFields(fieldsValue);
    const unique = flagOf(options, "unique", "option") || optionalString(options, "type", "option")?.toUpperCase() === "UNIQUE";
    const concurrently = flagOf(options, "concurrently", "option");
    const method = optionalString(options, "using", "option") ?? optionalString(options, "method", "option");
    const name = optionalString(options, "name", "option") ?? underscored(`${plainTable(tableValue)}_${fields.map((f) => f.name).join("_")}`);
    const where = options.get("where");
    const predicate = where && where.kind !== "undefined" ? ` WHERE ${whereSql(where)}` : "";
    const text = `CREATE ${unique ? "UNIQUE " : ""}INDEX ${concurrently ? "CONCURRENTLY " : ""}${quoteIdent(name)} ON ${table}${method ? ` USING ${method}` : ""} (${fields.map((f) => f.sql).join(", ")})${predicate}`;
    return c.statements(text);
  },
  removeIndex(c) {
    const tableValue = c.arg(0);
    tableOf(tableValue);
    const target = c.arg(1);
    const name = target.kind === "string" ? target.value : underscored(`${plainTable(tableValue)}_${stringsOf(target, "the index name or fields").join("_")}`);
    const concurrently = flagOf(entriesOf(c.arg(2), "the options"), "concurrently", "option");
    return c.statements(`DROP INDEX ${concurrently ? "CONCURRENTLY " : ""}IF EXISTS ${quoteIdent(name)}`);
  },
  addConstraint(c) {
    const tableValue = c.arg(0);
    const table = tableOf(tableValue);
    // v6: addConstraint(table, { type, fields, … }); v5: addConstraint(table, fields, { type, … })
    const second = c.arg(1);
    const options = second.kind === "array" ? entriesOf(c.arg(2), "the options") : entriesOf(second, "the options");
    const fields = stringsOf(second.kind === "array" ? second : (options.get("fields") ?? second), "option `fields`");
    const type = stringOf(options.get("type") ?? second, "option `type`").toUpperCase();
    const cols = fields.map(quoteIdent).join(", ");
    const base = `${plainTable(tableValue)}_${fields.join("_")}`;
    const name = (suffix: string) => quoteIdent(optionalString(options, "name", "option") ?? `${base}_${suffix}`);
    let constraint: string;
    switch (type) {
      case "UNIQUE":
        constraint = `CONSTRAINT ${name("uk")} UNIQUE (${cols})`;
        break;
      case "PRIMARY KEY":
        constraint = `CONSTRAINT ${name("pk")} PRIMARY KEY (${cols})`;
        break;
      case "CHECK":
        constraint = `CONSTRAINT ${name("ck")} CHECK (${whereSql(options.get("where") ?? second)})`;
        break;
      case "FOREIGN KEY": {
        const references = entriesOf(options.get("references") ?? second, "option `references`");
        const refTable = references.get("table") ?? references.get("model");
        const field = optionalString(references, "field", "option `references`") ?? optionalString(references, "key", "option `references`") ?? "id";
        const refName = refTable ? plainTable(refTable) : "";
        constraint = `CONSTRAINT ${quoteIdent(optionalString(options, "name", "option") ?? `${base}_${refName}_fk`)} FOREIGN KEY (${cols}) REFERENCES ${tableOf(refTable ?? second)} (${quoteIdent(field)})${actions(options)}`;
        break;
      }
      default:
        return unreadable(`constraint type \`${type}\` (a PostgreSQL ALTER TABLE has no such constraint)`);
    }
    return c.statements(new PieceList().add(`ALTER TABLE ${table} `, c.call).add(`ADD ${constraint}`, c.at(second)));
  },
  removeConstraint(c) {
    return c.statements(`ALTER TABLE ${tableOf(c.arg(0))} DROP CONSTRAINT ${quoteIdent(stringOf(c.arg(1), "the constraint name"))}`);
  },
  bulkUpdate(c) {
    const table = tableOf(c.arg(0));
    const values = c.arg(1);
    if (values.kind !== "object") unreadable("the values", values);
    const sets = [...values.entries].map(([column, value]) => `${quoteIdent(column)} = ${boundValue(value)}`);
    if (sets.length === 0) unreadable("there are no values to set");
    const where = c.arg(2);
    const condition = whereSql(where);
    const out = new PieceList().add(`UPDATE ${table} SET ${sets.join(", ")}`, c.call);
    if (condition) out.add(` WHERE ${condition}`, c.at(where));
    return c.statements(out);
  },
  bulkDelete(c) {
    const table = tableOf(c.arg(0));
    const options = entriesOf(c.arg(2), "the options");
    if (flagOf(options, "truncate", "option")) return c.statements(`TRUNCATE ${table}${flagOf(options, "cascade", "option") ? " CASCADE" : ""}`);
    const where = c.arg(1);
    const condition = whereSql(where);
    const out = new PieceList().add(`DELETE FROM ${table}`, c.call);
    if (condition) out.add(` WHERE ${condition}`, c.at(where));
    return c.statements(out);
  },
};

export const sequelizeTranslator: Translator = builderTranslator({
  framework: "Sequelize",
  handle: "queryInterface",
  methodLabel: (method) => `\`queryInterface.${method}\``,
  operations: OPERATIONS,
  noEffect: NO_SCHEMA_EFFECT,
  callOf: (call, context) => new BuilderCall(call, context.values),
});

/** A table: a string (quoted whole, as Sequelize's quoteTable does) or `{ tableName, schema }`. */
function tableOf(value: StaticValue): string {
  if (value.kind === "string") return quoteIdent(value.value);
  if (value.kind === "object") {
    const name = quoteIdent(stringOf(value.entries.get("tableName") ?? value, "the table `tableName`"));
    const schema = value.entries.get("schema");
    return schema && schema.kind !== "undefined" ? `${quoteIdent(stringOf(schema, "the table `schema`"))}.${name}` : name;
  }
  return unreadable("the table name", value);
}

function plainTable(value: StaticValue): string {
  if (value.kind === "string") return value.value;
  const name = value.kind === "object" ? value.entries.get("tableName") : undefined;
  return name?.kind === "string" ? name.value : "";
}

interface AttributeParts {
  readonly type: string;
  readonly notNull: boolean;
  readonly defaultSql: string | undefined;
  readonly unique: boolean;
  readonly primaryKey: boolean;
  readonly references: string | undefined;
  /** `CREATE TYPE … AS ENUM (…)`, sent before the column for an ENUM. */
  readonly enumType: string | undefined;
}

/** A column attribute (`DataTypes.STRING` or `{ type, allowNull, defaultValue, unique, primaryKey, references, … }`). */
function attributeParts(attribute: StaticValue, what: string, table: string, column: string): AttributeParts {
  const options = attribute.kind === "object" ? attribute.entries : new Map([["type", attribute]]);
  const typeValue = options.get("type") ?? attribute;
  let { type, enumValues } = dataType(typeValue, what);
  if (enumValues === undefined && typeValue.kind === "reference" && lastSegment(typeValue.path) === "ENUM") enumValues = stringsOf(options.get("values") ?? typeValue, `${what} \`values\``);
  let enumType: string | undefined;
  if (enumValues) {
    // Sequelize names the type enum_<table>_<column> and creates it before the column.
    type = quoteIdent(`enum_${table}_${column}`);
    enumType = `CREATE TYPE ${type} AS ENUM (${enumValues.map(quoteLiteral).join(", ")})`;
  }
  const allowNull = options.get("allowNull");
  const notNull = allowNull !== undefined && allowNull.kind !== "undefined" && !flagOf(options, "allowNull", what);
  if (flagOf(options, "autoIncrement", what)) type = type === "BIGINT" ? "BIGSERIAL" : "SERIAL";
  const dflt = options.get("defaultValue");
  const defaultSql = dflt && dflt.kind !== "undefined" ? defaultValueSql(dflt) : undefined;
  const referencesValue = options.get("references");
  let references: string | undefined;
  if (referencesValue && referencesValue.kind !== "undefined") {
    const entries = referencesValue.kind === "string" ? new Map([["model", referencesValue]]) : entriesOf(referencesValue, `${what} \`references\``);
    const model = entries.get("model") ?? entries.get("table");
    const key = optionalString(entries, "key", `${what} \`references\``) ?? "id";
    const target = model?.kind === "object" && model.entries.has("tableName") ? tableOf(model) : tableOf(model ?? referencesValue);
    references = `REFERENCES ${target} (${quoteIdent(key)})${actions(options)}`;
  }
  return { type, notNull, defaultSql, unique: flagOf(options, "unique", what), primaryKey: flagOf(options, "primaryKey", what), references, enumType };
}

/** The column definition text of ADD COLUMN / CREATE TABLE (attributeToSQL), in Sequelize's order. */
function attributeSql(attribute: StaticValue, what: string, table: string, column: string): { sql: string; enumType: string | undefined } {
  const parts = attributeParts(attribute, what, table, column);
  const sql = [
    parts.type,
    parts.notNull ? "NOT NULL" : "",
    parts.defaultSql !== undefined ? `DEFAULT ${parts.defaultSql}` : "",
    parts.unique ? "UNIQUE" : "",
    parts.primaryKey ? "PRIMARY KEY" : "",
    parts.references ?? "",
  ]
    .filter(Boolean)
    .join(" ");
  return { sql, enumType: parts.enumType };
}

function actions(options: ReadonlyMap<string, StaticValue>): string {
  const onDelete = optionalString(options, "onDelete", "option");
  const onUpdate = optionalString(options, "onUpdate", "option");
  return `${onDelete ? ` ON DELETE ${onDelete.toUpperCase()}` : ""}${onUpdate ? ` ON UPDATE ${onUpdate.toUpperCase()}` : ""}`;
}

/** `DataTypes.STRING`, `Sequelize.STRING(100)`, `DataTypes.ARRAY(DataTypes.TEXT)`, `'VARCHAR(20)'`. */
function dataType(value: StaticValue, what: string): { type: string; enumValues?: string[] } {
  if (value.kind === "string") return { type: value.value };
  if (value.kind === "reference") {
    const segments = value.path.split(".");
    const last = segments.at(-1)!;
    if (last === "BINARY" && segments.at(-2) === "STRING") return { type: "BYTEA" };
    if (last === "UNSIGNED" || last === "ZEROFILL") return dataType({ ...value, path: segments.slice(0, -1).join(".") }, what);
    const type = DATA_TYPES[last];
    if (type) return { type };
  }
  if (value.kind === "call") {
    const name = lastSegment(value.callee);
    if (name === "ARRAY") return { type: `${dataType(value.args[0] ?? value, `${what} (array element)`).type}[]` };
    if (name === "ENUM") return { type: "", enumValues: value.args.flatMap((arg, i) => stringsOf(arg, `${what} enum value ${i + 1}`)) };
    if (name === "RANGE") return { type: rangeOf(value.args[0]) };
    if (name === "TEXT" || name === "BLOB" || name === "GEOMETRY" || name === "GEOGRAPHY") return dataType({ kind: "reference", path: name, node: value.node }, what);
    const sized = SIZED[name];
    if (sized) {
      const args = value.args.map((arg) => (arg.kind === "number" ? String(arg.value) : unreadable(`the size of ${what}`, arg)));
      return { type: args.length > 0 ? `${sized}(${args.join(",")})` : (DATA_TYPES[name] ?? sized) };
    }
    if (DATA_TYPES[name]) return { type: DATA_TYPES[name]! };
  }
  return unreadable(`the type of ${what}`, value);
}

function rangeOf(subtype: StaticValue | undefined): string {
  const name = subtype?.kind === "reference" ? lastSegment(subtype.path) : "INTEGER";
  const ranges: Record<string, string> = { INTEGER: "INT4RANGE", BIGINT: "INT8RANGE", DECIMAL: "NUMRANGE", DATE: "TSTZRANGE", DATEONLY: "DATERANGE" };
  return ranges[name] ?? "INT4RANGE";
}

/** `defaultValue`: a constant, `Sequelize.fn('now')`, `Sequelize.literal('…')`; NOW/UUIDV4 are filled in by JavaScript. */
function defaultValueSql(value: StaticValue): string | undefined {
  const constant = constantSql(value);
  if (constant !== undefined) return constant;
  switch (value.kind) {
    case "reference":
      return JS_SIDE_DEFAULTS.has(lastSegment(value.path)) ? undefined : "_value";
    case "call": {
      const name = lastSegment(value.callee);
      const arg = value.args[0];
      if (name === "literal" && arg?.kind === "string") return arg.value;
      if (name === "fn" && arg?.kind === "string") {
        const args = value.args.slice(1).map((a) => (a.kind === "string" ? quoteLiteral(a.value) : a.kind === "number" ? String(a.value) : "_value"));
        return `${arg.value}(${args.join(", ")})`;
      }
      if (name === "literal" || name === "fn") return `_sequelize_${name}()`;
      return "_value";
    }
    case "object":
    case "array":
      // A JSON default: Sequelize writes it as a string constant.
      return "'{}'";
    default:
      return "_value";
  }
}

interface IndexField {
  readonly name: string;
  readonly sql: string;
}

function indexFields(value: StaticValue): IndexField[] {
  const items = value.kind === "array" ? value.items : [value];
  if (items.length === 0) unreadable("the index has no fields");
  return items.map((item, i) => {
    if (item.kind === "string") return { name: item.value, sql: quoteIdent(item.value) };
    if (item.kind === "object") {
      const name = optionalString(item.entries, "name", `index field ${i + 1}`) ?? optionalString(item.entries, "attribute", `index field ${i + 1}`);
      if (!name) return unreadable(`index field ${i + 1} has no name`);
      const order = optionalString(item.entries, "order", `index field ${i + 1}`);
      return { name, sql: `${quoteIdent(name)}${order ? ` ${order}` : ""}` };
    }
    if (item.kind === "call" && lastSegment(item.callee) === "literal" && item.args[0]?.kind === "string") return { name: "expression", sql: `(${item.args[0].value})` };
    return unreadable(`index field ${i + 1}`, item);
  });
}

/** Sequelize's Utils.underscore for index names: what is not a word character becomes `_`. */
function underscored(name: string): string {
  return name.replace(/[^\w]+/g, "_");
}

const OPERATORS: Record<string, string> = { eq: "=", ne: "<>", gt: ">", gte: ">=", lt: "<", lte: "<=", like: "LIKE", notLike: "NOT LIKE", iLike: "ILIKE", notILike: "NOT ILIKE" };

/**
 * A `where` object as SQL: `{ id: 5 }`, `{ id: [1, 2] }`, `{ id: { [Op.lt]: 100 } }`, `[Op.and]`/`[Op.or]`. An empty
 * or missing `where` is no condition; a part that cannot be read is a condition the boundedness check cannot prove.
 */
function whereSql(value: StaticValue): string {
  if (value.kind === "undefined" || value.kind === "null") return "";
  if (value.kind !== "object") return "_unknown_condition";
  const conditions: string[] = [];
  for (const [key, item] of value.entries) {
    if (key.startsWith("[")) {
      const op = lastSegment(key.slice(1, -1));
      const list = item.kind === "array" ? item.items : [item];
      if (op === "and" || op === "or") {
        const parts = list.map((part) => whereSql(part)).filter(Boolean);
        if (parts.length > 0) conditions.push(`(${parts.map((p) => `(${p})`).join(op === "and" ? " AND " : " OR ")})`);
      } else conditions.push("_unknown_condition");
      continue;
    }
    conditions.push(columnCondition(quoteIdent(key), item));
  }
  return conditions.join(" AND ");
}

function columnCondition(column: string, value: StaticValue): string {
  if (value.kind === "null") return `${column} IS NULL`;
  if (value.kind === "array") return `${column} IN (${value.items.map(boundValue).join(", ") || "NULL"})`;
  if (value.kind !== "object") return `${column} = ${boundValue(value)}`;
  const parts: string[] = [];
  for (const [key, operand] of value.entries) {
    const op = key.startsWith("[") ? lastSegment(key.slice(1, -1)) : key;
    if (op === "in" || op === "notIn") {
      const items = operand.kind === "array" ? operand.items.map(boundValue).join(", ") : boundValue(operand);
      parts.push(`${column} ${op === "in" ? "IN" : "NOT IN"} (${items || "NULL"})`);
    } else if (op === "between" && operand.kind === "array" && operand.items.length === 2) {
      parts.push(`${column} BETWEEN ${boundValue(operand.items[0]!)} AND ${boundValue(operand.items[1]!)}`);
    } else if ((op === "is" || op === "eq") && operand.kind === "null") parts.push(`${column} IS NULL`);
    else if ((op === "not" || op === "ne") && operand.kind === "null") parts.push(`${column} IS NOT NULL`);
    else if (OPERATORS[op]) parts.push(`${column} ${OPERATORS[op]} ${boundValue(operand)}`);
    else parts.push("_unknown_condition");
  }
  return parts.join(" AND ") || "_unknown_condition";
}

/** A value Sequelize escapes or binds: a constant as a literal, anything else a bind parameter (still a constant). */
function boundValue(value: StaticValue): string {
  const constant = constantSql(value);
  if (constant !== undefined) return constant;
  switch (value.kind) {
    case "call": {
      const arg = value.args[0];
      if (lastSegment(value.callee) === "literal" && arg?.kind === "string") return `(${arg.value})`;
      if (lastSegment(value.callee) === "col" && arg?.kind === "string") return quoteIdent(arg.value);
      return "$1";
    }
    default:
      return "$1";
  }
}
