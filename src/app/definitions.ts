/**
 * Table definitions written in code: a Drizzle `pgTable("users", { displayName: text("display_name") })` or a
 * TypeORM `@Entity("users") class User { @Column({ name: "full_name" }) fullName }` — in the linted file or in the
 * module it imports the name from (relative imports, re-exports; with type information also path aliases).
 * Imported modules are parsed with the linted file's own parser and cached per file version.
 */
import { readFileSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { TSESLint, TSESTree } from "@typescript-eslint/utils";
import * as ASTUtils from "@typescript-eslint/utils/ast-utils";
import type { QualifiedName } from "../sql/names.js";
import { snakeCase } from "./names.js";

export interface TableDefinition {
  readonly table: QualifiedName;
  /** JS property name → the column it stores (explicit in the definition, or the property name itself). */
  readonly columns: ReadonlyMap<string, string>;
  readonly kind: "drizzle" | "typeorm";
}

type Node = TSESTree.Node;
type Program = TSESTree.Program;

interface ParserLike {
  parse?: (text: string, options?: unknown) => unknown;
  parseForESLint?: (text: string, options?: unknown) => { ast: unknown };
}

/** Minimal view of the TypeScript checker we use, so `typescript` need not be imported. */
interface TypeScriptServices {
  program: { getTypeChecker(): { getSymbolAtLocation(node: unknown): TsSymbol | undefined; getAliasedSymbol(symbol: TsSymbol): TsSymbol } };
  esTreeNodeToTSNodeMap: { get(node: Node): unknown };
}
interface TsSymbol {
  name: string;
  flags: number;
  declarations?: { getSourceFile(): { fileName: string } }[];
}
/** ts.SymbolFlags.Alias: an import binding, resolved by getAliasedSymbol. */
const SYMBOL_ALIAS = 2097152;

const modules = new Map<string, { stamp: string; program: Program | null }>();

export class Definitions {
  readonly #context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>;
  readonly #cache = new Map<object, TableDefinition | null>();

  constructor(context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>) {
    this.#context = context;
  }

  /** The Drizzle table or TypeORM entity an identifier in the linted file names (resolved once per variable). */
  tableOf(identifier: TSESTree.Identifier): TableDefinition | undefined {
    const variable = ASTUtils.findVariable(this.#context.sourceCode.getScope(identifier), identifier);
    if (!variable) return undefined;
    if (this.#cache.has(variable)) return this.#cache.get(variable) ?? undefined;
    const found = this.#resolve(identifier, variable) ?? null;
    this.#cache.set(variable, found);
    return found ?? undefined;
  }

  #resolve(identifier: TSESTree.Identifier, variable: TSESLint.Scope.Variable): TableDefinition | undefined {
    const def = variable.defs[0];
    if (!def) return undefined;
    if (def.type === "Variable" && def.node.type === "VariableDeclarator" && def.node.init) return definitionOf(def.node.init);
    if (def.type === "ClassName" && (def.node.type === "ClassDeclaration" || def.node.type === "ClassExpression")) return entityOf(def.node);
    if (def.type === "ImportBinding") {
      const declaration = def.parent as TSESTree.ImportDeclaration;
      const imported =
        def.node.type === "ImportSpecifier"
          ? def.node.imported.type === "Identifier"
            ? def.node.imported.name
            : String(def.node.imported.value)
          : def.node.type === "ImportDefaultSpecifier"
            ? "default"
            : undefined;
      if (!imported) return undefined;
      const source = String(declaration.source.value);
      // The file name may be relative (to ESLint's working directory) when the linter is given text, not a file.
      const directory = resolve(this.#context.cwd, dirname(this.#context.filename));
      const file = source.startsWith(".") ? resolveModule(directory, source) : this.#fileFromTypes(identifier);
      return file ? this.#exported(file, imported, 0) : undefined;
    }
    return undefined;
  }

  /** With type information, where an imported name is declared (path aliases, package subpaths). */
  #fileFromTypes(identifier: TSESTree.Identifier): string | undefined {
    const services = this.#context.sourceCode.parserServices as Partial<TypeScriptServices> | undefined;
    if (!services?.program || !services.esTreeNodeToTSNodeMap) return undefined;
    const checker = services.program.getTypeChecker();
    let symbol = checker.getSymbolAtLocation(services.esTreeNodeToTSNodeMap.get(identifier));
    if (symbol && symbol.flags & SYMBOL_ALIAS) symbol = checker.getAliasedSymbol(symbol);
    const file = symbol?.declarations?.[0]?.getSourceFile().fileName;
    return file && !file.endsWith(".d.ts") ? file : undefined;
  }

  /** The definition exported under `name` by a module file, following re-exports a few levels deep. */
  #exported(file: string, name: string, depth: number): TableDefinition | undefined {
    if (depth > 4) return undefined;
    const program = this.#parse(file);
    if (!program) return undefined;
    const lookup = localLookup(program);
    for (const statement of program.body) {
      if (statement.type === "ExportNamedDeclaration") {
        const declared = statement.declaration;
        if (declared?.type === "VariableDeclaration") {
          for (const d of declared.declarations) if (d.id.type === "Identifier" && d.id.name === name && d.init) return definitionOf(d.init);
        } else if (declared?.type === "ClassDeclaration" && declared.id?.name === name) return entityOf(declared);
        for (const specifier of statement.specifiers) {
          const exported = specifier.exported.type === "Identifier" ? specifier.exported.name : String(specifier.exported.value);
          if (exported !== name) continue;
          const local = specifier.local.type === "Identifier" ? specifier.local.name : String(specifier.local.value);
          if (statement.source) {
            const next = resolveModule(dirname(file), String(statement.source.value));
            return next ? this.#exported(next, local, depth + 1) : undefined;
          }
          return lookup(local);
        }
      } else if (statement.type === "ExportDefaultDeclaration" && name === "default") {
        const declared = statement.declaration;
        if (declared.type === "ClassDeclaration") return entityOf(declared);
        if (declared.type === "Identifier") return lookup(declared.name);
        return definitionOf(declared);
      }
    }
    for (const statement of program.body) {
      if (statement.type === "ExportAllDeclaration" && !statement.exported) {
        const next = resolveModule(dirname(file), String(statement.source.value));
        const found = next ? this.#exported(next, name, depth + 1) : undefined;
        if (found) return found;
      }
    }
    return undefined;
  }

  #parse(file: string): Program | null {
    let stamp: string;
    try {
      const stats = statSync(file);
      stamp = `${stats.size}:${stats.mtimeMs}`;
    } catch {
      return null;
    }
    const hit = modules.get(file);
    if (hit && hit.stamp === stamp) return hit.program;
    let program: Program | null = null;
    const parser = this.#context.languageOptions.parser as ParserLike | undefined;
    const options = { ecmaVersion: "latest", sourceType: "module", range: true, loc: true, filePath: file, jsx: /x$/.test(file) };
    try {
      const text = readFileSync(file, "utf8");
      // Without a project: a plain parse, no type information is needed from the other module.
      const result = parser?.parseForESLint ? parser.parseForESLint(text, options).ast : parser?.parse?.(text, options);
      program = (result as Program | undefined) ?? null;
    } catch {
      program = null; // a module that does not parse defines nothing we can use
    }
    modules.set(file, { stamp, program });
    return program;
  }
}

