// The migration rules on db/migrations/ (a folder configs.recommended covers), targeting PostgreSQL 16.
import { defineConfig } from "eslint/config";
import migrationSafety from "eslint-plugin-migration-safety";

export default defineConfig([
  migrationSafety.configs.recommended,
  {
    settings: {
      "migration-safety": {
        postgresVersion: 16,
      },
    },
  },
]);
