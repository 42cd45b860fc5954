/**
 * The trace as people read it: a table per statement for the terminal, markdown for a pull-request comment (locks
 * taken, what they block, how long they were held, rewrites, findings, what the lint said), and JSON for tools.
 * Pure functions of a TraceRun.
 */
import type { FileTrace, StatementTrace, TraceRun, TracedLock } from "./model.js";
import { TABLE_LIKE } from "./catalog.js";

// ---------------------------------------------------------------------------------------------------------------
// JSON

/** The JSON report: one object per statement, in run order. */
export function formatJson(run: TraceRun): string {
  const rows = run.files.flatMap((file) =>
    file.statements.map((s) => ({
      file: s.file,
      line: s.line,
      statement: s.statement,
      traced: !s.notTraced,
      ...(s.notTraced ? { notTraced: s.notTraced } : {}),
      locks: s.locks.map((l) => ({
        relation: l.relation,
        mode: l.mode,
        kind: l.kind,
        blocksReads: l.blocksReads,
        blocksWrites: l.blocksWrites,
        source: l.source,
        heldMs: round(l.heldMs),
      })),
      rewritten: s.rewritten,
      constraints: s.constraints.map(({ name, table, type, change, validated }) => ({ name, table, type, change, validated })),
      columns: s.columns.map(({ table, column, from, to }) => ({ table, column, from, to })),
      lockTimeout: s.lockTimeout,
      outsideTransaction: s.outsideTransaction,
      ms: s.ms === null ? null : round(s.ms),
      findings: [...new Set(s.findings.map((f) => f.rule))],
      details: s.findings,
      lint: s.lint,
      comparison: s.comparison,
    })),
  );
  return `${JSON.stringify(rows, null, 2)}\n`;
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

// ---------------------------------------------------------------------------------------------------------------
// Shared summaries

export interface TraceSummary {
  readonly statements: number;
  readonly traced: number;
  /** Not traced, grouped by reason (identifiers elided), each with where it happened. */
  readonly notTraced: readonly { readonly reason: string; readonly where: readonly string[] }[];
  readonly findings: ReadonlyMap<string, number>;
  /** Statements where the lint and the trace disagree on a rule both check. */
  readonly disagreements: readonly StatementTrace[];
  /** Statements that failed to run (not counting those deliberately not sent). */
  readonly failed: number;
}

export function summarize(run: TraceRun): TraceSummary {
  const statements = run.files.flatMap((f) => f.statements);
  const groups = new Map<string, string[]>();
  for (const s of statements) {
    if (!s.notTraced) continue;
    const reason = `${s.notTraced.why}: ${genericReason(s.notTraced.message)}`;
    groups.set(reason, [...(groups.get(reason) ?? []), `${s.file}:${s.line}`]);
  }
  for (const file of run.files) if (file.error) groups.set(`file not read: ${genericReason(file.error)}`, [...(groups.get(`file not read: ${genericReason(file.error)}`) ?? []), file.file]);
  const findings = new Map<string, number>();
  for (const s of statements) for (const rule of new Set(s.findings.map((f) => f.rule))) findings.set(rule, (findings.get(rule) ?? 0) + 1);
  return {
    statements: statements.length,
    traced: statements.filter((s) => !s.notTraced).length,
    notTraced: [...groups].map(([reason, where]) => ({ reason, where })).sort((a, b) => b.where.length - a.where.length),
    findings: new Map([...findings].sort((a, b) => b[1] - a[1])),
    disagreements: statements.filter((s) => s.comparison.lintOnly.length > 0 || s.comparison.traceOnly.length > 0),
    failed: statements.filter((s) => s.notTraced && s.notTraced.why !== "not run").length,
  };
}

/** An error message with the names in it elided, so the same failure on different objects groups together. */
function genericReason(message: string): string {
  return message
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\s+/g, " ")
    .trim();
}

function describeEngine(run: TraceRun): string {
  const engine = run.engine.kind === "pglite" ? `PostgreSQL ${run.engine.version} (PGlite)` : `PostgreSQL ${run.engine.version} server`;
  const isolation =
    run.isolation === "commit"
      ? run.engine.kind === "pglite"
        ? "each statement in its own transaction"
        : "each statement in its own transaction, committed"
      : "in one transaction, rolled back at the end";
  return `${engine}, ${isolation}`;
}

function describeHistory(run: TraceRun): string | undefined {
  const h = run.history;
  if (!h) return undefined;
  const failed = h.failures.length ? `; ${h.failures.length} statement${plural(h.failures.length)} failed` : "";
  return `history: ${h.files} file${plural(h.files)}, ${h.applied} statement${plural(h.applied)} applied${failed}`;
}

function describeSeeding(run: TraceRun): string | undefined {
  const s = run.seeding;
  if (!s) return undefined;
  const skipped = s.skipped.length ? `; ${s.skipped.length} skipped` : "";
  return `seeded ${s.tables.length} table${plural(s.tables.length)} with ${s.rows} rows each in ${formatMs(s.ms)}${skipped}`;
}

