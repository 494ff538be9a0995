// The reader thread that dist/cli.js started ahead for this run (prestart.ts), if any: the import takes it once.
import type { StandbyReader } from "./prestart";

let standby: StandbyReader | null = null;

/** Called once by the CLI's thread with what the launcher handed it. */
export function adoptStandbyReader(reader: StandbyReader | null | undefined): void {
	standby = reader ?? null;
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
