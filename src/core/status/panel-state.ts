import type { Clock } from "../ports/clock";
import type { StagingStore } from "../ports/staging-store";
import type { Phase } from "../model/phase";
import { PHASE_TYPES, StageTypeSchema, type PhaseType } from "../model/status";
import { PhaseManager } from "../session/phase-manager";
import { pipelineStagesFile } from "../session/paths";
import { SessionManager } from "../session/session-manager";
import { buildPanelModel, type PanelInput, type PanelModel, type PipelineRecordLike } from "./panel-model";

const RESULT_STATUSES = new Set(["success", "skipped", "failed", "review"]);

/**
 * Parses `pipeline_stages.jsonl` leniently for the panel: a line that is not JSON (a crash's partial last line)
 * or lacks the fields the panel needs is skipped, never fatal.
 */
export function parsePipelineRecords(text: string): PipelineRecordLike[] {
	const out: PipelineRecordLike[] = [];
	for (const line of text.split("\n")) {
		if (line.trim() === "") continue;
		let raw: unknown;
		try {
			raw = JSON.parse(line);
		} catch {
			continue;
		}
		if (typeof raw !== "object" || raw === null) continue;
		const r = raw as Record<string, unknown>;
		const stage = StageTypeSchema.safeParse(r.stage);
		if (!stage.success || typeof r.item_id !== "string" || typeof r.status !== "string") continue;
		if (!RESULT_STATUSES.has(r.status)) continue;
		out.push({
			timestamp: typeof r.timestamp === "string" ? r.timestamp : "",
			item_id: r.item_id,
			stage: stage.data,
			step: typeof r.step === "string" ? r.step : null,
			status: r.status as PipelineRecordLike["status"],
			timing_ms: typeof r.timing_ms === "number" ? r.timing_ms : null,
			error: typeof r.error === "string" ? r.error : null,
			note_path: typeof r.note_path === "string" ? r.note_path : null,
		});
	}
	return out;
}

/**
 * Reads everything the panel shows from the session files (so sessions run by the CLI show too): the session
 * list through SessionManager, and for the selected session its phase.json files and stage records.
 * Never throws for one bad file: a broken session is listed as broken, a bad phase.json shows its error.
 */
export async function loadPanelInput(store: StagingStore, clock: Clock, selectedId: string | null): Promise<PanelInput> {
	const sessions = new SessionManager(store, clock);
	const phaseManager = new PhaseManager(store, clock, sessions);
	const list = await sessions.list();
	const chosen =
		(selectedId && list.sessions.find((s) => s.session_id === selectedId)) ||
		list.sessions.find((s) => s.status === "running") ||
		list.sessions[0];
	const phases: Partial<Record<PhaseType, Phase | { error: string }>> = {};
	const records: Partial<Record<PhaseType, PipelineRecordLike[]>> = {};
	if (chosen) {
		const id = chosen.session_id;
		for (const p of PHASE_TYPES) {
			if (!(await phaseManager.exists(id, p))) continue;
			try {
				phases[p] = await phaseManager.load(id, p);
			} catch (e) {
				phases[p] = { error: e instanceof Error ? e.message : String(e) };
			}
			const logPath = pipelineStagesFile(id, p);
			if (await store.exists(logPath)) {
				try {
					records[p] = parsePipelineRecords(await store.read(logPath));
				} catch {
					records[p] = [];
				}
			}
		}
	}
	return {
		sessions: list.sessions,
		broken: list.broken,
		selectedId: chosen?.session_id ?? null,
		phases,
		records,
		now: clock.now(),
	};
}

/** loadPanelInput + buildPanelModel. */
export async function loadPanelModel(store: StagingStore, clock: Clock, selectedId: string | null): Promise<PanelModel> {
	return buildPanelModel(await loadPanelInput(store, clock, selectedId));
}
