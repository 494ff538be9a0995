import type { Counts } from "../model/counts";
import { runStage, type StageProgress } from "../pipeline/stage-runner";
import { silentLogger, type Logger } from "../ports/logger";
import type { Clock } from "../ports/clock";
import type { NoteVault } from "../ports/note-vault";
import type { StagingStore } from "../ports/staging-store";
import { PhaseManager } from "../session/phase-manager";
import { SessionManager } from "../session/session-manager";
import { stageOutputDir } from "../session/paths";
import { applyPlan, AppliedRecordSchema, undoPlan, type AppliedRecord, type UndoResult } from "./apply-plan";
import { failedItem, listOrganizeInputs, planNote, settleTargets, type OrganizeOptions } from "./plan-organize";
import { PlanSchema, renderPlanMarkdown, type Plan, type PlanItem } from "./plan";

export interface OrganizeSessionDeps {
	store: StagingStore;
	vault: NoteVault;
	clock: Clock;
	logger?: Logger;
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
}

export interface OrganizeSessionResult {
	sessionId: string;
	plan: Plan;
	record?: AppliedRecord;
	counts: Counts;
}

/** Files of an organize session, below `<session>/organize/load/output/`. */
export function organizeOutputPaths(sessionId: string): { plan: string; planMarkdown: string; applied: string; undo: string } {
	const dir = stageOutputDir(sessionId, "organize", "load");
	return { plan: `${dir}/plan.json`, planMarkdown: `${dir}/plan.md`, applied: `${dir}/applied.json`, undo: `${dir}/undo.json` };
}

/**
 * An organize session: phase `organize` with extract (list the notes), transform (read, classify, normalise
 * each note; a failure fails that item only) and load (settle name conflicts, write plan.json and plan.md, and
 * apply when asked, recording every change in applied.json for undo).
 */
export async function runOrganizeSession(deps: OrganizeSessionDeps, options: OrganizeSessionOptions): Promise<OrganizeSessionResult> {
	const sessions = new SessionManager(deps.store, deps.clock);
	const phases = new PhaseManager(deps.store, deps.clock, sessions);
	const sessionId = options.sessionId ?? (await sessions.create({ debugMode: options.debugMode ?? false })).session_id;
	await phases.create(sessionId, "organize");
	await phases.startPhase(sessionId, "organize");
	const now = options.now ?? deps.clock.now();
	try {
		await phases.startStage(sessionId, "organize", "extract");
		const paths = await listOrganizeInputs(deps.vault, options.folder);
		await deps.store.writeAtomic(`${stageOutputDir(sessionId, "organize", "extract")}/notes.json`, `${JSON.stringify(paths, null, "\t")}\n`);
		await phases.finishStage(sessionId, "organize", "extract", {
			items_count: paths.length,
			counts: { total: paths.length, success: paths.length, failed: 0, skipped: 0 },
		});

		// Transform: one item per note, through the generic stage runner (per-item logs, steps, counts, cancel).
		const planned = new Map<string, PlanItem>();
		await runStage({
			ctx: { sessionId, phaseType: "organize", store: deps.store, clock: deps.clock, logger: deps.logger ?? silentLogger, phases },
			stage: "transform",
			items: paths,
			identify: (path) => ({ id: path, title: path.slice(path.lastIndexOf("/") + 1).replace(/\.md$/i, "") }),
			process: async (path, step) => {
				let item: PlanItem;
				try {
					item = await step.run("classify_and_normalize", () => planNote(deps.vault, path, { ...options, now }));
				} catch (error) {
					item = failedItem(path, error);
				}
				planned.set(path, item);
				if (item.status === "failed") throw new Error(item.error?.message ?? item.reason);
				if (item.status === "skipped") return { status: "skipped", reason: item.reason };
				if (item.destination === "review") return { status: "review", reason: item.reason };
				return { status: "success" };
			},
			signal: options.signal,
			onProgress: options.onProgress,
		});
		if (options.signal?.aborted) throw new Error("Organize cancelled; nothing was applied");
		const items = paths.map((path) => planned.get(path)).filter((item): item is PlanItem => item !== undefined);
		await deps.store.writeAtomic(
			`${stageOutputDir(sessionId, "organize", "transform")}/items.jsonl`,
			items.map((item) => JSON.stringify(item)).join("\n") + (items.length > 0 ? "\n" : ""),
		);

		await phases.startStage(sessionId, "organize", "load");
		const policy = options.conflictPolicy ?? "rename";
		const plan: Plan = PlanSchema.parse({
			version: 1,
			createdAt: now.toISOString(),
			folder: options.folder,
			force: options.force ?? false,
			conflictPolicy: policy,
			items: await settleTargets(deps.vault, items, await listOrganizeInputs(deps.vault, ""), policy),
		});
		const out = organizeOutputPaths(sessionId);
		await deps.store.writeAtomic(out.plan, `${JSON.stringify(plan, null, "\t")}\n`);
		await deps.store.writeAtomic(out.planMarkdown, renderPlanMarkdown(plan));
		let record: AppliedRecord | undefined;
		if (options.apply) {
			({ record } = await applyInTwoPasses(deps.vault, plan, {
				rewriteLinks: options.rewriteLinks,
				now: deps.clock.now(),
				onRecord: (progress) => deps.store.writeAtomic(out.applied, `${JSON.stringify(progress, null, "\t")}\n`),
			}));
		}
		const counts = itemCounts(plan.items, record);
		await phases.finishStage(sessionId, "organize", "load", { items_count: plan.items.length, counts });
		await phases.finishPhase(sessionId, "organize", counts);
		return { sessionId, plan, record, counts };
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		await phases.finishPhase(sessionId, "organize", { total: 0, success: 0, failed: 0, skipped: 0 }, message);
		throw error;
	}
}

