import { promises as fs } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openExport } from "../../src/core/import/extract";
import { BlobByteSource } from "../../src/plugin/blob-byte-source";

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
