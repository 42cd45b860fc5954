/**
 * TypeORM: `queryRunner.<method>(…)` calls of a migration class translated to the SQL TypeORM's
 * PostgresQueryRunner sends. Note its defaults: a `TableColumn` is NOT NULL unless `isNullable: true`, `createIndex`
 * is not concurrent unless the `TableIndex` says `isConcurrent: true`, and `changeColumn` in TypeORM 0.3 recreates
 * the column (DROP COLUMN, then ADD COLUMN) when its type, length or array-ness changes. `queryRunner.query` is raw
 * SQL and read by raw-sql.ts.
 */
import type * as ESTree from "estree";
import { quoteIdent, quoteLiteral } from "../../../sql/names.js";
import { lastSegment, type StaticValue } from "../static-value.js";
import { PieceList } from "./pieces.js";
import { BuilderCall, builderTranslator, flagOf, optionalString, stringOf, stringsOf, unreadable } from "./reading.js";
import type { Operation, Translator } from "./types.js";

/** Transaction control, reads, and objects no rule is about. */
const NO_TABLE_EFFECT = new Set([
  "connect", "release", "stream", "getDatabases", "getSchemas",
  "getTable", "getTables", "getView", "getViews", "hasDatabase", "hasSchema", "hasTable", "hasColumn", "getCurrentDatabase",
  "getCurrentSchema", "createDatabase", "dropDatabase", "createSchema", "dropSchema", "createView", "dropView", "clearSqlMemory",
  "enableSqlMemory", "disableSqlMemory", "getMemorySql", "executeMemoryUpSql", "executeMemoryDownSql", "getReplicationMode",
  "changeTableComment", "select", "sql",
]);

type Translate = (call: TypeormCall) => Operation[];

class TypeormCall extends BuilderCall {
  /** `ALTER TABLE t <action>` with the action mapped to the argument it comes from. */
  alter(table: string, action: string, value: StaticValue): PieceList {
    return new PieceList().add(`ALTER TABLE ${table} `, this.call).add(action, this.at(value));
  }
}