function itemCounts(items: readonly PlanItem[], record?: AppliedRecord): Counts {
	const failedPaths = new Set(record?.failures.map((failure) => failure.path));
	const counts: Counts = { total: items.length, success: 0, failed: 0, skipped: 0, review: 0 };
	for (const item of items) {
		if (item.status === "failed" || failedPaths.has(item.from)) counts.failed++;
		else if (item.status === "skipped") counts.skipped++;
		else counts.success++;
		if (item.status === "planned" && item.destination === "review") counts.review = (counts.review ?? 0) + 1;
	}
	return counts;
}

/** Undoes the organize run of a session from its applied.json; writes undo.json beside it. */
export async function undoOrganizeSession(deps: OrganizeSessionDeps, sessionId: string): Promise<UndoResult> {
	const out = organizeOutputPaths(sessionId);
	if (!(await deps.store.exists(out.applied))) {
		throw new Error(`Session ${sessionId} has no applied organize run (${out.applied} is missing)`);
	}
	const record = AppliedRecordSchema.parse(JSON.parse(await deps.store.read(out.applied)));
	const result = await undoPlan(deps.vault, record);
	await deps.store.writeAtomic(out.undo, `${JSON.stringify({ undoneAt: deps.clock.now().toISOString(), ...result }, null, "\t")}\n`);
	return result;
}


/** A session that cannot be applied as asked (no plan, already applied, running). */
export class OrganizeSessionError extends Error {
	override readonly name = "OrganizeSessionError";
}

/** Thrown inside `applyPlan`'s progress callback to stop between two notes. */
class ApplyCancelled extends Error {}

interface TwoPassOptions {
	rewriteLinks: boolean;
	now: Date;
	signal?: AbortSignal;
	/** The record so far (both passes together), after every note: written to applied.json for undo. */
	onRecord?: (record: AppliedRecord) => Promise<void> | void;
	/** After every note of either pass: how many of `total` steps are done. */
	onStep?: (done: number, total: number, item?: PlanItem) => void;
}

/**
 * Applies a plan in two passes: first every edit at the note's old path (each note checked against its
 * planned hash), then every move. When the vault updates links as notes move (Obsidian's FileManager.renameFile),
 * a move rewrites the notes linking to it; in one pass a later note that links to an earlier one would then no
 * longer match its planned hash and be refused. Undo reverses the moves first (links go back), then the edits.
 * A note whose edit failed is not moved either.
 */
