// The reader thread started ahead. An import spends its first ~0.1 s loading the CLI; dist/cli.js (main.ts) starts
// the export's reader thread at the same time when the command line names a large export (import-size-guess.ts), so
// that the reader is loaded too when the import asks for it. The import takes it (handoff.ts) or dismisses it.
// Only node: modules here: the launcher must stay small.
import { MessageChannel, Worker, type MessagePort } from "node:worker_threads";
import { readerWorkerSource, type ReaderData } from "../script-loader";
import type { WorkerStart } from "./protocol";
import { workerResourceLimits } from "../heap-limit";

/** Inputs smaller than this in total are read in the import's own thread: a thread costs more than it saves there. */
export const THREAD_MIN_BYTES = 16 * 1024 * 1024;

/** What the CLI's thread gets: the port to the reader, and the launcher's word when the reader fails or ends. */
export interface StandbyReader {
	port: MessagePort;
	/** Carries {@link RelayMessage}s from the launcher, which sees the reader's errors (out of memory) and exit. */
	relay: MessagePort;
	heapMb: number;
}

export type RelayMessage = { type: "error"; name: string; message: string; code?: string } | { type: "exit"; code: number };

/** Starts a reader thread (dist/extract-worker.cjs, loaded with its code cache) with the given start. */
export function newReaderThread(
	script: string,
	start: WorkerStart,
	heapMb: number,
	options: { transfer?: MessagePort[]; writeCodeCache?: boolean; youngMb?: number } = {},
): Worker {
	return new Worker(readerWorkerSource(), {
		eval: true,
		workerData: { script, start, ...(options.writeCodeCache ? { writeCodeCache: true } : {}) } satisfies ReaderData<WorkerStart>,
		...(options.transfer ? { transferList: options.transfer } : {}),
		...(heapMb > 0 ? { resourceLimits: workerResourceLimits(heapMb, options.youngMb) } : {}),
	});
}

/** Starts the reader thread waiting for its inputs; hand `forCli` (and `transfer`) to the CLI's thread. */
export function startStandbyReader(
	script: string,
	heapMb: number,
	writeCodeCache = false,
	youngMb?: number,
): { worker: Worker; forCli: StandbyReader; transfer: MessagePort[] } {
	const channel = new MessageChannel();
	const relay = new MessageChannel();
	const worker = newReaderThread(script, { standby: channel.port2 }, heapMb, {
		transfer: [channel.port2],
		writeCodeCache,
		...(youngMb !== undefined ? { youngMb } : {}),
	});
	const tell = (m: RelayMessage): void => relay.port1.postMessage(m);
	worker.on("error", (e: Error & { code?: string }) =>
		tell({ type: "error", name: e.name, message: e.message, ...(e.code !== undefined ? { code: e.code } : {}) }),
	);
	worker.on("exit", (code) => tell({ type: "exit", code }));
	worker.unref();
	return { worker, forCli: { port: channel.port1, relay: relay.port2, heapMb }, transfer: [channel.port1, relay.port2] };
}
