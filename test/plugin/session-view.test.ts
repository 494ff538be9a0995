// @vitest-environment happy-dom
import { promises as fs } from "node:fs";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Counts } from "../../src/core/model/counts";
import { appendPipelineStageRecords, type PipelineStageRecord } from "../../src/core/logs/pipeline-stages";
import type { Clock } from "../../src/core/ports/clock";
import { PhaseManager } from "../../src/core/session/phase-manager";
import { SessionManager } from "../../src/core/session/session-manager";
import { AdapterStagingStore } from "../../src/plugin/adapter-staging-store";
import { noopPanelHandlers } from "../../src/plugin/view/panel-handlers";
import { SessionView } from "../../src/plugin/view/session-view";
import { VIEW_TYPE_SESSIONS } from "../../src/plugin/view/view-type";
import { enableObsidianUi, WorkspaceLeaf } from "../stubs/obsidian";
import { loadPlugin, type PluginFixture } from "./helpers";

let fx: PluginFixture | null = null;

beforeAll(() => enableObsidianUi());

afterEach(async () => {
	if (fx) {
		fx.stub.unload();
		await fs.rm(fx.dir, { recursive: true, force: true });
	}
	fx = null;
});

class TestClock implements Clock {
	constructor(public t: Date) {}
	now(): Date {
		return new Date(this.t);
	}
	advance(ms: number): void {
		this.t = new Date(this.t.getTime() + ms);
	}
}

function rec(
	sessionId: string,
	item: string,
	stage: PipelineStageRecord["stage"],
	status: PipelineStageRecord["status"],
	extra: Partial<PipelineStageRecord> = {},
): PipelineStageRecord {
	return {
		timestamp: "2025-01-01T10:00:05.000Z",
		session_id: sessionId,
		item_id: item,
		stage,
		step: `${stage}_step`,
		status,
		timing_ms: 5,
		...extra,
	};
}

const counts = (success: number, failed: number, skipped: number): Counts => ({
	total: success + failed + skipped,
	success,
	failed,
	skipped,
});

/** Writes two real sessions through the core managers (one finished with failures, one running) and a broken one. */
async function writeSessions(store: AdapterStagingStore) {
	const clock = new TestClock(new Date(2025, 0, 1, 10, 0, 0));
	const sessions = new SessionManager(store, clock);
	const phases = new PhaseManager(store, clock, sessions);

	const done = await sessions.create({ debugMode: false, provider: "claude" });
	await phases.create(done.session_id, "import");
	await phases.startStage(done.session_id, "import", "extract");
	await appendPipelineStageRecords(store, done.session_id, "import", [
		rec(done.session_id, "c1", "extract", "success"),
		rec(done.session_id, "c2", "extract", "success"),
		rec(done.session_id, "c3", "extract", "success"),
	]);
	clock.advance(2000);
	await phases.finishStage(done.session_id, "import", "extract", {
		items_count: 3,
		counts: counts(3, 0, 0),
		steps: [
			{
				step_name: "parse_export",
				status: "completed",
				started_at: null,
				completed_at: null,
				duration_ms: 1500,
				items_processed: 3,
				items_failed: 0,
				error: null,
			},
		],
	});
	await phases.startStage(done.session_id, "import", "transform");
	await appendPipelineStageRecords(store, done.session_id, "import", [
		rec(done.session_id, "c1", "transform", "success"),
		rec(done.session_id, "c2", "transform", "failed", { title: "Trip to Kyoto", error: "LLM returned invalid JSON" }),
		rec(done.session_id, "c3", "transform", "skipped", { reason: "unchanged" }),
	]);
	await phases.finishStage(done.session_id, "import", "transform", { items_count: 3, counts: counts(1, 1, 1) });
	await phases.startStage(done.session_id, "import", "load");
	await appendPipelineStageRecords(store, done.session_id, "import", [rec(done.session_id, "c1", "load", "success")]);
	await phases.finishStage(done.session_id, "import", "load", { items_count: 1, counts: counts(1, 0, 0) });
	await phases.finishPhase(done.session_id, "import", counts(1, 1, 1));

	clock.t = new Date(2025, 0, 2, 9, 30, 0);
	const running = await sessions.create({ debugMode: true, provider: "chatgpt" });
	await phases.create(running.session_id, "import");
	await phases.startStage(running.session_id, "import", "extract");
	await appendPipelineStageRecords(
		store,
		running.session_id,
		"import",
		Array.from({ length: 4 }, (_, i) => rec(running.session_id, `r${i}`, "extract", "success")),
	);
	await phases.finishStage(running.session_id, "import", "extract", { items_count: 4, counts: counts(4, 0, 0) });
	await phases.startStage(running.session_id, "import", "transform");
	await appendPipelineStageRecords(store, running.session_id, "import", [rec(running.session_id, "r0", "transform", "success")]);

	await store.writeAtomic(".staging/@session/20250103_000000/session.json", "{ not json");
	return { done: done.session_id, running: running.session_id };
}

