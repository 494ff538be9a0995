import type { Session } from "../model/session";
import { holdsUndoData } from "../organize/organize-session";
import { parseSessionId } from "../session/session-id";
import { SessionManager } from "../session/session-manager";
import { lockShowsRunGone, VaultLockedError, withVaultLock } from "../session/vault-lock";
import { LlmReplyCache, type CacheSize } from "../llm/reply-cache";
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
	/** Saved model replies removed with the sessions that paid for them (absent in a dry run, or when none went). */
	replies?: CacheSize;
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
		if (createdMs !== undefined && createdMs < cutoff)
			candidates.push({ id: b.id, created_at: new Date(createdMs).toISOString(), broken: true });
		else kept++;
	}
	candidates.sort((a, b) => a.id.localeCompare(b.id));
	if (request.dryRun) return { cutoff: new Date(cutoff).toISOString(), candidates, kept, live, undoable };
	for (const c of candidates) await manager.delete(c.id);
	// The model's saved replies go with the sessions that paid for them (the import index still spares an unchanged
	// conversation its call, so no note needs them). Read only when a session went: the cache can be large.
	let replies: CacheSize | undefined;
	if (candidates.length > 0) {
		const left = await manager.list();
		const remaining = new Set([...left.sessions.map((s) => s.session_id), ...left.broken.map((b) => b.id)]);
		replies = await new LlmReplyCache(host.store).prune((id) => remaining.has(id));
	}
	return { cutoff: new Date(cutoff).toISOString(), candidates, kept, live, undoable, ...(replies ? { replies } : {}) };
}

/**
 * Retention that happens (issue 16.2): the clean that runs by itself, after an import (CLI) or some time after
 * Obsidian starts (plugin). Sessions older than `days` go, with their saved model replies; a session whose
 * organize run can still be undone stays (the result names it, for the host to ask the user), and so does a live
 * one. Never while this service runs something, and quietly not when another process holds the vault: null then.
 */
export async function retainSessions(host: Host, days: number, liveHere: ReadonlySet<string>): Promise<CleanResult | null> {
	if (liveHere.size > 0) return null;
	try {
		return await cleanSessions(host, { days }, liveHere);
	} catch (e) {
		if (e instanceof VaultLockedError) return null;
		throw e;
	}
}
