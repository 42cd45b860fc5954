import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/helpers/setup.ts"],
    // The WASM parser loads once per worker; a few workers keep the 2-core CI machine busy without thrashing.
    pool: "threads",
    testTimeout: 30_000,
  },
});
