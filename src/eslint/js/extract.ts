/**
 * From a JS/TS migration file to the SQL it runs: every raw SQL string and every schema-builder call, in source order,
 * split into its `up` and `down` parts, assembled into one SQL text that the engine parses and the rules check like
 * a .sql migration — with a map back to the code for reporting.
 */
import type { SourceCode } from "eslint";
import type * as ESTree from "estree";
import type { MigrationConvention, MigrationTool } from "../../context/conventions.js";
import { parseDocument, uncheckedDocument, type SqlDocument } from "../../sql/document.js";
import { SourceText, type Location, type Position, type Range } from "../../sql/source-text.js";
import type { Statement } from "../../sql/statement.js";
import { knexTranslator } from "./frameworks/knex.js";
import { kyselyTranslator } from "./frameworks/kysely.js";
import { nodePgMigrateTranslator } from "./frameworks/node-pg-migrate.js";
import { isChainTop } from "./frameworks/pieces.js";
import { rawSqlCall, taggedSql } from "./frameworks/raw-sql.js";
import { sequelizeTranslator } from "./frameworks/sequelize.js";
import type { Operation, TranslateContext, Translator } from "./frameworks/types.js";
import { typeormTranslator } from "./frameworks/typeorm.js";
import { detectFramework, JS_FRAMEWORKS, optsOutOfTransaction, phaseOf, transactionModeOf, walk, type JsFramework } from "./migration-shape.js";
import { rangeOf, SqlTextReader } from "./sql-text.js";
import { StaticReader } from "./static-value.js";
import { SyntheticSql } from "./synthetic-sql.js";

export interface EmbeddedMigration {
  readonly framework: JsFramework;
  readonly synthetic: SyntheticSql;
  /** The SQL of the file as a document: sections up, then down. */
  readonly document: SqlDocument;
  /** How the framework runs each section, by its default and the file's own opt-outs. */
  readonly convention: MigrationConvention;
  /** Per section: the file itself opts out of the framework's transaction (`pgm.noTransaction()`, …). */
  readonly optsOut: readonly boolean[];
}

/**
 * The convention with the `transactionPerFile` setting applied: `false` (the runner wraps nothing, e.g. Kysely's
 * `disableTransactions`) makes every section run statement by statement; `true` wraps every section the file does
 * not itself opt out of.
 */
export function conventionFor(embedded: EmbeddedMigration, transactionPerFile: boolean | undefined): MigrationConvention {
  if (transactionPerFile === undefined) return embedded.convention;
  return {
    ...embedded.convention,
    sections: embedded.convention.sections.map((section, i) => ({
      ...section,
      transaction: transactionPerFile && !embedded.optsOut[i] ? ("wrapped" as const) : ("autocommit" as const),
    })),
  };
}

/** Per framework, the translators of its builder calls (raw SQL is recognised in every file). */
const BUILDERS: Partial<Record<JsFramework, Translator>> = {
  knex: knexTranslator,
  kysely: kyselyTranslator,
  "node-pg-migrate": nodePgMigrateTranslator,
  sequelize: sequelizeTranslator,
  typeorm: typeormTranslator,
};

const SECTION = (phase: "up" | "down") => `-- @migration-safety section ${phase}\n`;
const sectionMarker = (value: string) => (/^ @migration-safety section (up|down)$/.test(value) ? ("section" as const) : null);

const cache = new WeakMap<object, Map<string, EmbeddedMigration | null>>();

/**
 * The SQL a JS/TS migration runs; null when the file runs none (not a migration, or an empty one). `tool` is the
 * `migrationTool` setting: a JS framework named there is used instead of the one recognised from the file.
 */
