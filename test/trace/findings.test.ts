/**
 * From observations to findings, without a database: which rule id each observation maps to, how long locks are
 * held, and the comparison with the lint.
 */
import { describe, expect, it } from "vitest";
import type { CatalogDiff, RelationInfo } from "../../src/trace/catalog.js";
import { lockModeOf } from "../../src/trace/catalog.js";
import { compare, deriveFindings, type ObservedStatement } from "../../src/trace/findings.js";
import type { TraceStatementInput } from "../../src/trace/model.js";
import { parseSql } from "../../src/sql/pg-parser.js";
import type { ParsedStatement } from "../../src/sql/statement.js";
import type { LockMode } from "../../src/sql/locks.js";

const users: RelationInfo = { oid: 1, name: "users", schema: "public", relname: "users", kind: "table", filenode: 10 };
const orders: RelationInfo = { oid: 2, name: "orders", schema: "public", relname: "orders", kind: "table", filenode: 20 };
const fresh: RelationInfo = { oid: 3, name: "fresh", schema: "public", relname: "fresh", kind: "table", filenode: 30 };
const noDiff: CatalogDiff = { rewritten: [], createdIndexes: [], droppedIndexes: [], constraints: [], columns: [] };

/** A parsed statement for the parts of the findings that look at the statement's kind. */
function parsed(sql: string): ParsedStatement {
  const node = parseSql(sql).stmts![0]!.stmt!;
  const type = Object.keys(node)[0] as ParsedStatement["type"];
  return { type, checked: true, index: 0, range: [0, sql.length], loc: { start: { line: 1, column: 0 }, end: { line: 1, column: sql.length } }, text: sql, origin: { kind: "file" }, section: 0, node, byteBase: 0, inner: [] };
}

function observed(sql: string, o: { line?: number; transaction?: string | null; locks?: [RelationInfo, LockMode][]; diff?: Partial<CatalogDiff>; ms?: number; lockTimeout?: string | null; lint?: string[]; validated?: number[] } = {}): ObservedStatement {
  const input: TraceStatementInput = { line: o.line ?? 1, text: sql, parsed: parsed(sql), transaction: o.transaction ?? null, lint: o.lint ?? [] };
  return {
    input,
    preExisting: new Set([users.oid, orders.oid]),
    ms: o.ms ?? 1,
    lockTimeout: o.lockTimeout ?? null,
    locks: (o.locks ?? []).map(([relation, mode]) => ({ relation, mode, source: "observed" as const })),
    diff: { ...noDiff, ...o.diff },
    outsideTransaction: false,
    refusedInTransaction: false,
    validatedReferences: new Set(o.validated ?? []),
  };
}

const rules = (o: ObservedStatement, unindexed: ReadonlySet<number> = new Set()): string[] => deriveFindings("f.sql", [o], unindexed)[0]!.findings.map((f) => f.rule);

