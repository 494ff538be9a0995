import type { Counts } from "../model/counts";
import type { StageProgress } from "../pipeline/stage-runner";
import type { Logger } from "../ports/logger";
import type { Clock } from "../ports/clock";
import { withImportIndexSync } from "../import/load/index-sync";
import type { NoteVault } from "../ports/note-vault";
import type { Sha256Text } from "../ports/sha256";
import type { StagingStore } from "../ports/staging-store";
import { PhaseManager } from "../session/phase-manager";
import { withVaultLock, type HostIdentity } from "../session/vault-lock";
import { SessionManager } from "../session/session-manager";
import { RunCancelledError } from "../session/errors";
import { undoPlan, type AppliedRecord, type UndoResult } from "./apply-plan";
import { ApplyJournal, hasAppliedRecord, readAppliedState, saveAppliedRecord } from "./apply-journal";
import { incomingLinks, listFolderAndVault, type OrganizeOptions } from "./plan-organize";
import { PlanSchema, type Plan, type PlanItem } from "./plan";
import { writeOrganizeRunOptions } from "./organize-run-options";
import {
	applyInTwoPasses,
	itemCounts,
	notesListPath,
	plannedItems,
	type PlannedItems,
	organizeOutputPaths,
	remainingWork,
	runPlanStage,
	writeOrganizePlan,
	writePlanFolded,
} from "./organize-stages";

export interface OrganizeSessionDeps {
	store: StagingStore;
	vault: NoteVault;
	clock: Clock;
	logger?: Logger;
	/** Who runs (pid, host), for the vault lock (see vault-lock.ts). */
	identity?: HostIdentity;
	/** The host's SHA-256 of a note's text (the CLI: node:crypto); absent: the core's. */
	sha256?: Sha256Text;
}

/** Runs `fn` holding the vault's lock (organize runs that change notes). */
export function lockedOrganize<T>(
	deps: OrganizeSessionDeps,
	operation: string,
	sessionId: string | null,
	fn: () => Promise<T>,
): Promise<T> {
	return withVaultLock(deps.store, deps.clock, { operation, session: sessionId, identity: deps.identity }, fn);
}

export interface OrganizeSessionOptions extends OrganizeOptions {
	/** Apply the plan (otherwise only plan.json and plan.md are written: a preview). */
	apply: boolean;
	/** Rewrite links ourselves (CLI: true; the plugin's NoteVault moves with FileManager.renameFile: false). */
	rewriteLinks: boolean;
	/** Add the organize phase to this existing session instead of creating one. */
	sessionId?: string;
	debugMode?: boolean;
	/** Cancels the transform stage (no new note is taken; nothing is applied). */
	signal?: AbortSignal;
	onProgress?: (progress: StageProgress) => void;
	/** Told the session id as soon as the session exists (for a heartbeat, a panel). */
	onSession?: (sessionId: string) => void;
}

export interface OrganizeSessionResult {
	sessionId: string;
	plan: Plan;
	/** `plan` as plan.json holds it (compact JSON): a host that prints the plan splices this in (see savePlan). */
	planJson?: string;
	record?: AppliedRecord;
	counts: Counts;
	/** The signal stopped the apply part way (the session is stopped: resume goes on, undo reverses it). */
	cancelled?: boolean;
}

export { organizeOutputPaths } from "./organize-stages";

/**
 * An organize session: phase `organize` with extract (list the notes), transform (read, classify, normalise
 * each note; a failure fails that item only) and load (settle name conflicts, write plan.json and plan.md, and
 * apply when asked, recording every change in applied.json for undo).
 */
export async function runOrganizeSession(deps: OrganizeSessionDeps, options: OrganizeSessionOptions): Promise<OrganizeSessionResult> {
	// A preview changes no note; an apply takes the vault's lock.
	if (!options.apply) return runOrganizeSessionLocked(deps, options);
	return lockedOrganize(deps, "organize --apply", options.sessionId ?? null, () => runOrganizeSessionLocked(deps, options));
}

