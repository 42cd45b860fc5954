/**
 * Every place a file of application code names a column or a table the migrations are changing, found once per
 * file and shared by the three app rules: property reads (`user.full_name`), destructuring, keys and strings of ORM
 * and query-builder calls, Drizzle table columns (`users.fullName`), and raw SQL strings. Each use knows its table
 * when the code says it (the ORM call, the variable's query, the object's type) and otherwise is matched by name.
 */
import type { TSESLint, TSESTree } from "@typescript-eslint/utils";
import * as ASTUtils from "@typescript-eslint/utils/ast-utils";
import type { SourceCode } from "eslint";
import { isSqlTag, SqlTextReader } from "../eslint/js/sql-text.js";
import { SyntheticSql } from "../eslint/js/synthetic-sql.js";
import { parseSql, PgSyntaxError, scanSql } from "../sql/pg-parser.js";
import type { QualifiedName } from "../sql/names.js";
import { SourceText } from "../sql/source-text.js";
import type { Catalog, Spelling } from "./catalog.js";
import { Definitions, type TableDefinition } from "./definitions.js";
import { chainOf, recognizeQuery, unwrap, type NameUse, type QueryCall, type TableTarget } from "./queries.js";
import { columnNameRange, referencesOf, tableNameRange } from "./sql-references.js";
import { rowTypeOf, typeServices, type TypeServices } from "./types.js";

type Node = TSESTree.Node;
type Context = Readonly<TSESLint.RuleContext<string, readonly unknown[]>>;

/** Which table a use belongs to: known (the code says it), or matched by the column's name alone. */
export type UseTable =
  | {
      readonly kind: "known";
      readonly tables: readonly QualifiedName[];
      /** How strictly the written name must match the column. */
      readonly spelling: Spelling;
      /** The ORM's own mapping from property names to columns, when it has one. */
      readonly columnOf?: (name: string) => string | undefined;
    }
  | { readonly kind: "by-name" };

export type UseKind = "property" | "destructuring" | "key" | "string" | "sql" | "table-column";

export interface ColumnUse {
  /** The name as written. */
  readonly name: string;
  readonly range: [number, number];
  readonly access: "read" | "write";
  readonly table: UseTable;
  readonly kind: UseKind;
  /** Uses that belong together (one expression, one ORM call, one SQL statement): where a fallback is looked for. */
  readonly group: object;
  /** For writes: the row they write together (one data object, one INSERT). */
  readonly row?: object;
  /** The name can be replaced in place (a suggestion may rename it). */
  readonly replaceable: boolean;
  /** A property read: the member expression, for the `?? fallback` suggestion. */
  readonly member?: TSESTree.MemberExpression;
}

export interface TableUse {
  readonly table: QualifiedName;
  readonly range: [number, number];
}

export interface FileUses {
  readonly columns: readonly ColumnUse[];
  readonly tables: readonly TableUse[];
}

const cache = new WeakMap<object, { catalog: Catalog; uses: FileUses }>();

/** The uses of the linted file, computed by the first app rule that asks. */
export function usesOf(context: Context, catalog: Catalog): FileUses {
  const ast = context.sourceCode.ast;
  const hit = cache.get(ast);
  if (hit && hit.catalog === catalog) return hit.uses;
  const uses = new Collector(context, catalog).collect();
  cache.set(ast, { catalog, uses });
  return uses;
}

const SQL_START = /^\s*(select|insert|update|delete|with)\s/i;
const ARRAY_CALLBACKS = new Set(["map", "flatMap", "forEach", "filter", "find", "findLast", "some", "every", "sort", "toSorted"]);
const STOP = new Set([
  "Program", "BlockStatement", "ExpressionStatement", "ReturnStatement", "IfStatement", "ForStatement", "ForInStatement", "ForOfStatement",
  "WhileStatement", "DoWhileStatement", "SwitchStatement", "SwitchCase", "ThrowStatement", "TryStatement", "VariableDeclaration",
  "FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression", "ClassBody", "PropertyDefinition", "StaticBlock",
  "ExportNamedDeclaration", "ExportDefaultDeclaration", "LabeledStatement",
]);

