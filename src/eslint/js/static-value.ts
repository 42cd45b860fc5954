/**
 * The value a JavaScript expression has without running it, as far as the file alone tells: literals, arrays,
 * objects, `const` bindings, `new X({…})` and calls like `pgm.func('now()')` (kept as calls, for the translator to
 * interpret), and member paths like `DataTypes.STRING`. Anything else is `unknown`, with its source text, so the
 * translator can say exactly what it could not read.
 */
import type { Scope, SourceCode } from "eslint";
import type * as ESTree from "estree";
import { unwrapExpression } from "./sql-text.js";

type Node = ESTree.Node & { range?: [number, number]; parent?: Node };

export type StaticValue =
  | { readonly kind: "string"; readonly value: string; readonly node: ESTree.Node }
  | { readonly kind: "number"; readonly value: number; readonly node: ESTree.Node }
  | { readonly kind: "boolean"; readonly value: boolean; readonly node: ESTree.Node }
  | { readonly kind: "null"; readonly node: ESTree.Node }
  | { readonly kind: "undefined"; readonly node: ESTree.Node }
  | { readonly kind: "array"; readonly items: readonly StaticValue[]; readonly node: ESTree.Node }
  | { readonly kind: "object"; readonly entries: ReadonlyMap<string, StaticValue>; readonly node: ESTree.Node }
  /** `f(…)`, `a.b(…)`, `new A(…)`: the callee's dotted path and the arguments' values. */
  | { readonly kind: "call"; readonly callee: string; readonly args: readonly StaticValue[]; readonly construct: boolean; readonly node: ESTree.Node }
  /** `DataTypes.STRING`, `Sequelize.NOW`: a name the file does not define as a constant. */
  | { readonly kind: "reference"; readonly path: string; readonly node: ESTree.Node }
  | { readonly kind: "unknown"; readonly source: string; readonly node: ESTree.Node };

export class StaticReader {
  readonly #sourceCode: SourceCode;
  readonly #resolving = new Set<ESTree.Node>();

  constructor(sourceCode: SourceCode) {
    this.#sourceCode = sourceCode;
  }

