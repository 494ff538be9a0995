import type { Clock } from "../ports/clock";
import type { StagingStore } from "../ports/staging-store";
import type { Counts } from "../model/counts";
import { emptyCounts } from "../model/counts";
import { PhaseSchema, type Phase, type Stage, type StageInput, type Step } from "../model/phase";
import * as z from "../model/zod";
import type { PhaseType, StageType } from "../model/status";
import { SessionNotFoundError } from "./errors";
import { readJsonFile, writeJsonFile } from "./json-file";
import { PHASE_SUBFOLDERS, phaseDir, phaseFile } from "./paths";
import { SessionManager } from "./session-manager";
import { derivePhaseStatus } from "./status";

function newStage(stage: StageType): Stage {
	return { stage_type: stage, status: "pending", started_at: null, completed_at: null, items_count: 0, steps: [] };
}

export function newPhase(phaseType: PhaseType): Phase {
	return {
		phase_type: phaseType,
		status: "pending",
		started_at: null,
		completed_at: null,
		counts: emptyCounts(),
		stages: { extract: newStage("extract"), transform: newStage("transform"), load: newStage("load") },
	};
}

export interface FinishStageOptions {
	/** True when the stage itself broke down (not when single items failed). */
	failed?: boolean;
	/** True when the stage was cancelled before it was through (status `stopped`; a resume goes on with it). */
	stopped?: boolean;
	items_count?: number;
	counts?: Counts;
	steps?: Step[];
	input?: StageInput;
}

/**
 * `<session>/<phase>/phase.json` and its folders. Every method reads, changes and atomically writes phase.json;
 * one process writes a phase at a time. Within it, the changing methods run one after another (the import's
 * three stages run at the same time and each updates its own stage), so no update is lost to another's stale copy.
 */
export class PhaseManager {
	readonly sessions: SessionManager;
	private queue: Promise<unknown> = Promise.resolve();

	constructor(
		private readonly store: StagingStore,
		private readonly clock: Clock,
		sessions?: SessionManager,
	) {
		this.sessions = sessions ?? new SessionManager(store, clock);
	}

	/**
	 * Makes `<session>/<phase>/` with `extract/input/`, `extract/output/`, `transform/output/`, `load/output/`
	 * and writes a pending phase.json. The session must exist; an existing phase.json is never overwritten
	 * (it is loaded and returned, so a resume can call this too).
	 */
	async create(sessionId: string, phaseType: PhaseType): Promise<Phase> {
		if (!(await this.sessions.exists(sessionId))) {
			throw new SessionNotFoundError(sessionId, phaseDir(sessionId, phaseType));
		}
		const dir = phaseDir(sessionId, phaseType);
		for (const sub of PHASE_SUBFOLDERS) await this.store.mkdir(`${dir}/${sub}`);
		if (await this.store.exists(phaseFile(sessionId, phaseType))) return this.load(sessionId, phaseType);
		const phase = newPhase(phaseType);
		await this.save(sessionId, phase);
		return phase;
	}

	async exists(sessionId: string, phaseType: PhaseType): Promise<boolean> {
		return this.store.exists(phaseFile(sessionId, phaseType));
	}

	/** Throws SessionNotFoundError when missing, SessionFileError (file and field) when corrupt. */
	async load(sessionId: string, phaseType: PhaseType): Promise<Phase> {
		const path = phaseFile(sessionId, phaseType);
		if (!(await this.store.exists(path))) throw new SessionNotFoundError(sessionId, path);
		return readJsonFile(this.store, path, PhaseSchema());
	}

	async save(sessionId: string, phase: Phase): Promise<void> {
		await writeJsonFile(this.store, phaseFile(sessionId, phase.phase_type), PhaseSchema().parse(phase, z.FEW_PARSES));
	}

	/** Runs a read-change-write after the ones already queued. */
	private serial<T>(fn: () => Promise<T>): Promise<T> {
		const next = this.queue.then(fn);
		this.queue = next.catch(() => undefined);
		return next;
	}

