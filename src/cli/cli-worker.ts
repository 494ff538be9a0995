// Entry of dist/cli-worker.cjs: the whole CLI (all logic is in cli.ts, which tests call in-process). dist/cli.js
// (main.ts) loads it with its code cache (script-loader.ts), in a worker thread with a capped heap or in its own
// thread (see launch-plan.ts), and calls runCli.
import { main } from "./cli";
import { adoptReaderHandoff, type ReaderHandoff } from "./extract-thread/handoff";
import { processIo } from "./output";
import { isOrganizePreview } from "./launch-plan";
import { armPreviewTiering, armTiering } from "./v8-flags";

export { disarmTiering } from "./v8-flags";

/**
 * Runs one command line with the process's stdout and stderr; resolves to the exit code. `signal` is aborted when
 * the process gets SIGINT or SIGTERM (the launcher catches them: a worker thread gets no signals).
 */
export function runCli(argv: string[], isTTY: boolean, reader?: ReaderHandoff, signal?: AbortSignal): Promise<number> {
	adoptReaderHandoff(reader);
	// A reader started ahead may still be loading its code: it arms when the import gives it its inputs (v8-flags.ts).
	if (!reader?.standby) {
		if (isOrganizePreview(argv)) armPreviewTiering();
		else armTiering();
	}
	return main(argv, { ...processIo(), isTTY, ...(signal ? { signal } : {}) }).catch((error: unknown) => {
		console.error(error);
		return 1;
	});
}
