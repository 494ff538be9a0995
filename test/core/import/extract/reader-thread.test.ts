import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ByteSource } from "../../../../src/core/ports/byte-source";
import type { ExtractResult } from "../../../../src/core/import/extract/open-export";
import {
	BATCH_ITEMS,
	serveReader,
	WorkerReader,
	type FromWorker,
	type ReaderEndpoint,
	type ToWorker,
} from "../../../../src/core/import/extract/reader-thread";
import { draftNote } from "../../../../src/core/import/transform/note-draft";
import { storedZip } from "../../../support/stored-zip";

/**
 * Both ends of a reader thread in one thread (serveReader and WorkerReader over in-memory queues), so that the order
 * of the messages is ours to choose: what the pure protocol does, without the timing of a real thread.
 */

const claudeEdge = readFileSync(join(__dirname, "../../../fixtures/extract/claude-edge.json"), "utf8");

/**
 * An input in memory, telling how far the reading from its start went (`readTo`: the end of the furthest read that
 * began before its last 64 KiB, so that the opening's look at the end does not count).
 */
function memory(name: string, text: string): ByteSource & { readTo: number } {
	const bytes = new TextEncoder().encode(text);
	const source = {
		name,
		size: bytes.length,
		readTo: 0,
		read(offset: number, length: number): Promise<Uint8Array> {
			const part = bytes.subarray(offset, Math.min(bytes.length, offset + length));
			if (offset < bytes.length - 65536) source.readTo = Math.max(source.readTo, offset + part.length);
			return Promise.resolve(part);
		},
	};
	return source;
}

/** Claude conversations, `n` of them, each with a question and an answer of ~10 KB. */
function claudeExport(n: number): string {
	const conversations = Array.from({ length: n }, (_, i) => ({
		uuid: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
		name: `Conversation ${i}`,
		created_at: "2026-01-01T10:00:00.000Z",
		updated_at: "2026-01-01T10:05:00.000Z",
		chat_messages: [
			{ uuid: `m${i}a`, sender: "human", text: `Question ${i}`, created_at: "2026-01-01T10:00:00.000Z" },
			{
				uuid: `m${i}b`,
				sender: "assistant",
				text: `Answer ${i}\n\n## A heading\n\n${"Some prose. ".repeat(850)}`,
				created_at: "2026-01-01T10:01:00.000Z",
			},
		],
	}));
	return JSON.stringify(conversations);
}

const turns = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A reader over `sources` whose messages to the thread wait until `release()`: the thread opens and reads the
 * inputs by itself (its first run starts unasked), while what the import says to it is held back. Each input is read
 * as a stream (as a large export is: none is read whole when opened).
 */
async function heldReader(sources: ByteSource[]): Promise<{ reader: WorkerReader; release: () => void }> {
	let toMain: (m: FromWorker) => void = () => undefined;
	let toWorker: (m: ToWorker) => void = () => undefined;
	let release!: () => void;
	const gate = new Promise<void>((resolve) => (release = resolve));
	serveReader<unknown>(
		{
			post: (m) => void turns().then(() => toMain(m)),
			onMessage: (handler) => (toWorker = handler),
			close: () => undefined,
		},
		{ open: () => Promise.resolve(sources), release: () => Promise.resolve() },
		{ initial: { files: sources.map((s) => s.name), options: { wholeMaxBytes: 0 } } },
	);
	const endpoint: ReaderEndpoint = {
		post: (m) => void gate.then(turns).then(() => toWorker(m)),
		listen: (onMessage) => (toMain = onMessage),
		hold: () => undefined,
		end: () => Promise.resolve(),
	};
	return { reader: await WorkerReader.open(endpoint, null), release };
}

describe("serveReader: the first run, read before the import says what it wants", () => {
	it("a batch made before the import asked for drafts gets them when it asks: every conversation of every batch is drafted", async () => {
		// Several batches of conversations (~3 MB: a batch holds up to BATCH_CHARS of them), and the edge cases' file.
		const sources = [memory("conversations.json", claudeExport(BATCH_ITEMS + 40)), memory("edge.json", claudeEdge)];
		const { reader, release } = await heldReader(sources);
		const draft = { sessionId: "20260101_101010", includeThinking: false };
		const results: ExtractResult[] = [];
		const reading = (async () => {
			for await (const r of reader.conversations({ draft })) results.push(r);
		})();
		// The thread reads its first batch and waits for the import to take it before the import's "draft" arrives: in
		// memory, a few turns of the event loop until its reading stops, part way through the export (a full batch).
		let was = -1;
		for (let i = 0; i < 200 && sources[0]!.readTo !== was; i++) {
			was = sources[0]!.readTo;
			for (let k = 0; k < 5; k++) await turns();
		}
		expect(sources[0]!.readTo).toBeGreaterThan(0);
		expect(sources[0]!.readTo).toBeLessThan(sources[0]!.size);
		release();
		await reading;
		const ok = results.filter((r): r is Extract<ExtractResult, { ok: true }> => r.ok);
		expect(ok.length).toBeGreaterThan(BATCH_ITEMS + 40);
		for (const r of ok) expect(r.draft).toEqual(draftNote(r.conversation, draft.sessionId, draft));
		await reader.close();
	});
});

describe("serveReader: what it tells its host of the inputs (the CLI arms V8's flags by it)", () => {
	function bare(sources: ByteSource[], onOpened: (bytes: number | undefined) => void, onDismissed?: (bytes: number | undefined) => void) {
		let toWorker: (m: ToWorker) => void = () => undefined;
		const posted: FromWorker[] = [];
		serveReader<unknown>(
			{ post: (m) => posted.push(m), onMessage: (handler) => (toWorker = handler), close: () => undefined },
			{ open: () => Promise.resolve(sources), release: () => Promise.resolve() },
			{ onOpened, ...(onDismissed ? { onDismissed } : {}) },
		);
		return { send: (m: ToWorker) => toWorker(m), posted };
	}

	it("once the inputs are open: the bytes of their conversation documents (a zip's entries, not the zip's size)", async () => {
		const json = claudeExport(3);
		const zipped = storedZip([["conversations.json", new TextEncoder().encode(json)]]);
		const zip = {
			...memory("export.zip", ""),
			size: zipped.length,
			read: (o: number, n: number) => Promise.resolve(zipped.subarray(o, o + n)),
		};
		const told: (number | undefined)[] = [];
		const { send, posted } = bare([zip], (bytes) => told.push(bytes));
		send({ type: "setup", setup: { files: ["export.zip"], options: { wholeMaxBytes: 0 } } });
		for (let i = 0; i < 50 && !posted.some((m) => m.type === "opened"); i++) await turns();
		expect(posted.some((m) => m.type === "opened")).toBe(true);
		expect(told).toEqual([new TextEncoder().encode(json).length]);
		expect(zipped.length).not.toBe(told[0]);
		send({ type: "close" });
	});

	it("when told it is not needed: the bytes the import reads without it, when it says them", () => {
		const told: (number | undefined)[] = [];
		bare(
			[],
			() => undefined,
			(bytes) => told.push(bytes),
		).send({ type: "dismiss", totalBytes: 1234 });
		bare(
			[],
			() => undefined,
			(bytes) => told.push(bytes),
		).send({ type: "dismiss" });
		expect(told).toEqual([1234, undefined]);
	});
});