/** The expression (or declarator) a node belongs to, up to the statement or function around it. */
function groupOf(node: Node): Node {
  let current = node;
  while (current.parent && !STOP.has(current.parent.type)) current = current.parent;
  return current;
}

class Collector {
  readonly #context: Context;
  readonly #catalog: Catalog;
  readonly #definitions: Definitions;
  readonly #types: TypeServices | undefined;
  readonly #queries = new Map<TSESTree.CallExpression, QueryCall | null>();
  readonly #calleeParts = new Set<Node>();
  readonly #columns: ColumnUse[] = [];
  readonly #tables: TableUse[] = [];
  #reader: SqlTextReader | undefined;

  constructor(context: Context, catalog: Catalog) {
    this.#context = context;
    this.#catalog = catalog;
    this.#definitions = new Definitions(context);
    this.#types = typeServices(context.sourceCode.parserServices);
  }

  collect(): FileUses {
    const keys = this.#context.sourceCode.visitorKeys;
    const visit = (node: Node): void => {
      this.#node(node);
      for (const key of keys[node.type] ?? []) {
        const child = (node as unknown as Record<string, unknown>)[key];
        if (Array.isArray(child)) {
          for (const item of child) if (item && typeof item === "object" && "type" in item) visit(item as Node);
        } else if (child && typeof child === "object" && "type" in child) visit(child as Node);
      }
    };
    visit(this.#context.sourceCode.ast);
    return { columns: this.#columns, tables: this.#tables };
  }

  #node(node: Node): void {
    switch (node.type) {
      case "CallExpression":
        this.#call(node);
        break;
      case "MemberExpression":
        this.#member(node);
        break;
      case "ObjectPattern":
        this.#pattern(node);
        break;
      case "Literal":
        if (typeof node.value === "string" && SQL_START.test(node.value)) this.#sql(node);
        break;
      case "TemplateLiteral":
        // A `sql` tag's interpolations are bind parameters (or Kysely helpers): the reader handles them at the tag.
        if (SQL_START.test(node.quasis[0]?.value.cooked ?? "")) {
          const tagged = node.parent?.type === "TaggedTemplateExpression" && isSqlTag(node.parent.tag as never);
          this.#sql(tagged ? node.parent! : node);
        }
        break;
      default:
        break;
    }
  }

  #query(call: TSESTree.CallExpression): QueryCall | undefined {
    if (!this.#queries.has(call)) this.#queries.set(call, recognizeQuery(call, { catalog: this.#catalog, definitions: this.#definitions }) ?? null);
    return this.#queries.get(call) ?? undefined;
  }

  #call(call: TSESTree.CallExpression): void {
    const query = this.#query(call);
    if (!query) return;
    // `db.user` in `db.user.update(…)` names a model, not a column.
    for (const link of chainOf(call).links) {
      let callee: Node = unwrap(link.call.callee);
      while (callee.type === "MemberExpression") {
        this.#calleeParts.add(callee);
        callee = unwrap(callee.object);
      }
    }
    const { target } = query;
    if (target.table && target.nameRange) this.#tables.push({ table: target.table, range: target.nameRange });
    const table = this.#targetTable(target);
    const group = groupOf(call);
    for (const use of query.reads) this.#push(use, { access: "read", table, kind: use.kind, group });
    for (const row of query.writes) {
      for (const use of row) this.#push(use, { access: "write", table, kind: use.kind, group, row });
    }
  }