/** A function finding a top-level declaration of a module by name. */
type Lookup = (name: string) => TableDefinition | undefined;

function localLookup(program: Program): Lookup {
  return (name) => {
    for (const statement of program.body) {
      const declared = statement.type === "ExportNamedDeclaration" ? statement.declaration : statement;
      if (declared?.type === "VariableDeclaration") {
        for (const d of declared.declarations) if (d.id.type === "Identifier" && d.id.name === name && d.init) return definitionOf(d.init);
      } else if (declared?.type === "ClassDeclaration" && declared.id?.name === name) return entityOf(declared);
    }
    return undefined;
  };
}

const unwrap = (node: Node): Node => {
  let current = node;
  while (current.type === "TSAsExpression" || current.type === "TSSatisfiesExpression" || current.type === "TSNonNullExpression") current = current.expression;
  return current;
};

const stringOf = (node: Node | undefined): string | undefined => {
  if (!node) return undefined;
  const n = unwrap(node);
  if (n.type === "Literal" && typeof n.value === "string") return n.value;
  if (n.type === "TemplateLiteral" && n.expressions.length === 0) return n.quasis[0]?.value.cooked ?? undefined;
  return undefined;
};

/** `pgTable("users", { … })`, `pgSchema("app").table("users", { … })`, `schema.table(…)` (schema from pgSchema). */
function definitionOf(init: Node): TableDefinition | undefined {
  const call = unwrap(init);
  if (call.type !== "CallExpression") return undefined;
  const callee = unwrap(call.callee);
  let schema: string | undefined;
  if (callee.type === "Identifier") {
    if (callee.name !== "pgTable" && callee.name !== "pgView" && callee.name !== "pgMaterializedView") return undefined;
  } else if (callee.type === "MemberExpression" && callee.property.type === "Identifier" && callee.property.name === "table") {
    const object = unwrap(callee.object);
    if (object.type === "CallExpression" && unwrap(object.callee).type === "Identifier" && (unwrap(object.callee) as TSESTree.Identifier).name === "pgSchema") {
      schema = stringOf(object.arguments[0]);
    } else if (object.type !== "Identifier") return undefined; // a schema variable: the table is taken without its schema
  } else return undefined;
  const table = stringOf(call.arguments[0]);
  if (!table) return undefined;
  let shape = call.arguments[1] ? unwrap(call.arguments[1]) : undefined;
  // Drizzle also takes a function returning the columns: `pgTable("t", (t) => ({ … }))`.
  if (shape && (shape.type === "ArrowFunctionExpression" || shape.type === "FunctionExpression") && shape.body.type !== "BlockStatement") shape = unwrap(shape.body);
  const columns = new Map<string, string>();
  if (shape?.type === "ObjectExpression") {
    for (const property of shape.properties) {
      if (property.type !== "Property" || property.computed) continue;
      const key = property.key.type === "Identifier" ? property.key.name : stringOf(property.key);
      if (!key) continue;
      columns.set(key, columnNameOf(property.value) ?? key);
    }
  }
  return { table: schema ? { schema, name: table } : { name: table }, columns, kind: "drizzle" };
}

