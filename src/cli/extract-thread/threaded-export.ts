// The CLI's reader of an export: on large inputs, the reading (split the JSON, parse, normalize, stringify for
// extract's JSONL, render the note drafts) runs in a worker thread (dist/extract-worker.cjs) while this thread writes
// the notes. Small inputs are read in this thread: starting a thread costs more than it saves there.
import { existsSync } from "node:fs";
import { isMainThread, type Worker } from "node:worker_threads";
import { openExport, WorkerReader, type ReaderEndpoint } from "../../core/app/extract-thread";
import type { ExportReader, OpenExportOptions, ByteSource } from "../../core/app/types";
import { CAPPED_READER_YOUNG_GENERATION_MB, heapLimitMb } from "../heap-limit";
import { newReaderThread, THREAD_MIN_BYTES, type RelayMessage, type StandbyReader } from "./prestart";
import type { FromWorker, ToWorker, WorkerSetup } from "./protocol";
import { dismissReader, dismissStandbyReader, readerScript, readerWarmUp, takeStandbyReader } from "./handoff";
import { armTiering, disarmTiering } from "../v8-flags";

export { THREAD_MIN_BYTES } from "./prestart";
export { WorkerReader };

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
		// Read in this thread. A reader started ahead may still be loading its code: it arms V8's flags when it takes its
		// dismissal, told the bytes of the conversations (a zip's uncompressed), so the inputs are opened first; without
		// one, no thread of the run is loading code any more: armed here, by the same bytes (v8-flags.ts).
		let reader: ExportReader | undefined;
		try {
			reader = await openExport(sources, options);
		} finally {
			if (standby) dismissReader(standby, reader?.totalBytes);
			// A standby given in the settings left the launcher's one in the handoff: that one is not needed either.
			if (settings.standby !== undefined) dismissStandbyReader(reader?.totalBytes);
		}
		if (!standby) armTiering(reader.totalBytes ?? total);
		return reader;
	}
	const setup: WorkerSetup = { files: sources.map((s, i) => ({ path: paths[i]!, name: s.name })), options };
	if (standby) return WorkerReader.open(new PortEndpoint(standby), setup);
	// A command in a worker thread (capped: a large import, a resume, a retry) gets the launcher's small reader. It
	// loads Node's built-ins and its script under V8's default flags (their caches' hash), and arms again when it
	// opens the inputs (v8-flags.ts).
	disarmTiering();
	const worker = newReaderThread(script!, { setup }, heapMb, {
		writeCodeCache: readerWarmUp(),
		...(isMainThread ? {} : { youngMb: CAPPED_READER_YOUNG_GENERATION_MB }),
	});
	return WorkerReader.open(new WorkerEndpoint(worker, heapMb), null);
}

function outOfMemory(heapMb: number, cause: unknown): Error {
	return new Error(
		`Reading the export needed more than ${heapMb} MB of memory (a very large single conversation?). ` +
			`Run it again with KNOWLEDGE_ETL_HEAP_MB=1024 (resume goes on where it stopped: knowledge-etl resume).`,
		{ cause },
	);
}

/** The reader thread as WorkerReader (the core's main side, shared with the plugin) sees it: one it started, or one the launcher started ahead. */
type Endpoint = ReaderEndpoint<{ path: string; name: string }>;

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
		/** The launcher's word of the thread's exit has come: nothing more to hold the process up for. */
		let exited = false;
		this.standby.port.on("message", onMessage);
		this.standby.relay.on("message", (m: RelayMessage) => {
			if (m.type === "error") {
				const e = Object.assign(new Error(m.message), { name: m.name, ...(m.code !== undefined ? { code: m.code } : {}) });
				onFailure(m.code === "ERR_WORKER_OUT_OF_MEMORY" ? outOfMemory(this.standby.heapMb, e) : e);
			} else {
				exited = true;
				onFailure(new Error(`The export reader thread stopped (exit code ${m.code})`));
				this.standby.relay.unref();
			}
		});
		this.standby.relay.unref();
		// The reader's end of the port closes when its thread ends. Its error and exit come by the relay, which alone
		// would not keep the process up: where the thread died (a broken script, out of memory) nothing else might, and
		// the process ended with exit code 13 (a top-level await never settled) and no word of why. Held until the
		// launcher's word of the exit.
		this.standby.port.on("close", () => {
			if (!this.ended && !exited) this.standby.relay.ref();
		});
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
