import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TextReader, Uint8ArrayWriter, ZipWriter } from "@zip.js/zip.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InputError } from "../../../../src/core/import/extract/errors";
import { openExport, type ExportReader, type ExtractResult, type OpenExportOptions } from "../../../../src/core/import/extract/open-export";
import { NodeByteSource } from "../../../../src/cli/node-byte-source";

const FIXTURES = join(__dirname, "../../../fixtures/extract");
const PUBLIC = join(__dirname, "../../../../../shared/fixtures/public");
const claudeEdge = readFileSync(join(FIXTURES, "claude-edge.json"), "utf8");
const chatgptEdge = readFileSync(join(FIXTURES, "chatgpt-edge.json"), "utf8");

let dir: string;
let opened: NodeByteSource[] = [];

beforeEach(async () => {
	dir = await mkdtemp(join(tmpdir(), "extract-"));
	opened = [];
});
afterEach(async () => {
	for (const s of opened) await s.close();
	await rm(dir, { recursive: true, force: true });
});

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

async function all(reader: ExportReader): Promise<ExtractResult[]> {
	const out: ExtractResult[] = [];
	for await (const r of reader.conversations()) out.push(r);
	return out;
}

async function inputError(sources: NodeByteSource[], opts: OpenExportOptions = {}): Promise<InputError> {
	try {
		const reader = await openExport(sources, opts);
		await all(reader);
	} catch (e) {
		if (e instanceof InputError) return e;
		throw e;
	}
	throw new Error("expected an InputError");
}

const summary = (results: ExtractResult[]): string[] =>
	results.map((r) => (r.ok ? `ok ${r.conversation.id}` : `fail ${r.index} ${r.itemId ?? "?"}`));

const chatgptConv = (id: string, text: string): object => ({
	id,
	title: `T ${id}`,
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
			message: { id: `${id}-b`, author: { role: "assistant" }, create_time: 1767261601, content: { content_type: "text", parts: ["ok"] } },
		},
	},
});

describe("openExport: inputs", () => {
	it("reads a Claude zip with conversations.json at the root, detecting the provider from content", async () => {
		const source = await zip("data-2026.zip", { "users.json": '[{"mapping":1}]', "conversations.json": claudeEdge, "projects.json": "[]" });
		const reader = await openExport([source], { provider: "auto" });
		expect(reader.inputs).toEqual([
			{ name: "data-2026.zip", size: source.size, provider: "claude", kind: "zip", documents: ["data-2026.zip:conversations.json"] },
		]);
		const results = await all(reader);
		expect(summary(results)).toEqual([
			"ok c-unicode-1",
			"ok c-branch-leaf",
			"ok c-branch-latest",
			"ok c-no-times",
			"ok c-empty",
			"fail 5 c-bad-messages",
		]);
		expect(results[5]).toMatchObject({
			ok: false,
			source: "data-2026.zip:conversations.json",
			title: "Bad messages",
			reason: expect.stringMatching(/chat_messages/) as unknown,
		});
		await reader.close();
	});

	it("reads split ChatGPT files in numeric order from one top-level folder", async () => {
		const part = (n: number): string => JSON.stringify([chatgptConv(`p${n}-a`, "x"), chatgptConv(`p${n}-b`, "y")]);
		const source = await zip("chatgpt.zip", {
			"export/conversations-010.json": part(10),
			"export/conversations-002.json": part(2),
			"export/conversations-000.json": part(0),
			"export/users.json": "{}",
			"export/file-abc.png": "binary",
		});
		const reader = await openExport([source]);
		expect(reader.inputs[0]!.documents).toEqual([
			"chatgpt.zip:export/conversations-000.json",
			"chatgpt.zip:export/conversations-002.json",
			"chatgpt.zip:export/conversations-010.json",
		]);
		expect(summary(await all(reader))).toEqual(["ok p0-a", "ok p0-b", "ok p2-a", "ok p2-b", "ok p10-a", "ok p10-b"]);
	});

	it("reads a bare JSON file, split files and a zip together in one session, in input order", async () => {
		const claude = await file("conversations.json", `\ufeff${claudeEdge}`);
		const p0 = await file("conversations-000.json", JSON.stringify([chatgptConv("s0", "a")]));
		const p1 = await file("conversations-001.json", JSON.stringify([chatgptConv("s1", "b")]));
		const z = await zip("more.zip", { "conversations.json": chatgptEdge });
		const reader = await openExport([claude, p0, p1, z], { provider: "auto", chunkSize: 7 });
		expect(reader.inputs.map((i) => [i.name, i.kind, i.provider])).toEqual([
			["conversations.json", "json", "claude"],
			["conversations-000.json", "json", "chatgpt"],
			["conversations-001.json", "json", "chatgpt"],
			["more.zip", "zip", "chatgpt"],
		]);
		const results = await all(reader);
		expect(results).toHaveLength(6 + 1 + 1 + 5);
		expect(results.filter((r) => r.ok).map((r) => r.source)).toContain("conversations-001.json");
	});

	it("accepts an explicit matching provider, and an empty array (no provider)", async () => {
		const reader = await openExport([await file("c.json", claudeEdge)], { provider: "claude" });
		expect(reader.inputs[0]!.provider).toBe("claude");
		const empty = await openExport([await file("empty.json", " [ ] ")]);
		expect(empty.inputs[0]!.provider).toBeNull();
		expect(await all(empty)).toEqual([]);
	});

	it("turns a conversation of the other provider into an item failure", async () => {
		const mixed = JSON.stringify([(JSON.parse(claudeEdge) as unknown[])[0], chatgptConv("odd", "x")]);
		const results = await all(await openExport([await file("mixed.json", mixed)]));
		expect(results[1]).toMatchObject({ ok: false, index: 1, itemId: "odd", reason: "a ChatGPT conversation inside a Claude export" });
	});

	it("yields an element that is not valid JSON as an item failure and goes on", async () => {
		const text = claudeEdge.replace('"uuid": "c-branch-leaf",', '"uuid": "c-branch-leaf",,');
		const results = await all(await openExport([await file("c.json", text)]));
		expect(results.map((r) => r.ok)).toEqual([true, false, true, true, true, false]);
		expect(results[1]).toMatchObject({
			ok: false,
			index: 1,
			reason: expect.stringMatching(/element 1 at byte \d+ is not valid JSON/) as unknown,
		});
	});

	it("computes SHA-256 of each input when asked", async () => {
		const source = await file("c.json", claudeEdge);
		const reader = await openExport([source], { sha256: true });
		expect(reader.inputs[0]!.sha256).toBe(createHash("sha256").update(claudeEdge).digest("hex"));
		expect((await openExport([source])).inputs[0]!.sha256).toBeUndefined();
	});

	it("skips a Claude bundle manifest given together with its zips", async () => {
		const manifest = await file("manifest-2026-08-01.json", JSON.stringify({ files: [{ url: "https://example.invalid/a.zip" }] }));
		const z = await zip("part-1.zip", { "conversations.json": claudeEdge });
		const reader = await openExport([manifest, z]);
		expect(reader.inputs.map((i) => i.name)).toEqual(["part-1.zip"]);
		expect(reader.skipped).toEqual([{ name: "manifest-2026-08-01.json", reason: expect.stringMatching(/manifest/) as unknown }]);
	});
});

