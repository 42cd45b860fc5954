// Generates synthetic but realistic PostgreSQL migrations of a given statement count, for size-scaling benchmarks.

/**
 * A migration of exactly `statements` top-level statements. The mix follows what real migration folders hold
 * (mostly ADD COLUMN / CREATE INDEX / batched UPDATE, some renames, comments and a few DO blocks), and every
 * statement is accepted by both libpg-query and pgsql-ast-parser, so the parser comparison is like for like.
 * Deterministic (fixed-seed PRNG) so runs and machines compare.
 */
export function generateMigration(statements, seed = 42) {
  let state = seed >>> 0;
  // mulberry32: tiny, fast, and good enough to shuffle a statement mix
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const types = ["text", "integer", "bigint", "boolean", "timestamptz", "jsonb", "numeric(12, 2)", "varchar(255)"];
  const lines = [];
  for (let i = 0; i < statements; i++) {
    const table = `app_table_${i % 97}`;
    const column = `col_${i}`;
    const previous = `col_${Math.max(i - 1, 0)}`;
    const roll = random();
    if (random() < 0.15) lines.push(`-- step ${i}: ${roll < 0.5 ? "expand" : "backfill"} ${table}`);
    if (roll < 0.3) {
      const type = types[Math.floor(random() * types.length)];
      lines.push(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}${random() < 0.3 ? " DEFAULT NULL" : ""};`);
    } else if (roll < 0.5) {
      const concurrently = random() < 0.5 ? "CONCURRENTLY " : "";
      lines.push(`CREATE INDEX ${concurrently}${table}_${column}_idx ON ${table} (${previous}, created_at);`);
    } else if (roll < 0.72) {
      const from = Math.floor(random() * 1e6);
      lines.push(`UPDATE ${table} SET ${previous} = 'backfilled' WHERE id BETWEEN ${from} AND ${from + 9999};`);
    } else if (roll < 0.82) {
      lines.push(`ALTER TABLE ${table} RENAME COLUMN old_${column} TO ${column};`);
    } else if (roll < 0.85) {
      lines.push(
        `DO $$\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM pg_class WHERE relname = '${table}_${column}_idx') THEN\n` +
          `    UPDATE ${table} SET flag = true WHERE id < 1000;\n  END IF;\nEND\n$$;`,
      );
    } else if (roll < 0.93) {
      lines.push(`ALTER TABLE ${table} ALTER COLUMN ${column} SET DEFAULT 0;`);
    } else if (roll < 0.97) {
      lines.push(`CREATE TABLE IF NOT EXISTS ${table}_${i} (id bigserial PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());`);
    } else {
      lines.push(`SET lock_timeout = '2s';`);
    }
  }
  return lines.join("\n") + "\n";
}
