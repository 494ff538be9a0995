import { defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";

export default defineConfig({
	resolve: {
		// Tests never load the real Obsidian runtime: `obsidian` is our own small stub.
		alias: { obsidian: fileURLToPath(new URL("./test/stubs/obsidian.ts", import.meta.url)) },
	},
	test: {
		include: ["test/**/*.test.ts"],
		environment: "node",
		testTimeout: 20_000,
		pool: "forks",
		// Notes show times in the user's zone by default (the CLI reads it from TZ): tests pin it, so outputs are the same everywhere.
		env: { TZ: "UTC" },
	},
});
