import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { ItemStatusIndex } from "../../../src/core/logs/item-status-index";
import { appendPipelineStageRecords, type PipelineStageRecord } from "../../../src/core/logs/pipeline-stages";
import { summarize } from "../../../src/core/import/pipeline/import-summary";
import { tempVault } from "../_support/temp-vault";

const SESSION = "20260101_000000";

function rec(
	item_id: string,
	stage: PipelineStageRecord["stage"],
	status: PipelineStageRecord["status"],
	extra: Partial<PipelineStageRecord> = {},
): PipelineStageRecord {
	return { timestamp: "2026-01-01T00:00:00.000Z", session_id: SESSION, item_id, stage, step: "s", status, timing_ms: 1, ...extra };
}

/** An import log: items that went through, and some that failed, were skipped, sent to review or never loaded. */
function records(n: number): PipelineStageRecord[] {
	const out: PipelineStageRecord[] = [];
	for (let i = 0; i < n; i++) {
		const id = `conversation-${i}-0000-0000-0000-000000000000`;
		const kind = i % 20 < 16 ? 0 : (i % 20) - 15; // one in five: 1 failed, 2 review, 3 never loaded, 4 skipped
		out.push(kind === 4 ? rec(id, "extract", "skipped", { reason: "empty" }) : rec(id, "extract", "success", { title: `T${i}` }));
		if (kind === 4) continue;
		if (kind === 1) {
			out.push(rec(id, "transform", "failed", { error: "boom", title: `T${i}` }));
			continue;
		}
		out.push(rec(id, "transform", kind === 2 ? "review" : "success"));
		if (kind === 3) continue; // never loaded: the run stopped
		out.push(rec(id, "load", kind === 2 ? "review" : "success", { reason: `created: AI/T${i}.md`, outcome: "created" }));
	}
	return out;
}

