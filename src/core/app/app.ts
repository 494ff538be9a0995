import { runImportSession, ImportSessionError, type ImportRequest, type ImportSummary } from "../import/pipeline/import-session";
import type { LlmClient } from "../llm/llm-client";
import type { Session } from "../model/session";
import type { PhaseType } from "../model/status";
import type { UndoResult } from "../organize/apply-plan";
import { llmClassifier } from "../organize/classify-genre-llm";
import type { GenreClassifier } from "../organize/classify-genre";
import { continueOrganizeSession, type ContinueOrganizeResult } from "../organize/continue-organize-session";
import type { Genre } from "../organize/genres";
import {
	applyOrganizeSession,
	OrganizeSessionError,
	runOrganizeSession,
	undoOrganizeSession,
	type ApplyOrganizeResult,
	type OrganizeSessionResult,
} from "../organize/organize-session";
import { readOrganizeRunOptions } from "../organize/organize-run-options";
import { organizeSetup, type OrganizeSetupInput } from "../organize/organize-setup";
import type { ByteSource } from "../ports/byte-source";
import type { Logger } from "../ports/logger";
import { isDebugLogger } from "../logging/logger";
import { SessionManager, type BrokenSession } from "../session/session-manager";
import { HEARTBEAT_INTERVAL_MS, removeHeartbeat, writeHeartbeat } from "../status/session-liveness";
import { every } from "../util/timers";
import { cleanSessions, interruptedSessions, retainSessions, type CleanRequest, type CleanResult } from "./clean";
import type { Host, RunHooks, RunProgress } from "./host";
import { itemTotal } from "./session-files";

/**
 * The one way into the core for both hosts. Built once per host from its ports; every verb reports the session it
 * works in (`onSession`) and its progress, takes an AbortSignal and returns a typed result. The policies live
 * here, written once: the heartbeat of every run (import and organize alike), which sessions count as live
 * (those this service runs, and those whose heartbeat is fresh), retention (`clean` never deletes a live
 * session), which session a bare `resume` means, and whether the core rewrites links after a move (only where
 * the vault's rename does not: `NoteVault.renameUpdatesLinks`).
 */
export interface App {
	/** A new import session from export files. */
	import(request: NewImportRequest, hooks?: RunHooks): Promise<ImportSummary>;
	/** Goes on with an interrupted session (its import, or its organize phase: see `phaseToContinue`). */
	resume(request: ContinueRequest, hooks?: RunHooks): Promise<ContinueResult>;
	/** Redoes the failed items of a session (import or organize, as `resume`). */
	retry(request: ContinueRequest, hooks?: RunHooks): Promise<ContinueResult>;
	/** Plans (and with `apply`, applies) an organize session over a folder. */
	organize(request: OrganizeRequest, hooks?: RunHooks): Promise<OrganizeSessionResult>;
	/** Applies the plan an organize session wrote. */
	apply(sessionId: string, hooks?: RunHooks): Promise<ApplyOrganizeResult>;
	/** Reverses an applied organize session. */
	undo(sessionId: string, hooks?: RunHooks): Promise<UndoResult>;
	/** Deletes sessions older than the retention, never a live one. */
	clean(request: CleanRequest): Promise<CleanResult>;
	/** Retention by itself (see retainSessions): null when it did not run (a run is live, the vault is locked). */
	retain(days: number): Promise<CleanResult | null>;
	/** Every session, newest first, with which of the running ones are interrupted (their run is gone). */
	sessions(): Promise<SessionsView>;
	/** How many items a session's phase goes through (extract's count), for a resumed run's progress; null: unknown. */
	itemTotal(sessionId: string, phase: PhaseType): Promise<number | null>;
	/** Sessions this service is running right now. */
	liveIds(): ReadonlySet<string>;
}

/** What the run hooks carry, and what the service decides itself, are not part of a request. */
type ImportRunFields = "mode" | "sessionId" | "signal" | "onProgress" | "onSession";

/** A new import: its export files, options, the model when `options.llm` asks for one, debug mode. */
export type NewImportRequest = Omit<ImportRequest, ImportRunFields | "openSources"> & { sources: ByteSource[] };

/** A resume or retry; import fields (openSources, llmClient, …) are used when the phase continued is the import. */
export type ContinueRequest = Omit<ImportRequest, ImportRunFields | "sources" | "options" | "prepared"> & {
	/** The session; a bare resume or retry means the newest session that has the phase (import by default). */
	sessionId?: string;
	/** Which phase to continue; by default decided on the session (`phaseToContinue`). */
	phase?: PhaseType;
	/** The genre table, for organize sessions that did not record theirs. */
	genres?: readonly Genre[];
};

