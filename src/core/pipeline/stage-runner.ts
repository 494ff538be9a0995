import type { StageInput } from "../model/phase";
import type { ItemOutcomeKind, ItemResultStatus } from "../model/status";
import { appendPipelineStageRecords, type PipelineStageRecord } from "../logs/pipeline-stages";
import { appendStepLogRecords, type StepLogRecord } from "../logs/steps-log";
import { ensureJsonlLineStart } from "../logs/jsonl";
import { isDebugLogger } from "../logging/logger";
import type { Logger } from "../ports/logger";
import { pipelineStagesFile, stageDir, stepsFile } from "../session/paths";
import { PhaseManager } from "../session/phase-manager";
import { clockMs } from "../ports/clock";
import { sliceOver, yieldToEventLoop, yieldWhenSliceOver } from "../util/timers";
import { StepAggregator } from "./step-aggregator";
import type { RunStageOptions, StageFailure, StageProgress, StageResult, StepRunner } from "./stage-types";

export type * from "./stage-types";

/** Longest run of items between two yields to the event loop (real time, not the injected clock). */
const YIELD_SLICE_MS = 10;

/** With options.logBatchMs, records are also appended once this many items wait. */
const LOG_BATCH_ITEMS = 100;

/** A finished item waiting for its turn to be logged (null: abandoned on cancel). */
interface ItemResult {
	id: string;
	title: string | undefined;
	status: ItemResultStatus;
	reason: string | undefined;
	note?: string;
	outcome?: ItemOutcomeKind;
	rerendered?: boolean;
	/** No record (see ItemOutcome.quiet). */
	quiet?: boolean;
	/** For options.handOff. */
	output?: unknown;
	lastStep: string;
	timingMs: number;
	/** When it finished (ms of ctx.clock): made an ISO string only for the record that is written. */
	finishedMs: number;
	steps: StepDone[];
}

/** One step of an item as it ended (times in ms of ctx.clock); its steps.jsonl record is made only when written. */
interface StepDone {
	step: string;
	startedMs: number;
	endedMs: number;
	error: string | undefined;
}

/**
 * An item's StepRunner: its steps recorded as they end. A class, not an object of closures made per item (the runner's
 * per-item objects were a good part of what the import's command thread allocated).
 */
class ItemSteps implements StepRunner {
	readonly steps: StepDone[] = [];
	lastStep = "";
	constructor(
		readonly itemId: string,
		readonly title: string | undefined,
		readonly logger: Logger,
		private readonly nowMs: () => number,
	) {}

	async run<R>(name: string, fn: () => Promise<R>): Promise<R> {
		this.lastStep = name;
		const startedMs = this.nowMs();
		let r: R;
		try {
			r = await fn();
		} catch (e) {
			this.steps.push({ step: name, startedMs, endedMs: this.nowMs(), error: message(e) });
			throw e;
		}
		this.steps.push({ step: name, startedMs, endedMs: this.nowMs(), error: undefined });
		return r;
	}
}

function message(e: unknown): string {
	if (e instanceof Error) return e.message || e.name;
	return typeof e === "string" ? e : "unknown error";
}

function iteratorOf<T>(items: AsyncIterable<T> | Iterable<T>): AsyncIterator<T> | Iterator<T> {
	return Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : items[Symbol.iterator]();
}

/**
 * Runs one stage over a stream of items: each item through `process`, its outcome and steps logged
 * (`pipeline_stages.jsonl`, `<stage>/steps.jsonl`) in input order, counts and step aggregates kept in
 * phase.json (saved at start, end, and throttled between). A failing item is logged and the stage goes on.
 * Rejects only when the stage itself breaks (the item source throws, a log cannot be written): the stage is
 * then marked failed, and what finished before is logged.
 */
