// The messages between the import (main side) and the thread that reads the export (extract-worker.ts): the core's
// (import/extract/reader-thread, shared with the plugin's Web Worker), with what the CLI's thread is told to read
// (files by path) and how it starts (told at once, or waiting on a port as a reader started ahead).
import type { MessagePort } from "node:worker_threads";
import type { FromWorker as CoreFromWorker, ReaderSetup, ToWorker as CoreToWorker } from "../../core/app/extract-thread";

export {
	BATCH_CHARS,
	BATCH_ITEMS,
	FIRST_RUN,
	WINDOW,
	fromWire,
	reviveError,
	toWire,
	wireError,
	type DraftOptions,
	type WireError,
	type WireResult,
} from "../../core/app/extract-thread";

/** The CLI's thread opens the files again by path. */
export type WorkerSetup = ReaderSetup<{ path: string; name: string }>;

/**
 * The worker's workerData: what to read (a worker started for it), or a port to wait on (a worker started ahead by
 * dist/cli.js while the CLI loads, told what to read with `setup`, or `dismiss`ed when the thread is not needed).
 */
export type WorkerStart = { setup: WorkerSetup } | { standby: MessagePort };

export type ToWorker = CoreToWorker<{ path: string; name: string }>;
export type FromWorker = CoreFromWorker;
