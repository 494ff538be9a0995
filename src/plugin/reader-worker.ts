import {
	firstNotePath,
	openExport,
	PremadePaths,
	premakeNote,
	rememberBodyHash,
	rememberPremadeNote,
	saveBodyHash,
	serveReader,
	WorkerReader,
	type DraftOptions,
	type FromWorker,
	type PremadeNote,
	type ReaderEndpoint,
	type ToWorker,
	type WireResult,
	type WorkerSidePort,
} from "../core/app/extract-thread";
import type { ByteSource, ExportReader, OpenExportOptions } from "../core/app/types";
import { BlobByteSource } from "./blob-byte-source";

/**
 * The plugin's export reader off Obsidian's UI thread: reading, splitting, parsing, normalising and rendering the
 * note drafts run in a Web Worker; the UI thread only writes (notes through the Vault API, session files through the
 * adapter). The same protocol and both ends as the CLI's reader thread (core/import/extract/reader-thread).
 *
 * The worker's code is main.js itself, not a second copy of the engine in the bundle: the worker is started from a
 * blob URL of the plugin's own main.js (read from the plugin folder through the adapter once), wrapped so that it
 * evaluates as a CommonJS module with a do-nothing `obsidian`, and then calls `startReaderWorker` (main.ts), which
 * loads this module's worker half. Nothing of it is evaluated at plugin load.
 *
 * The worker reads a picked File itself (a File crosses to a worker without a copy). Any other input (a file reopened
 * by its path after a restart: Node's fs exists only on the UI thread) is read by range on the UI thread for it.
 * Where a worker cannot start, the export is read on the UI thread (the pipeline yields between items), and the
 * debug log says so.
 */

/** An input as the worker gets it: a Blob to read itself, or only its name and size (read through `read` messages). */
export interface WorkerInput {
	name: string;
	size: number;
	blob?: Blob;
}

/**
 * What the worker runs: a module scope, an `obsidian` that is never used there, main.js, then the reader. As Blob
 * parts: main.js goes in as the bytes read from disk, never made a 1.3 MB string (and encoded back to UTF-8 for
 * the Blob) on the UI thread, which took one task of 100 ms and more at the start of every import (issue 17).
 */
function workerSource(mainJs: ArrayBuffer | string): BlobPart[] {
	return [
		[
			"(function(){",
			"var dummy=function(){};",
			'var obsidian=new Proxy({},{get:function(t,k){return k==="__esModule"||k==="then"||typeof k!=="string"?undefined:dummy;}});',
			'var require=function(id){if(id==="obsidian")return obsidian;throw new Error("knowledge-etl reader: no module "+id);};',
			"var module={exports:{}};",
			"(function(module,exports,require){\n",
		].join(""),
		mainJs,
		["\n})(module,module.exports,require);", "module.exports.startReaderWorker();", "})();"].join(""),
	];
}

/** A Web Worker as the reader's endpoint (ended by terminate). */
class DomWorkerEndpoint implements ReaderEndpoint<WorkerInput> {
	constructor(
		private readonly worker: Worker,
		private readonly ended: () => void,
	) {}

	post(message: ToWorker<WorkerInput>): void {
		const transfer = message.type === "bytes" && message.data ? [message.data.buffer as ArrayBuffer] : [];
		this.worker.postMessage(message, transfer);
	}

	listen(onMessage: (m: FromWorker) => void, onFailure: (e: Error) => void): void {
		this.worker.addEventListener("message", (e: MessageEvent<FromWorker>) => onMessage(takeWorkerWork(e.data)));
		this.worker.addEventListener("messageerror", () => onFailure(new Error("The export reader sent a message that could not be read")));
		this.worker.addEventListener("error", (e: ErrorEvent) => {
			e.preventDefault();
			onFailure(new Error(`The export reader stopped: ${e.message || "the worker failed"}`));
		});
	}

	hold(): void {
		// A browser's worker keeps nothing alive.
	}

	end(): Promise<void> {
		this.worker.terminate();
		this.ended();
		return Promise.resolve();
	}
}