const OPERATIONS: Record<string, Translate> = {
  // Transaction control, as TypeORM sends it: the way out of the transaction the migration runs in, for a statement
  // that cannot run in one (`commitTransaction()`, CREATE INDEX CONCURRENTLY, `startTransaction()`).
  commitTransaction: (c) => c.statements("COMMIT"),
  startTransaction: (c) => c.statements("BEGIN"),
  rollbackTransaction: (c) => c.statements("ROLLBACK"),
  createTable(c) {
    const spec = optionsOf(c.arg(0), "Table", "the table");
    const table = pathOf(spec.get("name") ?? c.arg(0), "the table name");
    const ifNotExists = c.arg(1).kind === "boolean" && (c.arg(1) as { value: boolean }).value;
    // A new table's columns and indexes matter to no rule: those that cannot be read are left out.
    const columns: string[] = [];
    const columnList = spec.get("columns");
    for (const column of columnList?.kind === "array" ? columnList.items : []) {
      try {
        columns.push(columnSql(column, plainName(table)).sql);
      } catch {
        // left out
      }
    }
    const texts: string[] = [`CREATE TABLE ${ifNotExists ? "IF NOT EXISTS " : ""}${table} (${columns.join(", ")})`];
    const indices = spec.get("indices");
    for (const index of indices?.kind === "array" ? indices.items : []) {
      try {
        texts.push(indexSql(index, table));
      } catch {
        // left out
      }
    }
    return c.statements(...texts);
  },
  dropTable(c) {
    const spec = c.arg(0);
    return c.statements(`DROP TABLE ${tableOf(spec)}`);
  },
  renameTable(c) {
    const from = tableOf(c.arg(0));
    const to = c.arg(1);
    return c.statements(`ALTER TABLE ${from} RENAME TO ${quoteIdent(lastPart(stringOf(to, "the new table name")))}`);
  },
  addColumn(c) {
    const table = tableOf(c.arg(0));
    return addColumn(c, table, c.arg(1));
  },
  addColumns(c) {
    const table = tableOf(c.arg(0));
    const columns = c.arg(1);
    if (columns.kind !== "array") return unreadable("the columns", columns);
    return columns.items.flatMap((column) => addColumn(c, table, column));
  },
  dropColumn(c) {
    const table = tableOf(c.arg(0));
    const column = c.arg(1);
    return c.statements(c.alter(table, `DROP COLUMN ${quoteIdent(columnName(column))}`, column));
  },
  dropColumns(c) {
    const table = tableOf(c.arg(0));
    const columns = c.arg(1);
    if (columns.kind !== "array") return unreadable("the columns", columns);
    return c.statements(...columns.items.map((column) => c.alter(table, `DROP COLUMN ${quoteIdent(columnName(column))}`, column)));
  },
  renameColumn(c) {
    const table = tableOf(c.arg(0));
    const from = quoteIdent(columnName(c.arg(1)));
    const to = quoteIdent(columnName(c.arg(2)));
    return c.statements(`ALTER TABLE ${table} RENAME COLUMN ${from} TO ${to}`);
  },
  changeColumn(c) {
    return changeColumn(c, tableOf(c.arg(0)), c.arg(1), c.arg(2));
  },
  changeColumns(c) {
    const table = tableOf(c.arg(0));
    const changes = c.arg(1);
    if (changes.kind !== "array") return unreadable("the changes", changes);
    return changes.items.flatMap((change) => {
      const entries = change.kind === "object" ? change.entries : unreadable("a change", change);
      return changeColumn(c, table, entries.get("oldColumn") ?? change, entries.get("newColumn") ?? change);
    });
  },
  createIndex(c) {
    const table = tableOf(c.arg(0));
    return c.statements(indexSql(c.arg(1), table));
  },
  createIndices(c) {
    const table = tableOf(c.arg(0));
    const indices = c.arg(1);
    if (indices.kind !== "array") return unreadable("the indices", indices);
    return c.statements(...indices.items.map((index) => indexSql(index, table)));
  },
  dropIndex(c) {
    const tableValue = c.arg(0);
    tableOf(tableValue);
    const index = c.arg(1);
    // A name alone: TypeORM looks the index up in the database, where it is never marked concurrent.
    const spec = index.kind === "string" ? new Map<string, StaticValue>() : optionsOf(index, "TableIndex", "the index");
    const name = index.kind === "string" ? index.value : stringOf(spec.get("name") ?? index, "the index name");
    const schema = schemaOf(tableValue);
    const concurrently = flagOf(spec, "isConcurrent", "the index");
    return c.statements(`DROP INDEX${concurrently ? " CONCURRENTLY" : ""} ${schema ? `${quoteIdent(schema)}.` : ""}${quoteIdent(name)}`);
  },
  createForeignKey(c) {
    const table = tableOf(c.arg(0));
    const fk = c.arg(1);
    return c.statements(c.alter(table, `ADD ${foreignKeySql(fk, plainName(table))}`, fk));
  },
  createForeignKeys(c) {
    const table = tableOf(c.arg(0));
    const fks = c.arg(1);
    if (fks.kind !== "array") return unreadable("the foreign keys", fks);
    return c.statements(...fks.items.map((fk) => c.alter(table, `ADD ${foreignKeySql(fk, plainName(table))}`, fk)));
  },
  createUniqueConstraint(c) {
    const table = tableOf(c.arg(0));
    const unique = c.arg(1);
    const spec = optionsOf(unique, "TableUnique", "the unique constraint");
    const columns = stringsOf(spec.get("columnNames") ?? unique, "the unique constraint `columnNames`");
    const name = optionalString(spec, "name", "the unique constraint") ?? `UQ_${plainName(table)}_${columns.join("_")}`;
    return c.statements(c.alter(table, `ADD CONSTRAINT ${quoteIdent(name)} UNIQUE (${columns.map(quoteIdent).join(", ")})`, unique));
  },
  createCheckConstraint(c) {
    const table = tableOf(c.arg(0));
    const check = c.arg(1);
    const spec = optionsOf(check, "TableCheck", "the check constraint");
    const expression = stringOf(spec.get("expression") ?? check, "the check `expression`");
    const name = optionalString(spec, "name", "the check constraint") ?? `CHK_${plainName(table)}`;
    return c.statements(c.alter(table, `ADD CONSTRAINT ${quoteIdent(name)} CHECK (${expression})`, check));
  },
  createPrimaryKey(c) {
    const table = tableOf(c.arg(0));
    const columns = c.arg(1);
    const names = stringsOf(columns, "the primary key columns");
    const name = c.arg(2).kind === "string" ? stringOf(c.arg(2), "") : `PK_${plainName(table)}`;
    return c.statements(c.alter(table, `ADD CONSTRAINT ${quoteIdent(name)} PRIMARY KEY (${names.map(quoteIdent).join(", ")})`, columns));
  },
  dropForeignKey: dropConstraint("TableForeignKey"),
  dropUniqueConstraint: dropConstraint("TableUnique"),
  dropCheckConstraint: dropConstraint("TableCheck"),
  clearTable(c) {
    return c.statements(`TRUNCATE TABLE ${tableOf(c.arg(0))}`);
  },
};

