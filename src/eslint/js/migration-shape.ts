/**
 * The shape of a JS/TS migration file: which framework wrote it, which functions are `up` and `down`, and whether
 * the framework runs it inside a transaction (each has a default and an opt-out to honour).
 */
import type * as ESTree from "estree";
import type { TransactionMode } from "../../context/conventions.js";

export const JS_FRAMEWORKS = ["knex", "kysely", "node-pg-migrate", "typeorm", "sequelize", "mikro-orm", "unknown"] as const;
export type JsFramework = (typeof JS_FRAMEWORKS)[number];

type Node = ESTree.Node & { parent?: Node };

const MODULES: Record<string, JsFramework> = {
  knex: "knex",
  kysely: "kysely",
  "node-pg-migrate": "node-pg-migrate",
  typeorm: "typeorm",
  sequelize: "sequelize",
  "@mikro-orm/migrations": "mikro-orm",
  "@mikro-orm/core": "mikro-orm",
};

/** The framework, from what the file imports or requires, else from the names it uses. */
export function detectFramework(program: ESTree.Program, text: string): JsFramework {
  for (const statement of program.body) {
    if (statement.type === "ImportDeclaration" && typeof statement.source.value === "string") {
      const found = MODULES[statement.source.value];
      if (found) return found;
    }
  }
  // require("knex") and friends, or tell-tale names: a cheap text check is enough to pick the vocabulary, the
  // translation itself only ever looks at the AST.
  for (const [module, framework] of Object.entries(MODULES)) {
    if (text.includes(`require("${module}")`) || text.includes(`require('${module}')`)) return framework;
  }
  if (text.includes("this.addSql(")) return "mikro-orm";
  if (/\bpgm\.\w+\(/.test(text)) return "node-pg-migrate";
  if (/\bqueryInterface\.\w+\(/.test(text)) return "sequelize";
  if (/\bqueryRunner\.\w+\(/.test(text)) return "typeorm";
  // knex's handle is conventionally `knex`: `knex.schema…`, `knex.raw(…)`, or a query `knex('users').update(…)`.
  if (/\bknex(\.(schema|raw)\b|\s*\()/.test(text)) return "knex";
  return "unknown";
}

/** Which migration function a node is in: up, down, or neither (module level, helpers). */
export function phaseOf(node: Node): "up" | "down" | undefined {
  for (let current: Node | undefined = node; current; current = current.parent) {
    if (!isFunction(current)) continue;
    const name = functionName(current);
    if (name === "up" || name === "down") return name;
  }
  return undefined;
}

/**
 * Whether `name` is the database handle the enclosing `up`/`down` function receives (its first parameter: `pgm`,
 * `queryInterface`, `queryRunner`, `knex`, `db`), so `name.method(…)` is a migration operation.
 */
export function isMigrationHandle(node: Node, name: string): boolean {
  for (let current: Node | undefined = node; current; current = current.parent) {
    if (!isFunction(current)) continue;
    const fn = current as ESTree.Function;
    const first = fn.params[0];
    if (first?.type === "Identifier" && first.name === name && (functionName(current) === "up" || functionName(current) === "down")) return true;
  }
  return false;
}

function isFunction(node: Node): boolean {
  return node.type === "FunctionDeclaration" || node.type === "FunctionExpression" || node.type === "ArrowFunctionExpression";
}

/** The name a function is known by: declaration name, method/property key, or assignment target (`exports.up =`). */
function functionName(fn: Node): string | undefined {
  if (fn.type === "FunctionDeclaration") return fn.id?.name;
  const parent = fn.parent;
  if (!parent) return undefined;
  if ((parent.type === "MethodDefinition" || parent.type === "Property") && parent.key.type === "Identifier") return parent.key.name;
  if (parent.type === "VariableDeclarator" && parent.id.type === "Identifier") return parent.id.name;
  if (parent.type === "AssignmentExpression" && parent.left.type === "MemberExpression" && parent.left.property.type === "Identifier") {
    return parent.left.property.name;
  }
  return undefined;
}

/** How the framework runs the migration, honouring each framework's per-migration opt-out. */
export function transactionModeOf(framework: JsFramework, program: ESTree.Program, text: string, phase: "up" | "down"): TransactionMode {
  if (optsOutOfTransaction(framework, program, phase)) return "autocommit";
  switch (framework) {
    case "knex":
    case "node-pg-migrate":
    case "typeorm":
    case "mikro-orm":
      return "wrapped";
    case "kysely":
      // Kysely's Migrator runs migrations in a transaction on PostgreSQL (opt-out is global: disableTransactions).
      return "wrapped";
    case "sequelize":
      // Umzug runs each queryInterface call on its own unless the migration opens a transaction itself.
      return text.includes(".transaction(") ? "wrapped" : "autocommit";
    case "unknown":
      return "autocommit";
  }
}

/**
 * Whether the file itself asks to run without a transaction: node-pg-migrate `pgm.noTransaction()` (in that
 * phase), knex `config = { transaction: false }`, TypeORM `transaction = false`, MikroORM `isTransactional()`
 * returning false. Such an opt-out wins over the `transactionPerFile` setting.
 */
export function optsOutOfTransaction(framework: JsFramework, program: ESTree.Program, phase: "up" | "down"): boolean {
  switch (framework) {
    case "knex":
      return hasFalseSetting(program, "config", "transaction");
    case "node-pg-migrate":
      return callsInPhase(program, phase, (call) => isMemberCall(call, "pgm", "noTransaction") || isHandleCall(call, "noTransaction"));
    case "typeorm":
      return classPropertyIsFalse(program, "transaction");
    case "mikro-orm":
      return methodReturnsFalse(program, "isTransactional");
    default:
      return false;
  }
}

/** `<first parameter of up/down>.method()`: the handle may be named anything (`pgm`, `m`, `builder`). */
function isHandleCall(call: ESTree.CallExpression, method: string): boolean {
  const callee = call.callee;
  return (
    callee.type === "MemberExpression" &&
    !callee.computed &&
    callee.property.type === "Identifier" &&
    callee.property.name === method &&
    callee.object.type === "Identifier" &&
    isMigrationHandle(call as Node, callee.object.name)
  );
}

function hasFalseSetting(program: ESTree.Program, variable: string, key: string): boolean {
  let found = false;
  walk(program, (node) => {
    let init: ESTree.Node | undefined;
    if (node.type === "VariableDeclarator" && node.id.type === "Identifier" && node.id.name === variable && node.init) init = node.init;
    if (node.type === "AssignmentExpression" && node.left.type === "MemberExpression" && node.left.property.type === "Identifier" && node.left.property.name === variable) init = node.right;
    // module.exports = { up, down, config: { transaction: false } }
    if (node.type === "Property" && !node.computed && node.key.type === "Identifier" && node.key.name === variable) init = node.value as ESTree.Node;
    if (init?.type === "ObjectExpression") {
      for (const p of init.properties) {
        if (p.type === "Property" && p.key.type === "Identifier" && p.key.name === key && p.value.type === "Literal" && p.value.value === false) found = true;
      }
    }
  });
  return found;
}

function classPropertyIsFalse(program: ESTree.Program, name: string): boolean {
  let found = false;
  walk(program, (node) => {
    if (node.type === "PropertyDefinition" && node.key.type === "Identifier" && node.key.name === name && node.value?.type === "Literal" && node.value.value === false) found = true;
  });
  return found;
}

function methodReturnsFalse(program: ESTree.Program, name: string): boolean {
  let found = false;
  walk(program, (node) => {
    if (node.type !== "MethodDefinition" || node.key.type !== "Identifier" || node.key.name !== name) return;
    walk(node.value, (inner) => {
      if (inner.type === "ReturnStatement" && inner.argument?.type === "Literal" && inner.argument.value === false) found = true;
    });
  });
  return found;
}

function callsInPhase(program: ESTree.Program, phase: "up" | "down", test: (call: ESTree.CallExpression) => boolean): boolean {
  let found = false;
  walk(program, (node) => {
    if (node.type === "CallExpression" && test(node) && (phaseOf(node as Node) ?? "up") === phase) found = true;
  });
  return found;
}

export function isMemberCall(call: ESTree.CallExpression, object: string | undefined, method: string): boolean {
  const callee = call.callee;
  if (callee.type !== "MemberExpression" || callee.computed || callee.property.type !== "Identifier" || callee.property.name !== method) return false;
  return object === undefined || (callee.object.type === "Identifier" && callee.object.name === object);
}

/** Depth-first walk over an ESTree subtree (parents must already be set, as ESLint sets them). */
export function walk(root: ESTree.Node, visit: (node: ESTree.Node) => void): void {
  const stack: ESTree.Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    visit(node);
    const children: ESTree.Node[] = [];
    for (const key of Object.keys(node)) {
      if (key === "parent" || key === "loc" || key === "range" || key === "tokens" || key === "comments") continue;
      const value = (node as unknown as Record<string, unknown>)[key];
      if (Array.isArray(value)) {
        for (const item of value) if (item && typeof item === "object" && typeof (item as ESTree.Node).type === "string") children.push(item as ESTree.Node);
      } else if (value && typeof value === "object" && typeof (value as ESTree.Node).type === "string") {
        children.push(value as ESTree.Node);
      }
    }
    // Visit in source order.
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
}
