import { describe, expect, it } from "vitest";
import { formatSessionId, isValidSessionId, nextFreeSessionId, parseSessionId } from "../../../src/core/session/session-id";

describe("session ids", () => {
	it("formats local time as YYYYMMDD_HHMMSS", () => {
		expect(formatSessionId(new Date(2026, 0, 4, 6, 5, 9))).toBe("20260104_060509");
		expect(formatSessionId(new Date(2025, 11, 31, 23, 59, 59, 999))).toBe("20251231_235959");
	});

	it.each([
		["20260124_164549", true],
		["20240229_000000", true], // leap day
		["20250229_000000", false], // not a leap year
		["20260230_120000", false],
		["20261301_120000", false],
		["20260124_246000", false],
		["20260124_235960", false],
		["20260124-164549", false],
		["2026012_164549", false],
		["20260124_164549 ", false],
		["", false],
		["../20260124_164549", false],
	])("validates %j → %s", (id, valid) => {
		expect(isValidSessionId(id)).toBe(valid);
	});

	it("parses back to the same local time", () => {
		const d = new Date(2026, 6, 1, 13, 14, 15);
		expect(parseSessionId(formatSessionId(d))?.getTime()).toBe(d.getTime());
	});

	it("takes the next free second when the id is taken", async () => {
		const taken = new Set(["20260124_164549", "20260124_164550"]);
		const id = await nextFreeSessionId(new Date(2026, 0, 24, 16, 45, 49, 700), async (c) => taken.has(c));
		expect(id).toBe("20260124_164551");
	});

	it("rolls over minute, hour and day boundaries", async () => {
		const taken = new Set(["20251231_235959"]);
		expect(await nextFreeSessionId(new Date(2025, 11, 31, 23, 59, 59), async (c) => taken.has(c))).toBe("20260101_000000");
	});
});