/** Where the plugin's main.js is, and how to read it (the plugin folder, through the adapter). */
export interface ReaderWorkerHost {
	/** main.js's bytes (or its text). */
	readMainJs(): Promise<ArrayBuffer | string>;
	logDebug(message: string, detail?: unknown): void;
}

/**
 * The plugin's reader workers: the blob URL of their code (made once), the workers running, all ended on unload.
 * `openExport` is the host's port for the import (see core Host.openExport).
 */
export class ReaderWorkers {
	private url: Promise<string | null> | null = null;
	private readonly live = new Set<Worker>();
	private disposed = false;
	/** True once a worker could not be started: later imports read on the UI thread without trying again. */
	private unavailable = false;

	constructor(private readonly host: ReaderWorkerHost) {}

	/** Workers running now (tests and the harness look). */
	get running(): number {
		return this.live.size;
	}

	private codeUrl(): Promise<string | null> {
		this.url ??= this.host.readMainJs().then(
			(code) => URL.createObjectURL(new Blob(workerSource(code), { type: "text/javascript" })),
			(e: unknown) => {
				this.host.logDebug("The export reader cannot run in a worker: the plugin's main.js could not be read", e);
				return null;
			},
		);
		return this.url;
	}

	readonly openExport = async (sources: readonly ByteSource[], options: OpenExportOptions): Promise<ExportReader> => {
		const worker = this.unavailable || this.disposed || typeof Worker === "undefined" ? null : await this.start();
		if (!worker) return openExport(sources, options);
		const inputs: WorkerInput[] = sources.map((s) =>
			s instanceof BlobByteSource ? { name: s.name, size: s.size, blob: s.blob } : { name: s.name, size: s.size },
		);
		const endpoint = new DomWorkerEndpoint(worker, () => this.live.delete(worker));
		try {
			return await WorkerReader.open(endpoint, { files: inputs, options }, (file, offset, length) => {
				const source = sources[file];
				if (!source) return Promise.reject(new Error(`The export reader asked for input ${file}, which it was not given`));
				return source.read(offset, length);
			});
		} catch (e) {
			// A worker that started but could not run (its code failed to load): read here instead, and from now on.
			if (e instanceof Error && e.message.startsWith("The export reader stopped")) {
				this.unavailable = true;
				this.host.logDebug("The export reader failed in its worker; reading on the UI thread instead", e);
				return openExport(sources, options);
			}
			throw e;
		}
	};

	private async start(): Promise<Worker | null> {
		const url = await this.codeUrl();
		if (!url || this.disposed) return null;
		try {
			const worker = new Worker(url, { name: "knowledge-etl-reader" });
			this.live.add(worker);
			return worker;
		} catch (e) {
			this.unavailable = true;
			this.host.logDebug("The export reader cannot run in a worker here; reading on the UI thread", e);
			return null;
		}
	}

	/** Ends every worker (plugin unload; a cancelled import ends its own when the import closes its reader). */
	dispose(): void {
		this.disposed = true;
		for (const w of this.live) w.terminate();
		this.live.clear();
		void this.url?.then((u) => u && URL.revokeObjectURL(u));
	}
}

/** A range of an input that only the UI thread can read, asked for through the port. */
class RemoteByteSource implements ByteSource {
	constructor(
		readonly name: string,
		readonly size: number,
		private readonly readRange: (offset: number, length: number) => Promise<Uint8Array>,
	) {}

	read(offset: number, length: number): Promise<Uint8Array> {
		if (offset >= this.size || length <= 0) return Promise.resolve(new Uint8Array(0));
		return this.readRange(offset, Math.min(length, this.size - offset));
	}
}

/** The fields a batch's draft carries from the worker: its body's SHA-256 state, its note made whole (see prepareBatch). */
const BODY_HASH = "bodySha256";
const PREMADE = "premadeNote";

/** A premade note as it crosses: its text holds the draft's body, which the draft then leaves out (one copy, not two). */
type WirePremade = PremadeNote & { bodyAt: number };

