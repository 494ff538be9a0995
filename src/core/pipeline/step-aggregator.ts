import type { Step } from "../model/phase";

/** Folds per-item step records into phase.json's per-step aggregates, in order of first appearance. */
export class StepAggregator {
	private readonly steps = new Map<string, Step>();
	/** When each step last completed (ms): made an ISO string only in a snapshot, not once per item. */
	private readonly completedMs = new Map<string, number>();

	/** `startedMs` and `completedMs`: ms since the epoch. */
	add(name: string, startedMs: number, completedMs: number, durationMs: number, error: string | undefined): void {
		let step = this.steps.get(name);
		if (!step) {
			step = {
				step_name: name,
				status: "running",
				started_at: new Date(startedMs).toISOString(),
				completed_at: "",
				duration_ms: 0,
				items_processed: 0,
				items_failed: 0,
				error: null,
			};
			this.steps.set(name, step);
		}
		this.completedMs.set(name, completedMs);
		step.duration_ms += durationMs;
		step.items_processed++;
		if (error !== undefined) {
			step.items_failed++;
			step.error = error;
		}
	}

	/**
	 * `items` items that went through the step one after another between `startedMs` and `completedMs`, `failed` of
	 * them failing (the last with `error`): a loop that does not time each item adds its batches.
	 */
	addMany(name: string, startedMs: number, completedMs: number, items: number, failed: number, error: string | undefined): void {
		if (items === 0) return;
		this.add(name, startedMs, completedMs, Math.max(0, completedMs - startedMs), failed > 0 ? error : undefined);
		const step = this.steps.get(name)!;
		step.items_processed += items - 1;
		step.items_failed += Math.max(0, failed - 1);
	}

	/** A copy; `final` turns running steps into completed (or failed when every item failed in them). */
	snapshot(final = false): Step[] {
		for (const [name, ms] of this.completedMs) {
			const step = this.steps.get(name);
			if (step) step.completed_at = new Date(ms).toISOString();
		}
		this.completedMs.clear();
		return [...this.steps.values()].map((s) => ({
			...s,
			status: final ? (s.items_processed > 0 && s.items_failed === s.items_processed ? "failed" : "completed") : s.status,
		}));
	}
}