describe("openExport: whole-input errors name the file and say what is wrong", () => {
	const cases: [string, () => Promise<NodeByteSource[]>, RegExp, OpenExportOptions?][] = [
		["a .zip that is not a zip", async () => [await file("export.zip", claudeEdge)], /^export\.zip: not a zip archive/],
		["an empty .zip", async () => [await file("export.zip", "")], /^export\.zip: not a zip archive \(the file is empty\)/],
		[
			"a zip with a broken directory",
			async () => [await file("broken.zip", "PK\u0003\u0004 this is not really a zip")],
			/^broken\.zip: not a readable zip archive/,
		],
		[
			"a zip with no conversations",
			async () => [await zip("other.zip", { "users.json": "[]", "deep/a/conversations.json": "[]" })],
			// Counted and listed from every entry, though none of them is kept.
			/^other\.zip: no conversations in this zip.*\(it holds 2 files: users\.json, deep\/a\/conversations\.json\)$/,
		],
		[
			"a zip entry that escapes",
			async () => [await zip("evil.zip", { "conversations.json": "[]", "../evil.json": "[]" })],
			/^evil\.zip: zip entry "\.\.\/evil\.json" has a path that escapes/,
		],
		[
			"an absolute zip entry",
			async () => [await zip("abs.zip", { "conversations.json": "[]", "/etc/x.json": "[]" })],
			/^abs\.zip: zip entry ".*x\.json" has a path that escapes/,
		],
		[
			"a truncated file",
			async () => [await file("conversations.json", claudeEdge.slice(0, 300))],
			/^conversations\.json: the document is truncated: it ended inside element 0 at byte \d+/,
		],
		["a non-JSON file", async () => [await file("notes.json", "hello, world")], /^notes\.json: not a JSON array: found 'h' at byte 0/],
		["an empty file", async () => [await file("conversations.json", "")], /^conversations\.json: the file is empty/],
		[
			"a top-level object",
			async () => [await file("c.json", '{"conversations": []}')],
			/^c\.json: the top level is an object, not an array/,
		],
		[
			"an unrecognised shape",
			async () => [await file("c.json", '[{"foo":1},{"bar":2}]')],
			/^c\.json: unrecognised shape: none of the first 2 elements/,
		],
		[
			"a wrong --provider",
			async () => [await file("c.json", claudeEdge)],
			/^c\.json: --provider chatgpt was given, but this is a Claude export/,
			{ provider: "chatgpt" },
		],
		[
			"a wrong --provider inside a zip",
			async () => [await zip("g.zip", { "conversations.json": chatgptEdge })],
			/^g\.zip:conversations\.json: --provider claude was given, but this is a ChatGPT export/,
			{ provider: "claude" },
		],
		[
			"a manifest alone",
			async () => [await file("manifest-abc.json", '{"zips": []}')],
			/^manifest-abc\.json: this is a Claude export manifest.*pass those zips/,
		],
		[
			"a truncated JSON inside a zip",
			async () => [await zip("t.zip", { "conversations.json": chatgptEdge.slice(0, 200) })],
			/^t\.zip:conversations\.json: the document is truncated/,
		],
	];
	for (const [name, make, message, opts] of cases) {
		it(name, async () => {
			const e = await inputError(await make(), opts);
			expect(e.message).toMatch(message);
			expect(e.file).toBe(e.message.slice(0, e.file.length));
		});
	}

	it("a file cut short is refused when opened (before anything is read or written), naming the file", async () => {
		const many = JSON.stringify(Array.from({ length: 50 }, (_, i) => chatgptConv(`c${i}`, "x".repeat(100))));
		const source = await file("big.json", many.slice(0, many.length - 500));
		await expect(openExport([source])).rejects.toThrow(
			/^big\.json: the file is truncated or incomplete .*ends with '\}\]', but this one ends with '.' '.'$/,
		);
		// A whole file passes the same check (it ends with `}]`), as does an empty export.
		await expect(openExport([await file("whole.json", `${many}\n`)])).resolves.toBeDefined();
		await expect(openExport([await file("empty.json", "[ ]")])).resolves.toBeDefined();
	});

	it("a document read whole (up to wholeMaxBytes) is refused when opened for a break anywhere in it, even one that ends like a whole file", async () => {
		const many = JSON.stringify(Array.from({ length: 50 }, (_, i) => chatgptConv(`c${i}`, "x".repeat(100))));
		const cut = many.lastIndexOf('"children":[]', many.length - 500) + '"children":[]'.length;
		await expect(openExport([await file("cut.json", many.slice(0, cut))])).rejects.toThrow(
			/^cut\.json: the document is truncated: it ended inside element 4\d/,
		);
		// Garbage between two conversations in the middle of a file, and inside a zip.
		const middle = many.indexOf(',{"id":"c25"');
		const garbled = `${many.slice(0, middle)} oops${many.slice(middle)}`;
		await expect(openExport([await file("garbled.json", garbled)])).rejects.toThrow(
			/^garbled\.json: unexpected 'o' at byte \d+ after element 24/,
		);
		await expect(openExport([await zip("garbled.zip", { "conversations.json": garbled })])).rejects.toThrow(
			/^garbled\.zip:conversations\.json: unexpected 'o' at byte \d+ after element 24/,
		);
		// Not a break: an element that is not valid JSON fails alone, as when streaming (see "yields an element …").
		const badElement = `${many.slice(0, middle)},{"id": tru}${many.slice(middle)}`;
		const results = await all(await openExport([await file("bad-element.json", badElement)]));
		expect(results.filter((r) => !r.ok).map((r) => r.index)).toEqual([25]);
		expect(results.filter((r) => r.ok)).toHaveLength(50);
	});

	it("a cut that ends like a whole file (right after an inner `[]`) in a streamed document is found late: thrown from the iterator, after the good items", async () => {
		const many = JSON.stringify(Array.from({ length: 50 }, (_, i) => chatgptConv(`c${i}`, "x".repeat(100))));
		const cut = many.lastIndexOf('"children":[]', many.length - 500) + '"children":[]'.length;
		const source = await file("big.json", many.slice(0, cut));
		const reader = await openExport([source], { wholeMaxBytes: 0 }); // it ends with `[]`, and the first elements are fine: opening succeeds
		const seen: string[] = [];
		await expect(
			(async () => {
				for await (const r of reader.conversations()) if (r.ok) seen.push(r.conversation.id);
			})(),
		).rejects.toThrow(/^big\.json: the document is truncated: it ended inside element 4\d/);
		expect(seen.length).toBeGreaterThan(40);
		let error: unknown;
		try {
			for await (const r of reader.conversations()) void r;
		} catch (e) {
			error = e;
		}
		expect(error).toBeInstanceOf(InputError);
	});

	it("no inputs at all", async () => {
		await expect(openExport([])).rejects.toThrow(InputError);
	});
});

