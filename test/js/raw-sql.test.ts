/**
 * Raw SQL in JS/TS migrations — MikroORM `this.addSql`, node-postgres `client.query`, postgres.js/Slonik `sql`
 * templates, knex.raw — reported on the exact characters of the statement inside the string or template, escapes
 * and line breaks included.
 */
import noAddRequiredColumn from "../../rules/no-add-required-column.js";
import noConcurrentlyInTransaction from "../../rules/no-concurrently-in-transaction.js";
import noDropColumn from "../../rules/no-drop-column.js";
import noRenameColumn from "../../rules/no-rename-column.js";
import noSetNotNull from "../../rules/no-set-not-null.js";
import noUnboundedUpdate from "../../rules/no-unbounded-update.js";
import noUncheckedStatement from "../../rules/no-unchecked-statement.js";
import requireConcurrentIndex from "../../rules/require-concurrent-index.js";
import requireLockTimeout from "../../rules/require-lock-timeout.js";
import { runJsRule, runTsRule } from "./helpers.js";
import { at } from "./location.js";

const mikro = (up: string, extra = "") => `import { Migration } from "@mikro-orm/migrations";

export class Migration20240101000000 extends Migration {${extra}
  async up(): Promise<void> {
    ${up}
  }
}
`;

// The ALTER stands on the third line of the template (the first is empty, after the backtick).
const multiLine = mikro(`this.addSql(\`
      SET lock_timeout = '5s';
      ALTER TABLE "product" DROP COLUMN "legacy_code";
    \`);`);
runTsRule(noDropColumn, {
  valid: [mikro(`this.addSql('alter table "product" add column "slug" text null;');`)],
  invalid: [
    {
      code: multiLine,
      errors: [{ messageId: "dropColumn", line: 7, column: 29, endLine: 7, endColumn: 54 }],
    },
  ],
});

// After escape sequences in a string literal (`\\'` and `\\n` take two characters of source each).
const escaped = String.raw`exports.up = (knex) => knex.raw('SET lock_timeout = \'5s\';\nALTER TABLE users DROP COLUMN legacy');`;
runJsRule(noDropColumn, {
  valid: [],
  // The string's text starts at column 34; 28 source characters (26 decoded) come before ALTER, 18 more before DROP.
  invalid: [{ code: escaped, errors: [{ messageId: "dropColumn", line: 1, column: 80, endLine: 1, endColumn: 98 }] }],
});

const rename = mikro(`this.addSql('alter table "product" rename column "code" to "sku";');`);
runTsRule(noRenameColumn, {
  valid: [],
  invalid: [{ code: rename, errors: [{ messageId: "renameColumn", ...at(rename, 'alter table "product" rename column "code" to "sku"') }] }],
});

const required = mikro(`this.addSql('alter table "product" add column "sku" varchar(64) not null;');`);
runTsRule(noAddRequiredColumn, {
  valid: [mikro(`this.addSql('alter table "product" add column "sku" varchar(64) not null default \\'\\';');`)],
  invalid: [{ code: required, errors: [{ messageId: "notNullWithoutDefault", ...at(required, 'add column "sku" varchar(64) not null') }] }],
});

const pg = (body: string) => `import type { Client } from "pg";

export async function up(client: Client): Promise<void> {
  ${body}
}
`;
const concurrently = pg("await client.query('CREATE INDEX CONCURRENTLY invoices_due_idx ON invoices (due_at)');");
runTsRule(requireConcurrentIndex, {
  valid: [concurrently],
  invalid: [
    {
      code: pg("await client.query('CREATE INDEX invoices_due_idx ON invoices (due_at)');"),
      errors: [{ messageId: "createIndex", line: 4, column: 23, endLine: 4, endColumn: 73 }],
    },
  ],
});

