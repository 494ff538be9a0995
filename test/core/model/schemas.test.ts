import { describe, expect, it } from "vitest";
import { addCounts, emptyCounts } from "../../../src/core/model/counts";
import { PhaseSchema } from "../../../src/core/model/phase";
import { SessionSchema } from "../../../src/core/model/session";
import { newPhase } from "../../../src/core/session/phase-manager";

describe("models", () => {
	it("addCounts sums, keeping review only when present", () => {
		expect(addCounts()).toEqual(emptyCounts());
		expect(addCounts({ total: 2, success: 1, failed: 1, skipped: 0 }, { total: 1, success: 0, failed: 0, skipped: 1 })).toEqual({
			total: 3,
			success: 1,
			failed: 1,
			skipped: 1,
		});
		expect(addCounts({ total: 1, success: 1, failed: 0, skipped: 0 }, { total: 2, success: 0, failed: 0, skipped: 0, review: 2 })).toEqual({
			total: 3,
			success: 1,
			failed: 0,
			skipped: 0,
			review: 2,
		});
	});

	it("a new phase passes its schema; unknown stages and statuses do not", () => {
		const phase = newPhase("import");
		expect(PhaseSchema().parse(phase)).toEqual(phase);
		expect(PhaseSchema().safeParse({ ...phase, status: "done" }).success).toBe(false);
		const { load: _load, ...stages } = phase.stages;
		expect(PhaseSchema().safeParse({ ...phase, stages }).error?.issues[0]?.path).toEqual(["stages", "load"]);
	});

	it("session ids must look like YYYYMMDD_HHMMSS", () => {
		const base = { created_at: "x", updated_at: "x", status: "pending", phases: {}, debug_mode: false };
		expect(SessionSchema().safeParse({ ...base, session_id: "20260101_000000" }).success).toBe(true);
		expect(SessionSchema().safeParse({ ...base, session_id: "../x" }).success).toBe(false);
	});
});
