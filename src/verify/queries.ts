/**
 * The verification queries, one builder per kind of check. Each returns one read-only SELECT giving exactly one row
 * `(check, ok, detail, …figures)`. Every name goes through quoteIdent/formatName and every string through
 * quoteLiteral — and names reach `format()` as arguments, never inside its pattern, where a `%` would be read as a
 * directive. Catalog tables are schema-qualified so a table named pg_index in the search_path changes nothing.
 */
import { formatName, quoteIdent, quoteLiteral, type QualifiedName } from "../sql/names.js";
import type { Transition } from "./check.js";

/** The common shape: the check's id, its verdict, a sentence, figures, then the FROM clause computing them. */
function checkQuery(id: string, ok: string, detail: string, figures: readonly string[], from: string): string {
  return [`SELECT ${quoteLiteral(id)} AS "check",`, `       ${ok} AS ok,`, `       ${detail} AS detail,`, `       ${figures.join(", ")}`, from].join("\n");
}

/** A relation name as text for to_regclass(), which parses it the way the migration's SQL was parsed. */
const regclass = (table: QualifiedName): string => `to_regclass(${quoteLiteral(formatName(table))})`;
/** `users.email` as a string literal, for messages. */
const shown = (text: string): string => quoteLiteral(text);

export function columnLabel(table: QualifiedName, column: string): string {
  return `${formatName(table)}.${quoteIdent(column)}`;
}

/** One figure of a counting query: the rows for which all of `where` hold (every row when empty), or a fixed value. */
export type Count = { readonly name: string; readonly where: readonly string[] } | { readonly name: string; readonly value: string };

/**
 * A check counting rows of `relation` (SQL: a table name, maybe `ONLY …` and `AS alias`) in one scan: each count is
 * a figure, then `ok` and `detail` are computed from those figures by name.
 */
export function countsQuery(id: string, ok: string, detail: string, relation: string, counts: readonly Count[]): string {
  const figure = (count: Count): string =>
    "value" in count ? `${count.value} AS ${count.name}` : `count(*)${count.where.length ? ` FILTER (WHERE ${count.where.join(" AND ")})` : ""} AS ${count.name}`;
  return checkQuery(
    id,
    ok,
    detail,
    counts.map((c) => c.name),
    ["FROM (", `  SELECT ${counts.map(figure).join(",\n         ")}`, `  FROM ${relation}`, ") AS counts"].join("\n"),
  );
}

/**
 * total / missing / drifted for a column transition, in one scan of the table. "missing": the new column is NULL
 * while the old one is not (not backfilled yet); "drifted": the new value IS DISTINCT FROM what the backfill would
 * write — NULL-safe, so '' and NULL differ (a COALESCE(x, '') comparison would call them equal).
 */
export function transitionQuery(id: string, transition: Transition): string {
  const from = quoteIdent(transition.from);
  const to = quoteIdent(transition.to);
  const expected = transition.expression ?? from;
  const drift = transition.opaque === undefined;
  const detail = drift
    ? `format('%s rows, %s missing, %s drifted', total, missing, drifted)`
    : `format('%s rows, %s missing; drift not checked: %s', total, missing, ${shown(transition.opaque!)})`;
  return countsQuery(id, drift ? "missing = 0 AND drifted = 0" : "missing = 0", detail, formatName(transition.table), [
    { name: "total", where: [] },
    { name: "missing", where: [`${to} IS NULL AND ${from} IS NOT NULL`] },
    drift ? { name: "drifted", where: [`${to} IS DISTINCT FROM (${expected})`] } : { name: "drifted", value: "NULL::bigint" },
  ]);
}

/** The index exists and pg_index says it is valid (usable by queries) and ready (maintained by writes). */
export function indexValidQuery(id: string, index: QualifiedName): string {
  const name = shown(formatName(index));
  return checkQuery(
    id,
    "coalesce(i.indisvalid AND i.indisready, false)",
    [
      "CASE",
      `         WHEN r.idx IS NULL THEN format('index %s does not exist', ${name})`,
      `         WHEN i.indexrelid IS NULL THEN format('%s is not an index', ${name})`,
      `         WHEN NOT i.indisvalid THEN format('index %s is INVALID (its concurrent build failed): drop it with DROP INDEX CONCURRENTLY and build it again', ${name})`,
      `         WHEN NOT i.indisready THEN format('index %s is not ready: its build has not finished', ${name})`,
      `         ELSE format('index %s is valid and ready', ${name})`,
      "       END",
    ].join("\n"),
    ["i.indexrelid IS NOT NULL AS present", "coalesce(i.indisvalid, false) AS valid", "coalesce(i.indisready, false) AS ready"],
    [`FROM (SELECT ${regclass(index)} AS idx) AS r`, "LEFT JOIN pg_catalog.pg_index AS i ON i.indexrelid = r.idx"].join("\n"),
  );
}

