// The two parsers under comparison, each behind the same `parse(text)` shape; loaded lazily (libpg-query's WASM).

export const parsers = {
  /** PostgreSQL's own parser in WASM: what the plugin uses (through src/sql/pg-parser.ts). */
  "libpg-query": async () => {
    const { loadModule, parseSync } = await import("libpg-query");
    await loadModule();
    return (text) => parseSync(text);
  },
  /** The rejected pure-JS (nearley) parser, kept as a devDependency for this benchmark only. */
  "pgsql-ast-parser": async () => {
    const { parse } = await import("pgsql-ast-parser");
    return (text) => parse(text);
  },
};
