import { ensureJsonlLineStart, readJsonl } from "../logs/jsonl";
import type { Counts } from "../model/counts";
import { runStage, type StageProgress, type StageResult } from "../pipeline/stage-runner";
import type { Clock } from "../ports/clock";
import { silentLogger, type Logger } from "../ports/logger";
import type { NoteVault } from "../ports/note-vault";
import type { StagingStore } from "../ports/staging-store";
import type { NoteChangeListener } from "../import/load/index-sync";
import type { PhaseManager } from "../session/phase-manager";
import { stageOutputDir } from "../session/paths";
import { applyPlan, rewriteVaultLinks, type AppliedOperation, type AppliedRecord, type OperationLog } from "./apply-plan";
import { failedItem, listOrganizeInputs, planNote, settleTargets, type OrganizeOptions } from "./plan-organize";
import { PlanItemSchema, renderPlanMarkdown, type Plan, type PlanItem } from "./plan";

/**
 * The stages of an organize session, shared by a first run (organize-session.ts) and by resume and retry
 * (continue-organize-session.ts).
 */

export interface OrganizeStageDeps {
	store: StagingStore;
	vault: NoteVault;
	clock: Clock;
	logger?: Logger;
}

/** Files of an organize session, below `<session>/organize/load/output/`. */
export function organizeOutputPaths(sessionId: string): { plan: string; planMarkdown: string; applied: string; undo: string } {
	const dir = stageOutputDir(sessionId, "organize", "load");
	return { plan: `${dir}/plan.json`, planMarkdown: `${dir}/plan.md`, applied: `${dir}/applied.json`, undo: `${dir}/undo.json` };
}

/** The notes the extract stage listed. */
export function notesListPath(sessionId: string): string {
	return `${stageOutputDir(sessionId, "organize", "extract")}/notes.json`;
}

/** Every planned note, one JSON line each, appended as it is planned (a later line for the same note wins). */
export function plannedItemsPath(sessionId: string): string {
	return `${stageOutputDir(sessionId, "organize", "transform")}/items.jsonl`;
}

export interface PlanStageOptions {
	deps: OrganizeStageDeps;
	phases: PhaseManager;
	sessionId: string;
	paths: readonly string[];
	/** `now` set. */
	options: OrganizeOptions;
	/** Every step of every note goes to steps.jsonl (otherwise only a failed note's). */
	debugMode?: boolean;
	/** Notes already planned (resume): passed over. */
	skip?: (path: string) => boolean;
	/** Told every item planned, as it is saved (a first run keeps them, rather than read items.jsonl back). */
	planned?: Map<string, PlanItem>;
	signal?: AbortSignal;
	onProgress?: (progress: StageProgress) => void;
}

/**
 * The transform stage: one item per note through the stage runner (per-item records, steps, counts, cancel).
 * Each note's PlanItem is appended to items.jsonl before its record is logged (in batches: one append of each
 * file per batch, not three per note), so a logged note always has its plan saved and an interrupted run can be
 * resumed.
 */
export async function runPlanStage(args: PlanStageOptions): Promise<StageResult> {
	const { deps, sessionId } = args;
	const itemsPath = plannedItemsPath(sessionId);
	await ensureJsonlLineStart(deps.store, itemsPath);
	// Planned items wait here and are appended in one write just before the records that log them (beforeLog).
	let pending = "";
	const flushItems = async (): Promise<void> => {
		if (pending === "") return;
		const lines = pending;
		pending = "";
		await deps.store.append(itemsPath, lines);
	};
	try {
		return await runStage({
			ctx: {
				sessionId,
				phaseType: "organize",
				store: deps.store,
				clock: deps.clock,
				logger: deps.logger ?? silentLogger,
				phases: args.phases,
			},
			stage: "transform",
			items: args.paths,
			identify: (path) => ({ id: path, title: path.slice(path.lastIndexOf("/") + 1).replace(/\.md$/i, "") }),
			...(args.skip ? { skip: args.skip } : {}),
			// A note is planned when items.jsonl has it (a resume passes over notes both saved and logged): the records can
			// be appended in batches, each batch's items first. A crash loses at most a batch, which a resume plans again.
			logBatchMs: PLAN_LOG_BATCH_MS,
			stepLog: args.debugMode ? "all" : "failed",
			beforeLog: flushItems,
			process: async (path, step) => {
				let item: PlanItem;
				try {
					item = await step.run("classify_and_normalize", () => planNote(deps.vault, path, args.options));
				} catch (error) {
					// Cancelled mid-note (an LLM call aborted): not planned, not logged; a resume plans it.
					if (args.signal?.aborted) throw error;
					item = failedItem(path, error);
				}
				const json = JSON.stringify(item);
				itemJson.set(item, json);
				pending += `${json}\n`;
				args.planned?.set(path, item);
				if (item.status === "failed") throw new Error(item.error?.message ?? item.reason);
				if (item.status === "skipped") return { status: "skipped", reason: item.reason };
				if (item.destination === "review") return { status: "review", reason: item.reason };
				return { status: "success" };
			},
			signal: args.signal,
			onProgress: args.onProgress,
		});
	} finally {
		await flushItems();
	}
}