/** The name given to a Drizzle column builder: `text("full_name").notNull()` → full_name. */
function columnNameOf(value: Node): string | undefined {
  let node = unwrap(value);
  while (node.type === "CallExpression") {
    const callee = unwrap(node.callee);
    if (callee.type === "MemberExpression") {
      node = unwrap(callee.object);
      continue;
    }
    return stringOf(node.arguments[0]);
  }
  return undefined;
}

const decoratorName = (decorator: TSESTree.Decorator): string | undefined => {
  const expression = decorator.expression;
  const callee = expression.type === "CallExpression" ? expression.callee : expression;
  return callee.type === "Identifier" ? callee.name : callee.type === "MemberExpression" && callee.property.type === "Identifier" ? callee.property.name : undefined;
};

const decoratorArgs = (decorator: TSESTree.Decorator): Node[] => (decorator.expression.type === "CallExpression" ? decorator.expression.arguments : []);

/** The `name` (and `schema`) of an options object among a decorator's arguments. */
function option(args: readonly Node[], key: string): string | undefined {
  for (const arg of args) {
    const n = unwrap(arg);
    if (n.type !== "ObjectExpression") continue;
    for (const p of n.properties) {
      if (p.type === "Property" && !p.computed && p.key.type === "Identifier" && p.key.name === key) return stringOf(p.value);
    }
  }
  return undefined;
}

/** A TypeORM entity: `@Entity("users")` / `@Entity({ name, schema })`, else the class name in snake_case. */
function entityOf(declaration: TSESTree.ClassDeclaration | TSESTree.ClassExpression): TableDefinition | undefined {
  const entity = declaration.decorators.find((d) => decoratorName(d) === "Entity" || decoratorName(d) === "ViewEntity");
  if (!entity) return undefined;
  const args = decoratorArgs(entity);
  const table = stringOf(args[0]) ?? option(args, "name") ?? (declaration.id ? snakeCase(declaration.id.name) : undefined);
  if (!table) return undefined;
  const schema = option(args, "schema");
  const columns = new Map<string, string>();
  for (const member of declaration.body.body) {
    if (member.type !== "PropertyDefinition" || member.computed || member.key.type !== "Identifier") continue;
    const column = member.decorators.find((d) => /Column$/.test(decoratorName(d) ?? ""));
    if (!column) continue;
    columns.set(member.key.name, option(decoratorArgs(column), "name") ?? member.key.name);
  }
  return { table: schema ? { schema, name: table } : { name: table }, columns, kind: "typeorm" };
}

const EXTENSIONS = [".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"];

/** The file a relative import names: as written, with an extension, TS's `.js` → `.ts`, or an index file. */
function resolveModule(fromDirectory: string, specifier: string): string | undefined {
  const base = resolve(fromDirectory, specifier);
  const candidates = [
    base,
    ...EXTENSIONS.map((e) => base + e),
    ...(/\.(m|c)?js$/.test(base) ? [".ts", ".tsx", ".mts", ".cts"].map((e) => base.replace(/\.(m|c)?js$/, e)) : []),
    ...EXTENSIONS.map((e) => resolve(base, `index${e}`)),
  ];
  return candidates.find((file) => {
    try {
      return statSync(file).isFile();
    } catch {
      return false;
    }
  });
}
