/**
 * The application-code rules, by id: they read the app's code against the migrations' history model.
 */
import noDroppedColumnReference from "./rules/no-dropped-column-reference.js";
import requireDualRead from "./rules/require-dual-read.js";
import requireDualWrite from "./rules/require-dual-write.js";

export const appRules = {
  "no-dropped-column-reference": noDroppedColumnReference,
  "require-dual-read": requireDualRead,
  "require-dual-write": requireDualWrite,
};

/** Rules that also run on .sql files outside the migrations (reports, views, BI queries). */
export const APP_SQL_RULES: readonly (keyof typeof appRules)[] = ["no-dropped-column-reference"];
