// Entry of dist/cli-worker.js: the whole CLI (all logic is in cli.ts, which tests call in-process). dist/cli.js
// (main.ts) starts it in a worker thread with a capped heap, or imports it and calls runCli when the cap is off.
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { main } from "./cli";
import type { StandbyReader } from "./extract-thread/prestart";
import { adoptStandbyReader } from "./extract-thread/standby";
import { processIo } from "./output";

/** What dist/cli.js hands the worker. */
export interface CliWorkerData {
	kind: "knowledge-etl-cli";
	argv: string[];
	isTTY: boolean;
	/** The export's reader thread, started ahead by dist/cli.js when the command line names a large export. */
	standby?: StandbyReader;
}

/** Runs one command line with the process's stdout and stderr; resolves to the exit code. */
export function runCli(argv: string[], isTTY: boolean): Promise<number> {
	return main(argv, { ...processIo(), isTTY }).catch((error: unknown) => {
		console.error(error);
		return 1;
	});
}

const data = workerData as Partial<CliWorkerData> | null;
if (!isMainThread && data?.kind === "knowledge-etl-cli") {
	adoptStandbyReader(data.standby);
	void runCli(data.argv ?? [], data.isTTY === true).then((code) => parentPort?.postMessage({ code }));
}
