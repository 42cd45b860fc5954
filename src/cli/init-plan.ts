/**
 * What `migration-safety init` writes, as a pure plan: the eslint.config.js for the detected project (or, when the
 * project already has one, the lines to merge into it), the VS Code settings that make the ESLint extension lint
 * .sql files (merged into existing settings), and a pre-commit entry. Nothing here touches the disk.
 */
import picomatch from "picomatch";
import plugin from "../eslint/plugin.js";
import { isUsualMigrationPath } from "./lint-setup.js";
import type { Detection, ProjectSnapshot } from "./project.js";

export const PACKAGE_NAME = "eslint-plugin-migration-safety";

/** VS Code language ids the ESLint extension must validate: `sql` for .sql migrations, and the JS/TS ids, because
 * listing any id in `eslint.validate` turns validation off for every id not listed. */
export const ESLINT_VALIDATE = ["javascript", "javascriptreact", "typescript", "typescriptreact", "sql"] as const;

/** Paths handed to the pre-commit hooks: files in migration folders, in the languages the rules read. */
export const HOOK_FILES_REGEX = String.raw`(^|/)(migrations?|migrate|drizzle)/.*\.(sql|[cm]?[jt]s)$`;
export const LINT_STAGED_GLOB = "**/{migrations,migration,migrate,drizzle}/**/*.{sql,js,mjs,cjs,ts,mts,cts}";

export type PlannedFile =
  | { readonly kind: "write"; readonly path: string; readonly content: string; readonly existed: boolean; readonly why: string }
  | { readonly kind: "manual"; readonly path: string; readonly instructions: string; readonly why: string };

/** The inputs of the plan: the detection, and the current text of the files it may change (undefined: absent). */
export interface InitInputs {
  readonly detection: Detection;
  readonly snapshot: ProjectSnapshot;
  /** Existing eslint.config.* file name, if any. */
  readonly eslintConfigFile: string | undefined;
  readonly eslintConfigText: string | undefined;
  readonly vscodeSettingsText: string | undefined;
  readonly packageJsonText: string | undefined;
  readonly preCommitConfigText: string | undefined;
  readonly postgresVersion?: number | undefined;
}

/** Named plugin configs (not `recommended`) whose `files` match a path: the building blocks for custom folders. */
function configsFor(path: string): string[] {
  return Object.entries(plugin.configs)
    .filter(([name, config]) => name !== "recommended" && !Array.isArray(config))
    .filter(([, config]) => picomatch(((config as { files?: unknown[] }).files ?? []).filter((f): f is string => typeof f === "string"), { dot: true })(path))
    .map(([name]) => name);
}

/** Config objects for migration folders that configs.recommended does not cover. */
export function extraBlocks(detection: Detection, snapshot: ProjectSnapshot): { files: string; configs: string[] }[] {
  const blocks: { files: string; configs: string[] }[] = [];
  for (const folder of detection.migrationFolders) {
    const uncovered = snapshot.files.filter(
      (file) => file.startsWith(`${folder.path}/`) && folder.extensions.some((ext) => file.endsWith(ext)) && !isUsualMigrationPath(file),
    );
    const configs = [...new Set(uncovered.flatMap(configsFor))].sort();
    if (configs.length) blocks.push({ files: `${folder.path}/**`, configs });
  }
  return blocks;
}

function configEntries(inputs: InitInputs, indent: string): string[] {
  const lines = [`${indent}migrationSafety.configs.recommended,`];
  for (const block of extraBlocks(inputs.detection, inputs.snapshot)) {
    lines.push(
      `${indent}{`,
      `${indent}  // Migrations outside the folders configs.recommended covers.`,
      `${indent}  files: [${JSON.stringify(block.files)}],`,
      `${indent}  extends: [${block.configs.map((name) => `migrationSafety.configs.${name}`).join(", ")}],`,
      `${indent}},`,
    );
  }
  lines.push(
    `${indent}{`,
    `${indent}  settings: {`,
    `${indent}    "migration-safety": {`,
    inputs.postgresVersion === undefined
      ? `${indent}      // postgresVersion: 15, // the PostgreSQL major version production runs`
      : `${indent}      postgresVersion: ${inputs.postgresVersion},`,
    `${indent}    },`,
    `${indent}  },`,
    `${indent}},`,
  );
  return lines;
}

function describe(detection: Detection): string {
  return detection.frameworks.length ? detection.frameworks.map((f) => `${f.name} (${f.evidence})`).join(", ") : "no migration framework recognised";
}

function planEslintConfig(inputs: InitInputs): PlannedFile {
  if (inputs.eslintConfigFile) {
    const already = inputs.eslintConfigText?.includes(PACKAGE_NAME);
    const instructions = [
      already
        ? `${inputs.eslintConfigFile} already imports ${PACKAGE_NAME}; check that its config array has these entries:`
        : `Add to ${inputs.eslintConfigFile}:`,
      "",
      `import migrationSafety from "${PACKAGE_NAME}";`,
      "",
      "and in the exported config array (defineConfig flattens the nested array; with a plain array, spread it: ...migrationSafety.configs.recommended):",
      "",
      ...configEntries(inputs, "  "),
    ].join("\n");
    return { kind: "manual", path: inputs.eslintConfigFile, instructions, why: "the project has an ESLint config; init does not rewrite it" };
  }
  // eslint.config.js is loaded as ESM only in a "type": "module" package; elsewhere .mjs says so itself.
  const path = inputs.snapshot.packageType === "module" ? "eslint.config.js" : "eslint.config.mjs";
  const content = [
    `// Written by \`migration-safety init\` (detected: ${describe(inputs.detection)}).`,
    "// Lints migrations for steps that break running code or lock busy tables; `npx eslint .` or `npx migration-safety lint`.",
    'import { defineConfig } from "eslint/config";',
    `import migrationSafety from "${PACKAGE_NAME}";`,
    "",
    "export default defineConfig([",
    ...configEntries(inputs, "  "),
    "]);",
    "",
  ].join("\n");
  return { kind: "write", path, content, existed: false, why: "ESLint config with the recommended migration rules" };
}

