import { Uint8ArrayReader, TextReader, Uint8ArrayWriter, ZipWriter } from "@zip.js/zip.js";
import { describe, expect, it } from "vitest";
import type { ByteSource } from "../../../../src/core/ports/byte-source";
import { crc32, entryPathEscapes, findConversationFiles, ZipArchive, type ZipFile } from "../../../../src/core/import/extract/zip-archive";
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
		[
			"split in numeric order",
			["conversations-010.json", "conversations-2.json", "conversations-000.json"],
			["conversations-000.json", "conversations-2.json", "conversations-010.json"],
		],
		["one top-level folder", ["x/users.json", "x/conversations.json"], ["x/conversations.json"]],
		["root wins over folders", ["conversations.json", "x/conversations.json"], ["conversations.json"]],
		[
			"too deep, macOS junk, other names ignored",
			["a/b/conversations.json", "__MACOSX/conversations.json", "my-conversations.json", "conversations.json.bak"],
			[],
		],
		["case-insensitive", ["Conversations.JSON"], ["Conversations.JSON"]],
	];
	for (const [name, input, expected] of cases)
		it(name, () => expect(findConversationFiles(input.map(f)).map((x) => x.path)).toEqual(expected));
});

describe("ZipArchive", () => {
	it("reads the directory and streams one entry without reading the whole archive", async () => {
		const noise = new Uint8Array(4 * 1024 * 1024);
		for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
		const writer = new ZipWriter(new Uint8ArrayWriter(), { useWebWorkers: false });
		await writer.add("file-big.bin", new Uint8ArrayReader(noise), { level: 0 });
		await writer.add(
			"conversations.json",
			new TextReader(
				JSON.stringify([
					{ uuid: "a", chat_messages: [] },
					{ uuid: "b", chat_messages: [] },
				]),
			),
		);
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

	it("keeps only the entries a filter takes, counting and naming the first of all of them", async () => {
		const writer = new ZipWriter(new Uint8ArrayWriter(), { useWebWorkers: false });
		for (let i = 0; i < 12; i++) await writer.add(`file-Up${i}-a.png`, new TextReader("x"));
		await writer.add("folder/", undefined, { directory: true });
		await writer.add("conversations.json", new TextReader("[]"));
		const archive = await ZipArchive.open(new CountingSource("e.zip", await writer.close()), (path) => path.endsWith(".json"));
		expect(archive.files.map((x) => x.path)).toEqual(["conversations.json"]);
		expect(archive.count).toBe(13);
		expect(archive.firstPaths).toEqual(Array.from({ length: 8 }, (_, i) => `file-Up${i}-a.png`));
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

/** A zip written by hand (stored entries): name bytes and flags as given, to test what a writer library would not make. */
function handZip(entries: { name: Uint8Array; data: Uint8Array; flags?: number; extra?: Uint8Array }[], comment = ""): Uint8Array {
	const parts: Uint8Array[] = [];
	const central: Uint8Array[] = [];
	let offset = 0;
	const le = (size: number, value: number): number[] => Array.from({ length: size }, (_, i) => Math.floor(value / 2 ** (8 * i)) & 0xff);
	for (const e of entries) {
		const crc = crc32(e.data);
		const extra = e.extra ?? new Uint8Array(0);
		const common = [
			...le(2, 20),
			...le(2, e.flags ?? 0),
			...le(2, 0),
			...le(4, 0),
			...le(4, crc),
			...le(4, e.data.length),
			...le(4, e.data.length),
			...le(2, e.name.length),
		];
		const local = new Uint8Array([...le(4, 0x04034b50), ...common, ...le(2, 0), ...e.name, ...e.data]);
		central.push(
			new Uint8Array([
				...le(4, 0x02014b50),
				...le(2, 20),
				...common,
				...le(2, extra.length),
				...le(2, 0),
				...le(2, 0),
				...le(2, 0),
				...le(4, 0),
				...le(4, offset),
				...e.name,
				...extra,
			]),
		);
		parts.push(local);
		offset += local.length;
	}
	const cdSize = central.reduce((n, c) => n + c.length, 0);
	const commentBytes = new TextEncoder().encode(comment);
	const eocd = new Uint8Array([
		...le(4, 0x06054b50),
		...le(2, 0),
		...le(2, 0),
		...le(2, entries.length),
		...le(2, entries.length),
		...le(4, cdSize),
		...le(4, offset),
		...le(2, commentBytes.length),
		...commentBytes,
	]);
	const all = [...parts, ...central, eocd];
	const out = new Uint8Array(all.reduce((n, p) => n + p.length, 0));
	let at = 0;
	for (const p of all) out.set(p, (at += p.length) - p.length);
	return out;
}

async function entryText(archive: ZipArchive, file: ZipFile): Promise<string> {
	let text = "";
	const decoder = new TextDecoder();
	for await (const chunk of archive.chunks(file)) text += decoder.decode(chunk, { stream: true });
	return text + decoder.decode();
}

describe("ZipArchive: the format read by hand (no zip library in the bundle)", () => {
	const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

	it("reads stored and deflated entries, with and without zip64, as the library wrote them", async () => {
		for (const zip64 of [false, true]) {
			const writer = new ZipWriter(new Uint8ArrayWriter(), { useWebWorkers: false, zip64 });
			await writer.add("export/conversations.json", new TextReader('[{"uuid":"a"}]'));
			await writer.add("export/stored.txt", new TextReader("stored bytes ".repeat(100)), { level: 0 });
			await writer.add("export/folder/", undefined, { directory: true });
			await writer.add("export/日本語 ファイル.txt", new TextReader("名前"));
			const archive = await ZipArchive.open(new CountingSource("x.zip", await writer.close(undefined, { zip64 })));
			expect(archive.files.map((f) => [f.path, f.size])).toEqual([
				["export/conversations.json", 14],
				["export/stored.txt", 1300],
				["export/日本語 ファイル.txt", 6],
			]);
			expect(await entryText(archive, archive.files[0]!)).toBe('[{"uuid":"a"}]');
			expect(await entryText(archive, archive.files[1]!)).toBe("stored bytes ".repeat(100));
			expect(await entryText(archive, archive.files[2]!)).toBe("名前");
		}
	});

	it("decodes names not flagged UTF-8 as code page 437, and takes an Info-ZIP Unicode path over them", async () => {
		const raw = new Uint8Array([0x81, 0x62, 0x65, 0x72, 0x2e, 0x74, 0x78, 0x74]); // "über.txt" in CP437
		const unicodeName = utf8("Übersicht.txt");
		const le32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
		const up = new Uint8Array([0x75, 0x70, ...[(5 + unicodeName.length) & 0xff, 0], 1, ...le32(crc32(raw)), ...unicodeName]);
		const zip = handZip([
			{ name: raw, data: utf8("a") },
			{ name: raw, data: utf8("b"), extra: up },
			{ name: utf8("ünïcode.txt"), data: utf8("c"), flags: 0x800 },
		]);
		const archive = await ZipArchive.open(new CountingSource("names.zip", zip));
		expect(archive.files.map((f) => f.path)).toEqual(["über.txt", "Übersicht.txt", "ünïcode.txt"]);
	});

	it("finds the directory behind an archive comment", async () => {
		const archive = await ZipArchive.open(
			new CountingSource("c.zip", handZip([{ name: utf8("conversations.json"), data: utf8("[]") }], "a comment PK\u0005\u0006 inside")),
		);
		expect(archive.files.map((f) => f.path)).toEqual(["conversations.json"]);
		expect(await entryText(archive, archive.files[0]!)).toBe("[]");
	});

	it("refuses an escaping entry, a cut-off archive and an encrypted entry, naming the file", async () => {
		await expect(
			ZipArchive.open(new CountingSource("evil.zip", handZip([{ name: utf8("../evil.json"), data: utf8("[]") }]))),
		).rejects.toThrow(/evil\.zip: zip entry "\.\.\/evil\.json" has a path that escapes/);
		const whole = handZip([{ name: utf8("conversations.json"), data: utf8("[1,2,3]") }]);
		await expect(ZipArchive.open(new CountingSource("cut.zip", whole.slice(0, whole.length - 30)))).rejects.toThrow(
			/cut\.zip: not a readable zip archive/,
		);
		const locked = await ZipArchive.open(
			new CountingSource("locked.zip", handZip([{ name: utf8("conversations.json"), data: utf8("[]"), flags: 1 }])),
		);
		await expect(entryText(locked, locked.files[0]!)).rejects.toThrow(/locked\.zip:conversations\.json: the zip entry is encrypted/);
	});

	it("says an entry whose deflated bytes are damaged cannot be read, naming the entry", async () => {
		const writer = new ZipWriter(new Uint8ArrayWriter(), { useWebWorkers: false });
		await writer.add(
			"conversations.json",
			new TextReader(JSON.stringify(Array.from({ length: 200 }, (_, i) => ({ i, text: `conversation ${i}` })))),
		);
		const bytes = await writer.close();
		const archive = await ZipArchive.open(new CountingSource("bad.zip", bytes));
		const file = archive.files[0]!;
		const damaged = bytes.slice();
		for (let i = 0; i < 40; i++) damaged[file.entry.offset + 60 + i] = 0xff;
		const broken = await ZipArchive.open(new CountingSource("bad.zip", damaged));
		await expect(entryText(broken, broken.files[0]!)).rejects.toThrow(/^bad\.zip:conversations\.json: the zip entry cannot be read/);
	});
});
