import {
	formatDuration,
	type FailureView,
	type PanelModel,
	type PhaseView,
	type SelectedSessionView,
	type SessionRow,
	type StageView,
} from "../../core/status/panel-model";
import type { Counts } from "../../core/model/counts";
import type { OrganizeState } from "../../core/organize/organize-session";
import type { OrganizeView } from "../../core/status/organize-view";
import type { PanelHandlers } from "./panel-handlers";

/** What the view remembers between redraws (not part of the model: it is the user's, not the session's). */
export interface PanelUiState {
	/** Sessions whose whole list of moves is shown (otherwise the first COLLAPSED_MOVES). */
	expandedMoves?: ReadonlySet<string>;
}

/** Moves listed before "Show all". */
export const COLLAPSED_MOVES = 20;

/**
 * Draws the panel from its view model into `containerEl` (emptied first). No state of its own: the view
 * decides when to call it (throttled, and only when the model changed). Classes are `knowledge-etl-*`,
 * styled in styles.css with Obsidian's CSS variables.
 */
export function renderSessionPanel(containerEl: HTMLElement, model: PanelModel, handlers: PanelHandlers, ui: PanelUiState = {}): void {
	containerEl.empty();
	const root = containerEl.createDiv({ cls: "knowledge-etl-panel" });
	renderSessionList(root, model.sessions, handlers);
	if (model.broken.length > 0) renderBroken(root, model);
	if (model.selected) renderDetail(root, model.selected, handlers, ui.expandedMoves?.has(model.selected.id) ?? false);
}

const STATUS_LABELS: Record<string, string> = {
	pending: "Pending",
	running: "Running",
	completed: "Completed",
	failed: "Failed",
	partial: "Partial",
	skipped: "Skipped",
	interrupted: "Interrupted",
};

const PHASE_LABELS: Record<string, string> = { import: "Import", organize: "Organize" };
const STAGE_LABELS: Record<string, string> = { extract: "Extract", transform: "Transform", load: "Load" };

function badge(parent: HTMLElement, status: string): HTMLElement {
	return parent.createSpan({
		cls: ["knowledge-etl-badge", `knowledge-etl-badge-${status}`],
		text: STATUS_LABELS[status] ?? status,
	});
}

function countsText(c: { done: number; skipped: number; failed: number; review?: number }, total?: number, estimated = false): string {
	const parts: string[] = [];
	if (total !== undefined) parts.push(`${c.done + c.skipped + c.failed + (c.review ?? 0)} of ${estimated ? "about " : ""}${total}`);
	parts.push(`${c.done} done`);
	if (c.review) parts.push(`${c.review} review`);
	parts.push(`${c.skipped} skipped`, `${c.failed} failed`);
	return parts.join(" · ");
}

function sessionCountsText(c: Counts): string {
	return countsText({ done: c.success, skipped: c.skipped, failed: c.failed, review: c.review ?? 0 });
}

/** An organize-only session: "12 notes · 2 review · 1 failed" (a preview has done nothing, so no "done"). */
function organizeCountsText(c: Counts): string {
	const parts = [c.total === 1 ? "1 note" : `${c.total} notes`];
	if (c.review) parts.push(`${c.review} review`);
	if (c.failed) parts.push(`${c.failed} failed`);
	return parts.join(" · ");
}

const ORGANIZE_STATE_LABELS: Record<OrganizeState, string> = {
	none: "No plan",
	planned: "Plan ready",
	applied: "Applied",
	"partially-applied": "Partly applied",
	undone: "Undone",
};

