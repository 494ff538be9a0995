import { describe, expect, it } from "vitest";
import type { Phase } from "../../../src/core/model/phase";
import type { Session } from "../../../src/core/model/session";
import { newPhase } from "../../../src/core/session/phase-manager";
import { buildPanelModel, formatDuration, sessionTimeLabel, type PipelineRecordLike } from "../../../src/core/status/panel-model";

function session(id: string, status: Session["status"], extra: Partial<Session> = {}): Session {
	return {
		session_id: id,
		created_at: "2025-01-01T00:00:00.000Z",
		updated_at: "2025-01-01T00:00:00.000Z",
		status,
		phases: {},
		debug_mode: false,
		...extra,
	};
}

const r = (item: string, stage: PipelineRecordLike["stage"], status: PipelineRecordLike["status"], error?: string): PipelineRecordLike => ({
	timestamp: "2025-01-01T00:00:10.000Z",
	item_id: item,
	stage,
	step: "s",
	status,
	...(error ? { error } : {}),
});

describe("buildPanelModel", () => {
	it("selects a running session by default, else the newest; honours an explicit selection", () => {
		const list = [session("20250103_000000", "completed"), session("20250102_000000", "running"), session("20250101_000000", "failed")];
		const base = { sessions: list, broken: [], now: new Date() };
		expect(buildPanelModel(base).selected?.id).toBe("20250102_000000");
		expect(buildPanelModel({ ...base, sessions: [list[0]!, list[2]!] }).selected?.id).toBe("20250103_000000");
		expect(buildPanelModel({ ...base, selectedId: "20250101_000000" }).selected).toMatchObject({
			id: "20250101_000000",
			canResume: true,
			canCancel: false,
		});
		expect(buildPanelModel({ ...base, selectedId: "19990101_000000" }).selected?.id).toBe("20250102_000000");
		expect(buildPanelModel({ sessions: [], broken: [], now: new Date() })).toEqual({ sessions: [], broken: [], selected: null });
	});

	it("counts a retried item once, by its last outcome, and lists only what still failed", () => {
		const phase: Phase = newPhase("import");
		phase.status = "running";
		phase.stages.extract = { ...phase.stages.extract, status: "completed", counts: { total: 3, success: 3, failed: 0, skipped: 0 } };
		phase.stages.transform = { ...phase.stages.transform, status: "running", started_at: "2025-01-01T00:00:00.000Z" };
		const records = [r("a", "transform", "failed", "timeout"), r("b", "transform", "failed", "bad json"), r("a", "transform", "success")];
		const model = buildPanelModel({
			sessions: [session("20250101_000000", "running")],
			broken: [],
			phases: { import: phase },
			records: { import: records },
			now: new Date("2025-01-01T00:00:04.000Z"),
		});
		const view = model.selected!.phases[0]!;
		const transform = view.stages[1]!;
		expect(transform.counts).toEqual({ total: 3, estimated: false, done: 1, skipped: 0, failed: 1, review: 0 });
		expect(transform.progress).toBeCloseTo(2 / 3);
		expect(transform.ratePerSecond).toBeCloseTo(0.5);
		expect(transform.etaMs).toBe(2000);
		expect(view.failures.map((f) => [f.itemId, f.error])).toEqual([["b", "bad json"]]);
		expect(view.stages[2]).toMatchObject({ status: "pending", progress: 0 });
	});

	it("while extract still reads the export: its progress is the bytes read, and every stage's total is estimated from it", () => {
		const phase: Phase = newPhase("import");
		phase.status = "running";
		const started = "2025-01-01T00:00:00.000Z";
		// A quarter of the export read in 10 s; 50 conversations seen (one skipped as empty), 40 transformed, 30 loaded.
		phase.stages.extract = {
			...phase.stages.extract,
			status: "running",
			started_at: started,
			input: { bytes_read: 25_000, bytes_total: 100_000 },
		};
		phase.stages.transform = { ...phase.stages.transform, status: "running", started_at: started };
		phase.stages.load = { ...phase.stages.load, status: "running", started_at: started };
		const ids = Array.from({ length: 50 }, (_, i) => `c${i}`);
		const records = [
			...ids.map((id, i) => r(id, "extract", i === 7 ? "skipped" : "success")),
			...ids
				.filter((_, i) => i !== 7)
				.slice(0, 40)
				.map((id) => r(id, "transform", "success")),
			...ids
				.filter((_, i) => i !== 7)
				.slice(0, 30)
				.map((id) => r(id, "load", "success")),
		];
		const model = buildPanelModel({
			sessions: [session("20250101_000000", "running")],
			broken: [],
			phases: { import: phase },
			records: { import: records },
			now: new Date("2025-01-01T00:00:10.000Z"),
		});
		const [extract, transform, load] = model.selected!.phases[0]!.stages;
		expect(extract!.progress).toBeCloseTo(0.25);
		expect(extract!.counts).toMatchObject({ total: 200, estimated: true, done: 49, skipped: 1 });
		expect(extract!.etaMs).toBe(30_000); // three times the 10 s it took to read the first quarter
		// 49 of 50 passed on: 196 expected in transform, and as many in load.
		expect(transform!.counts).toMatchObject({ total: 196, estimated: true, done: 40 });
		expect(transform!.progress).toBeCloseTo(40 / 196);
		expect(load!.counts).toMatchObject({ total: 196, estimated: true, done: 30 });
		expect(load!.etaMs).toBe(Math.round(((196 - 30) / 3) * 1000));

		// Once extract has finished, the totals are exact again.
		phase.stages.extract = {
			...phase.stages.extract,
			status: "completed",
			counts: { total: 180, success: 179, failed: 0, skipped: 1 },
			input: { bytes_read: 100_000, bytes_total: 100_000 },
		};
		const after = buildPanelModel({
			sessions: [session("20250101_000000", "running")],
			broken: [],
			phases: { import: phase },
			records: { import: records },
			now: new Date("2025-01-01T00:00:10.000Z"),
		});
		expect(after.selected!.phases[0]!.stages[1]!.counts).toMatchObject({ total: 179, estimated: false });
	});

	it("links notes created or updated, a re-render on option change included; not unchanged or preserved ones", () => {
		const phase = newPhase("import");
		const load = (item: string, reason: string): PipelineRecordLike => ({
			...r(item, "load", "success"),
			note_path: `N/${item}.md`,
			reason: `${reason}: N/${item}.md`,
		});
		const records = [
			load("a", "created"),
			load("b", "updated (options changed)"),
			load("c", "unchanged"),
			load("d", "preserved"),
			load("e", "updated"),
		];
		const model = buildPanelModel({
			sessions: [session("20250101_000000", "completed")],
			broken: [],
			phases: { import: phase },
			records: { import: records },
			now: new Date(),
		});
		expect(model.selected!.phases[0]!.notes.map((n) => [n.path, n.outcome]).sort()).toEqual([
			["N/a.md", "created"],
			["N/b.md", "updated"],
			["N/e.md", "updated"],
		]);
	});

	it("organize planning: counts the notes phase.json has counted, though only the failed one has a record", () => {
		const phase: Phase = newPhase("organize");
		phase.status = "running";
		phase.started_at = "2025-01-01T00:00:00.000Z";
		phase.stages.extract = { ...phase.stages.extract, status: "completed", counts: { total: 500, success: 500, failed: 0, skipped: 0 } };
		phase.stages.transform = {
			...phase.stages.transform,
			status: "running",
			started_at: "2025-01-01T00:00:01.000Z",
			counts: { total: 200, success: 190, failed: 1, skipped: 4, review: 5 },
		};
		const input = {
			sessions: [
				session("20250101_000000", "running", {
					phases: { organize: { status: "running" as const, counts: { total: 0, success: 0, failed: 0, skipped: 0 } } },
				}),
			],
			broken: [],
			phases: { organize: phase },
			records: { organize: [r("Inbox/Bad.md", "transform", "failed", "Invalid YAML frontmatter")] },
			now: new Date("2025-01-01T00:00:05.000Z"),
		};
		const view = buildPanelModel(input).selected!.phases[0]!;
		expect(view.stages[1]!.counts).toMatchObject({ total: 500, done: 190, failed: 1, skipped: 4, review: 5 });
		expect(view.stages[1]!.progress).toBeCloseTo(200 / 500);
		expect(view.failures).toMatchObject([{ itemId: "Inbox/Bad.md", error: "Invalid YAML frontmatter" }]);
		// An import's running stage still counts its records (phase.json lags behind them there).
		const imported = buildPanelModel({
			...input,
			phases: { import: { ...phase, phase_type: "import" } },
			records: { import: input.records.organize },
		});
		expect(imported.selected!.phases[0]!.stages[1]!.counts).toMatchObject({ done: 0, failed: 1 });
	});

	it("caps the failure list", () => {
		const phase = newPhase("import");
		const records = Array.from({ length: 7 }, (_, i) => r(`i${i}`, "load", "failed", "x"));
		const model = buildPanelModel({
			sessions: [session("20250101_000000", "failed")],
			broken: [],
			phases: { import: phase },
			records: { import: records },
			now: new Date(),
			maxFailures: 5,
		});
		expect(model.selected!.phases[0]).toMatchObject({ moreFailures: 2 });
		expect(model.selected!.phases[0]!.failures).toHaveLength(5);
	});

	it("shows an unreadable phase.json as an error instead of failing", () => {
		const model = buildPanelModel({
			sessions: [session("20250101_000000", "failed")],
			broken: [],
			phases: { import: { error: "phase.json: bad" } },
			now: new Date(),
		});
		expect(model.selected!.phases[0]).toMatchObject({ type: "import", error: "phase.json: bad", stages: [] });
	});
});

describe("labels", () => {
	it.each([
		["20250131_140509", "2025-01-31 14:05:09"],
		["weird", "weird"],
	])("sessionTimeLabel(%s)", (id, label) => expect(sessionTimeLabel(id)).toBe(label));

	it.each([
		[null, "–"],
		[12, "12 ms"],
		[1234, "1.2 s"],
		[65_000, "1 min 5 s"],
		[3_700_000, "1 h 1 min"],
	])("formatDuration(%s)", (ms, text) => expect(formatDuration(ms)).toBe(text));
});
