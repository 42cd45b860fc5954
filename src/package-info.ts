// This package's name and version, read from its package.json (found by walking up: src/ in tests, dist/src/ built).
import { existsSync, readFileSync } from "node:fs";

let cached: { name: string; version: string } | undefined;

export function packageInfo(): { name: string; version: string } {
  if (cached) return cached;
  for (let dir = new URL(".", import.meta.url); ; dir = new URL("..", dir)) {
    const candidate = new URL("package.json", dir);
    if (existsSync(candidate)) return (cached = JSON.parse(readFileSync(candidate, "utf8")) as { name: string; version: string });
    if (dir.pathname === "/") throw new Error("eslint-plugin-migration-safety: package.json not found");
  }
}

export const packageVersion = (): string => packageInfo().version;
