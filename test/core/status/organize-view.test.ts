import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NodeNoteVault } from "../../../src/cli/node-note-vault";
import { NodeStagingStore } from "../../../src/cli/node-staging-store";
import {
	applyOrganizeSession,
	organizeOutputPaths,
	runOrganizeSession,
	undoOrganizeSession,
} from "../../../src/core/organize/organize-session";
import type { Plan, PlanItem } from "../../../src/core/organize/plan";
import { buildOrganizeView, organizeStateOf, type AppliedSummary, type OrganizeFiles } from "../../../src/core/status/organize-view";
import { loadPanelModel } from "../../../src/core/status/panel-state";
import { SessionManager } from "../../../src/core/session/session-manager";
import { FakeClock } from "../_support/fake-clock";
import { tempDir } from "../_support/temp-vault";

const item = (from: string, to: string, extra: Partial<PlanItem> = {}): PlanItem => ({
	from,
	to,
	status: "planned",
	destination: "genre",
	genre: "travel",
	reason: "keywords: hotel",
	frontmatterChanges: [],
	contentChanged: false,
	...extra,
});

const plan = (items: PlanItem[]): Plan => ({
	version: 1,
	createdAt: "2025-01-01T00:00:00.000Z",
	folder: "Inbox",
	force: false,
	conflictPolicy: "rename",
	items,
});

const applied = (complete: boolean, failures: AppliedSummary["failures"] = []): AppliedSummary => ({
	appliedAt: "2025-01-01T01:00:00.000Z",
	complete,
	moved: 1,
	edited: 0,
	linkEdits: 0,
	failures,
});

const files = (extra: Partial<OrganizeFiles>): OrganizeFiles => ({ plan: null, applied: null, undo: null, error: null, ...extra });
const undo = { undoneAt: "2025-01-01T02:00:00.000Z", restored: 2, conflicts: [] };

describe("organize view", () => {
	it.each([
		["no files", files({}), "none"],
		["a plan", files({ plan: plan([]) }), "planned"],
		["applied", files({ plan: plan([]), applied: applied(true) }), "applied"],
		["stopped part way", files({ plan: plan([]), applied: applied(false) }), "partially-applied"],
		["undone", files({ plan: plan([]), applied: applied(true), undo }), "undone"],
	])("state of %s: %s", (_name, input, state) => expect(organizeStateOf(input)).toBe(state));

	it("lists the moves (not in-place edits or other statuses), counts everything, caps the list", () => {
		const p = plan([
			item("Inbox/a.md", "Travel/a.md"),
			item("Inbox/b.md", "Inbox/b.md", { contentChanged: true }),
			item("Inbox/c.md", "_review/c.md", { destination: "review", genre: undefined }),
			item("Inbox/d.md", "_dust/d.md", { destination: "dust", reason: "empty note" }),
			item("Inbox/e.md", "Travel/e 1.md", { conflict: { wanted: "Travel/e.md", resolution: "rename" }, topic: "kyoto" }),
			item("Inbox/f.md", "Inbox/f.md", { status: "failed", reason: "invalid YAML", error: { line: 2, message: "bad yaml" } }),
			item("Inbox/g.md", "Inbox/g.md", { status: "skipped", reason: "already normalized" }),
		]);
		const view = buildOrganizeView(files({ plan: p }), { running: false, maxMoves: 3 });
		expect(view.counts).toEqual({ notes: 7, moves: 4, edits: 1, review: 1, dust: 1, conflicts: 1, failures: 1, unchanged: 0, skipped: 1 });
		expect(view.moves.map((m) => m.from)).toEqual(["Inbox/a.md", "Inbox/c.md", "Inbox/d.md"]);
		expect(view.moreMoves).toBe(1);
		expect(view.moves[0]).toEqual({
			from: "Inbox/a.md",
			to: "Travel/a.md",
			reason: "keywords: hotel",
			destination: "genre",
			genre: "travel",
			conflict: null,
		});
		expect(buildOrganizeView(files({ plan: p }), { running: false }).moves[3]).toMatchObject({
			genre: "travel / kyoto",
			conflict: "rename: Travel/e.md exists",
		});
		expect(view.folder).toBe("Inbox");
	});

	it.each([
		["a plan with changes", files({ plan: plan([item("a.md", "T/a.md")]) }), false, { canApply: true, canUndo: false }],
		["while running", files({ plan: plan([item("a.md", "T/a.md")]) }), true, { canApply: false, canUndo: false }],
		[
			"a plan that changes nothing",
			files({ plan: plan([item("a.md", "a.md", { status: "unchanged" })]) }),
			false,
			{ canApply: false, canUndo: false },
		],
		[
			"an unreadable file",
			files({ plan: plan([item("a.md", "T/a.md")]), error: "applied.json: bad" }),
			false,
			{ canApply: false, canUndo: false },
		],
		["applied", files({ plan: plan([]), applied: applied(true) }), false, { canApply: false, canUndo: true }],
		["stopped part way", files({ plan: plan([]), applied: applied(false) }), false, { canApply: false, canUndo: true }],
		["applied, running", files({ plan: plan([]), applied: applied(true) }), true, { canApply: false, canUndo: false }],
		["undone", files({ plan: plan([]), applied: applied(true), undo }), false, { canApply: false, canUndo: false }],
	])("actions for %s", (_name, input, running, actions) => expect(buildOrganizeView(input, { running })).toMatchObject(actions));

	it("counts the notes the apply left alone as failures and lists them", () => {
		const view = buildOrganizeView(
			files({
				plan: plan([item("a.md", "T/a.md"), item("b.md", "T/b.md")]),
				applied: applied(true, [{ path: "b.md", message: "changed since the plan" }]),
			}),
			{ running: false },
		);
		expect(view.counts.failures).toBe(1);
		expect(view.notApplied).toEqual([{ path: "b.md", message: "changed since the plan" }]);
		expect(view.applied).toEqual({ at: "2025-01-01T01:00:00.000Z", moved: 1, edited: 0, complete: true });
	});
});

