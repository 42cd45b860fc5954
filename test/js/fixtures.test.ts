/**
 * The example migrations of fixtures/js-migrations — one per framework, each with unsafe and safe operations —
 * linted through ESLint with configs.recommended, the way a project's eslint.config.js runs them: every finding, on
 * its exact line and column, and nothing on the safe operations.
 */
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";
import plugin from "../../src/index.js";

const root = fileURLToPath(new URL("../../fixtures/js-migrations/", import.meta.url));

/**
 * The rules these fixtures were written against. A rule added to the recommended set later is checked by its own
 * tests; listing it here (with its findings below) is how these examples start showing it.
 */
const RULES = new Set([
  "no-add-required-column", "no-blocking-maintenance", "no-column-type-change", "no-concurrently-in-transaction", "no-drop-column",
  "no-drop-table", "no-rename-by-drop", "no-rename-column", "no-rename-table", "no-set-not-null", "no-truncate", "no-unbounded-update",
  "no-unchecked-statement", "no-unique-constraint-without-index", "no-volatile-default", "require-concurrent-index", "require-lock-timeout",
  "require-not-valid-constraint",
]);

/** Per file: [rule, line, column] of every finding, in order. */
const EXPECTED: Record<string, [string, number, number][]> = {
  "knex/migrations/20240312090000_users_display_name.js": [
    ["no-rename-column", 13, 5],
    ["no-drop-column", 14, 5],
    // legacy_flags dropped while display_name and email_normalized are added: maybe a rename written as drop + add.
    ["no-rename-by-drop", 14, 5],
    ["no-add-required-column", 16, 5],
    ["require-concurrent-index", 18, 5],
    ["no-unbounded-update", 22, 9],
    // down(): dropping the column is a rollback (silent); dropping the index still blocks writes.
    ["require-concurrent-index", 32, 5],
  ],
  "kysely/migrations/2024-03-20-order-status.ts": [
    ["no-add-required-column", 19, 6],
    ["require-concurrent-index", 22, 9],
    ["no-unbounded-update", 24, 9],
    ["no-column-type-change", 28, 7],
  ],
  "mikro-orm/migrations/Migration20240321000000.ts": [
    ["no-add-required-column", 7, 40],
    ["require-concurrent-index", 8, 18],
    ["no-drop-column", 9, 40],
    ["require-not-valid-constraint", 10, 40],
    ["require-concurrent-index", 15, 18],
  ],
  "node-pg-migrate/migrations/1710930000000_accounts-plan.js": [
    ["require-concurrent-index", 19, 3],
    ["no-set-not-null", 20, 51],
    ["no-rename-column", 21, 3],
    ["no-unbounded-update", 31, 5],
    ["require-concurrent-index", 41, 3],
  ],
  "node-postgres/migrations/003_invoice_due_dates.ts": [
    ["no-unbounded-update", 10, 23],
    ["no-set-not-null", 13, 7],
    ["no-drop-column", 15, 44],
  ],
  "sequelize/migrations/20240320100000-add-user-phone.js": [
    ["no-add-required-column", 8, 54],
    ["no-column-type-change", 12, 11],
    ["require-concurrent-index", 14, 11],
    ["no-drop-column", 18, 48],
    ["no-unbounded-update", 19, 11],
    ["require-concurrent-index", 24, 11],
  ],
  "typeorm/migrations/1710940000000-AddUserLocale.ts": [
    ["no-add-required-column", 11, 41],
    ["require-concurrent-index", 13, 11],
    ["require-not-valid-constraint", 16, 7],
    ["no-rename-column", 19, 30],
    ["no-unbounded-update", 20, 30],
    ["require-concurrent-index", 26, 11],
  ],
};

describe("fixtures/js-migrations", () => {
  it("are linted by configs.recommended with exactly the expected findings", async () => {
    const eslint = new ESLint({ cwd: root, overrideConfigFile: true, overrideConfig: plugin.configs.recommended });
    const results = await eslint.lintFiles(["."]);
    const found = Object.fromEntries(
      results.map((r) => [
        r.filePath.slice(root.length).replaceAll("\\", "/"),
        r.messages.filter((m) => m.fatal || RULES.has((m.ruleId ?? "").replace(/^migration-safety\//, ""))).map((m) => [m.ruleId?.replace(/^migration-safety\//, "") ?? `fatal: ${m.message}`, m.line, m.column]),
      ]),
    );
    expect(found).toEqual(EXPECTED);
  });

  it("honours eslint-disable comments with a reason on JS/TS migrations", async () => {
    const eslint = new ESLint({ cwd: root, overrideConfigFile: true, overrideConfig: plugin.configs.recommended });
    const code = `import { MigrationInterface, QueryRunner, TableIndex } from "typeorm";
export class Country1 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("SET lock_timeout = '1s'");
    // eslint-disable-next-line migration-safety/require-concurrent-index -- lookup table with 12 rows
    await queryRunner.createIndex("country", new TableIndex({ columnNames: ["code"] }));
    await queryRunner.createIndex("country", new TableIndex({ columnNames: ["name"] }));
  }
}
`;
    const [result] = await eslint.lintText(code, { filePath: `${root}typeorm/migrations/1-country.ts` });
    expect(result!.messages.map((m) => [m.ruleId, m.line])).toEqual([["migration-safety/require-concurrent-index", 7]]);
  });
});
