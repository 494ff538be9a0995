// An export read in another thread (the CLI's worker thread, the plugin's Web Worker): the messages between the
// import (main side) and the thread that reads, and both ends, over any message port. Pure: the hosts give the port
// (node:worker_threads, a DOM Worker) and how the thread opens its inputs.
//
// The thread runs `openExport` on the inputs and sends conversations in batches, each conversation as its JSON line
// (the main side parses it back only if it needs it; extract writes the line as is) with its note draft when the
// import asked for drafts, and never more than WINDOW batches ahead of what the main side has taken: memory stays
// bounded on any export.
import { InputError } from "./errors";
import {
	openExport,
	type ExportReader,
	type ExtractResult,
	type InputManifestEntry,
	type OpenExportOptions,
	type ReadOptions,
} from "./open-export";
import type { ByteSource } from "../../ports/byte-source";
import type { Conversation } from "../../model/conversation";
import { conversationFacts, type ConversationFacts } from "../../model/conversation-facts";
import { draftNote, type NoteDraft } from "../transform/note-draft";
import { conversationKey } from "../load/conversation-key";
import { hintedKey, hintedSameTime } from "../load/source-time-hints";

/** What the worker needs to render each conversation's note draft (see ReadOptions). */
export type DraftOptions = NonNullable<ReadOptions["draft"]>;

/** Batches the worker may send that the main side has not taken yet. */
export const WINDOW = 4;
/** A batch is sent when it holds this many conversations… */
export const BATCH_ITEMS = 256;
/** …or this many characters of JSON (one conversation larger than this goes alone). */
export const BATCH_CHARS = 1 << 20;

/** What a result held back without its line counts for in a batch at least (see BATCH_CHARS), its position aside. */
const HELD_MIN_CHARS = 1024;

/** The run the worker starts by itself once the inputs are open (the first `conversations()` call takes it). */
export const FIRST_RUN = 1;

/** What to read: the host's description of each input (a path, a Blob), and the reader's options. */
export interface ReaderSetup<F> {
	files: F[];
	options: OpenExportOptions;
}

/**
 * A conversation as it crosses the thread boundary: its JSON, not the object (a string is cheap to copy), and its
 * note draft when the import asked for drafts (rendered in the worker, on the other core). With a draft, the JSON is
 * left out when the import said it needs none (DraftOptions.linesOnlyFor): most of what crossed was that copy.
 */
export type WireResult =
	| {
			ok: true;
			/** Absent when the worker held it back (`held`, see DraftOptions.holdUnchanged): asked for with `line`. */
			line?: string;
			facts: ConversationFacts;
			source: string;
			index: number;
			draft?: NoteDraft;
			position?: number;
			held?: number;
			/** Held, taken from a look at its element (ExtractResult.quick): `line` brings it whole (`item`). */
			quick?: true;
	  }
	| { ok: false; source: string; index: number; itemId?: string; title?: string; reason: string; position?: number };

export type LineMessage = { type: "line"; id: number; line?: string; item?: WireResult; error?: WireError };

/** An error as data; {@link reviveError} gives back an InputError as an InputError (file and problem kept). */
export interface WireError {
	name: string;
	message: string;
	stack?: string;
	file?: string;
	problem?: string;
	code?: string;
}

export type ToWorker<F = unknown> =
	/** Start reading from the beginning (a `conversations()` call after the first); any earlier run stops. */
	| { type: "iterate"; run: number; draft?: DraftOptions }
	/**
	 * The first `conversations()` call takes the first run, which started before the import knew its session: render
	 * drafts from now on (when asked for; the batch waiting to go gets them too), and start sending.
	 */
	| { type: "draft"; run: number; draft?: DraftOptions }
	/** The main side took a batch: one more may be sent. */
	| { type: "credit"; run: number }
	/** The main side stopped this run early (a limit, an error downstream). */
	| { type: "stop"; run: number }
	/** Close the inputs; the worker answers `closed` and then has nothing left to do. */
	| { type: "close" }
	/** To a worker started ahead: what to read (it answers `opened` or `open-failed`). */
	| { type: "setup"; setup: ReaderSetup<F> }
	/** To a worker started ahead: not needed after all (small inputs, of `totalBytes` when known: see onDismissed); it ends. */
	| { type: "dismiss"; totalBytes?: number }
	/** The main side is done with every result of the run held back up to `upTo` (see WireResult.held). */
	| { type: "release"; run: number; upTo: number }
	/** The line of a result the worker held back (answered with `line`, by `id`; one taken from a look, whole). */
	| { type: "line"; run: number; held: number; id: number }
	/** The bytes a worker asked for with `read` (an input only the main side can read), or why they could not be read. */
	| { type: "bytes"; id: number; data?: Uint8Array; error?: WireError };

