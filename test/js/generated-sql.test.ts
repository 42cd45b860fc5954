/**
 * The SQL the translators write for builder calls runs on PostgreSQL — PGlite, and the server at DATABASE_URL —
 * with hostile names: upper case, spaces, quotes, an injection-shaped name, schema qualification. Each framework's
 * migration is extracted, its `up` statements executed in order on tables set up for it, and the result checked in
 * the catalog (the renamed column exists under its new name, the dropped one is gone…).
 */
import { expect, it } from "vitest";
import { quoteIdent, quoteLiteral } from "../../src/sql/names.js";
import type { Database } from "../../src/db/database.js";
import { describeOnDatabases } from "../helpers/databases.js";
import { statementsOf } from "./helpers.js";

/** Hostile names, each used where the framework takes a name. */
const NAMES = {
  mixed: "Full Name",
  quote: 'we"ird',
  injection: 'x"; DROP TABLE t; --',
  apostrophe: "o'brien",
  email: "Email",
  age: "Age",
  legacy: "legacy col",
};

/** A JavaScript string literal for `value`. */
const js = JSON.stringify;
const q = quoteIdent;

/** A users-like table `table` with every hostile column, and an orgs-like table, in the current schema. */
async function setUp(db: Database, table: string, orgs: string, schema?: string): Promise<void> {
  const columns = [NAMES.mixed, NAMES.quote, NAMES.injection, NAMES.apostrophe, NAMES.legacy].map((c) => `${q(c)} text`).join(", ");
  await db.exec(`CREATE TABLE ${q(table)} (id serial PRIMARY KEY, ${columns}, ${q(NAMES.email)} text, ${q(NAMES.age)} integer);
CREATE TABLE ${q(orgs)} (id serial PRIMARY KEY);
INSERT INTO ${q(table)} (${q(NAMES.mixed)}) VALUES ('a');`);
  if (schema) await db.exec(`CREATE SCHEMA ${q(schema)}; CREATE TABLE ${q(schema)}.${q(table)} (id serial PRIMARY KEY, ${q(NAMES.legacy)} text);`);
}

async function run(db: Database, code: string, filename: string): Promise<string[]> {
  const statements = statementsOf(code, filename);
  expect(statements.filter((s) => s.startsWith("NOT ANALYSED")), code).toEqual([]);
  for (const statement of statements) {
    try {
      await db.exec(statement);
    } catch (error) {
      throw new Error(`${statement}\n  failed: ${(error as Error).message}`);
    }
  }
  return statements;
}

