/**
 * Reading SQL text out of JavaScript expressions: escapes decoded with a map back to the source characters,
 * concatenation, constants, `join`, Kysely helpers, placeholders for what only exists at run time, and the bind
 * markers knex and Sequelize replace.
 */
import type { SourceCode } from "eslint";
import { Linter } from "eslint";
import type * as ESTree from "estree";
import { describe, expect, it } from "vitest";
import { replaceBindMarkers, SqlTextReader, type SqlText } from "../../src/eslint/js/sql-text.js";
import { walk } from "../../src/eslint/js/migration-shape.js";

const linter = new Linter({ configType: "flat" });

interface Read {
  readonly result: SqlText;
  /** The SQL text, when it could be read. */
  readonly text: string | undefined;
  /** For each SQL character, the source text it comes from. */
  readonly sources: string[];
}

/** Reads the argument of the `probe(…)` call in `code` (inSqlTemplate: as a `sql` template's interpolation would). */
function probe(code: string, inSqlTemplate = false): Read {
  let read: Read | undefined;
  linter.verify(
    code,
    [
      {
        languageOptions: { ecmaVersion: "latest", sourceType: "module" },
        plugins: {
          test: {
            rules: {
              probe: {
                create(context) {
                  return {
                    "Program:exit"(program: ESTree.Program) {
                      read = readProbe(context.sourceCode as unknown as SourceCode, program, inSqlTemplate);
                    },
                  };
                },
              },
            },
          },
        },
        rules: { "test/probe": "error" },
      },
    ],
    "probe.js",
  );
  if (!read) throw new Error("no probe(…) call");
  return read;
}

function readProbe(sourceCode: SourceCode, program: ESTree.Program, inSqlTemplate: boolean): Read | undefined {
  let argument: ESTree.Node | undefined;
  walk(program, (node) => {
    if (node.type === "CallExpression" && node.callee.type === "Identifier" && node.callee.name === "probe") argument = node.arguments[0] as ESTree.Node;
  });
  if (!argument) return undefined;
  const result = new SqlTextReader(sourceCode).read(argument as never, inSqlTemplate);
  return describeResult(result, sourceCode.text);
}

function describeResult(result: SqlText, source: string): Read {
  if (!result.ok) return { result, text: undefined, sources: [] };
  const sources: string[] = [];
  for (const piece of result.pieces) {
    const mapping = piece.mapping;
    for (let i = 0; i < piece.text.length; i++) {
      if (mapping.kind === "span") sources.push(source.slice(mapping.range[0], mapping.range[1]));
      else sources.push(source.slice(mapping.sourceIndices[i], mapping.sourceIndices[i + 1] ?? mapping.end));
    }
  }
  return { result, text: result.pieces.map((p) => p.text).join(""), sources };
}

describe("string and template literals", () => {
  it("decodes escapes and maps each character to the source characters it comes from", () => {
    const read = probe(String.raw`probe('a\nb\t\'c\x41\u0042\u{43}\\');`);
    expect(read.text).toBe("a\nb\t'cABC\\");
    expect(read.sources).toEqual(["a", "\\n", "b", "\\t", "\\'", "c", "\\x41", "\\u0042", "\\u{43}", "\\\\"]);
  });

  it("drops line continuations and keeps \\0", () => {
    expect(probe("probe('a\\\nb');").text).toBe("ab");
    expect(probe(String.raw`probe("x\0y");`).text).toBe("x\0y");
  });

  it("reads template literals across lines", () => {
    const read = probe("probe(`SELECT 1;\n  DROP TABLE t`);");
    expect(read.text).toBe("SELECT 1;\n  DROP TABLE t");
    expect(read.sources.join("")).toBe("SELECT 1;\n  DROP TABLE t");
  });
});

