// Rewrites the rules table of README.md from the rules' meta (run through `npm run docs:table`).
import { readFileSync, writeFileSync } from "node:fs";
import { allRules } from "../rules/index.js";
import { withRulesTable } from "./rules-table.js";

const path = new URL("../../README.md", import.meta.url);
writeFileSync(path, withRulesTable(readFileSync(path, "utf8"), allRules));
