import { sessionBytes } from "../import/pipeline/compact-session";
import { ItemStatusIndex, type ItemFailure } from "../logs/item-status-index";
import type { Counts } from "../model/counts";
import type { Phase } from "../model/phase";
import type { Session } from "../model/session";
import { PHASE_TYPES, STAGE_TYPES, type PhaseType, type StageStatus, type StageType } from "../model/status";
import type { Logger } from "../ports/logger";
import { PhaseManager } from "../session/phase-manager";
import { SessionManager, type BrokenSession } from "../session/session-manager";
import { interruptedSessions } from "./clean";
import type { Host } from "./host";

export interface StageStatusReport {
	status: StageStatus;
	items_count: number;
	/** Latest status per item in this stage, from pipeline_stages.jsonl. */
	counts: Counts;
}

export interface PhaseStatusReport {
	status: Phase["status"] | "unknown";
	started_at: string | null;
	completed_at: string | null;
	counts: Counts | null;
	stages: Partial<Record<StageType, StageStatusReport>>;
	failures: ItemFailure[];
	/** Log lines that could not be read (e.g. a partial last line after a crash). */
	skipped_log_lines: number;
	/** phase.json could not be read. */
	error?: string;
}

/** A session as status shows it: `interrupted` when it says running but its run is gone (as the panel shows it). */
export type ShownSession = Omit<Session, "status"> & { status: Session["status"] | "interrupted" };

export interface SessionStatusReport {
	session: ShownSession;
	/** Bytes the session's folder takes under `.staging/@session/` (issue 16.1). */
	size_bytes: number;
	phases: Partial<Record<PhaseType, PhaseStatusReport>>;
}

/** What `status` shows: one session in detail (`report`), and the list (with `all`, or beside the latest). */
export interface StatusView {
	/** The session asked for, or the latest; null when there is no readable session (or with `all`). */
	report: SessionStatusReport | null;
	sessions: ShownSession[];
	broken: BrokenSession[];
}

export interface StatusRequest {
	/** One session in detail (no list). */
	sessionId?: string;
	/** The list only. */
	all?: boolean;
	/** Where unreadable log lines are reported. */
	logger?: Logger;
}

/** Running sessions whose run is gone are shown as interrupted. */
export function shownSessions(sessions: readonly Session[], interrupted: ReadonlySet<string>): ShownSession[] {
	return sessions.map((s) => (s.status === "running" && interrupted.has(s.session_id) ? { ...s, status: "interrupted" as const } : s));
}

/** Everything the service knows about one session: session.json, each phase.json, and the item logs. */
export async function sessionReport(host: Host, session: ShownSession, logger: Logger): Promise<SessionStatusReport> {
	const phases = new PhaseManager(host.store, host.clock);
	const report: SessionStatusReport = {
		session,
		size_bytes: await sessionBytes(host.store, session.session_id).catch(() => 0),
		phases: {},
	};
	for (const phaseType of PHASE_TYPES) {
		const hasPhase = await phases.exists(session.session_id, phaseType);
		if (!hasPhase && !session.phases[phaseType]) continue;
		const index = await ItemStatusIndex.read(host.store, session.session_id, phaseType, logger);
		const entry: PhaseStatusReport = {
			status: session.phases[phaseType]?.status ?? "unknown",
			started_at: null,
			completed_at: session.phases[phaseType]?.completed_at ?? null,
			counts: session.phases[phaseType]?.counts ?? null,
			stages: {},
			failures: index.failures(),
			skipped_log_lines: index.skippedLines,
		};
		try {
			const phase = hasPhase ? await phases.load(session.session_id, phaseType) : null;
			if (phase) {
				entry.status = phase.status;
				entry.started_at = phase.started_at;
				entry.completed_at = phase.completed_at;
				entry.counts = phase.counts;
				for (const stage of STAGE_TYPES) {
					const s = phase.stages[stage];
					entry.stages[stage] = { status: s.status, items_count: s.items_count, counts: index.counts(stage) };
				}
			}
		} catch (e) {
			entry.error = e instanceof Error ? e.message : String(e);
			for (const stage of STAGE_TYPES) {
				const counts = index.counts(stage);
				if (counts.total > 0) entry.stages[stage] = { status: "pending", items_count: counts.total, counts };
			}
		}
		report.phases[phaseType] = entry;
	}
	return report;
}

/**
 * What `status` shows: a session in detail (the one asked for, else the latest) and the list, running sessions
 * whose run is gone shown as interrupted. A session asked for that does not exist throws SessionNotFoundError.
 * Apart from createApp (the CLI's verb; the plugin's panel has its own model), so the plugin's bundle does not
 * carry it.
 */
export async function readStatus(host: Host, request: StatusRequest = {}, liveHere: ReadonlySet<string> = new Set()): Promise<StatusView> {
	const logger = request.logger ?? host.logger(false);
	const manager = new SessionManager(host.store, host.clock);
	if (request.sessionId !== undefined) {
		const one = await manager.load(request.sessionId);
		const [shown] = shownSessions([one], await interruptedSessions(host, [one], liveHere));
		return { report: await sessionReport(host, shown!, logger), sessions: [], broken: [] };
	}
	const { sessions, broken } = await manager.list();
	const shown = shownSessions(sessions, await interruptedSessions(host, sessions, liveHere));
	const latest = request.all ? undefined : shown[0];
	return { report: latest ? await sessionReport(host, latest, logger) : null, sessions: shown, broken };
}
