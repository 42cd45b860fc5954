/**
 * Column names as application code spells them: the database's snake_case (`display_name`) or the camelCase an ORM
 * maps it to (`displayName`). Names are compared exactly otherwise: PostgreSQL stores quoted names as written.
 */

export const camelCase = (name: string): string => name.replace(/_+([a-z0-9])/g, (_, c: string) => c.toUpperCase());

export const snakeCase = (name: string): string =>
  name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .toLowerCase();

/** Whether `name`, written in code, can stand for `column`: as is, or in the other case style. */
export function spellsColumn(name: string, column: string): boolean {
  return name === column || camelCase(column) === name || snakeCase(name) === column;
}

/** `target` spelt the way `written` spells `column` (`fullName` for full_name → `displayName`). */
export function respell(written: string, column: string, target: string): string {
  if (written === column) return target;
  if (written === camelCase(column)) return camelCase(target);
  return target;
}

/** Table names an ORM model or type name may stand for: `User` → user, users; `OrderItem` → order_item(s). */
export function tableNamesFor(name: string): string[] {
  const base = snakeCase(name);
  const names = new Set([name, base, `${base}s`, base.endsWith("y") ? `${base.slice(0, -1)}ies` : `${base}s`, name.toLowerCase()]);
  if (base.endsWith("s")) names.add(`${base}es`);
  return [...names];
}
