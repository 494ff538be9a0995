import type { Clock } from "../ports/clock";
import type { StagingStore } from "../ports/staging-store";
import { SessionSchema, type PhaseSummary, type Session } from "../model/session";
import * as z from "../model/zod";
import type { PhaseType } from "../model/status";
import { InvalidSessionIdError, SessionNotFoundError } from "./errors";
import { readJsonFile, writeJsonFile } from "./json-file";
import { SESSION_ROOT, sessionDir, sessionFile } from "./paths";
import { isValidSessionId, nextFreeSessionId } from "./session-id";
import { deriveSessionStatus } from "./status";

export interface CreateSessionOptions {
	debugMode: boolean;
	provider?: string;
}

/** A session folder whose session.json is missing, unreadable or fails the schema. */
export interface BrokenSession {
	id: string;
	/** Vault-relative path of the session.json that failed. */
	path: string;
	error: string;
}

export interface SessionList {
	/** Newest first (by id). */
	sessions: Session[];
	broken: BrokenSession[];
}

/** Creates, reads and updates `.staging/@session/<id>/session.json`. */
export class SessionManager {
	constructor(
		private readonly store: StagingStore,
		private readonly clock: Clock,
	) {}

	/** A new session with a fresh id (local time; the next free second when the current one is taken). */
	async create(options: CreateSessionOptions): Promise<Session> {
		const now = this.clock.now();
		const id = await nextFreeSessionId(now, (candidate) => this.store.exists(sessionDir(candidate)));
		await this.store.mkdir(sessionDir(id));
		const iso = now.toISOString();
		const session: Session = {
			session_id: id,
			created_at: iso,
			updated_at: iso,
			status: "pending",
			phases: {},
			debug_mode: options.debugMode,
			...(options.provider !== undefined ? { provider: options.provider } : {}),
		};
		await writeJsonFile(this.store, sessionFile(id), SessionSchema().parse(session, z.FEW_PARSES));
		return session;
	}

	/** Throws InvalidSessionIdError, SessionNotFoundError, or SessionFileError (naming the file and the field). */
	async load(id: string): Promise<Session> {
		if (!isValidSessionId(id)) throw new InvalidSessionIdError(id);
		const path = sessionFile(id);
		if (!(await this.store.exists(path))) throw new SessionNotFoundError(id, path);
		return readJsonFile(this.store, path, SessionSchema());
	}

	async exists(id: string): Promise<boolean> {
		return isValidSessionId(id) && (await this.store.exists(sessionFile(id)));
	}

	/** Validates, sets `updated_at`, and writes atomically. Returns the saved session. */
	async save(session: Session): Promise<Session> {
		if (!isValidSessionId(session.session_id)) throw new InvalidSessionIdError(session.session_id);
		const saved = SessionSchema().parse({ ...session, updated_at: this.clock.now().toISOString() }, z.FEW_PARSES);
		await writeJsonFile(this.store, sessionFile(saved.session_id), saved);
		return saved;
	}

	/**
	 * Every session, newest first, and the broken ones beside them (never throws for one bad file).
	 * Folders whose name is not a session id are not sessions and are ignored.
	 */
	async list(): Promise<SessionList> {
		const { folders } = await this.store.list(SESSION_ROOT);
		const ids = folders
			.map((f) => f.slice(f.lastIndexOf("/") + 1))
			.filter(isValidSessionId)
			.sort()
			.reverse();
		const sessions: Session[] = [];
		const broken: BrokenSession[] = [];
		for (const id of ids) {
			const path = sessionFile(id);
			try {
				if (!(await this.store.exists(path))) {
					broken.push({ id, path, error: `${path}: file is missing` });
					continue;
				}
				sessions.push(await readJsonFile(this.store, path, SessionSchema()));
			} catch (e) {
				broken.push({ id, path, error: e instanceof Error ? e.message : String(e) });
			}
		}
		return { sessions, broken };
	}

	/** The newest readable session, or null. */
	async latest(): Promise<Session | null> {
		const { sessions } = await this.list();
		return sessions[0] ?? null;
	}

	/** Removes the session folder and everything in it. */
	async delete(id: string): Promise<void> {
		if (!isValidSessionId(id)) throw new InvalidSessionIdError(id);
		await this.store.removeFolder(sessionDir(id));
	}

	/** Records a phase's summary and recomputes the session status from its phases. */
	async updatePhase(id: string, phase: PhaseType, summary: PhaseSummary): Promise<Session> {
		const session = await this.load(id);
		session.phases[phase] = summary;
		session.status = deriveSessionStatus(session.phases);
		return this.save(session);
	}

	/** Sets `resumed_at` to now. */
	async markResumed(id: string): Promise<Session> {
		const session = await this.load(id);
		session.resumed_at = this.clock.now().toISOString();
		return this.save(session);
	}
}
