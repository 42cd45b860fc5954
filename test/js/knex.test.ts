/**
 * knex migrations (JavaScript, espree): schema-builder calls, query-builder writes and knex.raw are checked by the
 * same rules as .sql files, and reported on the call or string they come from.
 */
import noAddRequiredColumn from "../../rules/no-add-required-column.js";
import noDropColumn from "../../rules/no-drop-column.js";
import noRenameColumn from "../../rules/no-rename-column.js";
import noSetNotNull from "../../rules/no-set-not-null.js";
import noUncheckedStatement from "../../rules/no-unchecked-statement.js";
import noUnboundedUpdate from "../../rules/no-unbounded-update.js";
import noUniqueConstraintWithoutIndex from "../../rules/no-unique-constraint-without-index.js";
import requireConcurrentIndex from "../../rules/require-concurrent-index.js";
import requireNotValidConstraint from "../../rules/require-not-valid-constraint.js";
import { describe, expect, it } from "vitest";
import { runJsRule, statementsOf } from "./helpers.js";
import { at } from "./location.js";

const alter = (body: string) => `exports.up = async function (knex) {
  await knex.schema.alterTable('users', (t) => {
    ${body}
  });
};
`;

const rename = alter("t.renameColumn('full_name', 'display_name');");
runJsRule(noRenameColumn, {
  valid: [
    // A rename in the rollback undoes an expand: contract rules are silent in down().
    `exports.down = (knex) => knex.schema.alterTable('users', (t) => { t.renameColumn('display_name', 'full_name'); });`,
    // A table created by this migration is not in use yet.
    `exports.up = async (knex) => {
      await knex.schema.createTable('drafts', (t) => { t.increments(); t.text('title'); });
      await knex.schema.alterTable('drafts', (t) => { t.renameColumn('title', 'heading'); });
    };`,
  ],
  invalid: [{ code: rename, errors: [{ messageId: "renameColumn", ...at(rename, "t.renameColumn('full_name', 'display_name')") }] }],
});

const drop = alter("t.dropColumn('legacy');");
const dropMany = alter("t.dropColumns('legacy', 'old_flag');");
// Nothing in this file says knex: the migrationTool setting does.
const anonymous = `exports.up = (db) => db.schema.alterTable('users', (t) => { t.dropColumn('legacy'); });`;
runJsRule(noDropColumn, {
  valid: [`exports.down = (knex) => knex.schema.table('users', (t) => t.dropColumn('display_name'));`, anonymous],
  invalid: [
    { code: drop, errors: [{ messageId: "dropColumn", ...at(drop, "t.dropColumn('legacy')") }] },
    { code: anonymous, settings: { "migration-safety": { migrationTool: "knex" } }, errors: [{ messageId: "dropColumn", ...at(anonymous, "t.dropColumn('legacy')") }] },
    {
      code: dropMany,
      errors: [
        { messageId: "dropColumn", ...at(dropMany, "t.dropColumns('legacy', 'old_flag')") },
        { messageId: "dropColumn", ...at(dropMany, "t.dropColumns('legacy', 'old_flag')") },
      ],
    },
  ],
});

const index = alter("t.index(['email']);");
const columnIndex = alter("t.string('email').index();");
const rawIndex = `exports.up = (knex) => knex.raw('CREATE INDEX users_email_idx ON users (email)');`;
runJsRule(requireConcurrentIndex, {
  valid: [
    `exports.config = { transaction: false };
     exports.up = (knex) => knex.raw('CREATE INDEX CONCURRENTLY users_email_idx ON users (email)');`,
    `exports.up = async (knex) => {
      await knex.schema.createTable('events', (t) => { t.bigIncrements(); t.text('kind'); t.index(['kind']); });
    };`,
  ],
  invalid: [
    { code: index, errors: [{ messageId: "createIndex", ...at(index, "t.index(['email'])") }] },
    // The index of a column chain is its own statement, reported on `.index()`.
    { code: columnIndex, errors: [{ messageId: "createIndex", ...at(columnIndex, "index()") }] },
    { code: rawIndex, errors: [{ messageId: "createIndex", ...at(rawIndex, "CREATE INDEX users_email_idx ON users (email)") }] },
  ],
});

const unbounded = `exports.up = async (knex) => {
  await knex('users').update({ active: true });
};`;
const updateThenWhere = `exports.up = async (knex) => {
  await knex('users').update({ active: true }).whereNotNull('email');
};`;
const del = `exports.up = (knex) => knex('sessions').del();`;
runJsRule(noUnboundedUpdate, {
  valid: [
    `exports.up = (knex) => knex('users').where('id', userId).update({ active: true });`,
    `exports.up = (knex) => knex('users').update({ active: true }).whereBetween('id', [1, 1000]);`,
    `exports.up = (knex) => knex('users').whereIn('id', ids).update({ active: true });`,
  ],
  invalid: [
    { code: unbounded, errors: [{ messageId: "noWhere", ...at(unbounded, "knex('users').update({ active: true })") }] },
    // A where after the update still belongs to it; IS NOT NULL bounds nothing.
    { code: updateThenWhere, errors: [{ messageId: "unboundedWhere", ...at(updateThenWhere, "knex('users').update({ active: true }).whereNotNull('email')") }] },
    { code: del, errors: [{ messageId: "noWhere", ...at(del, "knex('sessions').del()") }] },
  ],
});

