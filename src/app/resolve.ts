/**
 * From a use in code to the columns it stands for, and the shared pieces of the app rules' messages.
 */
import type { TSESLint } from "@typescript-eslint/utils";
import { formatName, quoteIdent, type QualifiedName } from "../sql/names.js";
import type { Catalog, ColumnFacts } from "./catalog.js";
import { catalogFor } from "./project.js";
import { usesOf, type ColumnUse, type FileUses } from "./uses.js";

export interface Resolved {
  readonly facts: ColumnFacts;
  /** Matched by the column's name alone: the code does not say which table it reads. */
  readonly byName: boolean;
}

/** The interesting columns a use stands for. A name-only match is dropped when another table has it live too. */
export function resolveUse(use: ColumnUse, catalog: Catalog): Resolved[] {
  if (use.table.kind === "known") {
    const out: Resolved[] = [];
    for (const table of use.table.tables) {
      const mapped = use.table.columnOf?.(use.name);
      const facts = mapped !== undefined ? catalog.facts(table, mapped) : catalog.column(table, use.name, use.table.spelling);
      if (facts) out.push({ facts, byName: false });
    }
    return out;
  }
  const found = catalog.columnsNamed(use.name, "exact");
  if (found.length === 0 || catalog.liveElsewhere(use.name, found.map((f) => f.table))) return [];
  return found.map((facts) => ({ facts, byName: true }));
}

/** Everything a rule needs for the linted file: the catalog, the uses, and their resolutions (cached per use). */
export class FileAnalysis {
  readonly catalog: Catalog;
  readonly uses: FileUses;
  readonly #resolved = new Map<ColumnUse, Resolved[]>();
  #byGroup: Map<object, ColumnUse[]> | undefined;

  constructor(context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>) {
    this.catalog = catalogFor(context.cwd, context.settings as Record<string, unknown>);
    this.uses = usesOf(context, this.catalog);
  }

  resolve(use: ColumnUse): Resolved[] {
    let found = this.#resolved.get(use);
    if (!found) this.#resolved.set(use, (found = resolveUse(use, this.catalog)));
    return found;
  }

  /** Whether another use in the same group stands for `column` of `table` (a fallback, a dual write). */
  groupMentions(use: ColumnUse, table: QualifiedName, column: string, access?: "read" | "write"): boolean {
    if (!this.#byGroup) {
      this.#byGroup = new Map();
      for (const u of this.uses.columns) this.#byGroup.set(u.group, [...(this.#byGroup.get(u.group) ?? []), u]);
    }
    return (this.#byGroup.get(use.group) ?? []).some(
      (other) => other !== use && (access === undefined || other.access === access) && this.resolve(other).some((r) => r.facts.column === column && r.facts.table.name === table.name),
    );
  }
}

const analyses = new WeakMap<object, FileAnalysis>();

/** The analysis of the file being linted, shared by the app rules. */
export function analysisFor(context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>): FileAnalysis {
  const key = context.sourceCode.ast;
  let analysis = analyses.get(key);
  if (!analysis) analyses.set(key, (analysis = new FileAnalysis(context)));
  return analysis;
}

/** Message data shared by the app rules. */
export function names(table: QualifiedName, columns: Record<string, string>): Record<string, string> {
  return { table: formatName(table), ...Object.fromEntries(Object.entries(columns).map(([k, v]) => [k, quoteIdent(v)])) };
}

/** Appended to a message when the table was not known: the finding rests on the column's name alone. */
export const byNameNote = (byName: boolean): string => (byName ? " (the code does not say which table this reads: matched by the column's name)" : "");
