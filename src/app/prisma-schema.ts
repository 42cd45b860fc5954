/**
 * Just enough of a Prisma schema to know which table and columns `db.user.update(…)` touches: each model's table
 * (`@@map("users")`, `@@schema("app")`, else the model name) and each scalar field's column (`@map("full_name")`,
 * else the field name). Relation fields (whose type is another model) are not columns.
 */

export interface PrismaField {
  /** The name the client uses (`displayName`). */
  readonly name: string;
  /** The column it maps to (`display_name`). */
  readonly column: string;
}

export interface PrismaModel {
  readonly name: string;
  /** The property of the client: the model name with a lower-case first letter (`UserProfile` → `userProfile`). */
  readonly clientProperty: string;
  readonly table: string;
  readonly schema?: string;
  readonly fields: readonly PrismaField[];
}

/** Models of one or more schema files (Prisma's multi-file schemas are concatenated). */
export function parsePrismaSchema(text: string): PrismaModel[] {
  const source = stripComments(text);
  const blocks: { name: string; body: string }[] = [];
  const opener = /\bmodel\s+([A-Za-z_][A-Za-z0-9_]*)\s*\{/g;
  for (let match = opener.exec(source); match; match = opener.exec(source)) {
    const end = closingBrace(source, opener.lastIndex);
    blocks.push({ name: match[1]!, body: source.slice(opener.lastIndex, end) });
    opener.lastIndex = end;
  }
  const modelNames = new Set(blocks.map((b) => b.name));
  return blocks.map(({ name, body }) => {
    let table = name;
    let schema: string | undefined;
    const fields: PrismaField[] = [];
    for (const raw of body.split(/\r?\n/)) {
      const line = raw.trim();
      if (line === "") continue;
      if (line.startsWith("@@")) {
        const map = /^@@map\(\s*(?:name\s*:\s*)?"((?:[^"\\]|\\.)*)"/.exec(line);
        if (map) table = unescape(map[1]!);
        const inSchema = /^@@schema\(\s*"((?:[^"\\]|\\.)*)"/.exec(line);
        if (inSchema) schema = unescape(inSchema[1]!);
        continue;
      }
      const field = /^([A-Za-z_][A-Za-z0-9_]*)\s+([A-Za-z_][A-Za-z0-9_.]*)(\[\])?\??/.exec(line);
      if (!field) continue;
      const type = field[2]!;
      if (modelNames.has(type) || /@relation\b/.test(line) || /@ignore\b/.test(line)) continue;
      const map = /@map\(\s*(?:name\s*:\s*)?"((?:[^"\\]|\\.)*)"/.exec(line);
      fields.push({ name: field[1]!, column: map ? unescape(map[1]!) : field[1]! });
    }
    return { name, clientProperty: name.charAt(0).toLowerCase() + name.slice(1), table, ...(schema ? { schema } : {}), fields };
  });
}

/** Removes `//` comments, leaving string literals (which may contain `//`) alone. */
function stripComments(text: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === "\\") out += text[++i] ?? "";
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      out += "\n";
    } else out += c;
  }
  return out;
}

/** Index of the `}` closing a block whose body starts at `from` (braces inside strings do not count). */
function closingBrace(text: string, from: number): number {
  let depth = 1;
  let inString = false;
  for (let i = from; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return i;
  }
  return text.length;
}

const unescape = (value: string): string => value.replace(/\\(.)/g, "$1");
