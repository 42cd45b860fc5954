// Dogfooding: the repository lints its own fixtures with the plugin, the way a user's eslint.config.js would.
// examples/project is a separate project with its own eslint.config.js (it installs the published package).
import migrationSafety from "eslint-plugin-migration-safety";

export default [{ ignores: ["examples/"] }, ...migrationSafety.configs.recommended];
