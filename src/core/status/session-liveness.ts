import * as z from "../model/zod";
import type { Session } from "../model/session";
import { PHASE_TYPES } from "../model/status";
import type { Clock } from "../ports/clock";
import type { StagingStore } from "../ports/staging-store";
import { phaseFile, pipelineStagesFile, sessionDir } from "../session/paths";

/**
 * Is a session that says `running` really running? session.json keeps `status: running` when Obsidian or the
 * CLI dies mid-run, so the panel and the resume command decide from signs of life:
 *
 * 1. A run in this process (the plugin's run controller passes its session id in `liveIds`) is live.
 * 2. Otherwise the latest activity counts: the heartbeat file `<session>/heartbeat.json` (written every
 *    `HEARTBEAT_INTERVAL_MS` by whoever runs the session and removed when the run ends), session.json's
 *    `updated_at`, the stage and phase times in phase.json, and the modification time of each phase's
 *    `pipeline_stages.jsonl` (one line per item, so a run that writes no heartbeat, e.g. an older CLI, still
 *    shows life while items finish).
 * 3. No activity for `STALE_WITH_HEARTBEAT_MS` (when a heartbeat file exists: its writer promised to beat) or
 *    `STALE_WITHOUT_HEARTBEAT_MS` (no heartbeat: an item may legitimately take minutes, e.g. a slow LLM) means
 *    the run is gone: the session is **interrupted** (shown as such, resumable, not cancellable).
 */
export const HEARTBEAT_FILE = "heartbeat.json";
export const HEARTBEAT_INTERVAL_MS = 15_000;
export const STALE_WITH_HEARTBEAT_MS = 2 * 60_000;
export const STALE_WITHOUT_HEARTBEAT_MS = 15 * 60_000;

export const HeartbeatSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.object({
		/** Who runs the session: `plugin` or `cli`. */
		owner: z.string(),
		/** ISO 8601, the last beat. */
		at: z.string(),
	}),
);
export type Heartbeat = z.infer<ReturnType<typeof HeartbeatSchema>>;

export function heartbeatFile(sessionId: string): string {
	return `${sessionDir(sessionId)}/${HEARTBEAT_FILE}`;
}

/** One beat: writes `{owner, at: now}` atomically. */
export async function writeHeartbeat(store: StagingStore, clock: Clock, sessionId: string, owner: string): Promise<void> {
	const beat: Heartbeat = { owner, at: clock.now().toISOString() };
	await store.writeAtomic(heartbeatFile(sessionId), JSON.stringify(beat) + "\n");
}

/** Call when a run ends (however it ends): no heartbeat file = nobody claims to run the session. */
export async function removeHeartbeat(store: StagingStore, sessionId: string): Promise<void> {
	await store.remove(heartbeatFile(sessionId));
}

export interface SessionActivity {
	/** The latest sign of life, ms since epoch; null when none could be read. */
	lastActivityMs: number | null;
	/** A heartbeat file exists (its writer promised to beat every HEARTBEAT_INTERVAL_MS). */
	hasHeartbeat: boolean;
}

function parseMs(iso: string | null | undefined): number | null {
	if (!iso) return null;
	const t = Date.parse(iso);
	return Number.isNaN(t) ? null : t;
}

async function readHeartbeat(store: StagingStore, sessionId: string): Promise<Heartbeat | null | "unreadable"> {
	const path = heartbeatFile(sessionId);
	if (!(await store.exists(path))) return null;
	try {
		return HeartbeatSchema().parse(JSON.parse(await store.read(path)));
	} catch {
		return "unreadable";
	}
}

/** Reads the signs of life of one session (cheap: small JSON files and stats, never the item logs). */
export async function readSessionActivity(store: StagingStore, session: Session): Promise<SessionActivity> {
	const times: (number | null)[] = [parseMs(session.updated_at), parseMs(session.created_at), parseMs(session.resumed_at)];
	const beat = await readHeartbeat(store, session.session_id);
	if (beat === "unreadable") {
		// Being written right now, or torn: its mtime still tells when it was touched.
		times.push((await store.stat(heartbeatFile(session.session_id)))?.mtime ?? null);
	} else if (beat) {
		times.push(parseMs(beat.at));
	}
	for (const p of PHASE_TYPES) {
		const path = phaseFile(session.session_id, p);
		if (!(await store.exists(path))) continue;
		try {
			const raw = JSON.parse(await store.read(path)) as {
				started_at?: string | null;
				completed_at?: string | null;
				stages?: Record<string, { started_at?: string | null; completed_at?: string | null }>;
			};
			times.push(parseMs(raw.started_at), parseMs(raw.completed_at));
			for (const s of Object.values(raw.stages ?? {})) times.push(parseMs(s.started_at), parseMs(s.completed_at));
		} catch {
			// A broken phase.json is reported by the panel itself; it is no sign of life.
		}
		times.push((await store.stat(pipelineStagesFile(session.session_id, p)))?.mtime ?? null);
	}
	const known = times.filter((t): t is number => t !== null);
	return { lastActivityMs: known.length > 0 ? Math.max(...known) : null, hasHeartbeat: beat !== null };
}

export interface LivenessOptions {
	/** Sessions running in this process right now (always live). */
	liveIds?: ReadonlySet<string>;
	staleWithHeartbeatMs?: number;
	staleWithoutHeartbeatMs?: number;
}

/** The rule itself, on data already read (table-tested). */
export function isInterrupted(session: Session, activity: SessionActivity, nowMs: number, options: LivenessOptions = {}): boolean {
	if (session.status !== "running") return false;
	if (options.liveIds?.has(session.session_id)) return false;
	if (activity.lastActivityMs === null) return true;
	const limit = activity.hasHeartbeat
		? (options.staleWithHeartbeatMs ?? STALE_WITH_HEARTBEAT_MS)
		: (options.staleWithoutHeartbeatMs ?? STALE_WITHOUT_HEARTBEAT_MS);
	return nowMs - activity.lastActivityMs > limit;
}

/** The ids of the sessions that say `running` but whose run is gone. Only `running` sessions are looked at. */
export async function findInterruptedSessions(
	store: StagingStore,
	clock: Clock,
	sessions: readonly Session[],
	options: LivenessOptions = {},
): Promise<Set<string>> {
	const now = clock.now().getTime();
	const out = new Set<string>();
	for (const s of sessions) {
		if (s.status !== "running" || options.liveIds?.has(s.session_id)) continue;
		if (isInterrupted(s, await readSessionActivity(store, s), now, options)) out.add(s.session_id);
	}
	return out;
}
