import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { chunksOf, splitJsonArray, type JsonArrayItem } from "../../../../src/core/import/extract/json-array-stream";
import { JsonStreamError } from "../../../../src/core/import/extract/errors";

const enc = new TextEncoder();
const CHUNK_SIZES = [1, 7, 64 * 1024];

async function collect(bytes: Uint8Array, chunkSize: number): Promise<JsonArrayItem[]> {
	const out: JsonArrayItem[] = [];
	for await (const item of splitJsonArray(chunksOf(bytes, chunkSize))) out.push(item);
	return out;
}

async function values(text: string | Uint8Array, chunkSize: number): Promise<unknown[]> {
	const items = await collect(typeof text === "string" ? enc.encode(text) : text, chunkSize);
	return items.map((i) => {
		if (!i.ok) throw new Error(i.reason);
		return i.value;
	});
}

async function structuralError(text: string | Uint8Array, chunkSize: number): Promise<JsonStreamError> {
	try {
		await collect(typeof text === "string" ? enc.encode(text) : text, chunkSize);
	} catch (e) {
		if (e instanceof JsonStreamError) return e;
		throw e;
	}
	throw new Error("expected a JsonStreamError");
}

const VALID: [string, string][] = [
	["empty array", "[]"],
	["empty array with whitespace", " \n\t[ \r\n ] \n"],
	["objects", '[{"a":1},{"b":[1,2,{"c":"d"}]}]'],
	["brackets and braces in strings", '[{"t":"a ] } [ { , \\" still"},{"u":"]"}]'],
	["escaped quotes and backslashes", '[{"s":"\\\\"},{"s":"\\\\\\""},"\\"",{"k\\"ey":"v\\\\"}]'],
	["unicode escapes", '[{"e":"\\u00e9\\ud83d\\ude00"}]'],
	["multibyte utf-8", '[{"t":"héllo 🎉 مرحبا 日本語"},{"t":"🧑‍💻"}]'],
	["scalars", '[1, -2.5e3, true, false, null, "x", [], {}]'],
	["nested arrays at top", "[[1,[2,[3]]],[[]]]"],
	["pretty printed", '[\n  {\n    "a": "b",\n    "c": [\n      1\n    ]\n  },\n  {\n    "d": null\n  }\n]\n'],
	["scalar at the end", "[1,2,3]"],
];