/**
 * Each planned item's JSON text as items.jsonl got it, so that plan.json is not made by serialising all of them a
 * second time (planJson). A PlanItem is not changed once planned (settleTargets makes a new one for a note it
 * renames or skips, and that one is serialised then).
 */
const itemJson = new WeakMap<PlanItem, string>();

/**
 * The plan as JSON.stringify(plan) gives it, with each item's text taken from items.jsonl's (itemJson) where there
 * is one: the plan's other keys first, `items` last (as every plan is built: writeOrganizePlan, PlanSchema).
 */
export function planJsonText(plan: Plan): string {
	const keys = Object.keys(plan);
	if (keys[keys.length - 1] !== "items") return JSON.stringify(plan);
	const { items, ...head } = plan;
	const before = JSON.stringify(head);
	const texts = items.map((item) => itemJson.get(item) ?? JSON.stringify(item));
	return `${before.slice(0, -1)}${before === "{}" ? "" : ","}"items":[${texts.join(",")}]}`;
}

/** The plan stage appends its items and log records at most this often (see RunStageOptions.logBatchMs). */
const PLAN_LOG_BATCH_MS = 200;

/** The saved PlanItems, the latest per note (a partial last line after a crash is skipped). */
export async function readPlannedItems(store: StagingStore, sessionId: string, logger?: Logger): Promise<Map<string, PlanItem>> {
	const { records } = await readJsonl(store, plannedItemsPath(sessionId), { schema: PlanItemSchema, ...(logger ? { logger } : {}) });
	const out = new Map<string, PlanItem>();
	for (const item of records) out.set(item.from, item);
	return out;
}

export interface PlanHeader {
	folder: string;
	force: boolean;
	conflictPolicy: Plan["conflictPolicy"];
	createdAt: string;
	userNoteRules?: readonly string[];
}

/** Settles name conflicts over the planned notes (in `paths` order) and writes plan.json and plan.md. */
export async function writeOrganizePlan(
	deps: OrganizeStageDeps,
	sessionId: string,
	items: readonly PlanItem[],
	header: PlanHeader,
): Promise<{ plan: Plan; planJson: string }> {
	// Built as the schema has it, not parsed again: every item is a PlanItem already (planNote, failedItem, or read
	// back through PlanItemSchema on resume), and a parse of 10,000 items copied each for nothing (~80 ms).
	const plan: Plan = {
		version: 1,
		createdAt: header.createdAt,
		folder: header.folder,
		force: header.force,
		conflictPolicy: header.conflictPolicy,
		...(header.userNoteRules !== undefined ? { userNoteRules: [...header.userNoteRules] } : {}),
		items: await settleTargets(deps.vault, [...items], await listOrganizeInputs(deps.vault, ""), header.conflictPolicy),
	};
	return { plan, planJson: await savePlan(deps.store, sessionId, plan) };
}

/**
 * Writes plan.json and plan.md; returns plan.json's JSON text (without its final newline), so that a host printing
 * the plan does not serialise it again. plan.json is compact JSON: it is read by programs (apply, resume, the
 * panel: all JSON.parse, so plans written with tabs before read the same); people read plan.md.
 */
export async function savePlan(store: StagingStore, sessionId: string, plan: Plan): Promise<string> {
	const out = organizeOutputPaths(sessionId);
	const planJson = planJsonText(plan);
	await store.writeAtomic(out.plan, `${planJson}\n`);
	await store.writeAtomic(out.planMarkdown, renderPlanMarkdown(plan));
	return planJson;
}

