/**
 * The migration folders the rules' history cases lint against agree with what the tests expect of them: the type
 * matrix table has one column per source type of test/sql/type-changes-matrix.ts, with that type.
 */
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { columnFor, fixtureTable, SOURCE_TYPES } from "../sql/type-changes-matrix.js";

it("test/schema/fixtures/type-matrix declares the matrix's table", () => {
  const text = readFileSync(new URL("fixtures/type-matrix/migrations/001_columns.sql", import.meta.url), "utf8");
  expect(text.replace(/^--.*\n/gm, "")).toBe(fixtureTable("type_matrix"));
  expect(new Set(SOURCE_TYPES.map(columnFor)).size).toBe(SOURCE_TYPES.length); // one column per type, no clashes
});
