/**
 * Shared set-up of the app rule tests: the fixture app (fixtures/app) is the working directory, so its migrations
 * (users.full_name -> display_name backfilled; orders.legacy_status dropped, orders.note renamed, audit_log dropped)
 * and its prisma/schema.prisma are the history the rules read.
 */
import "./setup.js";
import { fileURLToPath } from "node:url";
import { RuleTester } from "@typescript-eslint/rule-tester";

export const fixtureApp = fileURLToPath(new URL("../../fixtures/app/", import.meta.url));

/**
 * The fixture app's history: expand, backfill script, rename and contract migrations. One glob string, not a list:
 * typescript-eslint's RuleTester merges a case's settings into the tester's with lodash.merge, which merges arrays
 * index by index — a string replaces a string.
 */
export const FIXTURE_HISTORY = { migrations: "db/{migrations,backfill}/*.sql" };

export const settings = (history: Record<string, unknown> = FIXTURE_HISTORY) => ({ "migration-safety": history });

/**
 * A RuleTester whose working directory is the fixture app (the linter's cwd is `tsconfigRootDir`); with `typed`,
 * files get type information from typescript-eslint's project service.
 */
export function ruleTester(typed = false): RuleTester {
  return new RuleTester({
    languageOptions: {
      parserOptions: {
        tsconfigRootDir: fixtureApp,
        ...(typed ? { projectService: { allowDefaultProject: ["*.ts*"] } } : {}),
      },
    },
    settings: settings(),
  });
}
