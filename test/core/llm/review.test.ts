import { describe, expect, it } from "vitest";
import { decideReview, minBodyRatio } from "../../../src/core/llm/review";

const full = { title: "T", summary: "S", content: "C", unclosedFence: false };

describe("minBodyRatio (reference 3.10 thresholds)", () => {
	it.each([
		[0, 0.15],
		[999, 0.15],
		[1_000, 0.1],
		[9_999, 0.1],
		[10_000, 0.05],
		[1_000_000, 0.05],
	])("%i chars → %f", (chars, ratio) => {
		expect(minBodyRatio(chars)).toBe(ratio);
	});
});

describe("decideReview", () => {
	it.each([
		// conversation chars, body chars, review?
		[500, 75, false],
		[500, 74, true],
		[999, 150, false],
		[999, 149, true],
		[1_000, 100, false],
		[1_000, 99, true],
		[9_999, 1_000, false],
		[9_999, 999, true],
		[10_000, 500, false],
		[10_000, 499, true],
		[200_000, 10_000, false],
		[200_000, 9_999, true],
	])("conversation %i, body %i → review %s", (conversationChars, bodyChars, review) => {
		const body = "x".repeat(bodyChars);
		const decision = decideReview({ conversationChars, body, parsed: { ...full, content: body } });
		expect(decision.review).toBe(review);
		if (decision.review) expect(decision.reason).toMatch(/^body too short: .*threshold (5|10|15)\.0%$/);
	});

	it.each([
		[{ title: undefined }, "missing required section: title"],
		[{ summary: " " }, "missing required section: summary"],
		[{ title: "", content: undefined }, "missing required sections: title, content"],
	])("missing %j", (change, reason) => {
		const decision = decideReview({ conversationChars: 100, body: "x".repeat(100), parsed: { ...full, ...change } });
		expect(decision).toEqual({ review: true, reason });
	});

	it("a section a merged result lacks in one part counts as missing", () => {
		const decision = decideReview({ conversationChars: 10, body: "body", parsed: { ...full, missing: ["content"] } });
		expect(decision).toEqual({ review: true, reason: "missing required section: content" });
	});

	it("an unclosed fence goes to review, with other reasons joined", () => {
		const decision = decideReview({ conversationChars: 20_000, body: "short", parsed: { ...full, content: "short", unclosedFence: true } });
		expect(decision.review).toBe(true);
		if (decision.review) {
			expect(decision.reason).toContain("unclosed code fence");
			expect(decision.reason).toContain("; body too short: 0.0% of the conversation (5 of 20000 characters), threshold 5.0%");
		}
	});

	it("tags are not required; an empty conversation skips the ratio", () => {
		expect(decideReview({ conversationChars: 0, body: "x", parsed: full })).toEqual({ review: false });
	});
});
