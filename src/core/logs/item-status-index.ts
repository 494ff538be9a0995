import { resized } from "../util/typed-arrays";
import type { Counts } from "../model/counts";
import type { ItemOutcomeKind, ItemResultStatus, PhaseType, StageType } from "../model/status";
import { ITEM_RESULT_STATUSES, STAGE_TYPES } from "../model/status";
import type { Logger } from "../ports/logger";
import type { StagingStore } from "../ports/staging-store";
import { pipelineStagesFile } from "../session/paths";
import { forEachJsonl } from "./jsonl";
import {
	PipelineStageRecordSchema,
	readFoldedItems,
	readUnchangedItems,
	type FoldedItems,
	type PipelineStageRecord,
} from "./pipeline-stages";
import { FingerprintSlots } from "../util/hash64";

export interface ItemFailure {
	item_id: string;
	title?: string;
	stage: StageType;
	reason: string;
}

/**
 * What the index keeps of an item's latest record in a stage. A record that did not go through (failed, skipped,
 * review) is kept whole. Of one that succeeded, only what status, summaries and retries ask: its status, time,
 * outcome, whether it was re-rendered, and its reason up to the first ":" (the label, e.g. "created" or "updated
 * (options changed)"; the note's path after it is not kept, nor the title: see ItemStatusIndex.titles).
 */
export type ItemRecord = Pick<PipelineStageRecord, "item_id" | "stage" | "status" | "timestamp"> &
	Partial<Pick<PipelineStageRecord, "title" | "error" | "reason" | "note_path" | "outcome" | "rerendered">>;

const STATUSES = ITEM_RESULT_STATUSES;
/** Distinct reason labels and outcomes kept as numbers (one byte); past this, a record is kept whole instead. */
const MAX_INTERNED = 255;
/**
 * A record's time is kept in 32 bits: milliseconds from the index's base (its first record's time less 2^31 ms),
 * so about 24 days either side of it; a record outside (a resume weeks later) is kept whole instead.
 */
const TIME_HALF_RANGE = 2 ** 31;

/** A reason's label: up to its first ":" (`reason.split(":")[0]`, without the array). */
function labelOf(reason: string): string {
	const colon = reason.indexOf(":");
	return colon < 0 ? reason : reason.slice(0, colon);
}

/** Strings that recur (labels, outcomes) as small numbers: 0 is none. */
class Interned {
	private readonly codes = new Map<string, number>();
	private readonly values: string[] = [];
	code(value: string | undefined): number | null {
		if (value === undefined) return 0;
		const known = this.codes.get(value);
		if (known !== undefined) return known;
		if (this.values.length >= MAX_INTERNED) return null;
		this.values.push(value);
		this.codes.set(value, this.values.length);
		return this.values.length;
	}
	value(code: number): string | undefined {
		return code === 0 ? undefined : this.values[code - 1];
	}
}

/**
 * One stage's latest record per item, as columns indexed by the item's slot: 12 bytes an item (was 18, with a
 * 64-bit time and 16-bit codes: at a million items and three stages, 36 MB instead of 54).
 */
class StageColumns {
	/** 0: no record; else 1 + the index in STATUSES. */
	status = new Uint8Array(0);
	/** The line of the latest record (its order among the latest records). */
	line = new Uint32Array(0);
	/** Milliseconds from ItemStatusIndex's time base. */
	time = new Uint32Array(0);
	label = new Uint8Array(0);
	outcome = new Uint8Array(0);
	rerendered = new Uint8Array(0);
	/** Records kept whole (see ItemRecord), by slot. */
	readonly whole = new Map<number, ItemRecord>();

	grow(capacity: number): void {
		this.status = resized(this.status, capacity);
		this.line = resized(this.line, capacity);
		this.time = resized(this.time, capacity);
		this.label = resized(this.label, capacity);
		this.outcome = resized(this.outcome, capacity);
		this.rerendered = resized(this.rerendered, capacity);
	}
}

/** How ItemStatusIndex.read keeps the items' ids. */
export interface ItemStatusReadOptions {
	/**
	 * false: an item that went through is known by its id's 64-bit fingerprint only (see FingerprintSlots), not its
	 * id: a million items cost ~80 bytes each in typed arrays instead of their ids as strings on the heap. Ask and
	 * look up by id as usual; the ids of records that did not go through (failed, skipped, review) are kept, and
	 * `idsOf` reads others back from the log. Listing the ids of items that went through (`each`, `latest`,
	 * `succeeded`) then throws: the import's summary and compaction go by slot (`slots`, `recordAt`). Default true.
	 */
	ids?: boolean;
}