export function extractMigration(sourceCode: SourceCode, tool?: string): EmbeddedMigration | null {
  const program = sourceCode.ast as unknown as ESTree.Program;
  const forced = (JS_FRAMEWORKS as readonly string[]).includes(tool ?? "") && tool !== "unknown" ? (tool as JsFramework) : undefined;
  let perTool = cache.get(program);
  if (!perTool) cache.set(program, (perTool = new Map()));
  const key = forced ?? "auto";
  if (perTool.has(key)) return perTool.get(key)!;
  const result = extract(sourceCode, program, forced);
  perTool.set(key, result);
  return result;
}

function extract(sourceCode: SourceCode, program: ESTree.Program, forced: JsFramework | undefined): EmbeddedMigration | null {
  const framework = forced ?? detectFramework(program, sourceCode.text);
  const context: TranslateContext = { sourceCode, reader: new SqlTextReader(sourceCode), values: new StaticReader(sourceCode), handles: handleNames(program) };
  const builder = BUILDERS[framework];
  const operations: Record<"up" | "down", Operation[]> = { up: [], down: [] };
  const consumed = new Set<ESTree.Node>();

  walk(program, (node) => {
    if (consumed.has(node)) return;
    let found: readonly Operation[] | undefined;
    if (node.type === "CallExpression") {
      found = rawSqlCall(node, context) ?? (builder && isChainTop(node) ? builder(node, context) : undefined);
    } else if (node.type === "TaggedTemplateExpression") {
      found = taggedSql(node, context);
    }
    if (!found) return;
    // Whatever a recognised call contains was read with it: do not read its parts again. A call that yields nothing
    // itself (knex's alterTable) leaves its callback's calls to be translated where they stand.
    if (found.length > 0) walk(node, (inner) => inner !== node && consumed.add(inner));
    const phase = phaseOf(node as never) ?? "up";
    operations[phase].push(...found);
  });
  if (operations.up.length === 0 && operations.down.length === 0) return null;

  const synthetic = new SyntheticSql();
  const reasons = new Map<string, string>();
  /** Synthetic ranges of the texts each sent as one query string. */
  const queries: [number, number][] = [];
  for (const phase of ["up", "down"] as const) {
    synthetic.appendGlue(SECTION(phase));
    for (const operation of operations[phase]) {
      if (operation.kind === "sql") {
        const start = synthetic.text.length;
        for (const piece of operation.pieces) synthetic.append(piece.text, piece.mapping, piece.placeholderFor);
        if (operation.oneQuery) queries.push([start, synthetic.text.length]);
      } else {
        // A name that cannot parse as a statement: it becomes an UncheckedStatement in place, given its reason below.
        const sentinel = `__migration_safety_not_analysed_${reasons.size}__`;
        reasons.set(sentinel, operation.reason);
        synthetic.append(sentinel, { kind: "span", range: rangeOf(operation.node) });
      }
      // A newline first, so a trailing line comment in the SQL cannot swallow the separator.
      synthetic.appendGlue("\n;\n");
    }
  }

  const tool = framework === "unknown" ? ("plain" as MigrationTool) : (framework as MigrationTool);
  const phases = ["up", "down"] as const;
  const convention: MigrationConvention = {
    tool,
    sections: phases.map((phase) => ({ phase, transaction: transactionModeOf(framework, program, sourceCode.text, phase) })),
  };
  const optsOut = phases.map((phase) => optsOutOfTransaction(framework, program, phase));
  const outcome = parseDocument(synthetic.text, { markerKind: sectionMarker });
  if (!outcome.ok) {
    // The SQL cannot be split into statements at all (an unterminated string): report it whole as not checked.
    const document = uncheckedDocument(synthetic.text, [outcome.index, synthetic.text.length], outcome.message);
    return { framework, synthetic, convention, optsOut, document: inFileCoordinates(document, synthetic, sourceCode) };
  }
  const document = inFileCoordinates(withReasons(outcome.document, reasons, synthetic), synthetic, sourceCode);
  return { framework, synthetic, convention: { ...convention, sentTogether: sentTogether(document, queries) }, optsOut, document };
}

