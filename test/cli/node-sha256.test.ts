import { describe, expect, it } from "vitest";
import { nodeSha256 } from "../../src/cli/node-sha256";
import { sha256Hex } from "../../src/core/util/sha256";

describe("nodeSha256 (the CLI's Sha256Text)", () => {
	it("gives the core's digest for every kind of text, lone surrogates included (as U+FFFD)", () => {
		const texts = [
			"",
			"abc",
			"ü 🎉 ✓",
			"a\u{1F600}b",
			"lone \uD800 high",
			"lone \uDC00 low",
			"end \uD83D",
			"x".repeat(100_000),
			"\r\n\t\u0000",
		];
		for (const t of texts) expect(nodeSha256(t), JSON.stringify(t.slice(0, 20))).toBe(sha256Hex(t));
		expect(nodeSha256("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	});
});
