import type { Session } from "../model/session";
import { holdsUndoData } from "../organize/organize-session";
import { parseSessionId } from "../session/session-id";
import { SessionManager } from "../session/session-manager";
import { lockShowsRunGone, withVaultLock } from "../session/vault-lock";
import { findInterruptedSessions } from "../status/session-liveness";
import type { Host } from "./host";

const DAY_MS = 24 * 60 * 60 * 1000;

export interface CleanRequest {
	/** Sessions created more than this many days ago go. */
	days: number;
	/** Only say what would go. */
	dryRun?: boolean;
	/** Also delete sessions holding an organize run's undo data (that run can then not be undone). */
	includeUndo?: boolean;
}

export interface CleanCandidate {
	id: string;
	/** ISO 8601: created_at, or the id's time for a broken session. */
	created_at: string;
	/** session.json unreadable. */
	broken: boolean;
}

export interface CleanResult {
	/** ISO 8601: sessions created before this go. */
	cutoff: string;
	/** Deleted (or, with dryRun, to be deleted), by id. */
	candidates: CleanCandidate[];
	/** Sessions kept (new enough, or live). */
	kept: number;
	/** Old enough, but kept because they are running (here or in another process with a fresh heartbeat). */
	live: string[];
	/** Old enough, but kept because their organize run can still be undone (see `includeUndo`). */
	undoable: string[];
}

/**
 * Sessions that say `running` but whose run is gone: no fresh heartbeat (session-liveness.ts), or the vault lock
 * names them and its holder is dead on this host. Never one this service runs.
 */
export async function interruptedSessions(host: Host, sessions: readonly Session[], liveHere: ReadonlySet<string>): Promise<Set<string>> {
	const gone = new Set(await findInterruptedSessions(host.store, host.clock, sessions, { liveIds: liveHere }));
	for (const s of sessions) {
		if (s.status !== "running" || gone.has(s.session_id) || liveHere.has(s.session_id)) continue;
		if (await lockShowsRunGone(host.store, host.clock, s.session_id, host.identity)) gone.add(s.session_id);
	}
	return gone;
}

/**
 * Retention, one rule for both hosts: a session created more than `days` ago is deleted (by session.json's
 * created_at, else the time in its id), unless it is live: run by this service, or `running` with signs of life
 * (see session-liveness.ts). A dead `running` session (its run is gone) is old data like any other.
 */
export async function cleanSessions(host: Host, request: CleanRequest, liveHere: ReadonlySet<string>): Promise<CleanResult> {
	// Deleting takes the vault's lock (a run going elsewhere is refused, naming it); a dry run changes nothing.
	if (request.dryRun) return cleanLocked(host, request, liveHere);
	return withVaultLock(host.store, host.clock, { operation: "clean", identity: host.identity }, () => cleanLocked(host, request, liveHere));
}

async function cleanLocked(host: Host, request: CleanRequest, liveHere: ReadonlySet<string>): Promise<CleanResult> {
	const manager = new SessionManager(host.store, host.clock);
	const cutoff = host.clock.now().getTime() - request.days * DAY_MS;
	const { sessions, broken } = await manager.list();
	const interrupted = await interruptedSessions(host, sessions, liveHere);
	const candidates: CleanCandidate[] = [];
	const live: string[] = [];
	const undoable: string[] = [];
	let kept = 0;
	for (const s of sessions) {
		const created = Date.parse(s.created_at);
		const createdMs = Number.isNaN(created) ? (parseSessionId(s.session_id)?.getTime() ?? Number.POSITIVE_INFINITY) : created;
		if (createdMs >= cutoff) {
			kept++;
			continue;
		}
		if (liveHere.has(s.session_id) || (s.status === "running" && !interrupted.has(s.session_id))) {
			live.push(s.session_id);
			kept++;
			continue;
		}
		// A session whose organize run can still be undone keeps what the undo needs.
		if (!request.includeUndo && (await holdsUndoData(host.store, s.session_id))) {
			undoable.push(s.session_id);
			kept++;
			continue;
		}
		candidates.push({ id: s.session_id, created_at: new Date(createdMs).toISOString(), broken: false });
	}
	for (const b of broken) {
		const createdMs = parseSessionId(b.id)?.getTime();
		if (createdMs !== undefined && createdMs < cutoff) candidates.push({ id: b.id, created_at: new Date(createdMs).toISOString(), broken: true });
		else kept++;
	}
	candidates.sort((a, b) => a.id.localeCompare(b.id));
	if (!request.dryRun) for (const c of candidates) await manager.delete(c.id);
	return { cutoff: new Date(cutoff).toISOString(), candidates, kept, live, undoable };
}
