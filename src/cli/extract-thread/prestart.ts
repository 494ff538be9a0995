// The reader thread started ahead. An import spends its first ~0.1 s loading the CLI; dist/cli.js (main.ts) starts
// the export's reader thread at the same time when the command line names a large export, so that the reader is
// loaded too when the import asks for it. The import takes it (standby.ts) or dismisses it (small inputs after all).
// Only node: modules here: the launcher must stay small.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { MessageChannel, Worker, type MessagePort } from "node:worker_threads";
import type { WorkerStart } from "./protocol";

/** Inputs smaller than this in total are read in the import's own thread: a thread costs more than it saves there. */
export const THREAD_MIN_BYTES = 8 * 1024 * 1024;

/** What the CLI's thread gets: the port to the reader, and the launcher's word when the reader fails or ends. */
export interface StandbyReader {
	port: MessagePort;
	/** Carries {@link RelayMessage}s from the launcher, which sees the reader's errors (out of memory) and exit. */
	relay: MessagePort;
	heapMb: number;
}

export type RelayMessage = { type: "error"; name: string; message: string; code?: string } | { type: "exit"; code: number };

const EXPORT_FILE = /^conversations(?:-\d+)?\.json$|\.zip$/i;

function sizeOf(path: string): number {
	try {
		const info = statSync(path);
		if (info.isFile()) return info.size;
		if (!info.isDirectory()) return 0;
		// A folder: its own export files (the import also looks one level down; those are not counted here).
		let total = 0;
		for (const name of readdirSync(path)) if (EXPORT_FILE.test(name)) total += sizeOf(join(path, name));
		return total;
	} catch {
		return 0;
	}
}

/**
 * Whether a command line is an import whose inputs look large enough for the reader thread: the files (and the
 * export files of the folders) it names, whatever the options are, add up to `minBytes`. A guess, cheap and
 * harmless when wrong: the import decides from the inputs it opens, and dismisses a reader it does not need.
 */
export function looksLikeLargeImport(argv: readonly string[], minBytes = THREAD_MIN_BYTES): boolean {
	if (argv[0] !== "import") return false;
	let total = 0;
	for (const arg of argv.slice(1)) {
		if (arg.startsWith("-")) continue;
		total += sizeOf(arg);
		if (total >= minBytes) return true;
	}
	return false;
}

/** Starts the reader thread waiting for its inputs; hand `forCli` (and `transfer`) to the CLI's thread. */
export function startStandbyReader(url: URL, heapMb: number): { worker: Worker; forCli: StandbyReader; transfer: MessagePort[] } {
	const channel = new MessageChannel();
	const relay = new MessageChannel();
	const worker = new Worker(url, {
		workerData: { standby: channel.port2 } satisfies WorkerStart,
		transferList: [channel.port2],
		...(heapMb > 0 ? { resourceLimits: { maxOldGenerationSizeMb: heapMb } } : {}),
	});
	const tell = (m: RelayMessage): void => relay.port1.postMessage(m);
	worker.on("error", (e: Error & { code?: string }) => tell({ type: "error", name: e.name, message: e.message, ...(e.code !== undefined ? { code: e.code } : {}) }));
	worker.on("exit", (code) => tell({ type: "exit", code }));
	worker.unref();
	return { worker, forCli: { port: channel.port1, relay: relay.port2, heapMb }, transfer: [channel.port1, relay.port2] };
}
