/**
 * Reports every piece of a migration the linter could not check — a statement that does not parse, SQL built at
 * run time in a DO block, a NUL byte — so that "no findings" never means "not looked at".
 */
import { defineRule } from "../src/rule.js";

export default defineRule({
  name: "no-unchecked-statement",
  meta: {
    type: "problem",
    description: "Disallow migration statements that the linter cannot parse or analyse",
    recommended: true,
    appliesToRollbacks: true,
    messages: {
      unchecked: "This statement was not checked by migration-safety: {{reason}}. Fix it, or review it by hand and disable this rule for it with a reason.",
    },
  },
  *checkUnchecked(statement, context) {
    const { source } = context.document;
    const at = source.positionOf(statement.focus[0]);
    const pointsInside = statement.focus[0] !== statement.range[0] && statement.focus[1] - statement.focus[0] <= 1;
    const reason = pointsInside ? `${statement.reason} (line ${at.line}, column ${at.column + 1})` : statement.reason;
    yield { messageId: "unchecked", data: { reason } };
  },
});
