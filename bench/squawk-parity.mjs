// Rule parity with squawk: runs squawk-cli (--reporter json) and this plugin's strict rules through ESLint on the same
// .sql files of the corpus, reduces both to (file, statement), and prints per mapped rule pair the statements both
// flag, squawk only and ours only. Each difference is sorted by a reason computed from the file itself (a table
// created earlier in it, a rollback part, a DO block…) or from the migration history; docs/squawk-parity.md defends
// each reason, and whatever is left ("unexplained") is printed in full for a human to classify. Then one
// hand-written migration per rule pair checks every mapping, including those the corpus never triggers.
// Run: npm run build && node bench/squawk-parity.mjs [--list <squawk-rule>|all] [--ours <squawk-rule>|all]
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ESLint } from "eslint";
import plugin, { parseDocument } from "eslint-plugin-migration-safety";
import { bin, corpusSqlFiles, printTable, repoRoot, resultsDir, timeProcess, writeResults } from "./lib/common.mjs";

// The engine's own modules (not the package's entry point): the statements must be split and understood exactly as
// the ESLint language does (goose Up/Down sections, statement breakpoints, DO bodies, locks).
const dist = (path) => pathToFileURL(join(repoRoot, "dist", path)).href;
const { markerKind } = await import(dist("src/context/conventions.js"));
const { analyzeMigration } = await import(dist("src/context/migration-context.js"));
const { DEFAULT_SETTINGS } = await import(dist("src/context/settings.js"));
const { blocks, locksOf } = await import(dist("src/sql/locks.js"));
const { nameFromList, relationName, sameRelation } = await import(dist("src/sql/names.js"));
const { nodeOf, unwrap } = await import(dist("src/sql/statement.js"));
const { builtinType, columnSites, constraintColumns, serialType, tableConstraints } = await import(dist("src/sql/columns.js"));
const { allRules } = await import(dist("rules/index.js"));

/** Both tools target the same PostgreSQL: this plugin's default (squawk's default depends on its release). */
const PG_VERSION = DEFAULT_SETTINGS.postgresVersion;

/**
 * squawk rule(s) → our rule(s), narrowed to message ids (`rule:id1,id2`) where one of our rules covers several of
 * squawk's. A squawk finding is found by us when any listed rule flags the same statement (the same file, for
 * `unit: "file"`). `explains`: the reasons (below) that may account for a statement squawk flags and we do not;
 * `oursExplains`: for one we flag and squawk does not.
 */
const PAIRS = [
  { squawk: "require-concurrent-index-creation", ours: ["require-concurrent-index:createIndex"], explains: ["new-table"] },
  { squawk: "require-concurrent-index-deletion", ours: ["require-concurrent-index:dropIndex"], explains: ["new-table"] },
  { squawk: "require-concurrent-reindex", ours: ["require-concurrent-index:reindex,reindexBefore12"], explains: ["new-table"] },
  // squawk asks for NOT VALID on every added constraint, UNIQUE, PRIMARY KEY and EXCLUDE included, which have no NOT
  // VALID form; we flag those statements under the rules about what they really cost.
  {
    squawk: "constraint-missing-not-valid",
    ours: [
      "require-not-valid-constraint",
      "no-validate-in-same-transaction",
      "no-unique-constraint-without-index:unique,primaryKey",
      "no-exclusion-constraint",
    ],
    explains: ["new-table"],
    oursExplains: ["column-constraint"],
  },
  {
    squawk: "adding-foreign-key-constraint",
    ours: ["require-not-valid-constraint:foreignKey,columnForeignKey"],
    explains: ["new-table", "fk-on-new-column"],
  },
  { squawk: "adding-field-with-default", ours: ["no-volatile-default"], explains: ["new-table"], oursExplains: ["serial-column"] },
  { squawk: "changing-column-type", ours: ["no-column-type-change"], explains: ["new-table"] },
  { squawk: "adding-not-nullable-field", ours: ["no-set-not-null"], explains: ["new-table"] },
  { squawk: "adding-required-field", ours: ["no-add-required-column"], explains: ["new-table", "serial-fills-rows"] },
  { squawk: "adding-serial-primary-key-field", ours: ["no-unique-constraint-without-index:primaryKey"], explains: ["new-table"] },
  { squawk: "disallowed-unique-constraint", ours: ["no-unique-constraint-without-index:unique"], explains: ["new-table"] },
  { squawk: "renaming-column", ours: ["no-rename-column"], explains: ["new-table", "rollback"] },
  { squawk: "renaming-table", ours: ["no-rename-table"], explains: ["new-table", "rollback"] },
  { squawk: "ban-drop-column", ours: ["no-drop-column"], explains: ["new-table", "rollback"] },
  { squawk: "ban-drop-table", ours: ["no-drop-table:dropTable,dropTableCascade"], explains: ["new-table", "rollback"] },
  { squawk: "ban-drop-database", ours: ["no-drop-table:dropDatabase"], explains: [] },
  { squawk: "ban-truncate-cascade", ours: ["no-truncate"], explains: ["new-table"], oursExplains: ["no-cascade"] },
  { squawk: "ban-concurrent-index-creation-in-transaction", ours: ["no-concurrently-in-transaction"], explains: [] },
  {
    squawk: "transaction-nesting",
    ours: ["no-unbalanced-transaction:nestedBegin,withoutBegin,beginInRunner,endsRunnerTransaction"],
    explains: [],
  },
  { squawk: "ban-uncommitted-transaction", ours: ["no-unbalanced-transaction:unclosed"], explains: [] },
  { squawk: "ban-alter-domain-with-add-constraint", ours: ["require-not-valid-constraint:domainCheck"], explains: [] },
  { squawk: "require-concurrent-partition-detach", ours: ["require-concurrent-detach-partition"], explains: ["new-table"] },
  { squawk: "identifier-too-long", ours: ["no-long-identifier"], explains: [] },
  { squawk: "prefer-repack", ours: ["no-blocking-maintenance:vacuumFull,vacuumFullAll,cluster,clusterAll"], explains: ["new-table"] },
  // squawk reports these once per file, on the first DDL statement not preceded by a SET: compared per file.
  { squawk: "require-lock-timeout", ours: ["require-lock-timeout"], unit: "file", explains: ["lock-timeout-set", "no-blocking-lock"] },
  {
    squawk: "require-statement-timeout",
    ours: ["require-statement-timeout"],
    unit: "file",
    explains: ["statement-timeout-set", "only-new-objects", "no-long-run"],
    oursExplains: ["dml"],
  },
  { squawk: ["prefer-bigint-over-int", "prefer-bigint-over-smallint"], ours: ["prefer-bigint"], explains: ["not-a-key"] },
  { squawk: "prefer-identity", ours: ["prefer-identity"], explains: [] },
  { squawk: "prefer-text-field", ours: ["prefer-text:varchar"], explains: [] },
  { squawk: "ban-char-field", ours: ["prefer-text:char"], explains: [] },
  { squawk: "prefer-timestamp-tz", ours: ["prefer-timestamptz"], explains: [] },
].map((pair) => ({
  ...pair,
  squawk: [pair.squawk].flat(),
  unit: pair.unit ?? "statement",
  ours: pair.ours.map((spec) => {
    const [rule, ids] = spec.split(":");
    return { rule, messageIds: ids ? new Set(ids.split(",")) : null };
  }),
}));
const pairName = (pair) => pair.squawk.join(" + ");

