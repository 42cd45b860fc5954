/**
 * From a migration's text to ready-to-run backfills: find the unbounded UPDATEs, settle each one's key (the `--key`
 * option, else the migration history, else the database's catalog) and what is known of the columns it writes,
 * then plan the batches and the verification checks. The sources of facts come in as functions, so this stays
 * free of I/O decisions: the CLI decides whether a database may be asked.
 */
import { analyzeMigration } from "../context/migration-context.js";
import { markerKind } from "../context/conventions.js";
import { DEFAULT_SETTINGS } from "../context/settings.js";
import { parseDocument } from "../sql/document.js";
import { formatName, quoteIdent, type QualifiedName } from "../sql/names.js";
import type { ParsedStatement } from "../sql/statement.js";
import type { Check } from "../verify/check.js";
import { inferTransitions } from "../verify/index.js";
import { factsFromHistory, type CatalogTable, type ColumnFacts, type HistoryStatement, type KeyColumn, type TableKey } from "./keys.js";
import { planBackfill, type BackfillPlan } from "./plan.js";
import { backfillId } from "./state.js";
import { findBackfills, type RefusedTarget } from "./targets.js";
import { backfillChecks } from "./verification.js";

export interface PreparedBackfill {
  /** Identity for the state file: changes when the UPDATE, its table or its key change. */
  readonly id: string;
  readonly plan: BackfillPlan;
  readonly checks: readonly Check[];
}

export interface PrepareInput {
  readonly text: string;
  /** The migration's path (conventions, messages); undefined for `--sql`. */
  readonly file?: string | undefined;
  /** `--key`, already parsed. */
  readonly key?: readonly string[] | undefined;
  /** The statements that ran before the UPDATE (see history.ts). */
  readonly history?: ((upTo: ParsedStatement) => HistoryStatement[]) | undefined;
  /**
   * The table as the database sees it, or undefined when there is no such table; absent when no database may be
   * asked. With `needCatalog` it is always asked (a run needs the key's types); otherwise only for a missing key.
   */
  readonly catalog?: ((table: QualifiedName) => Promise<CatalogTable | undefined>) | undefined;
  readonly needCatalog?: boolean;
}

export interface Prepared {
  readonly backfills: readonly PreparedBackfill[];
  readonly refused: readonly RefusedTarget[];
  /** Statements the parser could not read: an UPDATE among them would not be seen. */
  readonly unchecked: readonly { readonly line: number; readonly reason: string }[];
}

export async function prepareBackfills(input: PrepareInput): Promise<Prepared> {
  const outcome = parseDocument(input.text, { markerKind });
  if (!outcome.ok) {
    return { backfills: [], refused: [], unchecked: [{ line: outcome.source.positionOf(outcome.index).line, reason: outcome.message }] };
  }
  const { document } = outcome;
  const contexts = analyzeMigration(document, DEFAULT_SETTINGS, input.file);
  const found = findBackfills(document, contexts);
  const transitions = found.targets.length ? inferTransitions(document, contexts, input.file) : [];
  const unchecked = document.statements.flatMap((s) => (s.checked ? [] : [{ line: s.loc.start.line, reason: s.reason }]));
  const backfills: PreparedBackfill[] = [];
  const refused: RefusedTarget[] = [...found.refused];
  for (const target of found.targets) {
    const refuse = (reason: string): void => void refused.push({ statement: target.statement, line: target.line, reason });
    const history = factsFromHistory(target.table, input.history?.(target.statement) ?? []);
    let catalog: CatalogTable | undefined;
    const needKey = !input.key && !history.key;
    if (input.catalog && (input.needCatalog || needKey)) {
      catalog = await input.catalog(target.table);
      if (!catalog && input.needCatalog) {
        refuse(`the table ${formatName(target.table)} does not exist in the database`);
        continue;
      }
    }
    let key: TableKey;
    if (input.key) key = { columns: input.key.map((name) => ({ name })), source: { kind: "option" } };
    else if (history.key) key = history.key;
    else if (catalog?.primaryKey.length) key = { columns: catalog.primaryKey, source: { kind: "database" } };
    else {
      const where = catalog ? "it has none in the database" : input.catalog ? "the table is not in the database" : "no migration before it creates the table with one, and no database was given (--database-url or DATABASE_URL)";
      refuse(`no primary key found for ${formatName(target.table)} (${where}); give the key to walk with --key, e.g. --key id`);
      continue;
    }
    if (catalog) {
      const missing = key.columns.find((c) => !catalog!.columns.has(c.name));
      if (missing) {
        refuse(`the key column ${quoteIdent(missing.name)} is not a column of ${formatName(target.table)} in the database`);
        continue;
      }
      // The database knows the real types: cursor values are cast to them.
      key = { ...key, columns: key.columns.map((c): KeyColumn => ({ name: c.name, type: catalog!.columns.get(c.name)?.type ?? c.type })) };
    }
    const facts = new Map<string, ColumnFacts>(history.columns);
    for (const [name, value] of catalog?.columns ?? []) facts.set(name, value);
    const planned = planBackfill(target, key, facts, document.source);
    if (!planned.ok) {
      refuse(planned.reason);
      continue;
    }
    const { plan } = planned;
    const id = backfillId([
      formatName(target.table),
      key.columns.map((c) => c.name).join(","),
      ...plan.assignments.map((a) => `${a.column}=${a.expression}`),
      ...plan.conditions,
    ]);
    backfills.push({ id, plan, checks: backfillChecks(plan, input.file, transitions) });
  }
  refused.sort((a, b) => a.line - b.line);
  return { backfills, refused, unchecked };
}
