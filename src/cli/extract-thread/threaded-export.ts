// The CLI's reader of an export: on large inputs, the reading (split the JSON, parse, normalize, stringify for
// extract's JSONL, render the note drafts) runs in a worker thread (dist/extract-worker.cjs) while this thread writes
// the notes. Small inputs are read in this thread: starting a thread costs more than it saves there.
import { existsSync } from "node:fs";
import type { Worker } from "node:worker_threads";
import { openExport } from "../../core/app/extract-thread";
import type { ExportReader, ExtractResult, InputManifestEntry, OpenExportOptions, ReadOptions, ByteSource } from "../../core/app/types";
import { heapLimitMb } from "../heap-limit";
import { newReaderThread, THREAD_MIN_BYTES, type RelayMessage, type StandbyReader } from "./prestart";
import { FIRST_RUN, fromWire, reviveError, type FromWorker, type ToWorker, type WorkerSetup } from "./protocol";
import { dismissReader, dismissStandbyReader, readerScript, readerWarmUp, takeStandbyReader } from "./handoff";

export { THREAD_MIN_BYTES } from "./prestart";

export interface ThreadedExportSettings {
	/** Default {@link THREAD_MIN_BYTES} (0 in the build's warm-up run); 0 = always a thread when one can be started. */
	minBytes?: number;
	/** The reader's script (default: the one dist/cli.js handed over; none from sources). */
	script?: string | null;
	/** Old-generation heap of the worker in MB (default: KNOWLEDGE_ETL_HEAP_MB or 192); 0 = one thread: no worker. */
	heapMb?: number;
	/** A reader thread started ahead to use instead of starting one (default: the one dist/cli.js started, if any). */
	standby?: StandbyReader | null;
}

/** The reader's script that dist/cli.js handed over, if it exists; null from sources (tests) or when missing. */
export function defaultReaderScript(): string | null {
	const script = readerScript();
	return script !== null && existsSync(script) ? script : null;
}

function filePathOf(source: ByteSource): string | null {
	const path = (source as { path?: unknown }).path;
	return typeof path === "string" && path !== "" ? path : null;
}

/** Same contract as the core {@link openExport}; reads in a worker thread when the inputs are large enough. */
export async function openThreadedExport(
	sources: readonly ByteSource[],
	options: OpenExportOptions,
	settings: ThreadedExportSettings = {},
): Promise<ExportReader> {
	const total = sources.reduce((n, s) => n + s.size, 0);
	const paths = sources.map(filePathOf);
	const standby = settings.standby === undefined ? takeStandbyReader() : settings.standby;
	const script = standby ? null : settings.script === undefined ? defaultReaderScript() : settings.script;
	const minBytes = settings.minBytes ?? (readerWarmUp() ? 0 : THREAD_MIN_BYTES);
	const heapMb = settings.heapMb ?? heapLimitMb();
	// KNOWLEDGE_ETL_HEAP_MB=0 is one thread, as the README says: no reader thread either, whatever the size.
	if (sources.length === 0 || total < minBytes || heapMb === 0 || (!standby && script === null) || paths.some((p) => p === null)) {
		if (standby) dismissReader(standby);
		// A standby given in the settings left the launcher's one in the handoff: that one is not needed either.
		if (settings.standby !== undefined) dismissStandbyReader();
		return openExport(sources, options);
	}
	const setup: WorkerSetup = { files: sources.map((s, i) => ({ path: paths[i]!, name: s.name })), options };
	if (standby) return WorkerReader.open(new PortEndpoint(standby), setup);
	const worker = newReaderThread(script!, { setup }, heapMb, { writeCodeCache: readerWarmUp() });
	return WorkerReader.open(new WorkerEndpoint(worker, heapMb), null);
}

function outOfMemory(heapMb: number, cause: unknown): Error {
	return new Error(
		`Reading the export needed more than ${heapMb} MB of memory (a very large single conversation?). ` +
			`Run it again with KNOWLEDGE_ETL_HEAP_MB=1024 (resume goes on where it stopped: knowledge-etl resume).`,
		{ cause },
	);
}

/** The reader thread as WorkerReader sees it: one it started, or one the launcher started ahead. */
interface Endpoint {
	post(message: ToWorker): void;
	/** Messages, then failures (the thread died: out of memory, a crash, an exit) as Errors. */
	listen(onMessage: (m: FromWorker) => void, onFailure: (e: Error) => void): void;
	/** Whether the thread keeps this one's event loop alive (only while someone waits for it). */
	hold(held: boolean): void;
	end(): Promise<void>;
}

class WorkerEndpoint implements Endpoint {
	constructor(
		private readonly worker: Worker,
		private readonly heapMb: number,
	) {}

	post(message: ToWorker): void {
		this.worker.postMessage(message);
	}

	listen(onMessage: (m: FromWorker) => void, onFailure: (e: Error) => void): void {
		this.worker.on("message", onMessage);
		this.worker.on("error", (e: Error & { code?: string }) =>
			onFailure(e.code === "ERR_WORKER_OUT_OF_MEMORY" ? outOfMemory(this.heapMb, e) : e),
		);
		this.worker.on("exit", (code) => onFailure(new Error(`The export reader thread stopped (exit code ${code})`)));
	}

