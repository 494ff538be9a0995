import type { Counts } from "../model/counts";
import type { ItemResultStatus, PhaseType, StageType } from "../model/status";
import { STAGE_TYPES } from "../model/status";
import type { Logger } from "../ports/logger";
import type { StagingStore } from "../ports/staging-store";
import { readFoldedItems, readPipelineStageRecords, type FoldedItems, type PipelineStageRecord } from "./pipeline-stages";

export interface ItemFailure {
	item_id: string;
	title?: string;
	stage: StageType;
	reason: string;
}

/**
 * The latest status of every item in every stage of a phase, from `pipeline_stages.jsonl` (a later record of
 * the same item and stage replaces an earlier one: a retry that succeeded clears the failure).
 * What resume and retry ask: which items succeeded in stage X, which failed and why.
 */
export class ItemStatusIndex {
	private readonly byStage = new Map<StageType, Map<string, PipelineStageRecord>>();

	constructor(
		records: readonly PipelineStageRecord[],
		/** Log lines that could not be read (partial last line, corrupt, schema failure). */
		readonly skippedLines = 0,
		/** Items of a finished phase folded out of the log (see FoldedItems): counted, not listed. */
		readonly folded: FoldedItems | null = null,
	) {
		for (const stage of STAGE_TYPES) this.byStage.set(stage, new Map());
		for (const r of records) {
			const map = this.byStage.get(r.stage)!;
			map.delete(r.item_id); // keep insertion order = order of the latest record
			map.set(r.item_id, r);
		}
	}

	static async read(store: StagingStore, sessionId: string, phase: PhaseType, logger?: Logger): Promise<ItemStatusIndex> {
		const { records, skipped } = await readPipelineStageRecords(store, sessionId, phase, logger);
		return new ItemStatusIndex(records, skipped, await readFoldedItems(store, sessionId, phase, logger));
	}

	/**
	 * Whether an item went through every stage for good and was folded out of the log: in a folded phase, an item
	 * with no record at all. (Resume and retry leave it alone, as they do an item whose load succeeded.)
	 */
	isFolded(itemId: string): boolean {
		if (!this.folded) return false;
		for (const map of this.byStage.values()) if (map.has(itemId)) return false;
		return true;
	}

	/** Latest record per item id in a stage, in the order of those latest records. */
	latest(stage: StageType): ReadonlyMap<string, PipelineStageRecord> {
		return this.byStage.get(stage)!;
	}

	statusOf(stage: StageType, itemId: string): ItemResultStatus | undefined {
		return this.byStage.get(stage)!.get(itemId)?.status;
	}

	idsWithStatus(stage: StageType, ...statuses: ItemResultStatus[]): Set<string> {
		const ids = new Set<string>();
		for (const [id, r] of this.latest(stage)) if (statuses.includes(r.status)) ids.add(id);
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
			for (const r of this.latest(s).values()) {
				if (r.status !== "failed") continue;
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
		for (const r of this.latest(stage).values()) {
			c.total++;
			if (r.status === "success") c.success++;
			else if (r.status === "failed") c.failed++;
			else if (r.status === "skipped") c.skipped++;
			else c.review = (c.review ?? 0) + 1;
		}
		return c;
	}
}