/** Rows for which a CHECK expression is false (NULL passes a CHECK, as in PostgreSQL). */
export function checkViolationsQuery(id: string, table: QualifiedName, expression: string): string {
  return checkQuery(
    id,
    "violations = 0",
    `format('%s rows of %s violate CHECK (%s)', violations, ${shown(formatName(table))}, ${shown(expression)})`,
    ["violations"],
    [`FROM (SELECT count(*) AS violations FROM ${formatName(table)} WHERE NOT (${expression})) AS counts`].join("\n"),
  );
}

export interface ForeignKeyShape {
  readonly table: QualifiedName;
  readonly columns: readonly string[];
  readonly referenced: QualifiedName;
  readonly referencedColumns: readonly string[];
  /** MATCH FULL: a key with some NULL and some non-NULL columns is a violation too. */
  readonly matchFull: boolean;
}

/** Rows whose key matches no row of the referenced table (MATCH SIMPLE ignores keys with a NULL in them). */
export function fkOrphansQuery(id: string, fk: ForeignKeyShape): string {
  const child = fk.columns.map((c) => `child.${quoteIdent(c)}`);
  const join = fk.columns.map((_, i) => `parent.${quoteIdent(fk.referencedColumns[i]!)} = ${child[i]}`).join(" AND ");
  const allSet = child.map((c) => `${c} IS NOT NULL`).join(" AND ");
  const missing = `NOT EXISTS (SELECT FROM ${formatName(fk.referenced)} AS parent WHERE ${join})`;
  const where = fk.matchFull
    ? `(${allSet} AND ${missing}) OR (NOT (${allSet}) AND NOT (${child.map((c) => `${c} IS NULL`).join(" AND ")}))`
    : `${allSet}\n    AND ${missing}`;
  return checkQuery(
    id,
    "orphans = 0",
    `format('%s rows of %s reference no row of %s', orphans, ${shown(formatName(fk.table))}, ${shown(formatName(fk.referenced))})`,
    ["orphans"],
    ["FROM (", `  SELECT count(*) AS orphans FROM ${formatName(fk.table)} AS child`, `  WHERE ${where}`, ") AS counts"].join("\n"),
  );
}

/** pg_constraint.convalidated: a constraint added NOT VALID has been validated. */
export function constraintValidatedQuery(id: string, table: QualifiedName, constraint: string): string {
  const name = shown(constraint);
  const relation = shown(formatName(table));
  return checkQuery(
    id,
    "coalesce(c.convalidated, false)",
    [
      "CASE",
      `         WHEN c.oid IS NULL THEN format('constraint %s does not exist on %s', ${name}, ${relation})`,
      `         WHEN c.convalidated THEN format('constraint %s on %s is validated', ${name}, ${relation})`,
      `         ELSE format('constraint %s on %s is NOT VALID: existing rows are not checked until VALIDATE CONSTRAINT', ${name}, ${relation})`,
      "       END",
    ].join("\n"),
    ["c.oid IS NOT NULL AS present", "coalesce(c.convalidated, false) AS validated"],
    [`FROM (SELECT ${regclass(table)} AS rel) AS r`, `LEFT JOIN pg_catalog.pg_constraint AS c ON c.conrelid = r.rel AND c.conname = ${quoteLiteral(constraint)}`].join("\n"),
  );
}

export function nullsQuery(id: string, table: QualifiedName, column: string): string {
  return checkQuery(
    id,
    "nulls = 0",
    `format('%s of %s rows have NULL in %s', nulls, total, ${shown(columnLabel(table, column))})`,
    ["total", "nulls"],
    `FROM (SELECT count(*) AS total, count(*) FILTER (WHERE ${quoteIdent(column)} IS NULL) AS nulls FROM ${formatName(table)}) AS counts`,
  );
}

export interface UniqueKeyShape {
  readonly table: QualifiedName;
  readonly columns: readonly string[];
  /** A partial index's predicate (SQL over the table's columns). */
  readonly predicate?: string;
  /** NULLS NOT DISTINCT: NULLs collide like any value. */
  readonly nullsNotDistinct: boolean;
}

