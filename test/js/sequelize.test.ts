/**
 * Sequelize migrations (sequelize-cli / Umzug, JavaScript): `queryInterface.*` calls translated to the SQL
 * Sequelize's PostgreSQL query generator sends.
 */
import noAddRequiredColumn from "../../rules/no-add-required-column.js";
import noColumnTypeChange from "../../rules/no-column-type-change.js";
import noConcurrentlyInTransaction from "../../rules/no-concurrently-in-transaction.js";
import noDropColumn from "../../rules/no-drop-column.js";
import noRenameColumn from "../../rules/no-rename-column.js";
import noSetNotNull from "../../rules/no-set-not-null.js";
import noUnboundedUpdate from "../../rules/no-unbounded-update.js";
import noUncheckedStatement from "../../rules/no-unchecked-statement.js";
import requireConcurrentIndex from "../../rules/require-concurrent-index.js";
import { describe, expect, it } from "vitest";
import { runJsRule, statementsOf } from "./helpers.js";
import { at } from "./location.js";

const migration = (up: string, down = "") => `'use strict';

module.exports = {
  async up(queryInterface, Sequelize) {
    ${up}
  },
  async down(queryInterface, Sequelize) {
    ${down}
  },
};
`;

const rename = migration("await queryInterface.renameColumn('Users', 'fullName', 'displayName');");
runJsRule(noRenameColumn, {
  valid: [migration("", "await queryInterface.renameColumn('Users', 'displayName', 'fullName');")],
  invalid: [{ code: rename, errors: [{ messageId: "renameColumn", ...at(rename, "queryInterface.renameColumn('Users', 'fullName', 'displayName')") }] }],
});

const drop = migration("await queryInterface.removeColumn('Users', 'legacy');");
runJsRule(noDropColumn, {
  valid: [migration("await queryInterface.addColumn('Users', 'phone', Sequelize.STRING);", "await queryInterface.removeColumn('Users', 'phone');")],
  invalid: [{ code: drop, errors: [{ messageId: "dropColumn", ...at(drop, "'legacy'") }] }],
});

const index = migration("await queryInterface.addIndex('Users', ['email']);");
const concurrent = "await queryInterface.addIndex('Users', ['email'], { concurrently: true });";
runJsRule(requireConcurrentIndex, {
  // Umzug runs each call on its own: CONCURRENTLY works without opting out of anything.
  valid: [migration(concurrent)],
  invalid: [{ code: index, errors: [{ messageId: "createIndex", ...at(index, "queryInterface.addIndex('Users', ['email'])") }] }],
});

const inTransaction = migration(`await queryInterface.sequelize.transaction(async (transaction) => {
      ${concurrent}
    });`);
runJsRule(noConcurrentlyInTransaction, {
  valid: [migration(concurrent)],
  // A migration that opens a transaction itself runs its calls in it.
  invalid: [{ code: inTransaction, errors: [{ messageId: "runner", ...at(inTransaction, "queryInterface.addIndex('Users', ['email'], { concurrently: true })") }] }],
});

const emptyWhere = migration("await queryInterface.bulkUpdate('Users', { verified: false }, {});");
const noWhere = migration("await queryInterface.bulkDelete('Sessions', null, {});");
runJsRule(noUnboundedUpdate, {
  valid: [
    migration("await queryInterface.bulkUpdate('Users', { verified: false }, { id: userId });"),
    migration("await queryInterface.bulkUpdate('Users', { verified: false }, { id: [1, 2, 3] });"),
    migration("await queryInterface.bulkUpdate('Users', { verified: false }, { id: { [Op.between]: [1, 1000] } });"),
  ],
  invalid: [
    { code: emptyWhere, errors: [{ messageId: "noWhere", ...at(emptyWhere, "queryInterface.bulkUpdate('Users', { verified: false }, {})") }] },
    { code: noWhere, errors: [{ messageId: "noWhere", ...at(noWhere, "queryInterface.bulkDelete('Sessions', null, {})") }] },
  ],
});

