import { ItemStatusIndex } from "../logs/item-status-index";
import { withImportIndexSync } from "../import/load/index-sync";
import type { Counts } from "../model/counts";
import type { StageProgress } from "../pipeline/stage-runner";
import { PhaseManager } from "../session/phase-manager";
import { SessionManager } from "../session/session-manager";
import { sha256Hex } from "../util/sha256";
import type { AppliedRecord } from "./apply-plan";
import { ApplyJournal, finishCutMoves, readAppliedState, saveAppliedRecord } from "./apply-journal";
import type { GenreClassifier } from "./classify-genre";
import type { Genre } from "./genres";
import { lockedOrganize, OrganizeSessionError, type OrganizeSessionDeps } from "./organize-session";
import { readOrganizeRunOptions, type OrganizeRunOptions } from "./organize-run-options";
import {
	applyInTwoPasses,
	itemCounts,
	notesListPath,
	organizeOutputPaths,
	readPlannedItems,
	remainingWork,
	runPlanStage,
	planStageCounts,
	savePlan,
	writeOrganizePlan,
	writePlanFolded,
} from "./organize-stages";
import { incomingLinks, listOrganizeInputs, settleTargets, type OrganizeOptions } from "./plan-organize";
import { PlanSchema, type Plan, type PlanItem } from "./plan";

export type ContinueMode = "resume" | "retry";

export interface ContinueOrganizeOptions {
	/** Rewrite links ourselves (CLI: true; the plugin moves with FileManager.renameFile, which does it: false). */
	rewriteLinks: boolean;
	/** Needed again when the session classified by a given classifier (the LLM); otherwise by keywords. */
	classifier?: GenreClassifier;
	/** The genre table, for sessions that did not record theirs (recorded options win). */
	genres?: readonly Genre[];
	/** Cancels planning (between notes) or applying (between notes; what was done stays undoable). */
	signal?: AbortSignal;
	/** Planning progress (the transform stage). */
	onProgress?: (progress: StageProgress) => void;
	/** Applying progress: `done` of `total` steps (an edit pass, then a move pass). */
	onApplyProgress?: (progress: { done: number; total: number; last?: PlanItem }) => void;
}

export interface ContinueOrganizeResult {
	sessionId: string;
	mode: ContinueMode;
	/** The plan as it stands (null when planning was cancelled before it was written). */
	plan: Plan | null;
	/** applied.json as it stands, when the plan was (partly) applied. */
	record?: AppliedRecord;
	counts: Counts;
	/** The signal stopped the run; resume goes on from there. */
	cancelled: boolean;
	/** Set when there was nothing to do ("nothing to resume", "no failed items to retry"). */
	message?: string;
}

/**
 * Goes on with an organize session that was interrupted: planning (the notes not yet planned are planned,
 * then the plan is written as in a first run, and applied when the run was asked to apply) or applying (the
 * plan items not yet applied are applied; applied.json keeps every change, so undo restores everything).
 */
export function resumeOrganizeSession(
	deps: OrganizeSessionDeps,
	sessionId: string,
	options: ContinueOrganizeOptions,
): Promise<ContinueOrganizeResult> {
	return continueOrganizeSession(deps, sessionId, "resume", options);
}

/**
 * Redoes the failed items of an organize session: notes whose planning failed (e.g. broken YAML since fixed)
 * are planned again and merged into the plan; when the plan was applied, they are applied too, and so are the
 * notes applied.json records as failures (a note changed since the plan is planned again first). Also does what
 * a resume would when the session was interrupted.
 */
export function retryOrganizeSession(
	deps: OrganizeSessionDeps,
	sessionId: string,
	options: ContinueOrganizeOptions,
): Promise<ContinueOrganizeResult> {
	return continueOrganizeSession(deps, sessionId, "retry", options);
}