describe.skipIf(!existsSync(PUBLIC))("openExport over the public fixtures", () => {
	it("detects each provider and yields the broken records as item failures", async () => {
		const names = ["claude-conversations.chatlore.json", "chatgpt-conversations.chatlore.json", "chatgpt-branching-example.mitkury.json"];
		const sources = await Promise.all(names.map(async (n) => file(n, readFileSync(join(PUBLIC, n)))));
		const reader = await openExport(sources);
		expect(reader.inputs.map((i) => i.provider)).toEqual(["claude", "chatgpt", "chatgpt"]);
		const results = await all(reader);
		expect(results.map((r) => r.ok)).toEqual([true, true, false, true, true, false, false, true]);
	});
});
if (!existsSync(PUBLIC)) console.warn(`skipping public fixture tests: ${PUBLIC} does not exist`);

/**
 * A ByteSource whose sequential reads share two arrays, overwritten as early as ByteSource.sequential allows (the
 * read after the next): a reader that kept a chunk past asking for the next one would see another chunk's bytes.
 */
class ReusingSource {
	sequentialPasses = 0;
	constructor(
		readonly name: string,
		private readonly bytes: Uint8Array,
	) {}
	get size(): number {
		return this.bytes.length;
	}
	read(offset: number, length: number): Promise<Uint8Array> {
		return Promise.resolve(this.bytes.slice(offset, Math.min(this.bytes.length, offset + length)));
	}
	sequential(chunkSize: number): (offset: number, length: number) => Promise<Uint8Array> {
		this.sequentialPasses++;
		// Never arrays larger than the document.
		if (chunkSize > this.bytes.length) throw new Error(`chunks of ${chunkSize} asked for a document of ${this.bytes.length} bytes`);
		const arrays = [new Uint8Array(chunkSize), new Uint8Array(chunkSize)];
		let turn = 0;
		return (offset, length) => {
			const target = arrays[turn]!;
			turn ^= 1;
			// What the caller held two reads ago is gone: garbage first, then this read's bytes.
			target.fill(0x7b);
			const part = this.bytes.subarray(offset, Math.min(this.bytes.length, offset + Math.min(length, chunkSize)));
			target.set(part);
			return Promise.resolve(target.subarray(0, part.length));
		};
	}
}