const required = alter("t.string('email').notNullable();");
// A createTable callback's columns are statements on the new table: never findings, however they are written.
const created = `exports.up = async function (knex) {
  await knex.schema.createTable('accounts', (t) => {
    t.increments();
    t.string('email').notNullable().unique();
    t.integer(columnName);
  });
};
`;

runJsRule(noAddRequiredColumn, {
  valid: [alter("t.string('email').notNullable().defaultTo('');"), alter("t.string('email');"), created],
  invalid: [{ code: required, errors: [{ messageId: "notNullWithoutDefault", ...at(required, "t.string('email').notNullable()") }] }],
});

const setNotNull = alter("t.dropNullable('email');");
const alterNotNull = alter("t.string('email').notNullable().alter();");
runJsRule(noSetNotNull, {
  valid: [alter("t.setNullable('email');")],
  invalid: [
    { code: setNotNull, errors: [{ messageId: "setNotNull", ...at(setNotNull, "t.dropNullable('email')") }] },
    { code: alterNotNull, errors: [{ messageId: "setNotNull", ...at(alterNotNull, "t.string('email').notNullable().alter()") }] },
  ],
});

const unique = alter("t.string('email').unique();");
runJsRule(noUniqueConstraintWithoutIndex, {
  valid: [alter("t.string('email');")],
  // knex sends the column, then `ADD CONSTRAINT users_email_unique UNIQUE (email)`: reported on `.unique()`.
  invalid: [{ code: unique, errors: [{ messageId: "unique", ...at(unique, "unique()") }] }],
});

const foreign = alter("t.integer('org_id').references('orgs.id');");
runJsRule(requireNotValidConstraint, {
  valid: [`exports.up = (knex) => knex.raw('ALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id) NOT VALID');`],
  invalid: [{ code: foreign, errors: [{ messageId: "foreignKey", ...at(foreign, "references('orgs.id')") }] }],
});

runJsRule(noUncheckedStatement, { valid: [created], invalid: [] });

describe("knex translation", () => {
  it("sends a createTable's columns after the table, as knex does, and leaves out what cannot be read", () => {
    expect(statementsOf(created)).toEqual([
      "CREATE TABLE accounts ()",
      "ALTER TABLE accounts ADD COLUMN id serial PRIMARY KEY",
      "ALTER TABLE accounts ADD COLUMN email varchar(255) NOT NULL",
      "ALTER TABLE accounts ADD CONSTRAINT accounts_email_unique UNIQUE (email)",
    ]);
  });

  it("sends what knex sends: column constraints as separate statements with knex's names", () => {
    expect(statementsOf(alter("t.string('Email', 64).notNullable().unique().index();"))).toEqual([
      'ALTER TABLE users ADD COLUMN "Email" varchar(64) NOT NULL',
      'ALTER TABLE users ADD CONSTRAINT users_email_unique UNIQUE ("Email")',
      'CREATE INDEX users_email_index ON users ("Email")',
    ]);
  });

  it("qualifies the table of a withSchema chain, in the alterTable callback too", () => {
    const code = `exports.up = async (knex) => {
  await knex.schema.withSchema('App').alterTable('users', (t) => { t.dropColumn('legacy'); });
  await knex.schema.withSchema('App').renameTable('people', 'persons');
};`;
    expect(statementsOf(code)).toEqual(['ALTER TABLE "App".users DROP COLUMN legacy', 'ALTER TABLE "App".people RENAME TO persons']);
  });

  it("reads where-clauses before and after the write, and or-clauses as OR", () => {
    expect(statementsOf(`exports.up = (knex) => knex('users').where('id', 1).orWhere('email', null).update({ a: x });`)).toEqual([
      'UPDATE users SET a = $1 WHERE (id = 1) OR (email IS NULL)',
    ]);
  });

  it("replaces knex.raw bindings (`?` values, `??` identifiers, `\\\\?` a literal question mark)", () => {
    expect(statementsOf(`exports.up = (knex) => knex.raw('UPDATE ?? SET a = ? WHERE b \\\\? 1', ['users', 5]);`)).toEqual([
      "UPDATE _identifier SET a = $1 WHERE b ? 1",
    ]);
  });

  it("reports a raw string it cannot read as not analysed, with the reason", () => {
    expect(statementsOf(`exports.up = (knex) => knex.raw(buildSql());`)).toEqual([
      "NOT ANALYSED: the SQL is built by a call (`buildSql(…)`) that cannot be read without running the code",
    ]);
  });
});