/** Top-level statements that share a query string with others, mapped to the first statement of that string. */
function sentTogether(document: SqlDocument, queries: readonly [number, number][]): Map<number, number> {
  const together = new Map<number, number>();
  for (const [start, end] of queries) {
    const inQuery = document.body.filter((s) => s.range[0] >= start && s.range[0] < end);
    if (inQuery.length < 2) continue;
    for (const statement of inQuery) together.set(statement.index, inQuery[0]!.index);
  }
  return together;
}

/**
 * Positions of the assembled SQL, told as the JS/TS file's: what a rule prints as "the BEGIN on line 4" or "syntax
 * error … (line 4, column 9)" is line 4 of the file, not of the SQL text. Offsets, text and bytes stay the SQL's.
 */
class FileCoordinates extends SourceText {
  readonly #synthetic: SyntheticSql;
  readonly #file: SourceCode;

  constructor(synthetic: SyntheticSql, file: SourceCode) {
    super(synthetic.text);
    this.#synthetic = synthetic;
    this.#file = file;
  }

  override positionOf(index: number): Position {
    return this.#file.getLocFromIndex(this.#synthetic.toSource([index, index + 1])[0]);
  }

  override locationOf(range: Range): Location {
    const [start, end] = this.#synthetic.toSource(range);
    return { start: this.#file.getLocFromIndex(start), end: this.#file.getLocFromIndex(end) };
  }
}

function inFileCoordinates(document: SqlDocument, synthetic: SyntheticSql, file: SourceCode): SqlDocument {
  const source = new FileCoordinates(synthetic, file);
  // One new object per statement, shared by `body`, `statements` and a DO block's `inner`.
  const moved = new Map<Statement, Statement>();
  const move = (statement: Statement): Statement => {
    let result = moved.get(statement);
    if (!result) {
      result = { ...statement, loc: source.locationOf(statement.range) } as Statement;
      moved.set(statement, result);
      if (result.checked && result.inner.length > 0) (result as { inner: readonly Statement[] }).inner = result.inner.map(move);
    }
    return result;
  };
  return { ...document, source, body: document.body.map(move), statements: document.statements.map(move) };
}

/**
 * Give unchecked statements the reason that matters to the reader of JS code: a call whose SQL cannot be read (the
 * sentinel statements), or a syntax error that sits on an interpolated value the reader had to guess.
 */
function withReasons(document: SqlDocument, reasons: ReadonlyMap<string, string>, synthetic: SyntheticSql): SqlDocument {
  const replaced = new Map<Statement, Statement>();
  const replace = (statement: Statement): Statement => {
    if (statement.checked) return statement;
    const known = replaced.get(statement);
    if (known) return known;
    let result: Statement = statement;
    const sentinel = reasons.get(statement.text);
    const expression = synthetic.placeholderAt(statement.focus[0]);
    if (sentinel) result = { ...statement, reason: sentinel, focus: statement.range };
    else if (expression) {
      const shown = expression.length > 50 ? `${expression.slice(0, 47)}…` : expression;
      const reason = `the SQL is completed at run time by \`${shown.replace(/\s+/g, " ")}\`, which cannot be read without running the code (${statement.reason})`;
      result = { ...statement, reason };
    }
    replaced.set(statement, result);
    return result;
  };
  return { ...document, body: document.body.map(replace), statements: document.statements.map(replace) };
}

/** The parameter names of the up/down functions: the handles SQL is run through (`knex`, `db`, `queryRunner`…). */
function handleNames(program: ESTree.Program): Set<string> {
  const names = new Set<string>();
  walk(program, (node) => {
    if ((node.type === "FunctionDeclaration" || node.type === "FunctionExpression" || node.type === "ArrowFunctionExpression") && phaseOf(node as never)) {
      for (const param of node.params) if (param.type === "Identifier") names.add(param.name);
    }
  });
  return names;
}
