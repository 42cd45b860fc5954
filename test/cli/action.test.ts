/**
 * The composite action (action.yml), run locally: its steps are read from the file and executed with bash the way
 * the runner executes them (`bash --noprofile --norc -eo pipefail`, inputs through `env`, outputs through
 * $GITHUB_OUTPUT, `if:` conditions on inputs and step outputs), in a git repository with a pull-request branch. The
 * CLI is this repository's build, found as node_modules/.bin/migration-safety like a project's own copy; `gh` is a
 * stub that records its calls.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { builtCli, git, gitRepo, repoRoot, requireBuild, tempProject, writeFiles } from "./helpers.js";

beforeAll(requireBuild);

interface Step {
  id: string;
  if?: string;
  env: Record<string, string>;
  run: string;
}

/**
 * The inputs' defaults and the steps of action.yml. Not a YAML parser: the action is kept in a plain layout (one
 * `key: value` per line, `run: |` blocks) and this reads exactly that layout, failing loudly on anything else.
 */
function readAction(): { defaults: Record<string, string>; steps: Step[] } {
  const lines = readFileSync(join(repoRoot, "action.yml"), "utf8").split("\n");
  const defaults: Record<string, string> = {};
  const steps: Step[] = [];
  let section = "";
  let input = "";
  let step: Step | undefined;
  let block: "env" | "run" | undefined;
  const unquote = (value: string) => (/^".*"$/.test(value) ? (JSON.parse(value) as string) : value);
  for (const line of lines) {
    const top = /^([a-z-]+):/.exec(line);
    if (top) {
      section = top[1]!;
      continue;
    }
    if (section === "inputs") {
      const name = /^ {2}([a-z-]+):$/.exec(line);
      if (name) input = name[1]!;
      const value = /^ {4}default: ?(.*)$/.exec(line);
      if (value) defaults[input] = unquote(value[1]!);
    }
    if (section !== "runs") continue;
    const start = /^ {4}- id: (\S+)$/.exec(line);
    if (start) {
      step = { id: start[1]!, env: {}, run: "" };
      steps.push(step);
      block = undefined;
      continue;
    }
    if (!step) continue;
    if (block === "run" && (line.startsWith("        ") || line.trim() === "")) {
      step.run += `${line.slice(8)}\n`;
      continue;
    }
    if (block === "env" && /^ {8}\S/.test(line)) {
      const [, key, value] = /^ {8}([A-Z_]+): (.*)$/.exec(line)!;
      step.env[key!] = value!;
      continue;
    }
    const key = /^ {6}([a-z]+):(?: (.*))?$/.exec(line);
    if (key) {
      block = key[1] === "env" ? "env" : key[1] === "run" ? "run" : undefined;
      if (key[1] === "if") step.if = key[2]!;
      if (key[1] === "shell") expect(key[2]).toBe("bash");
      if (key[1] === "run") expect(key[2]).toBe("|");
    } else if (line.trim()) {
      throw new Error(`action.yml: unexpected line in step ${step.id}: ${line}`);
    }
  }
  return { defaults, steps };
}

type Context = Record<string, unknown>;
const lookup = (context: Context, path: string): unknown => path.split(".").reduce<unknown>((value, key) => (value as Context | undefined)?.[key], context);
const expand = (text: string, context: Context) => text.replace(/\$\{\{\s*([\w.-]+)\s*\}\}/g, (_, path: string) => String(lookup(context, path) ?? ""));

/** The `if:` forms the action uses: terms joined by &&, each `path == 'value'` or a bare `path` (truthy). */
function condition(expression: string, context: Context): boolean {
  return expression.split("&&").every((term) => {
    const comparison = /^\s*([\w.-]+)\s*==\s*'([^']*)'\s*$/.exec(term);
    return comparison ? String(lookup(context, comparison[1]!) ?? "") === comparison[2] : Boolean(lookup(context, term.trim()));
  });
}

