/**
 * Check generation without a database: which statements contribute which checks, how a backfill's SET expression
 * is cut out of the statement's text (and proved to be the same expression), and `--transition` parsing.
 */
import { describe, expect, it } from "vitest";
import { analyzeMigration } from "../../src/context/migration-context.js";
import { DEFAULT_SETTINGS } from "../../src/context/settings.js";
import { markerKind } from "../../src/context/conventions.js";
import { parseDocument } from "../../src/sql/document.js";
import { checksForMigration, inferTransitions, parseTransitionOption, planVerification, TransitionSyntaxError } from "../../src/verify/index.js";

function parse(text: string, path = "migrations/0001.sql") {
  const parsed = parseDocument(text, { markerKind });
  if (!parsed.ok) throw new Error(parsed.message);
  return { document: parsed.document, contexts: analyzeMigration(parsed.document, DEFAULT_SETTINGS, path) };
}

const transitionsOf = (text: string) => {
  const { document, contexts } = parse(text);
  return inferTransitions(document, contexts).map(({ origin: _origin, ...t }) => t);
};

const ids = (text: string, path?: string): string[] => planVerification([{ path: path ?? "migrations/0001.sql", text }]).checks.map((c) => c.id);

describe("transitions inferred from backfill UPDATEs", () => {
  it("takes the SET expression from the statement's text, without the table alias", () => {
    expect(transitionsOf("UPDATE users u SET display_name = normalize(u.full_name) FROM (SELECT id FROM users LIMIT 10) b WHERE u.id = b.id")).toEqual([
      { table: { name: "users" }, from: "full_name", to: "display_name", expression: "normalize(full_name)" },
    ]);
  });

  it("keeps qualifiers that name the table itself, and schema-qualified tables", () => {
    expect(transitionsOf("UPDATE app.users SET display_name = lower(users.full_name) WHERE id < 100")).toEqual([
      { table: { schema: "app", name: "users" }, from: "full_name", to: "display_name", expression: "lower(users.full_name)" },
    ]);
  });

  it.each([
    ["a comma inside a call", "UPDATE t SET b = concat_ws(', ', a, 'x'), c = 1", "concat_ws(', ', a, 'x')"],
    ["IS DISTINCT FROM at the top level", "UPDATE t SET b = a IS DISTINCT FROM 'x' WHERE id = 1", "a IS DISTINCT FROM 'x'"],
    ["keywords inside a string", "UPDATE t SET b = a || ' FROM x WHERE y, z' RETURNING id", "a || ' FROM x WHERE y, z'"],
    ["a comment inside the expression", "UPDATE t SET b = upper( /* why */ a) -- trailing\nWHERE true", "upper( /* why */ a)"],
    ["CASE with a subscript", "UPDATE t SET b = CASE WHEN a[1] > 0 THEN a[1] ELSE NULL END", "CASE WHEN a[1] > 0 THEN a[1] ELSE NULL END"],
    ["EXTRACT(… FROM …)", "UPDATE t SET b = extract(year FROM a) WHERE b IS NULL", "extract(year FROM a)"],
    ["a cast", "UPDATE t SET b = a::text", "a::text"],
    ["multi-byte text before it", "UPDATE t SET b = 'żółw ' || a", "'żółw ' || a"],
    ["quoted, upper-case alias", 'UPDATE t AS "T" SET b = "T".a || "T"."Odd"', 'a || "Odd"'],
    // PostgreSQL 18 trees record more positions than `location` (list_start/list_end, rexpr_list_start/…): the
    // re-parse proof must ignore them all, or these expressions could never be isolated.
    ["an ARRAY[…] constructor", "UPDATE t SET b = ARRAY[a, 'x'] WHERE b IS NULL", "ARRAY[a, 'x']"],
    ["an ARRAY[…] constructor behind an alias", "UPDATE t u SET b = ARRAY[u.a, 'x']", "ARRAY[a, 'x']"],
    ["an IN (…) list", "UPDATE t SET b = a IN ('x', 'y')", "a IN ('x', 'y')"],
  ])("isolates the expression with %s", (_, sql, expression) => {
    expect(transitionsOf(sql)[0]).toMatchObject({ from: "a", to: "b", expression });
  });

  it("a second SET target is a second transition; constants and self-updates are none", () => {
    expect(transitionsOf("UPDATE t SET b = lower(a), c = upper(a), flag = false, n = n + 1")).toEqual([
      { table: { name: "t" }, from: "a", to: "b", expression: "lower(a)" },
      { table: { name: "t" }, from: "a", to: "c", expression: "upper(a)" },
    ]);
  });

  it.each([
    ["reads another relation of the UPDATE", "UPDATE t SET b = s.x || t.a FROM src s WHERE s.id = t.id", /reads s\.x, another relation/],
    ["reads a parameter", "UPDATE t SET b = a || $1", /reads a parameter/],
    ["is volatile", "UPDATE t SET b = a || random()::text", /volatile \(random\(\)\)/],
    ["has a subquery that uses the alias", "UPDATE t u SET b = (SELECT max(x) FROM o WHERE o.k = u.a)", /refers to the table as u/],
    ["is a multi-column assignment", "UPDATE t SET (b, c) = (lower(a), upper(a))", /could not be isolated/],
  ])("marks drift as not checkable when the expression %s", (_, sql, reason) => {
    const [transition] = transitionsOf(sql);
    expect(transition?.expression).toBeUndefined();
    expect(transition?.opaque).toMatch(reason);
  });

  it("ignores the rollback part of a migration", () => {
    const goose = "-- +goose Up\nSELECT 1;\n-- +goose Down\nUPDATE users SET full_name = display_name;\n";
    expect(transitionsOf(goose)).toEqual([]);
  });

  it("a transition given on the command line takes the backfill's expression when it has none", () => {
    const plan = planVerification([{ path: "backfill.sql", text: "UPDATE users SET display_name = normalize(full_name)" }], {
      transitions: [parseTransitionOption("users.full_name:display_name"), parseTransitionOption("users.email:login")],
    });
    expect(plan.transitions.map(({ origin: _o, ...t }) => t)).toEqual([
      { table: { name: "users" }, from: "full_name", to: "display_name", expression: "normalize(full_name)" },
      { table: { name: "users" }, from: "email", to: "login" },
    ]);
    expect(plan.checks[1]!.sql).toContain("login IS DISTINCT FROM (email)");
  });
});

