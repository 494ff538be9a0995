// Entry of dist/cli-worker.cjs: the whole CLI (all logic is in cli.ts, which tests call in-process). dist/cli.js
// (main.ts) loads it with its code cache (script-loader.ts), in a worker thread with a capped heap or in its own
// thread (see launch-plan.ts), and calls runCli.
import { main } from "./cli";
import { adoptReaderHandoff, type ReaderHandoff } from "./extract-thread/handoff";
import { processIo } from "./output";

/** Runs one command line with the process's stdout and stderr; resolves to the exit code. */
export function runCli(argv: string[], isTTY: boolean, reader?: ReaderHandoff): Promise<number> {
	adoptReaderHandoff(reader);
	return main(argv, { ...processIo(), isTTY }).catch((error: unknown) => {
		console.error(error);
		return 1;
	});
}