/**
 * The latest status of every item in every stage of a phase, from `pipeline_stages.jsonl` (a later record of
 * the same item and stage replaces an earlier one: a retry that succeeded clears the failure).
 * What resume and retry ask: which items succeeded in stage X, which failed and why.
 *
 * Memory is bounded by design: the log is read line by line (never one string), and an item that went through
 * costs a few bytes per stage (columns of numbers, see ItemRecord), not a record object; items are numbered by
 * their ids' fingerprints (see FingerprintSlots; two ids with one fingerprint, about 1 in 30 million at a million,
 * would share a number). Read with `ids: false` (the import does), no id of an item that went through is held:
 * a session of a million conversations is about eighty bytes each, none of it on the JavaScript heap.
 */
export class ItemStatusIndex {
	private readonly keys = new FingerprintSlots();
	/** Each slot's id, when kept (see ItemStatusReadOptions). */
	private readonly ids: string[] | null;
	private readonly columns = new Map<StageType, StageColumns>();
	private readonly labels = new Interned();
	private readonly outcomes = new Interned();
	private line = 0;
	/** What a kept time is counted from (see TIME_HALF_RANGE); set by the first record kept slim. */
	private timeBase: number | null = null;
	/**
	 * Items a re-import found unchanged while extracting them, with no record (see UnchangedItems): counted in every
	 * stage as successes, as folded items are; an item with no record is one of them once extract has completed.
	 */
	unchangedEarly = 0;

	constructor(
		records: readonly PipelineStageRecord[] = [],
		/** Log lines that could not be read (partial last line, corrupt, schema failure). */
		public skippedLines = 0,
		/** Items of a finished phase folded out of the log (see FoldedItems): counted, not listed. */
		readonly folded: FoldedItems | null = null,
		options: ItemStatusReadOptions = {},
	) {
		this.ids = options.ids === false ? null : [];
		for (const stage of STAGE_TYPES) this.columns.set(stage, new StageColumns());
		for (const r of records) this.add(r);
	}

	static async read(
		store: StagingStore,
		sessionId: string,
		phase: PhaseType,
		logger?: Logger,
		options: ItemStatusReadOptions = {},
	): Promise<ItemStatusIndex> {
		const index = new ItemStatusIndex([], 0, await readFoldedItems(store, sessionId, phase, logger), options);
		index.unchangedEarly = await readUnchangedItems(store, sessionId, phase, logger);
		index.skippedLines = await forEachJsonl(
			store,
			pipelineStagesFile(sessionId, phase),
			{ schema: PipelineStageRecordSchema(), ...(logger ? { logger } : {}) },
			(r) => index.add(r),
		);
		return index;
	}

	/**
	 * The titles of some items, read again from the log (the index keeps the titles of records that went through
	 * only when asked: a session of a million items would otherwise hold a million titles).
	 */
	static async titles(store: StagingStore, sessionId: string, phase: PhaseType, ids: ReadonlySet<string>): Promise<Map<string, string>> {
		const out = new Map<string, string>();
		if (ids.size === 0) return out;
		await forEachJsonl(store, pipelineStagesFile(sessionId, phase), { schema: PipelineStageRecordSchema() }, (r) => {
			if (r.title !== undefined && ids.has(r.item_id)) out.set(r.item_id, r.title);
		});
		return out;
	}

	/** The ids of some slots, read again from the log (an index read without ids: see ItemStatusReadOptions). */
	async idsOf(store: StagingStore, sessionId: string, phase: PhaseType, slots: ReadonlySet<number>): Promise<Map<number, string>> {
		const out = new Map<number, string>();
		const wanted = new Set([...slots].filter((slot) => this.knownId(slot) === undefined));
		for (const slot of slots) {
			const id = this.knownId(slot);
			if (id !== undefined) out.set(slot, id);
		}
		if (wanted.size === 0) return out;
		await forEachJsonl(store, pipelineStagesFile(sessionId, phase), { schema: PipelineStageRecordSchema() }, (r) => {
			const slot = this.keys.slotOf(r.item_id);
			if (wanted.has(slot)) out.set(slot, r.item_id);
		});
		return out;
	}

	/** The slot of an item id (its number in this index), or -1 when the log has no record of it. */
	slotOf(itemId: string): number {
		return this.keys.slotOf(itemId);
	}

	/** The slot of the item whose id has this fingerprint (see FingerprintList), or -1. */
	slotOfFingerprint(a: number, b: number): number {
		return this.keys.slotOfFingerprint(a, b);
	}

	private slotFor(id: string): number {
		const slot = this.keys.add(id);
		if (this.ids && slot === this.ids.length) this.ids.push(id);
		const capacity = this.columns.get("extract")!.status.length;
		if (slot >= capacity) for (const c of this.columns.values()) c.grow(Math.max(64, capacity * 2));
		return slot;
	}