// Long on purpose: an organize run's steps in order (session, options, list, plan, write the plan, apply), each a
// call; the try/finally marks the phase however it ends.
async function runOrganizeSessionLocked(deps: OrganizeSessionDeps, options: OrganizeSessionOptions): Promise<OrganizeSessionResult> {
	const sessions = new SessionManager(deps.store, deps.clock);
	const phases = new PhaseManager(deps.store, deps.clock, sessions);
	const sessionId = options.sessionId ?? (await sessions.create({ debugMode: options.debugMode ?? false })).session_id;
	await phases.create(sessionId, "organize");
	options.onSession?.(sessionId);
	const now = options.now ?? deps.clock.now();
	await writeOrganizeRunOptions(deps.store, sessionId, {
		folder: options.folder,
		force: options.force ?? false,
		conflictPolicy: options.conflictPolicy ?? "rename",
		topicFolders: options.topicFolders ?? false,
		...(options.reviewFolder !== undefined ? { reviewFolder: options.reviewFolder } : {}),
		...(options.dustFolder !== undefined ? { dustFolder: options.dustFolder } : {}),
		...(options.genres ? { genres: [...options.genres] } : {}),
		now: now.toISOString(),
		apply: options.apply,
		classifier: options.classifier ? "custom" : "keywords",
		...(options.genreParent !== undefined ? { genreParent: options.genreParent } : {}),
		...(options.exclude !== undefined ? { exclude: [...options.exclude] } : {}),
		...(options.userNoteRules !== undefined ? { userNoteRules: [...options.userNoteRules] } : {}),
	});
	await phases.startPhase(sessionId, "organize");
	try {
		await phases.startStage(sessionId, "organize", "extract");
		const { paths, all } = await listFolderAndVault(deps.vault, options.folder);
		await deps.store.writeAtomic(notesListPath(sessionId), `${JSON.stringify(paths, null, "\t")}\n`);
		await phases.finishStage(sessionId, "organize", "extract", {
			items_count: paths.length,
			counts: { total: paths.length, success: paths.length, failed: 0, skipped: 0 },
		});

		// Transform: one item per note (each PlanItem saved as it is planned, so the run can be resumed).
		const planOptions = {
			hasIncomingLinks: incomingLinks(deps.vault, all),
			...(deps.sha256 ? { sha256: deps.sha256 } : {}),
			...options,
			now,
		};
		// A new session's items.jsonl holds exactly what this run planned: kept here rather than read back. The stage
		// plans the notes in `paths` order, one item each (until a cancel): `planned.items` is the plan's list.
		const planned: PlannedItems = plannedItems();
		const stage = await runPlanStage({
			deps,
			phases,
			sessionId,
			paths,
			options: planOptions,
			debugMode: options.debugMode ?? false,
			signal: options.signal,
			onProgress: options.onProgress,
			planned,
		});
		if (stage.folded.total > 0) await writePlanFolded(deps.store, sessionId, stage.folded);
		if (options.signal?.aborted)
			throw new RunCancelledError(`Organize cancelled while planning; nothing was applied (resume session ${sessionId} to go on)`);
		const items = planned.items;

		await phases.startStage(sessionId, "organize", "load");
		const { plan, planJson } = await writeOrganizePlan(
			deps,
			sessionId,
			items,
			{
				createdAt: now.toISOString(),
				folder: options.folder,
				force: options.force ?? false,
				conflictPolicy: options.conflictPolicy ?? "rename",
				...(options.userNoteRules !== undefined ? { userNoteRules: options.userNoteRules } : {}),
			},
			all,
			planned,
		);
		let record: AppliedRecord | undefined;
		let cancelled = false;
		if (options.apply) {
			const appliedAt = deps.clock.now();
			const journal = await ApplyJournal.open(deps.store, sessionId, { planCreatedAt: plan.createdAt, appliedAt: appliedAt.toISOString() });
			({ record, cancelled } = await withImportIndexSync(deps.store, deps.logger, (changes) =>
				applyInTwoPasses(deps.vault, plan, remainingWork(plan, undefined), {
					rewriteLinks: options.rewriteLinks,
					now: appliedAt,
					signal: options.signal,
					journal,
					changes,
				}),
			));
			await saveAppliedRecord(deps.store, sessionId, record);
		}
		const counts = itemCounts(plan.items, record);
		await phases.finishStage(sessionId, "organize", "load", { items_count: plan.items.length, counts, stopped: cancelled });
		// A cancel part way through the apply leaves the session stopped: resume goes on, undo reverses what was done.
		const stopped = cancelled ? "Apply cancelled; resume the session to go on, or undo what was done" : undefined;
		await phases.finishPhase(sessionId, "organize", counts, stopped, cancelled);
		return { sessionId, plan, planJson, record, counts, ...(cancelled ? { cancelled } : {}) };
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		// A cancel leaves the session stopped (resume goes on), not failed.
		await phases.finishPhase(
			sessionId,
			"organize",
			{ total: 0, success: 0, failed: 0, skipped: 0 },
			message,
			error instanceof RunCancelledError,
		);
		throw error;
	}
}

