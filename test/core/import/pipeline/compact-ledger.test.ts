import { afterEach, describe, expect, it } from "vitest";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { compactImportSession } from "../../../../src/core/import/pipeline/compact-session";
import { CONVERSATION_SHARDS, extractOutputDir } from "../../../../src/core/import/pipeline/extract-stage";
import { ShardWriter, type ShardLedger } from "../../../../src/core/import/pipeline/jsonl-shards";
import { appendPipelineStageRecords, type PipelineStageRecord } from "../../../../src/core/logs/pipeline-stages";
import { NodeStagingStore } from "../../../../src/cli/node-staging-store";
import { hashes } from "../../../../src/core/util/hash64";

let root: string | undefined;
afterEach(async () => {
	if (root) await fs.rm(root, { recursive: true, force: true });
	root = undefined;
});

async function tree(dir: string): Promise<Record<string, string>> {
	const out: Record<string, string> = {};
	const walk = async (at: string): Promise<void> => {
		for (const e of await fs.readdir(at, { withFileTypes: true }).catch(() => [])) {
			const p = path.join(at, e.name);
			if (e.isDirectory()) await walk(p);
			else if (!e.name.endsWith("phase.json")) out[path.relative(dir, p)] = await fs.readFile(p, "utf8");
		}
	};
	await walk(dir);
	return out;
}

const SESSION = "20260101_000000";

/**
 * A session whose extract wrote 350 conversations (4 shard files) through a ShardWriter, then records: most loaded,
 * some failed in transform or load, some in review, some skipped, some with no record after extract. Shards 1 and
 * 3 hold only loaded conversations.
 */
async function session(vault: string, ledger: ShardLedger | undefined): Promise<NodeStagingStore> {
	const store = new NodeStagingStore(vault);
	const writer = new ShardWriter(store, extractOutputDir(SESSION), CONVERSATION_SHARDS, 100, 20_000);
	if (ledger) writer.ledger = ledger;
	const records: PipelineStageRecord[] = [];
	const record = (id: string, stage: PipelineStageRecord["stage"], status: PipelineStageRecord["status"]): void => {
		records.push({ timestamp: "2026-01-01T00:00:00.000Z", session_id: SESSION, item_id: id, stage, step: stage, status, timing_ms: 1 });
	};
	for (let i = 0; i < 350; i++) {
		const id = `c${i}`;
		await writer.writeLine(JSON.stringify({ id, title: `Conversation ${i}`, pad: "x".repeat(300) }), id);
		record(id, "extract", "success");
		const inPlainShard = (i >= 0 && i < 100) || (i >= 200 && i < 300);
		const kind = inPlainShard ? 0 : i % 6;
		if (kind === 1) record(id, "transform", "failed");
		else if (kind === 2) record(id, "transform", "review");
		else if (kind === 3) record(id, "transform", "skipped");
		else if (kind === 4)
			continue; // never reached transform
		else {
			record(id, "transform", "success");
			record(id, "load", kind === 5 ? "failed" : "success");
		}
	}
	await writer.flush();
	await appendPipelineStageRecords(store, SESSION, "import", records);
	return store;
}

describe("compaction with the extract's ledger", () => {
	it("leaves the session exactly as compaction that reads every shard back, and reads fewer", async () => {
		root = await fs.mkdtemp(path.join(os.tmpdir(), "ketl-ledger-"));
		const plain = path.join(root, "plain");
		const quick = path.join(root, "quick");
		const ledger: ShardLedger = new Map();
		const plainStore = await session(plain, undefined);
		const quickStore = await session(quick, ledger);
		expect([...ledger.keys()].map((file) => path.basename(file))).toEqual([
			"conversations-0001.jsonl",
			"conversations-0002.jsonl",
			"conversations-0003.jsonl",
			"conversations-0004.jsonl",
		]);
		expect([...ledger.values()].map((ids) => ids.length)).toEqual([100, 100, 100, 50]);
		const reads: string[] = [];
		const read = quickStore.read.bind(quickStore);
		quickStore.read = (file: string) => {
			reads.push(path.basename(file));
			return read(file);
		};
		const a = await compactImportSession(plainStore, SESSION, { debugMode: false });
		const b = await compactImportSession(quickStore, SESSION, { debugMode: false, ledger });
		expect(b.kept).toBe(a.kept);
		expect(a.kept).toBeGreaterThan(0);
		expect(await tree(quick)).toEqual(await tree(plain));
		// Shards 1 and 3 were removed unread; 2 and 4 (some kept, some not) were read and filtered.
		expect(reads.filter((file) => file.startsWith("conversations-"))).toEqual(["conversations-0002.jsonl", "conversations-0004.jsonl"]);
	});

	it("knows no file a writer appended to after an earlier run (a resume)", async () => {
		root = await fs.mkdtemp(path.join(os.tmpdir(), "ketl-ledger-"));
		const store = new NodeStagingStore(root);
		const first = new ShardWriter(store, extractOutputDir(SESSION), CONVERSATION_SHARDS, 100);
		for (let i = 0; i < 150; i++) await first.writeLine(JSON.stringify({ id: `a${i}` }), `a${i}`);
		await first.flush();
		const ledger: ShardLedger = new Map();
		const second = new ShardWriter(store, extractOutputDir(SESSION), CONVERSATION_SHARDS, 100);
		second.ledger = ledger;
		for (let i = 0; i < 100; i++) await second.writeLine(JSON.stringify({ id: `b${i}` }), `b${i}`);
		await second.flush();
		// Shard 2 had 50 lines of the first run: only shard 3, all of it the second run's, is known.
		expect([...ledger.keys()].map((file) => path.basename(file))).toEqual(["conversations-0003.jsonl"]);
		// Kept as fingerprints (no strings): the ids' own, in order.
		const known = ledger.get([...ledger.keys()][0]!)!;
		expect(Array.from({ length: known.length }, (_, i) => known.at(i))).toEqual(Array.from({ length: 50 }, (_, i) => hashes(`b${i + 50}`)));
	});
});