async function columnsOf(db: Database, table: string, schema?: string): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = ${schema ? "$2" : "current_schema()"} AND table_name = $1 ORDER BY ordinal_position`,
    schema ? [table, schema] : [table],
  );
  return rows.map((r) => r.name);
}

async function indexesOf(db: Database, table: string): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    "SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1 ORDER BY indexname",
    [table],
  );
  return rows.map((r) => r.name);
}

describeOnDatabases("generated SQL of the JS/TS translators", (db) => {
  const schemaName = (suffix: string) => `Other ${suffix}_${process.pid}_${Math.random().toString(36).slice(2, 6)}`;

  it("knex", async () => {
    const [users, orgs, other] = ['K "Users"', "k'orgs", schemaName("k")];
    await setUp(db(), users, orgs, other);
    try {
      const code = `exports.up = async (knex) => {
  await knex.schema.alterTable(${js(users)}, (t) => {
    t.renameColumn(${js(NAMES.mixed)}, ${js(`${NAMES.mixed} 2`)});
    t.string(${js("Nick Name")}, 64).notNullable().defaultTo(${js("it's")}).unique().index();
    t.integer(${js("Org Id")}).references('id').inTable(${js(orgs)}).onDelete('CASCADE');
    t.dropColumn(${js(NAMES.injection)});
    t.text(${js(NAMES.age)}).alter();
    t.dropNullable(${js(NAMES.mixed + " 2")});
    t.index([${js(NAMES.quote)}, ${js(NAMES.apostrophe)}], ${js('idx "q"')});
    t.timestamps(true, true);
  });
  await knex.schema.withSchema(${js(other)}).alterTable(${js(users)}, (t) => { t.dropColumn(${js(NAMES.legacy)}); });
  await knex(${js(users)}).where('id', 1).update({ ${js(NAMES.quote)}: "v'1" });
  await knex(${js(users)}).whereIn('id', [1, 2]).del();
  await knex.schema.createTable(${js("K New")}, (t) => { t.increments(); t.string(${js(NAMES.quote)}).notNullable().unique(); });
  await knex.schema.alterTable(${js("K New")}, (t) => { t.index([${js(NAMES.quote)}]); });
  await knex.schema.renameTable(${js("K New")}, ${js("K Newer")});
  await knex.schema.dropTable(${js("K Newer")});
};`;
      await run(db(), code, "migrations/knex.js");
      expect(await columnsOf(db(), users)).toEqual(
        expect.arrayContaining([`${NAMES.mixed} 2`, "Nick Name", "Org Id", "created_at", "updated_at", NAMES.age]),
      );
      expect(await columnsOf(db(), users)).not.toContain(NAMES.injection);
      expect(await columnsOf(db(), users, other)).toEqual(["id"]);
      expect(await indexesOf(db(), users)).toEqual(expect.arrayContaining(['idx "q"', 'k "users"_nick name_index', 'k "users"_nick name_unique']));
    } finally {
      await db().exec(`DROP SCHEMA IF EXISTS ${q(other)} CASCADE`);
    }
  });

  it("Kysely", async () => {
    const index = 'idx "q" ky';
    const [users, orgs, other] = ['Ky "Users"', "ky'orgs", schemaName("ky")];
    await setUp(db(), users, orgs, other);
    try {
      const code = `import { Kysely, sql } from "kysely";
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable(${js(users)})
    .renameColumn(${js(NAMES.mixed)}, ${js(`${NAMES.mixed} 2`)})
    .execute();
  await db.schema.alterTable(${js(users)})
    .addColumn(${js("Nick Name")}, 'varchar(64)', (col) => col.notNull().defaultTo(${js("it's")}))
    .addColumn(${js("Org Id")}, 'integer', (col) => col.references(${js(`${orgs}.id`)}))
    .dropColumn(${js(NAMES.injection)})
    .alterColumn(${js(NAMES.age)}, (col) => col.setDataType('bigint'))
    .alterColumn(${js(NAMES.email)}, (col) => col.setDefault(${js("a'b")}))
    .addUniqueConstraint(${js("uq nick")}, [${js("Nick Name")}])
    .execute();
  await db.schema.createIndex(${js(index)}).on(${js(users)}).columns([${js(NAMES.quote)}, ${js(NAMES.apostrophe)}]).execute();
  await db.schema.withSchema(${js(other)}).alterTable(${js(users)}).dropColumn(${js(NAMES.legacy)}).execute();
  await db.updateTable(${js(users)}).set({ ${js(NAMES.quote)}: "v'1" }).where('id', '=', 1).execute();
  await db.deleteFrom(${js(users)}).where('id', 'in', [1, 2]).execute();
  await db.schema.dropIndex(${js(index)}).execute();
  await db.schema.createTable(${js("Ky New")})
    .addColumn('id', 'serial', (col) => col.primaryKey())
    .addColumn(${js("Org Id")}, 'integer', (col) => col.notNull().references(${js(`${orgs}.id`)}))
    .addColumn(${js(NAMES.quote)}, 'text', (col) => col.defaultTo(${js("a'b")}))
    .addUniqueConstraint(${js("uq new")}, [${js("Org Id")}, ${js(NAMES.quote)}])
    .execute();
  await db.schema.createIndex(${js("new idx")}).on(${js("Ky New")}).column(${js(NAMES.quote)}).execute();
}`;
      await run(db(), code, "migrations/kysely.ts");
      expect(await columnsOf(db(), users)).toEqual(expect.arrayContaining([`${NAMES.mixed} 2`, "Nick Name", "Org Id"]));
      expect(await columnsOf(db(), users)).not.toContain(NAMES.injection);
      expect(await columnsOf(db(), users, other)).toEqual(["id"]);
      // The new table has the columns its createTable chain adds, so the index on one of them could be built.
      expect(await columnsOf(db(), "Ky New")).toEqual(["id", "Org Id", NAMES.quote]);
      expect(await indexesOf(db(), "Ky New")).toEqual(expect.arrayContaining(["new idx", "uq new"]));
    } finally {
      await db().exec(`DROP SCHEMA IF EXISTS ${q(other)} CASCADE`);
    }
  });

  it("node-pg-migrate", async () => {
    const index = 'idx "q" p';
    const [users, orgs, other] = ['P "Users"', "p'orgs", schemaName("p")];
    await setUp(db(), users, orgs, other);
    try {
      const code = `exports.up = (pgm) => {
  pgm.renameColumn(${js(users)}, ${js(NAMES.mixed)}, ${js(`${NAMES.mixed} 2`)});
  pgm.addColumns(${js(users)}, {
    ${js("Nick Name")}: { type: 'varchar(64)', notNull: true, default: ${js("it's")}, unique: true },
    ${js("Org Id")}: { type: 'integer', references: ${js(orgs)}, onDelete: 'CASCADE' },
    ${js("Seen At")}: { type: 'timestamptz', default: pgm.func('now()') },
  });
  pgm.dropColumns(${js(users)}, [${js(NAMES.injection)}]);
  pgm.dropColumns({ schema: ${js(other)}, name: ${js(users)} }, ${js(NAMES.legacy)});
  pgm.alterColumn(${js(users)}, ${js(NAMES.age)}, { type: 'bigint', using: ${js(`${q(NAMES.age)}::bigint`)}, default: 0 });
  pgm.alterColumn(${js(users)}, ${js(`${NAMES.mixed} 2`)}, { notNull: true });
  pgm.alterColumn(${js(users)}, ${js(NAMES.email)}, { default: null, allowNull: true });
  pgm.createIndex(${js(users)}, [${js(NAMES.quote)}, ${js(NAMES.apostrophe)}], { name: ${js(index)}, unique: true });
  // node-pg-migrate takes a column name with a space (or parentheses, or a dot) for an expression and leaves it
  // unquoted, as it really does: index a plain one.
  pgm.createIndex(${js(users)}, ${js(NAMES.email)}, { where: ${js(`${q("Nick Name")} <> ''`)} });
  pgm.addConstraint(${js(users)}, ${js("fk org")}, { foreignKeys: { columns: ${js("Org Id")}, references: ${js(orgs)} } });
  pgm.addConstraint(${js(users)}, ${js("chk age")}, { check: ${js(`${q(NAMES.age)} >= 0`)} });
  pgm.dropConstraint(${js(users)}, ${js("chk age")});
  pgm.createTable(${js("P New")}, { id: 'id', ${js("Kind")}: { type: 'text', notNull: true } });
  pgm.createTable(${js("P Pair")}, { ${js("A a")}: { type: 'int', primaryKey: true }, b: { type: 'int', primaryKey: true } }, { ifNotExists: true });
  pgm.renameTable(${js("P New")}, ${js("P Newer")});
  pgm.dropIndex(${js(users)}, ${js(NAMES.email)});
  pgm.dropTable(${js("P Newer")}, { ifExists: true, cascade: true });
};`;
      await run(db(), code, "migrations/pgm.js");
      expect(await columnsOf(db(), users)).toEqual(expect.arrayContaining([`${NAMES.mixed} 2`, "Nick Name", "Org Id", "Seen At"]));
      expect(await columnsOf(db(), users)).not.toContain(NAMES.injection);
      expect(await columnsOf(db(), users, other)).toEqual(["id"]);
      expect(await indexesOf(db(), users)).toEqual(expect.arrayContaining([index]));
    } finally {
      await db().exec(`DROP SCHEMA IF EXISTS ${q(other)} CASCADE`);
    }
  });

  it("Sequelize", async () => {
    const index = 'idx "q" s';
    const [users, orgs, other] = ['S "Users"', "s'orgs", schemaName("s")];
    await setUp(db(), users, orgs, other);
    try {
      const code = `module.exports = {
  async up(queryInterface, Sequelize) {
    await queryInterface.renameColumn(${js(users)}, ${js(NAMES.mixed)}, ${js(`${NAMES.mixed} 2`)});
    await queryInterface.addColumn(${js(users)}, ${js("Nick Name")}, { type: Sequelize.STRING(64), allowNull: false, defaultValue: ${js("it's")} });
    await queryInterface.addColumn(${js(users)}, ${js("Role")}, { type: Sequelize.ENUM('admin', "o'user"), allowNull: true });
    await queryInterface.addColumn(${js(users)}, ${js("Org Id")}, { type: Sequelize.INTEGER, references: { model: ${js(orgs)}, key: 'id' }, onDelete: 'cascade' });
    await queryInterface.removeColumn(${js(users)}, ${js(NAMES.injection)});
    await queryInterface.removeColumn({ tableName: ${js(users)}, schema: ${js(other)} }, ${js(NAMES.legacy)});
    await queryInterface.changeColumn(${js(users)}, ${js(NAMES.age)}, { type: Sequelize.BIGINT, allowNull: true, defaultValue: 0 });
    await queryInterface.addIndex(${js(users)}, [${js(NAMES.quote)}, ${js(NAMES.apostrophe)}], { name: ${js(index)}, unique: true });
    await queryInterface.addIndex(${js(users)}, { fields: [${js("Nick Name")}], concurrently: true });
    await queryInterface.addConstraint(${js(users)}, { fields: [${js(NAMES.email)}], type: 'unique', name: ${js("uq email")} });
    await queryInterface.addConstraint(${js(users)}, { fields: [${js("Org Id")}], type: 'foreign key', references: { table: ${js(orgs)}, field: 'id' } });
    await queryInterface.removeConstraint(${js(users)}, ${js("uq email")});
    await queryInterface.bulkUpdate(${js(users)}, { ${js(NAMES.quote)}: "v'1" }, { id: [1, 2], ${js(NAMES.email)}: null });
    await queryInterface.bulkDelete(${js(users)}, { id: { [Op.gt]: 100 } });
    await queryInterface.removeIndex(${js(users)}, [${js("Nick Name")}], { concurrently: true });
    await queryInterface.createTable(${js("S New")}, { id: { type: Sequelize.INTEGER, primaryKey: true, autoIncrement: true } });
    await queryInterface.renameTable(${js("S New")}, ${js("S Newer")});
    await queryInterface.dropTable(${js("S Newer")});
  },
};`;
      await run(db(), code, "migrations/sequelize.js");
      expect(await columnsOf(db(), users)).toEqual(expect.arrayContaining([`${NAMES.mixed} 2`, "Nick Name", "Role", "Org Id"]));
      expect(await columnsOf(db(), users)).not.toContain(NAMES.injection);
      expect(await columnsOf(db(), users, other)).toEqual(["id"]);
      expect(await indexesOf(db(), users)).toEqual(expect.arrayContaining([index]));
    } finally {
      await db().exec(`DROP SCHEMA IF EXISTS ${q(other)} CASCADE`);
    }
  });

  it("TypeORM", async () => {
    const index = 'idx "q" t';
    const [users, orgs, other] = ['T "Users"', "t'orgs", schemaName("t")];
    await setUp(db(), users, orgs, other);
    // TypeORM splits a table name at its dots: "schema.table".
    const qualified = `${other}.${users}`;
    try {
      const code = `import { MigrationInterface, QueryRunner, Table, TableColumn, TableForeignKey, TableIndex, TableUnique } from "typeorm";
