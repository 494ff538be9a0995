import * as z from "../model/zod";
import type { PhaseType, StageType } from "../model/status";
import { StageTypeSchema } from "../model/status";
import type { Logger } from "../ports/logger";
import type { StagingStore } from "../ports/staging-store";
import { stepsFile } from "../session/paths";
import { appendJsonl, readJsonl, type JsonlReadResult } from "./jsonl";

/** One line of `<phase>/<stage>/steps.jsonl`: one step of one item. */
export const StepLogRecordSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.object({
		/** ISO 8601 (UTC), when the step ended. */
		timestamp: z.string(),
		session_id: z.string(),
		item_id: z.string(),
		stage: StageTypeSchema(),
		step: z.string(),
		/** 1-based position of the step within the item's run through the stage. */
		step_index: z.number().check(z.int(), z.positive()),
		status: z.enum(["completed", "failed"]),
		timing_ms: z.number().check(z.nonnegative()),
		error: z.optional(z.string()),
	}),
);
export type StepLogRecord = z.infer<ReturnType<typeof StepLogRecordSchema>>;

export async function appendStepLogRecords(
	store: StagingStore,
	sessionId: string,
	phase: PhaseType,
	stage: StageType,
	records: readonly StepLogRecord[],
): Promise<void> {
	await appendJsonl(store, stepsFile(sessionId, phase, stage), records);
}

export async function readStepLogRecords(
	store: StagingStore,
	sessionId: string,
	phase: PhaseType,
	stage: StageType,
	logger?: Logger,
): Promise<JsonlReadResult<StepLogRecord>> {
	return readJsonl(store, stepsFile(sessionId, phase, stage), { schema: StepLogRecordSchema(), ...(logger ? { logger } : {}) });
}
