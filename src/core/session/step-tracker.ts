import type { Clock } from "../ports/clock";
import type { Step } from "../model/phase";

/** Tracks one step's lifecycle: pending → running → completed | failed, timed with the injected clock. */
export class StepTracker {
	private step: Step;
	private startedMs: number | null = null;

	constructor(
		stepName: string,
		private readonly clock: Clock,
	) {
		this.step = {
			step_name: stepName,
			status: "pending",
			started_at: null,
			completed_at: null,
			duration_ms: 0,
			items_processed: 0,
			items_failed: 0,
			error: null,
		};
	}

	start(): Step {
		const now = this.clock.now();
		this.startedMs = now.getTime();
		this.step = { ...this.step, status: "running", started_at: now.toISOString(), completed_at: null, error: null };
		return this.snapshot();
	}

	complete(itemsProcessed: number, itemsFailed = 0): Step {
		this.finish("completed");
		this.step.items_processed = itemsProcessed;
		this.step.items_failed = itemsFailed;
		return this.snapshot();
	}

	fail(error: unknown): Step {
		this.finish("failed");
		this.step.error = error instanceof Error ? error.message : String(error);
		return this.snapshot();
	}

	/** Marks a step that did not run. */
	skip(): Step {
		this.step = { ...this.step, status: "skipped" };
		return this.snapshot();
	}

	snapshot(): Step {
		return { ...this.step };
	}

	private finish(status: "completed" | "failed"): void {
		if (this.startedMs === null) throw new Error(`Step "${this.step.step_name}" finished before it started`);
		const now = this.clock.now();
		this.step.status = status;
		this.step.completed_at = now.toISOString();
		this.step.duration_ms = Math.max(0, now.getTime() - this.startedMs);
	}
}
