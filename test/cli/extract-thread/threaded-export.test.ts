/**
 * The export read in a worker thread (the real worker, bundled by esbuild as `npm run build` does) against the
 * core reader in this thread: the same manifest, the same results in the same order, the same errors (class,
 * file, problem) at the same moment, and a worker that never runs more than a few batches ahead.
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TextReader, Uint8ArrayWriter, ZipWriter } from "@zip.js/zip.js";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { conversationFacts } from "../../../src/core/model/conversation-facts";
import { InputError } from "../../../src/core/import/extract/errors";
import { openExport, type ExportReader, type ExtractResult, type OpenExportOptions } from "../../../src/core/import/extract/open-export";
import { NodeByteSource } from "../../../src/cli/node-byte-source";
import { openThreadedExport, WorkerReader } from "../../../src/cli/extract-thread/threaded-export";
import { startStandbyReader } from "../../../src/cli/extract-thread/prestart";
import { WINDOW } from "../../../src/cli/extract-thread/protocol";
import { draftNote } from "../../../src/core/import/transform/note-draft";
import { buildCli } from "../cli-bundle";
import { conversationKey } from "../../../src/core/import/load/conversation-key";
import { HintBuilder } from "../../../src/core/import/load/source-time-hints";
import { armTiering, disarmTiering } from "../../../src/cli/v8-flags";
import { cacheUnderNowFlags, refused } from "../code-cache-check";

const FIXTURES = join(__dirname, "../../fixtures/extract");
const claudeEdge = readFileSync(join(FIXTURES, "claude-edge.json"), "utf8");
const chatgptEdge = readFileSync(join(FIXTURES, "chatgpt-edge.json"), "utf8");

let build = "";
let script = "";
let dir = "";
let opened: NodeByteSource[] = [];
let readers: ExportReader[] = [];

beforeAll(async () => {
	build = await mkdtemp(join(tmpdir(), "ketl-xworker-"));
	await buildCli(build, ["extract-worker"]);
	script = join(build, "extract-worker.cjs");
}, 60_000);
afterAll(async () => {
	if (build) await rm(build, { recursive: true, force: true });
});
beforeEach(async () => {
	dir = await mkdtemp(join(tmpdir(), "ketl-xthread-"));
	opened = [];
	readers = [];
});
afterEach(async () => {
	for (const r of readers) await r.close();
	for (const s of opened) await s.close();
	await rm(dir, { recursive: true, force: true });
	// A reader thread, or a reading here, arms V8's interrupt budget for the process (v8-flags.ts): each test starts without.
	disarmTiering();
});

/** Made before any reading here: under V8's default flags (see v8-flags.ts). */
const PRISTINE = cacheUnderNowFlags();

/** Made under a short import's interrupt budget, and under a long one's: which one a thread of the run armed. */
function cacheArmedFor(conversationBytes: number | undefined): Buffer {
	armTiering(conversationBytes);
	const made = cacheUnderNowFlags();
	disarmTiering();
	return made;
}
const SHORT = cacheArmedFor(0);
const LONG = cacheArmedFor(undefined);

/** The interrupt budget armed now (v8-flags.ts): a short import's, a long one's, V8's default ("none"), or another. */
function armedFor(): "short" | "long" | "none" | "other" {
	if (!refused(SHORT)) return "short";
	if (!refused(LONG)) return "long";
	return refused(PRISTINE) ? "other" : "none";
}

async function file(name: string, content: string | Uint8Array): Promise<NodeByteSource> {
	const path = join(dir, name);
	await writeFile(path, content);
	const source = await NodeByteSource.open(path, name);
	opened.push(source);
	return source;
}

async function zip(name: string, entries: Record<string, string>): Promise<NodeByteSource> {
	const writer = new ZipWriter(new Uint8ArrayWriter(), { useWebWorkers: false });
	for (const [path, text] of Object.entries(entries)) await writer.add(path, new TextReader(text));
	return file(name, await writer.close());
}