/** Groups of rows sharing a key a unique index would reject (rows with a NULL in the key never collide by default). */
export function duplicatesQuery(id: string, key: UniqueKeyShape): string {
  const columns = key.columns.map(quoteIdent);
  const conditions = [...(key.nullsNotDistinct ? [] : columns.map((c) => `${c} IS NOT NULL`)), ...(key.predicate ? [`(${key.predicate})`] : [])];
  const where = conditions.length ? ` WHERE ${conditions.join(" AND ")}` : "";
  return checkQuery(
    id,
    "duplicate_groups = 0",
    `format('%s values of (%s) appear more than once (%s rows)', duplicate_groups, ${shown(columns.join(", "))}, duplicate_rows)`,
    ["duplicate_groups", "duplicate_rows"],
    [
      "FROM (",
      "  SELECT count(*) AS duplicate_groups, coalesce(sum(n), 0)::bigint AS duplicate_rows",
      `  FROM (SELECT count(*) AS n FROM ${formatName(key.table)}${where} GROUP BY ${columns.join(", ")} HAVING count(*) > 1) AS groups`,
      ") AS counts",
    ].join("\n"),
  );
}

/** What a value must satisfy to fit the new type. */
export type FitTarget =
  | { readonly kind: "length"; readonly type: string; readonly length: number }
  | { readonly kind: "numeric"; readonly type: string; readonly precision: number; readonly scale: number }
  | { readonly kind: "integer"; readonly type: string; readonly min: string; readonly max: string };

/**
 * Values that the type change would reject. `value` is the column, or the USING expression. A too-long string
 * fails unless the excess is spaces (which PostgreSQL trims); numeric(p,s) rounds to s digits and then needs fewer
 * than p-s integer digits; integers round and must be in range (NaN and infinities never fit).
 */
export function typeFitQuery(id: string, table: QualifiedName, column: string, target: FitTarget, using?: string): string {
  const value = using === undefined ? quoteIdent(column) : `(${using})`;
  const misfit =
    target.kind === "length"
      ? `char_length(rtrim(${value}::text, ' ')) > ${target.length}`
      : target.kind === "numeric"
        ? `abs(round(${value}::numeric, ${target.scale})) >= 1e${target.precision - target.scale} AND ${value}::numeric <> 'NaN'`
        : `round(${value}::numeric) NOT BETWEEN ${target.min} AND ${target.max}`;
  return checkQuery(
    id,
    "misfits = 0",
    `format('%s of %s values of %s do not fit %s', misfits, total, ${shown(columnLabel(table, column))}, ${shown(target.type)})`,
    ["total", "misfits"],
    `FROM (SELECT count(*) AS total, count(*) FILTER (WHERE ${misfit}) AS misfits FROM ${formatName(table)}) AS counts`,
  );
}

/**
 * A PostgreSQL regular expression (ARE) matching the name as a whole word, case-insensitively with `~*`: written
 * plain, or inside a quoted identifier (where `"` is doubled).
 */
export function nameRegex(name: string): string {
  const escape = (text: string): string => text.replace(/[\\^$.|?*+()[\]{}]/g, "\\$&");
  const alternatives = [...new Set([name, name.replaceAll('"', '""')])].map(escape);
  const word = /^[A-Za-z0-9_]/.test(name) ? "\\m" : "";
  const end = /[A-Za-z0-9_]$/.test(name) ? "\\M" : "";
  return alternatives.length === 1 ? `${word}${alternatives[0]}${end}` : `${word}(${alternatives.join("|")})${end}`;
}

/** Schemas whose functions are PostgreSQL's own. */
const SYSTEM_SCHEMAS = "('pg_catalog'::regnamespace, 'information_schema'::regnamespace)";

/**
 * What still depends on a column (or a whole table) about to be dropped: objects pg_depend records as normal
 * dependencies — views, SQL-standard function bodies, other tables' foreign keys, triggers, policies — which make
 * the DROP fail (or, with CASCADE, disappear), and functions whose source mentions the name (PL/pgSQL bodies are
 * not tracked by pg_depend and fail only when called).
 */