describe("deriveFindings", () => {
  it("a write-blocking lock on a table in use without lock_timeout is require-lock-timeout; with one, or on a new table, it is not", () => {
    expect(rules(observed("ALTER TABLE users ADD x int", { locks: [[users, "ACCESS EXCLUSIVE"]] }))).toEqual(["require-lock-timeout"]);
    expect(rules(observed("ALTER TABLE users ADD x int", { locks: [[users, "ACCESS EXCLUSIVE"]], lockTimeout: "2s" }))).toEqual([]);
    expect(rules(observed("ALTER TABLE fresh ADD x int", { locks: [[fresh, "ACCESS EXCLUSIVE"]] }))).toEqual([]);
    expect(rules(observed("ALTER TABLE users VALIDATE CONSTRAINT c", { locks: [[users, "SHARE UPDATE EXCLUSIVE"]] }))).toEqual([]);
  });

  it("names a table rewrite after the statement that caused it", () => {
    const rewrite = (sql: string): string[] => rules(observed(sql, { lockTimeout: "1s", locks: [[users, "ACCESS EXCLUSIVE"]], diff: { rewritten: [users] } }));
    expect(rewrite("ALTER TABLE users ADD r float8 DEFAULT random()")).toEqual(["no-volatile-default"]);
    expect(rewrite("ALTER TABLE users ALTER id TYPE bigint")).toEqual(["no-column-type-change"]);
    expect(rewrite("VACUUM FULL users")).toEqual(["no-blocking-maintenance"]);
    expect(rewrite("TRUNCATE users")).toEqual(["no-truncate"]);
    expect(rewrite("ALTER TABLE users SET LOGGED")).toEqual(["no-table-rewrite"]);
  });

  it("an index built or dropped under a write-blocking lock", () => {
    const index: RelationInfo = { oid: 9, name: "users_email", schema: "public", relname: "users_email", kind: "index", filenode: 90, table: users.oid };
    expect(rules(observed("CREATE INDEX users_email ON users (email)", { lockTimeout: "1s", locks: [[users, "SHARE"]], diff: { createdIndexes: [index] } }))).toEqual([
      "require-concurrent-index",
    ]);
    expect(rules(observed("ALTER TABLE users ADD UNIQUE (email)", { lockTimeout: "1s", locks: [[users, "ACCESS EXCLUSIVE"]], diff: { createdIndexes: [index] } }))).toEqual([
      "no-unique-constraint-without-index",
    ]);
    expect(rules(observed("DROP INDEX users_email", { lockTimeout: "1s", locks: [[users, "ACCESS EXCLUSIVE"]], diff: { droppedIndexes: [index] } }))).toEqual([
      "require-concurrent-index",
    ]);
    expect(rules(observed("CREATE INDEX CONCURRENTLY users_email ON users (email)", { locks: [[users, "SHARE UPDATE EXCLUSIVE"]], diff: { createdIndexes: [index] } }))).toEqual([]);
  });

  it("a constraint added already validated, and a foreign key no index leads with", () => {
    const constraint = { oid: 7, name: "orders_user", table: "orders", tableOid: orders.oid, type: "FOREIGN KEY" as const, change: "added" as const, validated: true, referenced: users.oid, onNewColumns: false };
    const o = observed("ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users", { lockTimeout: "1s", locks: [[orders, "SHARE ROW EXCLUSIVE"]], diff: { constraints: [constraint] } });
    expect(rules(o)).toEqual(["require-not-valid-constraint"]);
    expect(rules(o, new Set([7]))).toEqual(["require-not-valid-constraint", "no-foreign-key-without-index"]);
    const notValid = observed("ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users NOT VALID", { diff: { constraints: [{ ...constraint, validated: false }] } });
    expect(rules(notValid)).toEqual([]);
    // On a column the statement added, PostgreSQL marks the key valid without checking, unless it checked it (ROW SHARE).
    const onNewColumn = { ...constraint, onNewColumns: true };
    const sql = "ALTER TABLE orders ADD user_id int REFERENCES users";
    expect(rules(observed(sql, { lockTimeout: "1s", diff: { constraints: [onNewColumn] } }))).toEqual([]);
    expect(rules(observed(sql, { lockTimeout: "1s", diff: { constraints: [onNewColumn] }, validated: [users.oid] }))).toEqual(["require-not-valid-constraint"]);
  });

  it("in one transaction: locks are held to its end, later statements are findings, and VALIDATE there gains nothing", () => {
    const constraint = { oid: 7, name: "orders_user", table: "orders", tableOid: orders.oid, type: "FOREIGN KEY" as const, change: "validated" as const, validated: true, onNewColumns: false };
    const traces = deriveFindings(
      "f.sql",
      [
        observed("ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users NOT VALID", { line: 1, transaction: "section", ms: 2, lockTimeout: "1s", locks: [[orders, "SHARE ROW EXCLUSIVE"]] }),
        observed("SET lock_timeout = '5s'", { line: 2, transaction: "section", ms: 1, lockTimeout: "1s" }),
        observed("ALTER TABLE orders VALIDATE CONSTRAINT orders_user", { line: 3, transaction: "section", ms: 4, lockTimeout: "5s", locks: [[orders, "SHARE UPDATE EXCLUSIVE"]], diff: { constraints: [constraint] } }),
        observed("ALTER TABLE users ADD x int", { line: 4, transaction: null, ms: 8, lockTimeout: "5s", locks: [[users, "ACCESS EXCLUSIVE"]] }),
      ],
      new Set(),
    );
    // SHARE ROW EXCLUSIVE blocks writes but not reads: validating under it is the finding, running on is not.
    expect(traces.map((t) => t.findings.map((f) => f.rule))).toEqual([[], [], ["no-validate-in-same-transaction"], []]);
    expect(traces[2]!.findings[0]!.message).toBe("Validated orders_user in the transaction that still holds a write-blocking lock on orders.");
    expect(traces.map((t) => t.locks.map((l) => l.heldMs))).toEqual([[7], [], [4], [8]]);
  });

  it("a further statement while ACCESS EXCLUSIVE is held, except settings and comments", () => {
    const held = observed("ALTER TABLE users ADD x int", { line: 1, transaction: "section", lockTimeout: "1s", locks: [[users, "ACCESS EXCLUSIVE"]] });
    const after = (sql: string): string[] =>
      deriveFindings("f.sql", [held, observed(sql, { line: 2, transaction: "section", lockTimeout: "1s" })], new Set())[1]!.findings.map((f) => f.rule);
    expect(after("UPDATE orders SET x = 1 WHERE id = 1")).toEqual(["no-statement-after-exclusive-lock"]);
    expect(after("SET lock_timeout = '1s'")).toEqual([]);
    expect(after("SELECT set_config('lock_timeout', '1s', true)")).toEqual([]);
    expect(after("COMMENT ON COLUMN users.x IS 'x'")).toEqual([]);
  });

  it("a statement PostgreSQL refused in a transaction block, which the tool runs in one", () => {
    const o: ObservedStatement = {
      ...observed("CREATE INDEX CONCURRENTLY i ON users (x)", { transaction: "section" }),
      ms: null,
      notTraced: { why: "needs no transaction block", message: "…", refusedInTransaction: true },
    };
    const [trace] = deriveFindings("f.sql", [o], new Set());
    expect(trace!.findings.map((f) => f.rule)).toEqual(["no-concurrently-in-transaction"]);
    expect(rules({ ...o, input: { ...o.input, transaction: null } })).toEqual([]);
  });
});

describe("compare", () => {
  it("compares only the rule ids a trace can check", () => {
    expect(compare(["require-lock-timeout", "no-drop-column", "no-column-type-change"], ["require-lock-timeout", "require-concurrent-index", "no-table-rewrite"])).toEqual({
      agree: ["require-lock-timeout"],
      lintOnly: ["no-column-type-change"],
      traceOnly: ["require-concurrent-index"],
    });
  });
});

describe("lockModeOf", () => {
  it("spells pg_locks modes as SQL does", () => {
    expect(["AccessShareLock", "RowExclusiveLock", "ShareUpdateExclusiveLock", "ShareRowExclusiveLock", "AccessExclusiveLock", "SIReadLock"].map(lockModeOf)).toEqual([
      "ACCESS SHARE",
      "ROW EXCLUSIVE",
      "SHARE UPDATE EXCLUSIVE",
      "SHARE ROW EXCLUSIVE",
      "ACCESS EXCLUSIVE",
      undefined,
    ]);
  });
});
