import { Uint8ArrayReader, Uint8ArrayWriter, ZipWriter } from "@zip.js/zip.js";
import { describe, expect, it } from "vitest";
import { ExportFiles } from "../../../../src/core/import/attachments/export-files";
import type { ByteSource } from "../../../../src/core/ports/byte-source";
import { fakeBytes } from "../../../support/attachment-exports";

function memorySource(name: string, bytes: Uint8Array): ByteSource & { reads: number } {
	const source = {
		name,
		size: bytes.length,
		reads: 0,
		read(offset: number, length: number): Promise<Uint8Array> {
			source.reads++;
			return Promise.resolve(bytes.subarray(offset, Math.min(bytes.length, offset + length)));
		},
	};
	return source;
}

async function zipOf(entries: [string, Uint8Array, number?][]): Promise<Uint8Array> {
	const writer = new ZipWriter(new Uint8ArrayWriter(), { useWebWorkers: false });
	for (const [name, bytes, level] of entries) await writer.add(name, new Uint8ArrayReader(bytes), level === undefined ? {} : { level });
	return writer.close();
}

describe("ExportFiles", () => {
	it("finds a file by the id its entry name starts with, in any folder, deflated or stored", async () => {
		const a = fakeBytes(3, 70_000);
		const b = fakeBytes(4, 1_000);
		const c = fakeBytes(5, 2_000);
		const zip = await zipOf([
			["conversations.json", new TextEncoder().encode("[]")],
			["file-AbC123-photo.png", a],
			["dalle-generations/file-Dall3Id-8e2d.webp", b, 0],
			["6808b0a7-conv/audio/file_00000000abcdef-9b1e.wav", c],
			["__MACOSX/file-AbC123-photo.png", fakeBytes(9, 10)],
		]);
		const files = await ExportFiles.open([memorySource("export.zip", zip)]);
		expect(files.size).toBe(3);
		expect(files.find("file-AbC123")?.path).toBe("file-AbC123-photo.png");
		expect(await files.read("file-AbC123")).toEqual(a);
		expect(await files.read("file-Dall3Id")).toEqual(b);
		expect(await files.read("file_00000000abcdef")).toEqual(c);
		// An id is matched whole: file-AbC1 is not a prefix match of file-AbC123.
		expect(files.find("file-AbC1")).toBeNull();
		expect(files.find("file-nothere")).toBeNull();
	});

	it("picks the same entry every time when an id has several (shortest name, then path)", async () => {
		const zip = await zipOf([
			["user-x/file_00ff-long-name.png", fakeBytes(1, 10)],
			["file_00ff-a.png", fakeBytes(2, 10)],
			["b/file_00ff-a.png", fakeBytes(3, 10)],
		]);
		const files = await ExportFiles.open([memorySource("e.zip", zip)]);
		expect(files.find("file_00ff")?.path).toBe("b/file_00ff-a.png");
	});

	it("skips inputs that are not zips and says what is wrong with a damaged entry", async () => {
		const json = memorySource("conversations.json", new TextEncoder().encode("[]"));
		expect((await ExportFiles.open([json])).size).toBe(0);
		const zip = await zipOf([["file-Bad1-x.bin", fakeBytes(7, 5000, false)]]);
		const files = await ExportFiles.open([memorySource("e.zip", zip)]);
		const entry = files.find("file-Bad1")!;
		// Break the deflated data (not the headers).
		const broken = zip.slice();
		for (let i = entry.offset + 60; i < entry.offset + 200; i++) broken[i] = 0xff;
		const damaged = await ExportFiles.open([memorySource("e.zip", broken)]);
		await expect(damaged.read("file-Bad1")).rejects.toThrow(/e\.zip:file-Bad1-x\.bin/);
	});
});