/**
 * Undoes the organize run of a session from its journal (or the applied.json of an older session), including a
 * change that was under way when the apply was killed; writes undo.json beside it. Safe to run again after an
 * interrupted undo: what is back already counts as restored.
 */
export function undoOrganizeSession(deps: OrganizeSessionDeps, sessionId: string): Promise<UndoResult> {
	return lockedOrganize(deps, "organize undo", sessionId, () => undoOrganizeSessionLocked(deps, sessionId));
}

async function undoOrganizeSessionLocked(deps: OrganizeSessionDeps, sessionId: string): Promise<UndoResult> {
	const out = organizeOutputPaths(sessionId);
	const state = await readAppliedState(deps.store, sessionId, deps.vault, deps.logger);
	if (!state) throw new OrganizeSessionError(`Session ${sessionId} has no applied organize run (${out.applied} is missing)`);
	const result = await withImportIndexSync(deps.store, deps.logger, (changes) =>
		undoPlan(deps.vault, state.record, state.undoData, changes),
	);
	await deps.store.writeAtomic(out.undo, `${JSON.stringify({ undoneAt: deps.clock.now().toISOString(), ...result }, null, "\t")}\n`);
	return result;
}

/** A session that cannot be applied as asked (no plan, already applied, running). */
export class OrganizeSessionError extends Error {
	override readonly name = "OrganizeSessionError";
}

export interface ApplyOrganizeOptions {
	/** Rewrite links ourselves (CLI: true; the plugin moves with FileManager.renameFile, which does it: false). */
	rewriteLinks: boolean;
	/** Stops between two notes; what was done is recorded in applied.json and can be undone. */
	signal?: AbortSignal;
	/** After every note: `done` of `total` steps (an edit pass over the planned notes, then a move pass). */
	onProgress?: (progress: { done: number; total: number; last?: PlanItem }) => void;
}

export interface ApplyOrganizeResult {
	sessionId: string;
	plan: Plan;
	record: AppliedRecord;
	counts: Counts;
	/** The signal stopped the apply part way (the record is partial, undo reverses it). */
	cancelled: boolean;
}

/**
 * Whether deleting the session would lose what an undo needs: its organize plan was applied (a journal or
 * applied.json) and not undone. Clean keeps such a session unless asked to include it.
 */
export async function holdsUndoData(store: StagingStore, sessionId: string): Promise<boolean> {
	return (await hasAppliedRecord(store, sessionId)) && !(await store.exists(organizeOutputPaths(sessionId).undo));
}

/** Where an organize session stands, from its files. */
export type OrganizeState = "none" | "planned" | "applied" | "partially-applied" | "undone";