describe("splitJsonArray", () => {
	for (const [name, text] of VALID) {
		for (const size of CHUNK_SIZES) {
			it(`${name} (chunk ${size}) equals JSON.parse`, async () => {
				expect(await values(text, size)).toEqual(JSON.parse(text));
			});
		}
	}

	it("skips a UTF-8 byte-order mark, also split across chunks", async () => {
		const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...enc.encode('[{"a":"é"}]')]);
		for (const size of CHUNK_SIZES) expect(await values(bytes, size)).toEqual([{ a: "é" }]);
	});

	it("matches JSON.parse on a generated document at every chunk size", async () => {
		const doc = Array.from({ length: 300 }, (_, i) => ({
			id: `c-${i}`,
			text: `line ${i} with "quotes" \\ and ] } [ { and émoji 😀 ${"x".repeat(i % 50)}`,
			nested: { list: Array.from({ length: i % 5 }, (_, j) => ({ j, s: "\u0000\n\t" })) },
		}));
		const text = JSON.stringify(doc, null, i2(3));
		for (const size of [1, 7, 13, 4096, 64 * 1024]) expect(await values(text, size)).toEqual(doc);
	});

	it("reports each element's index and byte offset", async () => {
		const items = await collect(enc.encode('[ {"a":1} ,\n"é", 3]'), 1);
		expect(items.map((i) => [i.index, i.offset])).toEqual([
			[0, 2],
			[1, 12],
			[2, 18],
		]);
	});

	it("yields an invalid element as an item failure and goes on", async () => {
		for (const size of CHUNK_SIZES) {
			const items = await collect(enc.encode('[{"a":1},{"b":,},{"c":3}]'), size);
			expect(items.map((i) => i.ok)).toEqual([true, false, true]);
			const bad = items[1]!;
			expect(bad.ok).toBe(false);
			if (!bad.ok) expect(bad.reason).toMatch(/element 1 at byte 9 is not valid JSON/);
			expect(items[2]).toMatchObject({ ok: true, value: { c: 3 } });
		}
	});

	it("fails an element holding a string over the limit, keeps none of its bytes, and goes on", async () => {
		const big = "x".repeat(5000);
		const doc = [
			{ id: "a", title: "Fine", text: "short" },
			{ title: 'Huge "one"', mapping: { m: { message: { content: { parts: ["ok", big] } } } }, id: "b" },
			{ id: "c", text: "y".repeat(999) },
		];
		const bytes = enc.encode(JSON.stringify(doc));
		for (const size of [7, 100, 4096, 64 * 1024]) {
			const items: JsonArrayItem[] = [];
			for await (const item of splitJsonArray(chunksOf(bytes, size), { maxStringBytes: 1000 })) items.push(item);
			expect(items.map((i) => i.ok)).toEqual([true, false, true]);
			const bad = items[1]!;
			if (bad.ok) throw new Error("expected a failure");
			expect(bad.index).toBe(1);
			expect(bad.reason).toMatch(
				/^element 1 at byte \d+ \("Huge "one""\) holds a message of 5,000 bytes, over the limit of 1,000 bytes for one message/,
			);
			expect(items[2]).toMatchObject({ ok: true, value: doc[2] });
		}
		// At the limit exactly: kept.
		const exact = enc.encode(JSON.stringify([{ t: "z".repeat(1000) }]));
		const kept: JsonArrayItem[] = [];
		for await (const item of splitJsonArray(chunksOf(exact, 64), { maxStringBytes: 1000 })) kept.push(item);
		expect(kept.map((i) => i.ok)).toEqual([true]);
	});

	it("yields invalid UTF-8 inside an element as an item failure", async () => {
		const bytes = new Uint8Array([...enc.encode('[{"a":"'), 0xff, 0xfe, ...enc.encode('"},{"b":2}]')]);
		const items = await collect(bytes, 7);
		expect(items.map((i) => i.ok)).toEqual([false, true]);
	});

	const ERRORS: [string, string, RegExp, number][] = [
		[
			"truncated inside an element",
			'[{"a":1},{"b":"abc',
			/truncated: it ended inside element 1 at byte 18 \(the element starts at byte 9\)/,
			18,
		],
		["truncated inside a string with an escape", '[{"a":"\\', /ended inside element 0 at byte 8/, 8],
		["truncated after an element", '[{"a":1},{"b":2}', /truncated: it ended at byte 16 after element 1 without the closing '\]'/, 16],
		["truncated after a comma", '[{"a":1},', /truncated/, 9],
		["top level is an object", '{"conversations":[]}', /top level is an object, not an array/, 0],
		["top level is a string", '"hello"', /not a JSON array: found '"' at byte 0/, 0],
		["not JSON at all", "hello world", /not a JSON array: found 'h' at byte 0/, 0],
		["garbage between elements", '[{"a":1} x {"b":2}]', /unexpected 'x' at byte 9 after element 0 \(expected ',' or '\]'\)/, 9],
		["missing comma", '[{"a":1}{"b":2}]', /unexpected '\{' at byte 8 after element 0/, 8],
		["trailing comma", "[1,2,]", /trailing comma after element 1/, 5],
		["leading comma", "[,1]", /unexpected ',' at byte 1 where element 0 was expected/, 1],
		["garbage after the array", "[1] 2", /unexpected '2' at byte 4 after the end of the top-level array/, 4],
		["empty file", "", /the file is empty/, 0],
		["whitespace only", "  \n", /the file is empty/, 3],
	];
	for (const [name, text, message, offset] of ERRORS) {
		for (const size of CHUNK_SIZES) {
			it(`error: ${name} (chunk ${size})`, async () => {
				const e = await structuralError(text, size);
				expect(e.message).toMatch(message);
				expect(e.offset).toBe(offset);
			});
		}
	}

	it("yields the elements before a truncation, then throws", async () => {
		const seen: unknown[] = [];
		await expect(
			(async () => {
				for await (const item of splitJsonArray(chunksOf(enc.encode('[{"a":1},{"b":2},{"c":'), 4))) if (item.ok) seen.push(item.value);
			})(),
		).rejects.toThrow(/ended inside element 2/);
		expect(seen).toEqual([{ a: 1 }, { b: 2 }]);
	});

	it("stops reading the source when the consumer stops early", async () => {
		let pulled = 0;
		async function* source(): AsyncGenerator<Uint8Array> {
			yield enc.encode("[");
			for (let i = 0; i < 1000; i++) {
				pulled++;
				yield enc.encode(`${i === 0 ? "" : ","}{"i":${i}}`);
			}
			yield enc.encode("]");
		}
		for await (const item of splitJsonArray(source())) {
			if (item.ok) break;
		}
		expect(pulled).toBe(1);
	});

	it("handles one element larger than the initial buffer, split in many chunks", async () => {
		const big = { s: 'ab"c\\'.repeat(100_000) };
		const text = JSON.stringify([big, 1]);
		expect(await values(text, 10_000)).toEqual([big, 1]);
	});
});

