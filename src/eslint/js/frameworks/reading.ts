/**
 * Builder-call migrations (node-pg-migrate, Sequelize, TypeORM): recognising `<handle>.<method>(…)`, reading its
 * arguments as static values, and giving up precisely: a translator throws `Unreadable` with what it could not
 * read, and `translateCall` turns that into a not-analysed operation on the call, so an unknown flag never silently
 * becomes a guess.
 */
import type * as ESTree from "estree";
import { isMigrationHandle } from "../migration-shape.js";
import { unwrapExpression } from "../sql-text.js";
import { describeValue, type StaticReader, type StaticValue } from "../static-value.js";
import { memberPath, PieceList } from "./pieces.js";
import type { Operation, TranslateContext, Translator } from "./types.js";

type Node = ESTree.Node & { range?: [number, number] };

export class Unreadable extends Error {}

/** Give up on this call: `what` names the argument, the value says why. */
export function unreadable(what: string, value?: StaticValue): never {
  throw new Unreadable(value ? `${what}: ${describeValue(value)}` : what);
}

/** Run a translation; a thrown `Unreadable` becomes a not-analysed operation naming the framework and method. */
export function translateCall(framework: string, method: string, call: ESTree.Node, translate: () => Operation[]): Operation[] {
  try {
    return translate();
  } catch (error) {
    if (!(error instanceof Unreadable)) throw error;
    return [{ kind: "not-analysed", reason: `${framework} \`${method}\` cannot be translated to SQL statically (${error.message})`, node: call }];
  }
}

export function stringOf(value: StaticValue, what: string): string {
  if (value.kind === "string") return value.value;
  return unreadable(what, value);
}

/** A string or a list of strings (`'a'` or `['a', 'b']`), as node-pg-migrate and Sequelize accept for columns. */
export function stringsOf(value: StaticValue, what: string): string[] {
  if (value.kind === "string") return [value.value];
  if (value.kind === "array") return value.items.map((item, i) => stringOf(item, `${what}[${i}]`));
  return unreadable(what, value);
}

/** The entries of an options object; a missing argument is no options. */
export function entriesOf(value: StaticValue, what: string): ReadonlyMap<string, StaticValue> {
  if (value.kind === "undefined" || value.kind === "null") return new Map();
  if (value.kind === "object") return value.entries;
  return unreadable(what, value);
}

/** A boolean option: absent or undefined is false; anything not constant gives up. */
export function flagOf(entries: ReadonlyMap<string, StaticValue>, key: string, what: string): boolean {
  const value = entries.get(key);
  if (!value || value.kind === "undefined" || value.kind === "null") return false;
  if (value.kind === "boolean") return value.value;
  if (value.kind === "number" || value.kind === "string") return Boolean(value.value);
  return unreadable(`${what} \`${key}\``, value);
}

/** An optional string option. */
export function optionalString(entries: ReadonlyMap<string, StaticValue>, key: string, what: string): string | undefined {
  const value = entries.get(key);
  if (!value || value.kind === "undefined" || value.kind === "null") return undefined;
  return stringOf(value, `${what} \`${key}\``);
}

/** The node a finding should land on: `node` when it lies inside `container` (the call), else the call itself. */
export function within(node: ESTree.Node | undefined, container: ESTree.Node): ESTree.Node {
  const [start, end] = (container as Node).range ?? [0, 0];
  const range = (node as Node | undefined)?.range;
  return range && range[0] >= start && range[1] <= end && range[1] > range[0] ? node! : container;
}

/** One builder call: its arguments as static values, and SQL pieces mapped to the code they come from. */
export class BuilderCall {
  constructor(
    readonly call: ESTree.CallExpression,
    readonly values: StaticReader,
  ) {}

  arg(i: number): StaticValue {
    const arg = this.call.arguments[i];
    return this.values.read(arg && arg.type !== "SpreadElement" ? arg : undefined);
  }

  at(value: StaticValue | undefined): ESTree.Node {
    return within(value?.node, this.call);
  }

  /** One statement per entry (a framework may send several in one query, as Sequelize does for changeColumn). */
  statements(...texts: readonly (string | PieceList)[]): Operation[] {
    return texts.map((text) => ({ kind: "sql", pieces: typeof text === "string" ? new PieceList().add(text, this.call).pieces : text.pieces, node: this.call }));
  }
}

export interface BuilderApi<Call extends BuilderCall> {
  /** The framework as named in what could not be read: "Sequelize", "TypeORM", "node-pg-migrate". */
  readonly framework: string;
  /** The handle its migrations receive by convention (`queryInterface`, `queryRunner`, `pgm`). */
  readonly handle: string;
  /** A method as named in the not-analysed reason: "`queryInterface.x`", or just "`x`". */
  readonly methodLabel: (method: string) => string;
  /** The SQL each translated method sends. */
  readonly operations: Readonly<Record<string, (call: Call) => Operation[]>>;
  /** Methods that change nothing a rule is about. */
  readonly noEffect: ReadonlySet<string>;
  readonly callOf: (call: ESTree.CallExpression, context: TranslateContext) => Call;
}

/**
 * The translator of a builder API: `<handle>.<method>(…)` (or the method called on whatever the enclosing up/down
 * function names its handle) becomes that method's SQL; a method it does not know is reported as not analysed.
 */
export function builderTranslator<Call extends BuilderCall>(api: BuilderApi<Call>): Translator {
  return (call, context) => {
    const callee = unwrapExpression(call.callee as Node);
    if (callee.type !== "MemberExpression" || callee.computed || callee.property.type !== "Identifier") return undefined;
    const receiver = memberPath(callee.object);
    // `queryInterface.sequelize.transaction(…)` has a longer receiver: not ours, so its callback's calls are read one by one.
    if (receiver === undefined || receiver.includes(".") || !(receiver === api.handle || isMigrationHandle(call as Node, receiver))) return undefined;
    const method = callee.property.name;
    const translate = api.operations[method];
    if (translate) return translateCall(api.framework, method, call, () => translate(api.callOf(call, context)));
    if (api.noEffect.has(method)) return [];
    return [
      {
        kind: "not-analysed",
        reason: `${api.framework} ${api.methodLabel(method)} is not translated to SQL by this linter; check by hand which lock it takes on which table`,
        node: call,
      },
    ];
  };
}
