/**
 * Every rule of the plugin. test/package.test.ts checks this list against the files in rules/ and docs/rules/.
 */
import type { MigrationRule } from "../src/rule.js";
import noAddRequiredColumn from "./no-add-required-column.js";
import noBlockingMaintenance from "./no-blocking-maintenance.js";
import noColumnTypeChange from "./no-column-type-change.js";
import noConcurrentlyInTransaction from "./no-concurrently-in-transaction.js";
import noDropColumn from "./no-drop-column.js";
import noDropTable from "./no-drop-table.js";
import noRenameByDrop from "./no-rename-by-drop.js";
import noRenameColumn from "./no-rename-column.js";
import noRenameTable from "./no-rename-table.js";
import noSetNotNull from "./no-set-not-null.js";
import noTruncate from "./no-truncate.js";
import noUnboundedUpdate from "./no-unbounded-update.js";
import noUncheckedStatement from "./no-unchecked-statement.js";
import noUniqueConstraintWithoutIndex from "./no-unique-constraint-without-index.js";
import noVolatileDefault from "./no-volatile-default.js";
import requireConcurrentIndex from "./require-concurrent-index.js";
import requireLockTimeout from "./require-lock-timeout.js";
import requireNotValidConstraint from "./require-not-valid-constraint.js";

export const allRules: readonly MigrationRule[] = [
  noAddRequiredColumn,
  noBlockingMaintenance,
  noColumnTypeChange,
  noConcurrentlyInTransaction,
  noDropColumn,
  noDropTable,
  noRenameByDrop,
  noRenameColumn,
  noRenameTable,
  noSetNotNull,
  noTruncate,
  noUnboundedUpdate,
  noUncheckedStatement,
  noUniqueConstraintWithoutIndex,
  noVolatileDefault,
  requireConcurrentIndex,
  requireLockTimeout,
  requireNotValidConstraint,
];