describe("building SQL out of parts", () => {
  it("concatenates strings, templates and numbers", () => {
    expect(probe("probe('ALTER TABLE ' + \"users\" + ` ALTER COLUMN n SET DEFAULT ` + 5);").text).toBe("ALTER TABLE users ALTER COLUMN n SET DEFAULT 5");
  });

  it("reads const bindings, in templates too, and maps them to where they are used", () => {
    const read = probe("const TABLE = 'users';\nconst COLUMN = `email`;\nprobe(`ALTER TABLE ${TABLE} DROP COLUMN ` + COLUMN);");
    expect(read.text).toBe("ALTER TABLE users DROP COLUMN email");
    // The constant's characters map to its string literal.
    expect(read.sources.slice(12, 17)).toEqual(["u", "s", "e", "r", "s"]);
  });

  it("joins arrays with the given separator, or a comma", () => {
    expect(probe("probe(['SELECT 1', 'SELECT 2'].join(';\\n'));").text).toBe("SELECT 1;\nSELECT 2");
    expect(probe("probe(['a', 'b'].join());").text).toBe("a,b");
  });

  it("reads dedent`…` as its template", () => {
    expect(probe("probe(dedent(`SELECT 1`));").text).toBe("SELECT 1");
  });

  it("refuses what only exists at run time, and says why", () => {
    expect(probe("let sqlText = 'SELECT 1';\nprobe(sqlText);").result).toEqual({ ok: false, reason: "the SQL comes from `sqlText`, whose value is not a constant in this file" });
    expect(probe("probe(makeSql('x'));").result).toEqual({ ok: false, reason: "the SQL is built by a call (`makeSql(…)`) that cannot be read without running the code" });
    expect(probe("probe(a ? 'x' : 'y');").result).toEqual({ ok: false, reason: "the SQL is built from a conditional, which cannot be read without running the code" });
    expect(probe("probe(['a', ...rest].join(';'));").result).toEqual({ ok: false, reason: "an array with holes or spreads" });
  });
});

describe("placeholders", () => {
  it("stand in for unknown interpolations of a plain template with a name (the text is pasted in)", () => {
    const read = probe("probe(`ALTER TABLE ${schema}.users DROP COLUMN ${columns[0]}`);");
    expect(read.text).toBe("ALTER TABLE _schema.users DROP COLUMN _columns_0");
    const placeholders = read.result.ok ? read.result.pieces.filter((p) => p.placeholderFor).map((p) => p.placeholderFor) : [];
    expect(placeholders).toEqual(["schema", "columns[0]"]);
  });

  it("are bind parameters in a sql template, where a value is sent apart from the text", () => {
    expect(probe("probe(sql`UPDATE users SET a = ${value} WHERE id = ${id}`);").text).toBe("UPDATE users SET a = $1 WHERE id = $1");
  });

  it("are names for helper calls in a sql template (they build SQL, not values)", () => {
    expect(probe("probe(sql`SELECT ${build(x)} FROM t`);").text).toBe("SELECT _build_x FROM t");
  });
});

describe("Kysely and friends' sql helpers", () => {
  it("reads sql.raw, sql.lit, sql.id, sql.ref, sql.table, ref() and sql.identifier([…])", () => {
    const code =
      "probe(sql`SELECT ${sql.raw('1')}, ${sql.lit(\"it's\")}, ${sql.ref('u.Name')}, ${ref('id')} FROM ${sql.table('users')} JOIN ${sql.identifier(['app', 'we\"ird'])} ON true WHERE ${sql.id('x')}`);";
    expect(probe(code).text).toBe(`SELECT 1, 'it''s', "u"."Name", "id" FROM "users" JOIN "app"."we""ird" ON true WHERE "x"`);
  });

  it("reads a nested sql template held in a constant", () => {
    expect(probe("const where = sql`id = ${id}`;\nprobe(sql`DELETE FROM t WHERE ${where}`);").text).toBe("DELETE FROM t WHERE id = $1");
  });
});

describe("bind markers", () => {
  const marked = (code: string, style: "positional" | "named") => {
    const read = probe(code);
    return describeResult(replaceBindMarkers(read.result, style), code);
  };

  it("replaces knex's ? and ?? (not \\?), keeping the map to the marker", () => {
    const read = marked(String.raw`probe('UPDATE ?? SET a = ? WHERE b \\? c');`, "positional");
    expect(read.text).toBe("UPDATE _identifier SET a = $1 WHERE b ? c");
    // The stand-ins map onto their markers as a whole.
    expect(read.sources.slice(7, 18).join("")).toBe("??");
    expect(read.sources.slice(27, 29).join("")).toBe("?");
  });

  it("replaces :name and :name: but not casts", () => {
    expect(marked("probe('UPDATE :table: SET a = :value WHERE b::int = 1');", "named").text).toBe("UPDATE _table SET a = $1 WHERE b::int = 1");
  });
});
