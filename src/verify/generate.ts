/**
 * Checks from a parsed migration: a pure walk over its statements (not over lint findings — a safe CREATE INDEX
 * CONCURRENTLY still needs its index-valid check) plus one check per column transition. What cannot be checked is
 * returned as a SkippedCheck with the reason, never dropped silently.
 */
import type { AlterTableCmd, Constraint, IndexStmt, Node, TypeName } from "@pgsql/types";
import type { StatementContext } from "../context/migration-context.js";
import type { SqlDocument } from "../sql/document.js";
import { alterTableActionRanges } from "../sql/locate.js";
import { formatName, nameFromList, quoteIdent, relationName, type QualifiedName } from "../sql/names.js";
import { nodeOf, unwrap, type ParsedStatement } from "../sql/statement.js";
import { columnTypeOf, formatTypeName } from "../sql/type-changes.js";
import type { Check, CheckKind, CheckOrigin, SkippedCheck, Transition } from "./check.js";
import { checkExpressionText, trailingExpressionText } from "./expressions.js";
import {
  checkViolationsQuery,
  columnLabel,
  constraintValidatedQuery,
  dependentsQuery,
  duplicatesQuery,
  fkOrphansQuery,
  indexValidQuery,
  nullsQuery,
  queriesQuery,
  transitionQuery,
  typeFitQuery,
  type FitTarget,
} from "./queries.js";
import { inferTransitions, statementOrigin, transitionLabel } from "./transitions.js";

export interface GeneratedChecks {
  readonly checks: Check[];
  readonly skipped: SkippedCheck[];
}

export interface GenerateOptions {
  /** The migration file's path as it should appear in check origins. */
  readonly file?: string;
}

/**
 * The checks for one migration. Transitions: when `transitions` is undefined, those inferred from this migration's
 * backfill UPDATEs; when given, exactly those (the caller has inferred and merged them, e.g. across files).
 */
export function checksForMigration(
  document: SqlDocument,
  contexts: readonly StatementContext[],
  transitions?: readonly Transition[],
  options: GenerateOptions = {},
): Check[] {
  return generateChecks(document, contexts, transitions, options).checks;
}

export function generateChecks(
  document: SqlDocument,
  contexts: readonly StatementContext[],
  transitions?: readonly Transition[],
  options: GenerateOptions = {},
): GeneratedChecks {
  const out = new Collector();
  for (const statement of document.statements) {
    const context = contexts[statement.index];
    if (!statement.checked || !context || context.phase === "down") continue;
    statementChecks(statement, context, statementOrigin(statement, options.file), out);
  }
  for (const transition of transitions ?? inferTransitions(document, contexts, options.file)) out.add(transitionCheck(transition));
  return { checks: out.checks, skipped: out.skipped };
}

class Collector {
  readonly checks: Check[] = [];
  readonly skipped: SkippedCheck[] = [];
  readonly #ids = new Set<string>();

