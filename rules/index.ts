/**
 * Every rule of the plugin. test/package.test.ts checks this list against the files in rules/ and docs/rules/.
 */
import type { MigrationRule } from "../src/rule.js";
import noRenameColumn from "./no-rename-column.js";
import noUncheckedStatement from "./no-unchecked-statement.js";
import requireConcurrentIndex from "./require-concurrent-index.js";

export const allRules: readonly MigrationRule[] = [noRenameColumn, noUncheckedStatement, requireConcurrentIndex];
