import { describe, expect, it } from "vitest";
import { contentHash } from "../../../src/core/util/content-hash";

describe("contentHash", () => {
	it("is stable and has the documented form", () => {
		expect(contentHash("hello")).toBe(contentHash("hello"));
		expect(contentHash("hello")).toMatch(/^c1:[0-9a-f]{28}[0-9a-f]+$/);
	});

	it("tells apart texts that differ by one character, one trailing space, or order", () => {
		const base = "---\ntitle: A\n---\n\n## User\n\nSome text.\n";
		const variants = [base, base.replace("A", "B"), `${base} `, base.replace("Some text.", "text. Some"), base.slice(0, -1), ""];
		expect(new Set(variants.map(contentHash)).size).toBe(variants.length);
	});

	it("has no collisions over 200,000 similar texts", () => {
		const seen = new Set<string>();
		for (let i = 0; i < 200_000; i++) seen.add(contentHash(`note ${i} body ${i % 97}`));
		expect(seen.size).toBe(200_000);
	});
});
