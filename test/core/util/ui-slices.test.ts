import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import type { PipelineStageRecord } from "../../../src/core/logs/pipeline-stages";
import { NodeStagingStore } from "../../../src/cli/node-staging-store";
import { textOnlyStore } from "../_support/text-only-store";

/**
 * Work that runs on Obsidian's UI thread yields in the shared 10 ms slices (issue 17). Here the core's timers see a
 * UI thread (a `scheduler` global, as in Chromium), each yield (a message to itself) is counted, and the clock runs
 * 11 ms per look, so that every point where a slice may end does end it: the count is the number of yield points
 * passed. The modules are loaded afresh for each test, after the stubs.
 */
let yields = 0;
/** Called at each yield (see the MessageChannel stub). */
let onYield: (() => void) | null = null;
let root: string | undefined;

beforeEach(() => {
	vi.resetModules();
	yields = 0;
	vi.stubGlobal("scheduler", {});
	const Native = MessageChannel;
	vi.stubGlobal(
		"MessageChannel",
		class extends Native {
			constructor() {
				super();
				const post = this.port2.postMessage.bind(this.port2);
				this.port2.postMessage = (message: unknown) => {
					yields++;
					onYield?.();
					post(message);
				};
				(this.port1 as unknown as { unref?: () => void }).unref?.();
			}
		},
	);
	let now = 1_000_000;
	vi.spyOn(Date, "now").mockImplementation(() => (now += 11));
});

afterEach(async () => {
	onYield = null;
	vi.unstubAllGlobals();
	vi.restoreAllMocks();
	if (root) await fs.rm(root, { recursive: true, force: true });
	root = undefined;
});

describe("on a UI thread", () => {
	it("extract's shard flush yields between its appended pieces", async () => {
		const { ShardWriter, APPEND_PIECE_CHARS } = await import("../../../src/core/import/pipeline/jsonl-shards");
		root = await fs.mkdtemp(path.join(os.tmpdir(), "ketl-ui-slices-"));
		const writer = new ShardWriter(textOnlyStore(new NodeStagingStore(root)), "out", "conversations", 100, 64 * 1024 * 1024);
		const line = JSON.stringify({ text: "z".repeat(30_000) });
		for (let i = 0; i < 100; i++) await writer.writeLine(line);
		const before = yields;
		await writer.flush();
		const pieces = Math.ceil((100 * (line.length + 1)) / APPEND_PIECE_CHARS);
		expect(yields - before).toBeGreaterThanOrEqual(pieces - 2);
	});

	it("the run's summary goes over 5,000 items in slices", async () => {
		const { appendPipelineStageRecords } = await import("../../../src/core/logs/pipeline-stages");
		const { ItemStatusIndex } = await import("../../../src/core/logs/item-status-index");
		const { summarize } = await import("../../../src/core/import/pipeline/import-summary");
		root = await fs.mkdtemp(path.join(os.tmpdir(), "ketl-ui-slices-"));
		const store = new NodeStagingStore(root);
		const session = "20260101_000000";
		const records: PipelineStageRecord[] = [];
		for (let i = 0; i < 5_000; i++) {
			for (const stage of ["extract", "transform", "load"] as const)
				records.push({
					timestamp: "2026-01-01T00:00:00.000Z",
					session_id: session,
					item_id: `c-${i}`,
					stage,
					step: stage,
					status: "success",
					timing_ms: 1,
					...(stage === "load" ? { outcome: "created" as const } : {}),
				});
		}
		await appendPipelineStageRecords(store, session, "import", records);
		const index = await ItemStatusIndex.read(store, session, "import", undefined, { ids: false });
		const before = yields;
		const summary = await summarize(store, session, undefined, "pending", { index });
		expect(summary.counts.total).toBe(5_000);
		expect(yields - before).toBeGreaterThanOrEqual(4);
	});

	it("the panel's log read again whole (15,000 records) is summed in pieces of at most 2,048 between yields", async () => {
		const { appendPipelineStageRecords } = await import("../../../src/core/logs/pipeline-stages");
		const { pipelineStagesFile } = await import("../../../src/core/session/paths");
		const { PanelFileCache } = await import("../../../src/core/status/panel-state");
		const { PhaseLog } = await import("../../../src/core/status/phase-log");
		root = await fs.mkdtemp(path.join(os.tmpdir(), "ketl-ui-slices-"));
		const store = new NodeStagingStore(root);
		const session = "20260101_000000";
		const records: PipelineStageRecord[] = [];
		for (let i = 0; i < 5_000; i++)
			for (const stage of ["extract", "transform", "load"] as const)
				records.push({
					timestamp: "2026-01-01T00:00:00.000Z",
					session_id: session,
					item_id: `c-${i}`,
					stage,
					step: stage,
					status: "success",
					timing_ms: 1,
				});
		await appendPipelineStageRecords(store, session, "import", records);
		let run = 0;
		let longest = 0;
		onYield = () => (run = 0);
		// addOne is private: one record summed in.
		const proto = PhaseLog.prototype as unknown as { addOne: (this: unknown, r: unknown) => void };
		const addOne = proto.addOne;
		vi.spyOn(proto, "addOne").mockImplementation(function (this: unknown, r: unknown) {
			longest = Math.max(longest, ++run);
			addOne.call(this, r);
		});
		const log = await new PanelFileCache().log(store, pipelineStagesFile(session, "import"));
		expect(log.stageCounts("load").done).toBe(5_000);
		expect(longest).toBeLessThanOrEqual(2_048);
	});
});