  /** The value of `node`; the result's `node` is always `node` itself (the use site), not a declaration. */
  read(node: ESTree.Node | undefined): StaticValue {
    if (!node) return { kind: "undefined", node: { type: "Identifier", name: "undefined" } as ESTree.Node };
    return { ...this.#value(node), node } as StaticValue;
  }

  /** The source text of a node, shortened for messages. */
  text(node: ESTree.Node): string {
    const text = this.#sourceCode.getText(node).replace(/\s+/g, " ");
    return text.length > 40 ? `${text.slice(0, 37)}…` : text;
  }

  #value(expression: ESTree.Node): StaticValue {
    const node = unwrapExpression(expression as Node) as Node;
    switch (node.type) {
      case "Literal":
        if (typeof node.value === "string") return { kind: "string", value: node.value, node };
        if (typeof node.value === "number") return { kind: "number", value: node.value, node };
        if (typeof node.value === "boolean") return { kind: "boolean", value: node.value, node };
        if (node.value === null && !("regex" in node)) return { kind: "null", node };
        break;
      case "TemplateLiteral": {
        let value = node.quasis[0]?.value.cooked ?? "";
        for (let i = 0; i < node.expressions.length; i++) {
          const part = this.read(node.expressions[i]);
          if (part.kind !== "string" && part.kind !== "number") return this.#unknown(node);
          value += String(part.value) + (node.quasis[i + 1]?.value.cooked ?? "");
        }
        return { kind: "string", value, node };
      }
      case "BinaryExpression": {
        if (node.operator !== "+") break;
        const left = this.read(node.left);
        const right = this.read(node.right);
        if ((left.kind === "string" || left.kind === "number") && (right.kind === "string" || right.kind === "number")) {
          if (left.kind === "number" && right.kind === "number") return { kind: "number", value: left.value + right.value, node };
          return { kind: "string", value: String(left.value) + String(right.value), node };
        }
        break;
      }
      case "UnaryExpression": {
        const argument = this.read(node.argument);
        if (node.operator === "-" && argument.kind === "number") return { kind: "number", value: -argument.value, node };
        if (node.operator === "!" && argument.kind === "boolean") return { kind: "boolean", value: !argument.value, node };
        if (node.operator === "!" && argument.kind === "number") return { kind: "boolean", value: argument.value === 0, node };
        if (node.operator === "void") return { kind: "undefined", node };
        break;
      }
      case "ArrayExpression": {
        const items: StaticValue[] = [];
        for (const element of node.elements) {
          if (!element) return this.#unknown(node);
          if (element.type === "SpreadElement") {
            const spread = this.read(element.argument);
            if (spread.kind !== "array") return this.#unknown(node);
            items.push(...spread.items);
          } else items.push(this.read(element));
        }
        return { kind: "array", items, node };
      }
      case "ObjectExpression": {
        const entries = new Map<string, StaticValue>();
        for (const property of node.properties) {
          if (property.type === "SpreadElement") {
            const spread = this.read(property.argument);
            if (spread.kind !== "object") return this.#unknown(node);
            for (const [key, value] of spread.entries) entries.set(key, value);
            continue;
          }
          const key = this.#key(property);
          if (key === undefined) return this.#unknown(node);
          // `{ up() {…} }` methods are not data; keep them as unknown values under their key.
          entries.set(key, property.kind === "init" && !property.method ? this.read(property.value) : this.#unknown(property.value));
        }
        return { kind: "object", entries, node };
      }
      case "Identifier":
        if (node.name === "undefined") return { kind: "undefined", node };
        return this.#constant(node) ?? { kind: "reference", path: node.name, node };
      case "MemberExpression": {
        const object = this.read(node.object);
        const key = node.computed ? this.read(node.property) : undefined;
        const name = !node.computed && node.property.type === "Identifier" ? node.property.name : key?.kind === "string" ? key.value : key?.kind === "number" ? String(key.value) : undefined;
        if (object.kind === "object" && name !== undefined) return object.entries.get(name) ?? { kind: "undefined", node };
        if (object.kind === "array" && name !== undefined && /^\d+$/.test(name)) return object.items[Number(name)] ?? { kind: "undefined", node };
        if (object.kind === "reference" && name !== undefined && !node.computed) return { kind: "reference", path: `${object.path}.${name}`, node };
        break;
      }
      case "CallExpression":
      case "NewExpression": {
        const callee = calleePath(node.callee as Node);
        if (callee === undefined) break;
        const args = node.arguments.map((arg) => (arg.type === "SpreadElement" ? this.#unknown(arg) : this.read(arg)));
        return { kind: "call", callee, args, construct: node.type === "NewExpression", node };
      }
      default:
        break;
    }
    return this.#unknown(node);
  }

  #key(property: ESTree.Property): string | undefined {
    if (!property.computed && property.key.type === "Identifier") return property.key.name;
    const key = property.computed ? this.read(property.key) : property.key.type === "Literal" ? this.read(property.key) : undefined;
    if (key?.kind === "string") return key.value;
    if (key?.kind === "number") return String(key.value);
    // `[Op.gt]: 0` (Sequelize operators are symbols): the key is kept as `[Op.gt]` for the translator to interpret.
    if (key?.kind === "reference") return `[${key.path}]`;
    return undefined;
  }

  /** A `const` binding's initial value (module or function scope); undefined for anything that can be reassigned. */
  #constant(node: ESTree.Identifier): StaticValue | undefined {
    const variable = findVariable(this.#sourceCode.getScope(node), node.name);
    const definition = variable?.defs[0];
    if (definition?.type !== "Variable" || definition.parent.kind !== "const") return undefined;
    const declarator = definition.node;
    if (declarator.id.type !== "Identifier" || !declarator.init) return undefined;
    if (this.#resolving.has(declarator)) return undefined;
    this.#resolving.add(declarator);
    try {
      return this.read(declarator.init);
    } finally {
      this.#resolving.delete(declarator);
    }
  }

  #unknown(node: ESTree.Node): StaticValue {
    return { kind: "unknown", source: this.text(node), node };
  }
}

/** `a.b.c` for a callee made of names (and `this`), else undefined. */
function calleePath(node: Node): string | undefined {
  const n = unwrapExpression(node) as Node;
  if (n.type === "Identifier") return n.name;
  if (n.type === "ThisExpression") return "this";
  if (n.type === "MemberExpression" && !n.computed && n.property.type === "Identifier") {
    const object = calleePath(n.object as Node);
    return object === undefined ? undefined : `${object}.${n.property.name}`;
  }
  return undefined;
}

function findVariable(scope: Scope.Scope | null, name: string): Scope.Variable | undefined {
  for (let s: Scope.Scope | null = scope; s; s = s.upper) {
    const variable = s.set.get(name);
    if (variable) return variable;
  }
  return undefined;
}

/** The last segment of a dotted path: `Sequelize.DataTypes.STRING` → `STRING`. */
export const lastSegment = (path: string): string => path.slice(path.lastIndexOf(".") + 1);

/** A short description of a value the translator cannot use, for a not-analysed reason. */
export function describeValue(value: StaticValue): string {
  switch (value.kind) {
    case "unknown":
      return `\`${value.source}\` is not a constant in this file`;
    case "reference":
      return `\`${value.path}\` is not a constant in this file`;
    case "call":
      return `\`${value.callee}(…)\` is computed at run time`;
    case "undefined":
      return "it is missing";
    default:
      return `it is a ${value.kind}, not the expected value`;
  }
}
