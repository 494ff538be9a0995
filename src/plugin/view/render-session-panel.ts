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
import type { PanelHandlers } from "./panel-handlers";

/**
 * Draws the panel from its view model into `containerEl` (emptied first). No state of its own: the view
 * decides when to call it (throttled, and only when the model changed). Classes are `knowledge-etl-*`,
 * styled in styles.css with Obsidian's CSS variables.
 */
export function renderSessionPanel(containerEl: HTMLElement, model: PanelModel, handlers: PanelHandlers): void {
	containerEl.empty();
	const root = containerEl.createDiv({ cls: "knowledge-etl-panel" });
	renderSessionList(root, model.sessions, handlers);
	if (model.broken.length > 0) renderBroken(root, model);
	if (model.selected) renderDetail(root, model.selected, handlers);
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

function countsText(c: { done: number; skipped: number; failed: number; review?: number }, total?: number): string {
	const parts: string[] = [];
	if (total !== undefined) parts.push(`${c.done + c.skipped + c.failed + (c.review ?? 0)} of ${total}`);
	parts.push(`${c.done} done`);
	if (c.review) parts.push(`${c.review} review`);
	parts.push(`${c.skipped} skipped`, `${c.failed} failed`);
	return parts.join(" · ");
}

function sessionCountsText(c: Counts): string {
	return countsText({ done: c.success, skipped: c.skipped, failed: c.failed, review: c.review ?? 0 });
}

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
		// session.json gets a phase's counts when the phase ends: a run still going shows its counts in the detail.
		if (s.counts.total > 0 || (s.status !== "running" && s.status !== "interrupted" && s.status !== "pending")) {
			row.createSpan({ cls: "knowledge-etl-session-counts", text: sessionCountsText(s.counts) });
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

function renderDetail(root: HTMLElement, s: SelectedSessionView, handlers: PanelHandlers): void {
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
	for (const phase of s.phases) renderPhase(detail, phase, handlers);
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
}

function renderStage(parent: HTMLElement, stage: StageView): void {
	const el = parent.createDiv({ cls: "knowledge-etl-stage", attr: { "data-stage": stage.type } });
	el.toggleClass("is-running", stage.status === "running");
	const header = el.createDiv({ cls: "knowledge-etl-stage-header" });
	header.createSpan({ cls: "knowledge-etl-stage-name", text: STAGE_LABELS[stage.type] ?? stage.type });
	badge(header, stage.status);
	header.createSpan({ cls: "knowledge-etl-duration", text: formatDuration(stage.durationMs) });
	renderProgress(el, stage);
	el.createDiv({ cls: "knowledge-etl-stage-counts", text: countsText(stage.counts, stage.counts.total) });
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
