/**
 * Reading the arguments of a builder call (node-pg-migrate, Sequelize, TypeORM) as static values, and giving up
 * precisely: a translator throws `Unreadable` with what it could not read, and `translateCall` turns that into a
 * not-analysed operation on the call, so an unknown flag never silently becomes a guess.
 */
import type * as ESTree from "estree";
import { describeValue, type StaticValue } from "../static-value.js";
import type { Operation } from "./types.js";

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
