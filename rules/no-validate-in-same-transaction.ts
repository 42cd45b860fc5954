/**
 * NOT VALID exists to split adding a constraint (a brief lock) from checking the existing rows (a scan under a weak
 * lock). VALIDATE CONSTRAINT in the same transaction as the ADD undoes the split: the ADD's lock is still held while
 * the validation scans, exactly as if NOT VALID had not been written.
 */
import type { Constraint } from "@pgsql/types";
import type { StatementContext } from "../src/context/migration-context.js";
import { transactionStart } from "../src/context/transaction-scope.js";
import { defineRule } from "../src/rule.js";
import type { SqlDocument } from "../src/sql/document.js";
import { existingTableActions } from "../src/sql/alter-table.js";
import { formatName, nameFromList, quoteIdent, relationName, sameRelation, type QualifiedName } from "../src/sql/names.js";
import { nodeOf, unwrap, type ParsedStatement } from "../src/sql/statement.js";

type MessageId = "table" | "domain";

/** PostgreSQL 19 lowered ALTER DOMAIN … VALIDATE CONSTRAINT from SHARE to SHARE UPDATE EXCLUSIVE. */
const DOMAIN_VALIDATE_LOWERED = 19;

export default defineRule<MessageId>({
  name: "no-validate-in-same-transaction",
  meta: {
    type: "problem",
    description: "Disallow VALIDATE CONSTRAINT in the same transaction as the ADD CONSTRAINT … NOT VALID it validates",
    recommended: true,
    appliesToRollbacks: true,
    messages: {
      table:
        "VALIDATE CONSTRAINT {{constraint}} runs in the same transaction as the ADD … NOT VALID on line {{line}}, whose {{lock}} lock on {{table}} is still held, so the validation scan {{blocks}} just as if NOT VALID had not been used. Validate in a later migration, or after a COMMIT.",
      domain:
        "VALIDATE CONSTRAINT {{constraint}} of domain {{domain}} runs in the same transaction as the ADD … NOT VALID on line {{line}}, so every column of the domain is scanned during the deploy under SHARE locks that block writes to those tables, just as if NOT VALID had not been used. Validate in a later migration, at a quiet time.",
    },
  },

  *check(statement, context) {
    if (nodeOf(statement, "AlterTableStmt")) {
      for (const { table, cmd, range } of existingTableActions(statement, context)) {
        if (cmd.subtype !== "AT_ValidateConstraint" || !cmd.name) continue;
        const added = addedNotValidEarlier(statement, context, cmd.name, (s) => tableConstraint(s, table, cmd.name!));
        if (!added) continue;
        const foreign = added.constraint.contype === "CONSTR_FOREIGN";
        const referenced = relationName(added.constraint.pktable);
        yield {
          messageId: "table",
          data: {
            constraint: quoteIdent(cmd.name),
            line: added.statement.loc.start.line,
            lock: foreign ? "SHARE ROW EXCLUSIVE" : "ACCESS EXCLUSIVE",
            table: foreign ? `${formatName(table)} and ${referenced ? formatName(referenced) : "the referenced table"}` : formatName(table),
            blocks: foreign ? "blocks all writes to both tables" : "blocks all reads and writes",
          },
          range: range(),
        };
      }
      return;
    }

    const domainStmt = nodeOf(statement, "AlterDomainStmt");
    if (domainStmt?.subtype === "V" && domainStmt.name) {
      // From PostgreSQL 19 the validation takes SHARE UPDATE EXCLUSIVE: doing it in the same transaction blocks nothing more.
      if (context.settings.postgresVersion >= DOMAIN_VALIDATE_LOWERED) return;
      const domain = nameFromList(domainStmt.typeName);
      if (!domain) return;
      const added = addedNotValidEarlier(statement, context, domainStmt.name, (s) => domainConstraint(s, domain, domainStmt.name!));
      if (!added) return;
      yield { messageId: "domain", data: { constraint: quoteIdent(domainStmt.name), domain: formatName(domain), line: added.statement.loc.start.line } };
    }
  },
});