  #targetTable(target: TableTarget): ColumnUse["table"] {
    return target.table ? { kind: "known", tables: [target.table], spelling: "styled", columnOf: target.columnOf } : { kind: "by-name" };
  }

  #push(use: Omit<NameUse, "kind">, rest: Omit<ColumnUse, "name" | "range" | "replaceable">): void {
    if (!this.#catalog.mayMatter(use.name) && !(rest.table.kind === "known" && rest.table.columnOf?.(use.name))) return;
    this.#columns.push({ name: use.name, range: use.range, replaceable: use.replaceable, ...rest });
  }

  #member(member: TSESTree.MemberExpression): void {
    if (this.#calleeParts.has(member)) return;
    const property = member.property;
    const name = !member.computed && property.type === "Identifier" ? property.name : member.computed && property.type === "Literal" && typeof property.value === "string" ? property.value : undefined;
    if (name === undefined) return;
    const parent = member.parent;
    // A method call (`x.update(…)`) is not a column.
    if (parent?.type === "CallExpression" && parent.callee === member) return;
    const object = unwrap(member.object);
    // Drizzle keys need not look like the column (`nm: text("full_name")`): those objects are resolved first.
    const drizzle = object.type === "Identifier" ? this.#drizzleTable(object) : undefined;
    const written = (parent?.type === "AssignmentExpression" && parent.left === member) || (parent?.type === "UpdateExpression" && parent.argument === member);
    if (drizzle) {
      const column = drizzle.columns.get(name);
      if (column === undefined) return;
      this.#push(
        { name, range: property.range, replaceable: !member.computed },
        { access: "read", table: { kind: "known", tables: [drizzle.table], spelling: "styled", columnOf: (n) => drizzle.columns.get(n) }, kind: "table-column", group: groupOf(member) },
      );
      return;
    }
    if (!this.#catalog.mayMatter(name)) return;
    const table = this.#objectTable(object);
    if (!table) return;
    this.#push(
      { name, range: member.computed ? [property.range[0] + 1, property.range[1] - 1] : property.range, replaceable: !member.computed || (property.type === "Literal" && property.raw.length === name.length + 2) },
      { access: written ? "write" : "read", table, kind: "property", group: groupOf(member), member },
    );
  }

  /** The table a destructured object comes from, for `const { full_name } = user`. */
  #pattern(pattern: TSESTree.ObjectPattern): void {
    const parent = pattern.parent;
    const source = parent?.type === "VariableDeclarator" && parent.id === pattern && parent.init ? unwrap(parent.init) : undefined;
    let table: ColumnUse["table"] | undefined;
    for (const property of pattern.properties) {
      if (property.type !== "Property" || property.computed || property.key.type !== "Identifier") continue;
      const name = property.key.name;
      if (!this.#catalog.mayMatter(name)) continue;
      table ??= source ? this.#objectTable(source) : this.#typedTable(pattern);
      if (!table) return;
      this.#push({ name, range: property.key.range, replaceable: !property.shorthand }, { access: "read", table, kind: "destructuring", group: groupOf(pattern) });
    }
  }

  /**
   * The table of an object whose property is read: rows of a query the code shows (`const user = await
   * db.user.findUnique(…)`), else its type (with type information), else matched by name. Undefined: not a row.
   */
  #objectTable(object: Node): ColumnUse["table"] | undefined {
    const rows = this.#rowsTable(object, 0);
    if (rows) return rows;
    return this.#typedTable(object);
  }

  #typedTable(node: Node): ColumnUse["table"] | undefined {
    if (!this.#types) return { kind: "by-name" };
    const verdict = rowTypeOf(node, this.#types, this.#catalog);
    if (verdict.kind === "unrelated") return undefined;
    if (verdict.kind === "row") return { kind: "known", tables: verdict.tables, spelling: "styled" };
    return { kind: "by-name" };
  }

  /** Rows of a query: the query call itself, a variable it initialises, a callback parameter over them, a for-of. */
  #rowsTable(expression: Node, depth: number): ColumnUse["table"] | undefined {
    if (depth > 4) return undefined;
    const node = unwrap(expression);
    if (node.type === "CallExpression") {
      const query = this.#query(node);
      if (query?.returnsRows && query.target.table) return this.#targetTable(query.target);
      return undefined;
    }
    if (node.type === "MemberExpression" && node.computed) return this.#rowsTable(node.object, depth + 1); // rows[0]
    if (node.type !== "Identifier") return undefined;
    const variable = ASTUtils.findVariable(this.#context.sourceCode.getScope(node), node);
    const def = variable?.defs[0];
    if (!def) return undefined;
    if (def.type === "Variable" && def.node.type === "VariableDeclarator") {
      const declarator = def.node;
      if (declarator.init && (declarator.id.type === "Identifier" || declarator.id.type === "ArrayPattern")) return this.#rowsTable(declarator.init, depth + 1);
      const loop = declarator.parent?.parent;
      if (loop?.type === "ForOfStatement") return this.#rowsTable(loop.right, depth + 1);
      return undefined;
    }
    if (def.type === "Parameter") {
      const fn = def.node;
      const call = fn.parent;
      if (call?.type !== "CallExpression" || call.arguments[0] !== fn || fn.params[0] !== def.name) return undefined;
      const callee = unwrap(call.callee);
      if (callee.type !== "MemberExpression" || callee.property.type !== "Identifier" || !ARRAY_CALLBACKS.has(callee.property.name)) return undefined;
      return this.#rowsTable(callee.object, depth + 1);
    }
    return undefined;
  }

  #drizzleTable(identifier: TSESTree.Identifier): TableDefinition | undefined {
    const found = this.#definitions.tableOf(identifier);
    return found?.kind === "drizzle" ? found : undefined;
  }

  /** A string or template literal holding SQL: parsed, and its column and table references mapped back. */
  #sql(node: Node): void {
    this.#reader ??= new SqlTextReader(this.#context.sourceCode as unknown as SourceCode);
    const text = this.#reader.read(node as never);
    if (!text.ok) return;
    const synthetic = new SyntheticSql();
    for (const piece of text.pieces) synthetic.append(piece.text, piece.mapping);
    const sql = parsable(synthetic.text);
    if (!sql) return; // not SQL after all, or SQL we cannot read
    const { text: sqlText, statements } = sql;
    const source = new SourceText(sqlText);
    const toSource = (bytes: [number, number] | undefined): [number, number] | undefined =>
      bytes ? synthetic.toSource([source.indexOfByte(bytes[0]), source.indexOfByte(bytes[1])]) : undefined;
    const references = referencesOf(statements.map((s) => s.stmt));
    const groups = statements.map(() => ({}));
    const rows = new Map<object, object>();
    for (const write of references.writes) for (const column of write.columns) rows.set(column, write);
    for (const reference of references.columns) {
      if (reference.tables.length === 0) continue;
      const range = toSource(columnNameRange(sqlText, reference));
      if (!range) continue;
      const row = rows.get(reference);
      this.#push(
        { name: reference.column, range, replaceable: false },
        { access: reference.access, table: { kind: "known", tables: reference.tables, spelling: "exact" }, kind: "sql", group: groups[reference.statement]!, ...(row ? { row } : {}) },
      );
    }
    for (const reference of references.tables) {
      const range = toSource(tableNameRange(sqlText, reference.location));
      if (range) this.#tables.push({ table: reference.table, range });
    }
  }
}


/**
 * The statements of SQL text, parsed; knex's `?` and `??` bindings (which PostgreSQL's grammar does not know) are
 * replaced by as many `0`s first, so every offset stays where it was.
 */
function parsable(text: string): { text: string; statements: NonNullable<ReturnType<typeof parseSql>["stmts"]> } | undefined {
  const attempt = (sql: string) => {
    try {
      return { text: sql, statements: parseSql(sql).stmts ?? [] };
    } catch (error) {
      if (error instanceof PgSyntaxError) return undefined;
      throw error;
    }
  };
  const parsed = attempt(text);
  if (parsed || !text.includes("?")) return parsed;
  const bytes = Buffer.from(text, "utf8");
  for (const token of scanSql(text) ?? []) {
    // Operator tokens only (`?`, `=?`, `??`): a `?` inside a string or an identifier is left alone.
    if (token.tokenName !== "UNKNOWN" || !/^(\?+|[=<>!]+\?+)$/.test(token.text)) continue;
    for (let i = token.start; i < token.end; i++) if (bytes[i] === 0x3f) bytes[i] = 0x30;
  }
  return attempt(bytes.toString("utf8"));
}
