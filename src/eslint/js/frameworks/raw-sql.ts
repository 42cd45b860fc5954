/**
 * Raw SQL handed to a database call: `knex.raw`, `knex.schema.raw`, TypeORM `queryRunner.query`, Sequelize
 * `queryInterface.sequelize.query`, node-pg-migrate `pgm.sql`, MikroORM `this.addSql`, `db.execute`,
 * `client.query`, `pool.query`, postgres.js `sql.unsafe`, and `sql` tagged templates (Kysely, Drizzle, Slonik,
 * postgres.js) wherever they stand.
 */
import type * as ESTree from "estree";
import { isSqlTag, replaceBindMarkers, unwrapExpression, type SqlText } from "../sql-text.js";
import { memberPath } from "./pieces.js";
import type { Operation, TranslateContext, Translator } from "./types.js";

/** Methods whose first argument is SQL text. */
const SQL_METHODS = new Set(["raw", "query", "sql", "addSql", "execute", "unsafe", "exec", "none", "any", "many", "one", "oneOrNone", "manyOrNone", "result"]);
/** Objects whose `.query()`/`.execute()` argument is SQL even when it cannot be read (so it is reported, not skipped). */
const SQL_RECEIVERS = /(^|\.)(knex|trx|db|client|pool|connection|conn|queryRunner|sequelize|pgm|database|tx|sql|schema|this)$/;

export const rawSqlCall: Translator = (call, context) => {
  const callee = unwrapExpression(call.callee as ESTree.Node);
  if (callee.type !== "MemberExpression" || callee.computed || callee.property.type !== "Identifier") return undefined;
  const method = callee.property.name;
  if (!SQL_METHODS.has(method)) return undefined;
  const arg = call.arguments[0] as ESTree.Node | undefined;
  if (!arg || arg.type === "SpreadElement") return undefined;
  const receiver = memberPath(callee.object) ?? "";
  // `sql\`…\`.execute(db)` (Kysely) runs the template, which is read where it stands.
  if (unwrapExpression(callee.object as ESTree.Node).type === "TaggedTemplateExpression") return undefined;
  if (method === "addSql" && receiver !== "this") return undefined;

  const value = withBindMarkers(call, method, receiver, context.reader.read(arg));
  if (value.ok) return [{ kind: "sql", pieces: value.pieces, node: arg, oneQuery: true }];
  // An argument that is obviously not SQL text (an object of options, a builder) belongs to some other API.
  const shape = unwrapExpression(arg).type;
  if (shape === "ObjectExpression" || shape === "ArrowFunctionExpression" || shape === "FunctionExpression") return undefined;
  if (method === "raw" || method === "sql" || method === "addSql" || method === "unsafe" || SQL_RECEIVERS.test(receiver) || context.handles.has(receiver)) {
    return [{ kind: "not-analysed", reason: value.reason, node: arg }];
  }
  return undefined;
};

/**
 * knex's `raw(sql, bindings)` and Sequelize's `query(sql, { replacements })` replace `?`/`??`/`:name` markers before
 * PostgreSQL sees the text (node-postgres's own `$1` needs nothing).
 */
function withBindMarkers(call: ESTree.CallExpression, method: string, receiver: string, text: SqlText): SqlText {
  const second = call.arguments[1] ? unwrapExpression(call.arguments[1] as ESTree.Node) : undefined;
  if (!second || !text.ok) return text;
  if (method === "raw") return replaceBindMarkers(text, second.type === "ObjectExpression" ? "named" : "positional");
  if (method === "query" && /(^|\.)sequelize$/.test(receiver) && second.type === "ObjectExpression") {
    const replacements = second.properties.find(
      (p): p is ESTree.Property => p.type === "Property" && !p.computed && p.key.type === "Identifier" && p.key.name === "replacements",
    );
    if (!replacements) return text;
    const shape = unwrapExpression(replacements.value as ESTree.Node).type;
    if (shape === "ArrayExpression") return replaceBindMarkers(text, "positional");
    if (shape === "ObjectExpression") return replaceBindMarkers(text, "named");
    return replaceBindMarkers(replaceBindMarkers(text, "positional"), "named");
  }
  return text;
}

/**
 * A `sql` tagged template that runs where it stands: awaited or used as a statement (postgres.js, Slonik), or
 * `.execute(db)`-ed (Kysely). Elsewhere — inside a query builder's select list, a view definition — it is an SQL
 * *expression*, not a statement of the migration.
 */
export function taggedSql(node: ESTree.TaggedTemplateExpression & { parent?: ESTree.Node }, context: TranslateContext): readonly Operation[] | undefined {
  if (!isSqlTag(node.tag) || !runsAsStatement(node)) return undefined;
  const value = context.reader.read(node, true);
  return value.ok ? [{ kind: "sql", pieces: value.pieces, node, oneQuery: true }] : [{ kind: "not-analysed", reason: value.reason, node }];
}

function runsAsStatement(node: ESTree.Node & { parent?: ESTree.Node }): boolean {
  const parent = node.parent;
  if (!parent) return false;
  if (parent.type === "AwaitExpression" || parent.type === "ExpressionStatement" || parent.type === "ReturnStatement") return true;
  if (parent.type === "ArrowFunctionExpression" && parent.body === node) return true;
  // sql`…`.execute(db)
  const grand = (parent as ESTree.Node & { parent?: ESTree.Node }).parent;
  return (
    parent.type === "MemberExpression" &&
    parent.object === node &&
    parent.property.type === "Identifier" &&
    parent.property.name === "execute" &&
    grand?.type === "CallExpression"
  );
}
