import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NodeByteSource } from "../../../../src/cli/node-byte-source";
import { NodeNoteVault } from "../../../../src/cli/node-note-vault";
import { NodeStagingStore } from "../../../../src/cli/node-staging-store";
import { runImportSession, summarize } from "../../../../src/core/import/pipeline/import-session";
import { appendPipelineStageRecords, type PipelineStageRecord } from "../../../../src/core/logs/pipeline-stages";
import { systemClock } from "../../../../src/core/ports/clock";
import { silentLogger } from "../../../../src/core/ports/logger";
import { PhaseManager } from "../../../../src/core/session/phase-manager";
import { SessionManager } from "../../../../src/core/session/session-manager";
import { claudeConv, writeJson } from "../../../cli/import-support";
import { tempDir } from "../../_support/temp-vault";

const COUNT = 300; // more than the hand-overs between stages hold: a stage that stops must not leave another waiting

async function exportFile(): Promise<string> {
	const dir = await tempDir("ketl-fail-");
	return writeJson(
		join(dir, "conversations.json"),
		Array.from({ length: COUNT }, (_, i) => claudeConv({ id: `f${i}`, title: `Failing ${i}` })),
	);
}

/** A store whose appends to one log start failing after `after` of them (a full disk, say). */
class FailingStore extends NodeStagingStore {
	private appends = 0;
	constructor(
		root: string,
		private readonly log: string,
		private readonly after: number,
	) {
		super(root);
	}
	override async append(path: string, data: string): Promise<void> {
		if (path.endsWith(this.log) && ++this.appends > this.after) throw new Error(`ENOSPC: no space left on device, write '${path}'`);
		return super.append(path, data);
	}
}

/** A store that cannot look at one stage's steps log: that stage breaks down as it starts, before it takes an item. */
class BrokenAtStartStore extends NodeStagingStore {
	constructor(
		root: string,
		private readonly log: string,
	) {
		super(root);
	}
	override async exists(path: string): Promise<boolean> {
		if (path.endsWith(this.log)) {
			// Slow to fail: meanwhile the stages before it fill the hand-over and wait for it.
			await new Promise((r) => setTimeout(r, 400));
			throw new Error(`EIO: i/o error, stat '${path}'`);
		}
		return super.exists(path);
	}
}

function withinSeconds<T>(p: Promise<T>, seconds: number): Promise<T> {
	return Promise.race([
		p,
		new Promise<T>((_, reject) =>
			setTimeout(() => reject(new Error(`still running after ${seconds} s (a stage is left waiting)`)), seconds * 1000),
		),
	]);
}

describe("runImportSession when a stage breaks down", () => {
	for (const log of ["load/steps.jsonl", "transform/steps.jsonl"]) {
		it(`a stage that cannot write its log (${log}) stops the others: the run fails with its error, nothing waits, the source is closed after the reading`, async () => {
			const input = await exportFile();
			const root = await tempDir("ketl-fail-vault-");
			const source = await NodeByteSource.open(input);
			const run = runImportSession(
				{ store: new FailingStore(root, log, 1), vault: new NodeNoteVault(root), clock: systemClock, logger: silentLogger },
				// Debug mode: only then does every item's steps go to the steps log (outside it, only a failed item's).
				{ mode: "new", sources: [source], options: { inputs: [input] }, debugMode: true },
			);
			await expect(withinSeconds(run, 20)).rejects.toThrow(/ENOSPC/);
			await source.close(); // after the run: no stage reads it any more
			const [id] = (await new SessionManager(new NodeStagingStore(root), systemClock).list()).sessions.map((s) => s.session_id);
			const phase = await new PhaseManager(new NodeStagingStore(root), systemClock).load(id!, "import");
			expect(phase.status).toBe("failed");
			expect([phase.stages.extract.status, phase.stages.transform.status, phase.stages.load.status]).not.toContain("running");
		}, 30_000);
	}

	for (const log of ["load/steps.jsonl", "transform/steps.jsonl"]) {
		it(`a stage that breaks down as it starts (${log}) stops the others instead of leaving them waiting on it`, async () => {
			const input = await exportFile();
			const root = await tempDir("ketl-fail-vault-");
			const source = await NodeByteSource.open(input);
			const run = runImportSession(
				{ store: new BrokenAtStartStore(root, log), vault: new NodeNoteVault(root), clock: systemClock, logger: silentLogger },
				{ mode: "new", sources: [source], options: { inputs: [input] } },
			);
			await expect(withinSeconds(run, 20)).rejects.toThrow(/EIO/);
			await source.close();
		}, 30_000);
	}

	it("an index that cannot be opened fails the run before any stage starts (no hang, no stage left running)", async () => {
		const input = await exportFile();
		const root = await tempDir("ketl-fail-vault-");
		await mkdir(join(root, ".staging/@index/import-index.jsonl"), { recursive: true }); // a folder where the index goes
		const source = await NodeByteSource.open(input);
		await expect(
			withinSeconds(
				runImportSession(
					{ store: new NodeStagingStore(root), vault: new NodeNoteVault(root), clock: systemClock, logger: silentLogger },
					{ mode: "new", sources: [source], options: { inputs: [input] } },
				),
				20,
			),
		).rejects.toThrow();
		await source.close();
		const [id] = (await new SessionManager(new NodeStagingStore(root), systemClock).list()).sessions.map((s) => s.session_id);
		const phase = JSON.parse(await readFile(join(root, ".staging/@session", id!, "import/phase.json"), "utf8")) as {
			status: string;
			stages: Record<string, { status: string }>;
		};
		expect(phase.status).toBe("failed");
		expect(Object.values(phase.stages).map((s) => s.status)).toEqual(["pending", "pending", "pending"]);
	}, 30_000);
});