export const typeormTranslator: Translator = builderTranslator({
  framework: "TypeORM",
  handle: "queryRunner",
  methodLabel: (method) => `\`queryRunner.${method}\``,
  operations: OPERATIONS,
  noEffect: NO_TABLE_EFFECT,
  callOf: (call, context) => new TypeormCall(call, context.values),
});

function dropConstraint(kind: string): Translate {
  return (c) => {
    const table = tableOf(c.arg(0));
    const target = c.arg(1);
    const name = target.kind === "string" ? target.value : stringOf(optionsOf(target, kind, "the constraint").get("name") ?? target, "the constraint name");
    return c.statements(`ALTER TABLE ${table} DROP CONSTRAINT ${quoteIdent(name)}`);
  };
}

/** The options of `new Table({…})`, `new TableColumn({…})`…, or of the plain object passed in their place. */
function optionsOf(value: StaticValue, kind: string, what: string): ReadonlyMap<string, StaticValue> {
  if (value.kind === "object") return value.entries;
  if (value.kind === "call" && value.construct && lastSegment(value.callee) === kind) {
    const options = value.args[0];
    if (options?.kind === "object") return options.entries;
    return unreadable(`the options of ${what}`, options ?? value);
  }
  return unreadable(what, value);
}

/** A table given as a name (`"app.users"` is split at the dot, as TypeORM's escapePath does) or a `Table`. */
function tableOf(value: StaticValue): string {
  if (value.kind === "string") return pathOf(value, "the table name");
  return pathOf(optionsOf(value, "Table", "the table").get("name") ?? value, "the table name");
}

function pathOf(value: StaticValue, what: string): string {
  return stringOf(value, what)
    .split(".")
    .map((part) => quoteIdent(part))
    .join(".");
}

function schemaOf(value: StaticValue): string | undefined {
  const name = value.kind === "string" ? value.value : undefined;
  return name?.includes(".") ? name.slice(0, name.lastIndexOf(".")) : undefined;
}

const lastPart = (name: string): string => name.slice(name.lastIndexOf(".") + 1);
const plainName = (quoted: string): string => lastPart(quoted).replace(/^"|"$/g, "").replaceAll('""', '"');

/** A column given by name or as a `TableColumn`. */
function columnName(value: StaticValue): string {
  if (value.kind === "string") return value.value;
  return stringOf(optionsOf(value, "TableColumn", "the column").get("name") ?? value, "the column name");
}

interface ColumnSql {
  readonly name: string;
  readonly sql: string;
  /** CREATE TYPE for an enum column, sent before it. */
  readonly enumType?: string;
}

/** buildCreateColumnSql: `"name" type [NOT NULL] [DEFAULT …]`, NOT NULL unless `isNullable: true`. */
function columnSql(value: StaticValue, table: string): ColumnSql {
  const spec = optionsOf(value, "TableColumn", "the column");
  const name = stringOf(spec.get("name") ?? value, "the column name");
  const what = `column \`${name}\``;
  const { type, enumType } = fullType(spec, table, name, what);
  const generated = flagOf(spec, "isGenerated", what);
  const strategy = optionalString(spec, "generationStrategy", what);
  const identity = optionalString(spec, "generatedIdentity", what);
  let sql = `${quoteIdent(name)} `;
  if (generated && strategy === "increment" && !identity) sql += type === "bigint" ? "bigserial" : type === "smallint" ? "smallserial" : "serial";
  else sql += type;
  if (generated && (strategy === "identity" || (strategy === "increment" && identity))) sql += ` GENERATED ${identity ?? "BY DEFAULT"} AS IDENTITY`;
  const expression = optionalString(spec, "asExpression", what);
  if (expression && optionalString(spec, "generatedType", what) === "STORED") sql += ` GENERATED ALWAYS AS (${expression}) STORED`;
  const collation = optionalString(spec, "collation", what);
  if (collation) sql += ` COLLATE ${quoteIdent(collation)}`;
  if (!flagOf(spec, "isNullable", what)) sql += " NOT NULL";
  const dflt = spec.get("default");
  if (dflt && dflt.kind !== "undefined" && dflt.kind !== "null") sql += ` DEFAULT ${defaultSql(dflt)}`;
  else if (generated && strategy === "uuid") sql += " DEFAULT uuid_generate_v4()";
  return { name, sql, ...(enumType ? { enumType } : {}) };
}