const chatgptConv = (id: string, text: string): object => ({
	id,
	title: `T ${id} ✓`,
	create_time: 1767261600,
	current_node: "b",
	mapping: {
		a: {
			id: "a",
			parent: null,
			children: ["b"],
			message: { id: `${id}-a`, author: { role: "user" }, create_time: 1767261600, content: { content_type: "text", parts: [text] } },
		},
		b: {
			id: "b",
			parent: "a",
			children: [],
			message: {
				id: `${id}-b`,
				author: { role: "assistant" },
				create_time: 1767261601,
				content: { content_type: "text", parts: ["ok 🎉"] },
			},
		},
	},
});

/**
 * A Claude Code session (JSONL, one record per line, each linked to its parent) of at least `bytes`: prompts, tool
 * calls with long outputs and answers, in the shape of test/fixtures/sessions/claude-code.
 */
function bigClaudeCodeSession(bytes: number): string {
	const session = "5b0c7a52-3e1f-4c9a-9d1e-2f6a8b4c0d11";
	const lines: string[] = [];
	let size = 0;
	let parent: string | null = null;
	let n = 0;
	const push = (type: "user" | "assistant", message: object): void => {
		const uuid = `c0de${String(n).padStart(4, "0")}-0000-4000-8000-${String(n).padStart(12, "0")}`;
		const time = new Date(Date.UTC(2025, 8, 14, 9) + n * 1000).toISOString();
		const line = JSON.stringify({
			parentUuid: parent,
			isSidechain: false,
			userType: "external",
			cwd: "/home/dev/shop",
			sessionId: session,
			version: "1.0.98",
			type,
			uuid,
			timestamp: time,
			message,
		});
		lines.push(line);
		size += line.length + 1;
		parent = uuid;
		n++;
	};
	for (let turn = 0; size < bytes; turn++) {
		push("user", { role: "user", content: `Run the tests of module ${turn} and tell me what fails ✓` });
		push("assistant", {
			role: "assistant",
			model: "claude-sonnet-4",
			content: [{ type: "tool_use", id: `toolu_${turn}`, name: "Bash", input: { command: `npm test -- m${turn}` } }],
		});
		const output = Array.from({ length: 120 }, (_, i) => `  ✓ m${turn} case ${i} passes in ${i % 17} ms — 日本語の出力`).join("\n");
		push("user", { role: "user", content: [{ type: "tool_result", tool_use_id: `toolu_${turn}`, content: output }] });
		push("assistant", {
			role: "assistant",
			model: "claude-sonnet-4",
			content: [{ type: "text", text: `All 120 cases of module ${turn} pass.` }],
		});
	}
	return `${lines.join("\n")}\n`;
}

const many = (n: number, text = "x".repeat(100)): string =>
	JSON.stringify(Array.from({ length: n }, (_, i) => chatgptConv(`c${i}`, `${text} ${i}`)));

async function threaded(sources: NodeByteSource[], options: OpenExportOptions = {}, heapMb?: number): Promise<ExportReader> {
	const reader = await openThreadedExport(sources, options, { minBytes: 0, script, ...(heapMb !== undefined ? { heapMb } : {}) });
	readers.push(reader);
	return reader;
}

async function here(sources: NodeByteSource[], options: OpenExportOptions = {}): Promise<ExportReader> {
	const reader = await openExport(sources, options);
	readers.push(reader);
	return reader;
}

interface Outcome {
	results: ExtractResult[];
	error?: { cls: string; message: string; file?: string; problem?: string };
}

function described(e: unknown): NonNullable<Outcome["error"]> {
	if (e instanceof InputError) return { cls: "InputError", message: e.message, file: e.file, problem: e.problem };
	return { cls: e instanceof Error ? e.constructor.name : typeof e, message: e instanceof Error ? e.message : String(e) };
}

async function drain(reader: ExportReader): Promise<Outcome> {
	const results: ExtractResult[] = [];
	try {
		for await (const r of reader.conversations()) results.push(r);
	} catch (e) {
		return { results, error: described(e) };
	}
	return { results };
}

/**
 * What the main thread gets from the worker, compared with the core reader's: a conversation as its JSON says, and
 * the facts the worker sends with it, as the conversation's own. Positions (progress) are exact for a streamed
 * document and estimated for one parsed whole, and the reader thread streams its first document: they are only
 * checked to rise.
 */