export function continueOrganizeSession(
	deps: OrganizeSessionDeps,
	sessionId: string,
	mode: ContinueMode,
	options: ContinueOrganizeOptions,
): Promise<ContinueOrganizeResult> {
	return lockedOrganize(deps, `organize ${mode}`, sessionId, () => continueOrganizeSessionLocked(deps, sessionId, mode, options));
}

// Long on purpose: the decision of what a resume or retry still has to do, in order; the doing is in named parts
// (failedToRedo, planOptionsOf, runPlanStage, applyRest).
async function continueOrganizeSessionLocked(
	deps: OrganizeSessionDeps,
	sessionId: string,
	mode: ContinueMode,
	options: ContinueOrganizeOptions,
): Promise<ContinueOrganizeResult> {
	const { store, vault, clock } = deps;
	const sessions = new SessionManager(store, clock);
	const phases = new PhaseManager(store, clock, sessions);
	const session = await sessions.load(sessionId);
	if (!(await phases.exists(sessionId, "organize"))) throw new OrganizeSessionError(`Session ${sessionId} has no organize phase`);
	const phase = await phases.load(sessionId, "organize");
	const out = organizeOutputPaths(sessionId);
	if (await store.exists(out.undo))
		throw new OrganizeSessionError(`The organize run of session ${sessionId} was undone; start a new organize session`);
	let plan = (await store.exists(out.plan)) ? await readJson(store, out.plan, (v) => PlanSchema().parse(v)) : null;
	let applied;
	try {
		applied = await readAppliedState(store, sessionId, vault, deps.logger);
	} catch (error) {
		throw new OrganizeSessionError(error instanceof Error ? error.message : String(error));
	}
	const record = applied?.record;
	const runOptions = (await readOrganizeRunOptions(store, sessionId)) ?? (plan ? optionsOfPlan(plan, record !== undefined) : null);
	if (!runOptions) {
		throw new OrganizeSessionError(
			`Session ${sessionId} cannot be ${mode}d: its organize options were not recorded; start a new organize session`,
		);
	}
	// The notes planned so far (items.jsonl proves a note planned: a resume passes over them; a retry plans the failed).
	const saved = await readPlannedItems(store, sessionId, deps.logger);
	const logged = await ItemStatusIndex.read(store, sessionId, "organize", deps.logger);

	const { replan, reapply } =
		mode === "retry" ? await failedToRedo(vault, saved, plan, record) : { replan: new Set<string>(), reapply: new Set<string>() };
	// What an earlier run left half done (cancelled or killed) is planned again, on resume as on retry.
	for (const path of unsettledNotes(saved, plan, logged)) replan.add(path);
	const applyPending = record ? !record.complete : runOptions.apply;
	const planningDone = plan !== null;
	if (planningDone && !applyPending && replan.size === 0 && reapply.size === 0) {
		const message =
			mode === "retry"
				? "No failed items to retry"
				: record
					? "The organize run is complete: nothing to resume"
					: "The plan is ready: nothing to resume (apply it to go on)";
		return { sessionId, mode, plan, ...(record ? { record } : {}), counts: phase.counts, cancelled: false, message };
	}
	const needsPlanning = !planningDone || replan.size > 0;
	if (needsPlanning && runOptions.classifier === "custom" && !options.classifier) {
		throw new OrganizeSessionError(`Session ${sessionId} classified notes with a model; give the LLM settings again to ${mode} it`);
	}

	await sessions.markResumed(sessionId);
	await phases.startPhase(sessionId, "organize");
	try {
		if (needsPlanning) {
			const paths = await extractedPaths(deps, phases, sessionId, runOptions, phase.stages.extract.status === "completed");
			const planOptions = planOptionsOf(runOptions, options, vault);
			// Done: saved in an earlier run, and not to be redone.
			const skip = (path: string): boolean => saved.has(path) && !replan.has(path);
			const earlierItems = paths.flatMap((path) => (skip(path) ? (saved.get(path) ?? []) : []));
			await runPlanStage({
				deps,
				phases,
				sessionId,
				paths,
				options: planOptions,
				skip,
				// Counted from the start; the notes planned again leave the folded count before they get a record.
				earlier: {
					counts: planStageCounts(earlierItems),
					folded: planStageCounts(earlierItems.filter((item) => logged.statusOf("transform", item.from) === undefined)),
				},
				// A note planned again gets a record whatever comes of it: its new outcome replaces its failure.
				logAlways: (path) => replan.has(path),
				debugMode: session.debug_mode,
				...(options.signal ? { signal: options.signal } : {}),
				...(options.onProgress ? { onProgress: options.onProgress } : {}),
			});
			// The stage's counts over every run of it, from the saved items; those without a record are folded (status).
			const items = await readPlannedItems(store, sessionId, deps.logger);
			const latest = paths.flatMap((path) => items.get(path) ?? []);
			const transformCounts = planStageCounts(latest);
			const loggedNow = await ItemStatusIndex.read(store, sessionId, "organize", deps.logger);
			await writePlanFolded(
				store,
				sessionId,
				planStageCounts(latest.filter((item) => loggedNow.statusOf("transform", item.from) === undefined)),
			);
			await phases.finishStage(sessionId, "organize", "transform", {
				items_count: transformCounts.total,
				counts: transformCounts,
				stopped: options.signal?.aborted === true,
			});
			if (options.signal?.aborted) {
				// A plan not applied yet is made again now, with what was planned again before the cancel: Apply reads
				// plan.json. (An applied one is left: the next resume or retry plans those notes again and applies them.)
				if (plan && !record) ({ plan } = await rebuildPlan(deps, sessionId, runOptions, paths, items));
				const counts = {
					total: paths.length,
					success: transformCounts.success + (transformCounts.review ?? 0),
					failed: transformCounts.failed,
					skipped: transformCounts.skipped,
				};
				await phases.finishPhase(sessionId, "organize", counts, "Organize cancelled; resume the session to go on", true);
				return { sessionId, mode, plan, ...(record ? { record } : {}), counts, cancelled: true };
			}
			await phases.startStage(sessionId, "organize", "load");
			if (!record) {
				({ plan } = await rebuildPlan(deps, sessionId, runOptions, paths, items));
			} else if (plan) {
				// Applied: the notes planned again are settled against the vault as it is now and put in the plan.
				const fresh = [...replan].flatMap((path) => items.get(path) ?? []);
				const targets = plan.items.filter((item) => item.status === "planned" && !replan.has(item.from)).map((item) => item.to);
				const settled = await settleTargets(
					vault,
					fresh,
					[...(await listOrganizeInputs(vault, "")), ...targets],
					runOptions.conflictPolicy,
				);
				const byPath = new Map(settled.map((item) => [item.from, item]));
				plan = { ...plan, items: plan.items.map((item) => byPath.get(item.from) ?? item) };
				await savePlan(store, sessionId, plan);
			}
		} else {
			await phases.startStage(sessionId, "organize", "load");
		}
		if (!plan) throw new OrganizeSessionError(`Session ${sessionId} has no organize plan (${out.plan} is missing)`);

		if (!record && !runOptions.apply) {
			const counts = itemCounts(plan.items);
			await phases.finishStage(sessionId, "organize", "load", { items_count: plan.items.length, counts });
			await phases.finishPhase(sessionId, "organize", counts);
			return { sessionId, mode, plan, counts, cancelled: false };
		}
		return await applyRest(deps, phases, { sessionId, mode, plan, applied, retried: new Set([...reapply, ...replan]) }, options);
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		await phases.finishPhase(sessionId, "organize", phase.counts, message).catch(() => undefined);
		throw error;
	}
}