describe("--transition", () => {
  it.each([
    ["users.full_name:display_name", { table: { name: "users" }, from: "full_name", to: "display_name" }],
    ['app."User Table"."Full:Name":"display=name"', { table: { schema: "app", name: "User Table" }, from: "Full:Name", to: "display=name" }],
    ["users.full_name:display_name=coalesce(nullif(btrim(full_name), ''), 'x=y')", { table: { name: "users" }, from: "full_name", to: "display_name", expression: "coalesce(nullif(btrim(full_name), ''), 'x=y')" }],
    ["Users.Full_Name : Display", { table: { name: "users" }, from: "full_name", to: "display" }],
  ])("%s", (text, expected) => {
    const { origin, ...transition } = parseTransitionOption(text);
    expect(transition).toEqual(expected);
    expect(origin).toEqual({ kind: "option", text: `--transition ${text}` });
  });

  it.each(["users.full_name", "full_name:display_name", "a.b.c.d:e", "users.a:b c", "users.a:b=1; DROP TABLE users", "users.a:b=", "users.a:b=(SELECT"])(
    "rejects %s",
    (text) => {
      expect(() => parseTransitionOption(text)).toThrow(TransitionSyntaxError);
    },
  );
});

describe("checks per statement", () => {
  it("a safe CREATE INDEX CONCURRENTLY contributes its index-valid check; a unique one also checks duplicates first", () => {
    expect(ids("CREATE INDEX CONCURRENTLY idx_a ON app.t (a);\nCREATE UNIQUE INDEX CONCURRENTLY idx_b ON t (b, c);")).toEqual([
      "index-valid:app.idx_a",
      "duplicates:t(b, c)",
      "index-valid:idx_b",
    ]);
  });

  it("a partial unique index counts duplicates only where its WHERE holds", () => {
    const [duplicates] = planVerification([{ path: "m.sql", text: "CREATE UNIQUE INDEX CONCURRENTLY i ON t (a) WHERE deleted_at IS NULL AND (kind = 'x')" }]).checks;
    expect(duplicates!.sql).toContain("WHERE a IS NOT NULL AND (deleted_at IS NULL AND (kind = 'x')) GROUP BY a");
  });

  it("nothing to verify on a table this migration creates", () => {
    expect(ids("CREATE TABLE t (a int, b text);\nALTER TABLE t ALTER COLUMN a SET NOT NULL;\nCREATE UNIQUE INDEX ON t (b);\nALTER TABLE t DROP COLUMN b;")).toEqual([]);
  });

  it("ADD PRIMARY KEY: NULLs in each key column and duplicates; USING INDEX: nothing (the index proves it)", () => {
    expect(ids("ALTER TABLE t ADD PRIMARY KEY (a, b);\nALTER TABLE t ADD CONSTRAINT u UNIQUE USING INDEX i;")).toEqual(["nulls:t.a", "nulls:t.b", "duplicates:t(a, b)"]);
  });

  it("a valid CHECK is checked before it is added; a NOT VALID one after, before its VALIDATE", () => {
    const plan = planVerification([{ path: "m.sql", text: "ALTER TABLE t ADD CONSTRAINT c CHECK ((a > 0) AND (b < 1));\nALTER TABLE t ADD CONSTRAINT d CHECK (a <> 1) NOT VALID;" }]);
    expect(plan.checks.map((c) => [c.id, c.when])).toEqual([
      ["check-violations:t.c", "before"],
      ["check-violations:t.d", "after"],
    ]);
    expect(plan.checks[0]!.sql).toContain("WHERE NOT ((a > 0) AND (b < 1))");
  });

  it("a CHECK or USING holding an IN (…) list or ARRAY[…] is cut out too (PostgreSQL 18 trees mark their lists)", () => {
    const plan = planVerification([
      { path: "m.sql", text: "ALTER TABLE t ADD CONSTRAINT c CHECK (status IN ('a', 'b'));\nALTER TABLE t ALTER COLUMN n TYPE smallint USING (ARRAY[n, 0])[1];" },
    ]);
    expect(plan.checks.map((c) => c.id)).toEqual(["check-violations:t.c", "type-fit:t.n"]);
    expect(plan.checks[0]!.sql).toContain("WHERE NOT (status IN ('a', 'b'))");
    expect(plan.checks[1]!.sql).toContain("round(((ARRAY[n, 0])[1])::numeric)");
    expect(plan.skipped).toEqual([]);
  });

  it("type changes that can reject values; widening to text or bigint is not checked", () => {
    expect(
      ids("ALTER TABLE t ALTER COLUMN a TYPE varchar(10), ALTER COLUMN b TYPE char(2), ALTER COLUMN c TYPE numeric(8,2), ALTER COLUMN d TYPE integer, ALTER COLUMN e TYPE text, ALTER COLUMN f TYPE bigint;"),
    ).toEqual(["type-fit:t.a", "type-fit:t.b", "type-fit:t.c", "type-fit:t.d"]);
  });

  it("what cannot be checked is listed with the reason", () => {
    const plan = planVerification([
      { path: "m.sql", text: "CREATE UNIQUE INDEX CONCURRENTLY i ON t (lower(a));\nCREATE INDEX CONCURRENTLY ON t (b);" },
    ]);
    expect(plan.checks.map((c) => c.id)).toEqual(["index-valid:i"]);
    expect(plan.skipped.map((s) => [s.kind, s.object, s.reason])).toEqual([
      ["duplicates", "i", "the index has expression columns; look for duplicates of those expressions by hand"],
      ["index-valid", "t(…)", "the index has no name, so its validity cannot be looked up; name it"],
    ]);
  });

  it("statements that did not parse are reported as not verified", () => {
    const plan = planVerification([{ path: "m.sql", text: "ALTER TABLE t DROP COLUMN a;\nALTER TABLE oops oops;" }]);
    expect(plan.checks.map((c) => c.id)).toEqual(["dependents:t.a", "queries:t.a"]);
    expect(plan.unchecked).toEqual([expect.stringMatching(/^m\.sql:2: syntax error/)]);
  });

  it("checksForMigration infers the migration's own transitions unless it is given them", () => {
    const { document, contexts } = parse("UPDATE t SET b = lower(a);\nALTER TABLE t ALTER COLUMN b SET NOT NULL;");
    expect(checksForMigration(document, contexts).map((c) => c.id)).toEqual(["nulls:t.b", "transition:t.a->b"]);
    expect(checksForMigration(document, contexts, []).map((c) => c.id)).toEqual(["nulls:t.b"]);
  });
});
