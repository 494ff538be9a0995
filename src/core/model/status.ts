import * as z from "./zod";

/**
 * Status of a session and of a phase. `partial` = some items succeeded and some failed. `stopped` = the run was
 * cancelled (by the user, or by Obsidian closing the plugin) before every item was done: resume goes on with it;
 * the items it had not reached are pending, not failed.
 */
export const SessionStatusSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.enum(["pending", "running", "completed", "failed", "partial", "stopped"]),
);
export type SessionStatus = z.infer<ReturnType<typeof SessionStatusSchema>>;

export const PhaseStatusSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.enum(["pending", "running", "completed", "failed", "partial", "stopped"]),
);
export type PhaseStatus = z.infer<ReturnType<typeof PhaseStatusSchema>>;

/** `stopped`: cancelled before it was through (resume goes on); `failed`: the stage itself broke down. */
export const StageStatusSchema = /* @__PURE__ */ z.lazySchema(() => z.enum(["pending", "running", "completed", "failed", "stopped"]));
export type StageStatus = z.infer<ReturnType<typeof StageStatusSchema>>;

export const StepStatusSchema = /* @__PURE__ */ z.lazySchema(() => z.enum(["pending", "running", "completed", "failed", "skipped"]));
export type StepStatus = z.infer<ReturnType<typeof StepStatusSchema>>;

/** Status of one item (a conversation, a note) while it moves through a stage. */
export const ItemStatusSchema = /* @__PURE__ */ z.lazySchema(() => z.enum(["pending", "processing", "completed", "failed", "skipped"]));
export type ItemStatus = z.infer<ReturnType<typeof ItemStatusSchema>>;

/**
 * The outcome of one item in one stage as written to `pipeline_stages.jsonl`.
 * `review` = done, but flagged for a person to look at (counts as a success for the phase status).
 */
export const ITEM_RESULT_STATUSES = ["success", "skipped", "failed", "review"] as const;
export const ItemResultStatusSchema = /* @__PURE__ */ z.lazySchema(() => z.enum(ITEM_RESULT_STATUSES));
export type ItemResultStatus = z.infer<ReturnType<typeof ItemResultStatusSchema>>;

/**
 * What became of one item, typed (the log's `outcome`; `reason` says why for people): a note `created`, `updated`,
 * `unchanged` or `preserved` (the user's edits kept) by load; `review`, `skipped` and `failed` as the record's status
 * says. Load records carry it (and `rerendered` when an unchanged conversation was rendered again for new options),
 * so the summary never reads it back out of the reason's text.
 */
export const ItemOutcomeSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.enum(["created", "updated", "unchanged", "preserved", "review", "skipped", "failed"]),
);
export type ItemOutcomeKind = z.infer<ReturnType<typeof ItemOutcomeSchema>>;

/** The phases, and the stages in the order they run. */
export const PHASE_TYPES = ["import", "organize"] as const;
export const STAGE_TYPES = ["extract", "transform", "load"] as const;

export const PhaseTypeSchema = /* @__PURE__ */ z.lazySchema(() => z.enum(PHASE_TYPES));
export type PhaseType = z.infer<ReturnType<typeof PhaseTypeSchema>>;

export const StageTypeSchema = /* @__PURE__ */ z.lazySchema(() => z.enum(STAGE_TYPES));
export type StageType = z.infer<ReturnType<typeof StageTypeSchema>>;
