import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConversationSchema, type Conversation, type Part } from "../../../../src/core/model/conversation";
import { resolveCitations } from "../../../../src/core/import/extract/normalize/chatgpt-citations";
import { normalizeChatGpt } from "../../../../src/core/import/extract/normalize/chatgpt";
import { normalizeClaude } from "../../../../src/core/import/extract/normalize/claude";
import type { NormalizeResult } from "../../../../src/core/import/extract/normalize/result";
import { composeNote, renderNote } from "../../../../src/core/import/transform/render-note";
import { seededRandom } from "../../../support/seeded-random";

/**
 * Issue 13: notes faithful to real exports. The fixtures are the project's own, in the shapes real exports have:
 * a Claude chat listed out of order without reply links, one with reply links and a regenerated answer, Claude web
 * search citations; ChatGPT citation markers with content_references/citations, a browsing turn of several tool
 * steps with a weight-0 reasoning summary and maths, and the code interpreter with a 20 KB output and a plot.
 */

const FIXTURES = join(__dirname, "../../../fixtures/extract");
const load = (name: string): Record<string, unknown>[] =>
	JSON.parse(readFileSync(join(FIXTURES, name), "utf8")) as Record<string, unknown>[];

function ok(result: NormalizeResult): Conversation {
	if (!result.ok) throw new Error(result.reason);
	expect(ConversationSchema().parse(result.conversation)).toEqual(result.conversation);
	return result.conversation;
}

const claude = load("claude-faithful.json");
const chatgpt = load("chatgpt-faithful.json");
const byId = (list: Record<string, unknown>[], key: string, id: string): Record<string, unknown> => {
	const found = list.find((c) => c[key] === id);
	if (!found) throw new Error(`no fixture ${id}`);
	return found;
};
const ids = (c: Conversation): string[] => c.messages.map((m) => m.id);
const parts = (c: Conversation, id: string): Part[] => c.messages.find((m) => m.id === id)?.parts ?? [];
const note = (c: Conversation, includeThinking = false): string => {
	const { frontmatter, body } = renderNote(c, { sessionId: "s", notePath: "n.md", includeThinking });
	return composeNote(frontmatter, body);
};

function shuffled<T>(list: readonly T[], random: () => number): T[] {
	const out = [...list];
	for (let i = out.length - 1; i > 0; i--) {
		const j = Math.floor(random() * (i + 1));
		[out[i], out[j]] = [out[j]!, out[i]!];
	}
	return out;
}

describe("Claude message order", () => {
	it("without reply links, orders by created_at: questions before their answers", () => {
		const raw = byId(claude, "uuid", "c-order-times");
		expect((raw.chat_messages as { uuid: string }[]).map((m) => m.uuid)).toEqual(["t4", "t1", "t3", "t2"]);
		const c = ok(normalizeClaude(raw));
		expect(ids(c)).toEqual(["t1", "t2", "t3", "t4"]);
		expect(c.messages.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);
		const fm = renderNote(c, { sessionId: "s", notePath: "n.md" }).frontmatter;
		expect(fm.summary).toBe("My sourdough starter smells like nail polish. Is it dead?");
		expect(fm.created).toBe("2025-03-10T08:00:00+00:00");
	});

	it("with reply links, follows the tree from the all-zero root to the latest branch, whatever the array order", () => {
		const c = ok(normalizeClaude(byId(claude, "uuid", "c-order-tree")));
		expect(ids(c)).toEqual(["r1", "r2b", "r3", "r4"]);
	});

	it("falls back on the first message for created when the conversation has no time", () => {
		const raw = { ...byId(claude, "uuid", "c-order-times"), created_at: null };
		expect(ok(normalizeClaude(raw)).created).toBe("2025-03-10T08:00:00Z");
	});

	it("breaks ties by array position, and keeps a message without a time after the one listed before it", () => {
		const same = "2025-01-01T00:00:00Z";
		const raw = {
			uuid: "ties",
			name: "Ties",
			chat_messages: [
				{ uuid: "b", sender: "human", created_at: "2025-01-01T00:00:05Z", text: "b" },
				{ uuid: "b2", sender: "assistant", created_at: null, text: "after b" },
				{ uuid: "a1", sender: "human", created_at: same, text: "a1" },
				{ uuid: "a2", sender: "assistant", created_at: same, text: "a2" },
			],
		};
		expect(ids(ok(normalizeClaude(raw)))).toEqual(["a1", "a2", "b", "b2"]);
	});

	for (const id of ["c-order-times", "c-order-tree", "c-citations"]) {
		it(`property: shuffled chat_messages give the same note (${id})`, () => {
			const raw = byId(claude, "uuid", id);
			const expected = note(ok(normalizeClaude(raw)), true);
			const random = seededRandom(13);
			for (let round = 0; round < 40; round++) {
				const messages = shuffled(raw.chat_messages as unknown[], random);
				expect(note(ok(normalizeClaude({ ...raw, chat_messages: messages })), true)).toBe(expected);
			}
		});
	}
});