const text = (el: Element | null | undefined) => el?.textContent ?? "";

describe("session panel", () => {
	it("renders sessions, the running session's stages and the broken session from the real files", async () => {
		fx = await loadPlugin();
		const ids = await writeSessions(fx.plugin.stagingStore);
		await fx.plugin.activateSessionView();
		const view = fx.app.workspace.getLeavesOfType(VIEW_TYPE_SESSIONS)[0]!.view as unknown as SessionView;
		const root = view.contentEl;

		const rows = [...root.querySelectorAll(".knowledge-etl-session-row")];
		expect(rows.map((r) => r.getAttribute("data-session-id"))).toEqual([ids.running, ids.done]);
		expect(rows[0]!.classList.contains("is-selected")).toBe(true);
		expect(rows[0]!.querySelector(".knowledge-etl-badge-running")).not.toBeNull();
		expect(rows[1]!.querySelector(".knowledge-etl-badge-partial")).not.toBeNull();
		// Listed by what they were (provider, count, when), the id in the tooltip.
		expect(text(rows[0]!.querySelector(".knowledge-etl-session-title"))).toBe("ChatGPT");
		expect(text(rows[1]!.querySelector(".knowledge-etl-session-facts"))).toMatch(
			/^3 conversations · 1 skipped · 1 failed · 2025-01-0\d \d\d:\d\d$/,
		);
		expect(rows[1]!.getAttribute("title")).toContain(ids.done);

		const broken = root.querySelector(".knowledge-etl-broken-row");
		expect(broken?.getAttribute("data-session-id")).toBe("20250103_000000");
		expect(text(broken)).toContain(".staging/@session/20250103_000000/session.json");

		const detail = root.querySelector(".knowledge-etl-detail")!;
		expect(detail.getAttribute("data-session-id")).toBe(ids.running);
		expect(text(detail.querySelector(".knowledge-etl-detail-title"))).toBe("ChatGPT");
		expect(text(detail.querySelector(".knowledge-etl-meta"))).toMatch(/^Started 2025-01-02 \d\d:\d\d · Debug mode$/);
		// Plain words for the stages; their names stay in the files (and in debug mode).
		expect([...detail.querySelectorAll(".knowledge-etl-stage-name")].map((e) => e.textContent)).toEqual([
			"Reading export",
			"Preparing notes",
			"Writing notes",
		]);
		expect(detail.querySelector(".knowledge-etl-steps")).toBeNull();
		expect(detail.querySelector(".knowledge-etl-action-cancel")).not.toBeNull();
		expect(detail.querySelector(".knowledge-etl-action-resume")).toBeNull();
		const transform = detail.querySelector('[data-stage="transform"]')!;
		expect(transform.classList.contains("is-running")).toBe(true);
		expect(text(transform.querySelector(".knowledge-etl-stage-counts"))).toBe("1 of 4 conversations");
		const bar = transform.querySelector<HTMLElement>(".knowledge-etl-progress")!;
		expect(bar.getAttribute("aria-valuenow")).toBe("25");
		expect(bar.querySelector<HTMLElement>(".knowledge-etl-progress-fill")!.style.getPropertyValue("--knowledge-etl-progress")).toBe("25%");
		expect(text(detail.querySelector('[data-stage="extract"] .knowledge-etl-stage-counts'))).toBe("4 of 4 conversations");
		expect(text(detail.querySelector('[data-stage="load"] .knowledge-etl-badge'))).toBe("Pending");
	});

	it("a stopped session's row says how far it got: 'N of M conversations', never '0 conversations' alone", async () => {
		fx = await loadPlugin();
		const store = fx.plugin.stagingStore;
		const clock = new TestClock(new Date(2025, 0, 3, 11, 0, 0));
		const sessions = new SessionManager(store, clock);
		const phases = new PhaseManager(store, clock, sessions);
		const stopped = await sessions.create({ debugMode: false, provider: "claude" });
		await phases.create(stopped.session_id, "import");
		await phases.startStage(stopped.session_id, "import", "extract");
		await phases.finishPhase(stopped.session_id, "import", counts(0, 0, 0), "stopped by the user", true);
		// Stopped after reading 60 and writing 20.
		clock.advance(1000);
		const later = await sessions.create({ debugMode: false, provider: "claude" });
		await phases.create(later.session_id, "import");
		await phases.finishPhase(later.session_id, "import", { total: 60, success: 20, failed: 0, skipped: 0, pending: 40 }, "stopped", true);
		await fx.plugin.activateSessionView();
		const view = fx.app.workspace.getLeavesOfType(VIEW_TYPE_SESSIONS)[0]!.view as unknown as SessionView;
		const row = view.contentEl.querySelector(`.knowledge-etl-session-row[data-session-id="${stopped.session_id}"]`)!;
		expect(row.querySelector(".knowledge-etl-badge-stopped")).not.toBeNull();
		expect(text(row.querySelector(".knowledge-etl-session-facts"))).toMatch(/^2025-01-03 \d\d:\d\d$/);
		const partRow = view.contentEl.querySelector(`.knowledge-etl-session-row[data-session-id="${later.session_id}"]`)!;
		expect(text(partRow.querySelector(".knowledge-etl-session-facts"))).toMatch(/^20 of 60 conversations · 2025-01-03 \d\d:\d\d$/);
	});

	it("shows a finished session's failures with their reasons, and wires the buttons to the handlers", async () => {
		fx = await loadPlugin();
		const ids = await writeSessions(fx.plugin.stagingStore);
		fx.plugin.settings.debugMode = true;
		const calls: string[] = [];
		fx.plugin.panelHandlers = {
			...noopPanelHandlers(),
			onRetry: (id) => void calls.push(`retry ${id}`),
			onCopyError: (t) => void calls.push(`copy ${t}`),
		};
		await fx.plugin.activateSessionView();
		const view = fx.app.workspace.getLeavesOfType(VIEW_TYPE_SESSIONS)[0]!.view as unknown as SessionView;
		const row = view.contentEl.querySelector<HTMLElement>(`[data-session-id="${ids.done}"].knowledge-etl-session-row`)!;
		row.click();
		await view.refresh();
		const detail = view.contentEl.querySelector(".knowledge-etl-detail")!;
		expect(detail.getAttribute("data-session-id")).toBe(ids.done);
		expect(text(detail.querySelector('[data-step="parse_export"]'))).toContain("1.5 s");
		const failure = detail.querySelector('.knowledge-etl-failure[data-item-id="c2"]')!;
		expect(text(failure.querySelector(".knowledge-etl-failure-title"))).toBe("Trip to Kyoto");
		expect(text(failure.querySelector(".knowledge-etl-failure-reason"))).toBe(
			"The model's answer could not be read (not the expected format).",
		);
		expect(text(failure.querySelector(".knowledge-etl-error-text"))).toBe("LLM returned invalid JSON");
		expect(text(detail.querySelector(".knowledge-etl-subheading"))).toBe("Failures (1)");
		detail.querySelector<HTMLElement>(".knowledge-etl-action-retry")!.click();
		failure.querySelector<HTMLElement>(".knowledge-etl-action-copy-error")!.click();
		expect(calls[0]).toBe(`retry ${ids.done}`);
		expect(calls[1]).toMatch(/^copy Trip to Kyoto\nid: c2\nstage: transform\/transform_step\ntime: .+\nLLM returned invalid JSON$/);
	});

	it("a session selected while a refresh is reading stays selected: select resolves once the panel shows it", async () => {
		fx = await loadPlugin();
		const store = fx.plugin.stagingStore;
		const ids = await writeSessions(store);
		const real = await import("../../src/plugin/engine");
		// The next read of the panel's files waits until released (a refresh in flight when the user clicks).
		let gate: Promise<void> | null = null;
		let release = (): void => undefined;
		const engine = {
			...real,
			loadPanelModel: async (...args: Parameters<typeof real.loadPanelModel>) => {
				if (gate) await gate;
				return real.loadPanelModel(...args);
			},
		};
		const leaf = new WorkspaceLeaf(fx.app, "right");
		const view = new SessionView(leaf as never, {
			store,
			clock: { now: () => new Date(2025, 0, 2, 9, 31, 0) },
			handlers: noopPanelHandlers,
			displayText: "Sessions",
			engine: () => Promise.resolve(engine),
			throttleMs: 0,
			pollMs: 60_000,
		});
		(view as unknown as { load(): void }).load();
		await view.onOpen();
		await view.select(ids.done);
		expect(view.contentEl.querySelector(".knowledge-etl-detail")!.getAttribute("data-session-id")).toBe(ids.done);
		gate = new Promise<void>((resolve) => (release = resolve));
		const reading = view.refresh(); // reads with the done session selected
		const selecting = view.select(ids.running);
		gate = null;
		release();
		await selecting;
		expect(view.contentEl.querySelector(".knowledge-etl-detail")!.getAttribute("data-session-id")).toBe(ids.running);
		await reading;
		expect(view.contentEl.querySelector(".knowledge-etl-detail")!.getAttribute("data-session-id")).toBe(ids.running);
		await view.onClose();
		(view as unknown as { unload(): void }).unload();
	});

	it("collapses many refresh requests into one redraw and picks up new records; survives close and reopen", async () => {
		fx = await loadPlugin();
		const store = fx.plugin.stagingStore;
		const ids = await writeSessions(store);
		const leaf = new WorkspaceLeaf(fx.app, "right");
		const view = new SessionView(leaf as never, {
			store,
			clock: { now: () => new Date(2025, 0, 2, 9, 31, 0) },
			handlers: noopPanelHandlers,
			displayText: "Sessions",
			throttleMs: 100,
			pollMs: 60_000,
		});
		(view as unknown as { load(): void }).load();
		await view.onOpen();
		expect(view.renderCount).toBe(1);
		for (let i = 0; i < 50; i++) view.requestRefresh();
		await new Promise((r) => setTimeout(r, 250));
		expect(view.loadCount).toBe(2); // 50 requests, one read
		expect(view.renderCount).toBe(1); // and nothing changed: no redraw at all
		await appendPipelineStageRecords(store, ids.running, "import", [
			rec(ids.running, "r1", "transform", "success"),
			rec(ids.running, "r2", "transform", "failed", { error: "boom" }),
		]);
		for (let i = 0; i < 50; i++) view.requestRefresh();
		await new Promise((r) => setTimeout(r, 250));
		expect(view.loadCount).toBe(3);
		expect(view.renderCount).toBe(2);
		expect(text(view.contentEl.querySelector('[data-stage="transform"] .knowledge-etl-stage-counts'))).toBe(
			"3 of 4 conversations · 1 failed",
		);
		await view.onClose();
		(view as unknown as { unload(): void }).unload();
		expect(view.contentEl.childElementCount).toBe(0);

		// Reopened mid-run through the plugin: the state comes back from the files.
		await fx.plugin.activateSessionView();
		const reopened = fx.app.workspace.getLeavesOfType(VIEW_TYPE_SESSIONS)[0]!.view as unknown as SessionView;
		expect(text(reopened.contentEl.querySelector('[data-stage="transform"] .knowledge-etl-stage-counts'))).toBe(
			"3 of 4 conversations · 1 failed",
		);
	});
});

