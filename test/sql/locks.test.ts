// The table locks we attribute to statements, checked against PostgreSQL's documented and coded lock levels.
import { describe, expect, it } from "vitest";
import { parseDocument } from "../../src/sql/document.js";
import { blocks, describeBlocking, isTrueOption, locksOf, type LockOptions } from "../../src/sql/locks.js";
import type { ParsedStatement } from "../../src/sql/statement.js";

function statement(sql: string): ParsedStatement {
  const outcome = parseDocument(sql);
  if (!outcome.ok) throw new Error(outcome.message);
  const [first] = outcome.document.statements;
  if (!first?.checked) throw new Error(`did not parse: ${sql}`);
  return first;
}

/** `table:MODE` for each lock, `*` marking a referenced (not altered) table. */
const locks = (sql: string, options?: LockOptions): string[] =>
  locksOf(statement(sql), options).map(
    (l) => `${l.relation.schema ? `${l.relation.schema}.` : ""}${l.relation.name}:${l.mode}${l.referenced ? "*" : ""}`,
  );

describe("blocks / describeBlocking", () => {
  it("says which modes block plain reads and DML", () => {
    expect(blocks("ACCESS EXCLUSIVE")).toEqual({ reads: true, writes: true });
    expect(blocks("EXCLUSIVE")).toEqual({ reads: false, writes: true });
    expect(blocks("SHARE")).toEqual({ reads: false, writes: true });
    expect(blocks("SHARE UPDATE EXCLUSIVE")).toEqual({ reads: false, writes: false });
    expect(describeBlocking("SHARE ROW EXCLUSIVE")).toBe("blocks all writes");
    expect(describeBlocking("ROW SHARE")).toBe("blocks only conflicting DDL");
  });
});

describe("locksOf: ALTER TABLE", () => {
  it("takes the strongest lock of all actions, and locks referenced tables of foreign keys", () => {
    expect(locks("ALTER TABLE t ALTER COLUMN c SET STATISTICS 100")).toEqual(["t:SHARE UPDATE EXCLUSIVE"]);
    expect(locks("ALTER TABLE t ALTER COLUMN c SET STATISTICS 100, ADD COLUMN d int")).toEqual(["t:ACCESS EXCLUSIVE"]);
    expect(locks("ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES app.users NOT VALID")).toEqual([
      "t:SHARE ROW EXCLUSIVE",
      "app.users:SHARE ROW EXCLUSIVE*",
    ]);
    expect(locks("ALTER TABLE t VALIDATE CONSTRAINT fk")).toEqual(["t:SHARE UPDATE EXCLUSIVE"]);
    expect(locks("ALTER TABLE t DISABLE TRIGGER trg")).toEqual(["t:SHARE ROW EXCLUSIVE"]);
    expect(locks("ALTER INDEX i SET (fillfactor = 70)")).toEqual([]);
  });

  it("knows which storage parameters need ACCESS EXCLUSIVE", () => {
    expect(locks("ALTER TABLE t SET (fillfactor = 70, autovacuum_enabled = false)")).toEqual(["t:SHARE UPDATE EXCLUSIVE"]);
    expect(locks("ALTER TABLE t SET (toast.autovacuum_enabled = false)")).toEqual(["t:SHARE UPDATE EXCLUSIVE"]);
    expect(locks("ALTER TABLE t SET (fillfactor = 70, user_catalog_table = true)")).toEqual(["t:ACCESS EXCLUSIVE"]);
    expect(locks("ALTER TABLE t RESET (user_catalog_table)")).toEqual(["t:ACCESS EXCLUSIVE"]);
  });

  it("locks the partition being attached or detached, and the parent by version", () => {
    const attach = "ALTER TABLE events ATTACH PARTITION app.events_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')";
    expect(locks(attach)).toEqual(["events:SHARE UPDATE EXCLUSIVE", "app.events_2026:ACCESS EXCLUSIVE"]);
    expect(locks(attach, { postgresVersion: 12 })).toEqual(["events:SHARE UPDATE EXCLUSIVE", "app.events_2026:ACCESS EXCLUSIVE"]);
    expect(locks(attach, { postgresVersion: 11 })).toEqual(["events:ACCESS EXCLUSIVE", "app.events_2026:ACCESS EXCLUSIVE"]);
    expect(locks("ALTER TABLE events DETACH PARTITION events_2020")).toEqual(["events:ACCESS EXCLUSIVE", "events_2020:ACCESS EXCLUSIVE"]);
    expect(locks("ALTER TABLE events DETACH PARTITION events_2020 CONCURRENTLY")).toEqual([
      "events:SHARE UPDATE EXCLUSIVE",
      "events_2020:SHARE UPDATE EXCLUSIVE",
    ]);
  });
});

