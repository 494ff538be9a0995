import type { Counts } from "../model/counts";
import type { SessionPhases } from "../model/session";
import type { PhaseStatus, SessionStatus } from "../model/status";

/**
 * The status of a finished phase from its counts: no failures → completed (also for zero items);
 * successes and failures → partial; only failures → failed. `review` items count as successes.
 */
export function derivePhaseStatus(counts: Counts): Extract<PhaseStatus, "completed" | "partial" | "failed"> {
	const successes = counts.success + (counts.review ?? 0);
	if (counts.failed === 0) return "completed";
	return successes > 0 ? "partial" : "failed";
}

/**
 * The session's status follows from its phases' statuses: none (or all pending) → pending; any running →
 * running; any stopped (cancelled part way) → stopped; otherwise, ignoring pending phases: all completed →
 * completed; all failed → failed; else partial.
 */
export function deriveSessionStatus(phases: SessionPhases | readonly PhaseStatus[]): SessionStatus {
	const statuses: PhaseStatus[] = Array.isArray(phases)
		? [...(phases as readonly PhaseStatus[])]
		: Object.values(phases as SessionPhases).flatMap((p) => (p ? [p.status] : []));
	if (statuses.includes("running")) return "running";
	if (statuses.includes("stopped")) return "stopped";
	const done = statuses.filter((s) => s !== "pending");
	if (done.length === 0) return "pending";
	if (done.every((s) => s === "completed")) return "completed";
	if (done.every((s) => s === "failed")) return "failed";
	return "partial";
}