async function applyInTwoPasses(vault: NoteVault, plan: Plan, options: TwoPassOptions): Promise<{ record: AppliedRecord; cancelled: boolean }> {
	const planned = plan.items.filter((item) => item.status === "planned");
	const editItems = planned.map((item) => ({ ...item, to: item.from }));
	const total = editItems.length + planned.filter((item) => item.from !== item.to).length;
	let done = 0;
	let first: AppliedRecord | null = null;
	let latest: AppliedRecord | null = null;
	/** Pass 1's record, or pass 1's followed by pass 2's. */
	const merged = (record: AppliedRecord): AppliedRecord =>
		first === null
			? { ...record, operations: [...record.operations], failures: [...record.failures], complete: false }
			: {
					...first,
					operations: [...first.operations, ...record.operations],
					failures: [...first.failures, ...record.failures],
					linkEdits: record.linkEdits,
					complete: record.complete,
				};
	const onProgress = async (record: AppliedRecord, item?: PlanItem): Promise<void> => {
		latest = merged(record);
		await options.onRecord?.(latest);
		if (item) options.onStep?.(++done, total, item);
		if (options.signal?.aborted) throw new ApplyCancelled();
	};
	try {
		first = await applyPlan(vault, { ...plan, items: editItems }, { rewriteLinks: false, now: options.now, onProgress });
		const failed = new Set(first.failures.map((failure) => failure.path));
		const moveItems = planned
			.filter((item) => item.from !== item.to && !failed.has(item.from))
			.map(({ sourceHash: _planned, ...item }) => ({ ...item, frontmatterChanges: [], contentChanged: false }));
		const second = await applyPlan(vault, { ...plan, items: moveItems }, { rewriteLinks: options.rewriteLinks, now: options.now, onProgress });
		return { record: merged(second), cancelled: false };
	} catch (error) {
		if (!(error instanceof ApplyCancelled)) throw error;
		const empty: AppliedRecord = { version: 1, planCreatedAt: plan.createdAt, appliedAt: options.now.toISOString(), operations: [], failures: [], linkEdits: 0, complete: false };
		return { record: { ...(latest ?? empty), complete: false }, cancelled: true };
	}
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

/** Where an organize session stands, from its files. */
export type OrganizeState = "none" | "planned" | "applied" | "partially-applied" | "undone";

/** `planned`: plan.json and no applied.json; `applied` / `partially-applied`: applied.json (complete or not); `undone`: undo.json. */
export async function readOrganizeState(store: StagingStore, sessionId: string): Promise<OrganizeState> {
	const out = organizeOutputPaths(sessionId);
	if (await store.exists(out.undo)) return "undone";
	if (await store.exists(out.applied)) {
		try {
			const record = AppliedRecordSchema.parse(JSON.parse(await store.read(out.applied)));
			return record.complete ? "applied" : "partially-applied";
		} catch {
			return "partially-applied";
		}
	}
	return (await store.exists(out.plan)) ? "planned" : "none";
}

/**
 * Applies the plan an earlier preview (`runOrganizeSession` with `apply: false`) saved in the session: reads
 * plan.json, applies it (notes that changed since the plan are left alone and reported), records every change
 * in applied.json (written after every note, so a crash or a cancel can still be undone) and finishes the
 * organize phase with the counts. Refuses a session without a plan, one already applied, or one running.
 */
export async function applyOrganizeSession(deps: OrganizeSessionDeps, sessionId: string, options: ApplyOrganizeOptions): Promise<ApplyOrganizeResult> {
	const sessions = new SessionManager(deps.store, deps.clock);
	const phases = new PhaseManager(deps.store, deps.clock, sessions);
	const phase = await phases.load(sessionId, "organize");
	if (phase.status === "running") throw new OrganizeSessionError(`Session ${sessionId} is still running its organize phase`);
	const out = organizeOutputPaths(sessionId);
	if (!(await deps.store.exists(out.plan))) throw new OrganizeSessionError(`Session ${sessionId} has no organize plan (${out.plan} is missing)`);
	if (await deps.store.exists(out.applied)) throw new OrganizeSessionError(`The organize plan of session ${sessionId} was already applied (${out.applied})`);
	let plan: Plan;
	try {
		plan = PlanSchema.parse(JSON.parse(await deps.store.read(out.plan)));
	} catch (error) {
		throw new OrganizeSessionError(`${out.plan} cannot be read: ${error instanceof Error ? error.message : String(error)}`);
	}
	await phases.startPhase(sessionId, "organize");
	await phases.startStage(sessionId, "organize", "load");
	try {
		const { record, cancelled } = await applyInTwoPasses(deps.vault, plan, {
			rewriteLinks: options.rewriteLinks,
			now: deps.clock.now(),
			signal: options.signal,
			onRecord: (progress) => deps.store.writeAtomic(out.applied, `${JSON.stringify(progress, null, "\t")}\n`),
			onStep: (done, total, last) => options.onProgress?.({ done, total, last }),
		});
		// The final record (a cancel returns the last one written, marked incomplete).
		await deps.store.writeAtomic(out.applied, `${JSON.stringify(record, null, "\t")}\n`);
		const counts = itemCounts(plan.items, record);
		await phases.finishStage(sessionId, "organize", "load", { items_count: plan.items.length, counts, failed: cancelled });
		const moved = record.operations.filter((operation) => operation.type === "move").length;
		await phases.finishPhase(
			sessionId,
			"organize",
			counts,
			cancelled ? `Apply cancelled after ${moved} moves; undo reverses what was done` : undefined,
		);
		return { sessionId, plan, record, counts, cancelled };
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		await phases.finishStage(sessionId, "organize", "load", { failed: true });
		await phases.finishPhase(sessionId, "organize", phase.counts, message);
		throw error;
	}
}