// MikroORM wraps migrations in a transaction unless isTransactional() says false; plain node-postgres does not.
// Outside the runner's transaction, one call holding several statements still runs them as one implicit transaction.
const noTx = "\n  isTransactional(): boolean {\n    return false;\n  }\n";
const twoInOne = mikro("this.addSql('create index concurrently product_sku_idx on product (sku); create index concurrently product_name_idx on product (name);');", noTx);
const twoCalls = mikro("this.addSql('create index concurrently product_sku_idx on product (sku);');\n    this.addSql('create index concurrently product_name_idx on product (name);');", noTx);
runTsRule(noConcurrentlyInTransaction, {
  valid: [concurrently, mikro("this.addSql('create index concurrently product_sku_idx on product (sku);');", noTx), twoCalls],
  invalid: [
    {
      code: twoInOne,
      errors: [
        { messageId: "query", ...at(twoInOne, "create index concurrently product_sku_idx on product (sku)") },
        { messageId: "query", ...at(twoInOne, "create index concurrently product_name_idx on product (name)") },
      ],
    },
    {
      code: mikro("this.addSql('create index concurrently product_sku_idx on product (sku);');"),
      errors: [{ messageId: "runner", ...at(mikro("this.addSql('create index concurrently product_sku_idx on product (sku);');"), "create index concurrently product_sku_idx on product (sku)") }],
    },
  ],
});

// SET LOCAL in a query string holds for the rest of that string (its implicit transaction), not for the next call.
const localTimeout = mikro("this.addSql(\"set local lock_timeout = '1s'; alter table product add column sku text;\");\n    this.addSql('alter table product add column name text;');", noTx);
runTsRule(requireLockTimeout, {
  valid: [],
  invalid: [{ code: localTimeout, errors: [{ messageId: "missingLockTimeout", ...at(localTimeout, "alter table product add column name text") }] }],
});

const constant = pg(`const table = "invoices";
  await client.query(\`UPDATE \${table} SET due_at = issued_at + interval '30 days'\`);`);
const interpolated = pg("await client.query(`UPDATE invoices SET paid = true WHERE id = ${id}`);");
runTsRule(noUnboundedUpdate, {
  // A postgres.js template sends the interpolation as a bind parameter, a bound key.
  valid: [pg("await sql`UPDATE invoices SET paid = true WHERE id = ${id}`;")],
  invalid: [
    // A constant interpolated into a plain template is pasted in as text: the table is known.
    { code: constant, errors: [{ messageId: "noWhere", ...at(constant, "UPDATE ${table} SET due_at = issued_at + interval '30 days'") }] },
    // In a plain template an unknown value is pasted in as text, which could be anything: not a bound key.
    // The statement ends with the interpolated expression itself (`id`, not the template's closing brace).
    { code: interpolated, errors: [{ messageId: "unboundedWhere", ...at(interpolated, "UPDATE invoices SET paid = true WHERE id = ${id") }] },
  ],
});

const setNotNull = pg(`await client.query(\`
    ALTER TABLE invoices
      ALTER COLUMN due_at SET NOT NULL
  \`);`);
runTsRule(noSetNotNull, {
  valid: [],
  invalid: [{ code: setNotNull, errors: [{ messageId: "setNotNull", ...at(setNotNull, "ALTER COLUMN due_at SET NOT NULL") }] }],
});

const built = pg("await client.query(buildMigration());");
const change = pg("await client.query(`ALTER TABLE ${tableName} DROP COLUMN legacy`);\n  await client.query(`ALTER TABLE invoices ${change}`);");
runTsRule(noUncheckedStatement, {
  valid: [pg("await client.query('SELECT 1');")],
  invalid: [
    { code: built, errors: [{ messageId: "unchecked", ...at(built, "buildMigration()") }] },
    // A name-shaped stand-in parses as a table name; where no name fits, the statement is not analysed, and says why.
    {
      code: change,
      errors: [
        {
          messageId: "unchecked",
          data: {
            // The place of the error, in the file: line 5, where `change` starts.
            reason: 'the SQL is completed at run time by `change`, which cannot be read without running the code (syntax error at or near "_change") (line 5, column 46)',
          },
          ...at(change, "ALTER TABLE invoices ${change"),
        },
      ],
    },
  ],
});
