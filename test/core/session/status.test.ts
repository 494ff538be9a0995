import { describe, expect, it } from "vitest";
import type { Counts } from "../../../src/core/model/counts";
import type { PhaseStatus } from "../../../src/core/model/status";
import { derivePhaseStatus, deriveSessionStatus } from "../../../src/core/session/status";

const c = (success: number, failed: number, skipped = 0, review?: number): Counts => ({
	total: success + failed + skipped + (review ?? 0),
	success,
	failed,
	skipped,
	...(review !== undefined ? { review } : {}),
});

describe("derivePhaseStatus", () => {
	it.each<[string, Counts, PhaseStatus]>([
		["zero items", c(0, 0), "completed"],
		["only successes", c(5, 0), "completed"],
		["only skips", c(0, 0, 3), "completed"],
		["successes and skips", c(2, 0, 3), "completed"],
		["successes and failures", c(5, 1), "partial"],
		["only failures", c(0, 4), "failed"],
		["failures and skips", c(0, 4, 2), "failed"],
		["review counts as success", c(0, 1, 0, 2), "partial"],
		["review only", c(0, 0, 0, 2), "completed"],
	])("%s", (_name, counts, expected) => {
		expect(derivePhaseStatus(counts)).toBe(expected);
	});
});

describe("deriveSessionStatus", () => {
	it.each<[PhaseStatus[], string]>([
		[[], "pending"],
		[["pending"], "pending"],
		[["running"], "running"],
		[["completed", "running"], "running"],
		[["completed"], "completed"],
		[["completed", "completed"], "completed"],
		[["completed", "pending"], "completed"],
		[["failed"], "failed"],
		[["failed", "failed"], "failed"],
		[["completed", "failed"], "partial"],
		[["partial"], "partial"],
		[["completed", "partial"], "partial"],
	])("%j → %s", (statuses, expected) => {
		expect(deriveSessionStatus(statuses)).toBe(expected);
	});

	it("reads a session's phases record", () => {
		expect(
			deriveSessionStatus({
				import: { status: "completed", counts: c(1, 0) },
				organize: { status: "failed", counts: c(0, 1) },
			}),
		).toBe("partial");
	});
});
