/**
 * `migration-safety init`: set a project up — an eslint.config.js with the recommended migration rules (for folders
 * the recommended globs miss, too), the VS Code settings that make the ESLint extension lint .sql files, and a
 * pre-commit entry — after detecting the migration framework. Existing files are merged, never overwritten; where a
 * merge is not safe (an existing eslint.config.*, VS Code settings with comments, a pre-commit YAML), the lines to add
 * are printed instead. `--dry-run` prints everything and writes nothing.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Command } from "commander";
import { ESLint } from "eslint";
import { describeDetection, PACKAGE_NAME, planInit, type PlannedFile } from "../init-plan.js";
import { detectProject, snapshotProject } from "../project.js";
import { EXIT } from "../main.js";
import { parsePgVersion } from "./lint.js";

interface InitOptions {
  readonly dryRun?: boolean;
  readonly pgVersion?: number | undefined;
  readonly cwd?: string | undefined;
}

export function register(program: Command): void {
  program
    .command("init")
    .description("Set a project up: eslint.config.js, VS Code settings and a pre-commit hook, for the migration framework it uses.")
    .option("--dry-run", "print what would be written, write nothing")
    .option("--pg-version <major>", "target PostgreSQL major version to put in the config", parsePgVersion)
    .option("--cwd <dir>", "the project directory (default: the current one)")
    .action(async (options: InitOptions) => {
      process.exitCode = await init(options);
    });
}

const readIfExists = (path: string): string | undefined => (existsSync(path) ? readFileSync(path, "utf8") : undefined);

function show(file: PlannedFile, dryRun: boolean): string {
  if (file.kind === "manual") return `• ${file.path}: not changed (${file.why}).\n${file.instructions.replace(/^/gm, "    ")}\n`;
  const verb = dryRun ? (file.existed ? "would update" : "would create") : file.existed ? "updated" : "created";
  return `• ${verb} ${file.path}: ${file.why}.\n${dryRun ? `${file.content.trimEnd().replace(/^/gm, "    ")}\n` : ""}`;
}

export async function init(options: InitOptions): Promise<number> {
  const root = resolve(options.cwd ?? process.cwd());
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new Error(`not a directory: ${root}`);
  const snapshot = snapshotProject(root);
  const detection = detectProject(snapshot);
  // Found the way ESLint finds it (an eslint.config.* here or in a parent folder applies to this project).
  const eslintConfig = await new ESLint({ cwd: root }).findConfigFile();
  const plan = planInit({
    detection,
    snapshot,
    eslintConfigFile: eslintConfig,
    eslintConfigText: eslintConfig ? readIfExists(eslintConfig) : undefined,
    vscodeSettingsText: readIfExists(join(root, ".vscode", "settings.json")),
    packageJsonText: readIfExists(join(root, "package.json")),
    preCommitConfigText: readIfExists(join(root, ".pre-commit-config.yaml")),
    postgresVersion: options.pgVersion,
  });

  const out: string[] = [`Detected: ${describeDetection(detection)}.`];
  out.push(
    detection.migrationFolders.length
      ? `Migration folders: ${detection.migrationFolders.map((f) => `${f.path} (${f.extensions.join(", ")})`).join("; ")}.`
      : "No migration folder found yet; configs.recommended covers the usual places (migrations/, db/migrate/, prisma/migrations/, drizzle/, supabase/migrations/).",
  );
  for (const file of plan) {
    if (file.kind === "write" && !options.dryRun) {
      const target = resolve(root, file.path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, file.content);
    }
    out.push(show(file, options.dryRun === true));
  }
  if (!options.dryRun && !snapshot.dependencies.has(PACKAGE_NAME)) out.push(`Next: npm install --save-dev eslint ${PACKAGE_NAME}, then npx migration-safety lint.`);
  process.stdout.write(`${out.join("\n")}\n`);
  return EXIT.ok;
}
