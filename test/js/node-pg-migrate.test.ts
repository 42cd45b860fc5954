/**
 * node-pg-migrate migrations (JavaScript): `pgm.*` operations translated to the SQL node-pg-migrate sends, reported
 * on the call — or on the argument (a column definition, an option) the finding is about.
 */
import noAddRequiredColumn from "../../rules/no-add-required-column.js";
import noDropColumn from "../../rules/no-drop-column.js";
import noRenameColumn from "../../rules/no-rename-column.js";
import noSetNotNull from "../../rules/no-set-not-null.js";
import noUnboundedUpdate from "../../rules/no-unbounded-update.js";
import noUncheckedStatement from "../../rules/no-unchecked-statement.js";
import requireConcurrentIndex from "../../rules/require-concurrent-index.js";
import { describe, expect, it } from "vitest";
import { runJsRule, statementsOf } from "./helpers.js";
import { at } from "./location.js";

const up = (body: string) => `exports.up = (pgm) => {
  ${body}
};
`;

const rename = up("pgm.renameColumn('users', 'full_name', 'display_name');");
runJsRule(noRenameColumn, {
  valid: [`exports.down = (pgm) => { pgm.renameColumn('users', 'display_name', 'full_name'); };`],
  invalid: [{ code: rename, errors: [{ messageId: "renameColumn", ...at(rename, "pgm.renameColumn('users', 'full_name', 'display_name')") }] }],
});

const drop = up("pgm.dropColumns('users', ['legacy', 'old_flag']);");
const dropOne = up("pgm.dropColumn('users', 'legacy');");
runJsRule(noDropColumn, {
  valid: [`exports.down = (pgm) => { pgm.dropColumns('users', ['display_name']); };`],
  invalid: [
    // Each dropped column is reported on its own name in the list.
    {
      code: drop,
      errors: [
        { messageId: "dropColumn", ...at(drop, "'legacy'") },
        { messageId: "dropColumn", ...at(drop, "'old_flag'") },
      ],
    },
    { code: dropOne, errors: [{ messageId: "dropColumn", ...at(dropOne, "'legacy'") }] },
  ],
});

const index = up("pgm.createIndex('users', 'email');");
const dropIndex = up("pgm.dropIndex('users', 'email');");
runJsRule(requireConcurrentIndex, {
  valid: [
    `exports.up = (pgm) => {
      pgm.noTransaction();
      pgm.createIndex('users', 'email', { concurrently: true });
    };`,
    up("pgm.createTable('events', { id: 'id', kind: { type: 'text', notNull: true } });\n  pgm.createIndex('events', 'kind');"),
  ],
  invalid: [
    { code: index, errors: [{ messageId: "createIndex", ...at(index, "pgm.createIndex('users', 'email')") }] },
    { code: dropIndex, errors: [{ messageId: "dropIndex", ...at(dropIndex, "pgm.dropIndex('users', 'email')") }] },
  ],
});

const unbounded = up("pgm.sql(`UPDATE users SET plan = 'free'`);");
runJsRule(noUnboundedUpdate, {
  valid: [up("pgm.sql(`UPDATE users SET plan = 'free' WHERE id BETWEEN 1 AND 1000`);")],
  invalid: [{ code: unbounded, errors: [{ messageId: "noWhere", ...at(unbounded, "UPDATE users SET plan = 'free'") }] }],
});

const required = up(`pgm.addColumns('users', {
    nickname: { type: 'text' },
    email: { type: 'text', notNull: true },
  });`);
runJsRule(noAddRequiredColumn, {
  valid: [up("pgm.addColumns('users', { email: { type: 'text', notNull: true, default: '' } });"), up("pgm.addColumn('users', { email: 'text' });")],
  // Reported on the column's own definition.
  invalid: [{ code: required, errors: [{ messageId: "notNullWithoutDefault", ...at(required, "{ type: 'text', notNull: true }") }] }],
});

const setNotNull = up("pgm.alterColumn('users', 'email', { notNull: true });");
runJsRule(noSetNotNull, {
  valid: [up("pgm.alterColumn('users', 'email', { notNull: false });"), up("pgm.alterColumn('users', 'email', { allowNull: true });")],
  // The action is reported on the option that asks for it.
  invalid: [{ code: setNotNull, errors: [{ messageId: "setNotNull", ...at(setNotNull, "true") }] }],
});

const unknownFlag = up("pgm.createIndex('users', 'email', { concurrently: isProduction });");
const unknownTable = up("pgm.dropColumns(tableName, ['legacy']);");
const trigger = up("pgm.createTrigger('users', 'users_audit', { when: 'AFTER', operation: 'UPDATE', function: 'audit' });");
runJsRule(noUncheckedStatement, {
  valid: [up("pgm.createExtension('pgcrypto', { ifNotExists: true });\n  pgm.createType('mood', ['sad', 'ok']);")],
  invalid: [
    { code: unknownFlag, errors: [{ messageId: "unchecked", ...at(unknownFlag, "pgm.createIndex('users', 'email', { concurrently: isProduction })") }] },
    { code: unknownTable, errors: [{ messageId: "unchecked", ...at(unknownTable, "pgm.dropColumns(tableName, ['legacy'])") }] },
    { code: trigger, errors: [{ messageId: "unchecked", ...at(trigger, "pgm.createTrigger('users', 'users_audit', { when: 'AFTER', operation: 'UPDATE', function: 'audit' })") }] },
  ],
});

describe("node-pg-migrate translation", () => {
  it("writes columns as node-pg-migrate does, with the file's own shorthands", () => {
    const code = `exports.shorthands = { created: { type: 'timestamptz', notNull: true, default: new PgLiteral('now()') } };
exports.up = (pgm) => {
  pgm.addColumns({ schema: 'App', name: 'Users' }, {
    seen: 'created',
    owner: { type: 'int', references: 'users', onDelete: 'CASCADE' },
    kind: { type: 'string', default: "it's", check: "kind <> ''" },
  });
};`;
    expect(statementsOf(code)).toEqual([
      `ALTER TABLE "App"."Users" ADD seen timestamptz DEFAULT now() NOT NULL, ADD owner integer REFERENCES users ON DELETE CASCADE, ADD kind text DEFAULT 'it''s' CHECK (kind <> '')`,
    ]);
  });

  it("names indexes <table>_<columns>[_unique]_index unless told otherwise", () => {
    expect(statementsOf(up("pgm.createIndex('users', ['org_id', 'lower(email)'], { unique: true, where: 'deleted_at IS NULL' });"))).toEqual([
      // node-pg-migrate pastes the expression into the name as is, and quotes the name.
      'CREATE UNIQUE INDEX "users_org_id_lower(email)_unique_index" ON users (org_id, lower(email)) WHERE deleted_at IS NULL',
    ]);
  });

  it("reads addConstraint's options and raw expressions", () => {
    expect(
      statementsOf(
        up(`pgm.addConstraint('users', 'users_org_fk', { foreignKeys: { columns: 'org_id', references: 'orgs(id)' } });
  pgm.addConstraint('users', null, 'CHECK (age > 0) NOT VALID');`),
      ),
    ).toEqual(["ALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs(id)", "ALTER TABLE users ADD CHECK (age > 0) NOT VALID"]);
  });

  it("says which argument it could not read", () => {
    expect(statementsOf(up("pgm.createIndex('users', 'email', { concurrently: isProduction });"))).toEqual([
      "NOT ANALYSED: node-pg-migrate `createIndex` cannot be translated to SQL statically (option `concurrently`: `isProduction` is not a constant in this file)",
    ]);
  });
});
