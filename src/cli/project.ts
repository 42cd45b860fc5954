/**
 * What `migration-safety init` needs to know about a project: which migration framework it uses (from package.json
 * dependencies and files that only that framework has) and where its migrations are. The detection is a pure
 * function of a snapshot of the project (package.json and the paths near the top), so tests can feed it any layout.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, relative, sep } from "node:path";

export type FrameworkId = "prisma" | "drizzle" | "knex" | "kysely" | "typeorm" | "node-pg-migrate" | "sequelize" | "sql";

export interface Framework {
  readonly id: FrameworkId;
  readonly name: string;
  /** Why we think so, for the user: `dependency "knex"`, `file knexfile.ts`. */
  readonly evidence: string;
}

export interface ProjectSnapshot {
  /** Names of dependencies, devDependencies and peerDependencies. */
  readonly dependencies: ReadonlySet<string>;
  /** package.json "type" (ESM decides eslint.config.js vs .mjs). */
  readonly packageType: string | undefined;
  /** Project-relative file paths with forward slashes, shallow (see `snapshotProject`). */
  readonly files: readonly string[];
}

export interface Detection {
  readonly frameworks: readonly Framework[];
  /** Project-relative folders holding migrations, each with the extensions of the files in it. */
  readonly migrationFolders: readonly { readonly path: string; readonly extensions: readonly string[] }[];
}

interface Signature {
  readonly id: FrameworkId;
  readonly name: string;
  readonly packages: readonly string[];
  /** A file only this framework has (regular expression on the project-relative path). */
  readonly marker?: RegExp;
}

const SIGNATURES: readonly Signature[] = [
  { id: "prisma", name: "Prisma", packages: ["prisma", "@prisma/client"], marker: /^(?:prisma\/)?schema\.prisma$/ },
  { id: "drizzle", name: "Drizzle", packages: ["drizzle-kit", "drizzle-orm"], marker: /^drizzle\.config\.(?:[cm]?[jt]s|json)$/ },
  { id: "knex", name: "knex", packages: ["knex"], marker: /^knexfile\.[cm]?[jt]s$/ },
  { id: "kysely", name: "Kysely", packages: ["kysely", "kysely-ctl"], marker: /^kysely\.config\.[cm]?[jt]s$/ },
  { id: "typeorm", name: "TypeORM", packages: ["typeorm"], marker: /^ormconfig\.(?:[cm]?[jt]s|json|ya?ml)$/ },
  { id: "node-pg-migrate", name: "node-pg-migrate", packages: ["node-pg-migrate"] },
  { id: "sequelize", name: "Sequelize", packages: ["sequelize", "sequelize-cli"], marker: /^\.sequelizerc$/ },
];

/** Folder names that hold migrations in the frameworks above and in plain SQL set-ups. */
const MIGRATION_FOLDER = /(?:^|\/)(?:migrations?|migrate)$/;
const MIGRATION_FILE = /\.(?:sql|[cm]?[jt]s)$/;
/** SQL files named the way migration tools name them: Flyway `V3__x.sql`, numbered or timestamped `0003_x.sql`. */
const NUMBERED_SQL = /(?:^|\/)(?:[VU]\d+(?:[._]\d+)*__[^/]+|\d{3,}[^/]*)\.sql$/;

export function detectProject(snapshot: ProjectSnapshot): Detection {
  const frameworks: Framework[] = [];
  for (const signature of SIGNATURES) {
    const dependency = signature.packages.find((name) => snapshot.dependencies.has(name));
    const marker = signature.marker && snapshot.files.find((file) => signature.marker!.test(file));
    if (dependency || marker) {
      frameworks.push({ id: signature.id, name: signature.name, evidence: dependency ? `dependency "${dependency}"` : `file ${marker}` });
    }
  }

  // A migrations folder is the nearest folder named like one above each migration-looking file; Prisma nests one
  // folder per migration (prisma/migrations/<name>/migration.sql), which this also finds.
  const folders = new Map<string, Set<string>>();
  for (const file of snapshot.files) {
    if (!MIGRATION_FILE.test(file)) continue;
    const parts = file.split("/");
    for (let depth = parts.length - 1; depth > 0; depth--) {
      const folder = parts.slice(0, depth).join("/");
      if (MIGRATION_FOLDER.test(folder)) {
        const extensions = folders.get(folder) ?? new Set<string>();
        extensions.add(file.slice(file.lastIndexOf(".")));
        folders.set(folder, extensions);
        break;
      }
    }
  }
  for (const file of snapshot.files) {
    // Drizzle writes its SQL to drizzle/ by default, a folder name no other tool uses for migrations.
    if (/^drizzle\/.*\.sql$/.test(file)) folders.set("drizzle", (folders.get("drizzle") ?? new Set()).add(".sql"));
    // Numbered SQL files elsewhere (database/changes/V1__init.sql): their folder holds migrations, unless a folder
    // named like one above it was found already.
    else if (NUMBERED_SQL.test(file) && file.includes("/")) {
      const folder = file.slice(0, file.lastIndexOf("/"));
      if (![...folders.keys()].some((known) => folder === known || folder.startsWith(`${known}/`))) {
        folders.set(folder, (folders.get(folder) ?? new Set()).add(".sql"));
      }
    }
  }
  const migrationFolders = [...folders]
    .map(([path, extensions]) => ({ path, extensions: [...extensions].sort() }))
    .sort((a, b) => a.path.localeCompare(b.path));
  if (frameworks.length === 0 && migrationFolders.some((folder) => folder.extensions.includes(".sql"))) {
    frameworks.push({ id: "sql", name: "plain SQL migrations", evidence: `folder ${migrationFolders.find((f) => f.extensions.includes(".sql"))!.path}` });
  }
  return { frameworks, migrationFolders };
}

// Folders that never hold a project's own migrations, and are often huge.
const SKIPPED = new Set(["node_modules", ".git", "dist", "build", "coverage", ".next", ".turbo", ".cache"]);

/** Read what detection needs: package.json, and file paths up to `maxDepth` folders deep. */
export function snapshotProject(root: string, maxDepth = 6): ProjectSnapshot {
  let manifest: { type?: string; dependencies?: object; devDependencies?: object; peerDependencies?: object } = {};
  const manifestPath = join(root, "package.json");
  if (existsSync(manifestPath)) {
    try {
      manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as typeof manifest;
    } catch (error) {
      throw new Error(`package.json is not valid JSON: ${(error as Error).message}`);
    }
  }
  const dependencies = new Set([manifest.dependencies, manifest.devDependencies, manifest.peerDependencies].flatMap((deps) => Object.keys(deps ?? {})));
  const files: string[] = [];
  const walk = (dir: string, depth: number): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED.has(entry.name) && depth < maxDepth) walk(path, depth + 1);
      } else if (entry.isFile()) {
        files.push(relative(root, path).split(sep).join("/"));
      }
    }
  };
  walk(root, 0);
  return { dependencies, packageType: manifest.type, files: files.sort() };
}
