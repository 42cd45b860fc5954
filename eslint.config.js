// Dogfooding: the repository lints its own fixtures with the plugin, the way a user's eslint.config.js would.
import migrationSafety from "eslint-plugin-migration-safety";

export default [...migrationSafety.configs.recommended];
