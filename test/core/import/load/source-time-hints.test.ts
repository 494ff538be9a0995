import { describe, expect, it } from "vitest";
import { HintBuilder, hintedSameTime } from "../../../../src/core/import/load/source-time-hints";
import { sameTime } from "../../../../src/core/import/load/load-decision";

describe("source time hints", () => {
	it("answer as sameTime does for every key added, false for keys never added, in 16 bytes a key", () => {
		const b = new HintBuilder();
		const times: (string | null)[] = [];
		const n = 20_000;
		for (let i = 0; i < n; i++) {
			const t = i % 7 === 0 ? null : i % 11 === 0 ? "not a time" : new Date(Date.UTC(2025, 0, 1) + i * 61_001).toISOString();
			times.push(t);
			b.add(`claude\u0000id-${i}`, t);
		}
		const hints = b.done();
		expect(hints.h1.byteLength + hints.h2.byteLength + hints.seconds.byteLength).toBe(16 * n);
		for (let i = 1; i < n; i++) expect(hints.h1[i - 1]! <= hints.h1[i]!).toBe(true);
		for (let i = 0; i < n; i += 13) {
			const key = `claude\u0000id-${i}`;
			const t = times[i]!;
			const later = t === null || t === "not a time" ? "2025-06-01T00:00:00Z" : new Date(Date.parse(t) + 1_000).toISOString();
			if (t !== "not a time") expect(hintedSameTime(hints, key, t)).toBe(sameTime(t, t));
			// The same second written another way is the same time; a second later is not.
			if (t !== null && t !== "not a time") expect(hintedSameTime(hints, key, t.replace(/\.\d+Z$/, "Z"))).toBe(true);
			expect(hintedSameTime(hints, key, later)).toBe(false);
			expect(hintedSameTime(hints, `claude\u0000other-${i}`, t)).toBe(false);
		}
		// A time that does not parse matches nothing (the reader then renders: a hint, never a decision).
		expect(hintedSameTime(hints, "claude\u0000id-11", "not a time")).toBe(false);
	});
});