function i2(n: number): number {
	return n;
}

/** A string watcher that counts the strings it is told of. */
function countingWatcher(): { maxLength: number; calls: number; seen(): void; take(): boolean } {
	const watcher = {
		maxLength: 8,
		calls: 0,
		seen(): void {
			watcher.calls++;
		},
		take: (): boolean => false,
	};
	return watcher;
}

describe("the splitter's warm-up (its first split in a thread runs it over a sample first)", () => {
	it("gives the first split of a fresh module its own document's elements only, with and without a peek", async () => {
		for (const peeked of [false, true]) {
			vi.resetModules();
			const fresh = await import("../../../../src/core/import/extract/json-array-stream");
			const doc = new TextEncoder().encode('[{"id":"one"}, {"id":"two"}]');
			const items: unknown[] = [];
			const opts: Parameters<typeof fresh.splitJsonArray<null>>[1] = peeked
				? { peek: () => null, shortStrings: { maxLength: 8, seen: () => undefined } }
				: ({} as Parameters<typeof fresh.splitJsonArray<null>>[1]);
			for await (const item of fresh.splitJsonArray<null>(fresh.chunksOf(doc, 5), opts))
				items.push(item.ok && "value" in item ? item.value : item);
			expect(items).toEqual([{ id: "one" }, { id: "two" }]);
		}
	});

	it("watches strings with the watcher given before it ran (openExport gives a quick reader's)", async () => {
		vi.resetModules();
		const fresh = await import("../../../../src/core/import/extract/json-array-stream");
		const given = countingWatcher();
		fresh.setWarmUpWatcher(given);
		for await (const item of fresh.splitJsonArray(fresh.chunksOf(new TextEncoder().encode("[1]"), 4))) void item;
		expect(given.calls).toBeGreaterThan(0); // the warm-up's peeked runs watched with it
	});

	it("openExport gives the splitter's warm-up its quick reader's watcher", async () => {
		vi.resetModules();
		const { openExport } = await import("../../../../src/core/import/extract/open-export");
		const given = countingWatcher();
		const bytes = new TextEncoder().encode(readFileSync(join(__dirname, "../../../fixtures/extract/claude-edge.json"), "utf8"));
		const source = { name: "conversations.json", size: bytes.length, read: async (at: number, n: number) => bytes.subarray(at, at + n) };
		const reader = await openExport([source], {
			wholeMaxBytes: 0, // split, as the CLI's reader thread does
			quickReader: {
				read: () => {
					throw new Error("not asked for");
				},
				warmUpWatcher: () => given,
			},
		});
		for await (const result of reader.conversations()) void result;
		expect(given.calls).toBeGreaterThan(0);
	});
});
