/**
 * Every rule of the plugin. test/package.test.ts checks this list against the files in rules/ and docs/rules/.
 */
import type { MigrationRule } from "../src/rule.js";
import noConcurrentlyInTransaction from "./no-concurrently-in-transaction.js";
import noDropColumn from "./no-drop-column.js";
import noDropTable from "./no-drop-table.js";
import noRenameByDrop from "./no-rename-by-drop.js";
import noRenameColumn from "./no-rename-column.js";
import noRenameTable from "./no-rename-table.js";
import noSetNotNull from "./no-set-not-null.js";
import noUnboundedUpdate from "./no-unbounded-update.js";
import noUncheckedStatement from "./no-unchecked-statement.js";
import requireConcurrentIndex from "./require-concurrent-index.js";
import requireNotValidConstraint from "./require-not-valid-constraint.js";

export const allRules: readonly MigrationRule[] = [
  noConcurrentlyInTransaction,
  noDropColumn,
  noDropTable,
  noRenameByDrop,
  noRenameColumn,
  noRenameTable,
  noSetNotNull,
  noUnboundedUpdate,
  noUncheckedStatement,
  requireConcurrentIndex,
  requireNotValidConstraint,
];