/** Not applied yet: the whole plan is made again from the saved items (names settled as in a first run). */
function rebuildPlan(
	deps: OrganizeSessionDeps,
	sessionId: string,
	runOptions: OrganizeRunOptions,
	paths: readonly string[],
	items: ReadonlyMap<string, PlanItem>,
): Promise<{ plan: Plan; planJson: string }> {
	return writeOrganizePlan(
		deps,
		sessionId,
		paths.flatMap((path) => items.get(path) ?? []),
		{
			createdAt: runOptions.now,
			folder: runOptions.folder,
			force: runOptions.force,
			conflictPolicy: runOptions.conflictPolicy,
			...(runOptions.userNoteRules !== undefined ? { userNoteRules: runOptions.userNoteRules } : {}),
		},
	);
}

/**
 * Notes an earlier run left with their saved item, their record and the plan out of step, which no later run would
 * otherwise look at again: a note planned again (its item saved) by a retry that was cancelled or killed before
 * plan.json took it (the plan still has its old item: failed, or of another version of the note), and a note whose
 * item was saved by a run killed before its record was (its latest record says failed, its item does not).
 */
function unsettledNotes(saved: ReadonlyMap<string, PlanItem>, plan: Plan | null, logged: ItemStatusIndex): string[] {
	const out: string[] = [];
	for (const item of plan?.items ?? []) {
		const latest = saved.get(item.from);
		if (latest && ((latest.status === "failed") !== (item.status === "failed") || latest.sourceHash !== item.sourceHash))
			out.push(item.from);
	}
	for (const [path, item] of saved) if (item.status !== "failed" && logged.statusOf("transform", path) === "failed") out.push(path);
	return out;
}