function comparable(results: ExtractResult[]): unknown[] {
	const positions = results.map((r) => r.position ?? 0);
	for (let i = 1; i < positions.length; i++)
		if (results[i]!.source === results[i - 1]!.source) expect(positions[i]).toBeGreaterThan(positions[i - 1]!);
	return results.map((r) => {
		if (!r.ok) {
			const { position: _p, ...failure } = r;
			return failure;
		}
		if (r.facts !== undefined) expect(r.facts).toEqual(conversationFacts(r.conversation));
		const { facts: _facts, position: _position, ...rest } = r;
		return { ...rest, conversation: JSON.parse(JSON.stringify(r.conversation)) as unknown, line: JSON.stringify(r.conversation) };
	});
}

async function expectSame(make: () => Promise<NodeByteSource[]>, options: OpenExportOptions = {}): Promise<Outcome> {
	const sources = await make();
	const a = await here(sources, options);
	const b = await threaded(sources, options);
	expect(b).toBeInstanceOf(WorkerReader);
	expect(b.inputs).toEqual(a.inputs);
	expect(b.skipped).toEqual(a.skipped);
	expect(b.totalBytes).toEqual(a.totalBytes);
	const [x, y] = [await drain(a), await drain(b)];
	expect(y.error).toEqual(x.error);
	expect(comparable(y.results)).toEqual(comparable(x.results));
	for (const r of y.results) if (r.ok) expect(r.line).toBe(JSON.stringify(r.conversation));
	return y;
}

describe("openThreadedExport: the same results as the core reader", () => {
	const cases: [string, () => Promise<NodeByteSource[]>, OpenExportOptions?][] = [
		["a Claude export with edge cases and a broken record", async () => [await file("conversations.json", claudeEdge)]],
		["a ChatGPT export with edge cases", async () => [await file("conversations.json", chatgptEdge)]],
		[
			"a zip, a bare file and split files together, in input order",
			async () => [
				await zip("data.zip", { "conversations.json": claudeEdge }),
				await file("conversations-000.json", chatgptEdge),
				await file("conversations-001.json", many(30)),
			],
		],
		[
			"a manifest skipped along with its zip",
			async () => [await file("manifest-1.json", '{"files":[]}'), await zip("a.zip", { "conversations.json": claudeEdge })],
		],
		[
			"an element that is not valid JSON, and one of the other provider",
			async () => [
				await file("c.json", claudeEdge.replace('"uuid": "c-branch-leaf",', '"uuid": "c-branch-leaf",,')),
				await file("mixed.json", JSON.stringify([(JSON.parse(claudeEdge) as unknown[])[0], chatgptConv("odd", "x")])),
			],
		],
		["an empty array", async () => [await file("conversations.json", "[]")]],
		[
			"a named provider and SHA-256 asked for",
			async () => [await file("conversations.json", chatgptEdge)],
			{ provider: "chatgpt", sha256: true },
		],
		["many batches (small reads)", async () => [await file("conversations.json", many(2000))], { chunkSize: 4096 }],
	];
	for (const [name, make, options] of cases) {
		it(name, async () => {
			const out = await expectSame(make, options);
			if (name !== "an empty array") expect(out.results.length).toBeGreaterThan(0);
		});
	}

	it("a Claude Code session file of 16 MB or more (JSONL, one conversation) reads the same in the thread", async () => {
		const text = bigClaudeCodeSession(16.5 * 1024 * 1024);
		const out = await expectSame(async () => [await file("5b0c7a52-3e1f-4c9a-9d1e-2f6a8b4c0d11.jsonl", text)]);
		expect(out.error).toBeUndefined();
		expect(out.results).toHaveLength(1);
		const first = out.results[0]!;
		if (!first.ok) throw new Error(first.reason);
		expect(first.conversation.provider).toBe("claude-code");
		const prompts = text.split("\n").filter((l) => l.includes('"content":"Run the tests of module')).length;
		expect(first.conversation.messages.filter((m) => m.role === "user").length).toBe(prompts);
	}, 90_000);

	it("a cut found late is thrown from the iterator after the good items, as an InputError with its file and problem", async () => {
		const text = many(50);
		const cut = text.lastIndexOf('"children":[]', text.length - 500) + '"children":[]'.length;
		// Streamed (a document read whole is refused when opened: see open-export.test.ts).
		const out = await expectSame(async () => [await file("big.json", text.slice(0, cut))], { wholeMaxBytes: 0 });
		expect(out.results.length).toBeGreaterThan(40);
		expect(out.error).toMatchObject({
			cls: "InputError",
			file: "big.json",
			problem: expect.stringMatching(/^the document is truncated/) as unknown,
		});
	});

	it("each conversations() call starts over, also after one given up part way", async () => {
		const source = await file("conversations.json", many(1500));
		const reader = await threaded([source], { chunkSize: 8192 });
		let n = 0;
		for await (const r of reader.conversations()) if (r.index >= 0 && ++n === 700) break; // the worker is told to stop
		expect(n).toBe(700);
		const first = await drain(reader);
		const second = await drain(reader);
		expect(first.results).toHaveLength(1500);
		expect(first.results.map((r) => r.index)).toEqual(Array.from({ length: 1500 }, (_, i) => i));
		expect(comparable(second.results)).toEqual(comparable(first.results));
	});
});

