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
			record = await applyPlan(deps.vault, plan, {
				rewriteLinks: options.rewriteLinks,
				now: deps.clock.now(),
				onProgress: (progress) => deps.store.writeAtomic(out.applied, `${JSON.stringify(progress, null, "\t")}\n`),
			});
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

