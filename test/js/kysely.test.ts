/**
 * Kysely migrations (TypeScript, typescript-eslint's parser): `db.schema` chains, `db.updateTable`/`deleteFrom`
 * chains and `sql` templates, reported on the chain link or template they come from.
 */
import noAddRequiredColumn from "../../rules/no-add-required-column.js";
import noConcurrentlyInTransaction from "../../rules/no-concurrently-in-transaction.js";
import noDropColumn from "../../rules/no-drop-column.js";
import noRenameColumn from "../../rules/no-rename-column.js";
import noRenameTable from "../../rules/no-rename-table.js";
import noSetNotNull from "../../rules/no-set-not-null.js";
import noUnboundedUpdate from "../../rules/no-unbounded-update.js";
import noUncheckedStatement from "../../rules/no-unchecked-statement.js";
import requireConcurrentIndex from "../../rules/require-concurrent-index.js";
import { describe, expect, it } from "vitest";
import { runTsRule, statementsOf } from "./helpers.js";
import { at } from "./location.js";

const migration = (body: string, down = "") => `import { Kysely, sql } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  ${body}
}
${down ? `\nexport async function down(db: Kysely<any>): Promise<void> {\n  ${down}\n}\n` : ""}`;

const rename = migration("await db.schema.alterTable('users').renameColumn('full_name', 'display_name').execute();");
runTsRule(noRenameColumn, {
  valid: [migration("await db.schema.alterTable('users').addColumn('display_name', 'text').execute();", "await db.schema.alterTable('users').renameColumn('display_name', 'full_name').execute();")],
  invalid: [{ code: rename, errors: [{ messageId: "renameColumn", ...at(rename, "db.schema.alterTable('users').renameColumn('full_name', 'display_name')") }] }],
});

const drop = migration(`await db.schema
    .alterTable('users')
    .addColumn('display_name', 'text')
    .dropColumn('legacy')
    .execute();`);
runTsRule(noDropColumn, {
  valid: [migration("await db.schema.alterTable('users').addColumn('x', 'text').execute();", "await db.schema.alterTable('users').dropColumn('x').execute();")],
  // One ALTER TABLE with two actions: the finding lands on the dropColumn link alone.
  invalid: [{ code: drop, errors: [{ messageId: "dropColumn", ...at(drop, "dropColumn('legacy')") }] }],
});

// A materialized view rebuilt beside the live one and swapped in: the new view is created by this migration, so
// indexing it and renaming it into place are not findings (dropping the live one still is, for the lock it takes).
const swap = migration(`await db.schema.createView('stats_new').materialized().as(db.selectFrom('events').select('kind')).execute();
  await db.schema.createIndex('stats_kind_idx_new').on('stats_new').column('kind').execute();
  await db.schema.dropView('stats').materialized().ifExists().execute();
  await sql\`ALTER MATERIALIZED VIEW "stats_new" RENAME TO "stats"\`.execute(db);`);
runTsRule(noRenameTable, {
  valid: [swap],
  invalid: [],
});

const index = migration("await db.schema.createIndex('users_email_idx').on('users').column('email').execute();");
const rawIndex = migration("await sql`create index users_email_idx on users (email)`.execute(db);");
runTsRule(requireConcurrentIndex, {
  valid: [
    migration(`await db.schema.createTable('events').addColumn('id', 'bigserial', (col) => col.primaryKey()).addColumn('kind', 'text').execute();
  await db.schema.createIndex('events_kind_idx').on('events').column('kind').execute();`),
    swap,
  ],
  invalid: [
    { code: index, errors: [{ messageId: "createIndex", ...at(index, "db.schema.createIndex('users_email_idx').on('users').column('email').execute()") }] },
    // A template's statement is reported on its own text, inside the backticks.
    { code: rawIndex, errors: [{ messageId: "createIndex", ...at(rawIndex, "create index users_email_idx on users (email)") }] },
  ],
});

// Kysely's Migrator runs migrations in one transaction on PostgreSQL; `transactionPerFile: false` says it does not
// (Migrator's `disableTransactions`).
const concurrent = migration("await sql`create index concurrently users_email_idx on users (email)`.execute(db);");
runTsRule(noConcurrentlyInTransaction, {
  valid: [{ code: concurrent, settings: { "migration-safety": { transactionPerFile: false } } }],
  invalid: [{ code: concurrent, errors: [{ messageId: "runner", ...at(concurrent, "create index concurrently users_email_idx on users (email)") }] }],
});

const unbounded = migration("await db.updateTable('users').set({ active: true }).execute();");
const deleteAll = migration("await db.deleteFrom('sessions').execute();");
runTsRule(noUnboundedUpdate, {
  valid: [
    migration("await db.updateTable('users').set({ active: true }).where('id', '=', userId).execute();"),
    migration("await db.updateTable('users').set({ active: true }).where('id', 'in', [1, 2, 3]).execute();"),
  ],
  invalid: [
    { code: unbounded, errors: [{ messageId: "noWhere", ...at(unbounded, "db.updateTable('users').set({ active: true }).execute()") }] },
    { code: deleteAll, errors: [{ messageId: "noWhere", ...at(deleteAll, "db.deleteFrom('sessions').execute()") }] },
  ],
});