	/**
	 * Records appended to the log after it was read (StageContext.onStageRecords), as reading it again would add them.
	 * `times`: each record's time in ms since the epoch, as its `timestamp` was made from it (`new Date(ms).toISOString()`):
	 * not parsed back then, nor formatted again to check it (two Date calls per record, ~1 µs; 30,000 records in a
	 * 10,000-conversation import).
	 */
	addRecords(records: readonly PipelineStageRecord[], times?: readonly number[]): void {
		for (let i = 0; i < records.length; i++) this.add(records[i]!, times?.[i]);
	}

	/** How many items have a record in any stage. */
	get items(): number {
		return this.keys.size;
	}

	/** `madeFrom`: the ms `r.timestamp` was made from (addRecords), if known. */
	private add(r: PipelineStageRecord, madeFrom?: number): void {
		const slot = this.slotFor(r.item_id);
		const c = this.columns.get(r.stage)!;
		const line = ++this.line;
		c.line[slot] = line;
		c.status[slot] = STATUSES.indexOf(r.status) + 1;
		c.whole.delete(slot);
		// A Date keeps whole ms (a fraction is cut toward zero), as the timestamp made from it does.
		const known = madeFrom !== undefined && Number.isFinite(madeFrom);
		const time = known ? Math.trunc(madeFrom) : Date.parse(r.timestamp);
		if (this.timeBase === null && Number.isFinite(time)) this.timeBase = time - TIME_HALF_RANGE;
		const sinceBase = time - (this.timeBase ?? 0);
		const label = r.reason === undefined ? undefined : labelOf(r.reason);
		const labelCode = this.labels.code(label);
		const outcomeCode = this.outcomes.code(r.outcome);
		const slim =
			r.status === "success" &&
			r.error === undefined &&
			labelCode !== null &&
			outcomeCode !== null &&
			Number.isFinite(time) &&
			sinceBase >= 0 &&
			sinceBase < 2 ** 32 &&
			(known || new Date(time).toISOString() === r.timestamp);
		if (!slim) {
			const { session_id: _s, step: _p, timing_ms: _t, ...kept } = r;
			c.whole.set(slot, kept);
			return;
		}
		c.time[slot] = sinceBase;
		c.label[slot] = labelCode;
		c.outcome[slot] = outcomeCode;
		c.rerendered[slot] = r.rerendered === true ? 2 : r.rerendered === false ? 1 : 0;
	}

	/** A slot's id when this index holds it: kept ids, or a record kept whole in any stage. */
	private knownId(slot: number): string | undefined {
		const kept = this.ids?.[slot];
		if (kept !== undefined) return kept;
		for (const c of this.columns.values()) {
			const whole = c.whole.get(slot);
			if (whole) return whole.item_id;
		}
		return undefined;
	}

	private idAt(slot: number): string {
		const id = this.knownId(slot);
		if (id === undefined) throw new Error("This item status index was read without the ids of items that went through");
		return id;
	}

	/**
	 * An item's latest record in a stage by its slot (see `slots`). Its `item_id` is "" when the index was read
	 * without ids and the record went through (see ItemStatusReadOptions; `idsOf` reads it back).
	 */
	recordAt(stage: StageType, slot: number): ItemRecord | undefined {
		return this.record(stage, slot, this.knownId(slot) ?? "");
	}

	private record(stage: StageType, slot: number, id: string): ItemRecord | undefined {
		const c = this.columns.get(stage)!;
		const code = c.status[slot] ?? 0;
		if (code === 0) return undefined;
		const whole = c.whole.get(slot);
		if (whole) return whole;
		const reason = this.labels.value(c.label[slot]!);
		const outcome = this.outcomes.value(c.outcome[slot]!) as ItemOutcomeKind | undefined;
		const rerendered = c.rerendered[slot];
		return {
			item_id: id,
			stage,
			status: STATUSES[code - 1]!,
			timestamp: new Date((this.timeBase ?? 0) + c.time[slot]!).toISOString(),
			...(reason !== undefined ? { reason } : {}),
			...(outcome !== undefined ? { outcome } : {}),
			...(rerendered ? { rerendered: rerendered === 2 } : {}),
		};
	}

	/** Slots with a record in the stage, in the order of their latest records (4 bytes each). */
	slots(stage: StageType): Uint32Array {
		const c = this.columns.get(stage)!;
		const size = this.keys.size;
		// Each slot's latest line is its own: placed by line, then read in line order (no sort, no boxed numbers).
		const byLine = new Uint32Array(this.line + 1);
		let n = 0;
		for (let slot = 0; slot < size; slot++) {
			if (c.status[slot] === 0) continue;
			byLine[c.line[slot]!] = slot + 1;
			n++;
		}
		const out = new Uint32Array(n);
		let at = 0;
		for (let line = 1; line < byLine.length && at < n; line++) if (byLine[line] !== 0) out[at++] = byLine[line]! - 1;
		return out;
	}

