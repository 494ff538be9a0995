import { appendFile, rm, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { NodeStagingStore } from "../../../src/cli/node-staging-store";
import { JsonlFollower } from "../../../src/core/logs/jsonl-follower";
import { tempDir } from "../_support/temp-vault";

/** The store, counting the bytes its ranged reads return (what a follower costs). */
class CountingStore extends NodeStagingStore {
	bytesRead = 0;
	wholeReads = 0;
	override async readRange(path: string, offset: number, length: number): Promise<Uint8Array> {
		const b = await super.readRange(path, offset, length);
		this.bytesRead += b.length;
		return b;
	}
	override async read(path: string): Promise<string> {
		this.wholeReads++;
		return super.read(path);
	}
}

async function setup(): Promise<{ dir: string; store: CountingStore; file: string; follower: JsonlFollower<{ n: number; t?: string }> }> {
	const dir = await tempDir("ketl-follow-");
	const store = new CountingStore(dir);
	return { dir, store, file: join(dir, "log.jsonl"), follower: new JsonlFollower<{ n: number; t?: string }>(store, "log.jsonl") };
}

const line = (n: number, t?: string) => `${JSON.stringify(t === undefined ? { n } : { n, t })}\n`;

describe("JsonlFollower", () => {
	it("decodes a read's whole lines at once, not line by line, with the same records (multi-byte text, CRLF, a partial last line)", async () => {
		const { file, follower } = await setup();
		const records = Array.from({ length: 1_000 }, (_, n) => ({ n, t: n % 3 === 0 ? `日本語 ${n} 🎉` : `t${n}` }));
		const text = records.map((r) => JSON.stringify(r)).join("\r\n");
		await writeFile(file, `${text}\r\n{"n":100`);
		const decode = vi.spyOn(TextDecoder.prototype, "decode");
		try {
			expect((await follower.read()).records).toEqual(records);
			expect(decode.mock.calls.length).toBeLessThanOrEqual(2);
			await appendFile(file, "1}\n");
			expect((await follower.read()).records).toEqual([{ n: 1001 }]);
		} finally {
			decode.mockRestore();
		}
	});

	it("reads only what was appended since the last read", async () => {
		const { store, file, follower } = await setup();
		expect(await follower.read()).toEqual({ records: [], reset: false }); // no file yet
		await writeFile(file, line(1) + line(2));
		expect((await follower.read()).records.map((r) => r.n)).toEqual([1, 2]);
		expect((await follower.read()).records).toEqual([]);
		const after = store.bytesRead;
		await appendFile(file, line(3));
		const r = await follower.read();
		expect(r).toEqual({ records: [{ n: 3 }], reset: false });
		// The third read asked for the new line (and the file's first bytes, to know it is the same file), never all of it again.
		expect(store.bytesRead - after).toBeLessThanOrEqual(line(3).length + line(1).length + line(2).length);
		expect(store.wholeReads).toBe(0);
	});

	it("keeps a partial last line back until it is whole, even when it ends inside a UTF-8 character", async () => {
		const { file, follower } = await setup();
		const whole = Buffer.from(line(1) + line(2, "café ☕"));
		const cut = whole.length - 4; // inside the 3-byte ☕
		await writeFile(file, whole.subarray(0, cut));
		expect((await follower.read()).records).toEqual([{ n: 1 }]);
		expect(follower.position).toBe(line(1).length);
		await appendFile(file, whole.subarray(cut));
		expect((await follower.read()).records).toEqual([{ n: 2, t: "café ☕" }]);
	});

	it("a truncated file is read again from the start, and says so", async () => {
		const { file, follower } = await setup();
		await writeFile(file, line(1) + line(2) + line(3));
		await follower.read();
		await truncate(file, line(1).length);
		await appendFile(file, line(9));
		// Shorter than what was read: everything again.
		expect(await follower.read()).toEqual({ records: [{ n: 1 }, { n: 9 }], reset: true });
	});

	it("a file replaced by another of the same or greater size is read afresh; a removed one resets", async () => {
		const { file, follower } = await setup();
		await writeFile(file, line(1) + line(2));
		await follower.read();
		await rm(file);
		await writeFile(file, line(7) + line(8) + line(5));
		expect(await follower.read()).toEqual({ records: [{ n: 7 }, { n: 8 }, { n: 5 }], reset: true });
		await rm(file);
		expect(await follower.read()).toEqual({ records: [], reset: true });
	});

	it("skips lines that are not JSON", async () => {
		const { file, follower } = await setup();
		await writeFile(file, `${line(1)}{oops\n${line(2)}`);
		expect((await follower.read()).records.map((r) => r.n)).toEqual([1, 2]);
		expect(follower.skipped).toBe(1);
	});
});