const required = migration("await db.schema.alterTable('users').addColumn('email', 'text', (col) => col.notNull()).execute();");
runTsRule(noAddRequiredColumn, {
  valid: [migration("await db.schema.alterTable('users').addColumn('email', 'text', (col) => col.notNull().defaultTo('')).execute();")],
  invalid: [{ code: required, errors: [{ messageId: "notNullWithoutDefault", ...at(required, "addColumn('email', 'text', (col) => col.notNull())") }] }],
});

const setNotNull = migration("await db.schema.alterTable('users').alterColumn('email', (col) => col.setNotNull()).execute();");
runTsRule(noSetNotNull, {
  valid: [migration("await db.schema.alterTable('users').alterColumn('email', (col) => col.dropNotNull()).execute();")],
  invalid: [{ code: setNotNull, errors: [{ messageId: "setNotNull", ...at(setNotNull, "alterColumn('email', (col) => col.setNotNull())") }] }],
});

const mysqlIndex = migration("await db.schema.alterTable('users').addIndex('users_email_idx').column('email').execute();");
const unknownColumn = migration("await db.schema.alterTable('users').dropColumn(columnName).execute();");
runTsRule(noUncheckedStatement, {
  valid: [migration("await db.schema.createType('mood').asEnum(['ok', 'sad']).execute();")],
  invalid: [
    // alterTable().addIndex() compiles to MySQL's ALTER TABLE … ADD INDEX, which PostgreSQL rejects.
    { code: mysqlIndex, errors: [{ messageId: "unchecked", ...at(mysqlIndex, "db.schema.alterTable('users')") }] },
    // Reported rather than guessed as a drop of "_column".
    { code: unknownColumn, errors: [{ messageId: "unchecked", ...at(unknownColumn, "db.schema.alterTable('users')") }] },
  ],
});

describe("Kysely translation", () => {
  it("qualifies the tables of a withSchema chain (not the name of a new index)", () => {
    const code = migration(`await db.schema.withSchema('App').alterTable('users').dropColumn('legacy').execute();
  await db.schema.withSchema('App').createIndex('users_email_idx').on('users').column('email').execute();`);
    expect(statementsOf(code, "migrations/x.ts")).toEqual(['ALTER TABLE "App".users DROP COLUMN legacy', 'CREATE INDEX users_email_idx ON "App".users (email)']);
  });

  it("writes a createTable's columns and constraints into its column list; one it cannot read leaves the list empty", () => {
    const code = migration(`await db.schema
    .createTable('accounts')
    .ifNotExists()
    .addColumn('id', 'serial', (col) => col.primaryKey())
    .addColumn('org_id', 'integer', (col) => col.notNull().references('orgs.id'))
    .addColumn('email', 'varchar(255)', (col) => col.notNull().unique())
    .addColumn('created_at', 'timestamptz', (col) => col.defaultTo(sql\`now()\`))
    .addUniqueConstraint('accounts_org_email_key', ['org_id', 'email'])
    .execute();
  await db.schema.createTable('other').addColumn(name, 'text').execute();`);
    expect(statementsOf(code, "migrations/x.ts")).toEqual([
      "CREATE TABLE IF NOT EXISTS accounts (id serial PRIMARY KEY, org_id integer NOT NULL REFERENCES orgs (id), email varchar(255) NOT NULL UNIQUE, " +
        "created_at timestamptz DEFAULT now(), CONSTRAINT accounts_org_email_key UNIQUE (org_id, email))",
      "CREATE TABLE other ()",
    ]);
  });

  it("reads createView and dropView, materialized or not", () => {
    const code = migration(`await db.schema.createView('v').orReplace().as(db.selectFrom('t').selectAll()).execute();
  await db.schema.createView('mv').materialized().ifNotExists().as(sql\`select 1 as one\`).execute();
  await db.schema.dropView('mv').materialized().ifExists().cascade().execute();`);
    expect(statementsOf(code, "migrations/x.ts")).toEqual([
      "CREATE OR REPLACE VIEW v AS SELECT",
      "CREATE MATERIALIZED VIEW IF NOT EXISTS mv AS select 1 as one",
      "DROP MATERIALIZED VIEW IF EXISTS mv CASCADE",
    ]);
  });

  it("puts an index expression into the column list as written", () => {
    const code = migration("await db.schema.createIndex('n_idx').on('t').using('gist').expression(sql`\"name\" gist_trgm_ops`).execute();");
    expect(statementsOf(code, "migrations/x.ts")).toEqual(['CREATE INDEX n_idx ON t USING gist ("name" gist_trgm_ops)']);
  });

  it("reads identifiers put in a sql template with ref() and values as bind parameters", () => {
    const code = migration("await sql`update ${sql.table('users')} set ${sql.ref('name')} = ${name} where ${ref('users.id')} = ${id}`.execute(db);");
    expect(statementsOf(code, "migrations/x.ts")).toEqual(['update "users" set "name" = $1 where "users"."id" = $1']);
  });

  it("reads alterColumn forms and binds unknown where-values", () => {
    const code = migration(`await db.schema.alterTable('users')
    .alterColumn('age', (col) => col.setDataType('bigint'))
    .alterColumn('age', (col) => col.setDefault(0))
    .alterColumn('name', (col) => col.dropDefault())
    .execute();`);
    expect(statementsOf(code, "migrations/x.ts")).toEqual([
      "ALTER TABLE users ALTER COLUMN age TYPE bigint, ALTER COLUMN age SET DEFAULT 0, ALTER COLUMN name DROP DEFAULT",
    ]);
  });
});
