import type { Counts } from "../model/counts";
import type { StageInput, Step } from "../model/phase";
import type { PhaseType, StageType } from "../model/status";
import type { Clock } from "../ports/clock";
import type { Logger } from "../ports/logger";
import type { StagingStore } from "../ports/staging-store";
import type { PhaseManager } from "../session/phase-manager";
import type { ItemOutcomeKind } from "../model/status";
import type { PipelineStageRecord } from "../logs/pipeline-stages";

/** What a stage runs against. */
export interface StageContext {
	sessionId: string;
	phaseType: PhaseType;
	store: StagingStore;
	clock: Clock;
	/** A DebugLogger (createLogger) gives the stage its `<stage>/<stage>.log` in debug mode. */
	logger: Logger;
	/** Defaults to a PhaseManager over `store` and `clock`. */
	phases?: PhaseManager;
	/**
	 * Told of each batch of `pipeline_stages.jsonl` records as it is appended, in the order of the file's lines (the
	 * import keeps its items' status as the log says without reading the log back at the end). `times`: each record's
	 * time as the ms since the epoch its `timestamp` was made from (`new Date(ms).toISOString()`), so that it need not be
	 * parsed back.
	 */
	onStageRecords?: (records: readonly PipelineStageRecord[], times?: readonly number[]) => void;
}

/**
 * How an item ended, when `process` returns normally. A thrown error means failed (its message is the reason).
 * A success may carry a short `reason` (e.g. the load stage's `created` / `unchanged`), logged as the record's reason.
 * `review`: done but flagged for a person; counted apart, and as a success for the phase status.
 */
export type ItemOutcome = (
	{ status: "success"; reason?: string } | { status: "skipped"; reason: string } | { status: "review"; reason: string }
) & {
	/** The note the item wrote or left in place (vault path), logged as `note_path` so the panel can link it. */
	note?: string;
	/** What became of the item, typed (load: created, updated, …), logged as `outcome`. */
	outcome?: ItemOutcomeKind;
	/** Logged as `rerendered` (see PipelineStageRecord). */
	rerendered?: boolean;
	/**
	 * A success that needs no record of its own (a re-import's note found unchanged before the conversation was kept:
	 * see RunStageOptions.onQuiet): counted and handed on as any other, but no `pipeline_stages.jsonl` line.
	 */
	quiet?: boolean;
};

/** Handed to `process` for one item: times and records its named steps. */
export interface StepRunner {
	readonly itemId: string;
	readonly title: string | undefined;
	/** The stage's logger (its `<stage>/<stage>.log` in debug mode). */
	readonly logger: Logger;
	/**
	 * Runs one named step: timed, recorded in `<stage>/steps.jsonl` and aggregated into phase.json's steps.
	 * A thrown error is recorded as the step's failure and rethrown (so the item fails, unless caught).
	 */
	run<R>(name: string, fn: () => Promise<R>): Promise<R>;
}

export interface StageProgress {
	stage: StageType;
	/** Items finished (logged) in this run. */
	done: number;
	/** Items passed over because `skip` said they were already done (not logged, not in `counts`). */
	resumed: number;
	counts: Counts;
	/** How far the stage has read its inputs (a streaming stage: extract), when it knows. */
	input?: StageInput;
	/** The item just finished, when the progress is about one. */
	last?: { id: string; title?: string; status: "success" | "skipped" | "failed" | "review" };
	elapsedMs: number;
}

export interface StageFailure {
	item_id: string;
	title?: string;
	stage: StageType;
	reason: string;
}

export interface StageResult {
	stage: StageType;
	/** Items of this run: total = success + failed + skipped + review. Items passed over by `skip` are not in it. */
	counts: Counts & { review: number };
	/** Failed items, in input order. */
	failures: StageFailure[];
	/** Items passed over by `skip` (done in an earlier run). */
	resumed: number;
	/** The signal aborted: no new items were taken; the stage is marked failed. */
	cancelled: boolean;
	durationMs: number;
	/** The per-step aggregates as saved in phase.json. */
	steps: Step[];
}

export interface RunStageOptions<T, O = never> {
	ctx: StageContext;
	stage: StageType;
	items: AsyncIterable<T> | Iterable<T>;
	identify: (item: T) => { id: string; title?: string };
	/** An outcome may carry an `output` for the next stage (see handOff). */
	process: (item: T, step: StepRunner) => Promise<ItemOutcome & { output?: O }>;
	/**
	 * Receives each item's `output`, in input order whatever the concurrency (stages that run at the same time
	 * hand their items on through it). The stage waits while it is pending, so a slow next stage slows this one.
	 */
	handOff?: (output: O) => Promise<void>;
	/** Resume: true for an item id already done in this stage; such items are passed over silently. */
	skip?: (id: string) => boolean;
	/** Items in flight at once (default 1). Logs and counts stay in input order whatever the value. */
	concurrency?: number;
	/**
	 * Cancel: no new item is taken; items in flight finish and are logged, except those that throw after the
	 * abort (they are abandoned: not logged, so a resume takes them again). The stage is then marked failed.
	 */
	signal?: AbortSignal;
	/** Fires for every item (in input order); consumers throttle their own rendering. */
	onProgress?: (progress: StageProgress) => void;
	/**
	 * The caller has already ended a line a crash cut off in the shared `pipeline_stages.jsonl` (stages that run at
	 * the same time: one of them repairing it could race another's append). The stage's own steps log is still checked.
	 */
	sharedLogReady?: boolean;
	/** How far the stage has read its inputs, asked at each progress and save (kept in phase.json as `input`). */
	input?: () => StageInput | undefined;
	/** phase.json is saved at start and end, and at most this often in between (default 2000 ms, by ctx.clock). */
	saveIntervalMs?: number;
	/**
	 * Batch the log appends: records are written once this many ms (real time) have passed since the last append,
	 * or 100 items wait, or the stage ends — instead of one append pair per item (default 0: per item). Only for
	 * stages whose output, not the log, proves an item done: a crash loses the window's records and those items
	 * are redone.
	 */
	logBatchMs?: number;
	/**
	 * Which items' steps go to `<stage>/steps.jsonl`: "all" (default), or "failed" (only the steps of failed items;
	 * the others' timings are in phase.json's aggregates). The per-step log is read by nothing but a person
	 * debugging, so a run not in debug mode need not write one record per step of every item.
	 */
	stepLog?: "all" | "failed";
	/**
	 * Called before a batch of records is appended: whatever proves the batch's items done (load: the import index
	 * and the manifest) is written first, so that a crash never leaves a record saying done without its proof.
	 */
	beforeLog?: () => Promise<void>;
	/**
	 * Told how many quiet successes (ItemOutcome.quiet) this run has counted so far, before each save of phase.json
	 * and at the end: whatever proves them done (a count of them) is written with the counts that include them.
	 */
	onQuiet?: (count: number) => Promise<void>;
}
