import { promises as fs } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openExport } from "../../src/core/import/extract";
import { BlobByteSource, READ_AHEAD_BYTES } from "../../src/plugin/blob-byte-source";

const SAMPLE = path.resolve(import.meta.dirname, "../../samples/chatgpt/conversations.json");

describe("BlobByteSource", () => {
	it("reads ranges of a Blob, shorter at the end and empty past it", async () => {
		const bytes = new Uint8Array(Array.from({ length: 1000 }, (_, i) => i % 251));
		const src = new BlobByteSource(new Blob([bytes]), "x.bin");
		expect(src.size).toBe(1000);
		expect(src.name).toBe("x.bin");
		expect([...(await src.read(0, 4))]).toEqual([0, 1, 2, 3]);
		expect([...(await src.read(251, 3))]).toEqual([0, 1, 2]);
		expect((await src.read(990, 100)).length).toBe(10);
		expect((await src.read(1000, 10)).length).toBe(0);
		expect((await src.read(5000, 10)).length).toBe(0);
		await expect(src.read(-1, 10)).rejects.toThrow(/x\.bin: bad read offset -1/);
	});

	it("takes a File's name, and the core reads a real export through it", async () => {
		const file = new File([await fs.readFile(SAMPLE)], "conversations.json");
		const src = new BlobByteSource(file);
		expect(src.name).toBe("conversations.json");
		const reader = await openExport([src]);
		const titles: string[] = [];
		for await (const r of reader.conversations()) if (r.ok) titles.push(r.conversation.title);
		await reader.close();
		expect(titles).toHaveLength(3);
		expect(titles).toContain("Docker COPY fails: file not found");
	});
});

describe("BlobByteSource's read-ahead", () => {
	/** A Blob that counts the slices read from it (each a round trip to the browser's blob store). */
	function countingBlob(bytes: Uint8Array<ArrayBuffer>): { blob: Blob; slices: () => number } {
		let slices = 0;
		const blob = new Blob([bytes]);
		const slice = blob.slice.bind(blob);
		blob.slice = (start?: number, end?: number, type?: string) => {
			slices++;
			return slice(start, end, type);
		};
		return { blob, slices: () => slices };
	}

	const data = (n: number): Uint8Array<ArrayBuffer> => {
		const out = new Uint8Array(n);
		for (let i = 0; i < n; i++) out[i] = (i * 7 + (i >> 10)) & 0xff;
		return out;
	};

	it("reads a document front to back in windows, one slice per window, with the same bytes", async () => {
		const bytes = data(3 * READ_AHEAD_BYTES + 12_345);
		const { blob, slices } = countingBlob(bytes);
		const src = new BlobByteSource(blob, "doc.json");
		const chunk = 1024 * 1024;
		// As the core reads: one read in flight ahead of the one being used.
		let next: Promise<Uint8Array> | null = src.read(0, chunk);
		let offset = 0;
		while (next) {
			const got = await next;
			offset += got.length;
			next = offset < bytes.length ? src.read(offset, Math.min(chunk, bytes.length - offset)) : null;
			expect(Buffer.from(got).equals(bytes.subarray(offset - got.length, offset))).toBe(true);
		}
		expect(offset).toBe(bytes.length);
		// 1 MiB reads: 13 of them; a slice per window of 4 MiB (the first read is not sequential: its own slice).
		expect(slices()).toBeLessThanOrEqual(1 + Math.ceil(bytes.length / READ_AHEAD_BYTES));
	});

	it("reads only its range where the reads jump about (a zip's directory, a resume's offsets)", async () => {
		const bytes = data(2 * READ_AHEAD_BYTES);
		const { blob, slices } = countingBlob(bytes);
		const src = new BlobByteSource(blob);
		for (const [o, l] of [
			[READ_AHEAD_BYTES + 5, 100],
			[17, 3],
			[2 * READ_AHEAD_BYTES - 10, 50],
			[300, 1000],
		] as const) {
			const got = await src.read(o, l);
			expect(Buffer.from(got).equals(bytes.subarray(o, Math.min(bytes.length, o + l)))).toBe(true);
		}
		expect(slices()).toBe(4);
	});

	it("does not keep a failed window: the next read tries again", async () => {
		const bytes = data(READ_AHEAD_BYTES * 2);
		const blob = new Blob([bytes]);
		const slice = blob.slice.bind(blob);
		let fail = false;
		blob.slice = (start?: number, end?: number) => {
			const part = slice(start, end);
			if (fail) part.arrayBuffer = () => Promise.reject(new Error("NotReadableError: the file changed"));
			return part;
		};
		const src = new BlobByteSource(blob);
		await src.read(0, 10);
		fail = true;
		await expect(src.read(10, 10)).rejects.toThrow(/the file changed/);
		fail = false;
		expect(Buffer.from(await src.read(10, 10)).equals(bytes.subarray(10, 20))).toBe(true);
	});
});
