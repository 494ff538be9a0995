import { ensureJsonlLineStart, readJsonl } from "../logs/jsonl";
import { appendPipelineStageRecords, foldedItemsFile, type FoldedItems, type PipelineStageRecord } from "../logs/pipeline-stages";
import { appendStepLogRecords, type StepLogRecord } from "../logs/steps-log";
import { addCounts, type Counts } from "../model/counts";
import type { StageProgress } from "../pipeline/stage-types";
import { StepAggregator } from "../pipeline/step-aggregator";
import { sliceOver, yieldToEventLoop, yieldWhenSliceOver } from "../util/timers";
import type { Clock } from "../ports/clock";
import { silentLogger, type Logger } from "../ports/logger";
import type { NoteVault } from "../ports/note-vault";
import type { StagingStore } from "../ports/staging-store";
import type { NoteChangeListener } from "../import/load/index-sync";
import type { PhaseManager } from "../session/phase-manager";
import { pipelineStagesFile, stageOutputDir, stepsFile } from "../session/paths";
import { applyPlan, rewriteVaultLinks, type AppliedOperation, type AppliedRecord, type OperationLog } from "./apply-plan";
import { failedItem, listOrganizeInputs, planNoteNow, settleTargets, type OrganizeOptions } from "./plan-organize";
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
	/** Every note gets a pipeline_stages.jsonl record and its step in steps.jsonl (otherwise only a failed note). */
	debugMode?: boolean;
	/** Notes already planned (resume): passed over. */
	skip?: (path: string) => boolean;
	/** Notes whose record is written whatever their outcome (retry: a note that failed before gets its new one). */
	logAlways?: (path: string) => boolean;
	/**
	 * Told every item planned, in the order planned, with its JSON text as items.jsonl got it (a first run keeps them,
	 * rather than read items.jsonl back, and makes plan.json from the same texts: see PlannedItems). The texts of a
	 * batch are told when it is appended.
	 */
	planned?: PlannedItems;
	/**
	 * A resume or retry: the counts of the notes planned in earlier runs and passed over now (`skip`), and of those
	 * among them without a record (`folded`). The stage's counts in phase.json and pipeline_folded.json start from
	 * them (both written as the stage starts, and at every periodic save), so the panel and status count every note
	 * once from the first second, and a note planned again is no longer in the folded count when it gets a record.
	 */
	earlier?: { counts: Counts & { review: number }; folded: Counts & { review: number } };
	signal?: AbortSignal;
	onProgress?: (progress: StageProgress) => void;
}

/** The stage's counts in this run, and `folded`: those of the notes planned without a record of their own. */
export interface PlanStageResult {
	counts: Counts & { review: number };
	folded: Counts & { review: number };
	cancelled: boolean;
}

/** What a note's plan counts as in the stage's counts (and its record's status, when it has one). */
function outcomeOf(item: PlanItem): "success" | "skipped" | "failed" | "review" {
	if (item.status === "failed") return "failed";
	if (item.status === "skipped") return "skipped";
	return item.destination === "review" ? "review" : "success";
}

/** Counts of the transform stage over planned items (each note once: its latest item). */
export function planStageCounts(items: Iterable<PlanItem>): Counts & { review: number } {
	const counts = { total: 0, success: 0, failed: 0, skipped: 0, review: 0 };
	for (const item of items) {
		counts.total++;
		counts[outcomeOf(item)]++;
	}
	return counts;
}

const PLAN_STEP = "classify_and_normalize";

/** A note's title in its records: its file name without `.md`. */
const titleOf = (path: string): string => path.slice(path.lastIndexOf("/") + 1).replace(/\.md$/i, "");

/**
 * The transform stage: every note planned in a plain loop, one PlanItem each, appended to items.jsonl in batches
 * (one append per batch; a crash loses at most the batch, which a resume plans again). items.jsonl is what proves a
 * note planned (resume passes over the notes it holds) and what plan.json is made from, so no note needs a record
 * of its own: pipeline_stages.jsonl and steps.jsonl get one only for a note that failed (with its path and reason,
 * for the panel, status and retry), for a note planned again by a retry (its new outcome replaces the failure) and,
 * in debug mode, for every note. The notes that went through are counted in phase.json (saved every couple of
 * seconds while the stage runs, and at its end) and in pipeline_folded.json (see writePlanFolded), where status
 * reads them. This stage used to go through the stage runner: per note ~30 µs of bookkeeping (ordered hand-off,
 * timings, a record and a progress object), more than planning a note costs (issue 20).
 */
