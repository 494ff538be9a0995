import { appendFile, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as z from "zod";
import { describe, expect, it } from "vitest";
import { KeyedJsonl } from "../../../src/core/logs/keyed-jsonl";
import { utf8Bytes as utf8Length } from "../../../src/core/util/utf8-bytes";
import { NodeStagingStore } from "../../../src/cli/node-staging-store";
import { memoryLogger } from "../_support/memory-logger";
import { tempVault } from "../_support/temp-vault";

const Rec = z.object({ id: z.string(), path: z.string(), n: z.number() });
type Rec = z.infer<typeof Rec>;
const FILE = ".staging/@index/t.jsonl";
const open = (store: NodeStagingStore, eager = false) =>
	KeyedJsonl.open<Rec>(store, FILE, { schema: Rec, key: (r) => r.id, second: { of: (r) => r.path, eager } });

/** A store that counts its ranged reads (how many times a lookup went to the disk). */
class CountingStore extends NodeStagingStore {
	reads = 0;
	override readRange(path: string, offset: number, length: number): Promise<Uint8Array> {
		this.reads++;
		return super.readRange(path, offset, length);
	}
}

describe("KeyedJsonl: keyed records on disk, a hash and a place per key in memory", () => {
	it("finds a record put before and after it is written, and after opening the file again; the latest line of a key wins", async () => {
		const { dir, store } = await tempVault();
		const log = await open(store);
		expect(await log.get("a")).toBeNull();
		log.put({ id: "a", path: "A.md", n: 1 });
		log.put({ id: "b", path: "B.md", n: 1 });
		expect(await log.get("a")).toEqual({ id: "a", path: "A.md", n: 1 });
		await log.flush();
		log.put({ id: "a", path: "A2.md", n: 2 });
		expect(await log.get("a")).toEqual({ id: "a", path: "A2.md", n: 2 });
		await log.flush();
		expect(await log.get("b")).toEqual({ id: "b", path: "B.md", n: 1 });
		expect(log.size).toBe(2);
		// The file is the plain JSONL it always was.
		expect(await readFile(join(dir, FILE), "utf8")).toBe(
			'{"id":"a","path":"A.md","n":1}\n{"id":"b","path":"B.md","n":1}\n{"id":"a","path":"A2.md","n":2}\n',
		);
		const again = await open(store);
		expect(again.size).toBe(2);
		expect(await again.get("a")).toEqual({ id: "a", path: "A2.md", n: 2 });
		expect(await again.get("b")).toEqual({ id: "b", path: "B.md", n: 1 });
		expect(await again.get("c")).toBeNull();
	});

	it("forEachLatest gives each key's latest record once: lines in the file still their key's latest, then those not written yet", async () => {
		const { store } = await tempVault();
		const log = await open(store);
		log.put({ id: "a", path: "A.md", n: 1 });
		log.put({ id: "b", path: "B.md", n: 1 });
		log.put({ id: "c", path: "C.md", n: 1 });
		await log.flush();
		log.put({ id: "a", path: "A2.md", n: 2 });
		await log.flush();
		log.put({ id: "b", path: "B2.md", n: 2 });
		log.put({ id: "d", path: "D.md", n: 1 });
		log.put({ id: "d", path: "D2.md", n: 2 });
		const seen: Rec[] = [];
		await log.forEachLatest((r) => seen.push(r));
		expect(seen.map((r) => `${r.id}${r.n}`)).toEqual(["c1", "a2", "b2", "d2"]);
		await log.flush();
		const reopened: Rec[] = [];
		await (await open(store)).forEachLatest((r) => reopened.push(r));
		expect(reopened.map((r) => `${r.id}${r.n}`)).toEqual(["c1", "a2", "b2", "d2"]);
	});

	it("reads back lines with multi-byte text, CRLF endings, a corrupt line and a cut-off last line (then appends after it)", async () => {
		const { dir, store } = await tempVault();
		const logger = memoryLogger();
		await store.mkdir(".staging/@index");
		await writeFile(
			join(dir, FILE),
			'{"id":"ü🎉","path":"Ünï/🎉.md","n":1}\r\n{bad json}\n{"id":"x","path":"wrong type","n":"1"}\n{"id":"日本","path":"日本/語.md","n":2}\n{"id":"cut","pa',
		);
		const log = await KeyedJsonl.open<Rec>(store, FILE, { schema: Rec, key: (r) => r.id, second: { of: (r) => r.path }, logger });
		expect(log.size).toBe(2);
		expect(await log.get("ü🎉")).toEqual({ id: "ü🎉", path: "Ünï/🎉.md", n: 1 });
		expect(await log.get("日本")).toEqual({ id: "日本", path: "日本/語.md", n: 2 });
		expect(await log.get("x")).toBeNull();
		expect(logger.lines.filter((m) => m.level === "warn").length).toBe(3);
		log.put({ id: "é", path: "é.md", n: 3 });
		await log.flush();
		log.put({ id: "ü🎉", path: "moved.md", n: 4 });
		await log.flush();
		expect(await log.get("é")).toEqual({ id: "é", path: "é.md", n: 3 });
		expect(await log.get("ü🎉")).toEqual({ id: "ü🎉", path: "moved.md", n: 4 });
		const text = await readFile(join(dir, FILE), "utf8");
		expect(text.endsWith('{"id":"cut","pa\n{"id":"é","path":"é.md","n":3}\n{"id":"ü🎉","path":"moved.md","n":4}\n')).toBe(true);
		const again = await open(store);
		expect(await again.get("é")).toEqual({ id: "é", path: "é.md", n: 3 });
		expect(await again.getBySecond("moved.md", true)).toEqual({ id: "ü🎉", path: "moved.md", n: 4 });
	});

	it("by the second value: the latest line with it, or with `current` only a line still its key's latest", async () => {
		for (const eager of [false, true]) {
			const { store } = await tempVault();
			const log = await open(store, eager);
			log.put({ id: "B", path: "p.md", n: 1 });
			log.put({ id: "A", path: "p.md", n: 1 }); // two sources once at one path
			await log.flush();
			log.put({ id: "A", path: "q.md", n: 2 }); // A moved away
			// The latest line at p is A's, no longer A's latest: B, still there, is the note at p.
			expect(await log.getBySecond("p.md", true)).toEqual({ id: "B", path: "p.md", n: 1 });
			expect(await log.getBySecond("p.md")).toEqual({ id: "A", path: "p.md", n: 1 });
			expect(await log.getBySecond("q.md", true)).toEqual({ id: "A", path: "q.md", n: 2 });
			await log.flush();
			log.put({ id: "B", path: "r.md", n: 2 });
			expect(await log.getBySecond("p.md", true)).toBeNull();
			expect(await log.getBySecond("nowhere.md", true)).toBeNull();
			await log.flush();
			const again = await open(store, eager);
			expect(await again.getBySecond("p.md", true)).toBeNull();
			expect(await again.getBySecond("r.md", true)).toEqual({ id: "B", path: "r.md", n: 2 });
		}
	});

	it("20,000 keys: every one found after a reopen, in write order with one disk read per 64 KB window", async () => {
		const { dir } = await tempVault();
		const store = new CountingStore(dir);
		const log = await open(store);
		const path = (i: number) => `AI Conversations/Claude/A conversation about topic ${i}.md`;
		for (let i = 0; i < 20_000; i++) {
			log.put({ id: `id-${i}`, path: path(i), n: i });
			if (i % 997 === 0) await log.flush();
		}
		for (let i = 0; i < 20_000; i += 3) log.put({ id: `id-${i}`, path: path(i), n: -i }); // rewritten: the latest wins
		await log.flush();
		const again = await open(store);
		expect(again.size).toBe(20_000);
		store.reads = 0;
		for (let i = 0; i < 20_000; i++) {
			const r = await again.get(`id-${i}`);
			if (r?.n !== (i % 3 === 0 ? -i : i) || r.path !== path(i)) throw new Error(`id-${i}: ${JSON.stringify(r)}`);
		}
		const bytes = (await readFile(join(dir, FILE))).length;
		// Records asked for in the order they were written: about one read per window of the file, not one per record.
		expect(store.reads).toBeLessThan((bytes / (64 * 1024)) * 3);
		expect(store.reads).toBeGreaterThan(0);
		expect(await again.get("id-20000")).toBeNull();
	});

	it("a file changed behind its back (lines moved) is read for the key instead of giving another key's record", async () => {
		const { dir, store } = await tempVault();
		const log = await open(store);
		log.put({ id: "a", path: "A.md", n: 1 });
		log.put({ id: "b", path: "B.md", n: 2 });
		await log.flush();
		const reopened = await open(store);
		// Another program rewrote the file in another order (same length: every place now holds the other key).
		await writeFile(join(dir, FILE), '{"id":"b","path":"B.md","n":2}\n{"id":"a","path":"A.md","n":1}\n');
		expect(await reopened.get("a")).toEqual({ id: "a", path: "A.md", n: 1 });
		expect(await reopened.get("b")).toEqual({ id: "b", path: "B.md", n: 2 });
	});

	it("a failed write keeps the records found and writes them at the next flush; records put meanwhile are kept", async () => {
		const { dir } = await tempVault();
		let fail = 1;
		let gate: Promise<void> | null = null;
		class FlakyStore extends NodeStagingStore {
			override async appendLines(path: string, lines: readonly string[]): Promise<void> {
				if (gate) await gate;
				if (path.endsWith("t.jsonl") && fail-- > 0) {
					// Half of the batch reaches the disk, cut mid-line, then the disk is full.
					await this.mkdir(".staging/@index");
					await appendFile(join(dir, path), lines[0]!.slice(0, 10));
					throw Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" });
				}
				return super.appendLines(path, lines);
			}
		}
		const store = new FlakyStore(dir);
		const log = await open(store);
		log.put({ id: "a", path: "A.md", n: 1 });
		await expect(log.flush()).rejects.toThrow(/ENOSPC/);
		expect(await log.get("a")).toEqual({ id: "a", path: "A.md", n: 1 });
		let open_: () => void = () => undefined;
		gate = new Promise<void>((r) => (open_ = r));
		const flushing = log.flush();
		log.put({ id: "b", path: "B.md", n: 2 }); // while the flush waits on the disk
		log.put({ id: "a", path: "A3.md", n: 3 });
		open_();
		await flushing;
		gate = null;
		expect(await log.get("a")).toEqual({ id: "a", path: "A3.md", n: 3 });
		expect(await log.get("b")).toEqual({ id: "b", path: "B.md", n: 2 });
		await log.flush();
		expect(await log.get("a")).toEqual({ id: "a", path: "A3.md", n: 3 });
		const again = await open(store);
		expect(await again.get("a")).toEqual({ id: "a", path: "A3.md", n: 3 });
		expect(await again.get("b")).toEqual({ id: "b", path: "B.md", n: 2 });
		// The cut line stays one bad line, on a line of its own.
		expect((await readFile(join(dir, FILE), "utf8")).split("\n")[0]).toBe('{"id":"a",');
	});

	it("utf8Length counts as TextEncoder writes", () => {
		for (const s of ["", "abc", "é", "日本語", "🎉", "a\ud800b", "\udc00", "x🎉y\u07ff\u0800"])
			expect(utf8Length(s)).toBe(new TextEncoder().encode(s).length);
	});
});
