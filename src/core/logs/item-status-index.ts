import type { Counts } from "../model/counts";
import type { ItemOutcomeKind, ItemResultStatus, PhaseType, StageType } from "../model/status";
import { ItemResultStatusSchema, STAGE_TYPES } from "../model/status";
import type { Logger } from "../ports/logger";
import type { StagingStore } from "../ports/staging-store";
import { pipelineStagesFile } from "../session/paths";
import { forEachJsonl } from "./jsonl";
import { PipelineStageRecordSchema, readFoldedItems, type FoldedItems, type PipelineStageRecord } from "./pipeline-stages";

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

const STATUSES = ItemResultStatusSchema.options;
/** Distinct reason labels and outcomes kept as numbers; past this, a record is kept whole instead. */
const MAX_INTERNED = 4096;

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

/** One stage's latest record per item, as columns indexed by the item's slot. */
class StageColumns {
	/** 0: no record; else 1 + the index in STATUSES. */
	status = new Uint8Array(0);
	/** The line of the latest record (its order among the latest records). */
	line = new Float64Array(0);
	time = new Float64Array(0);
	label = new Uint16Array(0);
	outcome = new Uint16Array(0);
	rerendered = new Uint8Array(0);
	/** Records kept whole (see ItemRecord), by slot. */
	readonly whole = new Map<number, ItemRecord>();

	grow(capacity: number): void {
		const more = <A extends Uint8Array | Uint16Array | Float64Array>(a: A, make: (n: number) => A): A => {
			const b = make(capacity);
			b.set(a);
			return b;
		};
		this.status = more(this.status, (n) => new Uint8Array(n));
		this.line = more(this.line, (n) => new Float64Array(n));
		this.time = more(this.time, (n) => new Float64Array(n));
		this.label = more(this.label, (n) => new Uint16Array(n));
		this.outcome = more(this.outcome, (n) => new Uint16Array(n));
		this.rerendered = more(this.rerendered, (n) => new Uint8Array(n));
	}
}

/**
 * The latest status of every item in every stage of a phase, from `pipeline_stages.jsonl` (a later record of
 * the same item and stage replaces an earlier one: a retry that succeeded clears the failure).
 * What resume and retry ask: which items succeeded in stage X, which failed and why.
 *
 * Memory is bounded by design: the log is read line by line (never one string), and an item that went through
 * costs a few bytes per stage (columns of numbers, see ItemRecord), not a record object: a session of a million
 * conversations is about a hundred bytes each.
 */
export class ItemStatusIndex {
	private readonly slots = new Map<string, number>();
	private ids: string[] = [];
	private readonly columns = new Map<StageType, StageColumns>();
	private readonly labels = new Interned();
	private readonly outcomes = new Interned();
	private line = 0;

	constructor(
		records: readonly PipelineStageRecord[] = [],
		/** Log lines that could not be read (partial last line, corrupt, schema failure). */
		public skippedLines = 0,
		/** Items of a finished phase folded out of the log (see FoldedItems): counted, not listed. */
		readonly folded: FoldedItems | null = null,
	) {
		for (const stage of STAGE_TYPES) this.columns.set(stage, new StageColumns());
		for (const r of records) this.add(r);
	}

