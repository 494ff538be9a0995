/**
 * Builds the CLI as `npm run build` does (scripts/cli-build.mjs: the launcher, the program and the export reader's
 * worker), into a folder of the test's, with .mjs files. Returns the launcher's path (run it with `node <path> …`).
 */
import { fileURLToPath } from "node:url";
import { buildCli as build, warmCodeCache, type CliFile } from "../../scripts/cli-build.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export async function buildCli(
	outdir: string,
	only: readonly CliFile[] = ["cli", "cli-worker", "extract-worker"],
	options: { codeCache?: boolean } = {},
): Promise<string> {
	const launcher = await build({ root: ROOT, outdir, ext: ".mjs", production: true, only, logLevel: "silent" });
	if (options.codeCache) warmCodeCache(launcher, outdir);
	return launcher;
}