function renderSessionList(root: HTMLElement, sessions: SessionRow[], handlers: PanelHandlers): void {
	const section = root.createDiv({ cls: "knowledge-etl-section" });
	section.createDiv({ cls: "knowledge-etl-heading", text: "Sessions" });
	if (sessions.length === 0) {
		section.createDiv({ cls: "knowledge-etl-empty", text: "No sessions yet. Start an import from the command palette." });
		return;
	}
	const list = section.createDiv({ cls: "knowledge-etl-session-list" });
	for (const s of sessions) {
		const row = list.createDiv({
			cls: "knowledge-etl-session-row",
			attr: { "data-session-id": s.id, role: "button", tabindex: 0 },
		});
		row.toggleClass("is-selected", s.selected);
		badge(row, s.status);
		row.createSpan({ cls: "knowledge-etl-session-time", text: s.time });
		const phases = s.phases.map((p) => PHASE_LABELS[p] ?? p).join(", ");
		if (phases) row.createSpan({ cls: "knowledge-etl-session-phases", text: phases });
		if (s.organize && s.organize !== "none") {
			row.createSpan({ cls: ["knowledge-etl-organize-tag", `knowledge-etl-organize-${s.organize}`], text: ORGANIZE_STATE_LABELS[s.organize] });
		}
		// session.json gets a phase's counts when the phase ends: a run still going shows its counts in the detail.
		if (s.counts.total > 0 || (s.status !== "running" && s.status !== "interrupted" && s.status !== "pending")) {
			const organizeOnly = s.phases.length === 1 && s.phases[0] === "organize";
			row.createSpan({ cls: "knowledge-etl-session-counts", text: organizeOnly ? organizeCountsText(s.counts) : sessionCountsText(s.counts) });
		}
		row.addEventListener("click", () => void handlers.onSelect(s.id));
		row.addEventListener("keydown", (evt) => {
			if (evt.key === "Enter" || evt.key === " ") void handlers.onSelect(s.id);
		});
	}
}