describe("citations", () => {
	it("Claude: web search citations become footnote places, titled from the search results; ones without a URL go", () => {
		const c = ok(normalizeClaude(byId(claude, "uuid", "c-citations")));
		const texts = parts(c, "w2").filter((p) => p.kind === "text");
		expect(texts).toEqual([
			{
				kind: "text",
				text: "The tallest completed building is 828 m tall. ",
				citations: [{ at: 45, url: "https://example.org/tallest", title: "List of tallest buildings" }],
			},
			{
				kind: "text",
				text: "A taller one is under construction, and again the first source agrees.",
				citations: [
					{ at: 34, url: "https://news.example.com/sky", title: "Skyscraper news" },
					{ at: 70, url: "https://example.org/tallest", title: "List of tallest buildings" },
				],
			},
		]);
		const body = note(c);
		expect(body).toContain("The tallest completed building is 828 m tall.[^1]");
		expect(body).toContain("A taller one is under construction[^2], and again the first source agrees.[^1]");
		expect(body).toContain(
			"[^1]: [List of tallest buildings](https://example.org/tallest)\n[^2]: [Skyscraper news](https://news.example.com/sky)",
		);
	});

	it("ChatGPT: private-use markers resolve through content_references and citations; the rest are removed", () => {
		const c = ok(normalizeChatGpt(byId(chatgpt, "conversation_id", "g-citations")));
		const [answer] = parts(c, "ca1");
		expect(answer).toEqual({
			kind: "text",
			text: "Northwind was founded in 1998. Northwind Traders sells tea and coffee, as your notes say.\n\nRevenue grew 12% last year.",
			citations: [
				{ at: 29, url: "https://example.com/northwind/history", title: "Northwind history" },
				{ at: 69, url: "https://shop.example.net/catalogue", title: "Tea and coffee catalogue" },
				{ at: 69, url: "https://example.com/northwind/history", title: "Northwind history" },
				{ at: 88, file: "northwind-notes.pdf" },
			],
		});
		const [old] = parts(c, "ca2");
		expect(old).toEqual({
			kind: "text",
			text: "Browsing said it was 1998 and still is.",
			citations: [{ at: 25, url: "https://northwind.example/about", title: "Northwind: about us" }],
		});
		const body = note(c);
		expect(body).not.toMatch(/[\uE200-\uE2FF]|【|†|turn\d/);
		expect(body).toContain("Northwind was founded in 1998[^1]. Northwind Traders sells tea and coffee[^2][^1], as your notes say[^3].");
		expect(body).toContain("[^3]: northwind-notes.pdf");
		// Numbers run through the note: the next message's first source is 4, not 1 again.
		expect(body).toContain("Browsing said it was 1998[^4] and still is.\n\n[^4]: [Northwind: about us](https://northwind.example/about)");
	});

	const E0 = "\uE200";
	const E1 = "\uE201";
	const E2 = "\uE202";
	const cases: { name: string; text: string; metadata: Record<string, unknown>; want: string; at?: number[] }[] = [
		{ name: "no markers: the text as it is", text: "plain 【not a citation】 text", metadata: {}, want: "plain 【not a citation】 text" },
		{ name: "an unresolved cite goes with its space", text: `Fact ${E0}cite${E2}turn0search1${E1}.`, metadata: {}, want: "Fact." },
		{ name: "a stray private-use character goes", text: `a${E2}b${E1}`, metadata: {}, want: "ab" },
		{
			name: "an entity with no reference shows its name",
			text: `See ${E0}entity${E2}["city","Lisbon","capital"]${E1} now`,
			metadata: {},
			want: "See Lisbon now",
		},
		{ name: "an unresolved 【n†source】 goes", text: "Old【3†source】 text", metadata: {}, want: "Old text" },
		{
			name: "offsets counted in code points (an emoji before the marker)",
			text: `🙂 ok 【1†source】`,
			metadata: { citations: [{ start_ix: 5, end_ix: 15, metadata: { url: "https://a.example", title: "A" } }] },
			want: "🙂 ok",
			at: [5],
		},
		{
			name: "a reference whose matched_text is ordinary text is not applied",
			text: "keep this text",
			metadata: { content_references: [{ matched_text: "this", type: "hidden" }] },
			want: "keep this text",
		},
	];
	for (const t of cases) {
		it(`resolveCitations: ${t.name}`, () => {
			const r = resolveCitations(t.text, t.metadata);
			expect(r.text).toBe(t.want);
			expect(r.citations.map((c) => c.at)).toEqual(t.at ?? []);
		});
	}
});

