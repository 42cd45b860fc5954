// ESLint's RuleTester looks for describe/it globals; hand it vitest's so each case is a vitest test.
import { RuleTester } from "eslint";
import { describe, it } from "vitest";

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;
