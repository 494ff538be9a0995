import { formatDuration } from "../../core/app/views";
import type {
	FailureView,
	PanelModel,
	PhaseView,
	SelectedSessionView,
	SessionRow,
	StageView,
	Counts,
	OrganizeView,
} from "../../core/app/types";
import { t, type MessageKey } from "../i18n";
import { plainReason } from "./plain-reason";
import type { PanelHandlers } from "./panel-handlers";

/** What the view remembers between redraws (not part of the model: it is the user's, not the session's). */
export interface PanelUiState {
	/** Sessions whose whole list of moves is shown (otherwise the first COLLAPSED_MOVES). */
	expandedMoves?: ReadonlySet<string>;
	/** Debug mode: stage and step names as the session files write them, rates, raw errors. */
	debug?: boolean;
}

/** Moves listed before "Show all". */
export const COLLAPSED_MOVES = 20;

/**
 * Draws the panel from its view model into `containerEl` (emptied first). No state of its own: the view
 * decides when to call it (throttled, and only when the model changed). Classes are `knowledge-etl-*`,
 * styled in styles.css with Obsidian's CSS variables. Every text comes from the message table, in plain words:
 * the stage names (extract, transform, load) and step names stay in the session files and in debug mode.
 */
export function renderSessionPanel(containerEl: HTMLElement, model: PanelModel, handlers: PanelHandlers, ui: PanelUiState = {}): void {
	containerEl.empty();
	const root = containerEl.createDiv({ cls: "knowledge-etl-panel" });
	renderToolbar(root, handlers);
	if (model.sessions.length === 0 && model.broken.length === 0) {
		renderWelcome(root, handlers);
		return;
	}
	renderSessionList(root, model.sessions, handlers);
	if (model.broken.length > 0) renderBroken(root, model);
	if (model.selected) renderDetail(root, model.selected, handlers, ui);
}

/** Import, Organize, Clean up: what the panel is for, always at hand. */
function renderToolbar(root: HTMLElement, handlers: PanelHandlers): void {
	const bar = root.createDiv({ cls: "knowledge-etl-toolbar" });
	button(bar, t("panel.import"), "knowledge-etl-action-import", () => handlers.onImport()).addClass("mod-cta");
	button(bar, t("panel.organize"), "knowledge-etl-action-organize", () => handlers.onOrganize());
	button(bar, t("panel.clean"), "knowledge-etl-action-clean", () => handlers.onClean());
}

/** First run: what the plugin does, how to get each export, and an Import button. */
function renderWelcome(root: HTMLElement, handlers: PanelHandlers): void {
	const el = root.createDiv({ cls: ["knowledge-etl-section", "knowledge-etl-welcome"] });
	el.createDiv({ cls: "knowledge-etl-heading", text: t("welcome.title") });
	welcomePicture(el);
	el.createEl("p", { text: t("welcome.what") });
	el.createDiv({ cls: "knowledge-etl-subheading", text: t("welcome.getExport") });
	const steps = el.createEl("ul", { cls: "knowledge-etl-welcome-exports" });
	steps.createEl("li", { text: t("welcome.chatgpt") });
	steps.createEl("li", { text: t("welcome.claude") });
	el.createEl("p", { cls: "knowledge-etl-meta", text: t("welcome.email") });
	button(el, t("welcome.importButton"), "knowledge-etl-welcome-import", () => handlers.onImport()).addClass("mod-cta");
}

/**
 * What the plugin does, drawn: chat bubbles (an export) → notes → genre folders. Built element by element
 * (no markup strings); its colours are the theme's, from styles.css. Decorative: the text says the same.
 */