	/** Changes one stage's entry (counts, steps while it runs), keeping what the other stages saved meanwhile. */
	updateStage(sessionId: string, phaseType: PhaseType, stage: StageType, patch: Partial<Stage>): Promise<Phase> {
		return this.serial(async () => {
			const phase = await this.load(sessionId, phaseType);
			phase.stages[stage] = { ...phase.stages[stage], ...patch };
			await this.save(sessionId, phase);
			return phase;
		});
	}

	/** Phase → running (and the session's entry for it); idempotent. */
	startPhase(sessionId: string, phaseType: PhaseType): Promise<Phase> {
		return this.serial(() => this.startPhaseNow(sessionId, phaseType));
	}

	private async startPhaseNow(sessionId: string, phaseType: PhaseType): Promise<Phase> {
		const phase = await this.load(sessionId, phaseType);
		const now = this.clock.now().toISOString();
		phase.status = "running";
		phase.started_at ??= now;
		phase.completed_at = null;
		await this.save(sessionId, phase);
		await this.sessions.updatePhase(sessionId, phaseType, { status: "running", counts: phase.counts });
		return phase;
	}

	/** Stage → running (a re-run clears its previous steps); the phase becomes running too. */
	startStage(sessionId: string, phaseType: PhaseType, stage: StageType): Promise<Phase> {
		return this.serial(() => this.startStageNow(sessionId, phaseType, stage));
	}

	private async startStageNow(sessionId: string, phaseType: PhaseType, stage: StageType): Promise<Phase> {
		let phase = await this.load(sessionId, phaseType);
		if (phase.status !== "running") phase = await this.startPhaseNow(sessionId, phaseType);
		phase.stages[stage] = {
			...newStage(stage),
			status: "running",
			started_at: this.clock.now().toISOString(),
		};
		await this.save(sessionId, phase);
		return phase;
	}

	/** Stage → completed (or failed when `failed`), with its final counts and steps. */
	finishStage(sessionId: string, phaseType: PhaseType, stage: StageType, options: FinishStageOptions = {}): Promise<Phase> {
		return this.serial(() => this.finishStageNow(sessionId, phaseType, stage, options));
	}

	private async finishStageNow(sessionId: string, phaseType: PhaseType, stage: StageType, options: FinishStageOptions): Promise<Phase> {
		const phase = await this.load(sessionId, phaseType);
		const current = phase.stages[stage];
		phase.stages[stage] = {
			...current,
			status: options.failed ? "failed" : options.stopped ? "stopped" : "completed",
			completed_at: this.clock.now().toISOString(),
			items_count: options.items_count ?? current.items_count,
			steps: options.steps ?? current.steps,
			...(options.counts ? { counts: options.counts } : {}),
			...(options.input ? { input: options.input } : {}),
		};
		await this.save(sessionId, phase);
		return phase;
	}

	/**
	 * Phase → completed | partial | failed by the derivation rule (or failed when `error` is given, e.g. a crash;
	 * stopped when `stopped` is, a cancel: `error` then says so), then the session's `phases[phase]` entry and the
	 * session status follow.
	 */
	finishPhase(sessionId: string, phaseType: PhaseType, counts: Counts, error?: string, stopped = false): Promise<Phase> {
		return this.serial(() => this.finishPhaseNow(sessionId, phaseType, counts, error, stopped));
	}

	private async finishPhaseNow(
		sessionId: string,
		phaseType: PhaseType,
		counts: Counts,
		error: string | undefined,
		stopped: boolean,
	): Promise<Phase> {
		const phase = await this.load(sessionId, phaseType);
		const now = this.clock.now().toISOString();
		phase.counts = counts;
		phase.status = stopped ? "stopped" : error !== undefined ? "failed" : derivePhaseStatus(counts);
		phase.completed_at = now;
		await this.save(sessionId, phase);
		await this.sessions.updatePhase(sessionId, phaseType, {
			status: phase.status,
			counts,
			completed_at: now,
			...(error !== undefined ? { error } : {}),
		});
		return phase;
	}
}
