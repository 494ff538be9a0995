import { describe, expect, it } from "vitest";
import { StepTracker } from "../../../src/core/session/step-tracker";
import { FakeClock } from "../_support/fake-clock";

describe("StepTracker", () => {
	it("times a completed step with the injected clock", () => {
		const clock = new FakeClock(Date.UTC(2026, 0, 1, 0, 0, 0));
		const t = new StepTracker("render", clock);
		expect(t.snapshot().status).toBe("pending");
		expect(t.start()).toMatchObject({ status: "running", started_at: "2026-01-01T00:00:00.000Z" });
		clock.advance(1234);
		expect(t.complete(10, 2)).toEqual({
			step_name: "render",
			status: "completed",
			started_at: "2026-01-01T00:00:00.000Z",
			completed_at: "2026-01-01T00:00:01.234Z",
			duration_ms: 1234,
			items_processed: 10,
			items_failed: 2,
			error: null,
		});
	});

	it("records a failure with its message and duration", () => {
		const clock = new FakeClock(0);
		const t = new StepTracker("parse", clock);
		t.start();
		clock.advance(50);
		expect(t.fail(new Error("bad json"))).toMatchObject({ status: "failed", duration_ms: 50, error: "bad json" });
	});

	it("refuses to finish a step that never started", () => {
		expect(() => new StepTracker("x", new FakeClock()).complete(1)).toThrow(/before it started/);
	});
});