function welcomePicture(parent: HTMLElement): void {
	const svg = parent.createSvg("svg", {
		cls: "knowledge-etl-welcome-art",
		attr: { viewBox: "0 0 264 72", width: 264, height: 72, "aria-hidden": "true" },
	});
	const rect = (x: number, y: number, w: number, h: number, cls: string) =>
		svg.createSvg("rect", { cls: `knowledge-etl-art-${cls}`, attr: { x, y, width: w, height: h, rx: 5 } });
	// Chat bubbles (the export) → notes with lines of text → folders (the genres); arrows between.
	rect(2, 8, 56, 28, "accent");
	rect(22, 40, 50, 24, "shape");
	rect(118, 8, 40, 52, "shape");
	rect(126, 14, 40, 52, "page");
	for (const [y, cls] of [
		[8, "shape"],
		[30, "accent"],
		[52, "shape"],
	] as const)
		rect(210, y, 48, 16, cls);
	svg.createSvg("path", {
		cls: "knowledge-etl-art-line",
		attr: { d: "M82 36h22m-6-6 6 6-6 6M178 36h22m-6-6 6 6-6 6M134 26h24M134 34h24M134 42h24M134 50h14" },
	});
}

function badge(parent: HTMLElement, status: string): HTMLElement {
	const known = ["pending", "running", "completed", "failed", "partial", "skipped", "interrupted", "stopped"];
	return parent.createSpan({
		cls: ["knowledge-etl-badge", `knowledge-etl-badge-${status}`],
		text: known.includes(status) ? t(`status.${status}` as MessageKey) : status,
	});
}

/** "1,204 of 2,000 conversations · 3 failed"; while the total is an estimate, only what was read so far. */
function countsText(
	c: { done: number; skipped: number; failed: number; review?: number },
	unit: Unit,
	total?: number,
	estimated = false,
): string {
	const seen = c.done + c.skipped + c.failed + (c.review ?? 0);
	const parts: string[] = [];
	if (total === undefined) parts.push(t(`count.${unit}`, { count: seen }));
	else if (estimated) parts.push(t(`panel.soFar.${unit}`, { count: seen }));
	else parts.push(t(`panel.ofTotal.${unit}`, { done: seen, count: total }));
	if (c.skipped) parts.push(t("panel.skipped", { count: c.skipped }));
	if (c.review) parts.push(t("panel.review", { count: c.review }));
	if (c.failed) parts.push(t("panel.failed", { count: c.failed }));
	return parts.join(" · ");
}

type Unit = "conversations" | "notes";

function sessionCountsText(c: Counts, unit: Unit): string {
	const counted = { done: c.success, skipped: c.skipped, failed: c.failed, review: c.review ?? 0 };
	// A run stopped part way has items it never got to (pending): "20 of 60 conversations", not "20 conversations".
	const seen = c.success + c.skipped + c.failed + (c.review ?? 0);
	return countsText(counted, unit, c.total > seen ? c.total : undefined);
}

/** What a session was: "ChatGPT · conversations.zip" for an import, "Organize" for an organize run. */
function sessionTitle(s: { provider: string | null; phases: readonly string[]; inputs?: readonly { name: string }[] }): string {
	const organizeOnly = s.phases.length === 1 && s.phases[0] === "organize";
	if (organizeOnly) return t("panel.organizeSession");
	const parts = [s.provider ?? t("panel.importSession")];
	const files = s.inputs ?? [];
	if (files.length > 0)
		parts.push(
			files.length === 1
				? baseName(files[0]?.name ?? "")
				: t("panel.files", { first: baseName(files[0]?.name ?? ""), count: files.length - 1 }),
		);
	return parts.join(" · ");
}

function baseName(path: string): string {
	return path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1);
}

/** 12.4 MB */
export function formatBytes(n: number): string {
	if (n < 1024) return t("size.bytes", { n });
	if (n < 1024 * 1024) return t("size.kb", { n: (n / 1024).toFixed(1) });
	if (n < 1024 ** 3) return t("size.mb", { n: (n / 1024 / 1024).toFixed(1) });
	return t("size.gb", { n: (n / 1024 ** 3).toFixed(2) });
}