describe("session panel polling", () => {
	it("reads nothing on its timer while idle or hidden; follows a live run while shown, and catches up when shown again", async () => {
		fx = await loadPlugin();
		const store = fx.plugin.stagingStore;
		const ids = await writeSessions(store);
		const leaf = new WorkspaceLeaf(fx.app, "right");
		let live = new Set<string>();
		const view = new SessionView(leaf as never, {
			store,
			// A day on: the running session's files are long quiet (interrupted) unless this window runs it.
			clock: { now: () => new Date(Date.now() + 24 * 60 * 60 * 1000) },
			handlers: noopPanelHandlers,
			displayText: "Sessions",
			throttleMs: 10,
			pollMs: 20,
			liveIds: () => live,
		});
		(view as unknown as { load(): void }).load();
		await view.onOpen();
		/** The load count once no read is in flight (a read started just before a change may end after it, on a busy machine). */
		const settled = async (): Promise<number> => {
			let count = view.loadCount;
			for (let i = 0; i < 40; i++) {
				await new Promise((r) => setTimeout(r, 60));
				if (view.loadCount === count) return count;
				count = view.loadCount;
			}
			throw new Error("the panel never stopped reading");
		};
		// Nothing runs (the running session is interrupted): the timer reads nothing.
		const idle = await settled();
		await new Promise((r) => setTimeout(r, 200));
		expect(view.loadCount).toBe(idle);

		live = new Set([ids.running]); // this window runs it now
		await new Promise((r) => setTimeout(r, 200));
		expect(view.loadCount).toBeGreaterThan(idle + 2);

		// Hidden (a collapsed sidebar: Obsidian's isShown() is false): no reads, requests are remembered.
		let shown = false;
		(view.containerEl as HTMLElement & { isShown?: () => boolean }).isShown = () => shown;
		const hidden = await settled();
		await appendPipelineStageRecords(store, ids.running, "import", [rec(ids.running, "h1", "transform", "success")]);
		view.requestRefresh();
		await new Promise((r) => setTimeout(r, 200));
		expect(view.loadCount).toBe(hidden);
		expect(view.skippedWhileHidden).toBeGreaterThan(0);
		shown = true;
		view.onResize(); // Obsidian calls it when the leaf is shown again
		// Its read and redraw take what they take (a fixed 100 ms read "1 of" on a busy machine): until drawn, 5 s at most.
		await vi.waitFor(
			() => {
				expect(view.loadCount).toBeGreaterThan(hidden);
				expect(text(view.contentEl.querySelector('[data-stage="transform"] .knowledge-etl-stage-counts'))).toMatch(/^2 of/);
			},
			{ timeout: 5000, interval: 20 },
		);
		live = new Set();
		await view.onClose();
		(view as unknown as { unload(): void }).unload();
	});
});
