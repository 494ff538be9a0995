// Types of scripts/cli-build.mjs, for the tests that build the CLI (test/cli/cli-bundle.ts).
import type { BuildOptions } from "esbuild";

export type CliFile = "cli" | "cli-worker" | "extract-worker";

export interface CliBuildSettings {
	/** The source tree (its src/cli/…). */
	root: string;
	outdir: string;
	/** Of the launcher (default .js); the scripts it loads are cli-worker.cjs and extract-worker.cjs. */
	ext?: string;
	production?: boolean;
	only?: readonly CliFile[];
	logLevel?: BuildOptions["logLevel"];
}

export function cliBuildOptions(settings: CliBuildSettings): BuildOptions[];
export function buildCli(settings: CliBuildSettings): Promise<string>;
/** The code caches written (file names in outdir). */
export function warmCodeCache(launcher: string, outdir: string): string[];
