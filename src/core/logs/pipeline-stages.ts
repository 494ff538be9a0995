import * as z from "zod";
import type { PhaseType } from "../model/status";
import { ItemResultStatusSchema, StageTypeSchema } from "../model/status";
import type { Logger } from "../ports/logger";
import type { StagingStore } from "../ports/staging-store";
import { pipelineStagesFile } from "../session/paths";
import { appendJsonl, readJsonl, type JsonlReadResult } from "./jsonl";

/** One line of `<phase>/pipeline_stages.jsonl`: the outcome of one item in one stage. */
export const PipelineStageRecordSchema = z.object({
	/** ISO 8601 (UTC), when the item finished the stage. */
	timestamp: z.string(),
	session_id: z.string(),
	item_id: z.string(),
	title: z.string().optional(),
	stage: StageTypeSchema,
	/** The last step the item went through. */
	step: z.string(),
	status: ItemResultStatusSchema,
	timing_ms: z.number().nonnegative(),
	/** Why it failed (status failed). */
	error: z.string().optional(),
	/** Why it was skipped or sent to review (status skipped | review), or what load did (created, updated, …). */
	reason: z.string().optional(),
	/** The note the item wrote or left in place (load), when there is one. */
	note_path: z.string().optional(),
});
export type PipelineStageRecord = z.infer<typeof PipelineStageRecordSchema>;

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
	return readJsonl(store, pipelineStagesFile(sessionId, phase), { schema: PipelineStageRecordSchema, ...(logger ? { logger } : {}) });
}
