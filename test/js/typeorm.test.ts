/**
 * TypeORM migrations (TypeScript): `queryRunner.*` calls translated to what PostgresQueryRunner sends, and
 * `queryRunner.query` strings — TypeORM's generated migrations are all raw SQL — checked like a .sql file.
 */
import noAddRequiredColumn from "../../rules/no-add-required-column.js";
import noConcurrentlyInTransaction from "../../rules/no-concurrently-in-transaction.js";
import noDropColumn from "../../rules/no-drop-column.js";
import noRenameByDrop from "../../rules/no-rename-by-drop.js";
import noRenameColumn from "../../rules/no-rename-column.js";
import noSetNotNull from "../../rules/no-set-not-null.js";
import noTruncate from "../../rules/no-truncate.js";
import noUnboundedUpdate from "../../rules/no-unbounded-update.js";
import noUnbalancedTransaction from "../../rules/no-unbalanced-transaction.js";
import noUncheckedStatement from "../../rules/no-unchecked-statement.js";
import requireConcurrentIndex from "../../rules/require-concurrent-index.js";
import requireNotValidConstraint from "../../rules/require-not-valid-constraint.js";
import { describe, expect, it } from "vitest";
import { runTsRule, statementsOf } from "./helpers.js";
import { at } from "./location.js";

const migration = (up: string, down = "") => `import { MigrationInterface, QueryRunner, TableColumn, TableForeignKey, TableIndex } from "typeorm";

export class Change1700000000000 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    ${up}
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    ${down}
  }
}
`;

// The usual way out of TypeORM's transaction for a concurrent build: commit it, build, start the next one.
const outOfTransaction = migration(`await queryRunner.commitTransaction();
    await queryRunner.query(\`CREATE INDEX CONCURRENTLY "user_email_idx" ON "user" ("email")\`);
    await queryRunner.startTransaction();`);
const inTransaction = migration('await queryRunner.query(`CREATE INDEX CONCURRENTLY "user_email_idx" ON "user" ("email")`);');
runTsRule(noConcurrentlyInTransaction, {
  valid: [outOfTransaction],
  invalid: [{ code: inTransaction, errors: [{ messageId: "runner", ...at(inTransaction, 'CREATE INDEX CONCURRENTLY "user_email_idx" ON "user" ("email")') }] }],
});
runTsRule(noUnbalancedTransaction, {
  valid: [],
  // Committing the runner's transaction early is still said: what follows no longer runs atomically with the migration.
  invalid: [{ code: outOfTransaction, errors: [{ messageId: "endsRunnerTransaction", ...at(outOfTransaction, "queryRunner.commitTransaction()") }] }],
});

const rename = migration('await queryRunner.renameColumn("user", "fullName", "displayName");');
const renameRaw = migration('await queryRunner.query(`ALTER TABLE "user" RENAME COLUMN "fullName" TO "displayName"`);');
runTsRule(noRenameColumn, {
  valid: [migration("", 'await queryRunner.renameColumn("user", "displayName", "fullName");')],
  invalid: [
    { code: rename, errors: [{ messageId: "renameColumn", ...at(rename, 'queryRunner.renameColumn("user", "fullName", "displayName")') }] },
    { code: renameRaw, errors: [{ messageId: "renameColumn", ...at(renameRaw, 'ALTER TABLE "user" RENAME COLUMN "fullName" TO "displayName"') }] },
  ],
});

const drop = migration('await queryRunner.dropColumn("user", "legacy");');
runTsRule(noDropColumn, {
  valid: [migration("", 'await queryRunner.dropColumn("user", "bio");')],
  invalid: [{ code: drop, errors: [{ messageId: "dropColumn", ...at(drop, '"legacy"') }] }],
});

// TypeORM 0.3 recreates a column whose type changes: its data is gone.
const retype = migration(
  'await queryRunner.changeColumn("user", new TableColumn({ name: "age", type: "int" }), new TableColumn({ name: "age", type: "bigint", isNullable: true }));',
);
runTsRule(noRenameByDrop, {
  valid: [migration('await queryRunner.changeColumn("user", new TableColumn({ name: "age", type: "int" }), new TableColumn({ name: "age", type: "int", isNullable: true }));')],
  invalid: [{ code: retype, errors: [{ messageId: "recreateColumn", ...at(retype, 'new TableColumn({ name: "age", type: "int" })') }] }],
});

const index = migration('await queryRunner.createIndex("user", new TableIndex({ name: "IDX_user_email", columnNames: ["email"] }));');
const dropIndex = migration('await queryRunner.dropIndex("user", "IDX_user_email");');
runTsRule(requireConcurrentIndex, {
  valid: [
    `import { MigrationInterface, QueryRunner, TableIndex } from "typeorm";
export class Index1700000000000 implements MigrationInterface {
  transaction = false;
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex("user", new TableIndex({ name: "IDX_user_email", columnNames: ["email"], isConcurrent: true }));
  }
}`,
  ],
  invalid: [
    { code: index, errors: [{ messageId: "createIndex", ...at(index, 'queryRunner.createIndex("user", new TableIndex({ name: "IDX_user_email", columnNames: ["email"] }))') }] },
    { code: dropIndex, errors: [{ messageId: "dropIndex", ...at(dropIndex, 'queryRunner.dropIndex("user", "IDX_user_email")') }] },
  ],
});