// Long on purpose: one loop over the notes with its batch flush and its end; the parts share the run's counters.
export async function runPlanStage(args: PlanStageOptions): Promise<PlanStageResult> {
	const { deps, sessionId, phases, signal } = args;
	const { store, clock } = deps;
	const logger = deps.logger ?? silentLogger;
	const stage = "transform" as const;
	const started = clock.now().getTime();
	await phases.startStage(sessionId, "organize", stage);
	const earlier = args.earlier;
	// The stage's counts over every run (phase.json) and its folded count (pipeline_folded.json) as they stand now.
	const total = (): Counts => (earlier ? addCounts(earlier.counts, counts) : { ...counts });
	const foldedTotal = (): Counts => (earlier ? addCounts(earlier.folded, folded) : { ...folded });
	if (earlier) {
		await phases.updateStage(sessionId, "organize", stage, { items_count: earlier.counts.total, counts: { ...earlier.counts } });
		await writePlanFolded(store, sessionId, earlier.folded);
	}
	const itemsPath = plannedItemsPath(sessionId);
	await ensureJsonlLineStart(store, itemsPath);
	const counts = planStageCounts([]);
	const folded = planStageCounts([]);
	const aggregator = new StepAggregator();
	let resumed = 0;
	// Waiting for the next append: the items' lines, and the records of the notes that get one.
	// Joined at the append (one flat string; a long `+=` chain is first copied into one by the write).
	let pending: string[] = [];
	let batch = 0;
	let batchFailed = 0;
	let batchError: string | undefined;
	let records: PipelineStageRecord[] = [];
	let steps: StepLogRecord[] = [];
	let logsReady = false;
	let batchStart = started;
	let lastSave = started;
	let lastFlush = Date.now();
	const flush = async (): Promise<void> => {
		lastFlush = Date.now();
		const now = clock.now().getTime();
		aggregator.addMany(PLAN_STEP, batchStart, now, batch, batchFailed, batchError);
		[batchStart, batch, batchFailed] = [now, 0, 0];
		// Items first: a note with a record always has its plan saved.
		const lines = pending;
		pending = [];
		if (lines.length > 0) {
			if (args.planned) {
				args.planned.texts.push(lines.join(","));
				args.planned.ends.push(args.planned.items.length);
			}
			lines.push("");
			await store.append(itemsPath, lines.join("\n"));
		}
		if (records.length > 0) {
			for (const path of logsReady ? [] : [pipelineStagesFile(sessionId, "organize"), stepsFile(sessionId, "organize", stage)])
				if (await ensureJsonlLineStart(store, path))
					logger.warn(`${path}: the last line was cut off by an interruption; it will be skipped`);
			logsReady = true;
			const [stageRecords, stepRecords] = [records, steps];
			[records, steps] = [[], []];
			await appendStepLogRecords(store, sessionId, "organize", stage, stepRecords);
			await appendPipelineStageRecords(store, sessionId, "organize", stageRecords);
		}
		if (now - lastSave >= PLAN_SAVE_MS) {
			lastSave = now;
			const sofar = total();
			await phases.updateStage(sessionId, "organize", stage, { items_count: sofar.total, counts: sofar, steps: aggregator.snapshot() });
			// After the items and records appends: a folded note always has its item saved and no record.
			const foldedNow = foldedTotal();
			if (earlier || foldedNow.total > 0) await writePlanFolded(store, sessionId, foldedNow);
		}
	};
	const progress = (last?: StageProgress["last"]): void =>
		args.onProgress?.({
			stage,
			done: counts.total,
			resumed,
			counts: { ...counts },
			...(last ? { last } : {}),
			elapsedMs: clock.now().getTime() - started,
		});
	// One note, start to end: planned, saved for the next append, counted, recorded when it gets a record. Without a
	// promise when the note's plan needs none (planNoteNow) and no append is due: true (go on), false (cancelled).
	const planOne = (path: string): boolean | Promise<boolean> => {
		const itemStart = Date.now();
		let planned: PlanItem | Promise<PlanItem>;
		try {
			planned = planNoteNow(deps.vault, path, args.options);
		} catch (error) {
			return settleOne(path, null, error, itemStart);
		}
		if (!(planned instanceof Promise)) return settleOne(path, planned, undefined, itemStart);
		return planned.then(
			(item) => settleOne(path, item, undefined, itemStart),
			(error: unknown) => settleOne(path, null, error, itemStart),
		);
	};
	/** planOne's end, once the note is planned (`item`) or its plan threw (`error`). */
	const settleOne = (path: string, planned: PlanItem | null, error: unknown, itemStart: number): boolean | Promise<boolean> => {
		let item: PlanItem;
		let thrown: string | undefined;
		if (planned !== null) item = planned;
		else {
			// Cancelled mid-note (an LLM call aborted): not planned, not logged; a resume plans it.
			if (signal?.aborted) return false;
			item = failedItem(path, error);
			thrown = item.reason;
		}
		const json = JSON.stringify(item);
		pending.push(json);
		batch++;
		if (args.planned) {
			args.planned.items.push(item);
			args.planned.lengths.push(json.length);
		}
		const status = outcomeOf(item);
		counts.total++;
		counts[status]++;
		const failure = status === "failed" ? (item.error?.message ?? item.reason) : undefined;
		if (failure !== undefined) {
			batchFailed++;
			batchError = thrown ?? failure;
		}
		if (failure !== undefined || args.debugMode || args.logAlways?.(path)) {
			const base = {
				timestamp: clock.now().toISOString(),
				session_id: sessionId,
				item_id: path,
				stage,
				step: PLAN_STEP,
				timing_ms: Date.now() - itemStart,
			};
			records.push({
				...base,
				title: titleOf(path),
				status,
				...(failure !== undefined ? { error: failure } : status !== "success" ? { reason: item.reason } : {}),
			});
			steps.push({
				...base,
				step_index: 1,
				status: thrown === undefined ? "completed" : "failed",
				...(thrown !== undefined ? { error: thrown } : {}),
			});
		} else {
			folded.total++;
			folded[status]++;
		}
		if (args.onProgress) progress({ id: path, title: titleOf(path), status });
		if (batch >= PLAN_BATCH_ITEMS || Date.now() - lastFlush >= PLAN_BATCH_MS) return flush().then(() => true);
		return true;
	};
	let fatal: { error: unknown } | null = null;
	try {
		for (const path of args.paths) {
			if (signal?.aborted) break;
			if (args.skip?.(path)) {
				resumed++;
				progress();
				if (resumed % 200 === 0) await yieldToEventLoop();
				continue;
			}
			const planned = planOne(path);
			if (!(planned === true || (planned !== false && (await planned)))) break;
			if (sliceOver(YIELD_SLICE_MS)) await yieldWhenSliceOver(YIELD_SLICE_MS);
		}
		await flush();
	} catch (error) {
		fatal = { error };
	}
	const cancelled = signal?.aborted === true && fatal === null;
	if (cancelled) logger.warn(`${stage}: cancelled after ${counts.total} items`, { stage, done: counts.total });
	if (fatal) logger.error(`${stage}: stopped: ${fatal.error instanceof Error ? fatal.error.message : String(fatal.error)}`, { stage });
	await phases.finishStage(sessionId, "organize", stage, {
		failed: fatal !== null,
		stopped: cancelled,
		items_count: total().total,
		counts: total(),
		steps: aggregator.snapshot(true),
	});
	if (fatal) throw fatal.error;
	return { counts, folded, cancelled };
}