function renderSessionList(root: HTMLElement, sessions: SessionRow[], handlers: PanelHandlers): void {
	const section = root.createDiv({ cls: "knowledge-etl-section" });
	section.createDiv({ cls: "knowledge-etl-heading", text: t("panel.sessions") });
	const list = section.createDiv({ cls: "knowledge-etl-session-list" });
	for (const s of sessions) {
		const row = list.createDiv({
			cls: "knowledge-etl-session-row",
			// The id (the session's folder name) is kept for whoever looks for the folder: in the tooltip.
			attr: { "data-session-id": s.id, role: "button", tabindex: 0, title: t("panel.sessionId", { id: s.id }) },
		});
		row.toggleClass("is-selected", s.selected);
		badge(row, s.status);
		row.createSpan({ cls: "knowledge-etl-session-title", text: sessionTitle(s) });
		if (s.organize && s.organize !== "none") {
			row.createSpan({
				cls: ["knowledge-etl-organize-tag", `knowledge-etl-organize-${s.organize}`],
				text: t(`organizeState.${s.organize}`),
			});
		}
		const facts: string[] = [];
		// session.json gets a phase's counts when the phase ends: a run still going shows its counts in the detail.
		if (s.counts.total > 0 || (s.status !== "running" && s.status !== "interrupted" && s.status !== "pending" && s.status !== "stopped")) {
			const organizeOnly = s.phases.length === 1 && s.phases[0] === "organize";
			facts.push(organizeOnly ? sessionCountsText(s.counts, "notes") : sessionCountsText(s.counts, "conversations"));
		}
		facts.push(s.time.slice(0, 16));
		// The export's size (all of them for several files): which export this was, next to its name above.
		if (s.inputs.length > 0) facts.push(t("panel.exportSize", { size: formatBytes(s.inputs.reduce((n, f) => n + f.size, 0)) }));
		row.createSpan({ cls: "knowledge-etl-session-facts", text: facts.join(" · ") });
		row.addEventListener("click", () => void handlers.onSelect(s.id));
		row.addEventListener("keydown", (evt) => {
			if (evt.key === "Enter" || evt.key === " ") void handlers.onSelect(s.id);
		});
	}
}

function renderBroken(root: HTMLElement, model: PanelModel): void {
	const section = root.createDiv({ cls: ["knowledge-etl-section", "knowledge-etl-broken"] });
	section.createDiv({ cls: "knowledge-etl-heading", text: t("panel.unreadable") });
	for (const b of model.broken) {
		const row = section.createDiv({ cls: "knowledge-etl-broken-row", attr: { "data-session-id": b.id } });
		row.createDiv({ cls: "knowledge-etl-broken-path", text: b.path });
		row.createDiv({ cls: "knowledge-etl-error-text", text: b.error });
	}
}

function button(parent: HTMLElement, text: string, cls: string, onClick: () => void | Promise<void>): HTMLButtonElement {
	const el = parent.createEl("button", { cls: ["knowledge-etl-button", cls], text });
	el.addEventListener("click", () => void onClick());
	return el;
}

