/**
 * With type information (typescript-eslint's project service), whether the object a property is read from is a row
 * of a table: its type is named after the table (`User` for users, a Prisma model) or has at least two of the
 * table's columns as properties. Then `widget.displayName` is not mistaken for `users.display_name`, and
 * `user.displayName` is matched in camelCase too. Without type information every object is "unknown".
 */
import type { TSESTree } from "@typescript-eslint/utils";
import type { QualifiedName } from "../sql/names.js";
import type { Catalog } from "./catalog.js";

export type TypeVerdict = { readonly kind: "unknown" } | { readonly kind: "unrelated" } | { readonly kind: "row"; readonly tables: readonly QualifiedName[] };

/** The parts of TypeScript's API used here, so `typescript` is not imported (it is there whenever a program is). */
interface TsType {
  flags: number;
  aliasSymbol?: { name: string };
  getSymbol(): { name: string } | undefined;
  isUnion(): this is { types: TsType[] };
  isIntersection(): this is { types: TsType[] };
}
interface TsChecker {
  getTypeAtLocation(node: unknown): TsType;
  getNonNullableType(type: TsType): TsType;
  getPropertiesOfType(type: TsType): { name: string }[];
  getIndexInfosOfType(type: TsType): readonly unknown[];
}
export interface TypeServices {
  readonly checker: TsChecker;
  readonly map: { get(node: TSESTree.Node): unknown };
}

/** ts.TypeFlags: Any | Unknown | Never, and the primitive kinds that have no columns. */
const ANY_OR_UNKNOWN = 1 | 2;
const PRIMITIVE = 4 | 8 | 16 | 32 | 64 | 128 | 256 | 512 | 1024 | 2048 | 4096 | 8192 | 16384 | 32768 | 65536 | 131072;
/** Names TypeScript gives anonymous types and built-in containers: they say nothing about a table. */
const ANONYMOUS = new Set(["__type", "__object", "Object", "Array", "ReadonlyArray", "Promise", "Record", "Partial", "Pick", "Omit"]);

/** The type services of a rule context, when the file has type information. */
export function typeServices(parserServices: unknown): TypeServices | undefined {
  const services = parserServices as { program?: { getTypeChecker(): TsChecker } | null; esTreeNodeToTSNodeMap?: { get(node: TSESTree.Node): unknown } } | undefined;
  if (!services?.program || !services.esTreeNodeToTSNodeMap) return undefined;
  return { checker: services.program.getTypeChecker(), map: services.esTreeNodeToTSNodeMap };
}

export function rowTypeOf(node: TSESTree.Node, services: TypeServices, catalog: Catalog): TypeVerdict {
  const { checker } = services;
  let type: TsType;
  try {
    type = checker.getNonNullableType(checker.getTypeAtLocation(services.map.get(node)));
  } catch {
    return { kind: "unknown" };
  }
  const parts = type.isUnion() ? type.types : [type];
  const tables: QualifiedName[] = [];
  let opaque = false;
  for (const part of parts) {
    if (part.flags & ANY_OR_UNKNOWN) opaque = true;
    else if (part.flags & PRIMITIVE) continue;
    else if (checker.getIndexInfosOfType(part).length > 0) opaque = true; // Record<string, unknown>, pg's QueryResultRow
    else tables.push(...tablesOfObjectType(part, checker, catalog));
  }
  if (tables.length > 0) return { kind: "row", tables };
  return opaque ? { kind: "unknown" } : { kind: "unrelated" };
}

function tablesOfObjectType(type: TsType, checker: TsChecker, catalog: Catalog): QualifiedName[] {
  const name = type.aliasSymbol?.name ?? type.getSymbol()?.name;
  const named = name && !ANONYMOUS.has(name) ? catalog.tablesNamedLike(name) : [];
  if (named.length > 0) return named;
  const properties = checker.getPropertiesOfType(type).map((p) => p.name);
  const candidates = [...catalog.model.tables.map((t) => t.name), ...catalog.model.transitions.map((t) => t.table)];
  return candidates.filter((table, i) => {
    if (candidates.findIndex((c) => c.name === table.name && c.schema === table.schema) !== i) return false;
    const columns = catalog.knownColumns(table);
    const matched = properties.filter((p) => columns.some((c) => catalog.spells(table, p, c)));
    return matched.length >= 2;
  });
}
