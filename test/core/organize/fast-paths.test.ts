import { describe, expect, it } from "vitest";
import { withoutLinkPaths } from "../../../src/core/organize/classify-genre";
import { codeRanges, codeRangesOfLines } from "../../../src/core/organize/markdown-regions";
import { joinFolder } from "../../../src/core/organize/plan-organize";

/** Seeded xorshift32: the same inputs every run. */
function generator(seed: number): (n: number) => number {
	let state = seed;
	return (n) => {
		state ^= state << 13;
		state ^= state >>> 17;
		state ^= state << 5;
		return (state >>> 0) % n;
	};
}

describe("joinFolder", () => {
	it("joins as splitting on / and dropping empty segments does, fast path or not (generated folders and names)", () => {
		const slow = (folder: string, name: string): string =>
			[...folder.split("/"), ...name.split("/")].filter((part) => part !== "").join("/");
		const pieces = ["", "/", "//", "a", "b", "AI Conversations", "Travel", "_dust", "x.md", " ", "."];
		const next = generator(42);
		const make = (): string => {
			let out = "";
			for (let k = next(5); k > 0; k--) out += pieces[next(pieces.length)];
			return out;
		};
		let differing = 0;
		for (let i = 0; i < 20_000; i++) {
			const [folder, name] = [make(), make()];
			if (joinFolder(folder, name) !== slow(folder, name)) differing++;
		}
		expect(differing).toBe(0);
		expect(joinFolder("AI Conversations", "Travel/Note.md")).toBe("AI Conversations/Travel/Note.md");
		expect(joinFolder("/AI//Conversations/", "/Note.md")).toBe("AI/Conversations/Note.md");
		expect(joinFolder("", "")).toBe("");
	});
});

describe("withoutLinkPaths", () => {
	it("gives what running both passes always gives (generated bodies of link pieces)", () => {
		const always = (body: string): string =>
			body
				.replace(
					/\[\[([^\]|\n]*?)(?:\|([^\]\n]*))?\]\]/g,
					(_all, target: string, alias?: string) => alias ?? target.replace(/#.*$/, "").replace(/^.*\//, ""),
				)
				.replace(/\]\([^)\n]*\)/g, "]");
		const pieces = ["[", "]", "[[", "]]", "(", ")", "](", "|", "#", "/", "a", "b/c", "\n", " ", "日本"];
		const next = generator(7);
		let differing = 0;
		for (let i = 0; i < 20_000; i++) {
			let body = "";
			for (let k = next(30); k > 0; k--) body += pieces[next(pieces.length)];
			if (withoutLinkPaths(body) !== always(body)) differing++;
		}
		expect(differing).toBe(0);
		expect(withoutLinkPaths("See [[Folder/Note#Part|alias]] and [x](a/b.md) and [[Deep/Name]]")).toBe("See alias and [x] and Name");
	});
});

describe("codeRanges", () => {
	it("finds what the line-by-line reading finds, with or without a backtick or three tildes (generated texts)", () => {
		const pieces = ["`", "``", "```", "~", "~~", "~~~", "~~~~", "   ", "\n", "\r\n", "\n\n", "a", "code", "\\", "#", " "];
		const next = generator(11);
		let differing = 0;
		let withCode = 0;
		for (let i = 0; i < 20_000; i++) {
			let text = "";
			for (let k = next(25); k > 0; k--) text += pieces[next(pieces.length)];
			const expected = codeRangesOfLines(text);
			if (expected.length > 0) withCode++;
			if (JSON.stringify(codeRanges(text)) !== JSON.stringify(expected)) differing++;
		}
		expect(differing).toBe(0);
		expect(withCode).toBeGreaterThan(5_000);
		expect(codeRanges("no code here ~~ at all\n")).toEqual([]);
		expect(codeRanges("a `b` c")).toEqual([{ start: 2, end: 5 }]);
	});
});
