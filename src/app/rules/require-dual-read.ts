/**
 * While a column is being replaced (expand → backfill → flip → contract), readers must tolerate both shapes: read the
 * new column and fall back to the old one until the backfill is complete and reads are flipped; and stop reading
 * only the old column once the new one exists, or the contract step breaks them.
 */
import type { Transition } from "../../schema/model.js";
import { createRule } from "../create-rule.js";
import { fallbackText } from "../fixes.js";
import { analysisFor, byNameNote, names } from "../resolve.js";
import type { ColumnUse } from "../uses.js";

export type MessageIds = "newBeforeBackfill" | "newBeforeFlip" | "oldOnly" | "addFallback" | "preferNew";
export type Options = [{ oldColumnReads?: boolean }];

export default createRule<Options, MessageIds>({
  name: "require-dual-read",
  meta: {
    type: "problem",
    docs: {
      description: "Require code that reads a column being replaced to read the new column with a fallback to the old one",
      recommended: true,
    },
    hasSuggestions: true,
    languages: ["js/js"],
    messages: {
      newBeforeBackfill:
        "Reads {{to}} of {{table}} without falling back to {{from}}: no backfill has filled {{to}} yet, so every existing row reads NULL here{{byName}}.",
      newBeforeFlip:
        "Reads {{to}} of {{table}} without falling back to {{from}}: until reads are flipped (the transition is not marked \"flipped\"), rows written by code that still writes only {{from}} read NULL here{{byName}}.",
      oldOnly:
        "Reads only {{from}} of {{table}}, which {{to}} is replacing: this code breaks when {{from}} is dropped, and misses values written only to {{to}}{{byName}}.",
      addFallback: "Read {{to}} and fall back to {{from}}.",
      preferNew: "Read {{to}} first and fall back to {{from}}.",
    },
    schema: [
      {
        type: "object",
        properties: {
          oldColumnReads: {
            type: "boolean",
            description: "Also report reads of only the old column once the new one exists (the half-migration reader).",
          },
        },
        additionalProperties: false,
      },
    ],
    defaultOptions: [{ oldColumnReads: true }],
  },
  create(context, [options]) {
    const reportOld = options.oldColumnReads !== false;
    return {
      "Program:exit"() {
        const analysis = analysisFor(context);
        for (const use of analysis.uses.columns) {
          if (use.access !== "read") continue;
          for (const { facts, byName } of analysis.resolve(use)) {
            const asNew = facts.asNew.find((t) => (t.phase === "expanded" || t.phase === "backfilled") && !analysis.groupMentions(use, t.table, t.from));
            if (asNew) {
              report(use, asNew, asNew.phase === "expanded" ? "newBeforeBackfill" : "newBeforeFlip", "addFallback", byName);
              break;
            }
            const asOld = reportOld ? facts.asOld.find((t) => t.phase !== "contracted" && !analysis.groupMentions(use, t.table, t.to)) : undefined;
            if (asOld) {
              report(use, asOld, "oldOnly", "preferNew", byName);
              break;
            }
          }
        }

        function report(use: ColumnUse, transition: Transition, messageId: MessageIds, suggestion: MessageIds, byName: boolean): void {
          const data = { ...names(transition.table, { from: transition.from, to: transition.to }), byName: byNameNote(byName) };
          const { catalog } = analysis;
          const written = messageId === "oldOnly" ? transition.from : transition.to;
          const spell = (column: string) => catalog.respell(transition.table, use.name, written, column);
          const fix = use.member ? fallbackText(use.member, (node) => context.sourceCode.getText(node), spell(transition.to), spell(transition.from)) : undefined;
          context.report({
            loc: { start: context.sourceCode.getLocFromIndex(use.range[0]), end: context.sourceCode.getLocFromIndex(use.range[1]) },
            messageId,
            data,
            ...(fix ? { suggest: [{ messageId: suggestion, data, fix: (fixer) => fixer.replaceTextRange(fix.range, fix.text) }] } : {}),
          });
        }
      },
    };
  },
});
