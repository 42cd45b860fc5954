/**
 * require-dual-read against the fixture app's history: users.full_name → users.display_name is backfilled but not
 * flipped, so readers must read display_name with a fallback to full_name, and stop reading full_name alone.
 */
import { FIXTURE_HISTORY, ruleTester, settings } from "./helpers.js";
import rule from "../../src/app/rules/require-dual-read.js";

const flipped = settings({ ...FIXTURE_HISTORY, transitions: [{ table: "users", from: "full_name", to: "display_name", phase: "flipped" }] });
/** The expand migration without the backfill script, and the transition declared: display_name is still empty. */
const beforeBackfill = settings({ migrations: "db/migrations/*.sql", transitions: [{ table: "users", from: "full_name", to: "display_name" }] });
const withTeams = settings({ migrations: "{db/migrations,db/backfill,scenarios/teams}/*.sql" });
const quoted = settings({ migrations: "scenarios/quoted/*.sql" });

ruleTester().run("require-dual-read", rule, {
  valid: [
    {
      name: "the WORKFLOW.md dual-read: new column first, old one as the fallback",
      code: 'declare const user: any;\nconst name = user.display_name ?? user.full_name ?? "Anonymous";',
    },
    {
      name: "Prisma selects both columns",
      code: "declare const db: any;\nexport const u = db.user.findUnique({ where: { id: 1 }, select: { display_name: true, full_name: true } });",
    },
    {
      name: "raw SQL falls back with coalesce",
      code: 'declare const pool: any;\npool.query("SELECT coalesce(display_name, full_name) AS name FROM users WHERE id = $1", [1]);',
    },
    {
      name: "destructuring takes both",
      code: "declare const user: any;\nconst { display_name, full_name } = user;\nexport const n = display_name ?? full_name;",
    },
    {
      name: "knex selects both",
      code: 'declare const knex: any;\nexport const rows = knex("users").select("id", "display_name", "full_name");',
    },
    {
      name: "reads flipped to the new column (settings say so): the new column alone is fine",
      code: "declare const user: any;\nexport const n = user.display_name;",
      settings: flipped,
    },
    {
      name: "another table has a live display_name: a name-only match is ambiguous and not reported",
      code: "declare const team: any;\nexport const n = team.display_name;",
      settings: withTeams,
    },
    {
      name: "old-column reads can be left to the contract step's own checks with oldColumnReads: false",
      code: "declare const user: any;\nexport const n = user.full_name;",
      options: [{ oldColumnReads: false }],
    },
    {
      name: "a column of a table the code names, which the migrations leave alone",
      code: 'declare const knex: any;\nexport const rows = knex("orders").select("display_name");',
    },
    {
      name: "writes are require-dual-write's business",
      code: "declare const db: any;\ndb.user.update({ where: { id: 1 }, data: { display_name: 'x' } });",
    },
    {
      name: "a method named like a column is not a column read",
      code: "declare const x: any;\nx.display_name();",
    },
    {
      name: "the fallback in a quoted, schema-qualified table",
      code: 'declare const pool: any;\npool.query(\'SELECT coalesce("Display Name", "FullName") FROM app."Users"\');',
      settings: quoted,
    },
  ],
  invalid: [
    {
      name: "reader uses only the new column before reads are flipped (rows written by old code read NULL)",
      code: "declare const db: any;\nconst user = await db.user.findUnique({ where: { id: 1 } });\nexport const n = user?.display_name;",
      errors: [
        {
          messageId: "newBeforeFlip",
          line: 3,
          column: 24,
          endLine: 3,
          endColumn: 36,
          suggestions: [{ messageId: "addFallback", output: "declare const db: any;\nconst user = await db.user.findUnique({ where: { id: 1 } });\nexport const n = user?.display_name ?? user?.full_name;" }],
        },
      ],
    },
    {
      name: "reader uses only the new column before the backfill (every existing row reads NULL)",
      code: "declare const row: any;\nexport const n = row.display_name;",
      settings: beforeBackfill,
      errors: [
        {
          messageId: "newBeforeBackfill",
          line: 2,
          column: 22,
          endLine: 2,
          endColumn: 34,
          suggestions: [{ messageId: "addFallback", output: "declare const row: any;\nexport const n = row.display_name ?? row.full_name;" }],
        },
      ],
    },
    {
      name: "reader hard-codes the old column (a half migration), by name: the message says the table is not known",
      code: "declare const user: any;\nexport const greet = `Hello, ${user.full_name}`;",
      errors: [
        {
          messageId: "oldOnly",
          line: 2,
          column: 37,
          endLine: 2,
          endColumn: 46,
          suggestions: [{ messageId: "preferNew", output: "declare const user: any;\nexport const greet = `Hello, ${user.display_name ?? user.full_name}`;" }],
        },
      ],
    },
    {
      name: "the suggestion is parenthesised where ?? needs it",
      code: 'declare const user: any;\nexport const s = "Hi " + user.display_name;',
      errors: [
        {
          messageId: "newBeforeFlip",
          line: 2,
          column: 31,
          endLine: 2,
          endColumn: 43,
          suggestions: [{ messageId: "addFallback", output: 'declare const user: any;\nexport const s = "Hi " + (user.display_name ?? user.full_name);' }],
        },
      ],
    },
    {
      name: "computed access keeps its shape",
      code: 'declare const user: any;\nexport const s = user["display_name"];',
      errors: [
        {
          messageId: "newBeforeFlip",
          line: 2,
          column: 24,
          endLine: 2,
          endColumn: 36,
          suggestions: [{ messageId: "addFallback", output: 'declare const user: any;\nexport const s = user["display_name"] ?? user["full_name"];' }],
        },
      ],
    },
    {
      name: "no suggestion where the object would be evaluated twice",
      code: "declare function load(): any;\nexport const s = load().display_name;",
      errors: [{ messageId: "newBeforeFlip", line: 2, column: 25, endLine: 2, endColumn: 37, suggestions: [] }],
    },
    {
      name: "raw SQL reads only the new column: reported on the column in the string",
      code: 'declare const pool: any;\npool.query("SELECT id, display_name FROM users WHERE email = $1", ["a"]);',
      errors: [{ messageId: "newBeforeFlip", line: 2, column: 24, endLine: 2, endColumn: 36, suggestions: [] }],
    },
    {
      name: "knex.raw with ? and ?? bindings",
      code: 'declare const knex: any;\nknex.raw("SELECT display_name FROM users WHERE id=? AND ?? IN (?)", [1, "email", "a"]);',
      errors: [{ messageId: "newBeforeFlip", line: 2, column: 18, endLine: 2, endColumn: 30, suggestions: [] }],
    },
    {
      name: "a template literal with an interpolation, and a qualified column",
      code: "declare const pool: any;\ndeclare const id: number;\npool.query(`SELECT u.full_name FROM users u WHERE u.id = ${id}`);",
      errors: [{ messageId: "oldOnly", line: 3, column: 22, endLine: 3, endColumn: 31, suggestions: [] }],
    },
    {
      name: "knex select of the new column only",
      code: 'declare const knex: any;\nexport const rows = knex("users").select("id", "display_name");',
      errors: [{ messageId: "newBeforeFlip", line: 2, column: 49, endLine: 2, endColumn: 61, suggestions: [] }],
    },
    {
      name: "Kysely select of the old column only, with a table alias",
      code: 'declare const db: any;\nexport const rows = db.selectFrom("users as u").select(["u.id", "u.full_name"]).execute();',
      errors: [{ messageId: "oldOnly", line: 2, column: 68, endLine: 2, endColumn: 77, suggestions: [] }],
    },
    {
      name: "Prisma select of the new column only",
      code: "declare const db: any;\nexport const u = db.user.findUnique({ where: { id: 1 }, select: { display_name: true } });",
      errors: [{ messageId: "newBeforeFlip", line: 2, column: 67, endLine: 2, endColumn: 79, suggestions: [] }],
    },
    {
      name: "Prisma filter on the old column only",
      code: 'declare const db: any;\nexport const u = db.user.findMany({ where: { full_name: { contains: "a" } } });',
      errors: [{ messageId: "oldOnly", line: 2, column: 46, endLine: 2, endColumn: 55, suggestions: [] }],
    },
    {
      name: "destructuring the new column only",
      code: "declare const user: any;\nconst { display_name } = user;\nexport { display_name };",
      errors: [{ messageId: "newBeforeFlip", line: 2, column: 9, endLine: 2, endColumn: 21, suggestions: [] }],
    },
    {
      name: "rows of a knex query read in camelCase (the table is known, so case styles are matched)",
      code: 'declare const knex: any;\nconst row = await knex("users").where({ id: 1 }).first();\nexport const n = row.displayName;',
      errors: [
        {
          messageId: "newBeforeFlip",
          line: 3,
          column: 22,
          endLine: 3,
          endColumn: 33,
          suggestions: [{ messageId: "addFallback", output: 'declare const knex: any;\nconst row = await knex("users").where({ id: 1 }).first();\nexport const n = row.displayName ?? row.fullName;' }],
        },
      ],
    },
    {
      name: "callback parameters over rows of a query",
      code: "declare const db: any;\nconst users = await db.user.findMany();\nexport const names = users.map((u: any) => u.full_name);",
      errors: [
        {
          messageId: "oldOnly",
          line: 3,
          column: 46,
          endLine: 3,
          endColumn: 55,
          suggestions: [{ messageId: "preferNew", output: "declare const db: any;\nconst users = await db.user.findMany();\nexport const names = users.map((u: any) => u.display_name ?? u.full_name);" }],
        },
      ],
    },
    {
      name: "quoted, schema-qualified names in raw SQL",
      code: 'declare const pool: any;\npool.query(\'SELECT "Display Name" FROM app."Users"\');',
      settings: quoted,
            // The scenario's migration backfills "Display Name" from "FullName": reads are not flipped yet.
      errors: [{ messageId: "newBeforeFlip", line: 2, column: 20, endLine: 2, endColumn: 34, data: { table: 'app."Users"', from: '"FullName"', to: '"Display Name"', byName: "" }, suggestions: [] }],
    },
  ],
});