const required = migration("await queryInterface.addColumn('Users', 'phone', { type: Sequelize.STRING(32), allowNull: false });");
// UUIDV4 is filled in by Sequelize in JavaScript, so the column gets no DEFAULT in the schema.
const jsDefault = migration("await queryInterface.addColumn('Users', 'uid', { type: Sequelize.UUID, allowNull: false, defaultValue: Sequelize.UUIDV4 });");
runJsRule(noAddRequiredColumn, {
  valid: [migration("await queryInterface.addColumn('Users', 'verified', { type: Sequelize.BOOLEAN, allowNull: false, defaultValue: false });")],
  invalid: [
    { code: required, errors: [{ messageId: "notNullWithoutDefault", ...at(required, "{ type: Sequelize.STRING(32), allowNull: false }") }] },
    { code: jsDefault, errors: [{ messageId: "notNullWithoutDefault", ...at(jsDefault, "{ type: Sequelize.UUID, allowNull: false, defaultValue: Sequelize.UUIDV4 }") }] },
  ],
});

const change = migration("await queryInterface.changeColumn('Users', 'email', { type: Sequelize.STRING, allowNull: false });");
runJsRule(noSetNotNull, {
  valid: [migration("await queryInterface.changeColumn('Users', 'email', { type: Sequelize.STRING, allowNull: true });")],
  invalid: [{ code: change, errors: [{ messageId: "setNotNull", ...at(change, "queryInterface.changeColumn('Users', 'email', { type: Sequelize.STRING, allowNull: false })") }] }],
});
runJsRule(noColumnTypeChange, {
  valid: [],
  // changeColumn re-states the type whether it changed or not.
  invalid: [{ code: change, errors: [{ messageId: "typeChange", ...at(change, "queryInterface.changeColumn('Users', 'email', { type: Sequelize.STRING, allowNull: false })") }] }],
});

const unknownType = migration("await queryInterface.addColumn('Users', 'geo', { type: customType, allowNull: false });");
runJsRule(noUncheckedStatement, {
  valid: [migration("await queryInterface.bulkInsert('Roles', [{ name: 'admin' }]);")],
  invalid: [{ code: unknownType, errors: [{ messageId: "unchecked", ...at(unknownType, "queryInterface.addColumn('Users', 'geo', { type: customType, allowNull: false })") }] }],
});

describe("Sequelize translation", () => {
  it("changeColumn re-states the column: what it leaves out is reset", () => {
    expect(statementsOf(migration("await queryInterface.changeColumn('Users', 'bio', Sequelize.TEXT);"))).toEqual([
      'ALTER TABLE "Users" ALTER COLUMN bio DROP NOT NULL',
      'ALTER TABLE "Users" ALTER COLUMN bio DROP DEFAULT',
      'ALTER TABLE "Users" ALTER COLUMN bio TYPE TEXT',
    ]);
  });

  it("reads DataTypes, defaults and references", () => {
    const code = migration(`await queryInterface.addColumn({ tableName: 'Users', schema: 'App' }, 'orgId', {
      type: DataTypes.ARRAY(DataTypes.DECIMAL(10, 2)),
      defaultValue: Sequelize.literal('ARRAY[]::numeric[]'),
      references: { model: 'Orgs', key: 'id' },
      onDelete: 'cascade',
    });`);
    expect(statementsOf(code)).toEqual([`ALTER TABLE "App"."Users" ADD COLUMN "orgId" DECIMAL(10,2)[] DEFAULT ARRAY[]::numeric[] REFERENCES "Orgs" (id) ON DELETE CASCADE`]);
  });

  it("writes where objects with operators", () => {
    const code = migration("await queryInterface.bulkUpdate('Users', { a: 1 }, { [Op.or]: [{ id: 1 }, { email: null }], age: { [Op.gte]: 18 } });");
    expect(statementsOf(code)).toEqual(['UPDATE "Users" SET a = 1 WHERE ((id = 1) OR (email IS NULL)) AND age >= 18']);
  });

  it("replaces query replacements", () => {
    const code = migration(`await queryInterface.sequelize.query('UPDATE "Users" SET a = :a WHERE id = :id AND b::text = \\'x\\'', { replacements: { a: 1, id: 2 } });`);
    // `::` is a cast, not a replacement.
    expect(statementsOf(code)).toEqual([`UPDATE "Users" SET a = $1 WHERE id = $1 AND b::text = 'x'`]);
  });
});
