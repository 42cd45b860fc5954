/**
 * How `migration-safety lint` runs ESLint, and on which files. With an eslint.config.* of the user's (found the way
 * ESLint finds it), that config decides everything; without one, the plugin's recommended configs are used, plus
 * `configs.sql` on paths named on the command line so that an explicit `.sql` file is linted wherever it lives.
 * A file is linted when its computed config turns on at least one of this plugin's rules — so whatever files the
 * configs cover (SQL today, JS/TS migrations when configs.recommended covers them) are covered here too.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { ESLint, type Linter } from "eslint";
import picomatch from "picomatch";
import plugin from "../eslint/plugin.js";
import { PLUGIN_NAMESPACE } from "../eslint/to-eslint-rule.js";
import { packageInfo } from "../package-info.js";

export interface LintSetupOptions {
  readonly cwd: string;
  /** Look for the user's eslint.config.* (default true); false always uses the recommended configs. */
  readonly configLookup?: boolean;
  /** Paths were named on the command line: lint every .sql file under them, not only the usual migration folders. */
  readonly explicitPaths?: boolean;
  /** settings["migration-safety"].postgresVersion for this run. */
  readonly postgresVersion?: number | undefined;
  /** settings["migration-safety"].unreleasedMigrations for this run (`--changed-since`): paths relative to cwd. */
  readonly unreleasedMigrations?: readonly string[] | undefined;
}

export interface LintSetup {
  readonly eslint: ESLint;
  /** The user's config file in use, or undefined when the recommended configs are. */
  readonly configFile: string | undefined;
}

export async function createLintSetup(options: LintSetupOptions): Promise<LintSetup> {
  const { cwd } = options;
  const overrides: Linter.Config[] = [
    ...(options.postgresVersion === undefined ? [] : [{ name: "migration-safety/cli/pg-version", settings: { [PLUGIN_NAMESPACE]: { postgresVersion: options.postgresVersion } } }]),
    ...(options.unreleasedMigrations === undefined
      ? []
      : [{ name: "migration-safety/cli/unreleased", settings: { [PLUGIN_NAMESPACE]: { unreleasedMigrations: [...options.unreleasedMigrations] } } }]),
  ];
  const configFile = options.configLookup === false ? undefined : await new ESLint({ cwd }).findConfigFile();
  if (configFile) return { eslint: new ESLint({ cwd, overrideConfig: overrides }), configFile };
  const configs: Linter.Config[] = [...plugin.configs.recommended, ...(options.explicitPaths ? [plugin.configs.sql] : []), ...overrides];
  return { eslint: new ESLint({ cwd, overrideConfigFile: true, overrideConfig: configs }), configFile: undefined };
}

const isOurPlugin = (candidate: unknown): boolean => {
  const meta = (candidate as { meta?: { name?: string; namespace?: string } } | undefined)?.meta;
  return meta?.namespace === PLUGIN_NAMESPACE || meta?.name === packageInfo().name;
};

const isOn = (entry: unknown): boolean => {
  const severity = Array.isArray(entry) ? entry[0] : entry;
  return severity !== 0 && severity !== "off" && severity !== undefined;
};

/** Does a computed config (ESLint#calculateConfigForFile) turn on any rule of this plugin, under whatever key? */
export function appliesMigrationSafety(config: Linter.Config | undefined): boolean {
  if (!config?.plugins || !config.rules) return false;
  const keys = Object.entries(config.plugins).filter(([, candidate]) => isOurPlugin(candidate)).map(([key]) => `${key}/`);
  return Object.entries(config.rules).some(([id, entry]) => keys.some((key) => id.startsWith(key)) && isOn(entry));
}

/** The `files` patterns of configs.recommended: where migrations usually live. */
export const usualMigrationFiles: readonly string[] = [
  ...new Set(plugin.configs.recommended.flatMap((config) => (config.files ?? []).filter((f): f is string => typeof f === "string"))),
];

const looksLikeMigration = picomatch([...usualMigrationFiles], { dot: true });

/** Does a path relative to the working directory sit where migrations usually live? */
export const isUsualMigrationPath = (relativePath: string): boolean => looksLikeMigration(relativePath.split(sep).join("/"));

// ESLint never lints these (its default ignores); walking them would only cost time.
const SKIPPED_DIRECTORIES = new Set(["node_modules", ".git"]);

/** Every file under `dir`, depth first, in a stable order. */
export function* walkFiles(dir: string): Generator<string> {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch {
    return; // unreadable directory: nothing ESLint could lint either
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRECTORIES.has(entry.name)) yield* walkFiles(path);
    } else if (entry.isFile()) {
      yield path;
    }
  }
}

export interface Selection {
  /** Files to lint (absolute). */
  readonly files: string[];
  /** Files named on the command line that no migration-safety rule applies to. */
  readonly skippedExplicit: string[];
  /** Files in the usual migration places that the user's config applies no migration-safety rule to. */
  readonly uncovered: string[];
}

export interface SelectOptions {
  readonly cwd: string;
  /** Files and directories named on the command line (relative to cwd or absolute); empty: the whole cwd. */
  readonly paths: readonly string[];
  /** Only these files (absolute), e.g. from `--changed-since`. */
  readonly only?: readonly string[] | undefined;
}

export class MissingPathError extends Error {}

/** The files to lint, decided by the config each file gets. */
export async function selectFiles(setup: LintSetup, options: SelectOptions): Promise<Selection> {
  const { cwd } = options;
  const roots = options.paths.length ? options.paths.map((p) => resolve(cwd, p)) : [cwd];
  const explicitFiles = new Set<string>();
  for (const root of roots) {
    if (!existsSync(root)) throw new MissingPathError(`No such file or directory: ${relative(cwd, root) || root}`);
    if (statSync(root).isFile()) explicitFiles.add(root);
  }

  let candidates: Iterable<string>;
  if (options.only) {
    const under = (file: string) => roots.some((root) => file === root || file.startsWith(root.endsWith(sep) ? root : root + sep));
    candidates = options.only.filter((file) => under(file) && existsSync(file));
  } else {
    candidates = (function* () {
      for (const root of roots) yield* explicitFiles.has(root) ? [root] : walkFiles(root);
    })();
  }

  const files: string[] = [];
  const skippedExplicit: string[] = [];
  const uncovered: string[] = [];
  const seen = new Set<string>();
  for (const file of candidates) {
    if (seen.has(file)) continue;
    seen.add(file);
    const config = (await setup.eslint.calculateConfigForFile(file)) as Linter.Config | undefined;
    if (appliesMigrationSafety(config)) files.push(file);
    else if (explicitFiles.has(file)) skippedExplicit.push(file);
    // ESLint answers "no config" both for a file ignored on purpose and for one no `files` pattern matches, so a
    // migration in a usual place that gets none of our rules is reported either way: better a note than a silent pass.
    else if (setup.configFile && isUsualMigrationPath(relative(cwd, file))) uncovered.push(file);
  }
  return { files: files.sort(), skippedExplicit, uncovered };
}
