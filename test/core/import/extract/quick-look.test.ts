/**
 * A look at a conversation's element without parsing it (quick-look.ts, the splitter's peek): what it finds must be
 * what normalising the parsed element gives (id, source time), whatever the order of the keys, their repeats and the
 * escapes in the values; it gives up where it cannot be sure; and an element it says holds no file marker has no
 * attachment the note could bring a file for.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { chunksOf, splitJsonArray, type JsonArrayItem } from "../../../../src/core/import/extract/json-array-stream";
import type { ExtractResult } from "../../../../src/core/import/extract/open-export";
import { quickLook, quickLooker, type QuickLook, type QuickShape } from "../../../../src/core/import/extract/quick-look";
import { MarkSearch, quickResults } from "../../../../src/core/import/extract/quick-results";
import { PROVIDERS } from "../../../../src/core/import/extract/normalize/registry";
import { conversationFacts } from "../../../../src/core/model/conversation-facts";
import type { Provider } from "../../../../src/core/model/conversation";

const enc = new TextEncoder();
const CHUNK_SIZES = [1, 7, 64 * 1024];

interface Looked {
	look: QuickLook | null;
	marked: boolean;
	value: unknown;
}

/** Every element of `text` split with a peek that looks (and takes none), then parsed as usual. */
async function looks(provider: Provider, text: string, chunkSize: number): Promise<Looked[]> {
	const shape = PROVIDERS[provider].quick!;
	const looker = quickLooker(shape);
	const marks = new MarkSearch(shape.fileMarkers);
	const seen: { look: QuickLook | null; marked: boolean }[] = [];
	const out: Looked[] = [];
	const peek = (bytes: Uint8Array, tops: Int32Array, count: number): null => {
		seen.push({ look: quickLook(looker, bytes, tops, count), marked: marks.take() });
		return null;
	};
	for await (const item of splitJsonArray(chunksOf(enc.encode(text), chunkSize), { peek, shortStrings: marks })) {
		if (!item.ok || "peeked" in item) throw new Error("every element parses here");
		out.push({ ...seen[out.length]!, value: item.value });
	}
	expect(out.length).toBe(seen.length);
	return out;
}

async function lookOne(provider: Provider, element: string, chunkSize = 64 * 1024): Promise<Looked> {
	const [one] = await looks(provider, `[${element}]`, chunkSize);
	return one!;
}

const CLAUDE = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
	uuid: "c-1",
	name: " A title ",
	created_at: "2025-01-01T00:00:00.000Z",
	updated_at: "2025-01-02T03:04:05.000Z",
	chat_messages: [
		{ uuid: "m1", sender: "human", text: "hi", content: [{ type: "text", text: "hi" }], created_at: "2025-01-01T00:00:00.000Z" },
	],
	...over,
});