const unbounded = migration('await queryRunner.query(`UPDATE "user" SET "locale" = \'en\'`);');
runTsRule(noUnboundedUpdate, {
  valid: [migration('await queryRunner.query(`UPDATE "user" SET "locale" = \'en\' WHERE "id" = $1`, [id]);')],
  invalid: [{ code: unbounded, errors: [{ messageId: "noWhere", ...at(unbounded, 'UPDATE "user" SET "locale" = \'en\'') }] }],
});

// A TableColumn is NOT NULL unless it says isNullable: true.
const required = migration('await queryRunner.addColumn("user", new TableColumn({ name: "locale", type: "varchar", length: "10" }));');
runTsRule(noAddRequiredColumn, {
  valid: [
    migration('await queryRunner.addColumn("user", new TableColumn({ name: "locale", type: "varchar", isNullable: true }));'),
    migration('await queryRunner.addColumn("user", new TableColumn({ name: "locale", type: "varchar", default: "\'en\'" }));'),
  ],
  invalid: [{ code: required, errors: [{ messageId: "notNullWithoutDefault", ...at(required, 'new TableColumn({ name: "locale", type: "varchar", length: "10" })') }] }],
});

const setNotNull = migration(
  'await queryRunner.changeColumn("user", new TableColumn({ name: "bio", type: "text", isNullable: true }), new TableColumn({ name: "bio", type: "text" }));',
);
runTsRule(noSetNotNull, {
  valid: [migration('await queryRunner.changeColumn("user", new TableColumn({ name: "bio", type: "text" }), new TableColumn({ name: "bio", type: "text", isNullable: true }));')],
  invalid: [{ code: setNotNull, errors: [{ messageId: "setNotNull", ...at(setNotNull, 'new TableColumn({ name: "bio", type: "text" })') }] }],
});

const fk = migration(`await queryRunner.createForeignKey(
      "user",
      new TableForeignKey({ columnNames: ["orgId"], referencedTableName: "org", referencedColumnNames: ["id"], onDelete: "CASCADE" }),
    );`);
runTsRule(requireNotValidConstraint, {
  valid: [migration('await queryRunner.query(`ALTER TABLE "user" ADD CONSTRAINT "FK_user_org" FOREIGN KEY ("orgId") REFERENCES "org"("id") NOT VALID`);')],
  invalid: [
    {
      code: fk,
      errors: [{ messageId: "foreignKey", ...at(fk, 'new TableForeignKey({ columnNames: ["orgId"], referencedTableName: "org", referencedColumnNames: ["id"], onDelete: "CASCADE" })') }],
    },
  ],
});

const clear = migration('await queryRunner.clearTable("session");');
runTsRule(noTruncate, { valid: [], invalid: [{ code: clear, errors: [{ messageId: "truncate", ...at(clear, 'queryRunner.clearTable("session")') }] }] });

const byName = migration('await queryRunner.changeColumn("user", "age", new TableColumn({ name: "age", type: "bigint" }));');
runTsRule(noUncheckedStatement, {
  valid: [migration("await queryRunner.startTransaction();\n    await queryRunner.commitTransaction();")],
  invalid: [{ code: byName, errors: [{ messageId: "unchecked", ...at(byName, 'queryRunner.changeColumn("user", "age", new TableColumn({ name: "age", type: "bigint" }))') }] }],
});

describe("TypeORM translation", () => {
  it("writes a column as buildCreateColumnSql does, and its unique constraint separately", () => {
    const code = migration(`const column = new TableColumn({ name: "Code", type: "varchar", length: "12", isUnique: true, default: "'x'" });
    await queryRunner.addColumn("app.user", column);`);
    expect(statementsOf(code, "migrations/x.ts")).toEqual([
      `ALTER TABLE app."user" ADD "Code" varchar(12) NOT NULL DEFAULT 'x'`,
      `ALTER TABLE app."user" ADD CONSTRAINT "UQ_user_Code" UNIQUE ("Code")`,
    ]);
  });

  it("generated uuid columns get uuid_generate_v4() as default", () => {
    const code = migration('await queryRunner.addColumn("user", new TableColumn({ name: "uid", type: "uuid", isGenerated: true, generationStrategy: "uuid" }));');
    expect(statementsOf(code, "migrations/x.ts")).toEqual([`ALTER TABLE "user" ADD uid uuid NOT NULL DEFAULT uuid_generate_v4()`]);
  });

  it("explains why a changeColumn by name cannot be read", () => {
    expect(statementsOf(migration('await queryRunner.changeColumn("user", "age", new TableColumn({ name: "age", type: "bigint" }));'), "migrations/x.ts")[0]).toMatch(
      /^NOT ANALYSED: TypeORM `changeColumn` cannot be translated to SQL statically \(the old column is given by name, so TypeORM compares/,
    );
  });
});