/** `planned`: plan.json and no applied.json; `applied` / `partially-applied`: applied.json (complete or not); `undone`: undo.json. */
export async function readOrganizeState(store: StagingStore, sessionId: string): Promise<OrganizeState> {
	const out = organizeOutputPaths(sessionId);
	if (await store.exists(out.undo)) return "undone";
	if (await hasAppliedRecord(store, sessionId)) {
		try {
			const state = await readAppliedState(store, sessionId);
			return state?.record.complete ? "applied" : "partially-applied";
		} catch {
			return "partially-applied";
		}
	}
	return (await store.exists(out.plan)) ? "planned" : "none";
}

/**
 * Applies the plan an earlier preview (`runOrganizeSession` with `apply: false`) saved in the session: reads
 * plan.json, applies it (notes that changed since the plan are left alone and reported), records every change
 * in the journal ahead of each change (so a crash, a full disk or a cancel can still be undone; applied.json at the end) and finishes the
 * organize phase with the counts. Refuses a session without a plan, one already applied, or one running.
 */
export function applyOrganizeSession(
	deps: OrganizeSessionDeps,
	sessionId: string,
	options: ApplyOrganizeOptions,
): Promise<ApplyOrganizeResult> {
	return lockedOrganize(deps, "organize apply", sessionId, () => applyOrganizeSessionLocked(deps, sessionId, options));
}

async function applyOrganizeSessionLocked(
	deps: OrganizeSessionDeps,
	sessionId: string,
	options: ApplyOrganizeOptions,
): Promise<ApplyOrganizeResult> {
	const sessions = new SessionManager(deps.store, deps.clock);
	const phases = new PhaseManager(deps.store, deps.clock, sessions);
	const phase = await phases.load(sessionId, "organize");
	if (phase.status === "running") throw new OrganizeSessionError(`Session ${sessionId} is still running its organize phase`);
	const out = organizeOutputPaths(sessionId);
	if (!(await deps.store.exists(out.plan)))
		throw new OrganizeSessionError(`Session ${sessionId} has no organize plan (${out.plan} is missing)`);
	if (await hasAppliedRecord(deps.store, sessionId))
		throw new OrganizeSessionError(`The organize plan of session ${sessionId} was already applied (${out.applied})`);
	let plan: Plan;
	try {
		plan = PlanSchema().parse(JSON.parse(await deps.store.read(out.plan)));
	} catch (error) {
		throw new OrganizeSessionError(`${out.plan} cannot be read: ${error instanceof Error ? error.message : String(error)}`);
	}
	await phases.startPhase(sessionId, "organize");
	await phases.startStage(sessionId, "organize", "load");
	try {
		const appliedAt = deps.clock.now();
		const journal = await ApplyJournal.open(deps.store, sessionId, { planCreatedAt: plan.createdAt, appliedAt: appliedAt.toISOString() });
		const { record, cancelled } = await withImportIndexSync(deps.store, deps.logger, (changes) =>
			applyInTwoPasses(deps.vault, plan, remainingWork(plan, undefined), {
				rewriteLinks: options.rewriteLinks,
				now: appliedAt,
				signal: options.signal,
				journal,
				changes,
				onStep: (done, total, last) => options.onProgress?.({ done, total, last }),
			}),
		);
		// The record as it ends (a cancel leaves it incomplete); the journal already holds all of it.
		await saveAppliedRecord(deps.store, sessionId, record);
		const counts = itemCounts(plan.items, record);
		await phases.finishStage(sessionId, "organize", "load", { items_count: plan.items.length, counts, stopped: cancelled });
		const moved = record.operations.filter((operation) => operation.type === "move").length;
		await phases.finishPhase(
			sessionId,
			"organize",
			counts,
			cancelled ? `Apply cancelled after ${moved} moves; resume the session to go on, or undo what was done` : undefined,
			cancelled,
		);
		return { sessionId, plan, record, counts, cancelled };
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		await phases.finishStage(sessionId, "organize", "load", { failed: true });
		await phases.finishPhase(sessionId, "organize", phase.counts, message);
		throw error;
	}
}
