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

/**
 * Both ends of a reader thread in one thread (serveReader and WorkerReader over in-memory queues), so that the order
 * of the messages is ours to choose: what the pure protocol does, without the timing of a real thread.
 */

const claudeEdge = readFileSync(join(__dirname, "../../../fixtures/extract/claude-edge.json"), "utf8");

/** An input in memory. */
function memory(name: string, text: string): ByteSource {
	const bytes = new TextEncoder().encode(text);
	return {
		name,
		size: bytes.length,
		read: (offset, length) => Promise.resolve(bytes.subarray(offset, Math.min(bytes.length, offset + length))),
	};
}

/** Claude conversations, `n` of them, each with a question and an answer. */
function claudeExport(n: number): string {
	const conversations = Array.from({ length: n }, (_, i) => ({
		uuid: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
		name: `Conversation ${i}`,
		created_at: "2026-01-01T10:00:00.000Z",
		updated_at: "2026-01-01T10:05:00.000Z",
		chat_messages: [
			{ uuid: `m${i}a`, sender: "human", text: `Question ${i}`, created_at: "2026-01-01T10:00:00.000Z" },
			{ uuid: `m${i}b`, sender: "assistant", text: `Answer ${i}\n\n## A heading`, created_at: "2026-01-01T10:01:00.000Z" },
		],
	}));
	return JSON.stringify(conversations);
}

const turns = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A reader over `sources` whose messages to the thread wait until `release()`: the thread opens and reads the
 * inputs by itself (its first run starts unasked), while what the import says to it is held back.
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
		{ initial: { files: sources.map((s) => s.name), options: {} } },
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
		// More than a batch of conversations, and the edge cases' file: the first batch is full before the import asks.
		const sources = [memory("conversations.json", claudeExport(BATCH_ITEMS + 40)), memory("edge.json", claudeEdge)];
		const { reader, release } = await heldReader(sources);
		const draft = { sessionId: "20260101_101010", includeThinking: false };
		const results: ExtractResult[] = [];
		const reading = (async () => {
			for await (const r of reader.conversations({ draft })) results.push(r);
		})();
		// The thread reads its first batch (and waits for the import to take it) before the import's "draft" arrives:
		// in memory, with no input or output to wait for, a few turns of the event loop are enough.
		for (let i = 0; i < 20; i++) await turns();
		release();
		await reading;
		const ok = results.filter((r): r is Extract<ExtractResult, { ok: true }> => r.ok);
		expect(ok.length).toBeGreaterThan(BATCH_ITEMS + 40);
		for (const r of ok) expect(r.draft).toEqual(draftNote(r.conversation, draft.sessionId, draft));
		await reader.close();
	});
});