describe("panel model of organize sessions, from their files", () => {
	it("follows a session from plan to applied to undone; the list tags every organize session; import sessions have none", async () => {
		const root = await tempDir("ketl-organize-panel-");
		await mkdir(join(root, "Inbox"), { recursive: true });
		await writeFile(
			join(root, "Inbox/Trip.md"),
			"# Trip\n\nBooked a hotel and a flight for the trip. This paragraph adds enough prose to not be dust.\n",
		);
		await writeFile(join(root, "Inbox/Bad.md"), '---\ntitle: "x\n---\nBody text that is long enough to not be dust at all, really.\n');
		const clock = new FakeClock();
		const deps = { store: new NodeStagingStore(root), vault: new NodeNoteVault(root), clock };
		const importOnly = await new SessionManager(deps.store, clock).create({ debugMode: false });
		clock.advance(1000);
		const { sessionId } = await runOrganizeSession(deps, { folder: "Inbox", apply: false, rewriteLinks: false });

		let model = await loadPanelModel(deps.store, clock, sessionId);
		expect(model.sessions.map((s) => [s.id, s.organize])).toEqual([
			[sessionId, "planned"],
			[importOnly.session_id, null],
		]);
		const view = model.selected!.organize!;
		expect(view).toMatchObject({ state: "planned", canApply: true, canUndo: false, error: null });
		expect(view.moves.map((m) => `${m.from} → ${m.to}`)).toEqual(["Inbox/Trip.md → Travel/Trip.md"]);
		expect(view.counts).toMatchObject({ notes: 2, moves: 1, failures: 1 });
		// An organize-only session is started again, never resumed or retried like an import.
		expect(model.selected).toMatchObject({ status: "partial", canResume: false, canRetry: false });

		await applyOrganizeSession(deps, sessionId, { rewriteLinks: true });
		model = await loadPanelModel(deps.store, clock, sessionId);
		expect(model.sessions[0]?.organize).toBe("applied");
		expect(model.selected!.organize).toMatchObject({
			state: "applied",
			canApply: false,
			canUndo: true,
			applied: { moved: 1, complete: true },
		});

		await undoOrganizeSession(deps, sessionId);
		model = await loadPanelModel(deps.store, clock, sessionId);
		expect(model.selected!.organize).toMatchObject({ state: "undone", canUndo: false, undone: { restored: 2, conflicts: [] } }); // the edit and the move
		expect((await loadPanelModel(deps.store, clock, importOnly.session_id)).selected?.organize).toBeNull();
	});

	it("shows an unreadable plan as an error and re-reads a file that changed", async () => {
		const root = await tempDir("ketl-organize-panel-");
		await mkdir(join(root, "Inbox"), { recursive: true });
		await writeFile(
			join(root, "Inbox/Trip.md"),
			"# Trip\n\nBooked a hotel and a flight for the trip. This paragraph adds enough prose to not be dust.\n",
		);
		const clock = new FakeClock();
		const deps = { store: new NodeStagingStore(root), vault: new NodeNoteVault(root), clock };
		const { sessionId } = await runOrganizeSession(deps, { folder: "Inbox", apply: false, rewriteLinks: false });
		expect((await loadPanelModel(deps.store, clock, sessionId)).selected?.organize?.moves).toHaveLength(1);
		await writeFile(join(root, organizeOutputPaths(sessionId).plan), "{ not json");
		const view = (await loadPanelModel(deps.store, clock, sessionId)).selected?.organize;
		expect(view?.error).toMatch(/plan\.json/);
		expect(view).toMatchObject({ state: "none", canApply: false, moves: [] });
	});
});
