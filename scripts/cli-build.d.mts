// Types of scripts/cli-build.mjs, for the tests that build the CLI (test/cli/cli-bundle.ts).
import type { BuildOptions } from "esbuild";

export type CliFile = "cli" | "cli-worker" | "extract-worker";

export interface CliBuildSettings {
	/** The source tree (its src/cli/…). */
	root: string;
	outdir: string;
	/** Of the launcher and the reader (default .js); the program is always cli-worker.cjs. */
	ext?: string;
	production?: boolean;
	only?: readonly CliFile[];
	logLevel?: BuildOptions["logLevel"];
}

export function cliBuildOptions(settings: CliBuildSettings): BuildOptions[];
export function buildCli(settings: CliBuildSettings): Promise<string>;
export function warmCodeCache(launcher: string, outdir: string): boolean;
