import type { Step } from "../model/phase";

/** Folds per-item step records into phase.json's per-step aggregates, in order of first appearance. */
export class StepAggregator {
	private readonly steps = new Map<string, Step>();

	add(name: string, startedAt: string, completedAt: string, durationMs: number, error: string | undefined): void {
		let step = this.steps.get(name);
		if (!step) {
			step = {
				step_name: name,
				status: "running",
				started_at: startedAt,
				completed_at: completedAt,
				duration_ms: 0,
				items_processed: 0,
				items_failed: 0,
				error: null,
			};
			this.steps.set(name, step);
		}
		step.completed_at = completedAt;
		step.duration_ms += durationMs;
		step.items_processed++;
		if (error !== undefined) {
			step.items_failed++;
			step.error = error;
		}
	}

	/** A copy; `final` turns running steps into completed (or failed when every item failed in them). */
	snapshot(final = false): Step[] {
		return [...this.steps.values()].map((s) => ({
			...s,
			status: final ? (s.items_processed > 0 && s.items_failed === s.items_processed ? "failed" : "completed") : s.status,
		}));
	}
}