const plural = (n: number): string => (n === 1 ? "" : "s");

export function formatMs(ms: number | null): string {
  if (ms === null) return "—";
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
}

/** Locks worth a reader's attention: on tables, views and materialized views (indexes and sequences follow their table). */
const shownLocks = (s: StatementTrace): TracedLock[] => s.locks.filter((l) => TABLE_LIKE.has(l.kind));

function blocksText(lock: TracedLock): string {
  return lock.blocksReads ? "reads and writes" : lock.blocksWrites ? "writes" : "neither reads nor writes";
}

const SOURCE_NOTE: Record<TracedLock["source"], string> = {
  observed: "",
  static: " (static model: ran outside a transaction)",
  held: " (already held by this run's transaction; static model)",
};

/** The statement on one line, shortened. */
function oneLine(text: string, max = 100): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

// ---------------------------------------------------------------------------------------------------------------
// Text

/** A small table per statement (label | value), files in order, then the summary. */
export function formatText(run: TraceRun): string {
  const out: string[] = [`Trace on ${describeEngine(run)}`];
  for (const line of [describeHistory(run), describeSeeding(run)]) if (line) out.push(`  ${line}`);
  for (const f of run.history?.failures ?? []) out.push(`  history statement failed: ${f.file}:${f.line} ${f.error}`);
  for (const s of run.seeding?.skipped ?? []) out.push(`  not seeded: ${s.table}: ${s.reason}`);
  for (const file of run.files) out.push("", ...textFile(file));
  out.push("", ...textSummary(run));
  return `${out.join("\n")}\n`;
}

function textFile(file: FileTrace): string[] {
  const out = [`${file.file}`];
  if (file.error) return [...out, `  not traced: ${file.error}`];
  if (file.statements.length === 0) out.push("  (no statements to trace)");
  for (const s of file.statements) {
    out.push(`  line ${s.line}  ${oneLine(s.statement)}${s.ms === null ? "" : `  (${formatMs(s.ms)})`}`);
    const rows: [string, string][] = [];
    if (s.notTraced) {
      rows.push(["not traced", `${s.notTraced.why}: ${s.notTraced.message}`]);
    } else {
      const locks = shownLocks(s);
      if (locks.length === 0) rows.push(["locks", "none on tables"]);
      locks.forEach((lock, i) =>
        rows.push([i === 0 ? "locks" : "", `${lock.relation}  ${lock.mode}  blocks ${blocksText(lock)}  held ${formatMs(lock.heldMs)}${lock.preExisting ? "" : "  (new)"}${SOURCE_NOTE[lock.source]}`]),
      );
      if (s.rewritten.length) rows.push(["rewrote", s.rewritten.join(", ")]);
      for (const c of s.constraints) rows.push(["constraint", `${c.name} on ${c.table}: ${c.type} ${constraintChangeText(c)}`]);
      for (const c of s.columns) rows.push(["column", `${c.table}.${c.column}: ${columnText(c.from)} → ${columnText(c.to)}`]);
      rows.push(["lock_timeout", s.lockTimeout ?? "not set"]);
    }
    rows.push(["trace saw", s.findings.length ? [...new Set(s.findings.map((f) => f.rule))].join(", ") : "—"]);
    for (const finding of s.findings) rows.push(["", `${finding.rule}: ${finding.message}`]);
    rows.push(["lint said", `${s.lint.length ? s.lint.join(", ") : "—"}${agreementText(s)}`]);
    const width = Math.max(...rows.map(([label]) => label.length));
    for (const [label, value] of rows) out.push(`    ${label.padEnd(width)}  ${value}`);
  }
  return out;
}

function constraintChangeText(c: StatementTrace["constraints"][number]): string {
  if (c.change === "validated") return "validated";
  return `${c.change}${c.validated ? ", validated" : " NOT VALID"}`;
}

function columnText(side: { type: string; notNull: boolean }): string {
  return `${side.type}${side.notNull ? " NOT NULL" : ""}`;
}

function agreementText(s: StatementTrace): string {
  const { agree, lintOnly, traceOnly } = s.comparison;
  const parts: string[] = [];
  if (agree.length) parts.push(`agree: ${agree.join(", ")}`);
  if (lintOnly.length) parts.push(`lint only: ${lintOnly.join(", ")}`);
  if (traceOnly.length) parts.push(`trace only: ${traceOnly.join(", ")}`);
  return parts.length ? `   [${parts.join("; ")}]` : "";
}

