// The messages between the import (main side) and the thread that reads the export (extract-worker.ts).
//
// The worker opens the files again by path and runs the core `openExport` on them. It sends conversations in
// batches, each conversation as its JSON line (the main side parses it back; extract writes the line as is), and
// never more than WINDOW batches ahead of what the main side has taken: memory stays bounded on any export.
import type { MessagePort } from "node:worker_threads";
import { InputError } from "../../core/app/errors";
import type {
	ExtractResult,
	InputManifestEntry,
	OpenExportOptions,
	ReadOptions,
	NoteDraft,
	Conversation,
	ConversationFacts,
} from "../../core/app/types";
import { conversationFacts } from "../../core/app/extract-thread";

/** What the worker needs to render each conversation's deterministic note draft (see ReadOptions). */
export type DraftOptions = NonNullable<ReadOptions["draft"]>;

/** Batches the worker may send that the main side has not taken yet. */
export const WINDOW = 4;
/** A batch is sent when it holds this many conversations… */
export const BATCH_ITEMS = 256;
/** …or this many characters of JSON (one conversation larger than this goes alone). */
export const BATCH_CHARS = 1 << 20;

/** The run the worker starts by itself once the inputs are open (the first `conversations()` call takes it). */
export const FIRST_RUN = 1;

export interface WorkerSetup {
	files: { path: string; name: string }[];
	options: OpenExportOptions;
}

/**
 * The worker's workerData: what to read (a worker started for it), or a port to wait on (a worker started ahead by
 * dist/cli.js while the CLI loads, told what to read with `setup`, or `dismiss`ed when the thread is not needed).
 */
export type WorkerStart = { setup: WorkerSetup } | { standby: MessagePort };

/**
 * A conversation as it crosses the thread boundary: its JSON, not the object (a string is cheap to copy), and its
 * note draft when the import asked for drafts (rendered in the worker, on the other core).
 */
export type WireResult =
	| { ok: true; line: string; facts: ConversationFacts; source: string; index: number; draft?: NoteDraft; position?: number }
	| { ok: false; source: string; index: number; itemId?: string; title?: string; reason: string; position?: number };

/** An error as data; {@link reviveError} gives back an InputError as an InputError (file and problem kept). */
export interface WireError {
	name: string;
	message: string;
	stack?: string;
	file?: string;
	problem?: string;
	code?: string;
}

export type ToWorker =
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
	| { type: "setup"; setup: WorkerSetup }
	/** To a worker started ahead: not needed after all (small inputs); it ends. */
	| { type: "dismiss" };

export type FromWorker =
	| { type: "opened"; inputs: InputManifestEntry[]; skipped: { name: string; reason: string }[]; totalBytes?: number }
	| { type: "open-failed"; error: WireError }
	| { type: "batch"; run: number; items: WireResult[] }
	| { type: "end"; run: number }
	| { type: "failed"; run: number; error: WireError }
	| { type: "closed" };

export function toWire(r: ExtractResult): WireResult {
	if (!r.ok) return r;
	const wire: WireResult = {
		ok: true,
		line: r.line ?? JSON.stringify(r.conversation),
		facts: r.facts ?? conversationFacts(r.conversation),
		source: r.source,
		index: r.index,
	};
	if (r.position !== undefined) wire.position = r.position;
	return wire;
}

/** The result the worker sent. Its conversation is parsed from the line when first used (a drafted one never is). */
export function fromWire(w: WireResult): ExtractResult {
	if (!w.ok) return w;
	const line = w.line;
	let conversation: Conversation | undefined;
	const r: ExtractResult = {
		ok: true,
		get conversation(): Conversation {
			return (conversation ??= JSON.parse(line) as Conversation);
		},
		facts: w.facts,
		source: w.source,
		index: w.index,
		line,
	};
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
