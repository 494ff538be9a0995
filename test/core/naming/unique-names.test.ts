import { describe, expect, it } from "vitest";
import { NameAllocator, nameKey } from "../../../src/core/naming/unique-names";

const bytes = (s: string): number => new TextEncoder().encode(s).length;

describe("NameAllocator", () => {
	it.each<[string, string[], string[], string[]]>([
		["no collisions", [], ["A", "B"], ["A", "B"]],
		["collisions within the run", [], ["Title", "Title", "Title"], ["Title", "Title 1", "Title 2"]],
		["case-insensitive within the run", [], ["Title", "title", "TITLE"], ["Title", "title 1", "TITLE 2"]],
		["existing names in the folder", ["Title", "title 1"], ["Title", "Title"], ["Title 2", "Title 3"]],
		["existing differs only in case", ["rsync BACKUP"], ["Rsync backup"], ["Rsync backup 1"]],
		["a real title that looks like a suffixed one", [], ["Title", "Title 1", "Title"], ["Title", "Title 1", "Title 2"]],
		["suffixed name collides with a later real title", [], ["Title", "Title", "Title 1"], ["Title", "Title 1", "Title 1 1"]],
		["sanitises before comparing", ["a-b"], ["a/b"], ["a-b 1"]],
		["empty titles", [], ["", "  ", "#"], ["Untitled", "Untitled 1", "Untitled 2"]],
		["NFC vs NFD", ["Caf\u00e9"], ["Cafe\u0301"], ["Caf\u00e9 1"]],
		["CJK", ["京都旅行"], ["京都旅行", "京都旅行"], ["京都旅行 1", "京都旅行 2"]],
	])("%s", (_name, existing, claims, expected) => {
		const allocator = new NameAllocator(existing);
		expect(claims.map((c) => allocator.claim(c))).toEqual(expected);
	});

	it("is stable from run to run for the same existing set and order", () => {
		const existing = ["Notes", "notes 2", "Plan"];
		const claims = ["Notes", "Plan", "Notes", "notes", "Other", "Plan", "Notes"];
		const first = new NameAllocator(existing);
		const second = new NameAllocator([...existing]);
		const a = claims.map((c) => first.claim(c));
		const b = claims.map((c) => second.claim(c));
		expect(a).toEqual(b);
		expect(a).toEqual(["Notes 1", "Plan 1", "Notes 3", "notes 4", "Other", "Plan 2", "Notes 5"]);
		expect(new Set(a.map(nameKey)).size).toBe(a.length);
	});

	it("keeps the byte cap after adding the suffix", () => {
		const allocator = new NameAllocator();
		const long = "日".repeat(500);
		const names = Array.from({ length: 12 }, () => allocator.claim(long));
		for (const name of names) expect(bytes(name)).toBeLessThanOrEqual(200);
		expect(names[1]!.endsWith(" 1")).toBe(true);
		expect(names[11]!.endsWith(" 11")).toBe(true);
		expect(new Set(names.map(nameKey)).size).toBe(12);
		const ascii = new NameAllocator();
		ascii.claim("a".repeat(300));
		expect(ascii.claim("a".repeat(300))).toBe(`${"a".repeat(198)} 1`);
	});

	it("respects a custom byte cap", () => {
		const allocator = new NameAllocator([], { maxBytes: 20 });
		allocator.claim("x".repeat(40));
		expect(allocator.claim("x".repeat(40))).toBe(`${"x".repeat(18)} 1`);
	});

	it("stays fast with many claims of one title", () => {
		const allocator = new NameAllocator();
		const started = performance.now();
		for (let i = 0; i < 5000; i++) allocator.claim("Untitled");
		expect(allocator.claim("Untitled")).toBe("Untitled 5000");
		expect(performance.now() - started).toBeLessThan(2000);
	});

	it("reports and reserves names", () => {
		const allocator = new NameAllocator(["A"]);
		expect(allocator.isTaken("a")).toBe(true);
		expect(allocator.isTaken("B")).toBe(false);
		allocator.reserve("B");
		expect(allocator.claim("b")).toBe("b 1");
	});
});
