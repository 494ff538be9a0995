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

/** The reader started ahead is not needed (small inputs): it ends now instead of with the run. */
export function dismissStandbyReader(): void {
	const taken = takeStandbyReader();
	if (taken) dismissReader(taken);
}

/** Ends a reader started ahead that will not be used. */
export function dismissReader(standby: StandbyReader): void {
	standby.port.postMessage({ type: "dismiss" } satisfies ToWorker);
	standby.port.close();
	standby.relay.close();
}