  add(check: Check): void {
    if (this.#ids.has(check.id)) return;
    this.#ids.add(check.id);
    this.checks.push(check);
  }

  skip(kind: CheckKind, object: string, reason: string, origin: CheckOrigin): void {
    this.skipped.push({ kind, object, reason, origin });
  }
}

export function transitionCheck(transition: Transition): Check {
  const label = transitionLabel(transition);
  const to = quoteIdent(transition.to);
  const from = quoteIdent(transition.from);
  const expected = transition.expression ?? from;
  const explanation =
    transition.opaque === undefined
      ? `Counts the rows of ${formatName(transition.table)}, those not backfilled yet (${to} NULL while ${from} is not) and those whose ${to} IS DISTINCT FROM ${expected} (drifted: written by code that does not keep both columns aligned). Both must be 0 before reads move to ${to} and long before ${from} is dropped.`
      : `Counts the rows of ${formatName(transition.table)} and those not backfilled yet (${to} NULL while ${from} is not); drift is not checked because ${transition.opaque}. Missing must be 0 before reads move to ${to}.`;
  return {
    id: `transition:${label}`,
    kind: "transition",
    title: `Backfill of ${formatName(transition.table)}.${to} from ${from} is complete and has not drifted`,
    explanation,
    when: "after",
    ...(transition.origin ? { origin: transition.origin } : {}),
    sql: transitionQuery(`transition:${label}`, transition),
  };
}

function statementChecks(statement: ParsedStatement, context: StatementContext, origin: CheckOrigin, out: Collector): void {
  const index = nodeOf(statement, "IndexStmt");
  if (index) return indexChecks(statement, context, index, origin, out);
  const alter = nodeOf(statement, "AlterTableStmt");
  if (alter && alter.objtype === "OBJECT_TABLE") {
    const table = relationName(alter.relation);
    if (!table) return;
    const ranges = alterTableActionRanges(statement, context.document.source);
    (alter.cmds ?? []).forEach((wrapped, i) => {
      const cmd = unwrap(wrapped, "AlterTableCmd");
      if (cmd) alterChecks(statement, context, table, cmd, ranges[i] ?? statement.range, origin, out);
    });
    return;
  }
  const drop = nodeOf(statement, "DropStmt");
  if (drop?.removeType === "OBJECT_TABLE") {
    for (const object of drop.objects ?? []) {
      const table = nameFromList(unwrap(object, "List")?.items);
      if (table && !context.isNewTable(table)) dropChecks(table, undefined, origin, out);
    }
  }
}

function indexChecks(statement: ParsedStatement, context: StatementContext, index: IndexStmt, origin: CheckOrigin, out: Collector): void {
  const table = relationName(index.relation);
  if (!table) return;
  // An index lives in its table's schema.
  const name: QualifiedName | undefined = index.idxname ? { ...(table.schema ? { schema: table.schema } : {}), name: index.idxname } : undefined;
  if (index.unique && !context.isNewTable(table)) {
    const columns = (index.indexParams ?? []).map((p) => unwrap(p, "IndexElem")?.name);
    const object = name ? formatName(name) : `${formatName(table)}(…)`;
    const predicate = index.whereClause
      ? trailingExpressionText(statement, context.document.source, statement.range, "WHERE", index.whereClause)
      : undefined;
    if (!columns.every((c): c is string => c !== undefined)) {
      out.skip("duplicates", object, "the index has expression columns; look for duplicates of those expressions by hand", origin);
    } else if (index.whereClause && predicate === undefined) {
      out.skip("duplicates", object, "the partial index's WHERE clause could not be isolated from the statement's text", origin);
    } else {
      out.add(duplicatesCheck({ table, columns, ...(predicate ? { predicate } : {}), nullsNotDistinct: index.nulls_not_distinct === true }, origin, name));
    }
  }
  if (index.concurrent) {
    if (!name) {
      out.skip("index-valid", `${formatName(table)}(…)`, "the index has no name, so its validity cannot be looked up; name it", origin);
      return;
    }
    out.add({
      id: `index-valid:${formatName(name)}`,
      kind: "index-valid",
      title: `Index ${formatName(name)} is valid and ready`,
      explanation: `A CREATE INDEX CONCURRENTLY that fails (a duplicate key, a deadlock, a cancelled build) leaves an INVALID index behind: writes keep maintaining it, queries never use it, and IF NOT EXISTS will not rebuild it. pg_index.indisvalid and indisready must both be true.`,
      when: "after",
      origin,
      sql: indexValidQuery(`index-valid:${formatName(name)}`, name),
    });
  }
}

function alterChecks(
  statement: ParsedStatement,
  context: StatementContext,
  table: QualifiedName,
  cmd: AlterTableCmd,
  range: [number, number],
  origin: CheckOrigin,
  out: Collector,
): void {
  const isNew = context.isNewTable(table);
  switch (cmd.subtype) {
    case "AT_AddConstraint": {
      const constraint = unwrap(cmd.def, "Constraint");
      if (constraint && !isNew) constraintChecks(statement, context, table, constraint, origin, out);
      return;
    }
    case "AT_ValidateConstraint":
      if (!cmd.name) return;
      out.add({
        id: `constraint-validated:${formatName(table)}.${quoteIdent(cmd.name)}`,
        kind: "constraint-validated",
        title: `Constraint ${quoteIdent(cmd.name)} on ${formatName(table)} is validated`,
        explanation: `A constraint added NOT VALID is enforced for new rows only; until VALIDATE CONSTRAINT succeeds, pg_constraint.convalidated is false and the planner cannot rely on it (nor can SET NOT NULL skip its scan).`,
        when: "after",
        origin,
        sql: constraintValidatedQuery(`constraint-validated:${formatName(table)}.${quoteIdent(cmd.name)}`, table, cmd.name),
      });
      return;
    case "AT_SetNotNull":
      if (cmd.name && !isNew) out.add(nullsCheck(table, cmd.name, origin));
      return;
    case "AT_AlterColumnType": {
      const def = unwrap(cmd.def, "ColumnDef");
      if (!cmd.name || !def?.typeName || isNew) return;
      const target = fitTarget(def.typeName);
      if (!target) return;
      let using: string | undefined;
      if (def.raw_default) {
        using = trailingExpressionText(statement, context.document.source, range, "USING", def.raw_default);
        if (using === undefined) {
          out.skip("type-fit", columnLabel(table, cmd.name), "the USING expression could not be isolated from the statement's text", origin);
          return;
        }
      }
      const id = `type-fit:${columnLabel(table, cmd.name)}`;
      out.add({
        id,
        kind: "type-fit",
        title: `Every value of ${columnLabel(table, cmd.name)} fits ${target.type}`,
        explanation: `Changing the type to ${target.type} fails on the first value that does not fit — after holding an ACCESS EXCLUSIVE lock for the scan so far. Counts the values${using ? " the USING expression gives" : ""} that would be rejected; it must be 0.`,
        when: "before",
        origin,
        sql: typeFitQuery(id, table, cmd.name, target, using),
      });
      return;
    }
    case "AT_DropColumn":
      if (cmd.name && !isNew) dropChecks(table, cmd.name, origin, out);
      return;
    default:
      return;
  }
}

function constraintChecks(statement: ParsedStatement, context: StatementContext, table: QualifiedName, constraint: Constraint, origin: CheckOrigin, out: Collector): void {
  const notValid = constraint.skip_validation === true;
  const named = constraint.conname ? `${formatName(table)}.${quoteIdent(constraint.conname)}` : undefined;
  const when = notValid ? "after" : "before";
  const validation = notValid
    ? "It was added NOT VALID, so existing rows are not checked yet: these rows make VALIDATE CONSTRAINT fail and must be fixed first."
    : "Adding it checks every existing row under a lock and fails on the first of these.";
  switch (constraint.contype) {
    case "CONSTR_CHECK": {
      const object = named ?? `${formatName(table)}(check)`;
      const expression = constraint.raw_expr ? checkExpressionText(statement, context.document.source, constraint.location, constraint.raw_expr) : undefined;
      if (expression === undefined) {
        out.skip("check-violations", object, "the CHECK expression could not be isolated from the statement's text", origin);
        return;
      }
      out.add({
        id: `check-violations:${object}`,
        kind: "check-violations",
        title: `No row of ${formatName(table)} violates CHECK (${expression})`,
        explanation: `Counts the rows for which the CHECK expression is false. ${validation}`,
        when,
        origin,
        sql: checkViolationsQuery(`check-violations:${object}`, table, expression),
      });
      return;
    }
    case "CONSTR_FOREIGN": {
      const columns = names(constraint.fk_attrs);
      const referenced = relationName(constraint.pktable);
      const referencedColumns = names(constraint.pk_attrs);
      const object = named ?? `${formatName(table)}(${columns.map(quoteIdent).join(", ")})`;
      if (!referenced || columns.length === 0) return;
      if (referencedColumns.length !== columns.length) {
        out.skip(
          "fk-orphans",
          object,
          `the referenced columns of ${formatName(referenced)} are not named (the primary key is implied); write REFERENCES ${formatName(referenced)} (…) to get this check`,
          origin,
        );
        return;
      }
      out.add({
        id: `fk-orphans:${object}`,
        kind: "fk-orphans",
        title: `Every row of ${formatName(table)} references an existing row of ${formatName(referenced)}`,
        explanation: `Counts orphans: rows whose (${columns.map(quoteIdent).join(", ")}) match no row of ${formatName(referenced)}${constraint.fk_matchtype === "f" ? " (MATCH FULL: a partly NULL key is an orphan too)" : " (a key with a NULL in it is not checked)"}. ${validation}`,
        when,
        origin,
        sql: fkOrphansQuery(`fk-orphans:${object}`, { table, columns, referenced, referencedColumns, matchFull: constraint.fk_matchtype === "f" }),
      });
      return;
    }
    case "CONSTR_UNIQUE":
    case "CONSTR_PRIMARY": {
      // USING INDEX: the existing unique index already proves there are no duplicates.
      if (constraint.indexname) return;
      const columns = names(constraint.keys);
      if (columns.length === 0) return;
      if (constraint.contype === "CONSTR_PRIMARY") for (const column of columns) out.add(nullsCheck(table, column, origin));
      out.add(duplicatesCheck({ table, columns, nullsNotDistinct: constraint.nulls_not_distinct === true }, origin, constraint.conname ? { ...(table.schema ? { schema: table.schema } : {}), name: constraint.conname } : undefined));
      return;
    }
    default:
      return;
  }
}

function names(list: readonly Node[] | undefined): string[] {
  return (list ?? []).map((n) => unwrap(n, "String")?.sval).filter((s): s is string => s !== undefined);
}

function nullsCheck(table: QualifiedName, column: string, origin: CheckOrigin): Check {
  const label = columnLabel(table, column);
  return {
    id: `nulls:${label}`,
    kind: "nulls",
    title: `No NULL left in ${label}`,
    explanation: `Making ${label} NOT NULL scans the table under an ACCESS EXCLUSIVE lock and fails on the first NULL. Counts them; it must be 0 (backfill them first).`,
    when: "before",
    origin,
    sql: nullsQuery(`nulls:${label}`, table, column),
  };
}

function duplicatesCheck(key: Parameters<typeof duplicatesQuery>[1], origin: CheckOrigin, name?: QualifiedName): Check {
  const object = `${formatName(key.table)}(${key.columns.map(quoteIdent).join(", ")})`;
  const id = `duplicates:${object}`;
  return {
    id,
    kind: "duplicates",
    title: `No duplicate (${key.columns.map(quoteIdent).join(", ")}) in ${formatName(key.table)}${name ? ` before ${formatName(name)} is built` : ""}`,
    explanation: `A unique index or constraint fails on the first duplicate it meets — a CONCURRENTLY build then leaves an INVALID index behind. Counts the key values that appear more than once${key.predicate ? ` among rows where ${key.predicate}` : ""}${key.nullsNotDistinct ? " (NULLS NOT DISTINCT: NULLs count as equal)" : " (rows with a NULL in the key never collide)"}; it must be 0.`,
    when: "before",
    origin,
    sql: duplicatesQuery(id, key),
  };
}

const INTEGER_RANGES: Readonly<Record<string, { min: string; max: string }>> = {
  int2: { min: "-32768", max: "32767" },
  int4: { min: "-2147483648", max: "2147483647" },
};

/** What a value must satisfy to fit the new type, for the types where a value can fail to fit. */
function fitTarget(typeName: TypeName): FitTarget | undefined {
  const type = columnTypeOf(typeName);
  if (!type.builtin || type.array) return undefined;
  const display = formatTypeName(typeName);
  const [first, second] = type.modifiers;
  if ((type.name === "varchar" || type.name === "bpchar") && typeof first === "number") return { kind: "length", type: display, length: first };
  if (type.name === "numeric" && typeof first === "number") return { kind: "numeric", type: display, precision: first, scale: typeof second === "number" ? second : 0 };
  const range = INTEGER_RANGES[type.name];
  return range ? { kind: "integer", type: display, ...range } : undefined;
}

function dropChecks(table: QualifiedName, column: string | undefined, origin: CheckOrigin, out: Collector): void {
  const label = column === undefined ? formatName(table) : columnLabel(table, column);
  const what = column === undefined ? "table" : "column";
  out.add({
    id: `dependents:${label}`,
    kind: "dependents",
    title: `Nothing in the database depends on ${label}`,
    explanation: `Views, SQL functions, other tables' foreign keys, triggers and policies that depend on the ${what} make the DROP fail (or disappear with it under CASCADE); functions whose source mentions it (PL/pgSQL is not tracked by pg_depend) fail when next called. Lists them; there must be none.`,
    when: "before",
    origin,
    sql: dependentsQuery(`dependents:${label}`, table, column),
  });
  out.add({
    id: `queries:${label}`,
    kind: "queries",
    title: `No recorded query still mentions ${label}`,
    explanation: `Statements pg_stat_statements recorded since its last reset that mention the ${what}: readers nobody listed (dashboards, exports, cron jobs) that break once it is gone. Needs the pg_stat_statements extension (the check passes and says so without it) and pg_read_all_stats to see other roles' queries; a mention of another object with the same name is a false alarm to read past.`,
    when: "before",
    origin,
    sql: queriesQuery(`queries:${label}`, table, column),
  });
}