// With type information the object's type decides: an unrelated object is not a row, a typed row matches camelCase.
ruleTester(true).run("require-dual-read (type-aware)", rule, {
  valid: [
    {
      name: "an object whose type has nothing else of users is not a users row",
      code: "interface Widget { display_name: string; render(): void }\ndeclare const w: Widget;\nexport const n = w.display_name;",
    },
    {
      name: "an input object that shares a camelCase name is not a row either",
      code: "declare const input: { fullName: string };\nexport const n = input.fullName;",
    },
  ],
  invalid: [
    {
      name: "a value typed as the Prisma model's row, read in camelCase",
      code: "interface User { id: number; fullName: string | null; displayName: string | null }\ndeclare const u: User;\nexport const n = u.displayName;",
      errors: [
        {
          messageId: "newBeforeFlip",
          line: 3,
          column: 20,
          endLine: 3,
          endColumn: 31,
          data: { table: "users", from: "full_name", to: "display_name", byName: "" },
          suggestions: [{ messageId: "addFallback", output: "interface User { id: number; fullName: string | null; displayName: string | null }\ndeclare const u: User;\nexport const n = u.displayName ?? u.fullName;" }],
        },
      ],
    },
    {
      name: "an anonymous type with two columns of users",
      code: "declare const row: { id: number; full_name: string; display_name: string | null };\nexport const n = row.display_name;",
      errors: [
        {
          messageId: "newBeforeFlip",
          line: 2,
          column: 22,
          endLine: 2,
          endColumn: 34,
          suggestions: [{ messageId: "addFallback", output: "declare const row: { id: number; full_name: string; display_name: string | null };\nexport const n = row.display_name ?? row.full_name;" }],
        },
      ],
    },
    {
      name: "any-typed values fall back to name matching",
      code: "declare const row: any;\nexport const n = row.full_name;",
      errors: [
        {
          messageId: "oldOnly",
          line: 2,
          column: 22,
          endLine: 2,
          endColumn: 31,
          suggestions: [{ messageId: "preferNew", output: "declare const row: any;\nexport const n = row.display_name ?? row.full_name;" }],
        },
      ],
    },
  ],
});

// Without type information the same unrelated object is matched by name: that is what the type information buys.
ruleTester().run("require-dual-read (the same code without type information)", rule, {
  valid: ["declare const input: { fullName: string };\nexport const n = input.fullName;"],
  invalid: [
    {
      code: "interface Widget { display_name: string; render(): void }\ndeclare const w: Widget;\nexport const n = w.display_name;",
      errors: [
        {
          messageId: "newBeforeFlip",
          data: { table: "users", from: "full_name", to: "display_name", byName: " (the code does not say which table this reads: matched by the column's name)" },
          line: 3,
          column: 20,
          endLine: 3,
          endColumn: 32,
          suggestions: [{ messageId: "addFallback", output: "interface Widget { display_name: string; render(): void }\ndeclare const w: Widget;\nexport const n = w.display_name ?? w.full_name;" }],
        },
      ],
    },
  ],
});