/** Notes planned between two appends of items.jsonl at most, and how long (ms, real time) a batch waits at most. */
const PLAN_BATCH_ITEMS = 1000;
const PLAN_BATCH_MS = 200;
/** phase.json's stage counts are saved this often while the stage runs (ms, by the clock), as the stage runner does. */
const PLAN_SAVE_MS = 2000;
/** Longest run of notes between two yields to the event loop (as the stage runner: see yieldWhenSliceOver). */
const YIELD_SLICE_MS = 10;

/**
 * The items a run planned, in order, and their JSON texts as items.jsonl got them, so that plan.json is not made by
 * serialising all of them a second time (planJsonText): `texts[b]` holds batch b's texts joined by "," (as plan.json
 * lists them), its items end before `items[ends[b]]`, and `lengths[i]` is the length of `items[i]`'s text. A PlanItem
 * is not changed once planned (settleTargets makes a new one for a note it renames or skips, and that one is
 * serialised then). Kept per batch rather than one string per note: 10,000 texts of ~300 bytes kept to the end were
 * copied by every young-generation collection they lived through and then promoted (~7 ms of a 10,000-note preview's
 * scavenges); a batch's text is one large string, which the collector does not move, and each note's own text now
 * dies young. Not a map from item to text: a map of 10,000 entries cost a hash per note and, as a WeakMap, its
 * ephemerons in every garbage collection of the run (issue 20).
 */
export interface PlannedItems {
	items: PlanItem[];
	texts: string[];
	ends: number[];
	lengths: number[];
}

/** An empty PlannedItems, for runPlanStage to fill. */
export function plannedItems(): PlannedItems {
	return { items: [], texts: [], ends: [], lengths: [] };
}

/**
 * The plan as JSON.stringify(plan) gives it, with the items' texts taken from `known` (the items as planned, see
 * PlannedItems) where the plan's item at the same place is that same item: the plan's other keys first, `items`
 * last (as every plan is built: writeOrganizePlan, PlanSchema); `end` follows it (plan.json's newline).
 */