export interface OrganizeRequest {
	/** Vault-relative folder ("" for the whole vault). */
	folder: string;
	apply: boolean;
	/**
	 * The user's organize settings (or flags) and the vault's own (templates, daily notes, attachments): what is
	 * left alone, which rules touch the user's own notes, where genre folders go (see organize-setup.ts). Absent:
	 * the core's defaults (every rule, genre folders at the root, only .staging-like folders left alone).
	 */
	setup?: Omit<OrganizeSetupInput, "store" | "logger">;
	force?: boolean;
	conflictPolicy?: "rename" | "skip" | "overwrite";
	genres?: readonly Genre[];
	/** Classify by this model instead of the genre table's keywords (checked first). */
	llmClient?: LlmClient;
	debugMode?: boolean;
}

export type ContinueResult = (ImportSummary & { kind: "import" }) | (ContinueOrganizeResult & { kind: "organize"; session_id: string });

export interface SessionsView {
	sessions: Session[];
	broken: BrokenSession[];
	/** Sessions that say `running` but whose run is gone. */
	interrupted: ReadonlySet<string>;
}

/**
 * Which phase of a session "resume" / "retry" act on: its only phase, or, in a session with both, the import
 * while it has something left to do, else the organize phase.
 */
export function phaseToContinue(session: Session, mode: "resume" | "retry"): PhaseType {
	const { import: imported, organize } = session.phases;
	if (!organize) return "import";
	if (!imported) return "organize";
	const importNeeds =
		mode === "resume" ? imported.status !== "completed" && imported.status !== "partial" : (imported.counts.failed ?? 0) > 0;
	return importNeeds ? "import" : "organize";
}

