/**
 * What a rule is here: data (meta, messages) plus pure functions from a statement and its migration context to
 * findings. Rules never touch ESLint, files or the database; src/eslint/ turns them into ESLint rules.
 */
import type { StatementContext } from "./context/migration-context.js";
import type { Range } from "./sql/source-text.js";
import type { NodeKind, ParsedStatement, UncheckedStatement } from "./sql/statement.js";

export interface RuleMeta<MessageId extends string> {
  /** problem: the migration can break production; suggestion: a safer way exists. */
  readonly type: "problem" | "suggestion";
  /** Starts with Disallow / Require / Enforce, no final period. */
  readonly description: string;
  /** In `configs.recommended`. */
  readonly recommended: boolean;
  /** Message templates: sentences ending in ".", with {{placeholders}} filled from a finding's data. */
  readonly messages: Record<MessageId, string>;
  /** Contract rules (drops, renames) do not apply to rollback (down) migrations; locking rules always do. */
  readonly appliesToRollbacks: boolean;
  /** Findings may carry suggestions (ESLint requires rules to declare it). */
  readonly hasSuggestions?: boolean;
  /**
   * The statement kinds `check` can report on; other statements are not shown to it. A speed-up for large files
   * (31 rules × 20,000 statements), checked by each rule's own tests. Omitted: every statement.
   */
  readonly statementKinds?: readonly NodeKind[];
}

export type FindingData = Readonly<Record<string, string | number | undefined>>;

/** A safer rewrite offered in the editor: replace `range` of the file with `text` (which must parse). */
export interface Suggestion<MessageId extends string> {
  readonly messageId: MessageId;
  readonly data?: FindingData;
  readonly range: Range;
  readonly text: string;
}

export interface Finding<MessageId extends string> {
  readonly messageId: MessageId;
  readonly data?: FindingData;
  /** Where to report, in file UTF-16 indices; defaults to the whole statement. */
  readonly range?: Range;
  readonly suggestions?: readonly Suggestion<MessageId>[];
}

export interface MigrationRule<MessageId extends string = string> {
  /** The rule id without the plugin prefix; equals the file name in rules/ and docs/rules/. */
  readonly name: string;
  readonly meta: RuleMeta<MessageId>;
  /** Findings for one parsed statement. */
  check?(statement: ParsedStatement, context: StatementContext): Iterable<Finding<MessageId>>;
  /** Findings for a piece of the migration that could not be parsed or analysed. */
  checkUnchecked?(statement: UncheckedStatement, context: StatementContext): Iterable<Finding<MessageId>>;
}

/** Identity function that infers the message ids of a rule from its meta. */
export function defineRule<MessageId extends string>(rule: MigrationRule<MessageId>): MigrationRule<MessageId> {
  return rule;
}