const option = (flag) => {
  const at = process.argv.indexOf(flag);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const LIST = option("--list");
const OURS = option("--ours");
const EXPLAINED_SHOWN = 3;

// --- Files: the package's parser and migration analysis, as the ESLint language runs them. ---
const documents = new Map();
function documentOf(path) {
  let doc = documents.get(path);
  if (doc) return doc;
  const text = readFileSync(path, "utf8");
  const parsed = parseDocument(text, { markerKind });
  if (parsed.ok) {
    const contexts = analyzeMigration(parsed.document, DEFAULT_SETTINGS, path);
    const { source, body, statements } = parsed.document;
    doc = { text, source, body, statements, contextOf: (s) => contexts[s.index] };
  } else {
    doc = { text, source: parsed.source, body: [], statements: [], contextOf: () => undefined };
  }
  documents.set(path, doc);
  return doc;
}

/**
 * The top-level statement (a DO block's statements count as the DO) at a UTF-16 index: the one containing it, else
 * the one before it (the index is on its semicolon or in comments after it), else the first; -1 in an empty file.
 */
function statementAt(doc, index) {
  let lo = 0;
  let hi = doc.body.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (doc.body[mid].range[0] <= index) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? (doc.body.length ? 0 : -1) : lo - 1;
}
const indexAt = (doc, line1, column0) => (doc.source.lineStarts[line1 - 1] ?? doc.text.length) + column0;

const squawkRules = PAIRS.flatMap((pair) => pair.squawk);
const squawkVersion = (await timeProcess(bin("squawk"), ["--version"])).stdout.trim();
const strictSql = plugin.configs.strict.find((config) => config.language === plugin.configs.sql.language);

/**
 * Both tools on the same files (paths relative to `root`). squawk: every default rule plus the mapped ones by name
 * (a no-op for default rules; it turns on opt-in ones). Ours: configs.sql with the strict rule set, with and without
 * the history model. Findings are { file, path, doc, statement, rule, messageId?, message }, `statement` indexing
 * `doc.body`.
 */
async function lintBoth(root, files, { pgVersion = PG_VERSION } = {}) {
  // "15.0", not "15": squawk 2.66.0 reads a bare major as older than that major's .0 (at "11" it still treats a
  // constant default as a rewrite, at "11.0" it does not).
  const squawkArgs = ["--reporter", "json", `--pg-version=${pgVersion}.0`, `--include=${squawkRules.join(",")}`];
  const run = await timeProcess(bin("squawk"), [...squawkArgs, ...files], { cwd: root });
  if (run.code !== 0 && run.code !== 1) throw new Error(`squawk exited ${run.code}:\n${run.stderr}`);
  const squawk = JSON.parse(run.stdout || "[]").map((f) => {
    const path = join(root, f.file);
    const doc = documentOf(path);
    // squawk's lines and columns are 0-based.
    return { file: f.file, path, doc, rule: f.rule_name, statement: statementAt(doc, indexAt(doc, f.line + 1, f.column)), message: f.message };
  });

  // Twice: as users get it (the migration-history model on: earlier migrations tell the rules what exists), and
  // with `history: false`, one file at a time like squawk, so a difference the history accounts for can be named.
  const lint = async (settings) => {
    const config = { ...plugin.configs.sql, rules: strictSql.rules, ...(settings ? { settings: { "migration-safety": settings } } : {}) };
    const eslint = new ESLint({ cwd: root, overrideConfigFile: true, overrideConfig: [config] });
    const findings = [];
    const fatal = [];
    for (const result of await eslint.lintFiles(files)) {
      const file = result.filePath.slice(root.length + 1);
      const doc = documentOf(result.filePath);
      for (const m of result.messages) {
        if (!m.ruleId) fatal.push(`${file}:${m.line} ${m.message}`);
        else {
          const rule = m.ruleId.replace(/^migration-safety\//, "");
          const statement = statementAt(doc, indexAt(doc, m.line, m.column - 1));
          findings.push({ file, path: result.filePath, doc, rule, messageId: m.messageId, statement, message: m.message });
        }
      }
    }
    return { findings, fatal };
  };
  const { findings: ours, fatal } = await lint(undefined);
  const { findings: oursSingleFile } = await lint({ history: false });
  return { squawkArgs, squawk, ours, oursSingleFile, fatal, squawkSyntaxErrors: new Set(squawk.filter((f) => f.rule === "syntax-error").map((f) => f.path)) };
}

// --- Reasons: what the file itself shows, computed from the AST and the engine's lock table (not from our rules). ---
const rollbackRules = new Set(allRules.filter((rule) => rule.meta.appliesToRollbacks).map((rule) => rule.name));

/**
 * Whether `table` was created earlier in the statement's own section. A goose/dbmate Down section runs long after
 * Up, on a table in use since, so a creation in Up does not make the table new there.
 */
function createdInSection(doc, statement, table) {
  return doc.statements.some((earlier) => {
    if (!earlier.checked || earlier.section !== statement.section || earlier.index >= statement.index) return false;
    const created = [
      relationName(nodeOf(earlier, "CreateStmt")?.relation),
      relationName(nodeOf(earlier, "CreateTableAsStmt")?.into?.rel), // also materialized views
      relationName(nodeOf(earlier, "ViewStmt")?.view),
    ];
    return created.some((name) => name !== undefined && sameRelation(name, table));
  });
}

/** The table an index was created on, earlier in the statement's section. */
function tableOfIndexInSection(doc, statement, index) {
  for (const earlier of doc.statements) {
    if (!earlier.checked || earlier.section !== statement.section || earlier.index >= statement.index) continue;
    const create = nodeOf(earlier, "IndexStmt");
    if (create?.idxname === index) return relationName(create.relation);
  }
  return undefined;
}

/** The tables a statement acts on; undefined for a dropped index not created earlier in the section (table unknown). */
function tablesOf(doc, statement) {
  const names = [
    relationName(nodeOf(statement, "AlterTableStmt")?.relation),
    relationName(nodeOf(statement, "IndexStmt")?.relation),
    relationName(nodeOf(statement, "RenameStmt")?.relation),
    relationName(nodeOf(statement, "ReindexStmt")?.relation),
    relationName(nodeOf(statement, "ClusterStmt")?.relation),
    ...(nodeOf(statement, "TruncateStmt")?.relations ?? []).map((r) => relationName(unwrap(r, "RangeVar"))),
    ...(nodeOf(statement, "VacuumStmt")?.rels ?? []).map((r) => relationName(unwrap(r, "VacuumRelation")?.relation)),
  ].filter((name) => name !== undefined);
  const drop = nodeOf(statement, "DropStmt");
  for (const object of drop?.objects ?? []) {
    const name = nameFromList(unwrap(object, "List")?.items);
    names.push(drop.removeType === "OBJECT_INDEX" ? name && tableOfIndexInSection(doc, statement, name.name) : name);
  }
  return names;
}

/** The statement's locks on tables that existed before its section (the engine's lock table, tablecmds.c's levels). */
const locksOnExisting = (doc, statement) =>
  locksOf(statement, { postgresVersion: PG_VERSION }).filter((lock) => !createdInSection(doc, statement, lock.relation));

/** Columns named as PRIMARY KEY or FOREIGN KEY columns of `table` by any statement of the file. */
function keyColumns(doc, table) {
  const keys = new Set();
  for (const s of doc.statements) {
    if (!s.checked) continue;
    for (const site of columnSites(s)) {
      const key = site.constraints.some((c) => ["CONSTR_PRIMARY", "CONSTR_FOREIGN", "CONSTR_IDENTITY"].includes(c.contype));
      if (key && sameRelation(site.table, table)) keys.add(site.column);
    }
    const target = relationName(nodeOf(s, "CreateStmt")?.relation ?? nodeOf(s, "AlterTableStmt")?.relation);
    if (!target || !sameRelation(target, table)) continue;
    for (const c of tableConstraints(s)) {
      if (c.contype === "CONSTR_PRIMARY") constraintColumns(c.keys).forEach((k) => keys.add(k));
      if (c.contype === "CONSTR_FOREIGN") constraintColumns(c.fk_attrs).forEach((k) => keys.add(k));
    }
  }
  return keys;
}

const NARROW_INTEGERS = new Set(["int2", "int4"]);
const NARROW_SERIALS = new Set(["smallserial", "serial2", "serial", "serial4"]);

/** Per-statement reasons: (doc, statement, context) → whether it accounts for squawk's finding. */
const STATEMENT_REASONS = {
  // Every table the statement acts on was created earlier in its own section: nothing is using it yet.
  "new-table": (doc, statement) => {
    const tables = tablesOf(doc, statement);
    return tables.length > 0 && tables.every((table) => table !== undefined && createdInSection(doc, statement, table));
  },
  // A rollback (down) part, where our contract rules (drops, renames) do not apply.
  rollback: (doc, statement, context, pair) => context.phase === "down" && pair.ours.every((o) => !rollbackRules.has(o.rule)),
  // Foreign keys declared only on columns the statement adds without a default (and no table-level one): every
  // existing row holds NULL there, and PostgreSQL marks the key valid without reading a row (measured on 15 with
  // pg_stat_xact_user_tables: no scan, even when another added column has a default).
  "fk-on-new-column": (doc, statement) => {
    const sites = columnSites(statement).filter((s) => s.kind === "add-column" && s.constraints.some((c) => c.contype === "CONSTR_FOREIGN"));
    const hasDefault = (s) => s.def.raw_default || s.constraints.some((c) => c.contype === "CONSTR_DEFAULT" || c.contype === "CONSTR_GENERATED");
    const tableForeignKey = tableConstraints(statement).some((c) => c.contype === "CONSTR_FOREIGN" && !c.skip_validation);
    return sites.length > 0 && !sites.some(hasDefault) && !tableForeignKey;
  },
  // The NOT NULL column squawk calls required is serial or identity: PostgreSQL fills every existing row from its
  // sequence, so the statement cannot fail on existing rows (it rewrites the table: no-volatile-default's finding).
  "serial-fills-rows": (doc, statement) => {
    const sites = columnSites(statement).filter((s) => s.kind === "add-column" && s.constraints.some((c) => c.contype === "CONSTR_NOTNULL"));
    return sites.length > 0 && sites.every((s) => serialType(s.typeName) || s.constraints.some((c) => c.contype === "CONSTR_IDENTITY"));
  },
  // None of the statement's integer/smallint columns is a key (primary, foreign, identity, serial) anywhere in the
  // file: prefer-bigint is about keys, which run out; squawk asks for bigint on every integer column.
  "not-a-key": (doc, statement) => {
    const serial = (s) => NARROW_SERIALS.has(serialType(s.typeName) ?? "");
    const narrow = columnSites(statement).filter((s) => s.kind !== "alter-type" && (NARROW_INTEGERS.has(builtinType(s.typeName) ?? "") || serial(s)));
    return narrow.every((s) => !serial(s) && !keyColumns(doc, s.table).has(s.column));
  },
};

/** Per-file reasons for squawk's once-per-file timeout findings: (doc) → whether it accounts for the file. */
const writeBlocking = (doc) =>
  doc.statements.filter((s) => s.checked && locksOnExisting(doc, s).some((lock) => blocks(lock.mode).writes));
const touchingExisting = (doc) => doc.statements.filter((s) => s.checked && locksOnExisting(doc, s).length > 0);
/**
 * Our rules that report a statement doing work proportional to a table (a rewrite, a scan, an index build, row
 * changes): of no-blocking-maintenance every finding but LOCK TABLE, which only waits; of require-concurrent-index
 * builds and rebuilds, not drops.
 */
const LONG_RUN_RULES = new Set([
  "no-volatile-default",
  "no-column-type-change",
  "no-set-not-null",
  "no-unique-constraint-without-index",
  "require-not-valid-constraint",
  "no-unbounded-update",
  "no-blocking-maintenance",
]);
/** Filled by compare(): our findings per file, for the reasons that look at our other rules. */
let ourFindingsByPath = new Map();
const longRunFindings = (path) =>
  (ourFindingsByPath.get(path) ?? []).filter(
    (f) => (LONG_RUN_RULES.has(f.rule) && f.messageId !== "lockTable") || (f.rule === "require-concurrent-index" && f.messageId !== "dropIndex"),
  );

const FILE_REASONS = {
  // Every statement taking a write-blocking lock on an existing table runs with lock_timeout set (squawk wants the
  // SET before the file's first DDL statement, even one that locks nothing in use).
  "lock-timeout-set": (doc) => {
    const risky = writeBlocking(doc);
    return risky.length > 0 && risky.every((s) => doc.contextOf(s).lockTimeout.set);
  },
  // No statement takes a lock that blocks writes on a table that existed before it (types, functions, extensions,
  // new tables, CONCURRENTLY builds): waiting for such a lock queues no application query.
  "no-blocking-lock": (doc) => writeBlocking(doc).length === 0,
  "statement-timeout-set": (doc) => {
    const touching = touchingExisting(doc);
    return touching.length > 0 && touching.every((s) => doc.contextOf(s).statementTimeout.set);
  },
  // The file's DDL touches only objects it creates itself.
  "only-new-objects": (doc) => touchingExisting(doc).length === 0,
  // Statements on existing tables, but none that our other rules see doing work proportional to the table (a
  // rewrite, a scan, an index build, an unbounded UPDATE): catalog-only changes, over in milliseconds once locked.
  "no-long-run": (doc, path) => longRunFindings(path).length === 0,
};

/**
 * Known bugs of ours, found by this comparison (docs/squawk-parity.md): counted apart, never as explained.
 * "down-part-sees-up-tables": the migration context treats a table created in a goose/dbmate Up part as new in the
 * Down part too, so rules that spare new tables stay silent on a rollback that drops or indexes a table in use.
 */
const treatedAsNew = (doc, statement, table) => doc.contextOf(statement).isNewTable(table) && !createdInSection(doc, statement, table);
const BUGS = {
  "down-part-sees-up-tables": (doc, statement) => {
    if (!statement?.checked || doc.contextOf(statement).phase !== "down") return false;
    const drop = nodeOf(statement, "DropStmt");
    const tables =
      drop?.removeType === "OBJECT_INDEX"
        ? (drop.objects ?? []).map((o) => doc.contextOf(statement).tableOfIndexCreatedHere(nameFromList(unwrap(o, "List")?.items)?.name ?? ""))
        : tablesOf(doc, statement);
    return tables.length > 0 && tables.every((table) => table !== undefined && treatedAsNew(doc, statement, table));
  },
};
const FILE_BUGS = {
  // Every write-blocking lock on an existing table without lock_timeout is one our context wrongly calls new.
  "down-part-sees-up-tables": (doc) => {
    const unguarded = writeBlocking(doc).filter((s) => !doc.contextOf(s).lockTimeout.set);
    return unguarded.length > 0 && unguarded.every((s) => locksOnExisting(doc, s).every((lock) => treatedAsNew(doc, s, lock.relation)));
  },
};

/** Why we flag what squawk does not; each is defended in docs/squawk-parity.md. (doc, statement) → boolean. */
const OURS_REASONS = {
  // squawk does not read the statements a DO block runs.
  "do-block": (doc, statement) => statement?.type === "DoStmt",
  // A CHECK, UNIQUE or PRIMARY KEY written on an added column: squawk's rule reads ADD CONSTRAINT only, but
  // PostgreSQL validates the CHECK with a full scan and builds the index under ACCESS EXCLUSIVE all the same.
  "column-constraint": (doc, statement) =>
    columnSites(statement).some(
      (site) => site.kind === "add-column" && site.constraints.some((c) => ["CONSTR_CHECK", "CONSTR_UNIQUE", "CONSTR_PRIMARY"].includes(c.contype)),
    ),
  // ADD COLUMN of a serial type: squawk does not count the sequence default as volatile; PostgreSQL rewrites the table.
  "serial-column": (doc, statement) => columnSites(statement).some((site) => site.kind === "add-column" && serialType(site.typeName)),
  // TRUNCATE without CASCADE of a table in use: no-truncate covers every TRUNCATE, squawk only CASCADE.
  "no-cascade": (doc, statement) => {
    const truncate = nodeOf(statement, "TruncateStmt");
    return truncate !== undefined && truncate.behavior !== "DROP_CASCADE";
  },
  // UPDATE/DELETE (also under WITH): squawk's timeout rules skip data changes; a whole-table UPDATE runs as long
  // as the table is big.
  dml: (doc, statement) => ["UpdateStmt", "DeleteStmt", "InsertStmt", "MergeStmt"].includes(statement?.type),
};

// --- Compare per pair. ---
const statementKey = (f) => `${f.path}\u0000${f.statement}`;
/** Findings by statement (or by file), the first finding standing for the rest. */
function keyed(findings, unit) {
  const map = new Map();
  for (const f of findings) {
    const k = unit === "file" ? f.path : statementKey(f);
    if (!map.has(k)) map.set(k, f);
  }
  return map;
}
const matchesOurs = (pair, f) => pair.ours.some((o) => o.rule === f.rule && (!o.messageIds || o.messageIds.has(f.messageId)));

function excerpt({ file, doc, statement }) {
  const s = doc.body[statement];
  if (!s) return `${file}: (no statement)`;
  const text = s.text.replace(/\s+/g, " ");
  return `${file}:${s.loc.start.line}  ${text.length > 150 ? `${text.slice(0, 147)}...` : text}`;
}

function squawkOnlyReason(pair, f) {
  const { doc } = f;
  if (pair.unit === "file") {
    const reason = pair.explains.find((r) => FILE_REASONS[r](doc, f.path));
    if (reason) return { reason };
    const bug = Object.keys(FILE_BUGS).find((b) => FILE_BUGS[b](doc));
    return bug ? { bug } : { reason: "unexplained" };
  }
  const statement = doc.body[f.statement];
  const context = statement?.checked ? doc.contextOf(statement) : undefined;
  const reason = context && pair.explains.find((r) => STATEMENT_REASONS[r](doc, statement, context, pair));
  if (reason) return { reason };
  const bug = Object.keys(BUGS).find((b) => BUGS[b](doc, statement));
  return bug ? { bug } : { reason: "unexplained" };
}

/** The reason for an ours-only statement (or file: every one of our findings in it must share the reason). */
function oursOnlyReason(pair, findings, squawkSyntaxErrors) {
  if (findings.every((f) => squawkSyntaxErrors.has(f.path))) return "squawk-syntax-error";
  const holds = (reason) => findings.every((f) => OURS_REASONS[reason](f.doc, f.doc.body[f.statement]));
  return ["do-block", ...(pair.oursExplains ?? [])].find(holds) ?? "unexplained";
}

const tally = (map, reason, item) => (map[reason] ??= []).push(item);
const size = (map, reason) => (reason ? (map[reason]?.length ?? 0) : Object.values(map).reduce((sum, list) => sum + list.length, 0));
const summary = (map) =>
  Object.entries(map)
    .filter(([reason]) => reason !== "unexplained")
    .map(([reason, list]) => `${list.length} ${reason}`)
    .join(", ");
const lines = (map, describe) => Object.fromEntries(Object.entries(map).map(([reason, list]) => [reason, list.map(describe)]));

/** Per pair: both, squawk only (explained by reason, our known bugs, unexplained), ours only (by reason). */
function compare(run, pairs = PAIRS) {
  ourFindingsByPath = new Map();
  for (const f of run.ours) ourFindingsByPath.set(f.path, [...(ourFindingsByPath.get(f.path) ?? []), f]);
  const results = [];
  for (const pair of pairs) {
    const theirs = keyed(run.squawk.filter((f) => pair.squawk.includes(f.rule)), pair.unit);
    const oursAll = run.ours.filter((f) => matchesOurs(pair, f));
    const ours = keyed(oursAll, pair.unit);
    const singleFile = keyed(run.oursSingleFile.filter((f) => matchesOurs(pair, f)), pair.unit);
    const both = [...theirs.keys()].filter((k) => ours.has(k)).length;
    const squawkOnly = {};
    const bugs = {};
    for (const [k, f] of theirs) {
      if (ours.has(k)) continue;
      let { reason, bug } = squawkOnlyReason(pair, f);
      // Flagged when the file is read alone, not with the earlier migrations: the history showed it is safe.
      if (reason === "unexplained" && singleFile.has(k)) reason = "history";
      if (bug) tally(bugs, bug, f);
      else tally(squawkOnly, reason, f);
    }
    const oursOnly = {};
    for (const [k, f] of ours) {
      if (theirs.has(k)) continue;
      const unitFindings = pair.unit === "file" ? oursAll.filter((o) => o.path === f.path) : [f];
      const reason = oursOnlyReason(pair, unitFindings, run.squawkSyntaxErrors);
      tally(oursOnly, reason === "unexplained" && !singleFile.has(k) ? "history" : reason, f);
    }
    results.push({ pair, squawk: theirs.size, ours: ours.size, both, squawkOnly, bugs, oursOnly });
  }
  return results;
}

const ourLabel = (pair) => pair.ours.map((o) => o.rule + (o.messageIds ? ` (${[...o.messageIds].join(", ")})` : "")).join(" + ");
const percent = (n, of) => (of ? `${((n / of) * 100).toFixed(1)}%` : "-");
const pairLabel = (pair) => `${pairName(pair)}${pair.unit === "file" ? " [per file]" : ""}`;

// --- (a) The corpus. ---
const results = {};
const corpus = corpusSqlFiles();
if (corpus) {
  const run = await lintBoth(corpus.root, corpus.files);
  const compared = compare(run);
  const totals = { squawk: 0, both: 0, explained: 0, bugs: 0, unexplained: 0, oursOnly: 0 };
  const rows = compared.map(({ pair, squawk, ours, both, squawkOnly, bugs, oursOnly }) => {
    const unexplained = size(squawkOnly, "unexplained");
    const explained = size(squawkOnly) - unexplained;
    totals.squawk += squawk;
    totals.both += both;
    totals.explained += explained;
    totals.bugs += size(bugs);
    totals.unexplained += unexplained;
    totals.oursOnly += size(oursOnly);
    const oursUnexplained = size(oursOnly, "unexplained");
    const oursOnlyCell = [summary(oursOnly), oursUnexplained ? `${oursUnexplained} unexplained` : ""].filter(Boolean).join(", ");
    const found = [percent(both, squawk), percent(both + explained, squawk)];
    return [pairLabel(pair), squawk, ours, both, summary(squawkOnly), summary(bugs), unexplained, oursOnlyCell, ...found];
  });

  const statements = corpus.files.reduce((sum, file) => sum + documentOf(join(corpus.root, file)).body.length, 0);
  console.log(
    `(a) corpus: ${squawkVersion} (${run.squawkArgs[2]}) vs eslint-plugin-migration-safety (configs.strict rules, postgresVersion ${PG_VERSION}) ` +
      `on ${corpus.files.length} files, ${statements.toLocaleString("en-US")} top-level statements`,
  );
  console.log(
    `findings: squawk ${run.squawk.length} (syntax errors in ${run.squawkSyntaxErrors.size} file(s)), ours ${run.ours.length}; our fatal parsing errors: ${run.fatal.length}`,
  );
  printTable(
    "Statements flagged per mapped rule pair ([per file]: files). squawk only = explained + our bug + unexplained.",
    [
      "squawk rule",
      "squawk",
      "ours",
      "both",
      "squawk only: explained",
      "squawk only: our bug",
      "squawk only: unexplained",
      "ours only",
      "found",
      "found or explained",
    ],
    rows,
  );
  console.log(
    `\nmapped pairs: squawk flags ${totals.squawk}; we flag ${totals.both} of them too (${percent(totals.both, totals.squawk)}); ` +
      `${totals.explained} more are explained by what the file, or the migrations before it, show (found or explained: ${percent(totals.both + totals.explained, totals.squawk)}, goal ≥ 99%); ` +
      `${totals.bugs} are known bugs of ours; ${totals.unexplained} unexplained. Ours only: ${totals.oursOnly}.`,
  );

  // Squawk rules without a counterpart, and our rules without one in squawk: statements, for context.
  const statementsPerRule = (findings) => {
    const perRule = new Map();
    for (const f of findings) perRule.set(f.rule, (perRule.get(f.rule) ?? new Set()).add(statementKey(f)));
    return [...perRule].map(([rule, set]) => [rule, set.size]).sort((a, b) => b[1] - a[1]);
  };
  const mappedOurRules = new Set(PAIRS.flatMap((pair) => pair.ours.map((o) => o.rule)));
  const unmappedSquawk = statementsPerRule(run.squawk.filter((f) => !squawkRules.includes(f.rule)));
  const unmappedOurs = statementsPerRule(run.ours.filter((f) => !mappedOurRules.has(f.rule)));
  printTable("squawk rules with no counterpart here (statements)", ["squawk rule", "statements"], unmappedSquawk);
  printTable("our rules with no counterpart in squawk (statements)", ["our rule", "statements"], unmappedOurs);

  // Unexplained differences, the history's and our bugs in full; the others as a few examples each (all with --list
  // / --ours).
  const list = (title, entries, showAll) => {
    for (const [reason, items] of Object.entries(entries)) {
      const cap = reason === "unexplained" || reason === "history" || showAll ? Infinity : EXPLAINED_SHOWN;
      console.log(`\n--- ${title}, ${reason} (${items.length}) ---`);
      for (const line of items.slice(0, cap)) console.log(`  ${line}`);
      if (items.length > cap) console.log(`  … ${items.length - cap} more`);
    }
  };
  const describeOurs = (f) => `${excerpt(f)}  >>> ${f.rule}: ${f.message.slice(0, 140)}`;
  for (const { pair, squawkOnly, bugs, oursOnly } of compared) {
    list(`squawk only: ${pairName(pair)}`, lines(squawkOnly, excerpt), LIST === "all" || pair.squawk.includes(LIST));
    list(`squawk only, our bug: ${pairName(pair)}`, lines(bugs, excerpt), true);
    list(`ours only: ${pairName(pair)} → ${ourLabel(pair)}`, lines(oursOnly, describeOurs), OURS === "all" || pair.squawk.includes(OURS));
  }

  results.corpus = {
    squawkArgs: run.squawkArgs,
    files: corpus.files.length,
    statements,
    findings: {
      squawk: run.squawk.length,
      ours: run.ours.length,
      oursFatal: run.fatal.length,
      squawkSyntaxErrorFiles: run.squawkSyntaxErrors.size,
    },
    totals,
    pairs: Object.fromEntries(
      compared.map(({ pair, squawk, ours, both, squawkOnly, bugs, oursOnly }) => [
        pairName(pair),
        {
          ours: ourLabel(pair),
          unit: pair.unit,
          squawk,
          oursCount: ours,
          both,
          squawkOnly: lines(squawkOnly, excerpt),
          squawkOnlyOurBugs: lines(bugs, excerpt),
          oursOnly: lines(oursOnly, describeOurs),
        },
      ]),
    ),
    unmappedSquawk: Object.fromEntries(unmappedSquawk),
    unmappedOurs: Object.fromEntries(unmappedOurs),
  };
}

// --- (b) One hand-written migration per pair, on tables it does not create: every mapping checked, including the
// rules the corpus never triggers. prefer-repack exists only for PostgreSQL ≥ 19 in squawk (REPACK is new there).
const PROBES = {
  "require-concurrent-index-creation": "CREATE INDEX users_email_idx ON users (email);",
  "require-concurrent-index-deletion": "DROP INDEX users_email_idx;",
  "require-concurrent-reindex": "REINDEX INDEX users_email_idx;",
  "constraint-missing-not-valid": "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0);",
  "adding-foreign-key-constraint": "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);",
  "adding-field-with-default": "ALTER TABLE users ADD COLUMN api_token uuid DEFAULT gen_random_uuid();",
  "changing-column-type": "ALTER TABLE orders ALTER COLUMN total TYPE numeric(12, 2);",
  "adding-not-nullable-field": "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
  "adding-required-field": "ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL;",
  "adding-serial-primary-key-field": "ALTER TABLE events ADD PRIMARY KEY (id);",
  "disallowed-unique-constraint": "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);",
  "renaming-column": "ALTER TABLE users RENAME COLUMN full_name TO display_name;",
  "renaming-table": "ALTER TABLE users RENAME TO customers;",
  "ban-drop-column": "ALTER TABLE users DROP COLUMN full_name;",
  "ban-drop-table": "DROP TABLE legacy_sessions;",
  "ban-drop-database": "DROP DATABASE analytics;",
  "ban-truncate-cascade": "TRUNCATE users CASCADE;",
  "ban-concurrent-index-creation-in-transaction": "BEGIN;\nCREATE INDEX CONCURRENTLY users_email_idx ON users (email);\nCOMMIT;",
  "transaction-nesting": "BEGIN;\nBEGIN;\nALTER TABLE users ADD COLUMN nickname text;\nCOMMIT;\nCOMMIT;",
  "ban-uncommitted-transaction": "BEGIN;\nALTER TABLE users ADD COLUMN nickname text;",
  "ban-alter-domain-with-add-constraint": "ALTER DOMAIN email_address ADD CONSTRAINT email_has_at CHECK (VALUE LIKE '%@%');",
  "require-concurrent-partition-detach": "ALTER TABLE measurements DETACH PARTITION measurements_2020;",
  "identifier-too-long": "ALTER TABLE users ADD COLUMN preferred_notification_channel_for_weekly_digest_and_billing_alerts text;",
  "prefer-repack": "VACUUM FULL users;\nCLUSTER users USING users_pkey;",
  "require-lock-timeout": "ALTER TABLE users ADD COLUMN nickname text;",
  "require-statement-timeout": "ALTER TABLE orders ALTER COLUMN total TYPE numeric(12, 2);",
  "prefer-bigint-over-int":
    "ALTER TABLE orders ADD COLUMN customer_id integer REFERENCES customers (id);\nALTER TABLE orders ADD COLUMN region_id smallint REFERENCES regions (id);",
  "prefer-identity": "CREATE TABLE audit_entries (id serial PRIMARY KEY, body text);",
  "prefer-text-field": "ALTER TABLE users ADD COLUMN nickname varchar(40);",
  "ban-char-field": "ALTER TABLE users ADD COLUMN country char(2);",
  "prefer-timestamp-tz": "ALTER TABLE users ADD COLUMN last_seen_at timestamp;",
};
{
  const probeRoot = join(resultsDir, "squawk-parity-probes");
  rmSync(probeRoot, { recursive: true, force: true });
  mkdirSync(probeRoot, { recursive: true });
  const probeFile = (pair) => `${pair.squawk[0]}.sql`;
  for (const pair of PAIRS) writeFileSync(join(probeRoot, probeFile(pair)), `${PROBES[pair.squawk[0]]}\n`);
  const repack = PAIRS.filter((pair) => pair.squawk.includes("prefer-repack"));
  const others = PAIRS.filter((pair) => !repack.includes(pair));
  // Each pair is judged on its own migration only (the others trigger some of its rules too).
  const own = (run, pair) => {
    const path = join(probeRoot, probeFile(pair));
    return { ...run, squawk: run.squawk.filter((f) => f.path === path), ours: run.ours.filter((f) => f.path === path) };
  };
  const runs = [
    [others, await lintBoth(probeRoot, others.map(probeFile))],
    [repack, await lintBoth(probeRoot, repack.map(probeFile), { pgVersion: 19 })],
  ];
  const compared = runs.flatMap(([pairs, run]) => pairs.flatMap((pair) => compare(own(run, pair), [pair])));
  const rows = compared.map(({ pair, squawk, ours, both }) => [pairLabel(pair), PROBES[pair.squawk[0]].replace(/\n/g, " ").slice(0, 70), squawk, ours, both]);
  const header = ["squawk rule", "migration", "squawk", "ours", "both"];
  printTable(`(b) one hand-written migration per pair (${probeRoot}): statements flagged`, header, rows);
  const mismatched = compared.filter(({ squawk, ours, both }) => squawk !== both || ours !== both || both === 0);
  const differing = mismatched.map(({ pair }) => pairName(pair)).join(", ");
  console.log(mismatched.length === 0 ? "every pair: both tools flag the same statements." : `pairs that differ: ${differing}`);
  results.probes = Object.fromEntries(
    compared.map(({ pair, squawk, ours, both }) => [pairName(pair), { sql: PROBES[pair.squawk[0]], squawk, ours, both }]),
  );
}

writeResults("squawk-parity", { squawk: squawkVersion, postgresVersion: PG_VERSION, ...results });
