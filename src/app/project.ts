/**
 * The file-system edge of the application-code rules: the history model of the project's migrations and its Prisma
 * schema, loaded for ESLint's working directory and settings, cached while the files stay the same.
 */
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_PRISMA_SCHEMA_GLOBS, findFiles, loadSchemaModel } from "../schema/load.js";
import type { SchemaModel } from "../schema/model.js";
import { readSchemaSettings } from "../schema/settings.js";
import { Catalog } from "./catalog.js";
import { parsePrismaSchema, type PrismaModel } from "./prisma-schema.js";

const prismaCache = new Map<string, { stamp: string; models: PrismaModel[] }>();
const catalogs = new WeakMap<SchemaModel, { prisma: PrismaModel[]; catalog: Catalog }>();

/** What the app rules know about the project at `cwd`, with ESLint's shared settings. */
export function catalogFor(cwd: string, settings: Record<string, unknown> | undefined): Catalog {
  const model = loadSchemaModel({ cwd, settings });
  const prisma = prismaModels(cwd, readSchemaSettings(settings).prismaSchema ?? DEFAULT_PRISMA_SCHEMA_GLOBS);
  const cached = catalogs.get(model);
  if (cached && cached.prisma === prisma) return cached.catalog;
  const catalog = new Catalog(model, prisma);
  catalogs.set(model, { prisma, catalog });
  return catalog;
}

function prismaModels(cwd: string, globs: readonly string[]): PrismaModel[] {
  const files = findFiles(cwd, globs);
  const stamp = files
    .map((path) => {
      try {
        const stats = statSync(join(cwd, path));
        return `${path}:${stats.size}:${stats.mtimeMs}`;
      } catch {
        return path;
      }
    })
    .join("|");
  const key = `${cwd}\0${globs.join("\0")}`;
  const hit = prismaCache.get(key);
  if (hit && hit.stamp === stamp) return hit.models;
  const models = parsePrismaSchema(files.map((path) => readFileSync(join(cwd, path), "utf8")).join("\n"));
  prismaCache.set(key, { stamp, models });
  return models;
}
