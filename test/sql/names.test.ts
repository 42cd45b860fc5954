/**
 * The names PostgreSQL chooses for objects it names itself (makeObjectName), checked against PostgreSQL: rules
 * suggest `CREATE UNIQUE INDEX … <name>` and `ADD CONSTRAINT <name>` with the name PostgreSQL would have picked,
 * so a later migration that refers to it by that name finds it.
 */
import { describe, expect, it } from "vitest";
import { byteLength, clipToBytes, formatName, isOnly, makeObjectName, quoteIdent, quoteLiteral } from "../../src/sql/names.js";
import { describeOnDatabases } from "../helpers/databases.js";

describe("makeObjectName", () => {
  it("joins the names and the label when they fit", () => {
    expect(makeObjectName("users", "email", "key")).toBe("users_email_key");
    expect(makeObjectName("users", undefined, "pkey")).toBe("users_pkey");
  });

  it("shortens the longer name first, a byte at a time, to 63 bytes at most", () => {
    const name = makeObjectName("t".repeat(60), "c".repeat(10), "not_null");
    expect(name).toBe(`${"t".repeat(43)}_${"c".repeat(10)}_not_null`);
    expect(byteLength(name)).toBe(63);
  });

  it("never splits a character, so a name of multi-byte characters may end up shorter than 63 bytes", () => {
    const name = makeObjectName("ä".repeat(30), "€".repeat(20), "key");
    expect(name).toBe(`${"ä".repeat(14)}_${"€".repeat(9)}_key`);
    expect(byteLength(name)).toBeLessThan(63);
  });

  it("clipToBytes keeps whole characters", () => {
    expect(clipToBytes("a😀b", 4)).toBe("a");
    expect(clipToBytes("a😀b", 5)).toBe("a😀");
    expect(clipToBytes("abc", 0)).toBe("");
  });

  it("isOnly: a relation without inh was written with ONLY (proto3 leaves false out)", () => {
    expect(isOnly({ relname: "t", inh: true })).toBe(false);
    expect(isOnly({ relname: "t" })).toBe(true);
    expect(isOnly(undefined)).toBe(true);
  });
});

/** Table and column names up to 63 bytes (longer ones PostgreSQL truncates before naming anything after them). */
const CASES: readonly [table: string, column: string][] = [
  ["users", "email"],
  ["t".repeat(60), "c".repeat(10)],
  ["ä".repeat(30), "€".repeat(20)],
  ["a" + "😀".repeat(15), "B c".repeat(20)],
  // Mixed widths: shortening a byte at a time and cutting back to a character boundary afterwards is not the same
  // as dropping a whole character at a time.
  ["äa€a€aääaaaaäaaa😀a😀äaaaaaaa€", "aa€aaaaaaa😀a€aäa😀"],
  ["aääaäääaaa😀aaa😀€aaä😀a€aaaa", "€aaa😀ä€aaa😀aaaä"],
  ['Odd "quoted" name; DROP TABLE x; --', "x'y"],
];

const LABELS: Readonly<Record<string, string>> = { c: "check", n: "not_null", p: "pkey", u: "key" };

describeOnDatabases("makeObjectName agrees with PostgreSQL", (db) => {
  it.each(CASES)("UNIQUE, PRIMARY KEY and CHECK constraints on %s (%s)", async (tableName, column) => {
    const table = formatName({ name: tableName });
    const c = quoteIdent(column);
    await db().exec(`CREATE TABLE ${table} (${c} int); ALTER TABLE ${table} ADD UNIQUE (${c}), ADD PRIMARY KEY (${c}), ADD CHECK (${c} > 0);`);
    const { rows } = await db().query<{ conname: string; contype: string; version: number }>(
      `SELECT conname, contype, current_setting('server_version_num')::int AS version FROM pg_catalog.pg_constraint WHERE conrelid = to_regclass(${quoteLiteral(table)}) ORDER BY contype`,
    );
    // PostgreSQL 18 (PGlite) also records the NOT NULL the primary key implies, named `<table>_<column>_not_null`:
    // the name no-set-not-null gives its CHECK.
    expect(rows.map((r) => r.contype)).toEqual(rows[0]!.version >= 180000 ? ["c", "n", "p", "u"] : ["c", "p", "u"]);
    expect(rows.map((r) => r.conname)).toEqual(rows.map((r) => makeObjectName(tableName, r.contype === "p" ? undefined : column, LABELS[r.contype]!)));
  });
});