/** What a retry redoes: notes whose planning failed, and notes whose applying failed (planned again if changed). */
async function failedToRedo(
	vault: OrganizeSessionDeps["vault"],
	saved: ReadonlyMap<string, PlanItem>,
	plan: Plan | null,
	record: AppliedRecord | undefined,
): Promise<{ replan: Set<string>; reapply: Set<string> }> {
	const replan = new Set<string>();
	for (const [path, item] of saved) if (item.status === "failed") replan.add(path);
	const reapply = new Set<string>();
	if (!plan || !record) return { replan, reapply };
	const planned = new Map(plan.items.filter((item) => item.status === "planned").map((item) => [item.from, item]));
	for (const failure of record.failures) {
		const item = planned.get(failure.path);
		if (!item) continue; // a link that could not be kept: nothing to redo
		const state = record.items?.[failure.path];
		if (state !== "move-failed" && state !== "edited" && (await vault.exists(item.from)) && item.sourceHash !== undefined) {
			// The edit was refused: if the note changed since the plan, plan it again from what it is now.
			if (sha256Hex(await vault.read(item.from)) !== item.sourceHash) {
				replan.add(item.from);
				continue;
			}
		}
		reapply.add(item.from);
	}
	return { replan, reapply };
}

/** The planning options a continued run uses: the session's recorded ones (and the model given now). */
function planOptionsOf(
	runOptions: OrganizeRunOptions,
	options: ContinueOrganizeOptions,
	vault: OrganizeSessionDeps["vault"],
): OrganizeOptions {
	return {
		folder: runOptions.folder,
		force: runOptions.force,
		conflictPolicy: runOptions.conflictPolicy,
		topicFolders: runOptions.topicFolders,
		...(runOptions.reviewFolder !== undefined ? { reviewFolder: runOptions.reviewFolder } : {}),
		...(runOptions.dustFolder !== undefined ? { dustFolder: runOptions.dustFolder } : {}),
		...((runOptions.genres ?? options.genres) ? { genres: runOptions.genres ?? options.genres } : {}),
		...(options.classifier ? { classifier: options.classifier } : {}),
		now: new Date(runOptions.now),
		...(runOptions.genreParent !== undefined ? { genreParent: runOptions.genreParent } : {}),
		...(runOptions.exclude !== undefined ? { exclude: runOptions.exclude } : {}),
		...(runOptions.userNoteRules !== undefined ? { userNoteRules: runOptions.userNoteRules } : {}),
		hasIncomingLinks: incomingLinks(vault),
	};
}

