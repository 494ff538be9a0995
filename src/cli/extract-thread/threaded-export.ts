// The CLI's reader of an export: on large inputs, the reading (split the JSON, parse, normalize, stringify for
// extract's JSONL) runs in a worker thread (dist/extract-worker.js) while this thread renders and writes the notes.
// Small inputs are read in this thread: starting a thread costs more than it saves there.
import { existsSync } from "node:fs";
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { openExport, type ExportReader, type ExtractResult, type InputManifestEntry, type OpenExportOptions } from "../../core/import/extract/open-export";
import type { ByteSource } from "../../core/ports/byte-source";
import { heapLimitMb } from "../heap-limit";
import { FIRST_RUN, fromWire, reviveError, type FromWorker, type ToWorker, type WorkerSetup } from "./protocol";

/** Inputs smaller than this in total are read in this thread (see the report of the change for the measurements). */
export const THREAD_MIN_BYTES = 8 * 1024 * 1024;

export interface ThreadedExportSettings {
	/** Default {@link THREAD_MIN_BYTES}; 0 = always a thread when one can be started. */
	minBytes?: number;
	/** The worker script (default: extract-worker next to the running bundle, with its extension; none from sources). */
	workerUrl?: URL | null;
	/** Old-generation heap of the worker in MB (default: KNOWLEDGE_ETL_HEAP_MB or 192; 0 = no cap). */
	heapMb?: number;
}

/** extract-worker.js (or .mjs) next to the running bundle; null when running from sources or when it is missing. */
export function defaultWorkerUrl(): URL | null {
	const ext = extname(fileURLToPath(import.meta.url));
	if (ext !== ".js" && ext !== ".mjs" && ext !== ".cjs") return null;
	const url = new URL(`./extract-worker${ext}`, import.meta.url);
	return existsSync(fileURLToPath(url)) ? url : null;
}

function filePathOf(source: ByteSource): string | null {
	const path = (source as { path?: unknown }).path;
	return typeof path === "string" && path !== "" ? path : null;
}

/** Same contract as the core {@link openExport}; reads in a worker thread when the inputs are large enough. */
export async function openThreadedExport(sources: readonly ByteSource[], options: OpenExportOptions, settings: ThreadedExportSettings = {}): Promise<ExportReader> {
	const total = sources.reduce((n, s) => n + s.size, 0);
	const paths = sources.map(filePathOf);
	const workerUrl = settings.workerUrl === undefined ? defaultWorkerUrl() : settings.workerUrl;
	if (sources.length === 0 || total < (settings.minBytes ?? THREAD_MIN_BYTES) || workerUrl === null || paths.some((p) => p === null)) {
		return openExport(sources, options);
	}
	const files = sources.map((s, i) => ({ path: paths[i]!, name: s.name }));
	return WorkerReader.open(workerUrl, { files, options }, settings.heapMb ?? heapLimitMb());
}

type Waiter = { resolve: (m: FromWorker) => void; reject: (e: Error) => void };

/** The main side of one worker: an ExportReader fed by batches, taking one more batch each time it takes one. */
export class WorkerReader implements ExportReader {
	private queue: FromWorker[] = [];
	private waiter: Waiter | null = null;
	/** The worker died (out of memory, a crash): every later wait fails with this. */
	private dead: Error | null = null;
	private runs = 0;
	private active = 0;
	private closed = false;

	private constructor(
		private readonly worker: Worker,
		readonly inputs: readonly InputManifestEntry[],
		readonly skipped: readonly { name: string; reason: string }[],
	) {}

	static async open(url: URL, setup: WorkerSetup, heapMb: number): Promise<WorkerReader> {
		const worker = new Worker(url, {
			workerData: setup,
			...(heapMb > 0 ? { resourceLimits: { maxOldGenerationSizeMb: heapMb } } : {}),
		});
		const early = new Inbox(worker, heapMb);
		const first = await early.next();
		if (first.type === "opened") {
			const reader = new WorkerReader(worker, first.inputs, first.skipped);
			early.handOver(reader);
			worker.unref();
			return reader;
		}
		await worker.terminate();
		throw first.type === "open-failed" ? reviveError(first.error) : new Error(`The export reader thread sent ${first.type} before opening`);
	}

