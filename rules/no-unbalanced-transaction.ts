/**
 * Transaction control that does not pair up: a BEGIN nothing ends, a BEGIN inside a transaction that is already
 * open (the runner's, or an earlier BEGIN), a COMMIT or ROLLBACK with nothing to end. PostgreSQL answers most of
 * these with a warning and carries on, so the migration "works" while its statements are not grouped the way the
 * file reads — until a failure leaves it half applied.
 */
import type { TransactionStmt } from "@pgsql/types";
import { toolName } from "../src/context/conventions.js";
import type { StatementContext } from "../src/context/migration-context.js";
import { defineRule, type Suggestion } from "../src/rule.js";
import type { SqlDocument } from "../src/sql/document.js";
import { nodeOf, type ParsedStatement } from "../src/sql/statement.js";

type MessageId = "unclosed" | "nestedBegin" | "beginInRunner" | "withoutBegin" | "endsRunnerTransaction" | "addCommit";

/** What a file-level transaction statement does, read in order within its section. */
type Role =
  | { readonly kind: "opener"; readonly closed: boolean }
  | { readonly kind: "nested"; readonly openedAt: ParsedStatement }
  | { readonly kind: "withoutBegin" }
  | { readonly kind: "closer" };

export default defineRule<MessageId>({
  name: "no-unbalanced-transaction",
  meta: {
    type: "problem",
    description: "Disallow BEGIN without a matching COMMIT or ROLLBACK, nested BEGIN, and COMMIT or ROLLBACK without BEGIN",
    recommended: true,
    statementKinds: ["TransactionStmt"],
    appliesToRollbacks: true,
    hasSuggestions: true,
    messages: {
      unclosed:
        "{{command}} opens a transaction that nothing later in this {{scope}} commits or rolls back, so whatever runs the file decides its fate: psql exits and PostgreSQL rolls every change back (with exit status 0), other runners commit it with their own bookkeeping or leave the session idle in transaction, holding every lock it took. End it with COMMIT.",
      nestedBegin:
        "{{command}} runs while the transaction opened on line {{line}} is still open: PostgreSQL only warns \"there is already a transaction in progress\" and ignores it, so the first COMMIT after it also ends the outer transaction, earlier than the file reads. Remove this BEGIN, or end the first transaction before it.",
      beginInRunner:
        "This {{command}} runs inside the transaction that {{runner}} wraps this {{scope}} in, so it only draws the warning \"there is already a transaction in progress\", and the COMMIT meant for it ends the runner's transaction early: what follows it, and the runner's own bookkeeping, no longer runs atomically with the migration. Remove the BEGIN and its COMMIT, or turn the runner's transaction off for this file.",
      withoutBegin:
        "{{command}} has no BEGIN before it in this {{scope}}: PostgreSQL warns \"there is no transaction in progress\" and does nothing, because every statement before it has already committed on its own — they never formed one transaction. Add BEGIN where the transaction should start, or remove this {{command}}.",
      endsRunnerTransaction:
        "This {{command}} ends the transaction that {{runner}} runs this {{scope}} in, early: it {{effect}} everything before it, and the statements after it run outside that transaction, so a failure after this point leaves the migration half applied. Remove it, or split the file into two migrations.",
      addCommit: "Add COMMIT at the end of the {{scope}}.",
    },
  },

  *check(statement, context) {
    const tx = nodeOf(statement, "TransactionStmt");
    if (!tx || statement.origin.kind !== "file") return;
    const role = rolesOf(context.document).get(statement.index);
    if (!role || role.kind === "closer") return;
    const scope = context.document.sections[statement.section]?.marker ? "section" : "file";
    const command = commandOf(tx);
    const runner = toolName(context.tool);
    const wrapped = context.transaction.inside && (context.transaction.why === "runner" || context.transaction.why === "script");

    switch (role.kind) {
      case "opener":
        // In a runner's transaction the BEGIN is itself the problem, closed or not; in a script PostgreSQL turns
        // the implicit transaction into this explicit one, which is fine when something ends it.
        const begins = tx.kind === "TRANS_STMT_BEGIN" || tx.kind === "TRANS_STMT_START";
        if (begins && context.transaction.inside && context.transaction.why === "runner") {
          yield { messageId: "beginInRunner", data: { runner, scope, command } };
        } else if (!role.closed && !context.runnerCommits) {
          // (A BEGIN after the runner's transaction was ended by a COMMIT is committed by the runner at the end.)
          const suggestion = addCommit(statement, context, scope);
          yield { messageId: "unclosed", data: { command, scope }, suggestions: suggestion ? [suggestion] : [] };
        }
        return;
      case "nested":
        yield { messageId: "nestedBegin", data: { command, line: role.openedAt.loc.start.line } };
        return;
      case "withoutBegin":
        if (wrapped) {
          const effect = tx.kind === "TRANS_STMT_ROLLBACK" ? "rolls back" : tx.kind === "TRANS_STMT_PREPARE" ? "prepares for two-phase commit" : "commits";
          yield { messageId: "endsRunnerTransaction", data: { runner, scope, command, effect } };
        } else {
          yield { messageId: "withoutBegin", data: { command, scope } };
        }
        return;
    }
  },
});