describe("a look at an element's top level", () => {
	it("finds the id, source time and title whatever the order of the keys, in every chunking", async () => {
		const element = CLAUDE();
		const scrambled = Object.fromEntries(Object.entries(element).reverse());
		for (const size of CHUNK_SIZES) {
			for (const e of [element, scrambled]) {
				const { look } = await lookOne("claude", JSON.stringify(e), size);
				expect(look).toEqual({ id: "c-1", updated: "2025-01-02T03:04:05.000Z", title: "A title" });
			}
		}
	});

	it("reads values with escapes as JSON.parse does, and the last of a repeated key as JSON.parse keeps it", async () => {
		// JSON.parse keeps the last of repeated keys; the look must read the same (a stale first id would be matched).
		const text =
			'{"uuid":"old","chat_messages":[],"uuid":"n\\u00e9w \\"x\\" \\\\ 🎉","updated_at":"2025-01-01T00:00:00Z","name":"T\\u00edtulo\\n"}';
		const { look, value } = await lookOne("claude", text);
		const parsed = value as { uuid: string; name: string };
		expect(look).toEqual({ id: parsed.uuid, updated: "2025-01-01T00:00:00Z", title: parsed.name.trim() });
		expect(look?.id).toBe('néw "x" \\ 🎉');
	});

	it("gives up where it cannot be sure: an escaped key, a value of another type, a missing member", async () => {
		const cases = [
			// The key `uuid` written with an escape: the look cannot tell which key it is.
			'{"\\u0075uid":"x","uuid":"c-1","chat_messages":[],"updated_at":"2025-01-01T00:00:00Z"}',
			JSON.stringify(CLAUDE({ uuid: 12 })),
			JSON.stringify(CLAUDE({ uuid: "" })),
			JSON.stringify(CLAUDE({ updated_at: 1735689600 })),
			JSON.stringify(CLAUDE({ updated_at: "not a time" })),
			JSON.stringify(CLAUDE({ updated_at: null })),
			JSON.stringify(CLAUDE({ name: { first: "x" } })),
			JSON.stringify({ uuid: "c-1", updated_at: "2025-01-01T00:00:00Z" }), // no chat_messages: not Claude's shape
		];
		for (const text of cases) expect((await lookOne("claude", text)).look, text).toBeNull();
	});

	it("reads ChatGPT's id (conversation_id, else id) and its time in seconds as normalising does", async () => {
		const base = { title: "", create_time: 1739289843.123, update_time: 1739291059.456, mapping: {}, current_node: null };
		const one = await lookOne("chatgpt", JSON.stringify({ ...base, conversation_id: "", id: "g-2" }));
		expect(one.look).toEqual({ id: "g-2", updated: new Date(1739291059.456 * 1000).toISOString(), title: "Untitled" });
		const two = await lookOne("chatgpt", JSON.stringify({ ...base, id: "g-2", conversation_id: "g-1" }));
		expect(two.look?.id).toBe("g-1");
		// No current_node: DeepSeek's test could take it; chat_messages: Claude's would. A time as text: not ChatGPT's.
		expect((await lookOne("chatgpt", JSON.stringify({ ...base, current_node: undefined, id: "g" }))).look).toBeNull();
		expect((await lookOne("chatgpt", JSON.stringify({ ...base, chat_messages: [], id: "g" }))).look).toBeNull();
		expect((await lookOne("chatgpt", JSON.stringify({ ...base, update_time: "1739291059", id: "g" }))).look).toBeNull();
	});

	it("marks an element holding a marker string at any depth, also written with escapes or cut by a chunk", async () => {
		const artifact = CLAUDE({
			chat_messages: [{ uuid: "m", sender: "assistant", content: [{ type: "tool_use", name: "artifacts", input: { id: "a" } }] }],
		});
		for (const size of CHUNK_SIZES) {
			expect((await lookOne("claude", JSON.stringify(artifact), size)).marked).toBe(true);
			expect((await lookOne("claude", JSON.stringify(artifact).replace('"artifacts"', '"\\u0061rtifacts"'), size)).marked).toBe(true);
		}
		// A string cut by a chunk's end may be one (taken as one); whole in one chunk, none is.
		expect((await lookOne("claude", JSON.stringify(CLAUDE()))).marked).toBe(false);
		// Text that only mentions the word is no marker (its quotes are escaped, or it is longer).
		expect((await lookOne("claude", JSON.stringify(CLAUDE({ summary: 'see "artifacts" and artifacts' })))).marked).toBe(false);
		expect((await lookOne("claude", JSON.stringify(CLAUDE({ summary: "artifacts" })))).marked).toBe(true);
	});
});

/** A ChatGPT conversation of one user message with `content` and `metadata` (the shapes of chatgpt.ts). */
function chatgptWith(id: string, content: unknown, metadata: unknown = {}): Record<string, unknown> {
	const message = { id: "m", author: { role: "user" }, create_time: 1739290127, content, metadata };
	return {
		title: "t",
		create_time: 1739289843,
		update_time: 1739291059,
		mapping: { root: { id: "root", message: null, parent: null, children: ["m"] }, m: { id: "m", message, parent: "root", children: [] } },
		current_node: "m",
		conversation_id: id,
	};
}

/** One element for each way a ChatGPT conversation may bring a file, each with one marker only. */
const ONE_MARKER_EACH = JSON.stringify([
	chatgptWith("pointer", {
		content_type: "multimodal_text",
		parts: [{ content_type: "image_asset_pointer", asset_pointer: "file-service://file-AbC1" }],
	}),
	chatgptWith("attached", { content_type: "text", parts: ["see the file"] }, { attachments: [{ id: "file-XyZ2", name: "a.pdf" }] }),
]);

/** Claude and ChatGPT exports to check the look against: ours, and the MIT samples when `../shared` is there. */
function samples(): { provider: Provider; name: string; text: string }[] {
	const out: { provider: Provider; name: string; text: string }[] = [
		{ provider: "chatgpt", name: "one marker each", text: ONE_MARKER_EACH },
	];
	const ours = join(__dirname, "../../../fixtures/extract");
	for (const f of ["claude-edge.json", "claude-faithful.json", "chatgpt-edge.json", "chatgpt-faithful.json"])
		out.push({ provider: f.startsWith("claude") ? "claude" : "chatgpt", name: f, text: readFileSync(join(ours, f), "utf8") });
	const shared = join(__dirname, "../../../../../shared/fixtures/public");
	for (const f of ["claude-conversations.chatlore.json", "chatgpt-conversations.chatlore.json", "chatgpt-branching-example.mitkury.json"]) {
		const path = join(shared, f);
		if (existsSync(path)) out.push({ provider: f.startsWith("claude") ? "claude" : "chatgpt", name: f, text: readFileSync(path, "utf8") });
	}
	return out;
}