describe("openThreadedExport: note drafts rendered in the worker (conversations({ draft }))", () => {
	it("equal those the transform renders, for every conversation: the first run (started before the session was known) holds its first batch until asked", async () => {
		const reader = await threaded([await file("edge.json", claudeEdge), await file("conversations.json", many(600))]);
		for (const includeThinking of [true, false]) {
			const draft = { sessionId: "20260101_101010", includeThinking };
			const results: ExtractResult[] = [];
			for await (const r of reader.conversations({ draft })) results.push(r);
			const ok = results.filter((r): r is Extract<ExtractResult, { ok: true }> => r.ok);
			const drafted = ok.filter((r) => r.draft !== undefined);
			for (const r of drafted) expect(r.draft).toEqual(draftNote(r.conversation, draft.sessionId, draft));
			expect(drafted).toHaveLength(ok.length);
		}
	});
});

describe("openThreadedExport: drafted conversations without their JSON (draft.linesOnlyFor)", () => {
	it("a drafted conversation comes without its line unless its key is listed; its draft is the same; asking for it is an error", async () => {
		const sources = [await file("edge.json", claudeEdge), await file("conversations.json", many(600))];
		const reference = await drain(await here(sources));
		const byKey = new Map<string, Extract<ExtractResult, { ok: true }>>();
		for (const r of reference.results) if (r.ok) byKey.set(conversationKey(r.conversation.provider, r.conversation.id), r);
		// Every third conversation is "known" (the import index has it: a re-import may append to its note).
		const known = new HintBuilder();
		const keys = [...byKey.keys()];
		keys.forEach((key, i) => i % 3 === 0 && known.add(key, "not a time"));
		const linesOnlyFor = known.done();
		const reader = await threaded(sources);
		// The first run (its first batch made before the choice was known) and a second one.
		for (const includeThinking of [false, true]) {
			const draft = { sessionId: "20260101_101010", includeThinking, linesOnlyFor };
			const results: ExtractResult[] = [];
			for await (const r of reader.conversations({ draft })) results.push(r);
			const ok = results.filter((r): r is Extract<ExtractResult, { ok: true }> => r.ok);
			expect(ok).toHaveLength(byKey.size);
			let withLine = 0;
			for (const r of ok) {
				const key = conversationKey(r.facts!.provider!, r.facts!.id);
				const mine = byKey.get(key)!;
				expect(r.draft).toEqual(draftNote(mine.conversation, draft.sessionId, draft));
				if (keys.indexOf(key) % 3 === 0) {
					withLine++;
					expect(r.line).toBe(JSON.stringify(mine.conversation));
				} else {
					expect(r.line).toBeUndefined();
					expect(() => r.conversation).toThrow(/sent no JSON for it \(none was asked for\)/);
				}
			}
			expect(withLine).toBe(Math.ceil(keys.length / 3));
		}
	});
});

