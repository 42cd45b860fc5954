/**
 * While a column is being replaced, every write must keep both columns aligned until the old one is dropped: old
 * code (mid-deploy, a rollback) still reads the old column, new code reads the new one.
 */
import type { QualifiedName } from "../../sql/names.js";
import { createRule } from "../create-rule.js";
import { analysisFor, byNameNote, names, type Resolved } from "../resolve.js";
import type { ColumnUse } from "../uses.js";

export type MessageIds = "writesOldOnly" | "writesNewOnly";

export default createRule<[], MessageIds>({
  name: "require-dual-write",
  meta: {
    type: "problem",
    docs: {
      description: "Require writes to set both the old and the new column of a column being replaced",
      recommended: true,
    },
    languages: ["js/js"],
    messages: {
      writesOldOnly:
        "Writes {{from}} of {{table}} but not {{to}}, which replaces it: rows written here keep {{to}} stale (NULL or an old value) for the code that already reads it{{byName}}.",
      writesNewOnly:
        "Writes {{to}} of {{table}} but not {{from}}, which it replaces: rows written here leave {{from}} stale for the code still running that reads it, and for a rollback{{byName}}.",
    },
    schema: [],
    defaultOptions: [],
  },
  create(context) {
    return {
      "Program:exit"() {
        const analysis = analysisFor(context);
        const rows = new Map<object, { use: ColumnUse; resolved: Resolved[] }[]>();
        for (const use of analysis.uses.columns) {
          if (use.access !== "write" || !use.row) continue;
          rows.set(use.row, [...(rows.get(use.row) ?? []), { use, resolved: analysis.resolve(use) }]);
        }
        const sameTable = (a: QualifiedName, b: QualifiedName) => a.name === b.name;
        for (const written of rows.values()) {
          const sets = (table: QualifiedName, column: string) => written.some(({ resolved }) => resolved.some((r) => r.facts.column === column && sameTable(r.facts.table, table)));
          const reported = new Set<ColumnUse>();
          for (const { use, resolved } of written) {
            for (const { facts, byName } of resolved) {
              if (reported.has(use)) break;
              const old = facts.asOld.find((t) => t.phase !== "contracted" && !sets(t.table, t.to));
              const fresh = facts.asNew.find((t) => t.phase !== "contracted" && !sets(t.table, t.from));
              const transition = old ?? fresh;
              if (!transition) continue;
              reported.add(use);
              context.report({
                loc: { start: context.sourceCode.getLocFromIndex(use.range[0]), end: context.sourceCode.getLocFromIndex(use.range[1]) },
                messageId: old ? "writesOldOnly" : "writesNewOnly",
                data: { ...names(transition.table, { from: transition.from, to: transition.to }), byName: byNameNote(byName) },
              });
            }
          }
        }
      },
    };
  },
});