describe("openExport: reused chunks (ByteSource.sequential)", () => {
	const claudeCode = readFileSync(
		join(__dirname, "../../../fixtures/sessions/claude-code/-home-dev-shop/5b0c7a52-3e1f-4c9a-9d1e-2f6a8b4c0d11.jsonl"),
	);
	const inputs = (): ReusingSource[] => [
		new ReusingSource("conversations.json", new TextEncoder().encode(`\ufeff${claudeEdge}`)),
		new ReusingSource("chatgpt.json", new TextEncoder().encode(chatgptEdge)),
		new ReusingSource("tiny.json", new TextEncoder().encode(`[${JSON.stringify((JSON.parse(chatgptEdge) as unknown[])[0])}]`)),
		new ReusingSource("5b0c7a52-3e1f-4c9a-9d1e-2f6a8b4c0d11.jsonl", claudeCode),
	];
	const plain = (s: ReusingSource) => ({ name: s.name, size: s.size, read: s.read.bind(s) });

	it("asks for arrays no larger than the document (a folder of small files makes many passes)", async () => {
		const small = inputs();
		const got = await all(await openExport(small, { provider: "auto", wholeMaxBytes: 0 }));
		expect(got.filter((r) => r.ok).length).toBeGreaterThan(5);
		expect(small[2]!.sequentialPasses).toBeGreaterThan(0);
	});

	for (const wholeMaxBytes of [0, 1 << 20]) {
		it(`reads the same conversations as from fresh arrays, chunks of 7 bytes, ${wholeMaxBytes ? "small documents read whole" : "streamed"}`, async () => {
			const reused = inputs();
			const opts: OpenExportOptions = { provider: "auto", chunkSize: 7, wholeMaxBytes };
			const got = await all(await openExport(reused, opts));
			const want = await all(await openExport(inputs().map(plain), opts));
			expect(got.length).toBeGreaterThan(5);
			expect(got.filter((r) => r.ok).length).toBe(want.filter((r) => r.ok).length);
			expect(JSON.stringify(got)).toBe(JSON.stringify(want));
			// The JSON documents took the reused path (the Claude Code session splits itself, from fresh reads).
			expect(reused[0]!.sequentialPasses).toBeGreaterThan(0);
			expect(reused[1]!.sequentialPasses).toBeGreaterThan(0);
		});
	}
});