/** The JSON text of `value` with the indentation of `original` (2 spaces when it has none), ending in a newline. */
function reformat(value: unknown, original: string | undefined): string {
  const indent = original?.match(/^[ \t]+(?=")/m)?.[0] ?? "  ";
  return `${JSON.stringify(value, null, indent)}\n`;
}

const VSCODE_SETTINGS = ".vscode/settings.json";

export function planVscodeSettings(existing: string | undefined): PlannedFile {
  const why = "VS Code ESLint extension: lint .sql files, and write disable comments that are valid SQL";
  let settings: Record<string, unknown> = {};
  if (existing !== undefined) {
    try {
      const parsed: unknown = JSON.parse(existing);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
      settings = parsed as Record<string, unknown>;
    } catch {
      // VS Code settings may hold comments and trailing commas (JSONC); rewriting would lose them.
      const instructions = [
        `${VSCODE_SETTINGS} is not plain JSON (comments?); add these settings by hand:`,
        "",
        `"eslint.validate": ${JSON.stringify(ESLINT_VALIDATE)},`,
        `"eslint.codeAction.disableRuleComment": { "enable": true, "location": "separateLine", "commentStyle": "block" }`,
      ].join("\n");
      return { kind: "manual", path: VSCODE_SETTINGS, instructions, why };
    }
  }
  const validate = Array.isArray(settings["eslint.validate"]) ? [...(settings["eslint.validate"] as unknown[])] : [];
  // Old-style entries are objects ({ language, autoFix }); keep them and match on their language.
  const listed = new Set(validate.map((entry) => (typeof entry === "string" ? entry : (entry as { language?: string })?.language)));
  for (const id of ESLINT_VALIDATE) if (!listed.has(id)) validate.push(id);
  const previous = settings["eslint.codeAction.disableRuleComment"];
  const disableRuleComment = {
    enable: true,
    location: "separateLine",
    ...(typeof previous === "object" && previous !== null ? previous : {}),
    commentStyle: "block",
  };
  const merged = { ...settings, "eslint.validate": validate, "eslint.codeAction.disableRuleComment": disableRuleComment };
  return { kind: "write", path: VSCODE_SETTINGS, content: reformat(merged, existing), existed: existing !== undefined, why };
}

export const PRE_COMMIT_LOCAL_HOOK = [
  "  - repo: local",
  "    hooks:",
  "      - id: migration-safety",
  "        name: migration-safety",
  "        entry: npx --no-install migration-safety lint",
  "        language: system",
  `        files: '${HOOK_FILES_REGEX}'`,
].join("\n");

function planPreCommit(inputs: InitInputs): PlannedFile {
  const why = "run the linter on staged migrations before each commit";
  let manifest: Record<string, unknown> | undefined;
  try {
    manifest = inputs.packageJsonText === undefined ? undefined : (JSON.parse(inputs.packageJsonText) as Record<string, unknown>);
  } catch {
    manifest = undefined;
  }
  const usesLintStaged = manifest && ("lint-staged" in manifest || inputs.snapshot.dependencies.has("lint-staged"));
  if (manifest && usesLintStaged) {
    const current = manifest["lint-staged"];
    if (current !== undefined && (typeof current !== "object" || current === null || Array.isArray(current))) {
      return { kind: "manual", path: "package.json", instructions: `Add to your lint-staged config: ${JSON.stringify({ [LINT_STAGED_GLOB]: "migration-safety lint" })}`, why };
    }
    const merged = { ...manifest, "lint-staged": { ...(current as object | undefined), [LINT_STAGED_GLOB]: "migration-safety lint" } };
    return { kind: "write", path: "package.json", content: reformat(merged, inputs.packageJsonText), existed: true, why: `${why} (lint-staged)` };
  }
  if (inputs.preCommitConfigText !== undefined) {
    if (inputs.preCommitConfigText.includes("migration-safety")) {
      return { kind: "manual", path: ".pre-commit-config.yaml", instructions: ".pre-commit-config.yaml already has a migration-safety hook.", why };
    }
    return { kind: "manual", path: ".pre-commit-config.yaml", instructions: `Add under \`repos:\` in .pre-commit-config.yaml:\n\n${PRE_COMMIT_LOCAL_HOOK}`, why };
  }
  const content = ["# pre-commit (https://pre-commit.com) hooks; written by `migration-safety init`.", "repos:", PRE_COMMIT_LOCAL_HOOK, ""].join("\n");
  return { kind: "write", path: ".pre-commit-config.yaml", content, existed: false, why: `${why} (pre-commit framework; see docs/pre-commit.md for husky + lint-staged)` };
}

export function planInit(inputs: InitInputs): PlannedFile[] {
  return [planEslintConfig(inputs), planVscodeSettings(inputs.vscodeSettingsText), planPreCommit(inputs)];
}

export { describe as describeDetection };