describe("openThreadedExport: whole-input problems are thrown when opening, as InputError", () => {
	const cases: [string, () => Promise<NodeByteSource[]>, RegExp, OpenExportOptions?][] = [
		["a file cut short", async () => [await file("big.json", many(50).slice(0, -500))], /^big\.json: the file is truncated or incomplete/],
		["a non-JSON file", async () => [await file("notes.json", "hello, world")], /^notes\.json: not a JSON array/],
		[
			"a wrong --provider inside a zip",
			async () => [await zip("g.zip", { "conversations.json": chatgptEdge })],
			/^g\.zip:conversations\.json: --provider claude was given/,
			{ provider: "claude" },
		],
		[
			"a zip with no conversations",
			async () => [await zip("other.zip", { "users.json": "[]" })],
			/^other\.zip: no conversations in this zip/,
		],
		[
			"a manifest alone",
			async () => [await file("manifest-abc.json", '{"zips": []}')],
			/^manifest-abc\.json: this is a Claude export manifest/,
		],
	];
	for (const [name, make, message, options] of cases) {
		it(name, async () => {
			const sources = await make();
			const mine = await openThreadedExport(sources, options ?? {}, { minBytes: 0, script }).then(
				() => null,
				(e: unknown) => e,
			);
			const core = await openExport(sources, options ?? {}).then(
				() => null,
				(e: unknown) => e,
			);
			expect(mine).toBeInstanceOf(InputError);
			expect((mine as InputError).message).toMatch(message);
			expect(described(mine)).toEqual(described(core));
		});
	}

	it("a file gone between the main thread's open and the worker's: named, as an InputError", async () => {
		const source = await file("conversations.json", chatgptEdge);
		await rm(join(dir, "conversations.json"));
		await expect(openThreadedExport([source], {}, { minBytes: 0, script })).rejects.toMatchObject({
			name: "InputError",
			file: "conversations.json",
			problem: "not found",
		});
	});
});

describe("openThreadedExport: when and how the thread is used", () => {
	it("small inputs, or no worker script, are read in this thread", async () => {
		const source = await file("conversations.json", chatgptEdge);
		const small = await openThreadedExport([source], {}, { script });
		const none = await openThreadedExport([source], {}, { minBytes: 0, script: null });
		readers.push(small, none);
		expect(small).not.toBeInstanceOf(WorkerReader);
		expect(none).not.toBeInstanceOf(WorkerReader);
		// From the TypeScript sources (vitest), there is no built worker next to the module: in this thread too.
		const fromSources = await openThreadedExport([source], {}, { minBytes: 0 });
		readers.push(fromSources);
		expect(fromSources).not.toBeInstanceOf(WorkerReader);
		// KNOWLEDGE_ETL_HEAP_MB=0 (heapMb 0) is one thread: no reader thread even for an input past the size.
		const oneThread = await openThreadedExport([source], {}, { minBytes: 0, script, heapMb: 0 });
		const threaded = await openThreadedExport([source], {}, { minBytes: 0, script, heapMb: 64 });
		readers.push(oneThread, threaded);
		expect(oneThread).not.toBeInstanceOf(WorkerReader);
		expect(threaded).toBeInstanceOf(WorkerReader);
	});

	it("the worker never runs more than WINDOW batches ahead of the consumer", async () => {
		const source = await file("conversations.json", many(20_000, "y"));
		const reader = await threaded([source], { chunkSize: 16_384 });
		const iterator = reader.conversations()[Symbol.asyncIterator]();
		await iterator.next();
		await new Promise((r) => setTimeout(r, 400)); // time enough to read the whole file, were it allowed to
		expect((reader as WorkerReader).queuedBatches).toBeLessThanOrEqual(WINDOW);
		expect((reader as WorkerReader).queuedBatches).toBeGreaterThan(0);
		let n = 1;
		for (let r = await iterator.next(); !r.done; r = await iterator.next()) n++;
		expect(n).toBe(20_000);
	});

	it("a worker out of memory is an error that says how to give it more", async () => {
		const source = await file("conversations.json", many(200, "z".repeat(50_000)));
		const error = await (async () => {
			const reader = await threaded([source], {}, 1);
			await drain(reader).then((o) => {
				if (o.error) throw new Error(o.error.message);
			});
		})().then(
			() => null,
			(e: unknown) => e,
		);
		expect(error).toBeInstanceOf(Error);
		expect((error as Error).message).toMatch(/more than 1 MB of memory.*KNOWLEDGE_ETL_HEAP_MB=1024/);
	}, 30_000);
});