function commandOf(tx: TransactionStmt): string {
  switch (tx.kind) {
    case "TRANS_STMT_START":
      return "START TRANSACTION";
    case "TRANS_STMT_COMMIT":
      return tx.chain ? "COMMIT AND CHAIN" : "COMMIT";
    case "TRANS_STMT_ROLLBACK":
      return tx.chain ? "ROLLBACK AND CHAIN" : "ROLLBACK";
    case "TRANS_STMT_PREPARE":
      return "PREPARE TRANSACTION";
    default:
      return "BEGIN";
  }
}

const cache = new WeakMap<SqlDocument, Map<number, Role>>();

/**
 * The role of every file-level BEGIN / START TRANSACTION / COMMIT / ROLLBACK / PREPARE TRANSACTION, section by
 * section (goose and dbmate run their Up and Down parts separately). SAVEPOINT, RELEASE, ROLLBACK TO and the
 * two-phase COMMIT / ROLLBACK PREPARED neither open nor end a transaction block.
 */
function rolesOf(document: SqlDocument): Map<number, Role> {
  const hit = cache.get(document);
  if (hit) return hit;
  const roles = new Map<number, Role>();
  let section = -1;
  let open: ParsedStatement | undefined;
  const finish = (): void => {
    if (open && roles.get(open.index)?.kind === "opener") roles.set(open.index, { kind: "opener", closed: false });
    open = undefined;
  };
  for (const statement of document.statements) {
    if (!statement.checked || statement.origin.kind !== "file") continue;
    if (statement.section !== section) {
      finish();
      section = statement.section;
    }
    const tx = nodeOf(statement, "TransactionStmt");
    switch (tx?.kind) {
      case "TRANS_STMT_BEGIN":
      case "TRANS_STMT_START":
        if (open) roles.set(statement.index, { kind: "nested", openedAt: open });
        else {
          roles.set(statement.index, { kind: "opener", closed: true });
          open = statement;
        }
        break;
      case "TRANS_STMT_COMMIT":
      case "TRANS_STMT_ROLLBACK":
      case "TRANS_STMT_PREPARE":
        if (!open) {
          roles.set(statement.index, { kind: "withoutBegin" });
        } else if (tx.chain) {
          // AND CHAIN ends the transaction and starts the next one at once: that one is what must be ended now.
          roles.set(statement.index, { kind: "opener", closed: true });
          open = statement;
        } else {
          roles.set(statement.index, { kind: "closer" });
          open = undefined;
        }
        break;
      default:
        break;
    }
  }
  finish();
  cache.set(document, roles);
  return roles;
}

/** Insert `COMMIT` after the last statement of the BEGIN's section (before its `;`, which then ends the COMMIT). */
function addCommit(statement: ParsedStatement, context: StatementContext, scope: string): Suggestion<MessageId> | undefined {
  const last = context.document.body.filter((s) => s.section === statement.section).at(-1);
  if (!last) return undefined;
  return { messageId: "addCommit", data: { scope }, range: [last.range[1], last.range[1]], text: ";\nCOMMIT" };
}