/** Per run (its draft options), the first paths of the notes premade so far. */
type RunPaths = WeakMap<DraftOptions, PremadePaths>;

/** prepareBatch for the batches of one worker's runs (it remembers each run's premade paths). */
export function batchPreparer(): (items: WireResult[], options: DraftOptions | null) => Promise<void> {
	const runs: RunPaths = new WeakMap();
	return (items, options) => prepareBatch(items, options, runs);
}

/**
 * In the worker, before a batch goes, what the UI thread would otherwise do for each draft there. Where the import
 * said where new notes go: the note made whole for its first path (text, index hash, bytes: see PremadeNote), so that
 * load on the UI thread only writes it; the draft then crosses without its body (the note's end). A draft whose first
 * path an earlier one of the run took (a repeated title) is named otherwise by load: for it, as where no place was
 * said, its body's SHA-256 state (see saveBodyHash), so that its file id there hashes only the path. Composing and
 * hashing every note on the UI thread was ~1.3 s of 10,000 notes in the browser profile, and hashing the body in
 * JavaScript here ~1 s (issue 17); here the body is encoded once for both native hashes.
 */
export async function prepareBatch(items: WireResult[], options: DraftOptions | null, runs: RunPaths = new WeakMap()): Promise<void> {
	const place = options?.premake;
	let taken = options ? runs.get(options) : undefined;
	if (options && place && !taken) runs.set(options, (taken = new PremadePaths()));
	// One at a time: each note's two hashes share one buffer.
	for (const item of items) {
		if (!item.ok || !item.draft) continue;
		const draft = item.draft;
		const path = place ? firstNotePath(draft, place) : null;
		const note = path !== null && taken?.claim(path) ? await premakeNote(draft, path) : null;
		if (note) {
			const wire: WirePremade = { ...note, bodyAt: note.text.length - draft.body.length };
			item.draft = { ...draft, body: "", [PREMADE]: wire } as typeof draft;
		} else item.draft = { ...draft, [BODY_HASH]: saveBodyHash(draft.body) } as typeof draft;
	}
}

/**
 * On the UI thread, as a batch arrives: each draft's body back from its premade note, the note kept for it
 * (rememberPremadeNote) and its body hash (rememberBodyHash), off the draft itself.
 */
export function takeWorkerWork(message: FromWorker): FromWorker {
	if (message.type !== "batch") return message;
	for (const item of message.items) {
		const draft = item.ok ? item.draft : undefined;
		if (!draft) continue;
		const fields = draft as unknown as Record<string, unknown>;
		const made = fields[PREMADE] as WirePremade | undefined;
		const saved = fields[BODY_HASH];
		delete fields[PREMADE];
		delete fields[BODY_HASH];
		if (made && typeof made.text === "string" && typeof made.bodyAt === "number") {
			draft.body = made.text.slice(made.bodyAt);
			rememberPremadeNote(draft, { path: made.path, text: made.text, hash: made.hash, bytes: made.bytes });
		}
		if (typeof saved === "string") rememberBodyHash(draft, saved);
	}
	return message;
}

/** The worker's half: serves one import over the worker's own port (called by main.ts's startReaderWorker). */
export function serveInWorker(): void {
	const scope = self as unknown as {
		postMessage(message: unknown): void;
		addEventListener(type: "message", handler: (e: MessageEvent) => void): void;
		close(): void;
	};
	const port: WorkerSidePort<WorkerInput> = {
		post: (message) => scope.postMessage(message),
		onMessage: (handler) => scope.addEventListener("message", (e: MessageEvent) => handler(e.data as ToWorker<WorkerInput>)),
		close: () => scope.close(),
	};
	serveReader(
		port,
		{
			open: (setup, remote) =>
				Promise.resolve(
					setup.files.map((f, i) =>
						f.blob ? new BlobByteSource(f.blob, f.name) : new RemoteByteSource(f.name, f.size, (o, l) => remote(i, o, l)),
					),
				),
			release: () => Promise.resolve(),
		},
		{ prepare: batchPreparer() },
	);
}