/** Builds the service for one host. */
// Long on purpose: the factory of the App object; every verb is a short method over the host and the set of live
// sessions.
export function createApp(host: Host): App {
	const live = new Set<string>();

	/**
	 * Runs `job` as one run: marks its session live and beats its heartbeat from the moment the session is known
	 * until the run ends (however it ends), then removes the heartbeat and flushes the run's logger.
	 */
	async function asRun<T>(hooks: RunHooks, logger: Logger | null, job: (onSession: (id: string) => void) => Promise<T>): Promise<T> {
		let sessionId: string | null = null;
		const timer: { stop: (() => void) | null } = { stop: null };
		const beat = (): void => {
			if (sessionId) writeHeartbeat(host.store, host.clock, sessionId, host.name).catch(() => undefined);
		};
		const onSession = (id: string): void => {
			if (sessionId === id) return;
			sessionId = id;
			live.add(id);
			beat();
			timer.stop ??= every(HEARTBEAT_INTERVAL_MS, beat);
			hooks.onSession?.(id);
		};
		try {
			return await job(onSession);
		} finally {
			timer.stop?.();
			if (sessionId) {
				live.delete(sessionId);
				await removeHeartbeat(host.store, sessionId).catch(() => undefined);
			}
			if (logger && isDebugLogger(logger)) await logger.flush();
		}
	}

	function deps(logger: Logger) {
		return {
			store: host.store,
			vault: host.vault,
			clock: host.clock,
			logger,
			...(host.identity ? { identity: host.identity } : {}),
			...(host.sha256 ? { sha256: host.sha256 } : {}),
			...(host.openExport ? { openExport: host.openExport } : {}),
		};
	}

	const rewriteLinks = (): boolean => !host.vault.renameUpdatesLinks;

	async function classifierFor(client: LlmClient | undefined, signal: AbortSignal | undefined): Promise<GenreClassifier | undefined> {
		if (!client) return undefined;
		// Checked first, so a stopped server ends the run before any note, with its advice.
		await client.preflight();
		return llmClassifier(async (prompt) => (await client.chat([{ role: "user", content: prompt }], signal ? { signal } : {})).content);
	}

	/** The session a bare resume / retry means: the newest with the phase asked for (import by default). */
	async function sessionToContinue(request: ContinueRequest): Promise<string> {
		if (request.sessionId !== undefined) return request.sessionId;
		const phase = request.phase ?? "import";
		const { sessions } = await new SessionManager(host.store, host.clock).list();
		const newest = sessions.find((s) => s.phases[phase] !== undefined) ?? sessions[0];
		if (!newest) throw new ImportSessionError("There is no session to resume");
		return newest.session_id;
	}

	async function continueSession(mode: "resume" | "retry", request: ContinueRequest, hooks: RunHooks): Promise<ContinueResult> {
		const sessionId = await sessionToContinue(request);
		let phase = request.phase;
		if (!phase) {
			const session = await new SessionManager(host.store, host.clock).load(sessionId).catch(() => null);
			phase = session ? phaseToContinue(session, mode) : "import";
		}
		const debugMode = request.debugMode ?? false;
		if (phase === "organize") {
			const logger = host.logger(debugMode);
			return asRun(hooks, logger, async (onSession) => {
				onSession(sessionId);
				// A session classified by the model is continued by the model (the core says so when none is given).
				const recorded = await readOrganizeRunOptions(host.store, sessionId);
				const classifier = recorded?.classifier === "custom" ? await classifierFor(request.llmClient, hooks.signal) : undefined;
				const started = Date.now();
				const result = await continueOrganizeSession(deps(logger), sessionId, mode, {
					rewriteLinks: rewriteLinks(),
					...(request.genres ? { genres: request.genres } : {}),
					...(classifier ? { classifier } : {}),
					...(hooks.signal ? { signal: hooks.signal } : {}),
					...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
					...(hooks.onProgress ? { onApplyProgress: applyProgress(hooks.onProgress, started) } : {}),
				});
				return { ...result, kind: "organize" as const, session_id: sessionId };
			});
		}
		const logger = host.logger(debugMode);
		const { phase: _phase, genres: _genres, ...importRequest } = request;
		return asRun(hooks, logger, async (onSession) => {
			const summary = await runImportSession(deps(logger), { ...importRequest, ...runFields(hooks), mode, sessionId, onSession });
			return { ...summary, kind: "import" as const };
		});
	}

	return {
		import(request, hooks = {}) {
			const debugMode = request.debugMode ?? false;
			const logger = host.logger(debugMode);
			return asRun(hooks, logger, (onSession) =>
				runImportSession(deps(logger), { ...request, ...runFields(hooks), mode: "new", onSession }),
			);
		},

		resume: (request, hooks = {}) => continueSession("resume", request, hooks),
		retry: (request, hooks = {}) => continueSession("retry", request, hooks),

		async organize(request, hooks = {}) {
			const debugMode = request.debugMode ?? false;
			const logger = host.logger(debugMode);
			const classifier = await classifierFor(request.llmClient, hooks.signal);
			let setup = {};
			if (request.setup) {
				try {
					setup = await organizeSetup({ ...request.setup, store: host.store, logger });
				} catch (error) {
					// A setting or flag that cannot be used (a genre parent outside the vault): the request is wrong.
					throw new OrganizeSessionError(error instanceof Error ? error.message : String(error));
				}
			}
			return asRun(hooks, logger, (onSession) =>
				runOrganizeSession(deps(logger), {
					...setup,
					// Told as soon as the session exists, so its heartbeat beats from the first note on.
					onSession,
					folder: request.folder,
					apply: request.apply,
					rewriteLinks: rewriteLinks(),
					...(request.force !== undefined ? { force: request.force } : {}),
					...(request.conflictPolicy ? { conflictPolicy: request.conflictPolicy } : {}),
					...(request.genres ? { genres: request.genres } : {}),
					...(classifier ? { classifier } : {}),
					debugMode,
					...(hooks.signal ? { signal: hooks.signal } : {}),
					...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
				}),
			);
		},

		apply(sessionId, hooks = {}) {
			const logger = host.logger(false);
			return asRun(hooks, logger, (onSession) => {
				onSession(sessionId);
				const started = Date.now();
				return applyOrganizeSession(deps(logger), sessionId, {
					rewriteLinks: rewriteLinks(),
					...(hooks.signal ? { signal: hooks.signal } : {}),
					...(hooks.onProgress ? { onProgress: applyProgress(hooks.onProgress, started) } : {}),
				});
			});
		},

		undo(sessionId, hooks = {}) {
			const logger = host.logger(false);
			return asRun(hooks, logger, (onSession) => {
				onSession(sessionId);
				return undoOrganizeSession(deps(logger), sessionId);
			});
		},

		clean: (request) => cleanSessions(host, request, live),

		retain: (days) => retainSessions(host, days, live),

		async sessions() {
			const { sessions, broken } = await new SessionManager(host.store, host.clock).list();
			return { sessions, broken, interrupted: await interruptedSessions(host, sessions, live) };
		},

		itemTotal: (sessionId, phase) => itemTotal(host, sessionId, phase),

		liveIds: () => new Set(live),
	};
}

/** The hooks a core run takes directly. */
function runFields(hooks: RunHooks): Pick<ImportRequest, "signal" | "onProgress"> {
	return { ...(hooks.signal ? { signal: hooks.signal } : {}), ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}) };
}

/** Apply progress (steps done of total) as load-stage progress, the shape every host already shows. */
function applyProgress(onProgress: (p: RunProgress) => void, started: number): (p: { done: number; total: number }) => void {
	return (p) =>
		onProgress({
			stage: "load",
			done: p.done,
			resumed: 0,
			total: p.total,
			counts: { total: p.done, success: p.done, failed: 0, skipped: 0 },
			elapsedMs: Date.now() - started,
		});
}