/**
 * The nearest earlier statement of the same transaction that adds constraint `name` NOT VALID and for which `find`
 * returns it.
 */
function addedNotValidEarlier(
  statement: ParsedStatement,
  context: StatementContext,
  name: string,
  find: (candidate: ParsedStatement) => Constraint | undefined,
): { statement: ParsedStatement; constraint: Constraint } | undefined {
  const start = transactionStart(statement, context);
  if (start === undefined) return undefined;
  const candidates = notValidAdds(context.document).get(name) ?? [];
  for (let k = candidates.length - 1; k >= 0; k--) {
    const candidate = candidates[k]!;
    if (candidate.index >= statement.index) continue;
    if (candidate.index < start) break;
    const constraint = find(candidate);
    if (constraint) return { statement: candidate, constraint };
  }
  return undefined;
}

const addsCache = new WeakMap<SqlDocument, Map<string, ParsedStatement[]>>();

/** The statements that add a constraint NOT VALID, by constraint name, in execution order. */
function notValidAdds(document: SqlDocument): Map<string, ParsedStatement[]> {
  let byName = addsCache.get(document);
  if (byName) return byName;
  byName = new Map();
  for (const statement of document.statements) {
    if (!statement.checked) continue;
    const names = new Set<string>();
    for (const wrapped of nodeOf(statement, "AlterTableStmt")?.cmds ?? []) {
      const cmd = unwrap(wrapped, "AlterTableCmd");
      const constraint = unwrap(cmd?.def, "Constraint");
      if (cmd?.subtype === "AT_AddConstraint" && constraint?.skip_validation && constraint.conname) names.add(constraint.conname);
    }
    const domain = nodeOf(statement, "AlterDomainStmt");
    const domainConstraint = unwrap(domain?.def, "Constraint");
    if (domain?.subtype === "C" && domainConstraint?.skip_validation && domainConstraint.conname) names.add(domainConstraint.conname);
    for (const name of names) {
      const list = byName.get(name);
      if (list) list.push(statement);
      else byName.set(name, [statement]);
    }
  }
  addsCache.set(document, byName);
  return byName;
}

/** `ALTER TABLE table ADD CONSTRAINT name … NOT VALID` (an enforced constraint) in `candidate`. */
function tableConstraint(candidate: ParsedStatement, table: QualifiedName, name: string): Constraint | undefined {
  const alter = nodeOf(candidate, "AlterTableStmt");
  const other = relationName(alter?.relation);
  if (!alter || !other || !sameRelation(other, table)) return undefined;
  for (const wrapped of alter.cmds ?? []) {
    const cmd = unwrap(wrapped, "AlterTableCmd");
    const constraint = unwrap(cmd?.def, "Constraint");
    // NOT ENFORCED (CHECK and foreign keys, PostgreSQL 18) takes no scan to validate; NOT NULL has no such form.
    const enforced = constraint?.is_enforced === true || constraint?.contype === "CONSTR_NOTNULL";
    if (cmd?.subtype === "AT_AddConstraint" && constraint?.conname === name && constraint.skip_validation && enforced) return constraint;
  }
  return undefined;
}

/** `ALTER DOMAIN domain ADD CONSTRAINT name CHECK (…) NOT VALID` in `candidate`. */
function domainConstraint(candidate: ParsedStatement, domain: QualifiedName, name: string): Constraint | undefined {
  const alter = nodeOf(candidate, "AlterDomainStmt");
  if (alter?.subtype !== "C") return undefined;
  const other = nameFromList(alter.typeName);
  const constraint = unwrap(alter.def, "Constraint");
  if (!other || !sameRelation(other, domain) || constraint?.conname !== name || !constraint.skip_validation) return undefined;
  return constraint;
}