function renderDetail(root: HTMLElement, s: SelectedSessionView, handlers: PanelHandlers, ui: PanelUiState): void {
	const detail = root.createDiv({ cls: ["knowledge-etl-section", "knowledge-etl-detail"], attr: { "data-session-id": s.id } });
	const header = detail.createDiv({ cls: "knowledge-etl-detail-header", attr: { title: t("panel.sessionId", { id: s.id }) } });
	header.createSpan({ cls: "knowledge-etl-detail-title", text: sessionTitle({ ...s, phases: s.phases.map((p) => p.type) }) });
	badge(header, s.status);
	const meta: string[] = [t("panel.started", { time: s.time.slice(0, 16) })];
	if (s.resumedAt) meta.push(t("panel.resumed"));
	if (s.debugMode) meta.push(t("panel.debugMode"));
	if (s.sizeBytes !== null) meta.push(t("panel.size", { size: formatBytes(s.sizeBytes) }));
	if (ui.debug) meta.push(s.id);
	detail.createDiv({ cls: "knowledge-etl-meta", text: meta.join(" · ") });

	const actions = detail.createDiv({ cls: "knowledge-etl-actions" });
	if (s.canResume) button(actions, t("panel.resume"), "knowledge-etl-action-resume", () => handlers.onResume(s.id));
	if (s.canRetry) button(actions, t("panel.retry"), "knowledge-etl-action-retry", () => handlers.onRetry(s.id));
	if (s.canCancel) button(actions, t("panel.stop"), "knowledge-etl-action-cancel", () => handlers.onCancel(s.id));

	if (s.phases.length === 0) detail.createDiv({ cls: "knowledge-etl-empty", text: t("panel.notStarted") });
	if (s.organize) renderOrganize(detail, s.id, s.organize, handlers, ui.expandedMoves?.has(s.id) ?? false);
	for (const phase of s.phases) renderPhase(detail, phase, handlers, ui.debug ?? false);
}

