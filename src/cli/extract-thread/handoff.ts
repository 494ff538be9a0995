// What dist/cli.js hands the CLI's thread about the export's reader thread: the worker script to start (it knows
// where the build put it), and the reader it may have started ahead for this run (prestart.ts), taken once.
import type { StandbyReader } from "./prestart";

export interface ReaderHandoff {
	/** The reader's worker script (dist/extract-worker.js), when the build has it. */
	workerPath?: string;
	standby?: StandbyReader;
}

let workerPath: string | null = null;
let standby: StandbyReader | null = null;

/** Called by the CLI's thread (cli-worker.ts) with what the launcher handed it. */
export function adoptReaderHandoff(handoff: ReaderHandoff | undefined): void {
	workerPath = handoff?.workerPath ?? null;
	standby = handoff?.standby ?? null;
}

/** The reader's worker script, or null (no launcher: tests from sources; or a build without it). */
export function readerWorkerPath(): string | null {
	return workerPath;
}

/** The reader started ahead, for one import to use (null when there is none, or it was taken). */
export function takeStandbyReader(): StandbyReader | null {
	const taken = standby;
	standby = null;
	return taken;
}

/** The reader started ahead is not needed (small inputs): it ends now instead of with the run. */
export function dismissStandbyReader(): void {
	const taken = takeStandbyReader();
	if (!taken) return;
	taken.port.postMessage({ type: "dismiss" });
	taken.port.close();
	taken.relay.close();
}