/** createFullType: the type with its length, precision and scale, and `[]` for arrays. */
function fullType(spec: ReadonlyMap<string, StaticValue>, table: string, column: string, what: string): { type: string; enumType?: string } {
  const raw = stringOf(spec.get("type") ?? { kind: "undefined", node: { type: "Literal", value: null } as ESTree.Node }, `the type of ${what}`);
  let type = TYPE_NAMES[raw] ?? raw;
  let enumType: string | undefined;
  if (raw === "enum" || raw === "simple-enum") {
    const enumName = optionalString(spec, "enumName", what) ?? `${table}_${column}_enum`;
    type = quoteIdent(enumName);
    const values = spec.get("enum");
    enumType = `CREATE TYPE ${type} AS ENUM (${stringsOf(values ?? spec.get("type")!, `the enum values of ${what}`).map(quoteLiteral).join(", ")})`;
  }
  const length = spec.get("length");
  const precision = spec.get("precision");
  const scale = spec.get("scale");
  const size = (v: StaticValue, name: string) => (v.kind === "number" || v.kind === "string" ? String(v.value) : unreadable(`the ${name} of ${what}`, v));
  if (length && length.kind !== "undefined" && size(length, "length") !== "") type += `(${size(length, "length")})`;
  else if (precision && precision.kind !== "undefined" && precision.kind !== "null") {
    type += scale && scale.kind !== "undefined" ? `(${size(precision, "precision")},${size(scale, "scale")})` : `(${size(precision, "precision")})`;
  }
  if (flagOf(spec, "isArray", what)) type += "[]";
  return { type, ...(enumType ? { enumType } : {}) };
}

/** TypeORM's own type names that are not PostgreSQL's. */
const TYPE_NAMES: Record<string, string> = {
  string: "character varying", "simple-array": "text", "simple-json": "text", int: "integer", int4: "integer", int8: "bigint",
  int2: "smallint", bool: "boolean", float4: "real", float8: "double precision", datetime: "timestamp",
};

/** TypeORM writes `default` into the SQL as is: `"'active'"`, `"now()"`, `0`, `true`. */
function defaultSql(value: StaticValue): string {
  if (value.kind === "string") return value.value;
  if (value.kind === "number" || value.kind === "boolean") return String(value.value);
  return "_value";
}

function addColumn(c: TypeormCall, table: string, column: StaticValue): Operation[] {
  const { name, sql, enumType } = columnSql(column, plainName(table));
  const spec = optionsOf(column, "TableColumn", "the column");
  const texts: (string | PieceList)[] = [];
  if (enumType) texts.push(enumType);
  texts.push(c.alter(table, `ADD ${sql}`, column));
  if (flagOf(spec, "isPrimary", `column \`${name}\``)) texts.push(c.alter(table, `ADD CONSTRAINT ${quoteIdent(`PK_${plainName(table)}`)} PRIMARY KEY (${quoteIdent(name)})`, column));
  if (flagOf(spec, "isUnique", `column \`${name}\``)) texts.push(c.alter(table, `ADD CONSTRAINT ${quoteIdent(`UQ_${plainName(table)}_${name}`)} UNIQUE (${quoteIdent(name)})`, column));
  return c.statements(...texts);
}

/**
 * changeColumn(table, old, new): what TypeORM 0.3 sends depends on the difference with the old column. Given only
 * the old column's name, TypeORM compares with the definition it reads from the database — unknowable here.
 */