export type FromWorker =
	| { type: "opened"; inputs: InputManifestEntry[]; skipped: { name: string; reason: string }[]; totalBytes?: number }
	| { type: "open-failed"; error: WireError }
	| { type: "batch"; run: number; items: WireResult[] }
	| { type: "end"; run: number }
	| { type: "failed"; run: number; error: WireError }
	| { type: "closed" }
	/** The line asked for with `line`, or the result whole with its line for one taken from a look (or why neither can be had). */
	| LineMessage
	/** A range of input `file` (its index in the setup) that only the main side can read; answered with `bytes`. */
	| { type: "read"; id: number; file: number; offset: number; length: number };

/** `withLine` false: the JSON line is left for the caller to add (see settleLine). */
export function toWire(r: ExtractResult, withLine = true): WireResult {
	if (!r.ok) return r;
	const wire: WireResult = {
		ok: true,
		facts: r.facts ?? conversationFacts(r.conversation),
		source: r.source,
		index: r.index,
	};
	if (withLine) wire.line = r.line ?? JSON.stringify(r.conversation);
	if (r.position !== undefined) wire.position = r.position;
	return wire;
}

/** A held-back result as the worker sends it: its facts, not its line (see DraftOptions.holdUnchanged). */
function heldWire(r: Extract<ExtractResult, { ok: true }>, facts: ConversationFacts, held: number): WireResult {
	const wire: WireResult = { ok: true, facts, source: r.source, index: r.index, held };
	if (r.position !== undefined) wire.position = r.position;
	if (r.quick) wire.quick = true;
	return wire;
}

/**
 * The result the worker sent. Its conversation is parsed from the line when first used (a drafted one never is);
 * the line of one held back is brought by `fetch` (ExtractResult.fetchLine), and one taken from a look whole
 * (ExtractResult.quick); one sent without its line (DraftOptions.linesOnlyFor) has none to give: asking for it is an
 * error, not a guess.
 */
export function fromWire(w: WireResult, fetch?: (held: number) => Promise<LineMessage>): ExtractResult {
	if (!w.ok) return w;
	let line = w.line;
	let conversation: Conversation | undefined;
	const r: ExtractResult = {
		ok: true,
		get conversation(): Conversation {
			if (line === undefined)
				throw new Error(
					`${w.source}, conversation ${w.index + 1}: the reader sent no JSON for it (${w.held !== undefined ? "held back, never asked for" : "none was asked for"})`,
				);
			return (conversation ??= JSON.parse(line) as Conversation);
		},
		facts: w.facts,
		source: w.source,
		index: w.index,
	};
	if (line !== undefined) r.line = line;
	else if (w.held !== undefined && fetch) {
		const held = w.held;
		if (w.quick) r.quick = { full: async () => fromWire((await fetch(held)).item!) };
		else
			r.fetchLine = async () => {
				line ??= (await fetch(held)).line!;
				r.line = line;
				return line;
			};
	}
	if (w.draft) r.draft = w.draft;
	if (w.position !== undefined) r.position = w.position;
	return r;
}

export function wireError(e: unknown): WireError {
	if (!(e instanceof Error)) return { name: "Error", message: String(e) };
	const out: WireError = { name: e.name, message: e.message };
	if (e.stack !== undefined) out.stack = e.stack;
	if (e instanceof InputError) {
		out.file = e.file;
		out.problem = e.problem;
	}
	const code = (e as { code?: unknown }).code;
	if (typeof code === "string") out.code = code;
	return out;
}

export function reviveError(w: WireError): Error {
	let e: Error;
	if (w.name === "InputError" && w.file !== undefined && w.problem !== undefined) {
		e = new InputError(w.file, w.problem);
	} else {
		e = new Error(w.message);
		if (w.name !== "Error") Object.defineProperty(e, "name", { value: w.name, configurable: true, writable: true });
		if (w.code !== undefined) (e as Error & { code?: string }).code = w.code;
	}
	if (w.stack !== undefined) e.stack = w.stack;
	return e;
}