interface JobRun {
  ok: boolean;
  log: string;
  outputs: Record<string, Record<string, string>>;
  ran: string[];
  summary: string;
  ghCalls: string[];
}

function runAction(repo: string, inputs: Record<string, string>, options: { pullRequest?: number; existingComment?: string } = {}): JobRun {
  const { defaults, steps } = readAction();
  const work = tempProject();
  const fakeBin = join(work, "bin");
  mkdirSync(fakeBin);
  const ghLog = join(work, "gh.log");
  // gh stub: records each call; answers the comment listing with an existing comment id when asked to.
  writeFileSync(join(fakeBin, "gh"), `#!/bin/sh\nprintf '%s\\0' "$*" >> "${ghLog}"\ncase "$*" in *--paginate*) [ -n "$FAKE_EXISTING_COMMENT" ] && echo "$FAKE_EXISTING_COMMENT";; esac\nexit 0\n`);
  chmodSync(join(fakeBin, "gh"), 0o755);
  const summary = join(work, "summary.md");
  writeFileSync(summary, "");

  const context: Context = {
    inputs: { ...defaults, token: "test-token", ...inputs },
    github: { token: "test-token", event: options.pullRequest ? { pull_request: { number: options.pullRequest } } : {} },
    steps: {},
  };
  const job: JobRun = { ok: true, log: "", outputs: {}, ran: [], summary: "", ghCalls: [] };
  for (const step of steps) {
    if (step.if && !condition(step.if, context)) continue;
    job.ran.push(step.id);
    const output = join(work, `${step.id}.out`);
    writeFileSync(output, "");
    const env = Object.fromEntries(Object.entries(step.env).map(([key, value]) => [key, expand(value, context)]));
    const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run], {
      cwd: repo,
      encoding: "utf8",
      env: {
        PATH: `${fakeBin}:${process.env.PATH}`,
        HOME: work,
        GITHUB_OUTPUT: output,
        GITHUB_STEP_SUMMARY: summary,
        GITHUB_REPOSITORY: "acme/app",
        RUNNER_TEMP: work,
        FAKE_EXISTING_COMMENT: options.existingComment ?? "",
        ...env,
      },
    });
    job.log += result.stdout + result.stderr;
    const outputs = Object.fromEntries(
      readFileSync(output, "utf8").split("\n").filter(Boolean).map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
    job.outputs[step.id] = outputs;
    (context.steps as Context)[step.id] = { outputs };
    if (result.status !== 0) {
      job.ok = false;
      break;
    }
  }
  job.summary = readFileSync(summary, "utf8");
  job.ghCalls = existsSync(ghLog) ? readFileSync(ghLog, "utf8").split("\0").filter(Boolean) : [];
  return job;
}

/** A repository on a pull-request branch (from main), with the built CLI installed as the project's own. */
function pullRequest(changes: Record<string, string>): string {
  const repo = gitRepo({ ".gitignore": "node_modules/\n", "db/migrations/001_create.sql": "CREATE TABLE users (id bigint PRIMARY KEY, full_name text);\n" });
  git(repo, "checkout", "--quiet", "-b", "feature");
  writeFiles(repo, changes);
  git(repo, "add", "--all");
  git(repo, "commit", "--quiet", "--message", "feature");
  writeFiles(repo, { "node_modules/.bin/migration-safety": `#!/bin/sh\nexec "${process.execPath}" "${builtCli}" "$@"\n` });
  chmodSync(join(repo, "node_modules/.bin/migration-safety"), 0o755);
  return repo;
}

const UNSAFE = { "db/migrations/002_rename.sql": "ALTER TABLE users RENAME COLUMN full_name TO display_name;\n" };
const SAFE = { "db/migrations/002_expand.sql": "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN display_name text;\n" };