export function dependentsQuery(id: string, table: QualifiedName, column?: string): string {
  const label = column === undefined ? formatName(table) : columnLabel(table, column);
  // A view depends through its rewrite rule ("rule _RETURN on view v"): name the view instead.
  const describe = [
    "           CASE WHEN d.classid = 'pg_catalog.pg_rewrite'::regclass",
    "                THEN (SELECT 'view ' || r.ev_class::regclass::text FROM pg_catalog.pg_rewrite AS r WHERE r.oid = d.objid)",
    "                ELSE pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid) END AS object",
  ];
  // The table's own constraints go with the column or table (PostgreSQL drops them without CASCADE).
  const ownConstraints = `        AND NOT (d.classid = 'pg_catalog.pg_constraint'::regclass AND EXISTS (SELECT FROM pg_catalog.pg_constraint AS c WHERE c.oid = d.objid AND c.conrelid = ${regclass(table)}))`;
  const depends =
    column === undefined
      ? [
          "      FROM pg_catalog.pg_depend AS d",
          "      WHERE d.deptype = 'n'",
          `        AND ((d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid = ${regclass(table)})`,
          `          OR (d.refclassid = 'pg_catalog.pg_type'::regclass AND d.refobjid = (SELECT reltype FROM pg_catalog.pg_class WHERE oid = ${regclass(table)})))`,
          ownConstraints,
        ]
      : [
          "      FROM pg_catalog.pg_depend AS d",
          "      JOIN pg_catalog.pg_attribute AS a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid",
          `      WHERE d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid = ${regclass(table)}`,
          `        AND a.attname = ${quoteLiteral(column)} AND d.deptype = 'n'`,
          ownConstraints,
        ];
  const present =
    column === undefined
      ? `${regclass(table)} IS NOT NULL`
      : `EXISTS (SELECT FROM pg_catalog.pg_attribute WHERE attrelid = ${regclass(table)} AND attname = ${quoteLiteral(column)} AND NOT attisdropped)`;
  const name = shown(label);
  return checkQuery(
    id,
    "dependents = 0 AND mentions = 0",
    [
      "CASE",
      `         WHEN NOT present THEN format('%s does not exist (already dropped?)', ${name})`,
      `         WHEN dependents + mentions = 0 THEN format('nothing in the database depends on %s', ${name})`,
      `         ELSE format('%s objects depend on %s: %s', dependents + mentions, ${name}, objects)`,
      "       END",
    ].join("\n"),
    ["dependents", "mentions"],
    [
      "FROM (",
      `  SELECT ${present} AS present,`,
      "         count(*) FILTER (WHERE how = 'depends') AS dependents,",
      "         count(*) FILTER (WHERE how = 'mentions') AS mentions,",
      "         string_agg(object, ', ' ORDER BY object) AS objects",
      "  FROM (",
      "    SELECT DISTINCT 'depends' AS how,",
      ...describe,
      ...depends,
      "    UNION",
      `    SELECT 'mentions', 'function ' || p.oid::regprocedure::text || ${quoteLiteral(` (its source mentions ${column ?? table.name})`)}`,
      "      FROM pg_catalog.pg_proc AS p",
      `      WHERE p.pronamespace NOT IN ${SYSTEM_SCHEMAS} AND p.prosrc ~* ${quoteLiteral(nameRegex(column ?? table.name))}`,
      "  ) AS found",
      ") AS deps",
    ].join("\n"),
  );
}

/**
 * Statements recorded by pg_stat_statements that still mention a name: readers nobody listed (a BI dashboard, an
 * export, a cron job). The view exists only when the extension is installed, so it is queried through
 * query_to_xml(), which runs SQL built at run time; without the extension the check passes and says so.
 * DDL and these checks' own queries are left out.
 */
export function queriesQuery(id: string, table: QualifiedName, column?: string): string {
  const name = column ?? table.name;
  const regex = quoteLiteral(nameRegex(name));
  const inner = quoteLiteral(
    "SELECT count(*) AS statements, coalesce(sum(calls), 0)::bigint AS calls FROM %I.pg_stat_statements WHERE query ~* %L AND query !~ %L AND query !~* %L",
  );
  const label = shown(column === undefined ? formatName(table) : columnLabel(table, column));
  return checkQuery(
    id,
    "coalesce(s.statements, 0) = 0",
    [
      "CASE",
      "         WHEN e.schema IS NULL THEN 'pg_stat_statements not installed'",
      `         WHEN s.statements = 0 THEN format('no statement recorded by pg_stat_statements mentions %s', ${label})`,
      `         ELSE format('%s statements recorded by pg_stat_statements (%s calls) mention %s; list them with: SELECT query FROM %I.pg_stat_statements WHERE query ~* %L', s.statements, s.calls, ${label}, e.schema, ${regex})`,
      "       END",
    ].join("\n"),
    ["e.schema IS NOT NULL AS installed", "coalesce(s.statements, 0) AS statements", "coalesce(s.calls, 0) AS calls"],
    [
      "FROM (SELECT (SELECT n.nspname FROM pg_catalog.pg_extension AS x JOIN pg_catalog.pg_namespace AS n ON n.oid = x.extnamespace",
      "              WHERE x.extname = 'pg_stat_statements') AS schema) AS e",
      "CROSS JOIN LATERAL (",
      "  SELECT substring(x::text FROM '<statements>(\\d+)</statements>')::bigint AS statements,",
      "         substring(x::text FROM '<calls>(\\d+)</calls>')::bigint AS calls",
      "  FROM (SELECT CASE WHEN e.schema IS NOT NULL THEN query_to_xml(format(",
      `    ${inner},`,
      `    e.schema, ${regex}, 'AS "check"', '^\\s*(ALTER|CREATE|DROP|COMMENT|GRANT|REVOKE)\\M'), false, true, '') END AS x) AS q`,
      ") AS s",
    ].join("\n"),
  );
}