/**
 * Applies what is left of the plan (all of it when it was never applied; the notes not reached, and those retried,
 * when it was), the journal first told what the vault says of changes a kill left open; finishes the phase.
 */
async function applyRest(
	deps: OrganizeSessionDeps,
	phases: PhaseManager,
	run: {
		sessionId: string;
		mode: ContinueMode;
		plan: Plan;
		applied: Awaited<ReturnType<typeof readAppliedState>>;
		retried: Set<string>;
	},
	options: ContinueOrganizeOptions,
): Promise<ContinueOrganizeResult> {
	const { store, vault, clock } = deps;
	const { sessionId, mode, plan, applied, retried } = run;
	const record = applied?.record;
	const now = clock.now();
	const journal = await ApplyJournal.open(store, sessionId, {
		planCreatedAt: plan.createdAt,
		appliedAt: record?.appliedAt ?? now.toISOString(),
		nextN: applied?.nextN ?? 0,
	});
	if (applied?.source === "applied.json") await journal.seed(applied.record);
	// What the vault says of the changes a kill left open goes in the journal first.
	for (const { n, happened } of applied?.settled ?? []) await journal.end(n, happened);
	if (applied) await finishCutMoves(vault, applied);
	const planned = plan; // (narrowed: not null here)
	const result = await withImportIndexSync(store, deps.logger, (changes) =>
		applyInTwoPasses(vault, planned, remainingWork(planned, record, retried), {
			rewriteLinks: options.rewriteLinks,
			now,
			...(options.signal ? { signal: options.signal } : {}),
			...(record ? { previous: record } : {}),
			retried,
			journal,
			changes,
			onStep: (done, total, last) => options.onApplyProgress?.({ done, total, ...(last ? { last } : {}) }),
		}),
	);
	await saveAppliedRecord(store, sessionId, result.record);
	const counts = itemCounts(plan.items, result.record);
	await phases.finishStage(sessionId, "organize", "load", { items_count: plan.items.length, counts, stopped: result.cancelled });
	await phases.finishPhase(
		sessionId,
		"organize",
		counts,
		result.cancelled ? "Apply cancelled; resume the session to go on, or undo what was done" : undefined,
		result.cancelled,
	);
	return { sessionId, mode, plan, record: result.record, counts, cancelled: result.cancelled };
}

async function readJson<T>(store: OrganizeSessionDeps["store"], path: string, parse: (value: unknown) => T): Promise<T> {
	try {
		return parse(JSON.parse(await store.read(path)));
	} catch (error) {
		throw new OrganizeSessionError(`${path} cannot be read: ${error instanceof Error ? error.message : String(error)}`);
	}
}

/** A session from before options were recorded: what its plan says (keywords, default genres). */
function optionsOfPlan(plan: Plan, applied: boolean): OrganizeRunOptions {
	return {
		folder: plan.folder,
		force: plan.force,
		conflictPolicy: plan.conflictPolicy,
		topicFolders: false,
		now: plan.createdAt,
		apply: applied,
		classifier: "keywords",
	};
}

/** The notes the session lists (notes.json); listed again when its extract stage never finished. */
async function extractedPaths(
	deps: OrganizeSessionDeps,
	phases: PhaseManager,
	sessionId: string,
	runOptions: OrganizeRunOptions,
	extractDone: boolean,
): Promise<string[]> {
	const path = notesListPath(sessionId);
	if (extractDone && (await deps.store.exists(path))) {
		const value: unknown = JSON.parse(await deps.store.read(path));
		if (Array.isArray(value) && value.every((entry) => typeof entry === "string")) return value;
	}
	await phases.startStage(sessionId, "organize", "extract");
	const paths = await listOrganizeInputs(deps.vault, runOptions.folder);
	await deps.store.writeAtomic(path, `${JSON.stringify(paths, null, "\t")}\n`);
	await phases.finishStage(sessionId, "organize", "extract", {
		items_count: paths.length,
		counts: { total: paths.length, success: paths.length, failed: 0, skipped: 0 },
	});
	return paths;
}