describe("locksOf: CREATE TABLE", () => {
  it("locks nothing for a standalone table", () => {
    expect(locks("CREATE TABLE t (id bigint PRIMARY KEY, name text)")).toEqual([]);
  });

  it("locks the parent of a new partition with ACCESS EXCLUSIVE, an INHERITS parent with SHARE UPDATE EXCLUSIVE", () => {
    expect(locks("CREATE TABLE events_2026 PARTITION OF events FOR VALUES IN (2026)")).toEqual(["events:ACCESS EXCLUSIVE"]);
    expect(locks("CREATE TABLE child (extra int) INHERITS (parent)")).toEqual(["parent:SHARE UPDATE EXCLUSIVE"]);
  });

  it("locks every table a new foreign key references, column and table constraints alike", () => {
    expect(locks("CREATE TABLE orders (id int, user_id int REFERENCES users, org int, FOREIGN KEY (org) REFERENCES app.orgs (id))")).toEqual([
      "users:SHARE ROW EXCLUSIVE*",
      "app.orgs:SHARE ROW EXCLUSIVE*",
    ]);
  });
});

describe("locksOf: other statements", () => {
  it("indexes: SHARE, or SHARE UPDATE EXCLUSIVE concurrently; DROP INDEX names no table", () => {
    expect(locks("CREATE INDEX i ON t (a)")).toEqual(["t:SHARE"]);
    expect(locks("CREATE INDEX CONCURRENTLY i ON t (a)")).toEqual(["t:SHARE UPDATE EXCLUSIVE"]);
    expect(locks("DROP INDEX i")).toEqual([]);
    expect(locks("REINDEX INDEX i")).toEqual([]);
    expect(locks("REINDEX TABLE t")).toEqual(["t:SHARE"]);
    expect(locks("REINDEX (CONCURRENTLY) TABLE t")).toEqual(["t:SHARE UPDATE EXCLUSIVE"]);
    expect(locks("REINDEX (CONCURRENTLY false) TABLE t")).toEqual(["t:SHARE"]);
  });

  it("renames: ACCESS EXCLUSIVE, except an index since PostgreSQL 12", () => {
    expect(locks("ALTER TABLE t RENAME COLUMN a TO b")).toEqual(["t:ACCESS EXCLUSIVE"]);
    expect(locks("ALTER INDEX i RENAME TO j")).toEqual(["i:SHARE UPDATE EXCLUSIVE"]);
    expect(locks("ALTER INDEX i RENAME TO j", { postgresVersion: 11 })).toEqual(["i:ACCESS EXCLUSIVE"]);
  });

  it("drops of tables and of objects that hang off a table lock the table", () => {
    expect(locks("DROP TABLE a, app.b")).toEqual(["a:ACCESS EXCLUSIVE", "app.b:ACCESS EXCLUSIVE"]);
    expect(locks("DROP TRIGGER trg ON app.t")).toEqual(["app.t:ACCESS EXCLUSIVE"]);
    expect(locks("DROP POLICY IF EXISTS p ON t")).toEqual(["t:ACCESS EXCLUSIVE"]);
    expect(locks("DROP RULE r ON t")).toEqual(["t:ACCESS EXCLUSIVE"]);
    expect(locks("DROP FUNCTION f()")).toEqual([]);
  });

  it("policies, rules and SET SCHEMA take ACCESS EXCLUSIVE; triggers SHARE ROW EXCLUSIVE", () => {
    expect(locks("CREATE POLICY p ON t USING (owner = current_user)")).toEqual(["t:ACCESS EXCLUSIVE"]);
    expect(locks("ALTER POLICY p ON app.t USING (true)")).toEqual(["app.t:ACCESS EXCLUSIVE"]);
    expect(locks("CREATE RULE r AS ON INSERT TO t DO INSTEAD NOTHING")).toEqual(["t:ACCESS EXCLUSIVE"]);
    expect(locks("ALTER TABLE t SET SCHEMA archive")).toEqual(["t:ACCESS EXCLUSIVE"]);
    expect(locks("ALTER FUNCTION f() SET SCHEMA archive")).toEqual([]);
    expect(locks("CREATE TRIGGER trg BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION f()")).toEqual(["t:SHARE ROW EXCLUSIVE"]);
  });

  it("LOCK TABLE takes the mode it names, ACCESS EXCLUSIVE by default", () => {
    expect(locks("LOCK TABLE a")).toEqual(["a:ACCESS EXCLUSIVE"]);
    expect(locks("LOCK TABLE a, ONLY b IN SHARE MODE")).toEqual(["a:SHARE", "b:SHARE"]);
    expect(locks("LOCK a IN ACCESS SHARE MODE NOWAIT")).toEqual(["a:ACCESS SHARE"]);
    expect(locks("LOCK a IN SHARE ROW EXCLUSIVE MODE")).toEqual(["a:SHARE ROW EXCLUSIVE"]);
  });

  it("maintenance: VACUUM FULL and CLUSTER rewrite under ACCESS EXCLUSIVE; plain VACUUM and ANALYZE do not", () => {
    expect(locks("VACUUM FULL t")).toEqual(["t:ACCESS EXCLUSIVE"]);
    expect(locks("VACUUM (FULL, ANALYZE) a, b (c)")).toEqual(["a:ACCESS EXCLUSIVE", "b:ACCESS EXCLUSIVE"]);
    expect(locks("VACUUM (FULL false) t")).toEqual(["t:SHARE UPDATE EXCLUSIVE"]);
    expect(locks("VACUUM (FULL 0) t")).toEqual(["t:SHARE UPDATE EXCLUSIVE"]);
    expect(locks("VACUUM (FULL off, VERBOSE) t")).toEqual(["t:SHARE UPDATE EXCLUSIVE"]);
    expect(locks("VACUUM ANALYZE t")).toEqual(["t:SHARE UPDATE EXCLUSIVE"]);
    expect(locks("ANALYZE t")).toEqual(["t:SHARE UPDATE EXCLUSIVE"]);
    expect(locks("VACUUM FULL")).toEqual([]); // every table: none named
    expect(locks("CLUSTER t USING t_pkey")).toEqual(["t:ACCESS EXCLUSIVE"]);
    expect(locks("CLUSTER")).toEqual([]);
    expect(locks("REFRESH MATERIALIZED VIEW v")).toEqual(["v:ACCESS EXCLUSIVE"]);
    expect(locks("REFRESH MATERIALIZED VIEW CONCURRENTLY v")).toEqual(["v:EXCLUSIVE"]);
    expect(locks("TRUNCATE a, app.b CASCADE")).toEqual(["a:ACCESS EXCLUSIVE", "app.b:ACCESS EXCLUSIVE"]);
  });

  it("plain DML and queries take no lock worth naming", () => {
    expect(locks("UPDATE t SET a = 1")).toEqual([]);
    expect(locks("SELECT * FROM t")).toEqual([]);
  });
});

describe("isTrueOption", () => {
  const option = (sql: string) => {
    const vacuum = statement(sql).node as { VacuumStmt: { options: { DefElem: never }[] } };
    return vacuum.VacuumStmt.options[0]!.DefElem;
  };
  it("reads PostgreSQL's boolean spellings", () => {
    expect(isTrueOption(option("VACUUM (FULL) t"), "full")).toBe(true);
    expect(isTrueOption(option("VACUUM (FULL true) t"), "full")).toBe(true);
    expect(isTrueOption(option("VACUUM (FULL on) t"), "full")).toBe(true);
    expect(isTrueOption(option("VACUUM (FULL 1) t"), "full")).toBe(true);
    expect(isTrueOption(option("VACUUM (FULL FALSE) t"), "full")).toBe(false);
    expect(isTrueOption(option("VACUUM (FULL 0) t"), "full")).toBe(false);
    expect(isTrueOption(option("VACUUM (FULL) t"), "freeze")).toBe(false);
    expect(isTrueOption(undefined, "full")).toBe(false);
  });
});