describe("action.yml", () => {
  it("is read as expected: its steps and inputs", () => {
    const { defaults, steps } = readAction();
    expect(steps.map((s) => s.id)).toEqual(["cli", "lint", "report", "comment", "verdict"]);
    expect(Object.keys(defaults)).toEqual(expect.arrayContaining(["paths", "changed-since", "format", "pg-version", "fail-on-findings"]));
    // Inputs reach scripts only through env: no expression inside a run block.
    for (const step of steps) expect(step.run, step.id).not.toContain("${{");
  });

  it("on an unsafe pull request: annotates, writes SARIF and the summary, comments, and fails the job", () => {
    const repo = pullRequest(UNSAFE);
    const job = runAction(repo, { "changed-since": "main", comment: "true" }, { pullRequest: 7 });
    expect(job.ran).toEqual(["cli", "lint", "report", "comment", "verdict"]);
    expect(job.ok).toBe(false);
    expect(job.outputs.lint).toEqual({ "exit-code": "1" });
    expect(job.log).toMatch(/^::error file=db\/migrations\/002_rename\.sql,line=1,.*title=migration-safety\/no-rename-column::/m);
    expect(job.log).not.toContain("001_create.sql"); // unchanged in the pull request

    const sarif = JSON.parse(readFileSync(join(repo, job.outputs.report!["sarif-file"]!), "utf8")) as { version: string; runs: { results: { ruleId: string }[] }[] };
    expect(sarif.version).toBe("2.1.0");
    expect(sarif.runs[0]!.results.map((r) => r.ruleId)).toContain("migration-safety/no-rename-column");

    expect(job.summary).toMatch(/^## Migration safety$/m);
    expect(job.summary).toContain("`db/migrations/002_rename.sql`");
    expect(job.ghCalls).toEqual([
      expect.stringMatching(/^api repos\/acme\/app\/issues\/7\/comments --paginate --jq /),
      expect.stringMatching(/^api --method POST repos\/acme\/app\/issues\/7\/comments -f body=<!-- migration-safety-report -->\n## Migration safety/),
    ]);
  });

  it("updates its earlier comment instead of adding another", () => {
    const job = runAction(pullRequest(UNSAFE), { "changed-since": "main", comment: "true" }, { pullRequest: 7, existingComment: "4242" });
    expect(job.ghCalls[1]).toMatch(/^api --method PATCH repos\/acme\/app\/issues\/comments\/4242 -f body=<!-- migration-safety-report -->/);
  });

  it("on a safe pull request: passes, with a summary saying so and no comment unless asked", () => {
    const job = runAction(pullRequest(SAFE), { "changed-since": "main" }, { pullRequest: 7 });
    expect(job.ok, job.log).toBe(true);
    expect(job.ran).toEqual(["cli", "lint", "report"]);
    expect(job.outputs.lint).toEqual({ "exit-code": "0" });
    expect(job.summary).toContain("No unsafe step found in 1 migration.");
    expect(job.ghCalls).toEqual([]);
  });

  it("with fail-on-findings false, reports but does not fail; pg-version and paths reach the CLI", () => {
    const job = runAction(pullRequest(UNSAFE), { "fail-on-findings": "false", "pg-version": "16", paths: "db/migrations", format: "json" });
    expect(job.ok).toBe(true);
    expect(job.outputs.lint).toEqual({ "exit-code": "1" });
    const results = JSON.parse(job.log.slice(job.log.indexOf("["), job.log.lastIndexOf("]") + 1)) as unknown[];
    expect(results).toHaveLength(2); // both migrations under the path: no changed-since
  });

  it("treats inputs as data: a shell expression in an input is not run, and a usage error fails the job", () => {
    const repo = pullRequest(SAFE);
    const job = runAction(repo, { paths: "$(touch pwned) `touch pwned2`", "pg-version": "16; touch pwned3" });
    expect(job.ok).toBe(false);
    expect(job.ran).toEqual(["cli", "lint"]);
    expect(job.outputs.lint).toEqual({ "exit-code": "2" });
    for (const file of ["pwned", "pwned2", "pwned3", "db/pwned"]) expect(existsSync(join(repo, file)), file).toBe(false);
  });
});
