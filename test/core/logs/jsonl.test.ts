import { appendFile, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as z from "zod";
import { describe, expect, it } from "vitest";
import { appendJsonl, ensureJsonlLineStart, readJsonl } from "../../../src/core/logs/jsonl";
import { ItemStatusIndex } from "../../../src/core/logs/item-status-index";
import { appendPipelineStageRecords, type PipelineStageRecord } from "../../../src/core/logs/pipeline-stages";
import { memoryLogger } from "../_support/memory-logger";
import { tempVault } from "../_support/temp-vault";
import { NodeStagingStore } from "../../../src/cli/node-staging-store";

describe("JSONL logs", () => {
	it("appends and reads back records", async () => {
		const { dir, store } = await tempVault();
		await appendJsonl(store, "x/log.jsonl", [{ a: 1 }, { a: "ü 🎉" }]);
		await appendJsonl(store, "x/log.jsonl", [{ a: 3 }]);
		await appendJsonl(store, "x/log.jsonl", []);
		expect(await readFile(join(dir, "x/log.jsonl"), "utf8")).toBe('{"a":1}\n{"a":"ü 🎉"}\n{"a":3}\n');
		expect(await readJsonl(store, "x/log.jsonl")).toEqual({ records: [{ a: 1 }, { a: "ü 🎉" }, { a: 3 }], skipped: 0 });
	});

	it("appends to one file run one at a time in call order, even over a store whose append is not atomic", async () => {
		const { dir } = await tempVault();
		// An adapter-like append: read, wait, write back (two overlapping calls would lose one of them).
		const text = new Map<string, string>();
		const inFlight = new Map<string, number>();
		let most = 0;
		class RacyStore extends NodeStagingStore {
			override async append(path: string, data: string): Promise<void> {
				inFlight.set(path, (inFlight.get(path) ?? 0) + 1);
				most = Math.max(most, inFlight.get(path)!);
				const before = text.get(path) ?? "";
				await new Promise((r) => setTimeout(r, 1));
				text.set(path, before + data);
				inFlight.set(path, inFlight.get(path)! - 1);
			}
		}
		const racy = new RacyStore(dir);
		await Promise.all(Array.from({ length: 20 }, (_, i) => appendJsonl(racy, i % 2 ? "a.jsonl" : "b.jsonl", [{ i }])));
		expect(text.get("a.jsonl")).toBe(Array.from({ length: 10 }, (_, k) => `{"i":${2 * k + 1}}\n`).join(""));
		expect(text.get("b.jsonl")).toBe(Array.from({ length: 10 }, (_, k) => `{"i":${2 * k}}\n`).join(""));
		expect(most).toBe(1);
	});

	it("a missing log is empty", async () => {
		const { store } = await tempVault();
		expect(await readJsonl(store, "nope.jsonl")).toEqual({ records: [], skipped: 0 });
	});

	it("skips a partial last line with a warning", async () => {
		const { dir, store } = await tempVault();
		await writeFile(join(dir, "log.jsonl"), '{"a":1}\n{"a":2}\n{"a":3,"b":"cut of');
		const logger = memoryLogger();
		const result = await readJsonl(store, "log.jsonl", { logger });
		expect(result).toEqual({ records: [{ a: 1 }, { a: 2 }], skipped: 1 });
		expect(logger.lines).toHaveLength(1);
		expect(logger.lines[0]).toMatchObject({ level: "warn", context: { path: "log.jsonl", line: 3 } });
		expect(logger.lines[0]!.message).toMatch(/partial last line/);
	});

	it("skips corrupt and schema-failing lines, counting them", async () => {
		const { dir, store } = await tempVault();
		await writeFile(join(dir, "log.jsonl"), '{"n":1}\ngarbage\n{"n":"two"}\n\n{"n":4}\r\n');
		const logger = memoryLogger();
		const result = await readJsonl(store, "log.jsonl", { schema: z.object({ n: z.number() }), logger });
		expect(result).toEqual({ records: [{ n: 1 }, { n: 4 }], skipped: 2 });
		expect(logger.lines.map((l) => l.message)).toEqual([
			"log.jsonl: skipping corrupt line 2",
			'log.jsonl: skipping line 3: field "n": Invalid input: expected number, received string',
		]);
	});

	it("after a cut-off line, the next append starts on a fresh line", async () => {
		const { dir, store } = await tempVault();
		await writeFile(join(dir, "log.jsonl"), '{"a":1}\n{"a":');
		expect(await ensureJsonlLineStart(store, "log.jsonl")).toBe(true);
		expect(await ensureJsonlLineStart(store, "log.jsonl")).toBe(false);
		await appendJsonl(store, "log.jsonl", [{ a: 2 }]);
		expect(await readJsonl(store, "log.jsonl")).toEqual({ records: [{ a: 1 }, { a: 2 }], skipped: 1 });
		expect(await ensureJsonlLineStart(store, "missing.jsonl")).toBe(false);
	});
});

describe("ItemStatusIndex", () => {
	const rec = (
		item_id: string,
		stage: PipelineStageRecord["stage"],
		status: PipelineStageRecord["status"],
		extra: Partial<PipelineStageRecord> = {},
	): PipelineStageRecord => ({
		timestamp: "2026-01-01T00:00:00.000Z",
		session_id: "20260101_000000",
		item_id,
		stage,
		step: "s",
		status,
		timing_ms: 1,
		...extra,
	});

	it("keeps the latest status per item per stage", async () => {
		const { dir, store } = await tempVault();
		await appendPipelineStageRecords(store, "20260101_000000", "import", [
			rec("a", "extract", "success"),
			rec("b", "extract", "success"),
			rec("c", "extract", "skipped", { reason: "empty" }),
			rec("a", "transform", "failed", { error: "boom", title: "A" }),
			rec("b", "transform", "success"),
			rec("a", "transform", "success"), // a retry fixed it
			rec("b", "load", "failed", { error: "exists" }),
			rec("d", "transform", "review", { reason: "short" }),
		]);
		await appendFile(join(dir, ".staging/@session/20260101_000000/import/pipeline_stages.jsonl"), '{"item_id":"x","st');
		const logger = memoryLogger();
		const index = await ItemStatusIndex.read(store, "20260101_000000", "import", logger);
		expect(index.skippedLines).toBe(1);
		expect(logger.lines).toHaveLength(1);
		expect([...index.succeeded("extract")]).toEqual(["a", "b"]);
		expect([...index.succeeded("transform")].sort()).toEqual(["a", "b", "d"]);
		expect(index.statusOf("transform", "a")).toBe("success");
		expect(index.failures()).toEqual([{ item_id: "b", stage: "load", reason: "exists" }]);
		expect(index.failures("transform")).toEqual([]);
		expect(index.counts("transform")).toEqual({ total: 3, success: 2, failed: 0, skipped: 0, review: 1 });
		expect(index.counts("extract")).toEqual({ total: 3, success: 2, failed: 0, skipped: 1, review: 0 });
		expect([...index.idsWithStatus("extract", "skipped")]).toEqual(["c"]);
	});
});
