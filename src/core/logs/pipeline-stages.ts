import * as z from "../model/zod";
import type { PhaseType } from "../model/status";
import { ItemOutcomeSchema, ItemResultStatusSchema, StageTypeSchema } from "../model/status";
import type { Logger } from "../ports/logger";
import type { StagingStore } from "../ports/staging-store";
import { phaseDir, pipelineStagesFile } from "../session/paths";
import { CountsSchema } from "../model/counts";
import { appendJsonl, readJsonl, type JsonlReadResult } from "./jsonl";

/** One line of `<phase>/pipeline_stages.jsonl`: the outcome of one item in one stage. */
export const PipelineStageRecordSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.object({
		/** ISO 8601 (UTC), when the item finished the stage. */
		timestamp: z.string(),
		session_id: z.string(),
		item_id: z.string(),
		title: z.optional(z.string()),
		stage: StageTypeSchema(),
		/** The last step the item went through. */
		step: z.string(),
		status: ItemResultStatusSchema(),
		timing_ms: z.number().check(z.nonnegative()),
		/** Why it failed (status failed). */
		error: z.optional(z.string()),
		/** Why it was skipped or sent to review (status skipped | review), or what load did (created, updated, …). */
		reason: z.optional(z.string()),
		/** The note the item wrote or left in place (load), when there is one. */
		note_path: z.optional(z.string()),
		/** What became of the item (load: the note's outcome); absent in records written before it existed. */
		outcome: z.optional(ItemOutcomeSchema()),
		/** An update of an unchanged conversation, rendered again because the options changed (or --rerender). */
		rerendered: z.optional(z.boolean()),
	}),
);
export type PipelineStageRecord = z.infer<ReturnType<typeof PipelineStageRecordSchema>>;

export async function appendPipelineStageRecords(
	store: StagingStore,
	sessionId: string,
	phase: PhaseType,
	records: readonly PipelineStageRecord[],
): Promise<void> {
	await appendJsonl(store, pipelineStagesFile(sessionId, phase), records);
}

export async function readPipelineStageRecords(
	store: StagingStore,
	sessionId: string,
	phase: PhaseType,
	logger?: Logger,
): Promise<JsonlReadResult<PipelineStageRecord>> {
	return readJsonl(store, pipelineStagesFile(sessionId, phase), { schema: PipelineStageRecordSchema(), ...(logger ? { logger } : {}) });
}

/**
 * `<phase>/pipeline_folded.json`: the items of a finished phase whose records were folded out of
 * `pipeline_stages.jsonl` (issue 16.1: a completed 10,000-conversation session keeps under 1 MB). Only items that
 * went through every stage without a failure, a review or a skip are folded; what status, the panel and retry
 * need of them is their number: per stage counts, and the load's outcomes. An item with no record in a folded
 * phase is one of these (inputs are checked on resume, so no new item can appear).
 */
export const FoldedItemsSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.object({
		version: z.literal(1),
		items: z.number().check(z.int(), z.nonnegative()),
		stages: z.record(StageTypeSchema(), CountsSchema()),
		/** Load outcomes of the folded items ("created", "updated", "unchanged", "updated (options changed)", …). */
		outcomes: z.record(z.string(), z.number().check(z.int(), z.nonnegative())),
	}),
);
export type FoldedItems = z.infer<ReturnType<typeof FoldedItemsSchema>>;

export function foldedItemsFile(sessionId: string, phase: PhaseType): string {
	return `${phaseDir(sessionId, phase)}/pipeline_folded.json`;
}

export async function readFoldedItems(
	store: StagingStore,
	sessionId: string,
	phase: PhaseType,
	logger?: Logger,
): Promise<FoldedItems | null> {
	return readCountsFile(store, foldedItemsFile(sessionId, phase), FoldedItemsSchema(), logger);
}

/** One of the phase's count files, checked by `schema`: null when there is none or it cannot be read (warned of). */
async function readCountsFile<T>(store: StagingStore, path: string, schema: { parse(v: unknown): T }, logger?: Logger): Promise<T | null> {
	if (!(await store.exists(path))) return null;
	try {
		return schema.parse(JSON.parse(await store.read(path)));
	} catch (e) {
		logger?.warn(`${path} cannot be read (${e instanceof Error ? e.message : String(e)}); its items are not counted`);
		return null;
	}
}

/**
 * `<phase>/pipeline_unchanged.json`: how many items a re-import found unchanged as written while extracting them
 * (issue 20): each such item went through every stage with no record of its own (see ItemOutcome.quiet) and no copy
 * in `extract/output/`, its note left as it was. Written by extract with the phase's counts; a fresh extract starts
 * it again (it decides every item again). Counted as items folded are (ItemStatusIndex, the summary), and folded
 * into `pipeline_folded.json` when the session is compacted.
 */
export const UnchangedItemsSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.object({
		version: z.literal(1),
		items: z.number().check(z.int(), z.nonnegative()),
	}),
);
export type UnchangedItems = z.infer<ReturnType<typeof UnchangedItemsSchema>>;

export function unchangedItemsFile(sessionId: string, phase: PhaseType): string {
	return `${phaseDir(sessionId, phase)}/pipeline_unchanged.json`;
}

export async function writeUnchangedItems(store: StagingStore, sessionId: string, phase: PhaseType, items: number): Promise<void> {
	const value: UnchangedItems = { version: 1, items };
	await store.writeAtomic(unchangedItemsFile(sessionId, phase), `${JSON.stringify(value)}\n`);
}

/** The count of items found unchanged early (0 when there is none; a file that cannot be read is warned of). */
export async function readUnchangedItems(store: StagingStore, sessionId: string, phase: PhaseType, logger?: Logger): Promise<number> {
	return (await readCountsFile(store, unchangedItemsFile(sessionId, phase), UnchangedItemsSchema(), logger))?.items ?? 0;
}