// ---------------------------------------------------------------------------------------------------------
// The worker's side

/** The worker's end of its channel to the main side. */
export interface WorkerSidePort<F> {
	post(message: FromWorker): void;
	onMessage(handler: (message: ToWorker<F>) => void): void;
	/** The channel is not needed any more (a port given to a reader started ahead is closed). */
	close(): void;
}

/** How the worker opens the inputs of a setup, and lets them go (after `close`, or when opening failed). */
export interface InputOpener<F> {
	open(setup: ReaderSetup<F>, remote: RemoteBytes): Promise<ByteSource[]>;
	release(sources: readonly ByteSource[]): Promise<void>;
}

/** Reads a range of an input through the main side (a `read` message answered by `bytes`). */
export type RemoteBytes = (file: number, offset: number, length: number) => Promise<Uint8Array>;

interface Run {
	readonly id: number;
	/** Render each conversation's note draft (set once the import knows its session). */
	draft: DraftOptions | null;
	/** Batches that may still be sent (none for the first run until the main side takes it: see "draft"). */
	credit: number;
	stopped: boolean;
	/** The first run, until the main side takes it. */
	held: boolean;
	/** Wakes the run when it waits for credit (or was stopped). */
	wake: (() => void) | null;
	done: Promise<void>;
	/** Results sent without their line (WireResult.held), until the main side releases them. */
	kept: Map<number, ExtractResult>;
	keptSeq: number;
}

/**
 * Serves one import over `port`: opens the inputs when told (`setup`, or `initial` at once), reads them with the
 * core openExport (`options` added to the setup's), and sends the results in batches, never more than WINDOW ahead.
 * `beforeClosed` runs when the import has closed the reader (the CLI's build saves its code cache then).
 */
