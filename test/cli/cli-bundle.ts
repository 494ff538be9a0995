/**
 * Builds the CLI as `npm run build` does (the launcher, the CLI worker and the export reader's worker), into a
 * folder of the test's, as .mjs files. Returns the launcher's path (run it with `node <path> …`).
 */
import { builtinModules } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const SRC = fileURLToPath(new URL("../../src/cli/", import.meta.url));

/** Every file of the built CLI; leave one out to test what happens without it. */
export const CLI_ENTRIES = {
	cli: join(SRC, "main.ts"),
	"cli-worker": join(SRC, "cli-worker.ts"),
	"extract-worker": join(SRC, "extract-thread", "extract-worker.ts"),
} as const;

export async function buildCli(outdir: string, entries: readonly (keyof typeof CLI_ENTRIES)[] = ["cli", "cli-worker", "extract-worker"]): Promise<string> {
	await build({
		entryPoints: Object.fromEntries(entries.map((e) => [e, CLI_ENTRIES[e]])),
		bundle: true,
		outdir,
		outExtension: { ".js": ".mjs" },
		format: "esm",
		platform: "node",
		target: "node20",
		external: [...builtinModules, ...builtinModules.map((m) => `node:${m}`)],
		banner: { js: "import { createRequire as __ketlCreateRequire } from 'node:module'; const require = __ketlCreateRequire(import.meta.url);" },
		logLevel: "silent",
	});
	return join(outdir, "cli.mjs");
}