function textSummary(run: TraceRun): string[] {
  const summary = summarize(run);
  const out = [
    `${run.files.length} file${plural(run.files.length)}, ${summary.statements} statement${plural(summary.statements)}: ${summary.traced} traced, ${summary.statements - summary.traced} not traced, in ${formatMs(run.ms)}`,
  ];
  if (summary.notTraced.length) {
    out.push("not traced:");
    for (const group of summary.notTraced) out.push(`  ${group.where.length}× ${group.reason}  (${group.where.slice(0, 3).join(", ")}${group.where.length > 3 ? ", …" : ""})`);
  }
  out.push(summary.findings.size ? `findings: ${[...summary.findings].map(([rule, n]) => `${rule} ${n}`).join(", ")}` : "findings: none");
  out.push(`trace and lint disagree on ${summary.disagreements.length} statement${plural(summary.disagreements.length)}`);
  for (const s of run.skippedFiles) out.push(`skipped ${s.path}: ${s.reason}`);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Markdown

/** A pull-request comment: a table per migration, then what was not traced and where trace and lint disagree. */
export function formatMarkdown(run: TraceRun): string {
  const summary = summarize(run);
  const out: string[] = ["## Migration trace", ""];
  const facts = [
    describeEngine(run),
    `${summary.traced} of ${summary.statements} statement${plural(summary.statements)} traced`,
    describeHistory(run),
    describeSeeding(run),
  ].filter((x): x is string => Boolean(x));
  out.push(escapeText(facts.join(" · ")), "");
  for (const file of run.files) {
    out.push(`### ${code(file.file)}`, "");
    if (file.error) {
      out.push(`Not traced: ${escapeText(file.error)}`, "");
      continue;
    }
    if (file.statements.length === 0) {
      out.push("No statements to trace.", "");
      continue;
    }
    out.push("| | line | statement | locks taken | blocks | held for | rewrites | trace saw | lint said |", "|---|---:|---|---|---|---:|---|---|---|");
    for (const s of file.statements) out.push(markdownRow(s));
    out.push("");
    const sources = new Set(file.statements.flatMap((s) => shownLocks(s).map((l) => l.source)));
    if (sources.has("static")) out.push("\\* not observed: the statement runs outside a transaction block, so its locks are the static model's.", "");
    if (sources.has("held")) out.push("\\* not observed: this run's transaction already held the lock; the static model says the statement needs it.", "");
  }
  if (summary.notTraced.length) {
    out.push("### Not traced", "");
    for (const group of summary.notTraced) {
      out.push(`- ${group.where.length}× ${escapeText(group.reason)} (${group.where.slice(0, 3).map(code).join(", ")}${group.where.length > 3 ? ", …" : ""})`);
    }
    out.push("");
  }
  if (summary.disagreements.length) {
    out.push("### Trace vs lint", "");
    for (const s of summary.disagreements) {
      const parts = [
        s.comparison.lintOnly.length ? `lint said ${s.comparison.lintOnly.map(code).join(", ")}, the trace did not see it` : "",
        s.comparison.traceOnly.length ? `the trace saw ${s.comparison.traceOnly.map(code).join(", ")}, the lint did not report it` : "",
      ].filter(Boolean);
      out.push(`- ${code(`${s.file}:${s.line}`)} ${code(oneLine(s.statement, 80))}: ${parts.join("; ")}`);
    }
    out.push("");
  }
  if (run.seeding?.skipped.length) {
    out.push("<details><summary>Tables not seeded</summary>", "");
    for (const s of run.seeding.skipped) out.push(`- ${code(s.table)}: ${escapeText(s.reason)}`);
    out.push("", "</details>", "");
  }
  return `${out.join("\n")}\n`;
}

function markdownRow(s: StatementTrace): string {
  const locks = shownLocks(s);
  const mark = s.notTraced ? "⏭️" : s.findings.length ? "⚠️" : "✅";
  const cells = [
    mark,
    String(s.line),
    code(oneLine(s.statement, 80)),
    s.notTraced ? `not traced: ${escapeText(s.notTraced.message)}` : locks.map((l) => `${code(l.relation)} ${l.mode}${l.source === "observed" ? "" : "*"}`).join("<br>") || "—",
    s.notTraced ? "" : locks.map(blocksText).join("<br>"),
    s.notTraced ? "" : locks.map((l) => formatMs(l.heldMs)).join("<br>"),
    s.rewritten.map(code).join(", "),
    s.findings.length ? [...new Set(s.findings.map((f) => f.rule))].join("<br>") : "—",
    s.lint.length ? s.lint.join("<br>") : "—",
  ];
  return `| ${cells.join(" | ")} |`;
}

/** Inline code that survives any content: a fence longer than any backtick run inside, pipes escaped for tables. */
export function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${fence}${pad}${text.replaceAll("|", "\\|")}${pad}${fence}`;
}

/** Plain text in markdown: no HTML, no table breaks, no emphasis by accident. */
export function escapeText(text: string): string {
  return text
    .replace(/\s+/g, " ")
    .replace(/[\\`*_[\]<>|#]/g, (c) => `\\${c}`)
    .replace(/&/g, "&amp;");
}
