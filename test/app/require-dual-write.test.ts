/**
 * require-dual-write against the fixture app's history (users.full_name → users.display_name in flight): every
 * write that sets one of the two columns sets the other, in every ORM's shape and in raw SQL.
 */
import { FIXTURE_HISTORY, ruleTester, settings } from "./helpers.js";
import rule from "../../src/app/rules/require-dual-write.js";

const flipped = settings({ ...FIXTURE_HISTORY, transitions: [{ table: "users", from: "full_name", to: "display_name", phase: "flipped" }] });
const quoted = settings({ migrations: "scenarios/quoted/*.sql" });

const typeormEntity = `declare function Entity(name?: string): ClassDecorator;
declare function Column(options?: { name?: string }): PropertyDecorator;
@Entity("users")
class User {
  @Column({ name: "full_name" }) fullName!: string;
  @Column({ name: "display_name" }) displayName!: string;
}
declare const dataSource: any;
declare const manager: any;
`;

const drizzleTable = `declare const db: any;
declare function pgTable(name: string, columns: object): any;
declare function text(name?: string): any;
const users = pgTable("users", { fullName: text("full_name"), displayName: text("display_name") });
`;

ruleTester().run("require-dual-write", rule, {
  valid: [
    {
      name: "the WORKFLOW.md dual-write",
      code: "declare const db: any, id: number, input: any, normalize: any;\nawait db.user.update({ where: { id }, data: { full_name: input.fullName, display_name: normalize(input.fullName) } });",
    },
    { name: "a write that touches neither column", code: 'declare const db: any;\ndb.user.update({ where: { id: 1 }, data: { email: "a@b.c" } });' },
    { name: "knex update of both", code: 'declare const knex: any;\nknex("users").where({ id: 1 }).update({ full_name: "a", display_name: "a" });' },
    { name: "knex insert of both rows", code: 'declare const knex: any;\nknex("users").insert([{ full_name: "a", display_name: "a" }, { full_name: "b", display_name: "b" }]);' },
    { name: "Kysely set of both", code: 'declare const db: any;\ndb.updateTable("users").set({ full_name: "a", display_name: "a" }).where("id", "=", 1).execute();' },
    { name: "Drizzle keys mapped to both columns", code: `${drizzleTable}db.update(users).set({ fullName: "a", displayName: "a" });` },
    { name: "TypeORM properties mapped to both columns", code: `${typeormEntity}dataSource.getRepository(User).update({ id: 1 }, { fullName: "a", displayName: "a" });` },
    { name: "raw SQL UPDATE of both", code: 'declare const pool: any;\npool.query("UPDATE users SET full_name = $1, display_name = $1 WHERE id = $2", ["a", 1]);' },
    { name: "a contracted rename: only the new name exists, writing it alone is right", code: 'declare const knex: any;\nknex("orders").update({ customer_note: "x" });' },
    { name: "setting a property of a JS object is not a database write", code: 'declare const user: any;\nuser.full_name = "x";' },
    { name: "a table the code names, whose columns the migrations leave alone", code: 'declare const knex: any;\nknex("orders").update({ display_name: "x" });' },
  ],
  invalid: [
    {
      name: "writer writes only the new column (Prisma update)",
      code: 'declare const db: any;\ndb.user.update({ where: { id: 1 }, data: { display_name: "x" } });',
      errors: [{ messageId: "writesNewOnly", data: { table: "users", from: "full_name", to: "display_name", byName: "" }, line: 2, column: 44, endLine: 2, endColumn: 56 }],
    },
    {
      name: "writer writes only the old column (Prisma create)",
      code: 'declare const db: any;\ndb.user.create({ data: { email: "a", full_name: "x" } });',
      errors: [{ messageId: "writesOldOnly", line: 2, column: 38, endLine: 2, endColumn: 47 }],
    },
    {
      name: "upsert: the create side writes both, the update side only one",
      code: 'declare const db: any;\ndb.user.upsert({ where: { id: 1 }, create: { full_name: "x", display_name: "x" }, update: { display_name: "x" } });',
      errors: [{ messageId: "writesNewOnly", line: 2, column: 93, endLine: 2, endColumn: 105 }],
    },
    {
      name: "createMany: each row is a write",
      code: 'declare const db: any;\ndb.user.createMany({ data: [{ full_name: "a", display_name: "a" }, { full_name: "b" }] });',
      errors: [{ messageId: "writesOldOnly", line: 2, column: 70, endLine: 2, endColumn: 79 }],
    },
    {
      name: "writes stay dual after reads are flipped, until the old column is dropped",
      code: 'declare const db: any;\ndb.user.update({ where: { id: 1 }, data: { display_name: "x" } });',
      settings: flipped,
      errors: [{ messageId: "writesNewOnly", line: 2, column: 44, endLine: 2, endColumn: 56 }],
    },
    {
      name: "knex update of the old column only",
      code: 'declare const knex: any;\nknex("users").where({ id: 1 }).update({ full_name: "x" });',
      errors: [{ messageId: "writesOldOnly", line: 2, column: 41, endLine: 2, endColumn: 50 }],
    },
    {
      name: "knex update(column, value) of one column",
      code: 'declare const knex: any;\nknex("users").where({ id: 1 }).update("display_name", "x");',
      errors: [{ messageId: "writesNewOnly", line: 2, column: 40, endLine: 2, endColumn: 52 }],
    },
    {
      name: "Kysely insert of the new column only",
      code: 'declare const db: any;\ndb.insertInto("users").values({ email: "a", display_name: "x" }).execute();',
      errors: [{ messageId: "writesNewOnly", line: 2, column: 45, endLine: 2, endColumn: 57 }],
    },
    {
      name: "Drizzle, with the table defined in the same file: keys map to columns",
      code: `${drizzleTable}db.update(users).set({ fullName: "x" });`,
      errors: [{ messageId: "writesOldOnly", line: 5, column: 24, endLine: 5, endColumn: 32 }],
    },
    {
      name: "Drizzle, with the table imported from another module",
      code: 'import { users } from "./schema";\ndeclare const db: any;\ndb.insert(users).values({ displayName: "x" });',
      filename: "src/drizzle/file.ts",
      errors: [{ messageId: "writesNewOnly", line: 3, column: 27, endLine: 3, endColumn: 38 }],
    },
    {
      name: "TypeORM repository of an entity defined in the file",
      code: `${typeormEntity}dataSource.getRepository(User).update({ id: 1 }, { fullName: "x" });`,
      errors: [{ messageId: "writesOldOnly", line: 10, column: 52, endLine: 10, endColumn: 60 }],
    },
    {
      name: "TypeORM entity manager",
      code: `${typeormEntity}manager.save(User, { displayName: "x" });`,
      errors: [{ messageId: "writesNewOnly", line: 10, column: 22, endLine: 10, endColumn: 33 }],
    },
    {
      name: "a repository whose entity the code does not show: matched by name, and the message says so",
      code: 'declare const self: any;\nself.userRepository.update(1, { full_name: "x" });',
      errors: [
        {
          messageId: "writesOldOnly",
          data: { table: "users", from: "full_name", to: "display_name", byName: " (the code does not say which table this reads: matched by the column's name)" },
          line: 2,
          column: 33,
          endLine: 2,
          endColumn: 42,
        },
      ],
    },
    {
      name: "raw SQL UPDATE of the old column only: reported on the column in the string",
      code: 'declare const pool: any;\npool.query("UPDATE users SET full_name = $1 WHERE id = $2", ["x", 1]);',
      errors: [{ messageId: "writesOldOnly", line: 2, column: 30, endLine: 2, endColumn: 39 }],
    },
    {
      name: "raw SQL INSERT of the new column only",
      code: 'declare const pool: any;\npool.query("INSERT INTO users (email, display_name) VALUES ($1, $2)", ["a", "b"]);',
      errors: [{ messageId: "writesNewOnly", line: 2, column: 39, endLine: 2, endColumn: 51 }],
    },
    {
      name: "INSERT … ON CONFLICT DO UPDATE: the update is a write of its own",
      code: 'declare const pool: any;\npool.query("INSERT INTO users (id, full_name, display_name) VALUES ($1, $2, $2) ON CONFLICT (id) DO UPDATE SET full_name = EXCLUDED.full_name");',
      errors: [{ messageId: "writesOldOnly", line: 2, column: 112, endLine: 2, endColumn: 121 }],
    },
    {
      name: "quoted, schema-qualified names",
      code: 'declare const pool: any;\npool.query(\'UPDATE app."Users" SET "FullName" = $1\');',
      settings: quoted,
      errors: [{ messageId: "writesOldOnly", data: { table: 'app."Users"', from: '"FullName"', to: '"Display Name"', byName: "" }, line: 2, column: 36, endLine: 2, endColumn: 46 }],
    },
  ],
});
