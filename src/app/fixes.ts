/**
 * Suggestions of the app rules, as source text: read the new column and fall back to the old one
 * (`user.display_name ?? user.full_name`), or name the column that replaced a dropped or renamed one.
 */
import type { TSESTree } from "@typescript-eslint/utils";

type Node = TSESTree.Node;

/** Objects whose text may be repeated in a fallback without running anything twice. */
function isPlain(node: Node): boolean {
  if (node.type === "Identifier" || node.type === "ThisExpression") return true;
  if (node.type === "MemberExpression") return isPlain(node.object) && (!node.computed || node.property.type === "Literal");
  if (node.type === "TSNonNullExpression") return isPlain(node.expression);
  return false;
}

/** Parents under which `a ?? b` can stand without parentheses. */
const NO_PARENS = new Set([
  "VariableDeclarator", "AssignmentExpression", "Property", "ReturnStatement", "ArrowFunctionExpression", "CallExpression", "NewExpression",
  "ArrayExpression", "JSXExpressionContainer", "TemplateLiteral", "ExpressionStatement", "ConditionalExpression", "SequenceExpression",
  "SpreadElement", "PropertyDefinition", "AssignmentPattern",
]);

/**
 * `first ?? second` replacing a property read, both read from the same object the same way (`?.`, `["…"]`).
 * Undefined when the object is not plain (a call would run twice) or the read is a call's callee.
 */
export function fallbackText(member: TSESTree.MemberExpression, text: (node: Node) => string, first: string, second: string): { range: [number, number]; text: string } | undefined {
  if (!isPlain(member.object)) return undefined;
  const outer: Node = member.parent?.type === "ChainExpression" ? member.parent : member;
  const parent = outer.parent;
  if (parent?.type === "CallExpression" && parent.callee === outer) return undefined;
  const object = text(member.object);
  const access = (name: string): string =>
    member.computed ? `${object}${member.optional ? "?." : ""}[${JSON.stringify(name)}]` : `${object}${member.optional ? "?." : "."}${name}`;
  const expression = `${access(first)} ?? ${access(second)}`;
  const bare = parent !== undefined && (NO_PARENS.has(parent.type) || (parent.type === "LogicalExpression" && parent.operator === "??"));
  // In a call, only as an argument (not the callee, handled above); in a conditional, any part is fine.
  return { range: outer.range, text: bare ? expression : `(${expression})` };
}
