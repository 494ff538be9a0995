import { promises as fs } from "node:fs";
import path from "node:path";
import { appendPipelineStageRecords, type PipelineStageRecord } from "../../src/core/logs/pipeline-stages";
import type { Counts } from "../../src/core/model/counts";
import type { Step } from "../../src/core/model/phase";
import type { Clock } from "../../src/core/ports/clock";
import type { StagingStore } from "../../src/core/ports/staging-store";
import { pipelineStagesFile } from "../../src/core/session/paths";
import { PhaseManager } from "../../src/core/session/phase-manager";
import { SessionManager } from "../../src/core/session/session-manager";

/**
 * Three real sessions written through the core managers, as a run would leave them: one finished with
 * failures (partial), one whose Obsidian died mid-transform (interrupted), one running right now.
 */

export class SettableClock implements Clock {
	constructor(public t: Date) {}
	now(): Date {
		return new Date(this.t);
	}
	at(t: Date): this {
		this.t = t;
		return this;
	}
	advance(ms: number): this {
		this.t = new Date(this.t.getTime() + ms);
		return this;
	}
}

const local = (y: number, mo: number, d: number, h: number, mi: number, s = 0) => new Date(y, mo - 1, d, h, mi, s);

/** "Now" for the panel in the screenshots. */
export const PANEL_NOW = local(2025, 3, 14, 9, 34, 0);

export const FAILURES = {
	partial: [
		{
			id: "conv-0007",
			title:
				"A very long conversation title about migrating a monorepo from webpack to esbuild while keeping source maps and hot reload working",
			error: "LLM returned invalid JSON after 3 attempts: Unexpected token '}' at line 14 column 3",
		},
		{ id: "conv-0011", title: "Kyoto trip planning", error: "Note path collides with an existing note that was edited by hand (kept it)" },
	],
	running: [{ id: "c-0413", title: "Tax return questions", error: "Request timed out after 120 s (http://127.0.0.1:11434/api/chat)" }],
	interrupted: [{ id: "conv-0042", title: "Recipe ideas", error: "Conversation has no messages with text" }],
} as const;

function rec(
	sessionId: string,
	itemId: string,
	stage: PipelineStageRecord["stage"],
	status: PipelineStageRecord["status"],
	ts: Date,
	extra: Partial<PipelineStageRecord> = {},
): PipelineStageRecord {
	return {
		timestamp: ts.toISOString(),
		session_id: sessionId,
		item_id: itemId,
		stage,
		step: `${stage}_item`,
		status,
		timing_ms: 40,
		...extra,
	};
}

const counts = (success: number, failed: number, skipped: number): Counts => ({
	total: success + failed + skipped,
	success,
	failed,
	skipped,
});

function step(name: string, ms: number, processed: number, failed = 0): Step {
	return {
		step_name: name,
		status: failed > 0 && processed === failed ? "failed" : "completed",
		started_at: null,
		completed_at: null,
		duration_ms: ms,
		items_processed: processed,
		items_failed: failed,
		error: null,
	};
}

async function extract(
	store: StagingStore,
	phases: PhaseManager,
	clock: SettableClock,
	id: string,
	n: number,
	prefix: string,
): Promise<void> {
	await phases.create(id, "import");
	await phases.startStage(id, "import", "extract");
	const t = clock.now();
	await appendPipelineStageRecords(
		store,
		id,
		"import",
		Array.from({ length: n }, (_, i) => rec(id, `${prefix}-${String(i).padStart(4, "0")}`, "extract", "success", t)),
	);
	clock.advance(4_200);
	await phases.finishStage(id, "import", "extract", {
		items_count: n,
		counts: counts(n, 0, 0),
		steps: [step("open_export", 310, 1), step("parse_conversations", 3_890, n)],
	});
}

export interface PanelSessions {
	partial: string;
	interrupted: string;
	running: string;
}

/**
 * Writes the three sessions into `store` (a vault at `vaultDir`). The interrupted session's item log gets an
 * old modification time, as if written the evening before (its run is gone).
 */