describe("the look against normalising, on real shapes", () => {
	it("finds what normalising finds, and marks every element with an attachment that may bring a file", async () => {
		let looked = 0;
		let withFiles = 0;
		for (const { provider, name, text } of samples()) {
			const elements = JSON.parse(text) as unknown[];
			if (!Array.isArray(elements)) continue;
			for (const size of CHUNK_SIZES) {
				for (const [i, { look, marked, value }] of (await looks(provider, text, size)).entries()) {
					const normalized = PROVIDERS[provider].normalize(value);
					if (!normalized.ok) continue;
					const facts = conversationFacts(normalized.conversation);
					if (facts.attachments) {
						withFiles++;
						expect(marked, `${name} #${i}: an attachment that may bring a file, not marked`).toBe(true);
					}
					if (look === null) continue;
					looked++;
					expect(look.id, `${name} #${i}`).toBe(normalized.conversation.id);
					expect(look.updated, `${name} #${i}`).toBe(normalized.conversation.updated);
				}
			}
		}
		// Not vacuous: elements were looked at, and some hold files.
		expect(looked).toBeGreaterThan(10);
		expect(withFiles).toBeGreaterThan(0);
	});

	it("every source with a look says where its keys are in a way its normaliser agrees with", () => {
		const shapes = Object.values(PROVIDERS).filter((p) => p.quick !== undefined);
		expect(shapes.map((p) => p.id).sort()).toEqual(["chatgpt", "claude"]);
		for (const p of shapes) {
			const shape = p.quick as QuickShape;
			expect(shape.id.length).toBeGreaterThan(0);
			expect(shape.fileMarkers.length).toBeGreaterThan(0);
		}
	});
});

describe("a conversation taken from a look, parsed after all", () => {
	const first = CLAUDE();
	const text = JSON.stringify([first, CLAUDE({ uuid: "c-2" })]);
	const bytes = enc.encode(text);
	async function taken(readAt?: (offset: number, length: number) => Promise<Uint8Array>): Promise<ExtractResult[]> {
		const out: ExtractResult[] = [];
		const doc = { label: "c.json", chunks: () => chunksOf(bytes, 64 * 1024), ...(readAt ? { readAt } : {}) };
		const parsed = (item: JsonArrayItem): ExtractResult => {
			if (!item.ok) return { ok: false, source: "c.json", index: item.index, reason: item.reason };
			const n = PROVIDERS.claude.normalize(item.value);
			return n.ok
				? { ok: true, conversation: n.conversation, source: "c.json", index: item.index }
				: { ok: false, source: "c.json", index: item.index, reason: n.reason };
		};
		for await (const r of quickResults.read(doc, "claude", PROVIDERS.claude.quick!, 0, { active: () => true, accept: () => true }, parsed))
			out.push(r);
		return out;
	}

	it("is parsed from its bytes kept, or read again from the file; one read again that is another conversation fails", async () => {
		for (const readAt of [undefined, (o: number, n: number) => Promise.resolve(bytes.slice(o, o + n))]) {
			const results = await taken(readAt);
			expect(results.map((r) => r.ok && r.quick !== undefined)).toEqual([true, true]);
			const whole = await (results[1] as { quick: { full(): Promise<ExtractResult> } }).quick.full();
			expect(whole.ok && whole.conversation.id).toBe("c-2");
		}
		// The file changed since it was read: the same bytes' place now holds another conversation.
		const changed = enc.encode(JSON.stringify([first, CLAUDE({ uuid: "c-3" })]));
		const results = await taken((o, n) => Promise.resolve(changed.slice(o, o + n)));
		const whole = await (results[1] as { quick: { full(): Promise<ExtractResult> } }).quick.full();
		expect(whole.ok).toBe(false);
		expect(!whole.ok && whole.reason).toMatch(/changed while it was being read/);
	});
});

describe("looks switched on part way (the reader's first batch is read before the import says what it knows)", () => {
	const artifact = CLAUDE({
		uuid: "with-file",
		chat_messages: [{ uuid: "m", sender: "assistant", content: [{ type: "tool_use", name: "artifacts", input: { id: "a" } }] }],
	});
	async function takenWith(elements: Record<string, unknown>[], activeFrom: number): Promise<boolean[]> {
		const bytes = enc.encode(JSON.stringify(elements));
		let asked = 0;
		// Asked once before the first element, then at the end of each.
		const quick = { active: () => asked++ >= activeFrom, accept: () => true };
		const doc = { label: "c.json", chunks: () => chunksOf(bytes, 64 * 1024) };
		const out: boolean[] = [];
		const parsed = (item: JsonArrayItem): ExtractResult => ({ ok: false, source: "c.json", index: item.index, reason: "parsed" });
		for await (const r of quickResults.read(doc, "claude", PROVIDERS.claude.quick!, 0, quick, parsed))
			out.push(r.ok && r.quick !== undefined);
		return out;
	}

	it("takes nothing while off, and no element whose strings were not all watched for markers", async () => {
		const plain = (id: string) => CLAUDE({ uuid: id });
		expect(await takenWith([plain("a"), plain("b"), plain("c")], 99)).toEqual([false, false, false]);
		expect(await takenWith([plain("a"), plain("b"), plain("c")], 0)).toEqual([true, true, true]);
		// Switched on at the end of the first element: the second is watched (its artifact seen), the third taken.
		expect(await takenWith([plain("a"), artifact, plain("c")], 1)).toEqual([false, false, true]);
		// Switched on at the end of the element with an artifact: it was not watched, so it is not taken.
		expect(await takenWith([artifact, plain("b")], 1)).toEqual([false, true]);
	});
});
