import type { Clock } from "../ports/clock";
import type { StagingStore } from "../ports/staging-store";
import type { Phase } from "../model/phase";
import { PHASE_TYPES, type PhaseType } from "../model/status";
import { readPipelineStageRecords } from "../logs/pipeline-stages";
import { PhaseManager } from "../session/phase-manager";
import { SessionManager } from "../session/session-manager";
import { buildPanelModel, type PanelInput, type PanelModel, type PipelineRecordLike } from "./panel-model";
import { findInterruptedSessions, type LivenessOptions } from "./session-liveness";

/**
 * Reads everything the panel shows from the session files (so sessions run by the CLI show too): the session
 * list through SessionManager, and for the selected session its phase.json files and stage records.
 * Never throws for one bad file: a broken session is listed as broken, a bad phase.json shows its error.
 */
export async function loadPanelInput(
	store: StagingStore,
	clock: Clock,
	selectedId: string | null,
	liveness: LivenessOptions = {},
): Promise<PanelInput> {
	const sessions = new SessionManager(store, clock);
	const phaseManager = new PhaseManager(store, clock, sessions);
	const list = await sessions.list();
	const interrupted = await findInterruptedSessions(store, clock, list.sessions, liveness);
	const chosen =
		(selectedId && list.sessions.find((s) => s.session_id === selectedId)) ||
		list.sessions.find((s) => s.status === "running" && !interrupted.has(s.session_id)) ||
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
			try {
				// Partial or corrupt lines are skipped by the reader (a run may be writing right now).
				const { records: read } = await readPipelineStageRecords(store, id, p);
				records[p] = read.map((r) => ({
					timestamp: r.timestamp,
					item_id: r.item_id,
					title: r.title ?? null,
					stage: r.stage,
					step: r.step,
					status: r.status,
					timing_ms: r.timing_ms,
					error: r.error ?? null,
				}));
			} catch {
				records[p] = [];
			}
		}
	}
	return {
		sessions: list.sessions,
		broken: list.broken,
		selectedId: chosen?.session_id ?? null,
		interrupted: [...interrupted],
		phases,
		records,
		now: clock.now(),
	};
}

/** loadPanelInput + buildPanelModel. `liveness.liveIds`: the sessions this process is running right now. */
export async function loadPanelModel(
	store: StagingStore,
	clock: Clock,
	selectedId: string | null,
	liveness: LivenessOptions = {},
): Promise<PanelModel> {
	return buildPanelModel(await loadPanelInput(store, clock, selectedId, liveness));
}