describe("summarize", () => {
	it("counts a note load wrote as imported even when its transform record was lost in a crash (the stages log separately)", async () => {
		const root = await tempDir("ketl-sum-");
		const store = new NodeStagingStore(root);
		const sessions = new SessionManager(store, systemClock);
		const { session_id } = await sessions.create({ debugMode: false });
		await new PhaseManager(store, systemClock, sessions).create(session_id, "import");
		const rec = (
			item: string,
			stage: PipelineStageRecord["stage"],
			status: PipelineStageRecord["status"],
			timestamp: string,
			extra: Partial<PipelineStageRecord> = {},
		): PipelineStageRecord => ({
			timestamp,
			session_id,
			item_id: item,
			stage,
			step: "s",
			status,
			timing_ms: 1,
			...extra,
		});
		await appendPipelineStageRecords(store, session_id, "import", [
			rec("a", "extract", "success", "2026-01-01T00:00:01.000Z"),
			rec("b", "extract", "success", "2026-01-01T00:00:01.000Z"),
			rec("c", "extract", "success", "2026-01-01T00:00:01.000Z"),
			rec("d", "extract", "success", "2026-01-01T00:00:01.000Z"),
			rec("e", "extract", "success", "2026-01-01T00:00:01.000Z"),
			// d, e: typed outcomes are read as such, whatever the reason's text says
			rec("d", "transform", "success", "2026-01-01T00:00:02.000Z"),
			rec("d", "load", "success", "2026-01-01T00:00:03.000Z", {
				reason: "kept: the note was edited",
				outcome: "preserved",
				note_path: "D.md",
			}),
			rec("e", "transform", "success", "2026-01-01T00:00:02.000Z"),
			rec("e", "load", "success", "2026-01-01T00:00:03.000Z", {
				reason: "written again",
				outcome: "updated",
				rerendered: true,
				note_path: "E.md",
			}),
			// a: load's record kept, transform's lost
			rec("a", "load", "success", "2026-01-01T00:00:03.000Z", { reason: "created: A.md" }),
			// b: a retry's transform failed after the note was written: the failure stands
			rec("b", "load", "success", "2026-01-01T00:00:03.000Z", { reason: "created: B.md" }),
			rec("b", "transform", "failed", "2026-01-01T00:00:05.000Z", { error: "model down" }),
			// c: nothing after extract
		]);
		const summary = await summarize(store, session_id);
		expect(summary.counts).toEqual({ total: 5, success: 3, failed: 2, skipped: 0 });
		expect(summary.notes).toMatchObject({ created: 1, preserved: 1, updated: 1 });
		expect(summary.rerendered).toBe(1);
		expect(summary.failures.map((f) => [f.item_id, f.stage])).toEqual([
			["b", "transform"],
			["c", "transform"],
		]);
	});
});

describe("the summary a run returns", () => {
	it("is the log's own, read back from the file: on a new run and on a retry that appends to an older log", async () => {
		const dir = await tempDir("ketl-mirror-");
		const input = await writeJson(join(dir, "conversations.json"), [
			claudeConv({ id: "good-1", title: "Good one" }),
			claudeConv({ id: "empty-1", title: "Nothing said", messages: [] }), // skipped: empty
			{ uuid: "bad-1", name: "Broken", chat_messages: "not a list" }, // fails in extract
			claudeConv({ id: "good-2", title: "Good two" }),
		]);
		const root = await tempDir("ketl-mirror-vault-");
		const store = new NodeStagingStore(root);
		const deps = { store, vault: new NodeNoteVault(root), clock: systemClock, logger: silentLogger };
		const first = await runImportSession(deps, { mode: "new", sources: [await NodeByteSource.open(input)], options: { inputs: [input] } });
		const { status: _s1, ...firstFromLog } = await summarize(store, first.session_id);
		expect(first).toMatchObject(firstFromLog);
		expect(first.counts).toEqual({ total: 4, success: 2, failed: 1, skipped: 1 });
		expect(first.notes.created).toBe(2);

		const retried = await runImportSession(deps, {
			mode: "retry",
			sessionId: first.session_id,
			sources: [await NodeByteSource.open(input)],
		});
		const { status: _s2, ...retriedFromLog } = await summarize(store, first.session_id);
		expect(retried).toMatchObject(retriedFromLog);
		expect(retried.counts).toEqual(first.counts); // the bad element is still bad; the rest is counted once
	});
});