describe("ChatGPT tool steps, thinking and outputs", () => {
	const browse = ok(normalizeChatGpt(byId(chatgpt, "conversation_id", "g-browse")));
	const python = ok(normalizeChatGpt(byId(chatgpt, "conversation_id", "g-python")));

	it("summarises browsing commands, JSON web.run commands included", () => {
		expect(parts(browse, "bc1")).toEqual([{ kind: "tool_call", name: "browser", summary: 'search("boiling point of water at altitude")' }]);
		expect(parts(browse, "bc3")).toEqual([
			{ kind: "tool_call", name: "web.run", summary: 'search("barometric formula"); open(turn0search2)' },
		]);
		expect(parts(browse, "br1")).toEqual([
			{
				kind: "tool_result",
				name: "browser",
				summary: "# 【0†Boiling point vs altitude†example.edu】\nWater boils at about 93 °C at 2000 m.",
			},
		]);
	});

	it("a weight-0 reasoning summary and a hidden message are thinking, labelled as the app did", () => {
		expect(parts(browse, "brs")).toEqual([
			{ kind: "thinking", text: "Looked up pressure at altitude, then compared two sources.", label: "Reasoned for 5m 6s" },
		]);
		expect(parts(browse, "bhid")).toEqual([{ kind: "thinking", text: "bio: memory note the user cares about altitude" }]);
	});

	it("code-interpreter code is a python call with its whole code; the 20 KB output is kept whole", () => {
		const [call] = parts(python, "pc1");
		expect(call).toMatchObject({ kind: "tool_call", name: "python", language: "python", summary: "for i in range(520):" });
		expect(call?.kind === "tool_call" && call.input).toContain('print(f"{i:5d}');
		const [result] = parts(python, "po1");
		const raw = byId(chatgpt, "conversation_id", "g-python") as { mapping: Record<string, { message?: { content: { text: string } } }> };
		const printed = raw.mapping.po1!.message!.content.text;
		expect(printed.length).toBeGreaterThan(20 * 1024);
		expect(result).toMatchObject({ kind: "tool_result", name: "python", output: printed });
		expect(result?.kind === "tool_result" && result.summary.length).toBeLessThanOrEqual(500);
	});

	it("a tool's output loses the citation markers it carries", () => {
		const raw = structuredClone(byId(chatgpt, "conversation_id", "g-browse")) as {
			mapping: Record<string, { message: { content: { parts: string[] } } }>;
		};
		raw.mapping.br4!.message.content.parts = ["Cite it as \uE200filecite\uE202turn1file0\uE201 when used.\uE202"];
		expect(parts(ok(normalizeChatGpt(raw)), "br4")).toEqual([{ kind: "tool_result", name: "browser", summary: "Cite it as  when used." }]);
	});

	it("an image output is an image placeholder carrying the export's pointer, not <<ImageDisplayed>>", () => {
		expect(parts(python, "po2")).toEqual([
			{ kind: "attachment", name: "file-Plot123", mimeType: "image/png", missing: true, pointer: "file-service://file-Plot123" },
		]);
		expect(note(python)).not.toContain("ImageDisplayed");
	});
});
