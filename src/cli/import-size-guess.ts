// dist/cli.js's guess at the size of an import before loading the CLI: whether to run it in this thread (a small
// import needs no heap cap) and whether to start the export's reader thread at once (a large one). Node modules only:
// the launcher must stay small. The import itself decides from the inputs it opens; a wrong guess costs only time.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const EXPORT_FILE = /^conversations(?:-\d+)?\.json$|\.zip$|^manifest[^/\\]*\.json$/i;
/** Options of `import` whose value may name an existing folder but is not an input. */
const NOT_INPUTS = new Set(["--vault", "--out"]);

/**
 * JSON in a zip takes this many times the zip's size, at the most we expect (exports compress 5-10×). A zip is
 * counted so, so that a 60 MB zip of 600 MB of JSON is not taken for a small import and run without the heap cap.
 */
const ZIP_EXPANSION = 20;

/** A file's size (a zip's, times ZIP_EXPANSION); a folder's export files' (null when it has none at its top: the import looks one level down). */
function sizeOf(path: string): number | null {
	let info;
	try {
		info = statSync(path);
	} catch {
		return 0; // not there: the import says so
	}
	if (info.isFile()) return /\.zip$/i.test(path) ? info.size * ZIP_EXPANSION : info.size;
	if (!info.isDirectory()) return 0;
	let total = 0;
	let found = false;
	for (const name of readdirSync(path)) {
		if (!EXPORT_FILE.test(name)) continue;
		found = true;
		total += sizeOf(join(path, name)) ?? 0;
	}
	return found ? total : null;
}

/**
 * The bytes of the inputs a new import's command line names (files, and the export files of folders), or null when
 * not known: not a new import (another command, or `--session`), or a folder whose exports are further down.
 */
export function importInputBytes(argv: readonly string[]): number | null {
	if (argv[0] !== "import") return null;
	let total = 0;
	for (let i = 1; i < argv.length; i++) {
		const arg = argv[i]!;
		if (arg === "--session" || arg.startsWith("--session=")) return null;
		if (NOT_INPUTS.has(arg)) i++;
		if (arg.startsWith("-")) continue;
		const size = sizeOf(arg);
		if (size === null) return null;
		total += size;
	}
	return total;
}
