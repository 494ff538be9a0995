// Entry of dist/extract-worker.cjs: reads an export in its own thread for the CLI's import (see threaded-export.ts).
// It opens the same files again by path, runs the core openExport on them and sends the results to the main side
// in batches, never more than WINDOW batches ahead of what that side has taken. It talks over its parent port when
// the import started it, or over the port it was given when dist/cli.js started it ahead (see prestart.ts). The
// thread loads this script with its code cache (script-loader.ts) and calls startReader.
import { parentPort } from "node:worker_threads";
import { openExport, draftNote } from "../../core/app/extract-thread";
import type { ExportReader, ExtractResult } from "../../core/app/types";
import { NodeByteSource } from "../node-byte-source";
import { applyMessageLimit } from "../message-limit";
import {
	BATCH_CHARS,
	BATCH_ITEMS,
	FIRST_RUN,
	toWire,
	WINDOW,
	wireError,
	type DraftOptions,
	type FromWorker,
	type ToWorker,
	type WireResult,
	type WorkerSetup,
	type WorkerStart,
} from "./protocol";

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
}

/**
 * Serves one import over its port (the thread's parent port, or the one given to a reader started ahead).
 * `beforeClosed` runs when the import has closed the reader (the build's warm-up saves the code cache then).
 */
export function startReader(start: WorkerStart, beforeClosed?: () => void): void {
	applyMessageLimit();
	const port = "standby" in start ? start.standby : parentPort;
	if (!port) throw new Error("extract-worker.cjs runs as a worker thread of the knowledge-etl CLI");
	const sources: NodeByteSource[] = [];
	let reader: ExportReader | null = null;
	let current: Run | null = null;

	function post(message: FromWorker): void {
		port?.postMessage(message);
	}

	function stop(run: Run | null): void {
		if (!run) return;
		run.stopped = true;
		run.wake?.();
	}

	/** A conversation's note draft when the run renders them (the transform renders any that has none, and reports its failure). */
	function addDraft(run: Run, wire: WireResult, result: ExtractResult): void {
		if (!run.draft || !wire.ok || !result.ok || wire.draft) return;
		try {
			wire.draft = draftNote(result.conversation, run.draft.sessionId, run.draft);
		} catch {
			// left to the transform
		}
	}

	async function send(run: Run, items: WireResult[], results: ExtractResult[]): Promise<void> {
		while (run.credit === 0 && !run.stopped) await new Promise<void>((resolve) => (run.wake = resolve));
		run.wake = null;
		if (run.stopped) return;
		run.credit--;
		// A batch that waited for the first request gets the drafts asked for then.
		items.forEach((wire, i) => addDraft(run, wire, results[i]!));
		post({ type: "batch", run: run.id, items });
	}

	async function pump(run: Run, open: ExportReader): Promise<void> {
		let batch: WireResult[] = [];
		let results: ExtractResult[] = [];
		let chars = 0;
		try {
			for await (const result of open.conversations()) {
				if (run.stopped) return;
				const wire = toWire(result);
				addDraft(run, wire, result);
				batch.push(wire);
				results.push(result);
				chars += wire.ok ? wire.line.length + (wire.draft?.body.length ?? 0) : wire.reason.length;
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
			if (!run.stopped) post({ type: "end", run: run.id });
		} catch (e) {
			// The good items read before a late problem (a file cut short) still go first.
			if (batch.length > 0) await send(run, batch, results);
			if (!run.stopped) post({ type: "failed", run: run.id, error: wireError(e) });
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
			for (const s of sources) await s.close().catch(() => undefined);
		}
	}

	function iterate(id: number, draft: DraftOptions | null): void {
		stop(current);
		const previous = current?.done ?? Promise.resolve();
		const open = reader;
		if (!open) {
			post({ type: "failed", run: id, error: wireError(new Error("the export reader is closed")) });
			return;
		}
		// The first run starts unasked: it holds its first batch until the main side takes it (and says about drafts).
		const held = id === FIRST_RUN;
		const run: Run = { id, draft, credit: held ? 0 : WINDOW, held, stopped: false, wake: null, done: Promise.resolve() };
		// Runs never overlap: a new one starts when the one it replaces has let go of the inputs.
		run.done = previous.then(() => pump(run, open));
		current = run;
	}

	port.on("message", (message: ToWorker) => {
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
			case "close":
				void closeAll()
					.catch(() => undefined)
					.then(() => {
						beforeClosed?.();
						post({ type: "closed" });
						if (port !== parentPort) port.close();
					});
				return;
			case "setup":
				if (!reader && sources.length === 0) void open(message.setup);
				return;
			case "dismiss":
				port.close();
				return;
		}
	});

	async function open(setup: WorkerSetup): Promise<void> {
		try {
			// Many files (a folder of session logs): each is opened only while it is read, not all at once.
			const keepOpen = setup.files.length <= 64;
			for (const f of setup.files) sources.push(await NodeByteSource.open(f.path, f.name, { keepOpen }));
			// Every document streams here: the import starts on the first conversations at once, and the heap stays
			// small (parsing documents whole in this capped thread was slower, and took half as much memory again).
			reader = await openExport(sources, { ...setup.options, wholeMaxBytes: 0 });
			post({
				type: "opened",
				inputs: [...reader.inputs],
				skipped: [...reader.skipped],
				...(reader.totalBytes !== undefined ? { totalBytes: reader.totalBytes } : {}),
			});
			// The first run starts at once, unasked: its first batches are ready when the import starts reading.
			iterate(FIRST_RUN, null);
		} catch (e) {
			for (const s of sources) await s.close().catch(() => undefined);
			sources.length = 0;
			post({ type: "open-failed", error: wireError(e) });
		}
	}

	if ("setup" in start) void open(start.setup);
}
