import { Uint8ArrayReader, TextReader, Uint8ArrayWriter, ZipWriter } from "@zip.js/zip.js";
import { describe, expect, it } from "vitest";
import type { ByteSource } from "../../../../src/core/ports/byte-source";
import { entryPathEscapes, findConversationFiles, ZipArchive, type ZipFile } from "../../../../src/core/import/extract/zip-archive";
import { splitJsonArray } from "../../../../src/core/import/extract/json-array-stream";

/** An in-memory ByteSource that counts what is read (to show the archive is not read whole). */
class CountingSource implements ByteSource {
	bytesRead = 0;
	constructor(
		readonly name: string,
		private readonly bytes: Uint8Array,
	) {}
	get size(): number {
		return this.bytes.length;
	}
	read(offset: number, length: number): Promise<Uint8Array> {
		const out = this.bytes.slice(offset, Math.min(this.bytes.length, offset + length));
		this.bytesRead += out.length;
		return Promise.resolve(out);
	}
}

describe("entryPathEscapes", () => {
	const cases: [string, boolean][] = [
		["conversations.json", false],
		["export/conversations-000.json", false],
		["a/..b/c.json", false],
		["../x.json", true],
		["a/../../x.json", true],
		["a\\..\\x.json", true],
		["/etc/passwd", true],
		["C:/x.json", true],
		["c:\\x.json", true],
	];
	for (const [path, escapes] of cases) it(`${path} → ${escapes}`, () => expect(entryPathEscapes(path)).toBe(escapes));
});

describe("findConversationFiles", () => {
	const f = (path: string): ZipFile => ({ path, size: 0, entry: undefined as never });
	const cases: [string, string[], string[]][] = [
		["root file", ["users.json", "conversations.json"], ["conversations.json"]],
		["split in numeric order", ["conversations-010.json", "conversations-2.json", "conversations-000.json"], ["conversations-000.json", "conversations-2.json", "conversations-010.json"]],
		["one top-level folder", ["x/users.json", "x/conversations.json"], ["x/conversations.json"]],
		["root wins over folders", ["conversations.json", "x/conversations.json"], ["conversations.json"]],
		["too deep, macOS junk, other names ignored", ["a/b/conversations.json", "__MACOSX/conversations.json", "my-conversations.json", "conversations.json.bak"], []],
		["case-insensitive", ["Conversations.JSON"], ["Conversations.JSON"]],
	];
	for (const [name, input, expected] of cases) it(name, () => expect(findConversationFiles(input.map(f)).map((x) => x.path)).toEqual(expected));
});

describe("ZipArchive", () => {
	it("reads the directory and streams one entry without reading the whole archive", async () => {
		const noise = new Uint8Array(4 * 1024 * 1024);
		for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
		const writer = new ZipWriter(new Uint8ArrayWriter(), { useWebWorkers: false });
		await writer.add("file-big.bin", new Uint8ArrayReader(noise), { level: 0 });
		await writer.add("conversations.json", new TextReader(JSON.stringify([{ uuid: "a", chat_messages: [] }, { uuid: "b", chat_messages: [] }])));
		const source = new CountingSource("big.zip", await writer.close());
		const archive = await ZipArchive.open(source);
		expect(archive.files.map((x) => x.path)).toEqual(["file-big.bin", "conversations.json"]);
		const [conv] = findConversationFiles(archive.files);
		const ids: unknown[] = [];
		for await (const item of splitJsonArray(archive.chunks(conv!))) if (item.ok) ids.push((item.value as { uuid: string }).uuid);
		expect(ids).toEqual(["a", "b"]);
		expect(source.bytesRead).toBeLessThan(source.size / 4);
		await archive.close();
	});

	it("stops decompressing when the consumer stops early", async () => {
		const writer = new ZipWriter(new Uint8ArrayWriter(), { useWebWorkers: false });
		const big = JSON.stringify(Array.from({ length: 20000 }, (_, i) => ({ uuid: `c${i}`, chat_messages: [], pad: "x".repeat(200) })));
		await writer.add("conversations.json", new TextReader(big), { level: 0 });
		const source = new CountingSource("big.zip", await writer.close());
		const archive = await ZipArchive.open(source);
		for await (const item of splitJsonArray(archive.chunks(archive.files[0]!))) if (item.ok) break;
		expect(source.bytesRead).toBeLessThan(source.size / 2);
	});
});