/** Phase counts: a note failed when planning or applying it failed. */
export function itemCounts(items: readonly PlanItem[], record?: AppliedRecord): Counts {
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

/** Which planned notes an apply works on. */
export interface ApplyWork {
	/** Edited at their old path (checked against the planned hash), then moved. */
	full: PlanItem[];
	/** Only moved: their edit is done already. */
	moveOnly: PlanItem[];
}

/** The journal as an apply pass uses it (ApplyJournal). */
export interface ApplyLog extends OperationLog {
	unfail(paths: readonly string[]): Promise<void>;
	linked(moves: number): Promise<void>;
	complete(): Promise<void>;
}

export interface TwoPassOptions {
	rewriteLinks: boolean;
	now: Date;
	signal?: AbortSignal;
	/** The record of earlier runs (resume, retry): new operations follow its own, so undo reverses everything. */
	previous?: AppliedRecord;
	/** Notes applied again (retry): their earlier failures are dropped from the record. */
	retried?: ReadonlySet<string>;
	/**
	 * The write-ahead journal: every change is recorded in it before it is made, and every note's state after, so a
	 * kill or a full disk at any point can be resumed and undone. Without one, nothing is recorded until the end.
	 */
	journal?: ApplyLog;
	/** Told of every note moved or rewritten (the import index follows imported notes). */
	changes?: NoteChangeListener;
	/** After every note of either pass: how many of `total` steps are done. */
	onStep?: (done: number, total: number, item?: PlanItem) => void;
}

const moveCount = (operations: readonly AppliedOperation[]): number => operations.filter((o) => o.type === "move").length;

/**
 * Applies planned notes in two passes: first every edit at the note's old path (each note checked against its
 * planned hash), then every move. When the vault updates links as notes move (Obsidian's FileManager.renameFile),
 * a move rewrites the notes linking to it; in one pass a later note that links to an earlier one would then no
 * longer match its planned hash and be refused. Undo reverses the moves first (links go back), then the edits.
 * A note whose edit failed is not moved either. The record keeps per note how far it went (`items`).
 * Each note costs a constant amount of work and journal (no record rewritten per note): linear in the plan.
 */
// Long on purpose: the edit pass, the move pass and the link rewrite share the record and per-note states, in that
// order; it reads top to bottom.
export async function applyInTwoPasses(
	vault: NoteVault,
	plan: Plan,
	work: ApplyWork,
	options: TwoPassOptions,
): Promise<{ record: AppliedRecord; cancelled: boolean }> {
	const retried = options.retried ?? new Set<string>();
	const previous = options.previous;
	const journal = options.journal;
	const record: AppliedRecord = previous
		? {
				...previous,
				operations: [...previous.operations],
				failures: previous.failures.filter((failure) => !retried.has(failure.path)),
				items: { ...previous.items },
				complete: false,
			}
		: {
				version: 1,
				planCreatedAt: plan.createdAt,
				appliedAt: options.now.toISOString(),
				operations: [],
				failures: [],
				linkEdits: 0,
				complete: false,
				items: {},
			};
	if (previous && retried.size > 0) await journal?.unfail([...retried]);
	const states = (record.items ??= {});
	// Moves already made whose links were not rewritten yet (only the CLI rewrites links itself).
	let linked = previous ? (previous.movesLinked ?? (previous.complete ? moveCount(previous.operations) : 0)) : 0;
	if (!options.rewriteLinks) linked = moveCount(record.operations);
	record.movesLinked = linked;

	const targets = new Map([...work.full, ...work.moveOnly].map((item) => [item.from, item.to]));
	const moving = (item: PlanItem): boolean => (targets.get(item.from) ?? item.to) !== item.from;
	const total = work.full.length + work.full.filter(moving).length + work.moveOnly.filter(moving).length;
	let done = 0;
	const stop = (): boolean => options.signal?.aborted === true;
	const progress = (kind: "edit" | "move") => {
		let failuresSeen = 0;
		return async (pass: AppliedRecord, item?: PlanItem): Promise<void> => {
			if (!item) return;
			const failed = pass.failures.length > failuresSeen;
			failuresSeen = pass.failures.length;
			const state = failed ? (kind === "edit" ? "edit-failed" : "move-failed") : kind === "edit" && moving(item) ? "edited" : "done";
			states[item.from] = state;
			await journal?.itemState(item.from, state);
			options.onStep?.(++done, total, item);
		};
	};
	const merge = (pass: AppliedRecord): void => {
		record.operations.push(...pass.operations);
		record.failures.push(...pass.failures);
		record.linkEdits += pass.linkEdits;
	};
	const passOptions = (kind: "edit" | "move") => ({
		rewriteLinks: false,
		now: options.now,
		onProgress: progress(kind),
		shouldStop: stop,
		...(journal ? { log: journal } : {}),
		...(options.changes ? { changes: options.changes } : {}),
	});
	const cancelled = (): { record: AppliedRecord; cancelled: boolean } => {
		record.items = { ...states };
		return { record, cancelled: true };
	};

	const edits = work.full.map((item) => ({ ...item, to: item.from }));
	merge(await applyPlan(vault, { ...plan, items: edits }, passOptions("edit")));
	if (stop()) return cancelled();
	const toMove = [...work.full.filter((item) => states[item.from] === "edited"), ...work.moveOnly].filter(moving);
	// A note moved just before a crash (not recorded yet, in records without a journal) is adopted, not moved again.
	const moveItems: PlanItem[] = [];
	for (const item of toMove) {
		if (!(await vault.exists(item.from)) && (await vault.exists(item.to))) {
			if (!record.operations.some((o) => o.type === "move" && o.from === item.from && o.to === item.to)) {
				const move: AppliedOperation = { type: "move", from: item.from, to: item.to };
				if (journal) await journal.end(await journal.begin(move), true);
				record.operations.push(move);
				await options.changes?.moved(item.from, item.to);
			}
			states[item.from] = "done";
			await journal?.itemState(item.from, "done");
		} else {
			moveItems.push({ ...item, sourceHash: undefined, frontmatterChanges: [], contentChanged: false });
		}
	}
	merge(await applyPlan(vault, { ...plan, items: moveItems }, passOptions("move")));
	if (stop()) return cancelled();
	const moves = record.operations.filter((o): o is Extract<AppliedOperation, { type: "move" }> => o.type === "move");
	if (options.rewriteLinks && moves.length > linked) {
		const links: AppliedRecord = { ...record, operations: [], failures: [], linkEdits: 0 };
		await rewriteVaultLinks(vault, new Map(moves.slice(linked).map((move) => [move.from, move.to])), links, journal, options.changes);
		merge(links);
	}
	record.movesLinked = moves.length;
	await journal?.linked(moves.length);
	record.complete = true;
	record.items = { ...states };
	await journal?.complete();
	return { record, cancelled: false };
}

/**
 * What is left to apply of a plan, from the record of an earlier run: notes not reached are applied in full,
 * notes edited but not moved are only moved, notes done or failed are left (unless `retried`: a note whose move
 * failed is moved again, one whose edit failed is applied in full). Records written before per-note states
 * existed are read by their operations.
 */
export function remainingWork(plan: Plan, record: AppliedRecord | undefined, retried: ReadonlySet<string> = new Set()): ApplyWork {
	const work: ApplyWork = { full: [], moveOnly: [] };
	const moved = new Set(record?.operations.flatMap((o) => (o.type === "move" ? [o.from] : [])));
	const edited = new Set(record?.operations.flatMap((o) => (o.type === "modify" ? [o.path] : [])));
	const failed = new Set(record?.failures.map((f) => f.path));
	const movesStarted = moved.size > 0;
	for (const item of plan.items) {
		if (item.status !== "planned") continue;
		const state = record?.items?.[item.from];
		if (retried.has(item.from)) {
			if (state === "move-failed" || state === "edited") work.moveOnly.push(item);
			else work.full.push(item);
			continue;
		}
		if (!record) {
			work.full.push(item);
			continue;
		}
		if (record.items) {
			// No state but its edit done: killed between the two (the journal has the edit); only the move is left.
			if (state === undefined) (edited.has(item.from) ? work.moveOnly : work.full).push(item);
			else if (state === "edited") work.moveOnly.push(item);
			continue;
		}
		// An older record: only its operations tell.
		if (moved.has(item.from) || failed.has(item.from)) continue;
		if (movesStarted || edited.has(item.from)) work.moveOnly.push(item);
		else work.full.push(item);
	}
	return work;
}
