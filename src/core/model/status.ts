import * as z from "./zod";

/**
 * Status of a session and of a phase. `partial` = some items succeeded and some failed. `stopped` = the run was
 * cancelled (by the user, or by Obsidian closing the plugin) before every item was done: resume goes on with it;
 * the items it had not reached are pending, not failed.
 */
export const SessionStatusSchema = z.enum(["pending", "running", "completed", "failed", "partial", "stopped"]);
export type SessionStatus = z.infer<typeof SessionStatusSchema>;

export const PhaseStatusSchema = z.enum(["pending", "running", "completed", "failed", "partial", "stopped"]);
export type PhaseStatus = z.infer<typeof PhaseStatusSchema>;

/** `stopped`: cancelled before it was through (resume goes on); `failed`: the stage itself broke down. */
export const StageStatusSchema = z.enum(["pending", "running", "completed", "failed", "stopped"]);
export type StageStatus = z.infer<typeof StageStatusSchema>;

export const StepStatusSchema = z.enum(["pending", "running", "completed", "failed", "skipped"]);
export type StepStatus = z.infer<typeof StepStatusSchema>;

/** Status of one item (a conversation, a note) while it moves through a stage. */
export const ItemStatusSchema = z.enum(["pending", "processing", "completed", "failed", "skipped"]);
export type ItemStatus = z.infer<typeof ItemStatusSchema>;

/**
 * The outcome of one item in one stage as written to `pipeline_stages.jsonl`.
 * `review` = done, but flagged for a person to look at (counts as a success for the phase status).
 */
export const ItemResultStatusSchema = z.enum(["success", "skipped", "failed", "review"]);
export type ItemResultStatus = z.infer<typeof ItemResultStatusSchema>;

/**
 * What became of one item, typed (the log's `outcome`; `reason` says why for people): a note `created`, `updated`,
 * `unchanged` or `preserved` (the user's edits kept) by load; `review`, `skipped` and `failed` as the record's status
 * says. Load records carry it (and `rerendered` when an unchanged conversation was rendered again for new options),
 * so the summary never reads it back out of the reason's text.
 */
export const ItemOutcomeSchema = z.enum(["created", "updated", "unchanged", "preserved", "review", "skipped", "failed"]);
export type ItemOutcomeKind = z.infer<typeof ItemOutcomeSchema>;

export const PhaseTypeSchema = z.enum(["import", "organize"]);
export type PhaseType = z.infer<typeof PhaseTypeSchema>;

export const StageTypeSchema = z.enum(["extract", "transform", "load"]);
export type StageType = z.infer<typeof StageTypeSchema>;

/** Stages in the order they run. */
export const STAGE_TYPES: readonly StageType[] = StageTypeSchema.options;
export const PHASE_TYPES: readonly PhaseType[] = PhaseTypeSchema.options;
