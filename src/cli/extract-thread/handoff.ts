// What dist/cli.js hands the CLI's thread about the export's reader thread: the script to start (it knows where the
// build put it), and the reader it may have started ahead for this run (prestart.ts), taken once.
import type { StandbyReader } from "./prestart";
import type { ToWorker } from "./protocol";

export interface ReaderHandoff {
	/** The reader's script (dist/extract-worker.cjs), when the build has it. */
	script?: string;
	standby?: StandbyReader;
	/** Only the build's warm-up run: read in the thread whatever the size, and save the reader's code cache. */
	warmUp?: boolean;
}

let handoff: ReaderHandoff = {};

/** Called by the CLI's thread (cli-worker.ts) with what the launcher handed it. */
export function adoptReaderHandoff(given: ReaderHandoff | undefined): void {
	handoff = { ...given };
}

/** The reader's script, or null (no launcher: tests from sources; or a build without it). */
export function readerScript(): string | null {
	return handoff.script ?? null;
}

/** Whether this is the build's warm-up run (see ReaderHandoff.warmUp). */
export function readerWarmUp(): boolean {
	return handoff.warmUp === true;
}

/** The reader started ahead, for one import to use (null when there is none, or it was taken). */
export function takeStandbyReader(): StandbyReader | null {
	const taken = handoff.standby ?? null;
	delete handoff.standby;
	return taken;
}

/** The reader started ahead is not needed (small inputs, of `totalBytes`): it ends now instead of with the run. */
export function dismissStandbyReader(totalBytes?: number): void {
	const taken = takeStandbyReader();
	if (taken) dismissReader(taken, totalBytes);
}

/**
 * Ends a reader started ahead that will not be used, telling it the bytes of the conversations the import reads
 * without it (when known), by which it arms V8's flags for the run (v8-flags.ts).
 */
export function dismissReader(standby: StandbyReader, totalBytes?: number): void {
	standby.port.postMessage({ type: "dismiss", ...(totalBytes !== undefined ? { totalBytes } : {}) } satisfies ToWorker);
	standby.port.close();
	standby.relay.close();
}
