import { describe, expect, it } from "vitest";
import { mergeKnowledge, splitForContext, splitText, transcriptBlocks } from "../../../src/core/llm/chunking";
import { FenceTracker } from "../../../src/core/llm/markdown-fences";
import type { ParsedKnowledge } from "../../../src/core/llm/parse-knowledge";
import { buildTranscript } from "../../../src/core/llm/transcript";
import { conversation, longConversation, msg } from "./conversation-helpers";

function messageIndexes(part: { blocks: { messageIndex: number }[] }): number[] {
	return part.blocks.map((b) => b.messageIndex);
}

describe("splitForContext", () => {
	it("keeps a conversation that fits in one part, identical to the transcript", () => {
		const c = longConversation(4, 100);
		const parts = splitForContext(c, { contextChars: 10_000 });
		expect(parts).toHaveLength(1);
		expect(parts[0]?.transcript).toBe(buildTranscript(c));
		expect(parts[0]).toMatchObject({ index: 1, total: 1, firstMessage: 0, lastMessage: 3 });
	});

	it("splits at message boundaries within the budget, with a 2-message overlap", () => {
		// Each block is "[User]\n" + 1000 chars ≈ 1007–1012 characters; 5 fit in 5,200 with separators.
		const c = longConversation(10, 1000);
		const parts = splitForContext(c, { contextChars: 5_200, overlapMessages: 2 });
		for (const part of parts) expect(part.transcript.length).toBeLessThanOrEqual(5_200);
		expect(parts.map(messageIndexes)).toEqual([
			[0, 1, 2, 3, 4],
			[3, 4, 5, 6, 7],
			[6, 7, 8, 9],
		]);
		expect(parts.every((p) => p.total === parts.length)).toBe(true);
		// No message is cut: each part's transcript is whole message blocks.
		for (const part of parts) for (const block of part.blocks) expect(block.text).toMatch(/^\[(User|Assistant)\]\nmessage \d+ x+$/);
	});

	it("overlap 0 gives disjoint parts covering every message once", () => {
		const parts = splitForContext(longConversation(9, 1000), { contextChars: 3_200, overlapMessages: 0 });
		expect(parts.flatMap(messageIndexes)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
	});

	it("shrinks the overlap to at most half the budget", () => {
		const parts = splitForContext(longConversation(6, 1000), { contextChars: 3_200, overlapMessages: 2 });
		expect(parts.map(messageIndexes)).toEqual([
			[0, 1, 2],
			[2, 3, 4],
			[4, 5],
		]);
	});

	it("always makes progress when the overlap is as big as a part", () => {
		const parts = splitForContext(longConversation(5, 1000), { contextChars: 1_100, overlapMessages: 3 });
		expect(parts.map(messageIndexes)).toEqual([[0], [1], [2], [3], [4]]);
	});

	it("cuts a single oversized message at paragraph boundaries, keeping code fences balanced", () => {
		const paragraphs = Array.from({ length: 30 }, (_, i) => `Paragraph ${i} ${"y".repeat(80)}`);
		const code = {
			kind: "code" as const,
			language: "python",
			code: Array.from({ length: 60 }, (_, i) => `print(${i})  # ${"z".repeat(20)}`).join("\n"),
		};
		const c = conversation([
			msg("0", "user", "short question"),
			msg("1", "assistant", paragraphs.join("\n\n"), code),
			msg("2", "user", "thanks"),
		]);
		const parts = splitForContext(c, { contextChars: 1_000, overlapMessages: 1 });
		expect(parts.length).toBeGreaterThan(3);
		for (const part of parts) {
			expect(part.transcript.length).toBeLessThanOrEqual(1_000);
			const tracker = new FenceTracker();
			for (const line of part.transcript.split("\n")) tracker.step(line);
			expect(tracker.inside).toBe(false);
		}
		const pieces = parts.flatMap((p) => p.blocks).filter((b) => b.messageIndex === 1);
		expect(pieces[0]?.text).toMatch(/^\[Assistant\] \(message 2, piece 1 of \d+\)\nParagraph 0 /);
		// Every paragraph and every code line survives somewhere.
		const all = parts.map((p) => p.transcript).join("\n");
		for (let i = 0; i < 30; i++) expect(all).toContain(`Paragraph ${i} `);
		for (let i = 0; i < 60; i++) expect(all).toContain(`print(${i})`);
		// Paragraphs are not cut in the middle.
		for (const block of pieces) for (const m of block.text.matchAll(/Paragraph \d+ (y*)/g)) expect(m[1]).toHaveLength(80);
	});

	it("rejects a budget too small to be meaningful", () => {
		expect(() => splitForContext(longConversation(2, 10), { contextChars: 10 })).toThrow(RangeError);
	});
});

describe("splitText and transcriptBlocks", () => {
	it.each([
		["short", 10, ["short"]],
		["aaaa\n\nbbbb\n\ncccc", 10, ["aaaa\n\nbbbb", "cccc"]],
		["line1\nline2\nline3", 12, ["line1\nline2", "line3"]],
		["abcdefghij", 4, ["abcd", "efgh", "ij"]],
	])("splitText(%j, %i)", (text, limit, pieces) => {
		expect(splitText(text, limit)).toEqual(pieces);
	});

	it("skips messages with nothing to show", () => {
		const blocks = transcriptBlocks(conversation([msg("a", "user", ""), msg("b", "assistant", "x")]));
		expect(blocks).toEqual([{ messageIndex: 1, text: "[Assistant]\nx" }]);
	});
});

function parsed(p: Partial<ParsedKnowledge>): ParsedKnowledge {
	return { tags: [], missing: [], problems: [], unclosedFence: false, ...p };
}

describe("mergeKnowledge", () => {
	it("returns a single part unchanged", () => {
		const one = parsed({ title: "T", summary: "S", content: "## H\nC", tags: ["a"] });
		expect(mergeKnowledge([one])).toBe(one);
	});

	it("takes the first title, joins summaries, unites tags and puts contents under part headings", () => {
		const merged = mergeKnowledge([
			parsed({ title: "First", summary: "One.", tags: ["docker", "net"], content: "### Setup\nA" }),
			parsed({ title: "Second", summary: "Two.", tags: ["Docker", "dns"], content: "B\n```\n# not a heading\n```" }),
		]);
		expect(merged.title).toBe("First");
		expect(merged.summary).toBe("One. Two.");
		expect(merged.tags).toEqual(["docker", "net", "dns"]);
		expect(merged.content).toBe("## Part 1 of 2\n\n#### Setup\nA\n\n## Part 2 of 2\n\nB\n```\n# not a heading\n```");
		expect(merged.missing).toEqual([]);
	});

	it("condenses long summaries to first sentences", () => {
		const long = "First sentence here. " + "More detail. ".repeat(30);
		const merged = mergeKnowledge([parsed({ summary: long, title: "t", content: "c" }), parsed({ summary: long, content: "d" })]);
		expect(merged.summary).toBe("First sentence here. First sentence here.");
	});

	it("marks content missing when a part has none, naming the part, and carries unclosed fences", () => {
		const merged = mergeKnowledge([
			parsed({ title: "T", summary: "S", content: "A", tags: ["x"] }),
			parsed({ missing: ["title", "summary", "tags", "content"], problems: ["empty reply"], unclosedFence: true }),
		]);
		expect(merged.missing).toEqual(["content"]);
		expect(merged.unclosedFence).toBe(true);
		expect(merged.problems).toEqual(["part 2 of 2: empty reply", "part 2 of 2: missing title, summary, tags, content"]);
		expect(merged.content).toBe("## Part 1 of 2\n\nA");
	});
});
