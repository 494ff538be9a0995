import { describe, expect, it } from "vitest";
import { withoutLinkPaths } from "../../../src/core/organize/classify-genre";
import { codeRanges, codeRangesOfLines } from "../../../src/core/organize/markdown-regions";
import { renderPlanMarkdown, type Plan, type PlanItem } from "../../../src/core/organize/plan";
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
		const pieces = [
			"[",
			"]",
			"[[",
			"]]",
			"(",
			")",
			"](",
			"|",
			"#",
			"/",
			"a",
			"b/c",
			"\n",
			" ",
			"日本",
			"\r",
			"\u2028",
			"[[a|",
			"|]]",
			"#h/",
		];
		const next = generator(7);
		let differing = 0;
		for (let i = 0; i < 50_000; i++) {
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

describe("renderPlanMarkdown", () => {
	/** A planned item's lines as they were rendered before (an array per item, empty parts filtered out). */
	const changeLines = (item: PlanItem): string[] => {
		const out = [item.from === item.to ? `- \`${item.from}\` (edited in place)` : `- \`${item.from}\` → \`${item.to}\``];
		const genre = item.genre ? `${item.genre}${item.topic ? ` / ${item.topic}` : ""}` : "";
		out.push(
			`  - ${[item.destination, genre, item.confidence === undefined ? "" : `confidence ${item.confidence}`].filter(Boolean).join(", ")}: ${item.reason}`,
		);
		if (item.conflict) out.push(`  - Name conflict with \`${item.conflict.wanted}\`: ${item.conflict.resolution}`);
		for (const change of item.frontmatterChanges) {
			const value = (v: unknown): string => JSON.stringify(v) ?? "";
			if (change.kind === "remove") out.push(`  - frontmatter: remove \`${change.key}\``);
			else if (change.kind === "add")
				out.push(`  - frontmatter: add \`${change.key}\` = ${value(change.after)}${change.note ? ` (${change.note})` : ""}`);
			else out.push(`  - frontmatter: \`${change.key}\` ${value(change.before)} → ${value(change.after)}`);
		}
		if (item.contentChanged) out.push("  - content: whitespace cleaned");
		return out;
	};

	it("renders each change as the line-array rendering did (generated items)", () => {
		const next = generator(5);
		const pick = <T>(list: readonly T[]): T => list[next(list.length)]!;
		for (let round = 0; round < 300; round++) {
			// The first plans are long: their items are joined in several chunks (RENDER_CHUNK), the last one partial.
			const items: PlanItem[] = Array.from({ length: round < 3 ? 256 * (round + 1) + round * 100 : 1 + next(20) }, (_, i) => {
				const from = `Inbox/N${i}.md`;
				return {
					from,
					to: pick([from, `AI/N${i}.md`]),
					status: "planned",
					...(next(4) > 0 ? { destination: pick(["genre", "review", "dust"] as const) } : {}),
					...(next(2) ? { genre: pick(["travel", "ai"]) } : {}),
					...(next(3) === 0 ? { topic: pick(["", "Kyoto"]) } : {}),
					...(next(2) ? { confidence: pick([0, 0.25, 1]) } : {}),
					reason: pick(["keywords: trip", "", "why\nnot"]),
					...(next(5) === 0 ? { conflict: { wanted: "AI/x.md", resolution: pick(["rename", "overwrite"] as const) } } : {}),
					frontmatterChanges: Array.from({ length: next(3) }, () =>
						pick([
							{ key: "tags", kind: "add" as const, after: ["a"] },
							{ key: "created", kind: "add" as const, after: "2020-01-01", note: "from the file's creation time" },
							{ key: "slug", kind: "remove" as const, before: "x" },
							{ key: "title", kind: "update" as const, before: 1, after: "T" },
							{ key: "u", kind: "update" as const, before: undefined, after: undefined },
						]),
					),
					contentChanged: next(2) === 0,
				};
			});
			const plan: Plan = {
				version: 1,
				createdAt: "2026-01-01T00:00:00.000Z",
				folder: "Inbox",
				force: false,
				conflictPolicy: "rename",
				items,
			};
			const expected = ["## Changes", "", ...items.flatMap(changeLines), ""].join("\n").trimEnd();
			const rendered = renderPlanMarkdown(plan);
			const at = rendered.indexOf("## Changes");
			expect(rendered.slice(at).trimEnd()).toBe(expected);
		}
	});
});