// Long on purpose (see scripts/long-functions.mjs): the worker side of one import, its parts already named (open,
// iterate, pump, send, closeAll, stop) over the state they share (the inputs, the current run, pending reads), and
// the message switch that calls them.
export function serveReader<F>(
	port: WorkerSidePort<F>,
	opener: InputOpener<F>,
	settings: {
		initial?: ReaderSetup<F>;
		options?: Partial<OpenExportOptions>;
		beforeClosed?: () => void;
		/**
		 * Runs once the inputs are open, with the bytes of their conversation documents (a zip's entries uncompressed:
		 * ExportReader.totalBytes), before the first run starts (the CLI's V8 flags: v8-flags.ts).
		 */
		onOpened?: (totalBytes: number | undefined) => void;
		/**
		 * Runs when a reader started ahead is told it is not needed, before it ends, with the bytes of the conversations the
		 * import reads without it when it says (the CLI's V8 flags: v8-flags.ts).
		 */
		onDismissed?: (totalBytes: number | undefined) => void;
		/** Work on a batch's items before it goes (the plugin's worker makes the drafted notes whole: see PremadeNote). */
		prepare?: (items: WireResult[], draft: DraftOptions | null) => Promise<void>;
	} = {},
): void {
	let sources: ByteSource[] = [];
	let opening = false;
	let reader: ExportReader | null = null;
	let current: Run | null = null;
	let reads = 0;
	const pendingReads = new Map<number, { resolve: (b: Uint8Array) => void; reject: (e: Error) => void }>();

	const remote: RemoteBytes = (file, offset, length) =>
		new Promise((resolve, reject) => {
			const id = ++reads;
			pendingReads.set(id, { resolve, reject });
			port.post({ type: "read", id, file, offset, length });
		});

	function stop(run: Run | null): void {
		if (!run) return;
		run.stopped = true;
		run.wake?.();
	}

	/** Whether a conversation is likely unchanged as written: its source time is the one its note was written from. */
	function likelyUnchanged(run: Run, result: Extract<ExtractResult, { ok: true }>, facts: ConversationFacts): boolean {
		const hints = run.draft?.unchangedIf;
		return (
			hints !== undefined &&
			facts.attachments === false &&
			hintedSameTime(hints, conversationKey(result.conversation.provider, result.conversation.id), result.conversation.updated)
		);
	}

	/** The result as sent: held back without its line when the run holds the likely unchanged (holdUnchanged). */
	function wireOf(run: Run, result: ExtractResult): WireResult {
		if (result.ok && result.quick) {
			run.kept.set(++run.keptSeq, result);
			return heldWire(result, result.facts!, run.keptSeq);
		}
		if (result.ok && run.draft?.holdUnchanged) {
			const facts = result.facts ?? conversationFacts(result.conversation);
			if (likelyUnchanged(run, result, facts)) {
				const held = ++run.keptSeq;
				run.kept.set(held, result);
				return heldWire(result, facts, held);
			}
		}
		return toWire(result, false);
	}

	/** A conversation's note draft when the run renders them (the transform renders any that has none, and reports its failure). */
	function addDraft(run: Run, wire: WireResult, result: ExtractResult): void {
		if (!run.draft || !wire.ok || !result.ok || wire.draft || wire.held !== undefined) return;
		const hints = run.draft.unchangedIf;
		// Likely unchanged as written: the transform checks the note first and renders only if it must.
		if (
			hints &&
			wire.facts.attachments === false &&
			hintedSameTime(hints, conversationKey(result.conversation.provider, result.conversation.id), result.conversation.updated)
		)
			return;
		try {
			wire.draft = draftNote(result.conversation, run.draft.sessionId, run.draft);
		} catch {
			// left to the transform
		}
	}

	/**
	 * The conversation's JSON line, made when the main side needs it: no draft, or its key among `linesOnlyFor` (or no
	 * such choice); else left out (a first batch made before the choice was known drops the one it made).
	 */
	function settleLine(run: Run, wire: WireResult, result: ExtractResult): void {
		if (!wire.ok || !result.ok || wire.held !== undefined) return;
		const only = run.draft?.linesOnlyFor;
		const needed =
			!wire.draft || only === undefined || hintedKey(only, conversationKey(result.conversation.provider, result.conversation.id));
		if (!needed) delete wire.line;
		else wire.line ??= result.line ?? JSON.stringify(result.conversation);
	}

	async function send(run: Run, items: WireResult[], results: ExtractResult[]): Promise<void> {
		while (run.credit === 0 && !run.stopped) await new Promise<void>((resolve) => (run.wake = resolve));
		run.wake = null;
		if (run.stopped) return;
		run.credit--;
		// A batch that waited for the first request gets the drafts asked for then (only such a batch keeps its results).
		results.forEach((result, i) => {
			addDraft(run, items[i]!, result);
			settleLine(run, items[i]!, result);
		});
		if (settings.prepare) {
			await settings.prepare(items, run.draft);
			if (run.stopped) return;
		}
		port.post({ type: "batch", run: run.id, items: items.slice() });
		// The pump's own array emptied once its copy went: a batch that lived through two young-generation collections
		// is in the old generation, and what it holds (the conversations pushed since, their drafts) would be kept by it,
		// garbage there, through every young collection until a mark-compact.
		items.length = 0;
		results.length = 0;
	}

	async function pump(run: Run, open: ExportReader): Promise<void> {
		let batch: WireResult[] = [];
		let results: ExtractResult[] = [];
		let chars = 0;
		let lastPosition = 0;
		try {
			// A conversation whose id and source time match the hints may be taken from a look (DraftOptions.quickLook).
			const quick = {
				active: (): boolean => run.draft?.quickLook === true && run.draft.holdUnchanged === true && run.draft.unchangedIf !== undefined,
				accept: (provider: Conversation["provider"], id: string, updated: string): boolean =>
					run.draft?.unchangedIf !== undefined && hintedSameTime(run.draft.unchangedIf, conversationKey(provider, id), updated),
			};
			for await (const result of open.conversations({ quick })) {
				if (run.stopped) return;
				const wire = wireOf(run, result);
				addDraft(run, wire, result);
				settleLine(run, wire, result);
				batch.push(wire);
				// Only a batch made before the main side took the run (and said about drafts) needs its results again
				// (send): kept for every batch, each batch's conversations outlived the young generation's collections.
				if (run.held) results.push(result);
				// One held back is kept here until released: counted by its bytes in the export (from one position to the
				// next), so that a batch of them holds no more than a batch of lines would.
				const kept = wire.ok && wire.line === undefined ? Math.max(HELD_MIN_CHARS, (result.position ?? 0) - lastPosition) : 0;
				if (result.position !== undefined) lastPosition = result.position;
				chars += wire.ok ? (wire.line?.length ?? kept) + (wire.draft?.body.length ?? 0) : wire.reason.length;
				// Full, or the main side has taken everything sent so far (it is waiting): send now.
				if (batch.length >= BATCH_ITEMS || chars >= BATCH_CHARS || run.credit === WINDOW) {
					await send(run, batch, results);
					if (run.stopped) return;
					batch = [];
					results = [];
					chars = 0;
				}
			}
			if (batch.length > 0) await send(run, batch, results);
			if (!run.stopped) port.post({ type: "end", run: run.id });
		} catch (e) {
			// The good items read before a late problem (a file cut short) still go first.
			if (batch.length > 0) await send(run, batch, results);
			if (!run.stopped) port.post({ type: "failed", run: run.id, error: wireError(e) });
		}
	}

	async function closeAll(): Promise<void> {
		stop(current);
		await current?.done;
		current = null;
		const open = reader;
		reader = null;
		try {
			await open?.close();
		} finally {
			const opened = sources;
			sources = [];
			await opener.release(opened).catch(() => undefined);
		}
	}

	function iterate(id: number, draft: DraftOptions | null): void {
		stop(current);
		const previous = current?.done ?? Promise.resolve();
		const open = reader;
		if (!open) {
			port.post({ type: "failed", run: id, error: wireError(new Error("the export reader is closed")) });
			return;
		}
		// The first run starts unasked: it holds its first batch until the main side takes it (and says about drafts).
		const held = id === FIRST_RUN;
		const run: Run = {
			id,
			draft,
			credit: held ? 0 : WINDOW,
			held,
			stopped: false,
			wake: null,
			done: Promise.resolve(),
			kept: new Map(),
			keptSeq: 0,
		};
		// Runs never overlap: a new one starts when the one it replaces has let go of the inputs.
		run.done = previous.then(() => pump(run, open));
		current = run;
	}

	async function open(setup: ReaderSetup<F>): Promise<void> {
		opening = true;
		try {
			sources = await opener.open(setup, remote);
			reader = await openExport(sources, { ...setup.options, ...settings.options });
			settings.onOpened?.(reader.totalBytes);
			port.post({
				type: "opened",
				inputs: [...reader.inputs],
				skipped: [...reader.skipped],
				...(reader.totalBytes !== undefined ? { totalBytes: reader.totalBytes } : {}),
			});
			// The first run starts at once, unasked: its first batches are ready when the import starts reading.
			iterate(FIRST_RUN, null);
		} catch (e) {
			const opened = sources;
			sources = [];
			await opener.release(opened).catch(() => undefined);
			port.post({ type: "open-failed", error: wireError(e) });
		}
	}

	port.onMessage((message) => {
		switch (message.type) {
			case "iterate":
				iterate(message.run, message.draft ?? null);
				return;
			case "draft":
				if (current?.id === message.run && current.held) {
					if (message.draft) current.draft = message.draft;
					current.held = false;
					current.credit = WINDOW;
					current.wake?.();
				}
				return;
			case "credit":
				if (current?.id === message.run) {
					current.credit++;
					current.wake?.();
				}
				return;
			case "stop":
				if (current?.id === message.run) stop(current);
				return;
			case "release":
				if (current?.id === message.run) {
					for (const key of current.kept.keys()) {
						if (key > message.upTo) break; // kept in the order they were held
						current.kept.delete(key);
					}
				}
				return;
			case "line": {
				const r = current?.id === message.run ? current.kept.get(message.held) : undefined;
				const id = message.id;
				if (r?.ok && r.quick)
					r.quick.full().then(
						(whole) => port.post({ type: "line", id, item: toWire(whole) }),
						(e: unknown) => port.post({ type: "line", id, error: wireError(e) }),
					);
				else if (r?.ok) port.post({ type: "line", id, line: r.line ?? JSON.stringify(r.conversation) });
				else port.post({ type: "line", id, error: wireError(new Error("the reader no longer holds that conversation")) });
				return;
			}
			case "close":
				void closeAll()
					.catch(() => undefined)
					.then(() => {
						settings.beforeClosed?.();
						port.post({ type: "closed" });
						port.close();
					});
				return;
			case "setup":
				if (!opening) void open(message.setup);
				return;
			case "dismiss":
				settings.onDismissed?.(message.totalBytes);
				port.close();
				return;
			case "bytes": {
				const waiting = pendingReads.get(message.id);
				pendingReads.delete(message.id);
				if (message.error) waiting?.reject(reviveError(message.error));
				else waiting?.resolve(message.data ?? new Uint8Array(0));
				return;
			}
		}
	});

	if (settings.initial) void open(settings.initial);
}