export class Hostile1700000000000 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.renameColumn(${js(users)}, ${js(NAMES.mixed)}, ${js(`${NAMES.mixed} 2`)});
    await queryRunner.addColumn(${js(users)}, new TableColumn({ name: ${js("Nick Name")}, type: "varchar", length: "64", default: ${js(quoteLiteral("it's"))}, isUnique: true }));
    await queryRunner.addColumn(${js(users)}, new TableColumn({ name: ${js("Org Id")}, type: "int", isNullable: true }));
    await queryRunner.addColumn(${js(users)}, new TableColumn({ name: ${js("Mood")}, type: "enum", enum: ["ok", "o'k"], isNullable: true }));
    await queryRunner.dropColumn(${js(users)}, ${js(NAMES.injection)});
    await queryRunner.dropColumn(${js(qualified)}, ${js(NAMES.legacy)});
    await queryRunner.changeColumn(${js(users)}, new TableColumn({ name: ${js(NAMES.age)}, type: "integer", isNullable: true }), new TableColumn({ name: ${js(NAMES.age)}, type: "integer", isNullable: true, default: 0 }));
    await queryRunner.changeColumn(${js(users)}, new TableColumn({ name: ${js(NAMES.email)}, type: "text", isNullable: true }), new TableColumn({ name: ${js(`${NAMES.email} 2`)}, type: "text", isNullable: true }));
    await queryRunner.createIndex(${js(users)}, new TableIndex({ name: ${js(index)}, columnNames: [${js(NAMES.quote)}, ${js(NAMES.apostrophe)}], isUnique: true }));
    await queryRunner.createForeignKey(${js(users)}, new TableForeignKey({ name: ${js("fk org")}, columnNames: [${js("Org Id")}], referencedTableName: ${js(orgs)}, referencedColumnNames: ["id"], onDelete: "CASCADE" }));
    await queryRunner.createUniqueConstraint(${js(users)}, new TableUnique({ name: ${js("uq nick t")}, columnNames: [${js("Nick Name")}] }));
    await queryRunner.createCheckConstraint(${js(users)}, new TableCheck({ name: ${js("chk age")}, expression: ${js(`${q(NAMES.age)} >= 0`)} }));
    await queryRunner.dropCheckConstraint(${js(users)}, ${js("chk age")});
    await queryRunner.dropForeignKey(${js(users)}, ${js("fk org")});
    await queryRunner.dropIndex(${js(users)}, ${js(index)});
    await queryRunner.createTable(new Table({ name: ${js("T New")}, columns: [{ name: "id", type: "int", isPrimary: true, isGenerated: true, generationStrategy: "increment" }] }), true);
    await queryRunner.renameTable(${js("T New")}, ${js("T Newer")});
    await queryRunner.clearTable(${js("T Newer")});
    await queryRunner.dropTable(${js("T Newer")});
  }
}`;
      await run(db(), code, "migrations/typeorm.ts");
      expect(await columnsOf(db(), users)).toEqual(expect.arrayContaining([`${NAMES.mixed} 2`, "Nick Name", "Org Id", "Mood", `${NAMES.email} 2`]));
      expect(await columnsOf(db(), users)).not.toContain(NAMES.injection);
      expect(await columnsOf(db(), users, other)).toEqual(["id"]);
    } finally {
      await db().exec(`DROP SCHEMA IF EXISTS ${q(other)} CASCADE`);
    }
  });
});
