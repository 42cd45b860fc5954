/**
 * The files a change touches, for `lint --changed-since <ref>`: what the branch changed since it left `ref`
 * (`git diff ref...HEAD`), plus what is staged, modified or untracked in the working tree — so the same command
 * serves CI (a pull request against its base) and a developer before committing. Deleted files are left out.
 */
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

async function git(cwd: string, args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await run("git", [...args], { cwd, maxBuffer: 256 * 1024 * 1024, encoding: "utf8" });
    return stdout;
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
    throw new Error(`git ${args[0]} failed in ${cwd}: ${detail}`);
  }
}

/** NUL-separated paths (`-z`): no quoting of unusual names, no splitting on newlines in names. */
const paths = (output: string): string[] => output.split("\0").filter(Boolean);

/** Absolute paths of the files added, copied, modified or renamed since `ref`, plus staged, unstaged and untracked ones. */
export async function changedFiles(cwd: string, ref: string): Promise<string[]> {
  // A ref is handed to git as an argument, never through a shell; one starting with "-" would read as an option.
  if (ref.startsWith("-")) throw new Error(`--changed-since: "${ref}" is not a git ref.`);
  const top = (await git(cwd, ["rev-parse", "--show-toplevel"])).trim();
  try {
    await git(top, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`]);
  } catch {
    throw new Error(`--changed-since: "${ref}" is not a commit in the repository at ${top} (in CI, fetch it first: actions/checkout with fetch-depth: 0).`);
  }
  const [branch, workingTree, untracked] = await Promise.all([
    git(top, ["diff", "--name-only", "-z", "--no-renames", "--diff-filter=ACMR", `${ref}...HEAD`, "--"]),
    git(top, ["diff", "--name-only", "-z", "--no-renames", "--diff-filter=ACMR", "HEAD", "--"]),
    git(top, ["ls-files", "-z", "--others", "--exclude-standard"]),
  ]);
  return [...new Set([branch, workingTree, untracked].flatMap(paths))].map((path) => resolve(top, path)).sort();
}
