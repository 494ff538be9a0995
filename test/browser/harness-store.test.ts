import { describe, expect, it } from "vitest";
import { CHUNK_ROOM, FileData, MemoryDisk, memoryFs, VAULT_ROOT } from "./harness/memory-obsidian";

/**
 * The browser harness's file store (harness/memory-obsidian.ts) must cost what a disk costs, no less and no more: an
 * append adds its own bytes and leaves the file's earlier bytes where they are (a flat buffer grown by doubling
 * copied the whole file at each growth and held up to twice it: the benchmark charged that to the shard flush and
 * counted it in the page's heap), a ranged read copies only its range, and what is read back is what was written.
 * Runs in Node (the store is plain TypeScript).
 */

const decoder = new TextDecoder();

interface RangedFs {
	promises: {
		open(
			path: string,
			flags: string,
		): Promise<{ read(b: Uint8Array, o: number, l: number, p: number): Promise<{ bytesRead: number }>; close(): Promise<void> }>;
	};
}

describe("the harness's in-memory file store", () => {
	it("appends large pieces without holding room beyond a chunk, and reads them back whole", () => {
		const piece = (i: number): string => `${String(i).padStart(6, "0")}:${"x".repeat(512 * 1024 - 8)}\n`;
		const file = new FileData("head\n", 0, 0);
		let expected = "head\n";
		for (let i = 0; i < 40; i++) {
			file.append(piece(i), i);
			expected += piece(i);
		}
		expect(file.size).toBe(expected.length);
		// A doubling buffer holds up to 2× (here 24 MiB for 20 MiB); chunks hold the bytes and one chunk's room.
		expect(file.heldBytes()).toBeLessThanOrEqual(file.size + CHUNK_ROOM);
		expect(file.chunkCount).toBeGreaterThan(1);
		expect(file.text()).toBe(expected);
		// A whole read joins the chunks once; an append after it goes on from there.
		expect(file.chunkCount).toBe(1);
		file.append("tail", 99);
		expect(file.text()).toBe(`${expected}tail`);
		expect(file.mtime).toBe(99);
	});

	it("fills a chunk's room with small appends (a log's lines) instead of one chunk each", () => {
		const file = new FileData("", 0, 0);
		let expected = "";
		for (let i = 0; i < 5_000; i++) {
			const line = `{"item":${i},"stage":"load","note":"é✓ ${i}"}\n`;
			file.append(line, i);
			expected += line;
		}
		const bytes = new TextEncoder().encode(expected).length;
		expect(file.size).toBe(bytes);
		expect(file.chunkCount).toBeLessThanOrEqual(Math.ceil(bytes / CHUNK_ROOM) + 2);
		expect(file.heldBytes()).toBeLessThanOrEqual(bytes + CHUNK_ROOM);
		expect(file.text()).toBe(expected);
	});

	it("reads a range across chunks (Node's fs over the disk, as the plugin's ranged reads use it)", async () => {
		const disk = new MemoryDisk();
		disk.mkdirs(".staging");
		let expected = "";
		for (let i = 0; i < 30; i++) {
			// Multi-byte text, pieces of both sizes: some fill the room, some take chunks of their own.
			const piece = i % 3 === 0 ? `ü${"ab".repeat(50_000)}\n` : `line ${i} ✓\n`;
			disk.writeFile(".staging/log.jsonl", piece, i > 0);
			expected += piece;
		}
		const whole = new TextEncoder().encode(expected);
		const fs = memoryFs(disk) as RangedFs;
		const handle = await fs.promises.open(`${VAULT_ROOT}/.staging/log.jsonl`, "r");
		for (const [position, length] of [
			[0, 10],
			[99_990, 30],
			[150_000, 250_000],
			[whole.length - 5, 100],
			[whole.length + 3, 10],
		] as const) {
			const buffer = new Uint8Array(length + 4);
			const { bytesRead } = await handle.read(buffer, 4, length, position);
			const want = whole.subarray(Math.min(position, whole.length), Math.min(whole.length, position + length));
			expect(bytesRead).toBe(want.length);
			expect(Buffer.from(buffer.subarray(4, 4 + bytesRead)).equals(want)).toBe(true);
		}
		await handle.close();
		const entry = disk.get(".staging/log.jsonl") as FileData;
		expect(decoder.decode(entry.bytes)).toBe(expected);
	});

	it("keeps only the size of a file written sizes-only, and refuses to read it", () => {
		const file = new FileData("abc", 0, 0, "x.jsonl");
		file.append("déf", 1);
		expect(file.size).toBe(3 + 4);
		expect(file.heldBytes()).toBe(0);
		expect(() => file.text()).toThrow(/not kept/);
	});
});