describe("ItemStatusIndex read without ids", () => {
	it("answers as the index with ids does, by id and by slot; lists of ids that went through are refused", async () => {
		const { store } = await tempVault();
		await appendPipelineStageRecords(store, SESSION, "import", records(200));
		const full = await ItemStatusIndex.read(store, SESSION, "import");
		const slim = await ItemStatusIndex.read(store, SESSION, "import", undefined, { ids: false });
		for (const stage of ["extract", "transform", "load"] as const) {
			expect(slim.counts(stage)).toEqual(full.counts(stage));
			expect(slim.failures(stage)).toEqual(full.failures(stage));
			expect([...slim.idsWithStatus(stage, "failed", "skipped", "review")]).toEqual([
				...full.idsWithStatus(stage, "failed", "skipped", "review"),
			]);
			const ids = [...full.each(stage)].map((r) => r.item_id);
			expect([...slim.slots(stage)].map((slot) => slim.recordAt(stage, slot)!.status)).toEqual([...full.each(stage)].map((r) => r.status));
			for (const id of ids) {
				expect(slim.get(stage, id)).toEqual(full.get(stage, id));
				expect(slim.isDone(stage, id)).toBe(full.succeeded(stage).has(id));
			}
			expect(() => slim.succeeded(stage)).toThrow(/without the ids/);
		}
		expect(slim.statusOf("load", "never-seen")).toBeUndefined();
		const stopped = [...slim.slots("extract")].filter(
			(slot) => slim.statusAt("transform", slot) === "success" && !slim.statusAt("load", slot),
		);
		const named = await slim.idsOf(store, SESSION, "import", new Set(stopped));
		expect([...named.values()]).toEqual(
			[...full.each("extract")]
				.filter((r) => full.statusOf("transform", r.item_id) === "success" && !full.get("load", r.item_id))
				.map((r) => r.item_id),
		);
		// The summary (read without ids) names those failures from the log.
		const summary = await summarize(store, SESSION);
		expect(summary.failures.filter((f) => f.stage === "load").map((f) => f.item_id)).toEqual([...named.values()]);
		expect(summary.failures.filter((f) => f.stage === "load").map((f) => f.title)).toEqual(
			[...named.values()].map((id) => `T${id.split("-")[1]}`),
		);
	});

	it("holds no id of an item that went through on the heap: only the records kept whole (failed, skipped, review) cost heap", async () => {
		setFlagsFromString("--expose-gc");
		const gc = runInNewContext("gc") as () => void;
		const { store } = await tempVault();
		const all = records(100_000);
		for (let at = 0; at < all.length; at += 20_000) await appendPipelineStageRecords(store, SESSION, "import", all.slice(at, at + 20_000));
		all.length = 0;
		const heldBy = async (ids: boolean): Promise<number> => {
			gc();
			const before = process.memoryUsage().heapUsed;
			const index = await ItemStatusIndex.read(store, SESSION, "import", undefined, { ids });
			gc();
			const held = process.memoryUsage().heapUsed - before;
			expect(index.counts("extract").total).toBe(100_000);
			return held;
		};
		const slim = await heldBy(false);
		const full = await heldBy(true);
		// The 20,000 records that did not go through (5,000 failed, 5,000 skipped, 5,000 items in review in two
		// stages) are kept whole in both (~240 bytes each); the 80,000 other items' ids (~85 bytes each) only with ids.
		expect(slim).toBeLessThan(20_000 * 300);
		expect(full - slim).toBeGreaterThan(80_000 * 50);
	}, 120_000);

	it("keeps a time weeks away from the others and more distinct labels than a byte counts exactly (as records kept whole)", () => {
		const labels = Array.from({ length: 300 }, (_, i) => `label ${i}`);
		const index = new ItemStatusIndex(
			[
				rec("first", "extract", "success", { timestamp: "2026-01-01T00:00:00.123Z" }),
				rec("weeks-later", "extract", "success", { timestamp: "2026-03-15T10:20:30.456Z" }),
				rec("years-before", "extract", "success", { timestamp: "2019-06-01T00:00:00.000Z" }),
				...labels.map((label, i) =>
					rec(`l${i}`, "load", "success", { timestamp: `2026-01-01T00:00:${String(i % 60).padStart(2, "0")}.000Z`, reason: label }),
				),
			],
			0,
			null,
			{ ids: false },
		);
		expect(index.get("extract", "first")?.timestamp).toBe("2026-01-01T00:00:00.123Z");
		expect(index.get("extract", "weeks-later")?.timestamp).toBe("2026-03-15T10:20:30.456Z");
		expect(index.get("extract", "years-before")?.timestamp).toBe("2019-06-01T00:00:00.000Z");
		for (let i = 0; i < labels.length; i++) {
			const r = index.get("load", `l${i}`)!;
			expect([r.reason, r.timestamp]).toEqual([labels[i], `2026-01-01T00:00:${String(i % 60).padStart(2, "0")}.000Z`]);
		}
	});

	it("added with the times their timestamps were made from (fractions of a ms too), answers as added without them", () => {
		// As the stage runner makes them: a record's timestamp from its item's end in ms of the clock, which may be
		// fractional; one weeks away, and a failure, are kept whole either way.
		const base = Date.parse("2026-01-01T00:00:00.000Z");
		const times = [base + 0.75, base + 2.5, base + 1234.25, base + 40 * 86_400_000 + 0.75, base + 7];
		const made = times.map((ms, i) =>
			rec(`item-${i}`, i === 4 ? "transform" : "extract", i === 4 ? "failed" : "success", {
				timestamp: new Date(ms).toISOString(),
				...(i === 4 ? { error: "boom" } : { reason: `created: AI/T${i}.md`, outcome: "created" as const }),
			}),
		);
		const parsed = new ItemStatusIndex([], 0, null, { ids: false });
		parsed.addRecords(made);
		const known = new ItemStatusIndex([], 0, null, { ids: false });
		known.addRecords(made, times);
		for (const [i, r] of made.entries()) {
			expect(known.get(r.stage, r.item_id)).toEqual(parsed.get(r.stage, r.item_id));
			expect(known.get(r.stage, r.item_id)?.timestamp, `item ${i}`).toBe(r.timestamp);
		}
		expect(known.counts("extract")).toEqual(parsed.counts("extract"));
		expect(known.failures("transform")).toEqual(parsed.failures("transform"));
	});

	it("costs 12 bytes a stage for an item that went through: its columns, besides its fingerprint", async () => {
		setFlagsFromString("--expose-gc");
		const gc = runInNewContext("gc") as () => void;
		const items = 100_000;
		const all: PipelineStageRecord[] = [];
		for (let i = 0; i < items; i++) {
			const id = `conversation-${i}`;
			const timestamp = new Date(Date.UTC(2026, 0, 1) + i).toISOString();
			all.push(rec(id, "extract", "success", { timestamp }), rec(id, "transform", "success", { timestamp }));
			all.push(rec(id, "load", "success", { timestamp, reason: `created: AI/T${i}.md`, outcome: "created" }));
		}
		const buffers = async (): Promise<number> => {
			for (let i = 0; i < 3; i++) {
				gc();
				await new Promise((resolve) => setTimeout(resolve, 20));
			}
			return process.memoryUsage().arrayBuffers;
		};
		const before = await buffers();
		const index = new ItemStatusIndex(all, 0, null, { ids: false });
		const held = (await buffers()) - before;
		expect(index.counts("load").success).toBe(items);
		// Room for 131,072 items: three stages' columns (12 bytes each: 4.7 MB) and the fingerprints with their table
		// (8 + 8 bytes: 2.1 MB). With 64-bit times and 16-bit codes (18 bytes a stage) it was 9.2 MB.
		expect(held).toBeLessThan(131_072 * (3 * 12 + 16) + 64 * 1024);
		expect(held).toBeGreaterThan(131_072 * 3 * 12);
	}, 60_000);
});
