import { describe, expect, it } from "vitest";
import { StringHashSet, hashes } from "../../../src/core/util/hash64";

describe("StringHashSet", () => {
	it("answers as a Set of the same strings would, through many growths", () => {
		const set = new StringHashSet(["seed"]);
		const real = new Set<string>(["seed"]);
		for (let i = 0; i < 50_000; i++) {
			const s = i % 7 === 0 ? `dup-${i % 1000}` : `${i.toString(36)}-é-${(i * 2654435761) >>> 0}`;
			expect(set.add(s)).toBe(!real.has(s));
			real.add(s);
		}
		expect(set.size).toBe(real.size);
		for (let i = 0; i < 60_000; i++) {
			const s = `${i.toString(36)}-é-${(i * 2654435761) >>> 0}`;
			if (set.has(s) !== real.has(s)) throw new Error(s);
		}
		expect(set.has("")).toBe(false);
		expect(new StringHashSet().has("x")).toBe(false);
	});

	it("the two hashes differ for strings that differ only in order or length", () => {
		const seen = new Set<string>();
		for (const s of ["ab", "ba", "a", "a\u0000", "", "\u0000", "日本", "本日"]) seen.add(hashes(s).join(":"));
		expect(seen.size).toBe(8);
	});
});
