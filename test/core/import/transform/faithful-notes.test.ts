import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type { Conversation, Message } from "../../../../src/core/model/conversation";
import { normalizeChatGpt } from "../../../../src/core/import/extract/normalize/chatgpt";
import { normalizeClaude } from "../../../../src/core/import/extract/normalize/claude";
import { composeNote, renderNote } from "../../../../src/core/import/transform/render-note";
import { isUpdatingExpected, useGolden } from "../../../support/golden";

/**
 * Issue 13, end to end: the project's own export fixtures in the shapes of real exports (test/fixtures/extract/
 * *-faithful.json), normalized and rendered, against golden notes (test/fixtures/faithful/). Re-record explicitly:
 * `UPDATE_EXPECTED=1 npx vitest run test/core/import/transform/faithful-notes.test.ts`, then read the diff.
 */

const EXTRACT = fileURLToPath(new URL("../../../fixtures/extract/", import.meta.url));
const GOLDEN = fileURLToPath(new URL("../../../fixtures/faithful/", import.meta.url));
const golden = useGolden(GOLDEN);

function conversations(): Conversation[] {
	const out: Conversation[] = [];
	for (const [file, normalize] of [
		["claude-faithful.json", normalizeClaude],
		["chatgpt-faithful.json", normalizeChatGpt],
	] as const) {
		for (const raw of JSON.parse(readFileSync(`${EXTRACT}${file}`, "utf8")) as unknown[]) {
			const result = normalize(raw);
			if (!result.ok) throw new Error(result.reason);
			out.push(result.conversation);
		}
	}
	return out;
}

const all = conversations();
const byId = (id: string): Conversation => {
	const c = all.find((x) => x.id === id);
	if (!c) throw new Error(`no conversation ${id}`);
	return c;
};
const render = (c: Conversation, opts: { includeThinking?: boolean; toolOutputMaxChars?: number } = {}): string => {
	const { frontmatter, body } = renderNote(c, { sessionId: "20260101_000000", notePath: `AI Conversations/${c.id}.md`, ...opts });
	return composeNote(frontmatter, body);
};

describe("faithful notes: golden files", () => {
	for (const c of all) {
		it(`renders ${c.id}`, () => {
			golden.check(`${c.id}.expected.md`, render(c));
			if (c.messages.some((m) => m.parts.some((p) => p.kind === "thinking"))) {
				golden.check(`${c.id}.with-thinking.expected.md`, render(c, { includeThinking: true }));
			}
		});
	}

	afterAll(() => {
		if (isUpdatingExpected()) return;
		const orphans = readdirSync(GOLDEN).filter((f) => f.endsWith(".md") && !golden.checked.has(f));
		expect(orphans, "golden notes without a fixture (delete them)").toEqual([]);
	});
});

/** The `## …` headings of a note. */
const headings = (markdown: string): string[] => markdown.split("\n").filter((l) => l.startsWith("## "));

describe("turns, not steps", () => {
	it("one Assistant heading per turn: a browsing turn of four tool steps, thinking and the answer is one section", () => {
		const c = byId("g-browse");
		expect(c.messages.filter((m) => m.role === "assistant").length).toBeGreaterThan(8);
		for (const includeThinking of [false, true]) {
			expect(headings(render(c, { includeThinking })).map((h) => h.split(" · ")[0])).toEqual(["## User", "## Assistant"]);
		}
	});

	it("each tool call and its result are one collapsed callout labelled with the tool and the call", () => {
		const note = render(byId("g-browse"));
		const titles = note.split("\n").filter((l) => /^> \[!(example|failure)\]/.test(l));
		expect(titles).toEqual([
			'> [!example]- search: "boiling point of water at altitude"',
			"> [!example]- click: 0",
			'> [!example]- web.run: search("barometric formula"); open(turn0search2)',
			"> [!example]- quote_lines: 12, 18",
		]);
		// The answer is outside every callout.
		expect(note).toMatch(/\n\nAt 2000 m water boils at about 93 °C\./);
	});

	it("results join their call by callId even when calls run in parallel", () => {
		const call = (id: string, q: string) => ({ kind: "tool_call" as const, name: "web_search", summary: `"${q}"`, callId: id });
		const result = (id: string, text: string) => ({ kind: "tool_result" as const, name: "web_search", summary: text, callId: id });
		const message: Message = {
			id: "a",
			role: "assistant",
			time: null,
			parts: [call("1", "one"), call("2", "two"), result("2", "second"), result("1", "first")],
		};
		const c: Conversation = { id: "p", provider: "claude", title: "P", created: null, updated: null, models: [], messages: [message] };
		const note = render(c);
		expect(note).toContain('> [!example]- web_search: "one"\n> first');
		expect(note).toContain('> [!example]- web_search: "two"\n> second');
	});

	it("hidden reasoning (weight 0, finished_text) shows only with thinking, under the app's label", () => {
		const c = byId("g-browse");
		expect(render(c)).not.toContain("compared two sources");
		expect(render(c, { includeThinking: true })).toContain(
			"> [!quote]- Thinking: Reasoned for 5m 6s\n> Looked up pressure at altitude, then compared two sources.",
		);
	});
});

describe("outputs kept whole", () => {
	const c = byId("g-python");
	const printed = c.messages.flatMap((m) => m.parts).find((p) => p.kind === "tool_result" && p.name === "python");
	const output = printed?.kind === "tool_result" ? (printed.output ?? "") : "";

	it("keeps a 20 KB code-interpreter output in full, fenced, in the python call's collapsed callout", () => {
		expect(output.length).toBeGreaterThan(20 * 1024);
		const note = render(c);
		const quoted = output
			.split("\n")
			.map((l) => `> ${l}`)
			.join("\n");
		expect(note).toContain(`> [!example]- python: for i in range(520):\n> \`\`\`python\n`);
		expect(note).toContain(`> \`\`\`\n${quoted}\n> \`\`\``);
		expect(note).not.toContain("…");
	});

	it("with a cap, cuts the output there and says so with the size left out", () => {
		const note = render(c, { toolOutputMaxChars: 1000 });
		const lastKept = output.slice(0, 1000).replace(/\n$/, "").split("\n").pop()!;
		expect(note).toContain(`> ${lastKept}\n> \`\`\`\n>\n> *(output cut at 1000 characters by the note's output limit: `);
		const left = output.length - 1000; // ASCII: one byte a character
		expect(note).toContain(`${(left / 1024).toFixed(1)} KB left out)*`);
		expect(note).not.toContain(output.slice(1000, 1100));
	});

	it("counts the size left out in UTF-8 bytes as written (a lone surrogate as U+FFFD's 3)", () => {
		// Kept: "ab"; left out: é (2 bytes), 😀 (4), two lone high surrogates (3 each), "z" (1).
		const tail = "ab\u00e9\u{1F600}\ud800\ud800z";
		const message: Message = {
			id: "a",
			role: "assistant",
			time: null,
			parts: [
				{ kind: "tool_call", name: "python", summary: "run", callId: "1" },
				{ kind: "tool_result", name: "python", summary: "", callId: "1", output: tail },
			],
		};
		const one: Conversation = { id: "s", provider: "chatgpt", title: "S", created: null, updated: null, models: [], messages: [message] };
		expect(render(one, { toolOutputMaxChars: 2 })).toContain("output cut at 2 characters by the note's output limit: 13 B left out)*");
	});

	it("an image output is a clear placeholder, not <<ImageDisplayed>>", () => {
		const note = render(c);
		expect(note).toContain("> [!note]- Image: file-Plot123 (not imported)");
		expect(note).not.toContain("ImageDisplayed");
	});
});