function changeColumn(c: TypeormCall, table: string, oldValue: StaticValue, newValue: StaticValue): Operation[] {
  if (oldValue.kind === "string") {
    return unreadable(
      `the old column is given by name, so TypeORM compares the new definition with the one in the database (a different type, length or array-ness drops and re-adds the column, losing its data); pass the old column as a TableColumn`,
    );
  }
  const before = optionsOf(oldValue, "TableColumn", "the old column");
  const after = optionsOf(newValue, "TableColumn", "the new column");
  const oldName = stringOf(before.get("name") ?? oldValue, "the old column name");
  const newName = stringOf(after.get("name") ?? newValue, "the new column name");
  const same = (key: string) => sameValue(before.get(key), after.get(key));
  if (!same("type") || !same("length") || flagOf(before, "isArray", "the old column") !== flagOf(after, "isArray", "the new column") || !same("generationStrategy")) {
    // "To avoid data conversion, we just recreate column": the old column and its data are dropped.
    const drop = c.alter(table, `DROP COLUMN ${quoteIdent(oldName)}`, oldValue);
    return [...c.statements(drop), ...addColumn(c, table, newValue)];
  }
  const texts: PieceList[] = [];
  const column = quoteIdent(newName);
  if (oldName !== newName) texts.push(c.alter(table, `RENAME COLUMN ${quoteIdent(oldName)} TO ${column}`, newValue));
  if (!same("precision") || !same("scale")) texts.push(c.alter(table, `ALTER COLUMN ${column} TYPE ${fullType(after, plainName(table), newName, "the new column").type}`, newValue));
  if (flagOf(before, "isNullable", "the old column") !== flagOf(after, "isNullable", "the new column")) {
    texts.push(c.alter(table, `ALTER COLUMN ${column} ${flagOf(after, "isNullable", "the new column") ? "DROP" : "SET"} NOT NULL`, newValue));
  }
  if (!same("default")) {
    const dflt = after.get("default");
    const action = dflt && dflt.kind !== "undefined" && dflt.kind !== "null" ? `SET DEFAULT ${defaultSql(dflt)}` : "DROP DEFAULT";
    texts.push(c.alter(table, `ALTER COLUMN ${column} ${action}`, newValue));
  }
  if (flagOf(before, "isUnique", "the old column") !== flagOf(after, "isUnique", "the new column")) {
    const name = quoteIdent(`UQ_${plainName(table)}_${newName}`);
    texts.push(c.alter(table, flagOf(after, "isUnique", "the new column") ? `ADD CONSTRAINT ${name} UNIQUE (${column})` : `DROP CONSTRAINT ${name}`, newValue));
  }
  return c.statements(...texts);
}

function sameValue(a: StaticValue | undefined, b: StaticValue | undefined): boolean {
  const absent = (v: StaticValue | undefined) => !v || v.kind === "undefined" || v.kind === "null";
  if (absent(a) || absent(b)) return absent(a) && absent(b);
  if ("value" in a! && "value" in b!) return a.value === b.value;
  return unreadable("a column option to compare", a!.kind === "unknown" || a!.kind === "reference" ? a! : b!);
}

/** `CREATE [UNIQUE] INDEX [CONCURRENTLY] "name" ON t (cols) [WHERE …]` from a `TableIndex`. */
function indexSql(value: StaticValue, table: string): string {
  const spec = optionsOf(value, "TableIndex", "the index");
  const columns = stringsOf(spec.get("columnNames") ?? value, "the index `columnNames`");
  const name = optionalString(spec, "name", "the index") ?? `IDX_${plainName(table)}_${columns.join("_")}`;
  const unique = flagOf(spec, "isUnique", "the index") ? "UNIQUE " : "";
  const concurrently = flagOf(spec, "isConcurrent", "the index") ? " CONCURRENTLY" : "";
  const method = optionalString(spec, "type", "the index");
  const where = optionalString(spec, "where", "the index");
  return `CREATE ${unique}INDEX${concurrently} ${quoteIdent(name)} ON ${table}${method ? ` USING ${method}` : ""} (${columns.map(quoteIdent).join(", ")})${where ? ` WHERE ${where}` : ""}`;
}

/** `CONSTRAINT "name" FOREIGN KEY (cols) REFERENCES t (cols) [ON DELETE …] [ON UPDATE …]` from a `TableForeignKey`. */
function foreignKeySql(value: StaticValue, table: string): string {
  const spec = optionsOf(value, "TableForeignKey", "the foreign key");
  const columns = stringsOf(spec.get("columnNames") ?? value, "the foreign key `columnNames`");
  const referenced = stringOf(spec.get("referencedTableName") ?? value, "the foreign key `referencedTableName`");
  const refColumns = stringsOf(spec.get("referencedColumnNames") ?? value, "the foreign key `referencedColumnNames`");
  const name = optionalString(spec, "name", "the foreign key") ?? `FK_${table}_${columns.join("_")}`;
  const onDelete = optionalString(spec, "onDelete", "the foreign key");
  const onUpdate = optionalString(spec, "onUpdate", "the foreign key");
  const deferrable = optionalString(spec, "deferrable", "the foreign key");
  const target = `${referenced.split(".").map((part) => quoteIdent(part)).join(".")}`;
  return (
    `CONSTRAINT ${quoteIdent(name)} FOREIGN KEY (${columns.map(quoteIdent).join(", ")}) REFERENCES ${target} (${refColumns.map(quoteIdent).join(", ")})` +
    `${onDelete ? ` ON DELETE ${onDelete}` : ""}${onUpdate ? ` ON UPDATE ${onUpdate}` : ""}${deferrable ? ` DEFERRABLE ${deferrable}` : ""}`
  );
}
