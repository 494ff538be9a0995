import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ItemStatusIndex } from "../../../src/core/logs/item-status-index";
import { readPipelineStageRecords } from "../../../src/core/logs/pipeline-stages";
import { readStepLogRecords } from "../../../src/core/logs/steps-log";
import { runStage, type ItemOutcome, type RunStageOptions, type StageProgress } from "../../../src/core/pipeline/stage-runner";
import { PhaseManager } from "../../../src/core/session/phase-manager";
import { SessionManager } from "../../../src/core/session/session-manager";
import { sleep } from "../../../src/core/util/timers";
import { createLogger } from "../../../src/core/logging/logger";
import { FakeClock } from "../_support/fake-clock";
import { memoryLogger } from "../_support/memory-logger";
import { tempVault } from "../_support/temp-vault";

interface Item {
	id: string;
	title: string;
	/** What the item does in `process`. */
	behaviour?: "fail" | "skip" | "review" | "fail-in-step";
	delayMs?: number;
}

async function setup() {
	const { dir, store } = await tempVault();
	const clock = new FakeClock(new Date(2026, 0, 24, 16, 45, 49));
	const sessions = new SessionManager(store, clock);
	const phases = new PhaseManager(store, clock, sessions);
	const { session_id } = await sessions.create({ debugMode: false });
	await phases.create(session_id, "import");
	const logger = memoryLogger();
	const ctx = { sessionId: session_id, phaseType: "import" as const, store, clock, logger, phases };
	return { dir, store, clock, sessions, phases, ctx, id: session_id, logger };
}

type Ctx = Awaited<ReturnType<typeof setup>>;

function items(...specs: (string | Item)[]): Item[] {
	return specs.map((s) => (typeof s === "string" ? { id: s, title: `Title ${s}` } : s));
}

/** A process that runs two steps ("parse", "render"), advancing the fake clock 10 ms in each. */
function processWith(t: Ctx): RunStageOptions<Item>["process"] {
	return async (item, step) => {
		await step.run("parse", async () => {
			t.clock.advance(10);
			if (item.delayMs) await sleep(item.delayMs);
		});
		if (item.behaviour === "fail") throw new Error(`cannot render ${item.id}`);
		if (item.behaviour === "skip") return { status: "skipped", reason: "empty conversation" };
		await step.run("render", async () => {
			t.clock.advance(10);
			if (item.behaviour === "fail-in-step") throw new Error("render blew up");
		});
		if (item.behaviour === "review") return { status: "review", reason: "too short" } satisfies ItemOutcome;
		return { status: "success" };
	};
}