function renderBroken(root: HTMLElement, model: PanelModel): void {
	const section = root.createDiv({ cls: ["knowledge-etl-section", "knowledge-etl-broken"] });
	section.createDiv({ cls: "knowledge-etl-heading", text: "Unreadable sessions" });
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

function renderDetail(root: HTMLElement, s: SelectedSessionView, handlers: PanelHandlers, showAllMoves: boolean): void {
	const detail = root.createDiv({ cls: ["knowledge-etl-section", "knowledge-etl-detail"], attr: { "data-session-id": s.id } });
	const header = detail.createDiv({ cls: "knowledge-etl-detail-header" });
	header.createSpan({ cls: "knowledge-etl-detail-title", text: `Session ${s.time}` });
	badge(header, s.status);
	const meta: string[] = [];
	if (s.provider) meta.push(`Provider: ${s.provider}`);
	if (s.resumedAt) meta.push("Resumed");
	if (s.debugMode) meta.push("Debug mode");
	if (meta.length > 0) detail.createDiv({ cls: "knowledge-etl-meta", text: meta.join(" · ") });

	const actions = detail.createDiv({ cls: "knowledge-etl-actions" });
	if (s.canResume) button(actions, "Resume", "knowledge-etl-action-resume", () => handlers.onResume(s.id));
	if (s.canRetry) button(actions, "Retry failed items", "knowledge-etl-action-retry", () => handlers.onRetry(s.id));
	if (s.canCancel) button(actions, "Cancel", "knowledge-etl-action-cancel", () => handlers.onCancel(s.id));

	if (s.phases.length === 0) detail.createDiv({ cls: "knowledge-etl-empty", text: "No phase has started yet." });
	if (s.organize) renderOrganize(detail, s.id, s.organize, handlers, showAllMoves);
	for (const phase of s.phases) renderPhase(detail, phase, handlers);
}

/** An ISO time as local `YYYY-MM-DD HH:MM:SS` (as the session ids read); unchanged when not a time. */
function localTime(iso: string): string {
	const d = new Date(iso);
	if (Number.isNaN(d.getTime())) return iso;
	const p = (n: number) => String(n).padStart(2, "0");
	return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

function plural(n: number, one: string, many: string): string {
	return `${n} ${n === 1 ? one : many}`;
}

/**
 * The organize plan of the selected session, drawn from its plan.json (which lives under `.staging`, where
 * Obsidian cannot open it as a note): a summary, the moves with their reasons, failures, and Apply / Undo.
 */
function renderOrganize(parent: HTMLElement, sessionId: string, view: OrganizeView, handlers: PanelHandlers, showAll: boolean): void {
	const el = parent.createDiv({ cls: "knowledge-etl-organize", attr: { "data-organize-state": view.state } });
	const header = el.createDiv({ cls: "knowledge-etl-phase-header" });
	header.createSpan({ cls: "knowledge-etl-phase-name", text: "Organize plan" });
	header.createSpan({ cls: ["knowledge-etl-organize-tag", `knowledge-etl-organize-${view.state}`], text: ORGANIZE_STATE_LABELS[view.state] });
	if (view.error) el.createDiv({ cls: "knowledge-etl-error-text", text: `Could not read the organize files: ${view.error}` });
	if (view.state === "none") {
		if (!view.error) el.createDiv({ cls: "knowledge-etl-empty", text: "No plan yet: it is written when the notes have been read." });
		return;
	}
	const c = view.counts;
	el.createDiv({ cls: "knowledge-etl-meta", text: `Folder: ${view.folder === "" ? "whole vault" : view.folder} · ${plural(c.notes, "note", "notes")}` });
	const summary = el.createDiv({ cls: "knowledge-etl-organize-summary" });
	const chip = (key: string, text: string) => summary.createSpan({ cls: "knowledge-etl-organize-count", attr: { "data-count": key }, text });
	chip("moves", plural(c.moves, "move", "moves"));
	chip("edits", plural(c.edits, "edit", "edits"));
	chip("review", `${c.review} to review`);
	chip("dust", `${c.dust} dust`);
	chip("conflicts", plural(c.conflicts, "conflict", "conflicts"));
	chip("failures", plural(c.failures, "failure", "failures")).toggleClass("is-failed", c.failures > 0);

	if (view.state === "planned") {
		el.createDiv({
			cls: "knowledge-etl-meta",
			text: c.moves + c.edits === 0 ? "Nothing to change: every note is already in place." : "Nothing has changed yet. Apply moves and edits the notes; links are kept.",
		});
	}
	if (view.applied) {
		const when = localTime(view.applied.at);
		const text = `${view.applied.complete ? "Applied" : "Partly applied (stopped)"} ${when}: ${plural(view.applied.moved, "note", "notes")} moved, ${view.applied.edited} edited.`;
		el.createDiv({ cls: "knowledge-etl-meta", text });
	}
	if (view.undone) {
		const conflicts = view.undone.conflicts.length;
		el.createDiv({
			cls: "knowledge-etl-meta",
			text: `Undone: ${plural(view.undone.restored, "change", "changes")} reversed${conflicts > 0 ? `, ${plural(conflicts, "conflict", "conflicts")}` : ""}.`,
		});
		for (const conflict of view.undone.conflicts) el.createDiv({ cls: "knowledge-etl-error-text", text: `${conflict.path}: ${conflict.message}` });
	}
	if (view.canApply || view.canUndo) {
		const actions = el.createDiv({ cls: "knowledge-etl-actions" });
		if (view.canApply) button(actions, "Apply", "knowledge-etl-action-apply-organize", () => handlers.onApplyOrganize(sessionId)).addClass("mod-cta");
		if (view.canUndo) button(actions, "Undo", "knowledge-etl-action-undo-organize", () => handlers.onUndoOrganize(sessionId));
	}

	if (view.moves.length > 0) {
		el.createDiv({ cls: "knowledge-etl-subheading", text: `Moves (${view.moves.length + view.moreMoves})` });
		const list = el.createDiv({ cls: "knowledge-etl-moves" });
		const shown = showAll ? view.moves : view.moves.slice(0, COLLAPSED_MOVES);
		for (const move of shown) {
			const row = list.createDiv({ cls: "knowledge-etl-move", attr: { "data-from": move.from } });
			row.createDiv({ cls: "knowledge-etl-move-path", text: `${move.from} → ${move.to}` });
			const why = [move.destination === "genre" ? move.genre : move.destination, move.reason].filter(Boolean).join(": ");
			row.createDiv({ cls: "knowledge-etl-move-reason", text: move.conflict ? `${why} (${move.conflict})` : why });
		}
		const hidden = view.moves.length - shown.length;
		if (hidden > 0) button(el, `Show all ${view.moves.length} moves`, "knowledge-etl-action-show-all-moves", () => handlers.onShowAllMoves(sessionId));
		if (showAll && view.moreMoves > 0) {
			el.createDiv({ cls: "knowledge-etl-more", text: `${view.moreMoves} more moves are in the session's plan.md.` });
		}
	}
	if (view.notApplied.length > 0) {
		const failures = el.createDiv({ cls: "knowledge-etl-failures" });
		failures.createDiv({ cls: "knowledge-etl-subheading", text: `Not applied (${view.notApplied.length + view.moreNotApplied})` });
		for (const f of view.notApplied) {
			const row = failures.createDiv({ cls: "knowledge-etl-failure", attr: { "data-item-id": f.path } });
			row.createDiv({ cls: "knowledge-etl-failure-item", text: f.path });
			row.createDiv({ cls: "knowledge-etl-error-text", text: f.message });
		}
	}
}

function renderPhase(parent: HTMLElement, phase: PhaseView, handlers: PanelHandlers): void {
	const el = parent.createDiv({ cls: "knowledge-etl-phase", attr: { "data-phase": phase.type } });
	const header = el.createDiv({ cls: "knowledge-etl-phase-header" });
	header.createSpan({ cls: "knowledge-etl-phase-name", text: PHASE_LABELS[phase.type] ?? phase.type });
	badge(header, phase.status);
	header.createSpan({ cls: "knowledge-etl-duration", text: formatDuration(phase.durationMs) });
	if (phase.error) {
		el.createDiv({ cls: "knowledge-etl-error-text", text: phase.error });
		return;
	}
	for (const stage of phase.stages) renderStage(el, stage);
	if (phase.failures.length > 0) renderFailures(el, phase, handlers);
	if (phase.notes.length > 0) renderNotes(el, phase, handlers);
}

/** The notes the run created or updated, each a link that opens it. */
function renderNotes(parent: HTMLElement, phase: PhaseView, handlers: PanelHandlers): void {
	const el = parent.createDiv({ cls: "knowledge-etl-notes" });
	el.createDiv({ cls: "knowledge-etl-subheading", text: `Notes (${phase.notes.length + phase.moreNotes})` });
	const list = el.createEl("ul", { cls: "knowledge-etl-note-list" });
	for (const note of phase.notes) {
		const item = list.createEl("li", { cls: "knowledge-etl-note", attr: { "data-outcome": note.outcome } });
		const name = note.path.slice(note.path.lastIndexOf("/") + 1).replace(/\.md$/i, "");
		const link = item.createEl("a", { cls: "knowledge-etl-note-link", text: name, href: "#", attr: { title: note.path } });
		link.addEventListener("click", (event) => {
			event.preventDefault();
			void handlers.onOpenNote(note.path);
		});
		if (note.outcome === "updated") item.createSpan({ cls: "knowledge-etl-note-outcome", text: " (updated)" });
	}
	if (phase.moreNotes > 0) el.createDiv({ cls: "knowledge-etl-more", text: `and ${phase.moreNotes} more` });
}

function renderStage(parent: HTMLElement, stage: StageView): void {
	const el = parent.createDiv({ cls: "knowledge-etl-stage", attr: { "data-stage": stage.type } });
	el.toggleClass("is-running", stage.status === "running");
	const header = el.createDiv({ cls: "knowledge-etl-stage-header" });
	header.createSpan({ cls: "knowledge-etl-stage-name", text: STAGE_LABELS[stage.type] ?? stage.type });
	badge(header, stage.status);
	header.createSpan({ cls: "knowledge-etl-duration", text: formatDuration(stage.durationMs) });
	renderProgress(el, stage);
	el.createDiv({ cls: "knowledge-etl-stage-counts", text: countsText(stage.counts, stage.counts.total, stage.counts.estimated) });
	if (stage.status === "running" && stage.ratePerSecond !== null) {
		const eta = stage.etaMs !== null ? ` · ${formatDuration(stage.etaMs)} left` : "";
		el.createDiv({ cls: "knowledge-etl-rate", text: `${stage.ratePerSecond.toFixed(1)} items/s${eta}` });
	}
	if (stage.steps.length > 0) {
		const steps = el.createDiv({ cls: "knowledge-etl-steps" });
		for (const step of stage.steps) {
			const row = steps.createDiv({ cls: "knowledge-etl-step", attr: { "data-step": step.name } });
			row.createSpan({ cls: "knowledge-etl-step-name", text: step.name });
			badge(row, step.status);
			row.createSpan({ cls: "knowledge-etl-duration", text: formatDuration(step.durationMs) });
			row.createSpan({
				cls: "knowledge-etl-step-items",
				text: step.itemsFailed > 0 ? `${items(step.itemsProcessed)}, ${step.itemsFailed} failed` : items(step.itemsProcessed),
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
function renderProgress(parent: HTMLElement, stage: StageView): void {
	const percent = stage.progress === null ? null : Math.round(stage.progress * 100);
	const track = parent.createDiv({
		cls: "knowledge-etl-progress",
		attr: {
			role: "progressbar",
			"aria-valuemin": 0,
			"aria-valuemax": 100,
			"aria-label": `${STAGE_LABELS[stage.type] ?? stage.type} progress`,
			...(percent === null ? {} : { "aria-valuenow": percent }),
		},
	});
	track.toggleClass("is-indeterminate", percent === null);
	track.toggleClass("is-failed", stage.status === "failed");
	track.toggleClass("is-interrupted", stage.status === "interrupted");
	const fill = track.createDiv({ cls: "knowledge-etl-progress-fill" });
	fill.setCssProps({ "--knowledge-etl-progress": `${percent ?? 0}%` });
}

function items(n: number): string {
	return n === 1 ? "1 item" : `${n} items`;
}

function failureText(f: FailureView): string {
	return `${f.title ? `${f.title} ` : ""}${f.itemId} (${f.stage}${f.step ? `/${f.step}` : ""}): ${f.error}`;
}

function renderFailures(parent: HTMLElement, phase: PhaseView, handlers: PanelHandlers): void {
	const el = parent.createDiv({ cls: "knowledge-etl-failures" });
	el.createDiv({ cls: "knowledge-etl-subheading", text: `Failures (${phase.failures.length + phase.moreFailures})` });
	for (const f of phase.failures) {
		const row = el.createDiv({ cls: "knowledge-etl-failure", attr: { "data-item-id": f.itemId } });
		if (f.title) row.createDiv({ cls: "knowledge-etl-failure-title", text: f.title });
		row.createDiv({ cls: "knowledge-etl-failure-item", text: `${f.itemId} · ${STAGE_LABELS[f.stage] ?? f.stage}${f.step ? ` / ${f.step}` : ""}` });
		row.createDiv({ cls: "knowledge-etl-error-text", text: f.error });
		const actions = row.createDiv({ cls: "knowledge-etl-failure-actions" });
		if (f.notePath) {
			const notePath = f.notePath;
			button(actions, "Open note", "knowledge-etl-action-open-note", () => handlers.onOpenNote(notePath));
		}
		button(actions, "Copy error", "knowledge-etl-action-copy-error", () => handlers.onCopyError(failureText(f)));
	}
	if (phase.moreFailures > 0) {
		el.createDiv({ cls: "knowledge-etl-more", text: `${phase.moreFailures} more failures are in the session logs.` });
	}
}