// ---------------------------------------------------------------------------------------------------------
// The main side

/** The reader thread as the main side sees it. */
export interface ReaderEndpoint<F = unknown> {
	post(message: ToWorker<F>): void;
	/** Messages, then failures (the thread died: out of memory, a crash, an exit) as Errors. */
	listen(onMessage: (m: FromWorker) => void, onFailure: (e: Error) => void): void;
	/** Whether the thread keeps this one's event loop alive (only while someone waits for it). */
	hold(held: boolean): void;
	end(): Promise<void>;
}

type Waiter = { resolve: (m: FromWorker) => void; reject: (e: Error) => void };

/**
 * The main side of one reader thread: an ExportReader fed by batches, taking one more batch each time it takes one.
 * `readInput` answers the thread's `read` requests (inputs only the main side can read); without it they fail.
 */
export class WorkerReader<F = unknown> implements ExportReader {
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
	/** Lines asked for (results held back by the thread), by request id. */
	private readonly lines = new Map<number, { resolve: (line: LineMessage) => void; reject: (e: Error) => void }>();
	private lineRequests = 0;

	private constructor(
		private readonly endpoint: ReaderEndpoint<F>,
		private readonly readInput?: (file: number, offset: number, length: number) => Promise<Uint8Array>,
	) {
		endpoint.listen(
			(m) => (m.type === "read" ? this.serveRead(m) : m.type === "line" ? this.lineCame(m) : this.deliver(m)),
			(e) => {
				for (const waiting of this.lines.values()) waiting.reject(e);
				this.lines.clear();
				this.deliver(e);
			},
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
	static async open<F>(
		endpoint: ReaderEndpoint<F>,
		setup: ReaderSetup<F> | null,
		readInput?: (file: number, offset: number, length: number) => Promise<Uint8Array>,
	): Promise<WorkerReader<F>> {
		const reader = new WorkerReader(endpoint, readInput);
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

	private serveRead(m: Extract<FromWorker, { type: "read" }>): void {
		const read = this.readInput;
		if (!read) {
			this.post({ type: "bytes", id: m.id, error: wireError(new Error("this reader cannot read inputs for its thread")) });
			return;
		}
		read(m.file, m.offset, m.length).then(
			(data) => this.post({ type: "bytes", id: m.id, data }),
			(e: unknown) => this.post({ type: "bytes", id: m.id, error: wireError(e) }),
		);
	}

	private lineCame(m: LineMessage): void {
		const waiting = this.lines.get(m.id);
		this.lines.delete(m.id);
		if (m.line !== undefined || m.item !== undefined) waiting?.resolve(m);
		else waiting?.reject(m.error ? reviveError(m.error) : new Error("the reader sent no line"));
	}

	/** The line of a result of `run` the thread held back (or the result whole, for one it took from a look). */
	private fetchLine(run: number, held: number): Promise<LineMessage> {
		if (this.dead) return Promise.reject(this.dead);
		return new Promise<LineMessage>((resolve, reject) => {
			const id = ++this.lineRequests;
			this.lines.set(id, { resolve, reject });
			this.post({ type: "line", run, held, id });
		});
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

	private post(message: ToWorker<F>): void {
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
		// Results held back by the thread (a fresh extract's likely unchanged): released a batch later, when the one
		// before is done with (the consumer asks for the next result only once it has used this one: see holdUnchanged).
		let lastHeld = 0;
		let released = 0;
		const fetch = (held: number): Promise<LineMessage> => this.fetchLine(run, held);
		try {
			for (;;) {
				const m = await this.next();
				if (!("run" in m) || m.run !== run) continue;
				if (m.type === "batch") {
					this.post({ type: "credit", run });
					if (lastHeld > released) {
						released = lastHeld;
						this.post({ type: "release", run, upTo: released });
					}
					for (const item of m.items) {
						if (item.ok && item.held !== undefined) lastHeld = item.held;
						yield fromWire(item, fetch);
					}
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