/** An ISO time as local `YYYY-MM-DD HH:MM` (as the session list reads); unchanged when not a time. */
function localTime(iso: string): string {
	const d = new Date(iso);
	if (Number.isNaN(d.getTime())) return iso;
	const p = (n: number) => String(n).padStart(2, "0");
	return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** Where a planned move sends a note, in words. */
function destinationText(destination: string | null, genre: string | null | undefined): string | null {
	if (destination === "genre") return genre ?? null;
	if (destination === "review" || destination === "dust") return t(`organize.to.${destination}`);
	return destination;
}

/**
 * The organize plan of the selected session, drawn from its plan.json (which lives under `.staging`, where
 * Obsidian cannot open it as a note): a summary, the moves with their reasons, failures, and Apply / Undo.
 */
function renderOrganize(parent: HTMLElement, sessionId: string, view: OrganizeView, handlers: PanelHandlers, showAll: boolean): void {
	const el = parent.createDiv({ cls: "knowledge-etl-organize", attr: { "data-organize-state": view.state } });
	const header = el.createDiv({ cls: "knowledge-etl-phase-header" });
	header.createSpan({ cls: "knowledge-etl-phase-name", text: t("organize.plan") });
	header.createSpan({
		cls: ["knowledge-etl-organize-tag", `knowledge-etl-organize-${view.state}`],
		text: t(`organizeState.${view.state}`),
	});
	if (view.error) el.createDiv({ cls: "knowledge-etl-error-text", text: t("organize.unreadable", { error: view.error }) });
	if (view.state === "none") {
		if (!view.error) el.createDiv({ cls: "knowledge-etl-empty", text: t("organize.noPlanYet") });
		return;
	}
	const c = view.counts;
	el.createDiv({
		cls: "knowledge-etl-meta",
		text: t("organize.folderLine", {
			folder: view.folder === "" ? t("confirm.wholeVault") : view.folder,
			notes: t("count.notes", { count: c.notes }),
		}),
	});
	const summary = el.createDiv({ cls: "knowledge-etl-organize-summary" });
	const chip = (key: string, text: string) =>
		summary.createSpan({ cls: "knowledge-etl-organize-count", attr: { "data-count": key }, text });
	chip("moves", t("count.moves", { count: c.moves }));
	chip("edits", t("count.edits", { count: c.edits }));
	chip("review", t("organize.toReview", { count: c.review }));
	chip("dust", t("organize.nearlyEmpty", { count: c.dust }));
	chip("conflicts", t("count.conflicts", { count: c.conflicts }));
	chip("failures", t("count.failures", { count: c.failures })).toggleClass("is-failed", c.failures > 0);

	if (view.state === "planned") {
		el.createDiv({
			cls: "knowledge-etl-meta",
			text: c.moves + c.edits === 0 ? t("organize.nothingToChange") : t("organize.notYetApplied"),
		});
	}
	if (view.applied) {
		const vars = { time: localTime(view.applied.at), moved: t("count.notes", { count: view.applied.moved }), edited: view.applied.edited };
		el.createDiv({
			cls: "knowledge-etl-meta",
			text: view.applied.complete ? t("organize.applied", vars) : t("organize.partlyApplied", vars),
		});
	}
	if (view.undone) {
		const conflicts = view.undone.conflicts.length;
		const restored = t("count.changes", { count: view.undone.restored });
		el.createDiv({
			cls: "knowledge-etl-meta",
			text:
				conflicts > 0
					? t("organize.undoneConflicts", { restored, conflicts: t("count.conflicts", { count: conflicts }) })
					: t("organize.undone", { restored }),
		});
		for (const conflict of view.undone.conflicts)
			el.createDiv({ cls: "knowledge-etl-error-text", text: `${conflict.path}: ${conflict.message}` });
	}
	if (view.canApply || view.canUndo) {
		const actions = el.createDiv({ cls: "knowledge-etl-actions" });
		if (view.canApply)
			button(actions, t("button.apply"), "knowledge-etl-action-apply-organize", () => handlers.onApplyOrganize(sessionId)).addClass(
				"mod-cta",
			);
		if (view.canUndo) button(actions, t("button.undo"), "knowledge-etl-action-undo-organize", () => handlers.onUndoOrganize(sessionId));
	}

	if (view.moves.length > 0) {
		el.createDiv({ cls: "knowledge-etl-subheading", text: t("organize.moves", { count: view.moves.length + view.moreMoves }) });
		const list = el.createDiv({ cls: "knowledge-etl-moves" });
		const shown = showAll ? view.moves : view.moves.slice(0, COLLAPSED_MOVES);
		for (const move of shown) {
			const row = list.createDiv({ cls: "knowledge-etl-move", attr: { "data-from": move.from } });
			row.createDiv({ cls: "knowledge-etl-move-path", text: `${move.from} → ${move.to}` });
			const why = [destinationText(move.destination, move.genre), move.reason].filter(Boolean).join(": ");
			row.createDiv({ cls: "knowledge-etl-move-reason", text: move.conflict ? `${why} (${move.conflict})` : why });
		}
		const hidden = view.moves.length - shown.length;
		if (hidden > 0)
			button(el, t("organize.showAll", { count: view.moves.length }), "knowledge-etl-action-show-all-moves", () =>
				handlers.onShowAllMoves(sessionId),
			);
		if (showAll && view.moreMoves > 0) {
			el.createDiv({ cls: "knowledge-etl-more", text: t("organize.moreMoves", { count: view.moreMoves }) });
		}
	}
	if (view.notApplied.length > 0) {
		const failures = el.createDiv({ cls: "knowledge-etl-failures" });
		failures.createDiv({
			cls: "knowledge-etl-subheading",
			text: t("organize.notApplied", { count: view.notApplied.length + view.moreNotApplied }),
		});
		for (const f of view.notApplied) {
			const row = failures.createDiv({ cls: "knowledge-etl-failure", attr: { "data-item-id": f.path } });
			row.createDiv({ cls: "knowledge-etl-failure-item", text: f.path });
			row.createDiv({ cls: "knowledge-etl-error-text", text: f.message });
		}
	}
}

/** A stage in words: what it does for this phase ("Reading export", "Writing notes", "Knowledge notes (LLM)"). */
export function stageLabel(phase: string, stage: StageView | { type: string; steps: readonly { name: string }[] }, debug = false): string {
	if (debug) return stage.type;
	if (phase === "organize") return t(`stage.organize.${stage.type}` as MessageKey);
	if (stage.type === "transform")
		return stage.steps.some((s) => s.name === "extract_knowledge") ? t("stage.import.knowledge") : t("stage.import.transform");
	return t(`stage.import.${stage.type}` as MessageKey);
}

function renderPhase(parent: HTMLElement, phase: PhaseView, handlers: PanelHandlers, debug: boolean): void {
	const el = parent.createDiv({ cls: "knowledge-etl-phase", attr: { "data-phase": phase.type } });
	const header = el.createDiv({ cls: "knowledge-etl-phase-header" });
	header.createSpan({ cls: "knowledge-etl-phase-name", text: t(`phase.${phase.type}`) });
	badge(header, phase.status);
	header.createSpan({ cls: "knowledge-etl-duration", text: formatDuration(phase.durationMs) });
	if (phase.error) {
		el.createDiv({ cls: "knowledge-etl-error-text", text: phase.error });
		return;
	}
	for (const stage of phase.stages) renderStage(el, phase.type, stage, debug);
	if (phase.failures.length > 0) renderFailures(el, phase, handlers, debug);
	if (phase.notes.length > 0) renderNotes(el, phase, handlers);
}

/** The notes the run created or updated, each a link that opens it. */
function renderNotes(parent: HTMLElement, phase: PhaseView, handlers: PanelHandlers): void {
	const el = parent.createDiv({ cls: "knowledge-etl-notes" });
	el.createDiv({ cls: "knowledge-etl-subheading", text: t("panel.notes", { count: phase.notes.length + phase.moreNotes }) });
	const list = el.createEl("ul", { cls: "knowledge-etl-note-list" });
	for (const note of phase.notes) {
		const item = list.createEl("li", { cls: "knowledge-etl-note", attr: { "data-outcome": note.outcome } });
		const name = note.path.slice(note.path.lastIndexOf("/") + 1).replace(/\.md$/i, "");
		const link = item.createEl("a", { cls: "knowledge-etl-note-link", text: name, href: "#", attr: { title: note.path } });
		link.addEventListener("click", (event) => {
			event.preventDefault();
			void handlers.onOpenNote(note.path);
		});
		if (note.outcome === "updated") item.createSpan({ cls: "knowledge-etl-note-outcome", text: ` ${t("panel.updated")}` });
	}
	if (phase.moreNotes > 0) el.createDiv({ cls: "knowledge-etl-more", text: t("panel.moreNotes", { count: phase.moreNotes }) });
}

function renderStage(parent: HTMLElement, phase: string, stage: StageView, debug: boolean): void {
	const el = parent.createDiv({ cls: "knowledge-etl-stage", attr: { "data-stage": stage.type } });
	el.toggleClass("is-running", stage.status === "running");
	const header = el.createDiv({ cls: "knowledge-etl-stage-header" });
	const label = stageLabel(phase, stage, debug);
	header.createSpan({ cls: "knowledge-etl-stage-name", text: label });
	badge(header, stage.status);
	header.createSpan({ cls: "knowledge-etl-duration", text: formatDuration(stage.durationMs) });
	renderProgress(el, stage, label);
	const unit: Unit = phase === "organize" ? "notes" : "conversations";
	el.createDiv({ cls: "knowledge-etl-stage-counts", text: countsText(stage.counts, unit, stage.counts.total, stage.counts.estimated) });
	if (stage.status === "running" && stage.etaMs !== null && !stage.counts.estimated) {
		el.createDiv({ cls: "knowledge-etl-rate", text: t("panel.left", { time: formatDuration(stage.etaMs) }) });
	}
	if (debug && stage.ratePerSecond !== null)
		el.createDiv({ cls: "knowledge-etl-rate", text: t("panel.rate", { rate: stage.ratePerSecond.toFixed(1) }) });
	// Steps are the pipeline's inner workings: listed in debug mode only.
	if (debug && stage.steps.length > 0) {
		const steps = el.createDiv({ cls: "knowledge-etl-steps" });
		for (const step of stage.steps) {
			const row = steps.createDiv({ cls: "knowledge-etl-step", attr: { "data-step": step.name } });
			row.createSpan({ cls: "knowledge-etl-step-name", text: step.name });
			badge(row, step.status);
			row.createSpan({ cls: "knowledge-etl-duration", text: formatDuration(step.durationMs) });
			const processed = t("count.items", { count: step.itemsProcessed });
			row.createSpan({
				cls: "knowledge-etl-step-items",
				text: step.itemsFailed > 0 ? t("panel.stepFailed", { processed, failed: step.itemsFailed }) : processed,
			});
			if (step.error) row.createDiv({ cls: "knowledge-etl-error-text", text: step.error });
		}
	}
}

/**
 * A bar we draw ourselves (not `<progress>`, whose look differs per platform and theme): a track and a fill
 * whose width is the `--knowledge-etl-progress` custom property. role=progressbar for screen readers; no
 * aria-valuenow while the total is unknown (indeterminate).
 */
function renderProgress(parent: HTMLElement, stage: StageView, label: string): void {
	const percent = stage.progress === null ? null : Math.round(stage.progress * 100);
	const track = parent.createDiv({
		cls: "knowledge-etl-progress",
		attr: {
			role: "progressbar",
			"aria-valuemin": 0,
			"aria-valuemax": 100,
			"aria-label": t("panel.progressOf", { stage: label }),
			...(percent === null ? {} : { "aria-valuenow": percent }),
		},
	});
	track.toggleClass("is-indeterminate", percent === null);
	track.toggleClass("is-failed", stage.status === "failed");
	track.toggleClass("is-interrupted", stage.status === "interrupted");
	track.toggleClass("is-stopped", stage.status === "stopped");
	const fill = track.createDiv({ cls: "knowledge-etl-progress-fill" });
	fill.setCssProps({ "--knowledge-etl-progress": `${percent ?? 0}%` });
}

/** What "Copy details" copies: everything a bug report needs (ids, stage and step names, the raw error). */
export function failureDetails(f: FailureView): string {
	return [
		f.title ?? "",
		`id: ${f.itemId}`,
		`stage: ${f.stage}${f.step ? `/${f.step}` : ""}`,
		`time: ${f.timestamp}`,
		f.notePath ? `note: ${f.notePath}` : "",
		f.error,
	]
		.filter((line) => line !== "")
		.join("\n");
}

function renderFailures(parent: HTMLElement, phase: PhaseView, handlers: PanelHandlers, debug: boolean): void {
	const el = parent.createDiv({ cls: "knowledge-etl-failures" });
	el.createDiv({ cls: "knowledge-etl-subheading", text: t("panel.failures", { count: phase.failures.length + phase.moreFailures }) });
	for (const f of phase.failures) {
		const row = el.createDiv({ cls: "knowledge-etl-failure", attr: { "data-item-id": f.itemId } });
		row.createDiv({ cls: "knowledge-etl-failure-title", text: f.title || t("panel.untitled") });
		row.createDiv({ cls: "knowledge-etl-failure-reason", text: plainReason(f.error) });
		if (debug) {
			row.createDiv({ cls: "knowledge-etl-failure-item", text: `${f.itemId} · ${f.stage}${f.step ? ` / ${f.step}` : ""}` });
			row.createDiv({ cls: "knowledge-etl-error-text", text: f.error });
		}
		const actions = row.createDiv({ cls: "knowledge-etl-failure-actions" });
		if (f.notePath) {
			const notePath = f.notePath;
			button(actions, t("panel.openNote"), "knowledge-etl-action-open-note", () => handlers.onOpenNote(notePath));
		}
		button(actions, t("panel.copyDetails"), "knowledge-etl-action-copy-error", () => handlers.onCopyError(failureDetails(f)));
	}
	if (phase.moreFailures > 0) {
		el.createDiv({ cls: "knowledge-etl-more", text: t("panel.moreFailures", { count: phase.moreFailures }) });
	}
}
