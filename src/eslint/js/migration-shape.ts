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
  if (/\bknex\.(schema|raw)\b/.test(text)) return "knex";
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
  switch (framework) {
    case "knex":
      // export const config = { transaction: false }  /  exports.config = { transaction: false }
      return hasFalseSetting(program, "config", "transaction") ? "autocommit" : "wrapped";
    case "node-pg-migrate":
      return callsInPhase(program, phase, (call) => isMemberCall(call, "pgm", "noTransaction")) ? "autocommit" : "wrapped";
    case "typeorm":
      return classPropertyIsFalse(program, "transaction") ? "autocommit" : "wrapped";
    case "mikro-orm":
      return methodReturnsFalse(program, "isTransactional") ? "autocommit" : "wrapped";
    case "kysely":
      // Kysely's Migrator runs each migration in a transaction on PostgreSQL (opt-out is global: disableTransactions).
      return "wrapped";
    case "sequelize":
      // Umzug runs each queryInterface call on its own unless the migration opens a transaction itself.
      return text.includes(".transaction(") ? "wrapped" : "autocommit";
    case "unknown":
      return "autocommit";
  }
}

function hasFalseSetting(program: ESTree.Program, variable: string, key: string): boolean {
  let found = false;
  walk(program, (node) => {
    let init: ESTree.Node | undefined;
    if (node.type === "VariableDeclarator" && node.id.type === "Identifier" && node.id.name === variable && node.init) init = node.init;
    if (node.type === "AssignmentExpression" && node.left.type === "MemberExpression" && node.left.property.type === "Identifier" && node.left.property.name === variable) init = node.right;
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