	/** Batches received and not taken yet (never more than WINDOW, plus those of a run given up). */
	get queuedBatches(): number {
		return this.queue.filter((m) => m.type === "batch").length;
	}

	/** Called by the Inbox for each message and failure once the reader exists. */
	deliver(message: FromWorker | Error): void {
		if (message instanceof Error) {
			this.dead ??= message;
			const w = this.waiter;
			this.waiter = null;
			w?.reject(message);
			return;
		}
		const w = this.waiter;
		if (w) {
			this.waiter = null;
			w.resolve(message);
		} else {
			this.queue.push(message);
		}
	}

	private next(): Promise<FromWorker> {
		const queued = this.queue.shift();
		if (queued) return Promise.resolve(queued);
		if (this.dead) return Promise.reject(this.dead);
		return new Promise<FromWorker>((resolve, reject) => (this.waiter = { resolve, reject }));
	}

	private post(message: ToWorker): void {
		if (!this.dead) this.worker.postMessage(message);
	}

	private hold(): void {
		if (this.active++ === 0) this.worker.ref();
	}

	private release(): void {
		if (--this.active === 0) this.worker.unref();
	}

	async *conversations(): AsyncGenerator<ExtractResult, void, undefined> {
		if (this.closed) throw new Error("The export reader is closed");
		// The worker starts the first run by itself when it has opened the inputs; later calls ask for a new one.
		const run = this.runs === 0 ? (this.runs = FIRST_RUN) : ++this.runs;
		if (run !== FIRST_RUN) {
			// Messages of an earlier run (abandoned part way) are dropped as they come.
			this.queue = this.queue.filter((m) => !("run" in m) || m.run === run);
			this.post({ type: "iterate", run });
		}
		this.hold();
		let finished = false;
		try {
			for (;;) {
				const m = await this.next();
				if (!("run" in m) || m.run !== run) continue;
				if (m.type === "batch") {
					this.post({ type: "credit", run });
					for (const item of m.items) yield fromWire(item);
				} else if (m.type === "end") {
					finished = true;
					return;
				} else if (m.type === "failed") {
					finished = true;
					throw reviveError(m.error);
				}
			}
		} finally {
			if (!finished) this.post({ type: "stop", run });
			this.release();
		}
	}

	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		if (!this.dead) {
			this.hold();
			this.post({ type: "close" });
			try {
				for (;;) if ((await this.next()).type === "closed") break;
			} catch {
				// Dead already: nothing left to close.
			} finally {
				this.release();
			}
		}
		await this.worker.terminate();
	}
}

/** Receives the worker's messages and failures: first for WorkerReader.open, then for the reader. */
class Inbox {
	private target: WorkerReader | null = null;
	private pending: (FromWorker | Error)[] = [];
	private waiter: Waiter | null = null;

	constructor(worker: Worker, heapMb: number) {
		worker.on("message", (m: FromWorker) => this.push(m));
		worker.on("error", (e: Error & { code?: string }) => {
			this.push(
				e.code === "ERR_WORKER_OUT_OF_MEMORY"
					? new Error(
							`Reading the export needed more than ${heapMb} MB of memory (a very large single conversation?). ` +
								`Run it again with KNOWLEDGE_ETL_HEAP_MB=1024 (resume goes on where it stopped: knowledge-etl resume).`,
							{ cause: e },
						)
					: e,
			);
		});
		worker.on("exit", (code) => this.push(new Error(`The export reader thread stopped (exit code ${code})`)));
	}

	private push(m: FromWorker | Error): void {
		if (this.target) return this.target.deliver(m);
		const w = this.waiter;
		if (w) {
			this.waiter = null;
			if (m instanceof Error) w.reject(m);
			else w.resolve(m);
		} else {
			this.pending.push(m);
		}
	}

	next(): Promise<FromWorker> {
		const m = this.pending.shift();
		if (m instanceof Error) return Promise.reject(m);
		if (m) return Promise.resolve(m);
		return new Promise<FromWorker>((resolve, reject) => (this.waiter = { resolve, reject }));
	}

	handOver(reader: WorkerReader): void {
		this.target = reader;
		for (const m of this.pending.splice(0)) reader.deliver(m);
	}
}