describe("a reader thread started ahead (by dist/cli.js, while the CLI loads)", () => {
	it("is told what to read, and gives the same results as the core reader", async () => {
		const sources = [await zip("data.zip", { "conversations.json": claudeEdge }), await file("conversations.json", many(300))];
		const { worker, forCli } = startStandbyReader(script, 192);
		const exited = new Promise<number>((resolve) => worker.on("exit", resolve));
		const reader = await openThreadedExport(sources, {}, { minBytes: 0, standby: forCli });
		readers.push(reader);
		expect(reader).toBeInstanceOf(WorkerReader);
		const core = await here(sources);
		expect(reader.inputs).toEqual(core.inputs);
		const [x, y] = [await drain(core), await drain(reader)];
		expect(comparable(y.results)).toEqual(comparable(x.results));
		expect(comparable((await drain(reader)).results)).toEqual(comparable(x.results)); // and again from the start
		await reader.close();
		expect(await exited).toBe(0); // closed: it ends by itself
	});

	it("loads under V8's default flags, and arms the interrupt budget once the import gives it its inputs (v8-flags.ts)", async () => {
		const source = await file("conversations.json", many(300));
		const { worker, forCli } = startStandbyReader(script, 192);
		const exited = new Promise<number>((resolve) => worker.on("exit", resolve));
		await new Promise((r) => setTimeout(r, 300)); // loaded and waiting
		expect(refused(PRISTINE)).toBe(false);
		const reader = await openThreadedExport([source], {}, { minBytes: 0, standby: forCli });
		readers.push(reader);
		expect((await drain(reader)).results).toHaveLength(300);
		// A short import (300 small conversations): the budget of one, by the bytes of the conversations.
		expect(armedFor()).toBe("short");
		await reader.close();
		expect(await exited).toBe(0);
	});

	it("is dismissed when the inputs are small after all (it ends), and the reading happens here", async () => {
		const source = await file("conversations.json", chatgptEdge);
		const { worker, forCli } = startStandbyReader(script, 192);
		const exited = new Promise<number>((resolve) => worker.on("exit", resolve));
		expect(refused(PRISTINE)).toBe(false);
		const reader = await openThreadedExport([source], {}, { standby: forCli });
		readers.push(reader);
		expect(reader).not.toBeInstanceOf(WorkerReader);
		expect(await exited).toBe(0);
		// Read here: the reader, loaded by the time it took its dismissal, armed the interrupt budget (v8-flags.ts), of a
		// short import, told the bytes of the conversations.
		expect(armedFor()).toBe("short");
	});

	it("without a reader started ahead, a reading here arms the budget itself, by the bytes of the conversations", async () => {
		const source = await file("conversations.json", chatgptEdge);
		expect(armedFor()).toBe("none");
		const reader = await openThreadedExport([source], {}, { standby: null });
		readers.push(reader);
		expect(reader).not.toBeInstanceOf(WorkerReader);
		expect(armedFor()).toBe("short");
	});

	it("reports an input problem found when opening as an InputError, and running out of memory as such", async () => {
		const bad = await file("notes.json", "hello, world");
		const first = startStandbyReader(script, 192);
		await expect(openThreadedExport([bad], {}, { minBytes: 0, standby: first.forCli })).rejects.toMatchObject({
			name: "InputError",
			file: "notes.json",
		});
		const big = await file("conversations.json", many(200, "z".repeat(50_000)));
		const second = startStandbyReader(script, 1);
		const error = await openThreadedExport([big], {}, { minBytes: 0, standby: second.forCli })
			.then(async (reader) => {
				readers.push(reader);
				return drain(reader).then((o) => o.error);
			})
			.catch((e: unknown) => described(e));
		expect(error?.message).toMatch(/more than 1 MB of memory.*KNOWLEDGE_ETL_HEAP_MB=1024/);
	}, 30_000);
});