	hold(held: boolean): void {
		if (held) this.worker.ref();
		else this.worker.unref();
	}

	async end(): Promise<void> {
		await this.worker.terminate();
	}
}

class PortEndpoint implements Endpoint {
	private ended = false;

	constructor(private readonly standby: StandbyReader) {}

	post(message: ToWorker): void {
		if (!this.ended) this.standby.port.postMessage(message);
	}

	listen(onMessage: (m: FromWorker) => void, onFailure: (e: Error) => void): void {
		this.standby.port.on("message", onMessage);
		this.standby.relay.on("message", (m: RelayMessage) => {
			if (m.type === "error") {
				const e = Object.assign(new Error(m.message), { name: m.name, ...(m.code !== undefined ? { code: m.code } : {}) });
				onFailure(m.code === "ERR_WORKER_OUT_OF_MEMORY" ? outOfMemory(this.standby.heapMb, e) : e);
			} else {
				onFailure(new Error(`The export reader thread stopped (exit code ${m.code})`));
			}
		});
		this.standby.relay.unref();
	}

	hold(held: boolean): void {
		if (held) this.standby.port.ref();
		else this.standby.port.unref();
	}

	end(): Promise<void> {
		// The thread ends by itself once closed (and with the run at the latest: the launcher ends it).
		this.ended = true;
		this.standby.port.close();
		this.standby.relay.close();
		return Promise.resolve();
	}
}

type Waiter = { resolve: (m: FromWorker) => void; reject: (e: Error) => void };

/** The main side of one reader thread: an ExportReader fed by batches, taking one more batch each time it takes one. */
export class WorkerReader implements ExportReader {
	private queue: FromWorker[] = [];
	private waiter: Waiter | null = null;
	/** The thread died (out of memory, a crash): every later wait fails with this. */
	private dead: Error | null = null;
	private runs = 0;
	private active = 0;
	private closed = false;
	private manifest: { inputs: InputManifestEntry[]; skipped: { name: string; reason: string }[]; totalBytes?: number } = {
		inputs: [],
		skipped: [],
	};

	private constructor(private readonly endpoint: Endpoint) {
		endpoint.listen(
			(m) => this.deliver(m),
			(e) => this.deliver(e),
		);
	}

	get inputs(): readonly InputManifestEntry[] {
		return this.manifest.inputs;
	}

	get skipped(): readonly { name: string; reason: string }[] {
		return this.manifest.skipped;
	}

	get totalBytes(): number | undefined {
		return this.manifest.totalBytes;
	}

	/** Batches received and not taken yet (never more than WINDOW, plus those of a run given up). */
	get queuedBatches(): number {
		return this.queue.filter((m) => m.type === "batch").length;
	}

	/** Waits for the thread to open the inputs (sending it `setup` first when it was started ahead). */
	static async open(endpoint: Endpoint, setup: WorkerSetup | null): Promise<WorkerReader> {
		const reader = new WorkerReader(endpoint);
		reader.holdOn();
		try {
			if (setup) endpoint.post({ type: "setup", setup });
			const first = await reader.next();
			if (first.type !== "opened")
				throw first.type === "open-failed"
					? reviveError(first.error)
					: new Error(`The export reader thread sent ${first.type} before opening`);
			reader.manifest = {
				inputs: first.inputs,
				skipped: first.skipped,
				...(first.totalBytes !== undefined ? { totalBytes: first.totalBytes } : {}),
			};
		} catch (e) {
			reader.closed = true;
			await endpoint.end();
			throw e;
		} finally {
			reader.letGo();
		}
		return reader;
	}

	private deliver(message: FromWorker | Error): void {
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
		if (!this.dead) this.endpoint.post(message);
	}

	private holdOn(): void {
		if (this.active++ === 0) this.endpoint.hold(true);
	}

	private letGo(): void {
		if (--this.active === 0) this.endpoint.hold(false);
	}

	async *conversations(options?: ReadOptions): AsyncGenerator<ExtractResult, void, undefined> {
		if (this.closed) throw new Error("The export reader is closed");
		// The thread starts the first run by itself once the inputs are open, and holds its first batch until asked
		// (the session, which drafts need, was not known yet); later calls ask for a new run.
		const run = this.runs === 0 ? (this.runs = FIRST_RUN) : ++this.runs;
		const draft = options?.draft;
		if (run === FIRST_RUN) {
			this.post({ type: "draft", run, ...(draft ? { draft } : {}) });
		} else {
			// Messages of an earlier run (abandoned part way) are dropped as they come.
			this.queue = this.queue.filter((m) => !("run" in m) || m.run === run);
			this.post({ type: "iterate", run, ...(draft ? { draft } : {}) });
		}
		this.holdOn();
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
			this.letGo();
		}
	}

	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		if (!this.dead) {
			this.holdOn();
			this.post({ type: "close" });
			try {
				for (;;) if ((await this.next()).type === "closed") break;
			} catch {
				// Dead already: nothing left to close.
			} finally {
				this.letGo();
			}
		}
		await this.endpoint.end();
	}
}