	static async read(store: StagingStore, sessionId: string, phase: PhaseType, logger?: Logger): Promise<ItemStatusIndex> {
		const index = new ItemStatusIndex([], 0, await readFoldedItems(store, sessionId, phase, logger));
		index.skippedLines = await forEachJsonl(
			store,
			pipelineStagesFile(sessionId, phase),
			{ schema: PipelineStageRecordSchema, ...(logger ? { logger } : {}) },
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
		await forEachJsonl(store, pipelineStagesFile(sessionId, phase), { schema: PipelineStageRecordSchema }, (r) => {
			if (r.title !== undefined && ids.has(r.item_id)) out.set(r.item_id, r.title);
		});
		return out;
	}

	private slotOf(id: string): number {
		let slot = this.slots.get(id);
		if (slot !== undefined) return slot;
		slot = this.ids.length;
		this.ids.push(id);
		this.slots.set(id, slot);
		const capacity = this.columns.get("extract")!.status.length;
		if (slot >= capacity) for (const c of this.columns.values()) c.grow(Math.max(64, capacity * 2));
		return slot;
	}

	private add(r: PipelineStageRecord): void {
		const slot = this.slotOf(r.item_id);
		const c = this.columns.get(r.stage)!;
		const line = ++this.line;
		c.line[slot] = line;
		c.status[slot] = STATUSES.indexOf(r.status) + 1;
		c.whole.delete(slot);
		const time = Date.parse(r.timestamp);
		const label = r.reason === undefined ? undefined : (r.reason.split(":")[0] ?? "");
		const labelCode = this.labels.code(label);
		const outcomeCode = this.outcomes.code(r.outcome);
		const slim =
			r.status === "success" &&
			r.error === undefined &&
			labelCode !== null &&
			outcomeCode !== null &&
			Number.isFinite(time) &&
			new Date(time).toISOString() === r.timestamp;
		if (!slim) {
			const { session_id: _s, step: _p, timing_ms: _t, ...kept } = r;
			c.whole.set(slot, { ...kept, item_id: this.ids[slot]! });
			return;
		}
		c.time[slot] = time;
		c.label[slot] = labelCode;
		c.outcome[slot] = outcomeCode;
		c.rerendered[slot] = r.rerendered === true ? 2 : r.rerendered === false ? 1 : 0;
	}

	private record(stage: StageType, slot: number): ItemRecord | undefined {
		const c = this.columns.get(stage)!;
		const code = c.status[slot] ?? 0;
		if (code === 0) return undefined;
		const whole = c.whole.get(slot);
		if (whole) return whole;
		const reason = this.labels.value(c.label[slot]!);
		const outcome = this.outcomes.value(c.outcome[slot]!) as ItemOutcomeKind | undefined;
		const rerendered = c.rerendered[slot];
		return {
			item_id: this.ids[slot]!,
			stage,
			status: STATUSES[code - 1]!,
			timestamp: new Date(c.time[slot]!).toISOString(),
			...(reason !== undefined ? { reason } : {}),
			...(outcome !== undefined ? { outcome } : {}),
			...(rerendered ? { rerendered: rerendered === 2 } : {}),
		};
	}

	/** Slots with a record in the stage, in the order of their latest records. */
	private ordered(stage: StageType): number[] {
		const c = this.columns.get(stage)!;
		const out: number[] = [];
		for (let slot = 0; slot < this.ids.length; slot++) if (c.status[slot] !== 0) out.push(slot);
		return out.sort((a, b) => c.line[a]! - c.line[b]!);
	}

	/**
	 * Whether an item went through every stage for good and was folded out of the log: in a folded phase, an item
	 * with no record at all. (Resume and retry leave it alone, as they do an item whose load succeeded.)
	 */
	isFolded(itemId: string): boolean {
		return this.folded !== null && !this.slots.has(itemId);
	}

	/** Latest record per item id in a stage, in the order of those latest records (see ItemRecord for what is kept). */
	latest(stage: StageType): ReadonlyMap<string, ItemRecord> {
		const map = new Map<string, ItemRecord>();
		for (const slot of this.ordered(stage)) map.set(this.ids[slot]!, this.record(stage, slot)!);
		return map;
	}

	/** Each item's latest record in a stage, in the order of those records, one at a time (no map of them all). */
	*each(stage: StageType): Generator<ItemRecord> {
		for (const slot of this.ordered(stage)) yield this.record(stage, slot)!;
	}

	/** An item's latest record in a stage. */
	get(stage: StageType, itemId: string): ItemRecord | undefined {
		const slot = this.slots.get(itemId);
		return slot === undefined ? undefined : this.record(stage, slot);
	}

	statusOf(stage: StageType, itemId: string): ItemResultStatus | undefined {
		const slot = this.slots.get(itemId);
		const code = slot === undefined ? 0 : (this.columns.get(stage)!.status[slot] ?? 0);
		return code === 0 ? undefined : STATUSES[code - 1];
	}

	idsWithStatus(stage: StageType, ...statuses: ItemResultStatus[]): Set<string> {
		const codes = new Set(statuses.map((s) => STATUSES.indexOf(s) + 1));
		const c = this.columns.get(stage)!;
		const ids = new Set<string>();
		for (const slot of this.ordered(stage)) if (codes.has(c.status[slot]!)) ids.add(this.ids[slot]!);
		return ids;
	}

	/** Items done in the stage: success or review (what a resume skips). */
	succeeded(stage: StageType): Set<string> {
		return this.idsWithStatus(stage, "success", "review");
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
			total: f?.total ?? 0,
			success: f?.success ?? 0,
			failed: f?.failed ?? 0,
			skipped: f?.skipped ?? 0,
			review: f?.review ?? 0,
		};
		const status = this.columns.get(stage)!.status;
		for (let slot = 0; slot < this.ids.length; slot++) {
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