export function planJsonText(plan: Plan, end = "", known?: PlannedItems): string {
	const keys = Object.keys(plan);
	if (keys[keys.length - 1] !== "items") return JSON.stringify(plan) + end;
	const { items, ...head } = plan;
	const before = JSON.stringify(head);
	const start = `${before.slice(0, -1)}${before === "{}" ? "" : ","}"items":[`;
	if (items.length === 0) return `${start}]}${end}`;
	// One join makes the whole text (the first part carries the start, the last the end): one flat string that a write
	// encodes as it is, not pieces joined by a template that the write would first copy into one (~3 MB).
	const parts: string[] = [];
	let index = 0;
	if (known !== undefined) {
		for (let batch = 0; batch < known.texts.length && known.ends[batch]! <= items.length; batch++)
			index = knownParts(items, known, batch, parts);
	}
	for (; index < items.length; index++) parts.push(JSON.stringify(items[index]));
	parts[0] = start + parts[0]!;
	parts[parts.length - 1] = `${parts[parts.length - 1]!}]}${end}`;
	return parts.join(",");
}

/**
 * Adds the texts of batch `batch` of `known` to `parts` (planJsonText): the runs of its items that are the plan's items
 * at the same place as slices of its text (the whole text when all are: most batches; a slice of all of a string is
 * that string), and the other items serialised. Returns the index of the batch's end.
 */
function knownParts(items: readonly PlanItem[], known: PlannedItems, batch: number, parts: string[]): number {
	const from = batch === 0 ? 0 : known.ends[batch - 1]!;
	const to = known.ends[batch]!;
	const text = known.texts[batch]!;
	// `offset`: where item `index`'s text starts in `text`; `run`: where the current run of known items starts (-1: none).
	let offset = 0;
	let run = -1;
	for (let index = from; index < to; index++) {
		if (items[index] === known.items[index]) {
			if (run === -1) run = offset;
		} else {
			if (run !== -1) parts.push(text.slice(run, offset - 1));
			run = -1;
			parts.push(JSON.stringify(items[index]));
		}
		offset += known.lengths[index]! + 1;
	}
	if (run !== -1) parts.push(text.slice(run, offset - 1));
	return to;
}

/**
 * Counts the notes planned without a record of their own (see runPlanStage) in `organize/pipeline_folded.json`, the
 * count file status (ItemStatusIndex) adds to the records' counts, as for a compacted import's items.
 */
export async function writePlanFolded(store: StagingStore, sessionId: string, transform: Counts): Promise<void> {
	const none = { total: 0, success: 0, failed: 0, skipped: 0 };
	const folded: FoldedItems = { version: 1, items: transform.total, stages: { extract: none, transform, load: none }, outcomes: {} };
	await store.writeAtomic(foldedItemsFile(sessionId, "organize"), `${JSON.stringify(folded)}\n`);
}

/** The saved PlanItems, the latest per note (a partial last line after a crash is skipped). */
export async function readPlannedItems(store: StagingStore, sessionId: string, logger?: Logger): Promise<Map<string, PlanItem>> {
	const { records } = await readJsonl(store, plannedItemsPath(sessionId), { schema: PlanItemSchema(), ...(logger ? { logger } : {}) });
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

/**
 * Settles name conflicts over the planned notes (in `paths` order) and writes plan.json and plan.md. `known`: the
 * items' JSON texts where the run has them (PlannedItems, with `items` the same list).
 */
export async function writeOrganizePlan(
	deps: OrganizeStageDeps,
	sessionId: string,
	items: readonly PlanItem[],
	header: PlanHeader,
	/** Every note of the vault, when the run listed them already (listFolderAndVault). */
	existing?: readonly string[],
	known?: PlannedItems,
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
		items: await settleTargets(deps.vault, [...items], existing ?? (await listOrganizeInputs(deps.vault, "")), header.conflictPolicy),
	};
	return { plan, planJson: await savePlan(deps.store, sessionId, plan, known) };
}

/**
 * Writes plan.json and plan.md; returns plan.json's JSON text (without its final newline), so that a host printing
 * the plan does not serialise it again. plan.json is compact JSON: it is read by programs (apply, resume, the
 * panel: all JSON.parse, so plans written with tabs before read the same); people read plan.md.
 */
export async function savePlan(store: StagingStore, sessionId: string, plan: Plan, known?: PlannedItems): Promise<string> {
	const out = organizeOutputPaths(sessionId);
	// The file's text with its newline made once: the text returned is a slice of it (a plan of 10,000 notes was
	// copied whole twice, once with the newline and once without, the second for the CLI's --json).
	const text = planJsonText(plan, "\n", known);
	await store.writeAtomic(out.plan, text);
	await store.writeAtomic(out.planMarkdown, renderPlanMarkdown(plan));
	return text.slice(0, -1);
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
