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
import noExclusionConstraint from "./no-exclusion-constraint.js";
import noForeignKeyWithoutIndex from "./no-foreign-key-without-index.js";
import noLongIdentifier from "./no-long-identifier.js";
import noRenameByDrop from "./no-rename-by-drop.js";
import noRenameColumn from "./no-rename-column.js";
import noRenameTable from "./no-rename-table.js";
import noSetNotNull from "./no-set-not-null.js";
import noStatementAfterExclusiveLock from "./no-statement-after-exclusive-lock.js";
import noTruncate from "./no-truncate.js";
import noUnbalancedTransaction from "./no-unbalanced-transaction.js";
import noUnboundedUpdate from "./no-unbounded-update.js";
import noUncheckedStatement from "./no-unchecked-statement.js";
import noUniqueConstraintWithoutIndex from "./no-unique-constraint-without-index.js";
import noValidateInSameTransaction from "./no-validate-in-same-transaction.js";
import noVolatileDefault from "./no-volatile-default.js";
import preferBigint from "./prefer-bigint.js";
import preferIdentity from "./prefer-identity.js";
import preferJsonb from "./prefer-jsonb.js";
import preferText from "./prefer-text.js";
import preferTimestamptz from "./prefer-timestamptz.js";
import requireConcurrentDetachPartition from "./require-concurrent-detach-partition.js";
import requireConcurrentIndex from "./require-concurrent-index.js";
import requireLockTimeout from "./require-lock-timeout.js";
import requireNotValidConstraint from "./require-not-valid-constraint.js";
import requireStatementTimeout from "./require-statement-timeout.js";

export const allRules: readonly MigrationRule[] = [
  noAddRequiredColumn,
  noBlockingMaintenance,
  noColumnTypeChange,
  noConcurrentlyInTransaction,
  noDropColumn,
  noDropTable,
  noExclusionConstraint,
  noForeignKeyWithoutIndex,
  noLongIdentifier,
  noRenameByDrop,
  noRenameColumn,
  noRenameTable,
  noSetNotNull,
  noStatementAfterExclusiveLock,
  noTruncate,
  noUnbalancedTransaction,
  noUnboundedUpdate,
  noUncheckedStatement,
  noUniqueConstraintWithoutIndex,
  noValidateInSameTransaction,
  noVolatileDefault,
  preferBigint,
  preferIdentity,
  preferJsonb,
  preferText,
  preferTimestamptz,
  requireConcurrentDetachPartition,
  requireConcurrentIndex,
  requireLockTimeout,
  requireNotValidConstraint,
  requireStatementTimeout,
];
