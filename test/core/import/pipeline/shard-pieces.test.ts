import { afterEach, describe, expect, it } from "vitest";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { APPEND_PIECE_CHARS, ShardWriter, shardFiles, type ShardLedger } from "../../../../src/core/import/pipeline/jsonl-shards";
import { NodeStagingStore } from "../../../../src/cli/node-staging-store";
import { textOnlyStore } from "../../_support/text-only-store";

let root: string | undefined;
afterEach(async () => {
	if (root) await fs.rm(root, { recursive: true, force: true });
	root = undefined;
});

describe("ShardWriter through a store without appendLines", () => {
	it("appends a flush in pieces of about APPEND_PIECE_CHARS, every line whole and in order", async () => {
		root = await fs.mkdtemp(path.join(os.tmpdir(), "ketl-shard-pieces-"));
		const appends: { path: string; chars: number }[] = [];
		const store = textOnlyStore(new NodeStagingStore(root), (p, chars) => appends.push({ path: p, chars }));
		// 100 records of ~30 K characters: one flush of ~3 M characters, one shard file.
		const writer = new ShardWriter(store, "out", "conversations", 100, 64 * 1024 * 1024);
		const ledger: ShardLedger = new Map();
		writer.ledger = ledger;
		const lines: string[] = [];
		for (let i = 0; i < 100; i++) {
			const line = JSON.stringify({ id: `c${i}`, text: `${i} `.repeat(10_000 + i * 7) });
			lines.push(line);
			await writer.writeLine(line, `c${i}`);
		}
		await writer.flush();
		const [file] = await shardFiles(store, "out", "conversations");
		expect(await fs.readFile(path.join(root, file!), "utf8")).toBe(`${lines.join("\n")}\n`);
		const total = lines.reduce((n, l) => n + l.length + 1, 0);
		// Several appends, none much over a piece (a piece holds at least one line), summing to the whole.
		expect(appends.length).toBeGreaterThanOrEqual(Math.floor(total / APPEND_PIECE_CHARS));
		expect(Math.max(...appends.map((a) => a.chars))).toBeLessThanOrEqual(APPEND_PIECE_CHARS + 40_000);
		expect(appends.reduce((n, a) => n + a.chars, 0)).toBe(total);
		expect(ledger.get(file!)?.length).toBe(100);
	});

	it("a line longer than a piece goes alone, whole", async () => {
		root = await fs.mkdtemp(path.join(os.tmpdir(), "ketl-shard-pieces-"));
		const appends: { path: string; chars: number }[] = [];
		const store = textOnlyStore(new NodeStagingStore(root), (p, chars) => appends.push({ path: p, chars }));
		const writer = new ShardWriter(store, "out", "conversations");
		const big = JSON.stringify({ id: "big", text: "y".repeat(APPEND_PIECE_CHARS * 2) });
		await writer.writeLine('{"id":"a"}', "a");
		await writer.writeLine(big, "big");
		await writer.writeLine('{"id":"b"}', "b");
		await writer.flush();
		const [file] = await shardFiles(store, "out", "conversations");
		expect(await fs.readFile(path.join(root, file!), "utf8")).toBe(`{"id":"a"}\n${big}\n{"id":"b"}\n`);
		expect(appends.map((a) => a.chars)).toEqual([11, big.length + 1, 11]);
	});
});
