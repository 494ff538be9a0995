import * as z from "./zod";
import { CountsSchema } from "./counts";
import { PhaseStatusSchema, PhaseTypeSchema, StageStatusSchema, StageTypeSchema, StepStatusSchema } from "./status";

/** A named step of a stage, aggregated over the items that went through it. Times are ISO 8601. */
export const StepSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.object({
		step_name: z.string().check(z.minLength(1)),
		status: StepStatusSchema(),
		started_at: z.nullable(z.string()),
		completed_at: z.nullable(z.string()),
		duration_ms: z.number().check(z.nonnegative()),
		items_processed: z.number().check(z.int(), z.nonnegative()),
		items_failed: z.number().check(z.int(), z.nonnegative()),
		error: z.nullable(z.string()),
	}),
);
export type Step = z.infer<ReturnType<typeof StepSchema>>;

export const StageSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.object({
		stage_type: StageTypeSchema(),
		status: StageStatusSchema(),
		started_at: z.nullable(z.string()),
		completed_at: z.nullable(z.string()),
		/** Items that went through the stage in its latest run (excluding items skipped as already done). */
		items_count: z.number().check(z.int(), z.nonnegative()),
		steps: z.array(StepSchema()),
		/**
		 * Additive to the field list: the latest run's counts, so a watcher sees progress from
		 * phase.json alone. Optional; the logs remain the source of truth.
		 */
		counts: z.optional(CountsSchema()),
		/**
		 * Additive: how far a stage that streams its inputs (extract) has read them, in bytes. Lets a watcher show a
		 * real progress and estimate the total number of items before the reading ends.
		 */
		input: z.optional(z.object({ bytes_read: z.number().check(z.nonnegative()), bytes_total: z.number().check(z.nonnegative()) })),
	}),
);
export type Stage = z.infer<ReturnType<typeof StageSchema>>;
export type StageInput = NonNullable<Stage["input"]>;

export const StagesSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.object({
		extract: StageSchema(),
		transform: StageSchema(),
		load: StageSchema(),
	}),
);
export type Stages = z.infer<ReturnType<typeof StagesSchema>>;

/** `<session>/<phase>/phase.json`. */
export const PhaseSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.object({
		phase_type: PhaseTypeSchema(),
		status: PhaseStatusSchema(),
		started_at: z.nullable(z.string()),
		completed_at: z.nullable(z.string()),
		counts: CountsSchema(),
		stages: StagesSchema(),
	}),
);
export type Phase = z.infer<ReturnType<typeof PhaseSchema>>;