export async function writePanelSessions(store: StagingStore, vaultDir: string): Promise<PanelSessions> {
	const clock = new SettableClock(local(2025, 3, 12, 18, 4, 11));
	const sessions = new SessionManager(store, clock);
	const phases = new PhaseManager(store, clock, sessions);

	// 1. Finished with failures: 12 conversations, 9 notes, 2 failed, 1 unchanged.
	const partial = (await sessions.create({ debugMode: false, provider: "claude" })).session_id;
	await extract(store, phases, clock, partial, 12, "conv");
	await phases.startStage(partial, "import", "transform");
	const tt = clock.advance(8_000).now();
	const transformRecords: PipelineStageRecord[] = [];
	for (let i = 0; i < 12; i++) {
		const item = `conv-${String(i).padStart(4, "0")}`;
		const failure = FAILURES.partial.find((f) => f.id === item);
		if (failure) transformRecords.push(rec(partial, item, "transform", "failed", tt, { title: failure.title, error: failure.error }));
		else if (i === 3) transformRecords.push(rec(partial, item, "transform", "skipped", tt, { reason: "unchanged" }));
		else transformRecords.push(rec(partial, item, "transform", "success", tt));
	}
	await appendPipelineStageRecords(store, partial, "import", transformRecords);
	await phases.finishStage(partial, "import", "transform", {
		items_count: 12,
		counts: counts(9, 2, 1),
		steps: [step("render_note", 7_400, 12, 2)],
	});
	await phases.startStage(partial, "import", "load");
	clock.advance(1_500);
	await appendPipelineStageRecords(
		store,
		partial,
		"import",
		transformRecords.filter((r) => r.status === "success").map((r) => rec(partial, r.item_id, "load", "success", clock.now())),
	);
	await phases.finishStage(partial, "import", "load", { items_count: 9, counts: counts(9, 0, 0), steps: [step("write_note", 1_380, 9)] });
	await phases.finishPhase(partial, "import", counts(9, 2, 1));

	// 2. Interrupted: 340 conversations extracted, transform stopped after 130 (Obsidian was closed).
	clock.at(local(2025, 3, 13, 22, 40, 5));
	const interrupted = (await sessions.create({ debugMode: true, provider: "chatgpt" })).session_id;
	await extract(store, phases, clock, interrupted, 340, "conv");
	await phases.startStage(interrupted, "import", "transform");
	const stoppedAt = clock.advance(95_000).now();
	await appendPipelineStageRecords(
		store,
		interrupted,
		"import",
		Array.from({ length: 130 }, (_, i) => {
			const item = `conv-${String(i).padStart(4, "0")}`;
			const failure = FAILURES.interrupted.find((f) => f.id === item);
			return failure
				? rec(interrupted, item, "transform", "failed", stoppedAt, { title: failure.title, error: failure.error })
				: rec(interrupted, item, "transform", "success", stoppedAt);
		}),
	);
	await fs.utimes(path.join(vaultDir, pipelineStagesFile(interrupted, "import")), stoppedAt, stoppedAt);

	// 3. Running now: 2000 conversations extracted, transform at 1200 of 2000, load not started.
	clock.at(local(2025, 3, 14, 9, 30, 0));
	const running = (await sessions.create({ debugMode: false, provider: "chatgpt" })).session_id;
	await extract(store, phases, clock, running, 2000, "c");
	await phases.startStage(running, "import", "transform");
	const rt = clock.advance(150_000).now();
	await appendPipelineStageRecords(
		store,
		running,
		"import",
		Array.from({ length: 1200 }, (_, i) => {
			const item = `c-${String(i).padStart(4, "0")}`;
			const failure = FAILURES.running.find((f) => f.id === item);
			if (failure) return rec(running, item, "transform", "failed", rt, { title: failure.title, error: failure.error });
			return rec(running, item, "transform", i % 100 === 7 ? "skipped" : "success", rt);
		}),
	);
	return { partial, interrupted, running };
}
