/**
 * The application-code rules are ESLint rules written directly (they read JS/TS, not migrations): typescript-eslint's
 * RuleCreator with the plugin's docs URL pattern.
 */
import * as ESLintUtils from "@typescript-eslint/utils/eslint-utils";
import { docsUrl } from "../eslint/to-eslint-rule.js";

export interface AppRuleDocs {
  /** In `configs.app`. */
  readonly recommended: boolean;
}

export const createRule = ESLintUtils.RuleCreator<AppRuleDocs>(docsUrl);
