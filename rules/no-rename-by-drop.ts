/**
 * `DROP COLUMN old` plus `ADD COLUMN new` on the same table in one migration is how schema diffing tools (ORMs,
 * generators, AI assistants) often write a rename: the values of the old column are thrown away and the new one
 * starts empty. Dropping and re-adding a column of the same name (a type change) loses the data just the same.
 */
import { defineRule } from "../src/rule.js";
import type { SchemaEffect } from "../src/context/effects.js";
import { alterTableActionRanges } from "../src/sql/locate.js";
import { formatName, quoteIdent, sameRelation } from "../src/sql/names.js";

type MessageId = "renameByDrop" | "recreateColumn";

type ColumnEffect = Extract<SchemaEffect, { kind: "add-column" | "drop-column" }>;

export default defineRule<MessageId>({
  name: "no-rename-by-drop",
  meta: {
    type: "problem",
    description: "Disallow dropping a column and adding another to the same table in one migration",
    recommended: true,
    statementKinds: ["AlterTableStmt"],
    appliesToRollbacks: false,
    messages: {
      renameByDrop:
        "Dropping {{table}}.{{column}} while this migration adds {{added}} to {{table}} looks like a rename written as drop + add: every value of {{column}} is deleted and {{added}} starts empty, and the drop takes an ACCESS EXCLUSIVE lock that blocks all reads and writes of {{table}} while it waits. Add {{added}} now, backfill it from {{column}}, switch reads, and drop {{column}} in a later release.",
      recreateColumn:
        "Dropping and re-adding {{table}}.{{column}} in one migration deletes every value of {{column}} (a type change written as drop + add), and running code sees the column vanish or come back empty; the drop takes an ACCESS EXCLUSIVE lock that blocks all reads and writes of {{table}} while it waits. Add a new column of the new type, backfill it, switch reads, and drop {{column}} in a later release.",
    },
  },

  *check(statement, context) {
    const { migration } = context;
    const drops = migration.effectsOf(statement).filter((e): e is ColumnEffect & { kind: "drop-column" } => e.kind === "drop-column");
    if (drops.length === 0) return;
    const table = drops[0]!.table; // one ALTER TABLE: every action is on the same table
    if (context.isNewTable(table)) return;
    const onTable = migration.statementsOnTable(table);

    // Columns added to and dropped from the same table anywhere in the migration, before or after this drop.
    const added: string[] = [];
    const dropped = new Set<string>();
    for (const other of onTable) {
      for (const effect of migration.effectsOf(other)) {
        if (effect.kind !== "add-column" && effect.kind !== "drop-column") continue;
        if (!sameRelation(effect.table, table)) continue;
        if (effect.kind === "drop-column") dropped.add(effect.column);
        else if (!added.includes(effect.column)) added.push(effect.column);
      }
    }
    if (added.length === 0) return;
    // A re-added column is reported as recreated, not as the target of another column's rename.
    const newColumns = added.filter((column) => !dropped.has(column));

    // New columns this migration filled from a dropped column before dropping it: the data was copied, not lost
    // (no-drop-column still reports the drop itself).
    const copiedFrom = new Set<string>();
    for (const earlier of onTable) {
      if (earlier.index >= statement.index) break;
      for (const effect of migration.effectsOf(earlier)) {
        if (effect.kind === "backfill" && sameRelation(effect.table, table) && newColumns.includes(effect.column)) {
          for (const source of effect.sources) copiedFrom.add(source);
        }
      }
    }

    const ranges = alterTableActionRanges(statement, context.document.source);
    for (const drop of drops) {
      const data = { table: formatName(table), column: quoteIdent(drop.column) };
      if (added.includes(drop.column)) {
        yield { messageId: "recreateColumn", data, range: ranges[drop.action] };
        continue;
      }
      if (newColumns.length === 0 || copiedFrom.has(drop.column)) continue;
      yield { messageId: "renameByDrop", data: { ...data, added: newColumns.map(quoteIdent).join(", ") }, range: ranges[drop.action] };
    }
  },
});