	/**
	 * Whether an item went through every stage for good and was folded out of the log: in a folded phase, an item
	 * with no record at all. (Resume and retry leave it alone, as they do an item whose load succeeded.)
	 */
	isFolded(itemId: string): boolean {
		return this.folded !== null && this.keys.slotOf(itemId) < 0;
	}

	/** Whether the item has a record in any stage. */
	has(itemId: string): boolean {
		return this.keys.slotOf(itemId) >= 0;
	}

	/** Latest record per item id in a stage, in the order of those latest records (see ItemRecord for what is kept). */
	latest(stage: StageType): ReadonlyMap<string, ItemRecord> {
		const map = new Map<string, ItemRecord>();
		for (const slot of this.slots(stage)) {
			const id = this.idAt(slot);
			map.set(id, this.record(stage, slot, id)!);
		}
		return map;
	}

	/** Each item's latest record in a stage, in the order of those records, one at a time (no map of them all). */
	*each(stage: StageType): Generator<ItemRecord> {
		for (const slot of this.slots(stage)) yield this.record(stage, slot, this.idAt(slot))!;
	}

	/** An item's latest record in a stage. */
	get(stage: StageType, itemId: string): ItemRecord | undefined {
		const slot = this.keys.slotOf(itemId);
		return slot < 0 ? undefined : this.record(stage, slot, itemId);
	}

	statusOf(stage: StageType, itemId: string): ItemResultStatus | undefined {
		return this.statusAt(stage, this.keys.slotOf(itemId));
	}

	/** The latest status of a slot's item in a stage (undefined for none, or slot -1). */
	statusAt(stage: StageType, slot: number): ItemResultStatus | undefined {
		const code = slot < 0 ? 0 : (this.columns.get(stage)!.status[slot] ?? 0);
		return code === 0 ? undefined : STATUSES[code - 1];
	}

	idsWithStatus(stage: StageType, ...statuses: ItemResultStatus[]): Set<string> {
		const codes = new Set(statuses.map((s) => STATUSES.indexOf(s) + 1));
		const c = this.columns.get(stage)!;
		const ids = new Set<string>();
		for (const slot of this.slots(stage)) if (codes.has(c.status[slot]!)) ids.add(this.idAt(slot));
		return ids;
	}

	/** Items done in the stage: success or review (what a resume skips). */
	succeeded(stage: StageType): Set<string> {
		return this.idsWithStatus(stage, "success", "review");
	}

	/** Whether the item is done in the stage: success or review (`succeeded` without the set of every id). */
	isDone(stage: StageType, itemId: string): boolean {
		const s = this.statusOf(stage, itemId);
		return s === "success" || s === "review";
	}

	/** Items whose latest record in the stage (or in any stage, when omitted) is a failure. */
	failures(stage?: StageType): ItemFailure[] {
		const out: ItemFailure[] = [];
		for (const s of stage ? [stage] : STAGE_TYPES) {
			const c = this.columns.get(s)!;
			const failed = [...c.whole.keys()].filter((slot) => c.status[slot] === STATUSES.indexOf("failed") + 1);
			for (const slot of failed.sort((a, b) => c.line[a]! - c.line[b]!)) {
				const r = c.whole.get(slot)!;
				out.push({
					item_id: r.item_id,
					...(r.title !== undefined ? { title: r.title } : {}),
					stage: s,
					reason: r.error ?? r.reason ?? "unknown error",
				});
			}
		}
		return out;
	}

	/** Counts of the latest statuses in a stage. */
	counts(stage: StageType): Counts {
		const f = this.folded?.stages[stage];
		const c: Counts = {
			total: (f?.total ?? 0) + this.unchangedEarly,
			success: (f?.success ?? 0) + this.unchangedEarly,
			failed: f?.failed ?? 0,
			skipped: f?.skipped ?? 0,
			review: f?.review ?? 0,
		};
		const status = this.columns.get(stage)!.status;
		const size = this.keys.size;
		for (let slot = 0; slot < size; slot++) {
			const code = status[slot]!;
			if (code === 0) continue;
			const s = STATUSES[code - 1];
			c.total++;
			if (s === "success") c.success++;
			else if (s === "failed") c.failed++;
			else if (s === "skipped") c.skipped++;
			else c.review = (c.review ?? 0) + 1;
		}
		return c;
	}
}
