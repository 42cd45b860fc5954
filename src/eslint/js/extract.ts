/**
 * From a JS/TS migration file to the SQL it runs: every raw SQL string and every schema-builder call, in source order,
 * split into its `up` and `down` parts, assembled into one SQL text that the engine parses and the rules check like
 * a .sql migration — with a map back to the code for reporting.
 */
import type { SourceCode } from "eslint";
import type * as ESTree from "estree";
import type { MigrationConvention, MigrationTool } from "../../context/conventions.js";
import { parseDocument, uncheckedDocument, type SqlDocument } from "../../sql/document.js";
import type { Statement } from "../../sql/statement.js";
import { knexTranslator } from "./frameworks/knex.js";
import { kyselyTranslator } from "./frameworks/kysely.js";
import { isChainTop } from "./frameworks/pieces.js";
import { rawSqlCall, taggedSql } from "./frameworks/raw-sql.js";
import type { Operation, TranslateContext, Translator } from "./frameworks/types.js";
import { detectFramework, phaseOf, transactionModeOf, walk, type JsFramework } from "./migration-shape.js";
import { rangeOf, SqlTextReader } from "./sql-text.js";
import { SyntheticSql } from "./synthetic-sql.js";

export interface EmbeddedMigration {
  readonly framework: JsFramework;
  readonly synthetic: SyntheticSql;
  /** The SQL of the file as a document: sections up, then down. */
  readonly document: SqlDocument;
  readonly convention: MigrationConvention;
}

/** Per framework, the translators of its builder calls (raw SQL is recognised in every file). */
const BUILDERS: Partial<Record<JsFramework, Translator>> = {
  knex: knexTranslator,
  kysely: kyselyTranslator,
};

const SECTION = (phase: "up" | "down") => `-- @migration-safety section ${phase}\n`;
const sectionMarker = (value: string) => (/^ @migration-safety section (up|down)$/.test(value) ? ("section" as const) : null);

const cache = new WeakMap<object, EmbeddedMigration | null>();

/** The SQL a JS/TS migration runs; null when the file runs none (not a migration, or an empty one). */
export function extractMigration(sourceCode: SourceCode): EmbeddedMigration | null {
  const program = sourceCode.ast as unknown as ESTree.Program;
  if (cache.has(program)) return cache.get(program)!;
  const result = extract(sourceCode, program);
  cache.set(program, result);
  return result;
}

function extract(sourceCode: SourceCode, program: ESTree.Program): EmbeddedMigration | null {
  const framework = detectFramework(program, sourceCode.text);
  const context: TranslateContext = { sourceCode, reader: new SqlTextReader(sourceCode), handles: handleNames(program) };
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
    // Whatever a recognised call contains was read with it: do not read its parts again.
    walk(node, (inner) => inner !== node && consumed.add(inner));
    const phase = phaseOf(node as never) ?? "up";
    operations[phase].push(...found);
  });
  if (operations.up.length === 0 && operations.down.length === 0) return null;

  const synthetic = new SyntheticSql();
  const reasons = new Map<string, string>();
  for (const phase of ["up", "down"] as const) {
    synthetic.appendGlue(SECTION(phase));
    for (const operation of operations[phase]) {
      if (operation.kind === "sql") {
        for (const piece of operation.pieces) synthetic.append(piece.text, piece.mapping, piece.placeholderFor);
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
  const convention: MigrationConvention = {
    tool,
    sections: (["up", "down"] as const).map((phase) => ({ phase, transaction: transactionModeOf(framework, program, sourceCode.text, phase) })),
  };
  const outcome = parseDocument(synthetic.text, { markerKind: sectionMarker });
  if (!outcome.ok) {
    // The SQL cannot be split into statements at all (an unterminated string): report it whole as not checked.
    const document = uncheckedDocument(synthetic.text, [outcome.index, synthetic.text.length], outcome.message);
    return { framework, synthetic, convention, document };
  }
  return { framework, synthetic, convention, document: withReasons(outcome.document, reasons, synthetic) };
}

/**
 * Give unchecked statements the reason that matters to the reader of JS code: a call whose SQL cannot be read (the
 * sentinel statements), or a syntax error that sits on an interpolated value the reader had to guess.
 */
function withReasons(document: SqlDocument, reasons: ReadonlyMap<string, string>, synthetic: SyntheticSql): SqlDocument {
  const replace = (statement: Statement): Statement => {
    if (statement.checked) return statement;
    const sentinel = reasons.get(statement.text);
    if (sentinel) return { ...statement, reason: sentinel, focus: statement.range };
    const expression = synthetic.placeholderAt(statement.focus[0]);
    if (expression) {
      const shown = expression.length > 50 ? `${expression.slice(0, 47)}…` : expression;
      return { ...statement, reason: `the SQL is completed at run time by \`${shown}\`, which cannot be read without running the code (${statement.reason})` };
    }
    return statement;
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
