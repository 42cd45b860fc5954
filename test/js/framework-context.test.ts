/**
 * What each framework runs a migration in — its transaction default and the file's own opt-out — and the rollback
 * side: in `down`, the contract rules (drops, renames) are silent and the locking rules still report.
 */
import noConcurrentlyInTransaction from "../../rules/no-concurrently-in-transaction.js";
import noDropColumn from "../../rules/no-drop-column.js";
import noDropTable from "../../rules/no-drop-table.js";
import noRenameByDrop from "../../rules/no-rename-by-drop.js";
import noRenameColumn from "../../rules/no-rename-column.js";
import noRenameTable from "../../rules/no-rename-table.js";
import noUnboundedUpdate from "../../rules/no-unbounded-update.js";
import requireConcurrentIndex from "../../rules/require-concurrent-index.js";
import { runJsRule, runTsRule } from "./helpers.js";
import { at } from "./location.js";

const CONCURRENT = "CREATE INDEX CONCURRENTLY users_email_idx ON users (email)";

const knex = (before = "") => `${before}exports.up = (knex) => knex.raw('${CONCURRENT}');\n`;
const knexEsm = `export const config = { transaction: false };\nexport async function up(knex) {\n  await knex.raw('${CONCURRENT}');\n}\n`;
const knexObject = `module.exports = {\n  config: { transaction: false },\n  up: (knex) => knex.raw('${CONCURRENT}'),\n};\n`;
const pgm = (up: string, down = "") => `exports.up = (pgm) => {\n  ${up}\n};\nexports.down = (pgm) => {\n  ${down}\n};\n`;
const pgmIndex = "pgm.createIndex('users', 'email', { concurrently: true });";
/** An invalid case: reported by the rule's "runner" message exactly on `snippet`. */
const flagged = (code: string, snippet = CONCURRENT) => ({ code, errors: [{ messageId: "runner", ...at(code, snippet) }] });
const sequelize = (up: string) => `module.exports = {\n  async up(queryInterface, Sequelize) {\n    ${up}\n  },\n};\n`;

runJsRule(noConcurrentlyInTransaction, {
  valid: [
    knex("exports.config = { transaction: false };\n"),
    knexEsm,
    knexObject,
    pgm(`pgm.noTransaction();\n  ${pgmIndex}`),
    // Whatever the handle is called.
    `exports.up = (m) => {\n  m.noTransaction();\n  m.createIndex('users', 'email', { concurrently: true });\n};`,
    // Umzug runs Sequelize migrations call by call.
    sequelize(`await queryInterface.sequelize.query('${CONCURRENT}');`),
    // The file's own opt-out wins over transactionPerFile: true.
    { code: pgm(`pgm.noTransaction();\n  ${pgmIndex}`), settings: { "migration-safety": { transactionPerFile: true } } },
    // transactionPerFile: false — the runner wraps nothing.
    { code: knex(), settings: { "migration-safety": { transactionPerFile: false } } },
  ],
  invalid: [
    flagged(knex()),
    flagged(knex("exports.config = { transaction: true };\n")),
    flagged(pgm(pgmIndex), pgmIndex.slice(0, -1)),
    // noTransaction() applies to the function it is called in only.
    flagged(pgm(pgmIndex, "pgm.noTransaction();"), pgmIndex.slice(0, -1)),
    { ...flagged(sequelize(`await queryInterface.sequelize.query('${CONCURRENT}');`)), settings: { "migration-safety": { transactionPerFile: true } } },
  ],
});

const typeorm = (property: string) => `import { MigrationInterface, QueryRunner } from "typeorm";

export class AddIndex1700000000000 implements MigrationInterface {${property}
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(\`${CONCURRENT}\`);
  }
}
`;
const mikro = (method: string) => `import { Migration } from "@mikro-orm/migrations";

export class Migration20240101000000 extends Migration {${method}
  async up(): Promise<void> {
    this.addSql('${CONCURRENT}');
  }
}
`;
runTsRule(noConcurrentlyInTransaction, {
  valid: [typeorm("\n  transaction = false;\n"), mikro("\n  override isTransactional(): boolean {\n    return false;\n  }\n")],
  invalid: [flagged(typeorm("")), flagged(typeorm("\n  transaction = true;\n")), flagged(mikro(""))],
});

// Rollbacks: the same statements in down() are not contract steps.
const down = (body: string) => `exports.up = (knex) => knex.schema.alterTable('users', (t) => { t.text('display_name'); });
exports.down = async (knex) => {
  ${body}
};
`;
runJsRule(noDropColumn, { valid: [down("await knex.schema.alterTable('users', (t) => { t.dropColumn('display_name'); });")], invalid: [] });
runJsRule(noDropTable, { valid: [down("await knex.schema.dropTable('users_archive');"), pgm("", "pgm.dropTable('audit');")], invalid: [] });
runJsRule(noRenameColumn, { valid: [down("await knex.schema.alterTable('users', (t) => { t.renameColumn('display_name', 'full_name'); });")], invalid: [] });
runJsRule(noRenameTable, { valid: [down("await knex.schema.renameTable('people', 'users');"), pgm("", "pgm.renameTable('people', 'users');")], invalid: [] });
runJsRule(noRenameByDrop, {
  valid: [down("await knex.raw('ALTER TABLE users DROP COLUMN display_name');\n  await knex.raw('ALTER TABLE users ADD COLUMN full_name text');")],
  invalid: [],
});

// Locking rules still report in down(): a rollback that blocks writes is an outage too.
const downIndex = down("await knex.schema.alterTable('users', (t) => { t.dropIndex(['display_name']); });");
const downUpdate = down("await knex('users').update({ full_name: null });");
runJsRule(requireConcurrentIndex, {
  valid: [],
  invalid: [{ code: downIndex, errors: [{ messageId: "dropIndex", ...at(downIndex, "t.dropIndex(['display_name'])") }] }],
});
runJsRule(noUnboundedUpdate, {
  valid: [],
  invalid: [{ code: downUpdate, errors: [{ messageId: "noWhere", ...at(downUpdate, "knex('users').update({ full_name: null })") }] }],
});

// A message that points at another statement ("the BEGIN on line 2") counts lines of the file, not of the SQL text
// assembled from it.
const explicit = `export async function up(client) {
  await client.query("BEGIN");
  await client.query("${CONCURRENT}");
  await client.query("COMMIT");
}
`;
runJsRule(noConcurrentlyInTransaction, {
  valid: [],
  invalid: [
    {
      code: explicit,
      errors: [{ messageId: "explicit", data: { command: "CREATE INDEX CONCURRENTLY", target: "index users_email_idx on users", line: 2 }, ...at(explicit, CONCURRENT) }],
    },
  ],
});