// Long on purpose: the ordered results, the batched log and the throttled phase saver share the run's counters as
// closures; each is a named inner function.
export async function runStage<T, O = never>(options: RunStageOptions<T, O>): Promise<StageResult> {
	const { ctx, stage } = options;
	const { sessionId, phaseType, store, clock } = ctx;
	const phases = ctx.phases ?? new PhaseManager(store, clock);
	const concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
	const saveIntervalMs = options.saveIntervalMs ?? 2000;
	const signal = options.signal;
	const logger: Logger = isDebugLogger(ctx.logger) ? ctx.logger.forStage(stageDir(sessionId, phaseType, stage), stage) : ctx.logger;
	const nowMs = clockMs(clock);

	const startedMs = nowMs();
	await phases.startStage(sessionId, phaseType, stage);
	let lastSaveMs = startedMs;
	for (const path of [
		...(options.sharedLogReady ? [] : [pipelineStagesFile(sessionId, phaseType)]),
		stepsFile(sessionId, phaseType, stage),
	]) {
		if (await ensureJsonlLineStart(store, path)) logger.warn(`${path}: the last line was cut off by an interruption; it will be skipped`);
	}

	const counts = { total: 0, success: 0, failed: 0, skipped: 0, review: 0 };
	const inputNow = (): { input?: StageInput } => {
		const input = options.input?.();
		return input ? { input } : {};
	};
	/** The stage's progress, with the item just finished (`last`) and the input read so far where they are told. */
	const progress = (last?: StageProgress["last"]): StageProgress => {
		const p: StageProgress = { stage, done, resumed, counts: { ...counts }, elapsedMs: nowMs() - startedMs };
		if (last) p.last = last;
		const input = options.input?.();
		if (input) p.input = input;
		return p;
	};
	const failures: StageFailure[] = [];
	const aggregator = new StepAggregator();
	let resumed = 0;
	let done = 0;
	let fatal: { error: unknown } | null = null;

	// ---- the source: pulled by one worker at a time ----
	const iterator = iteratorOf(options.items);
	let exhausted = false;
	let nextSeq = 0;
	let pullChain: Promise<unknown> = Promise.resolve();
	const stopped = (): boolean => exhausted || fatal !== null || signal?.aborted === true;

	const pullOne = async (): Promise<
		{ seq: number; item: T; id: string; title: string | undefined } | { seq: number; failedId: string; reason: string } | null
	> => {
		let passedOver = 0;
		while (!stopped()) {
			const next = await iterator.next();
			if (next.done) {
				exhausted = true;
				return null;
			}
			let ident: { id: string; title?: string };
			try {
				ident = options.identify(next.value);
			} catch (e) {
				return { seq: nextSeq++, failedId: `#${nextSeq}`, reason: `cannot identify the item: ${message(e)}` };
			}
			if (options.skip?.(ident.id)) {
				resumed++;
				options.onProgress?.(progress());
				if (++passedOver % 200 === 0) await yieldToEventLoop();
				continue;
			}
			return { seq: nextSeq++, item: next.value, id: ident.id, title: ident.title };
		}
		return null;
	};
	// One worker pulls one item at a time already: no chain of pulls (two promises an item) is needed for it.
	const pull =
		concurrency === 1
			? pullOne
			: (): ReturnType<typeof pullOne> => {
					const p = pullChain.then(pullOne);
					pullChain = p.catch(() => undefined);
					return p;
				};

	// ---- one item ----
	const processOne = async (item: T, id: string, title: string | undefined): Promise<ItemResult | null> => {
		const itemStart = nowMs();
		const runner = new ItemSteps(id, title, logger, nowMs);
		let result: ItemResult;
		try {
			const outcome = await options.process(item, runner);
			result = {
				id,
				title,
				status: outcome.status,
				reason: outcome.reason,
				lastStep: "",
				timingMs: 0,
				finishedMs: 0,
				steps: runner.steps,
			};
			if (outcome.note !== undefined) result.note = outcome.note;
			if (outcome.outcome !== undefined) result.outcome = outcome.outcome;
			if (outcome.rerendered) result.rerendered = true;
			if (outcome.quiet && outcome.status === "success") result.quiet = true;
			if (outcome.output !== undefined) result.output = outcome.output;
		} catch (e) {
			if (signal?.aborted) {
				logger.debug(`${stage}: ${id} abandoned on cancel: ${message(e)}`, { item_id: id });
				return null;
			}
			const reason = message(e);
			logger.debug(`${stage}: ${id} failed: ${reason}`, { item_id: id });
			result = { id, title, status: "failed", reason, lastStep: "", timingMs: 0, finishedMs: 0, steps: runner.steps };
		}
		const end = nowMs();
		result.lastStep = runner.lastStep || stage;
		result.timingMs = Math.max(0, end - itemStart);
		result.finishedMs = end;
		return result;
	};

	// ---- in-order flushing ----
	const finished = new Map<number, ItemResult | null>();
	let flushSeq = 0;
	let flushChain: Promise<void> = Promise.resolve();

	// Items in order whose records are not appended yet (options.logBatchMs): written together once
	// LOG_BATCH_ITEMS are waiting or logBatchMs have passed since the last append, and always at the end.
	const logBatchMs = Math.max(0, options.logBatchMs ?? 0);
	const allSteps = (options.stepLog ?? "all") === "all";
	const ready: ItemResult[] = [];
	let lastLogMs = Date.now();
	/** Quiet successes counted so far, and how many of them options.onQuiet was told of. */
	let quiet = 0;
	let quietTold = 0;
	/** An item's `pipeline_stages.jsonl` record: its keys in this order, set one by one (no object spread per key). */
	const stageRecord = (r: ItemResult): PipelineStageRecord => {
		const timestamp = new Date(r.finishedMs).toISOString();
		const record: PipelineStageRecord =
			r.title !== undefined
				? {
						timestamp,
						session_id: sessionId,
						item_id: r.id,
						title: r.title,
						stage,
						step: r.lastStep,
						status: r.status,
						timing_ms: r.timingMs,
					}
				: { timestamp, session_id: sessionId, item_id: r.id, stage, step: r.lastStep, status: r.status, timing_ms: r.timingMs };
		if (r.reason !== undefined) {
			if (r.status === "failed") record.error = r.reason;
			else record.reason = r.reason;
		}
		if (r.note !== undefined) record.note_path = r.note;
		if (r.outcome !== undefined) record.outcome = r.outcome;
		if (r.rerendered) record.rerendered = true;
		return record;
	};
	// Long on purpose: one ordered hand-off (results in input order, batched logs, phase counts) over the runner's shared locals; split, each part would need them all passed in.
	const flushReady = async (force: boolean): Promise<void> => {
		const newly: ItemResult[] = [];
		while (finished.has(flushSeq)) {
			const r = finished.get(flushSeq);
			finished.delete(flushSeq);
			flushSeq++;
			if (r) newly.push(r);
		}
		if (newly.length === 0 && !(force && (ready.length > 0 || quiet !== quietTold))) return;
		// Counts and progress at once, in order (a cancel from onProgress acts on time); the records follow in batches.
		for (const r of newly) {
			const handedOff = r.output !== undefined && options.handOff !== undefined;
			if (handedOff) {
				const output = r.output as O;
				// Not kept while the record waits for its batch (up to LOG_BATCH_ITEMS items): a note draft held there lived
				// through the young generation's collections and was copied out of it (issue 20).
				r.output = undefined;
				await options.handOff!(output);
			}
			counts.total++;
			counts[r.status]++;
			done++;
			if (r.status === "failed")
				failures.push({ item_id: r.id, ...(r.title !== undefined ? { title: r.title } : {}), stage, reason: r.reason ?? "unknown error" });
			for (const s of r.steps) aggregator.add(s.step, s.startedMs, s.endedMs, Math.max(0, s.endedMs - s.startedMs), s.error);
			if (options.onProgress) {
				options.onProgress(
					progress(r.title !== undefined ? { id: r.id, title: r.title, status: r.status } : { id: r.id, status: r.status }),
				);
			}
			// A hand-off that never waits (extract's run-ahead) takes a whole batch in one go: slices, as the workers'.
			// After this item's progress: the next stage, which runs in the yield, never reports an item before this one.
			if (handedOff && sliceOver(YIELD_SLICE_MS)) await yieldWhenSliceOver(YIELD_SLICE_MS);
		}
		ready.push(...newly);
		const flushMs = nowMs();
		const saveDue = flushMs - lastSaveMs >= saveIntervalMs;
		// phase.json never counts an item whose records are not written: a due save appends first.
		if (force || saveDue || ready.length >= LOG_BATCH_ITEMS || Date.now() - lastLogMs >= logBatchMs) {
			lastLogMs = Date.now();
			const batch = ready.splice(0);
			const stageRecords: PipelineStageRecord[] = [];
			const stageTimes: number[] = [];
			const stepRecords: StepLogRecord[] = [];
			for (const r of batch) {
				if (r.quiet) {
					quiet++;
					continue;
				}
				stageRecords.push(stageRecord(r));
				stageTimes.push(r.finishedMs);
				// Steps of an item that went through are kept only when asked (stepLog "all"): read by nothing else.
				if (allSteps || r.status === "failed") {
					r.steps.forEach((s, index) =>
						stepRecords.push({
							timestamp: new Date(s.endedMs).toISOString(),
							session_id: sessionId,
							item_id: r.id,
							stage,
							step: s.step,
							step_index: index + 1,
							status: s.error === undefined ? "completed" : "failed",
							timing_ms: Math.max(0, s.endedMs - s.startedMs),
							...(s.error !== undefined ? { error: s.error } : {}),
						}),
					);
				}
			}
			// Steps first: a crash between the two leaves the item unlogged in pipeline_stages, so it is redone.
			if (stageRecords.length > 0) {
				await options.beforeLog?.();
				if (stepRecords.length > 0) await appendStepLogRecords(store, sessionId, phaseType, stage, stepRecords);
				const appended = appendPipelineStageRecords(store, sessionId, phaseType, stageRecords);
				// Queued for the file in this very call: told now, the records come in the order of the file's lines.
				ctx.onStageRecords?.(stageRecords, stageTimes);
				await appended;
			}
			// The count of quiet items goes with the phase's counts that include them (and at the end).
			if ((force || saveDue) && quiet !== quietTold && options.onQuiet) {
				quietTold = quiet;
				await options.onQuiet(quiet);
			}
		}
		if (saveDue) {
			lastSaveMs = flushMs;
			// Only this stage's entry: the import runs its stages at the same time, each saving its own.
			await phases.updateStage(sessionId, phaseType, stage, {
				items_count: counts.total,
				counts: { ...counts },
				steps: aggregator.snapshot(),
				...inputNow(),
			});
		}
	};
	const scheduleFlush = (force = false): Promise<void> => {
		flushChain = flushChain.then(() => flushReady(force));
		return flushChain;
	};

	// ---- workers ----
	// Let the event loop run (UI, input, I/O callbacks, a cancel) between items, but at most every YIELD_SLICE_MS:
	// a timer yield costs ≥1 ms, which per item was most of a fast stage's time. The slice is shared by the stages
	// running at once (yieldWhenSliceOver), so that an event loop task ends after about YIELD_SLICE_MS in all.
	// Asked first: most items need no yield, and then no promise either.
	const maybeYield = (): Promise<void> | null => (sliceOver(YIELD_SLICE_MS) ? yieldWhenSliceOver(YIELD_SLICE_MS) : null);
	const worker = async (): Promise<void> => {
		try {
			for (;;) {
				const next = await pull();
				if (!next) return;
				if ("failedId" in next) {
					finished.set(next.seq, {
						id: next.failedId,
						title: undefined,
						status: "failed",
						reason: next.reason,
						lastStep: stage,
						timingMs: 0,
						finishedMs: nowMs(),
						steps: [],
					});
				} else {
					finished.set(next.seq, await processOne(next.item, next.id, next.title));
				}
				await scheduleFlush();
				const yielded = maybeYield();
				if (yielded !== null) await yielded;
			}
		} catch (e) {
			fatal ??= { error: e };
		}
	};
	await Promise.all(Array.from({ length: concurrency }, worker));
	try {
		await scheduleFlush(true);
	} catch (e) {
		fatal ??= { error: e };
	}
	if (!exhausted) {
		try {
			await iterator.return?.();
		} catch {
			// the source's own cleanup failed; nothing more to do about it here
		}
	}

	const cancelled = signal?.aborted === true && fatal === null;
	// A stage reading a stream reports once more when it has read it all (its last item came before the end).
	if (exhausted && fatal === null && options.input?.()) options.onProgress?.(progress());
	const steps = aggregator.snapshot(true);
	if (cancelled) logger.warn(`${stage}: cancelled after ${done} items`, { stage, done });
	if (fatal) logger.error(`${stage}: stopped: ${message(fatal.error)}`, { stage });
	await phases.finishStage(sessionId, phaseType, stage, {
		failed: fatal !== null,
		stopped: cancelled,
		items_count: counts.total,
		counts: { ...counts },
		steps,
		...inputNow(),
	});
	if (isDebugLogger(logger)) await logger.flush();
	if (fatal) throw fatal.error;
	return { stage, counts, failures, resumed, cancelled, durationMs: Math.max(0, nowMs() - startedMs), steps };
}