describe("runStage", () => {
	it("counts outcomes, goes on after failures, and logs every item and step", async () => {
		const t = await setup();
		const progress: StageProgress[] = [];
		const result = await runStage({
			ctx: t.ctx,
			stage: "transform",
			items: items(
				"a",
				{ id: "b", title: "B", behaviour: "fail" },
				{ id: "c", title: "C", behaviour: "skip" },
				{ id: "d", title: "D", behaviour: "review" },
				{ id: "e", title: "E", behaviour: "fail-in-step" },
				"f",
			),
			identify: (i) => ({ id: i.id, title: i.title }),
			process: processWith(t),
			onProgress: (p) => progress.push(p),
		});
		expect(result.counts).toEqual({ total: 6, success: 2, failed: 2, skipped: 1, review: 1 });
		expect(result.failures).toEqual([
			{ item_id: "b", title: "B", stage: "transform", reason: "cannot render b" },
			{ item_id: "e", title: "E", stage: "transform", reason: "render blew up" },
		]);
		expect(result.cancelled).toBe(false);
		expect(progress.map((p) => [p.done, p.last?.id, p.last?.status])).toEqual([
			[1, "a", "success"],
			[2, "b", "failed"],
			[3, "c", "skipped"],
			[4, "d", "review"],
			[5, "e", "failed"],
			[6, "f", "success"],
		]);

		const { records } = await readPipelineStageRecords(t.store, t.id, "import");
		expect(records.map((r) => [r.item_id, r.status, r.step, r.timing_ms, r.error ?? r.reason ?? null])).toEqual([
			["a", "success", "render", 20, null],
			["b", "failed", "parse", 10, "cannot render b"],
			["c", "skipped", "parse", 10, "empty conversation"],
			["d", "review", "render", 20, "too short"],
			["e", "failed", "render", 20, "render blew up"],
			["f", "success", "render", 20, null],
		]);
		expect(records[0]).toMatchObject({ session_id: t.id, stage: "transform", title: "Title a" });
		const steps = (await readStepLogRecords(t.store, t.id, "import", "transform")).records;
		expect(steps.filter((s) => s.item_id === "e").map((s) => [s.step, s.step_index, s.status, s.timing_ms, s.error ?? null])).toEqual([
			["parse", 1, "completed", 10, null],
			["render", 2, "failed", 10, "render blew up"],
		]);
		expect(steps).toHaveLength(6 + 4);

		const phase = await t.phases.load(t.id, "import");
		expect(phase.status).toBe("running");
		expect(phase.stages.transform).toMatchObject({ status: "completed", items_count: 6, counts: result.counts });
		expect(
			phase.stages.transform.steps.map((s) => [s.step_name, s.status, s.items_processed, s.items_failed, s.duration_ms, s.error]),
		).toEqual([
			["parse", "completed", 6, 0, 60, null],
			["render", "completed", 4, 1, 40, "render blew up"],
		]);
		expect(phase.stages.extract.status).toBe("pending");
	});

	it('stepLog "failed": only the steps of failed items are logged; phase.json still aggregates every step', async () => {
		const t = await setup();
		await runStage({
			ctx: t.ctx,
			stage: "transform",
			items: items("a", { id: "b", title: "B", behaviour: "fail" }, { id: "e", title: "E", behaviour: "fail-in-step" }, "f"),
			identify: (i) => ({ id: i.id, title: i.title }),
			process: processWith(t),
			stepLog: "failed",
		});
		const steps = (await readStepLogRecords(t.store, t.id, "import", "transform")).records;
		expect(steps.map((s) => [s.item_id, s.step, s.step_index, s.status, s.timing_ms])).toEqual([
			["b", "parse", 1, "completed", 10],
			["e", "parse", 1, "completed", 10],
			["e", "render", 2, "failed", 10],
		]);
		const { records } = await readPipelineStageRecords(t.store, t.id, "import");
		expect(records.map((r) => r.item_id)).toEqual(["a", "b", "e", "f"]);
		const phase = await t.phases.load(t.id, "import");
		expect(phase.stages.transform.steps.map((s) => [s.step_name, s.items_processed, s.items_failed, s.duration_ms])).toEqual([
			["parse", 4, 0, 40],
			["render", 3, 1, 30],
		]);
	});

	it("resume: skips items already done, without logging or counting them", async () => {
		const t = await setup();
		const first = await runStage({
			ctx: t.ctx,
			stage: "load",
			items: items("a", { id: "b", title: "B", behaviour: "fail" }, "c"),
			identify: (i) => ({ id: i.id }),
			process: processWith(t),
		});
		expect(first.counts.failed).toBe(1);
		const done = (await ItemStatusIndex.read(t.store, t.id, "import")).succeeded("load");
		expect([...done]).toEqual(["a", "c"]);
		const seen: string[] = [];
		const second = await runStage({
			ctx: t.ctx,
			stage: "load",
			items: items("a", "b", "c", "d"),
			identify: (i) => ({ id: i.id }),
			process: async (item, step) => {
				seen.push(item.id);
				return processWith(t)(item, step);
			},
			skip: (id) => done.has(id),
		});
		expect(seen).toEqual(["b", "d"]);
		expect(second.resumed).toBe(2);
		expect(second.counts).toEqual({ total: 2, success: 2, failed: 0, skipped: 0, review: 0 });
		const index = await ItemStatusIndex.read(t.store, t.id, "import");
		expect(index.counts("load")).toEqual({ total: 4, success: 4, failed: 0, skipped: 0, review: 0 });
		expect(index.failures()).toEqual([]);
	});

	it("hands each item's output on in input order with concurrency, and waits for a slow receiver", async () => {
		const t = await setup();
		const handed: string[] = [];
		let receiving = 0;
		const result = await runStage<Item, string>({
			ctx: t.ctx,
			stage: "transform",
			items: items(
				{ id: "a", title: "A", delayMs: 30 },
				{ id: "b", title: "B", delayMs: 1 },
				{ id: "c", title: "C", behaviour: "fail" },
				{ id: "d", title: "D", delayMs: 10 },
				"e",
			),
			identify: (i) => ({ id: i.id, title: i.title }),
			concurrency: 3,
			process: async (item) => {
				if (item.delayMs) await sleep(item.delayMs);
				if (item.behaviour === "fail") throw new Error("no output");
				return { status: "success", output: `out-${item.id}` };
			},
			handOff: async (out) => {
				expect(receiving).toBe(0); // one at a time
				receiving++;
				await sleep(2);
				handed.push(out);
				receiving--;
			},
		});
		expect(handed).toEqual(["out-a", "out-b", "out-d", "out-e"]);
		expect(result.counts).toMatchObject({ total: 5, success: 4, failed: 1 });
	});

	it("with concurrency 3, logs and counts stay in input order when later items finish first", async () => {
		const t = await setup();
		let inFlight = 0;
		let maxInFlight = 0;
		const finishOrder: string[] = [];
		const delays: Record<string, number> = { a: 60, b: 40, c: 5, d: 30, e: 1, f: 10, g: 1 };
		const progress: string[] = [];
		const result = await runStage({
			ctx: t.ctx,
			stage: "transform",
			items: (async function* () {
				for (const id of Object.keys(delays)) yield { id, title: id, ...(id === "d" ? { behaviour: "fail" as const } : {}) };
			})(),
			identify: (i) => ({ id: i.id, title: i.title }),
			concurrency: 3,
			process: async (item, step) => {
				inFlight++;
				maxInFlight = Math.max(maxInFlight, inFlight);
				try {
					await step.run("llm", () => sleep(delays[item.id]!));
					if (item.behaviour === "fail") throw new Error("bad reply");
					return { status: "success" };
				} finally {
					finishOrder.push(item.id);
					inFlight--;
				}
			},
			onProgress: (p) => progress.push(p.last!.id),
		});
		expect(maxInFlight).toBe(3);
		const ids = Object.keys(delays);
		expect(finishOrder[0]).toBe("c"); // later items really finished first
		expect(finishOrder).not.toEqual(ids);
		expect(progress).toEqual(ids);
		expect((await readPipelineStageRecords(t.store, t.id, "import")).records.map((r) => r.item_id)).toEqual(ids);
		expect((await readStepLogRecords(t.store, t.id, "import", "transform")).records.map((r) => r.item_id)).toEqual(ids);
		expect(result.counts).toEqual({ total: 7, success: 6, failed: 1, skipped: 0, review: 0 });
		expect(result.failures.map((f) => f.item_id)).toEqual(["d"]);
	});

	it("cancel: takes no new items, logs finished ones, abandons those that fail on the abort, marks the stage stopped (not failed: a resume goes on)", async () => {
		const t = await setup();
		const controller = new AbortController();
		const started: string[] = [];
		const result = await runStage({
			ctx: t.ctx,
			stage: "transform",
			items: items("a", "b", "c", "d", "e", "f"),
			identify: (i) => ({ id: i.id }),
			concurrency: 3,
			signal: controller.signal,
			process: async (item) => {
				started.push(item.id);
				if (item.id === "a") await sleep(30); // finishes normally after the abort: logged
				if (item.id === "b") await sleep(5000, controller.signal); // stopped by the abort: abandoned
				if (item.id === "c") {
					await sleep(5);
					controller.abort();
				}
				return { status: "success" };
			},
		});
		expect(started).toEqual(["a", "b", "c"]);
		expect(result.cancelled).toBe(true);
		expect(result.counts).toEqual({ total: 2, success: 2, failed: 0, skipped: 0, review: 0 });
		expect((await readPipelineStageRecords(t.store, t.id, "import")).records.map((r) => r.item_id)).toEqual(["a", "c"]);
		expect((await t.phases.load(t.id, "import")).stages.transform.status).toBe("stopped");
	});

	it("a failing item source fails the stage after logging what finished", async () => {
		const t = await setup();
		const source = (async function* () {
			yield { id: "a", title: "a" };
			yield { id: "b", title: "b" };
			throw new Error("corrupt export at byte 123");
		})();
		await expect(
			runStage({
				ctx: t.ctx,
				stage: "extract",
				items: source,
				identify: (i) => ({ id: i.id }),
				process: async () => ({ status: "success" }),
			}),
		).rejects.toThrow("corrupt export at byte 123");
		expect((await readPipelineStageRecords(t.store, t.id, "import")).records.map((r) => r.item_id)).toEqual(["a", "b"]);
		expect((await t.phases.load(t.id, "import")).stages.extract).toMatchObject({ status: "failed", items_count: 2 });
	});

	it("an item that cannot be identified fails alone", async () => {
		const t = await setup();
		const result = await runStage({
			ctx: t.ctx,
			stage: "extract",
			items: [{ id: "a" }, { id: "" }, { id: "c" }],
			identify: (i) => {
				if (!i.id) throw new Error("no id");
				return { id: i.id };
			},
			process: async () => ({ status: "success" }),
		});
		expect(result.counts).toMatchObject({ total: 3, success: 2, failed: 1 });
		expect(result.failures[0]).toMatchObject({ item_id: "#2", reason: "cannot identify the item: no id" });
	});

	it("saves phase.json at most every saveIntervalMs while running, with progress", async () => {
		const t = await setup();
		const path = join(t.dir, ".staging/@session", t.id, "import/phase.json");
		const seenCounts: (number | undefined)[] = [];
		await runStage({
			ctx: t.ctx,
			stage: "transform",
			items: items("a", "b", "c", "d", "e"),
			identify: (i) => ({ id: i.id }),
			saveIntervalMs: 1000,
			process: async () => {
				const onDisk = JSON.parse(await readFile(path, "utf8")) as { stages: { transform: { counts?: { total: number } } } };
				seenCounts.push(onDisk.stages.transform.counts?.total);
				t.clock.advance(600);
				return { status: "success" };
			},
		});
		// saved after item 2 (1200 ms) and item 4 (2400 ms), not after every item
		expect(seenCounts).toEqual([undefined, undefined, 2, 2, 4]);
	});

	it("repairs a log cut off by a crash before appending", async () => {
		const t = await setup();
		await runStage({
			ctx: t.ctx,
			stage: "load",
			items: items("a"),
			identify: (i) => ({ id: i.id }),
			process: async () => ({ status: "success" }),
		});
		const { appendFile } = await import("node:fs/promises");
		await appendFile(join(t.dir, ".staging/@session", t.id, "import/pipeline_stages.jsonl"), '{"item_id":"b","sta');
		await runStage({
			ctx: t.ctx,
			stage: "load",
			items: items("b"),
			identify: (i) => ({ id: i.id }),
			process: async () => ({ status: "success" }),
		});
		const read = await readPipelineStageRecords(t.store, t.id, "import");
		expect(read.records.map((r) => r.item_id)).toEqual(["a", "b"]);
		expect(read.skipped).toBe(1);
		expect(t.logger.lines.some((l) => l.level === "warn" && /cut off/.test(l.message))).toBe(true);
	});

	it.each([true, false])("debug mode %s: the stage log <stage>/<stage>.log is written only in debug mode", async (debugMode) => {
		const t = await setup();
		const sink = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
		const logger = createLogger({ debugMode, store: t.store, console: sink, clock: t.clock });
		await runStage({
			ctx: { ...t.ctx, logger },
			stage: "transform",
			items: items("a", { id: "b", title: "B", behaviour: "fail" }),
			identify: (i) => ({ id: i.id }),
			process: async (item, step) => {
				step.logger.debug(`rendering ${item.id}`);
				return processWith(t)(item, step);
			},
		});
		const file = join(t.dir, ".staging/@session", t.id, "import/transform/transform.log");
		const text = await readFile(file, "utf8").catch(() => null);
		if (debugMode) {
			expect(text).toContain("DEBUG rendering a");
			expect(text).toContain("DEBUG transform: b failed: cannot render b");
		} else {
			expect(text).toBeNull();
		}
	});
});
