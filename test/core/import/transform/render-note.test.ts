import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { ConversationSchema, type Conversation } from "../../../../src/core/model/conversation";
import { computeFileId, noteBody } from "../../../../src/core/import/transform/file-id";
import { NoteFrontmatterSchema } from "../../../../src/core/import/transform/note-frontmatter";
import { composeNote, renderNote, trimEndPunctuation, type RenderedNote } from "../../../../src/core/import/transform/render-note";
import { sanitizeFileName } from "../../../../src/core/naming/sanitize-file-name";
import { isUpdatingExpected, useGolden } from "../../../support/golden";
import { seededRandom } from "../../../support/seeded-random";

const FIXTURES = fileURLToPath(new URL("../../../fixtures/transform/", import.meta.url));
const SESSION = "20240501_120000";
const golden = useGolden(FIXTURES);

const names = readdirSync(FIXTURES)
	.filter((f) => f.endsWith(".conversation.json"))
	.map((f) => f.slice(0, -".conversation.json".length))
	.sort();

const load = (name: string): Conversation =>
	ConversationSchema().parse(JSON.parse(readFileSync(`${FIXTURES}${name}.conversation.json`, "utf8")));

const notePathOf = (c: Conversation): string =>
	`AI Conversations/${c.provider === "claude" ? "Claude" : "ChatGPT"}/${sanitizeFileName(c.title)}.md`;

/** A note's parts with the whole note (`markdown`, as composeNote makes it). */
const whole = (note: RenderedNote): RenderedNote & { markdown: string } => ({
	...note,
	markdown: composeNote(note.frontmatter, note.body),
});

const render = (c: Conversation, includeThinking = false) =>
	whole(renderNote(c, { sessionId: SESSION, notePath: notePathOf(c), includeThinking }));

/** Whether a message has a part the note shows: thinking only when asked for, text only when it is not blank. */
const shows = (m: Conversation["messages"][number], includeThinking: boolean): boolean =>
	m.parts.some((p) => (p.kind === "thinking" ? includeThinking : p.kind !== "text" || p.text.trim() !== ""));

/** Turns (a user message; the assistant messages up to the next one) that show something: one heading each. */
const visibleTurns = (c: Conversation, includeThinking: boolean): number => {
	const turns: Conversation["messages"][] = [];
	for (const m of c.messages) {
		const last = turns[turns.length - 1];
		if (m.role === "assistant" && last?.[0]?.role === "assistant") last.push(m);
		else turns.push([m]);
	}
	return turns.filter((t) => t.some((m) => shows(m, includeThinking))).length;
};

const hasThinking = (c: Conversation): boolean => c.messages.some((m) => m.parts.some((p) => p.kind === "thinking"));

describe("renderNote golden files", () => {
	it("has fixtures", () => {
		expect(names.length).toBeGreaterThanOrEqual(6);
	});

	for (const name of names) {
		it(`renders ${name}`, () => {
			const conversation = load(name);
			golden.check(`${name}.expected.md`, render(conversation).markdown);
			if (hasThinking(conversation)) {
				golden.check(`${name}.with-thinking.expected.md`, render(conversation, true).markdown);
			}
		});
	}

	afterAll(() => {
		if (isUpdatingExpected()) return;
		const orphans = readdirSync(FIXTURES).filter((f) => f.endsWith(".expected.md") && !golden.checked.has(f));
		expect(orphans, "expected files without a fixture (delete them)").toEqual([]);
	});
});

describe("renderNote properties", () => {
	const all = names.map(load);

	it("writes frontmatter that parses back to what renderNote returns, and matches the schema", () => {
		for (const conversation of all) {
			const note = render(conversation);
			const yamlText = /^---\n([\s\S]*?)\n---\n/.exec(note.markdown)?.[1];
			expect(yamlText).toBeDefined();
			const parsed: unknown = parse(yamlText!);
			expect(parsed).toEqual(note.frontmatter);
			expect(NoteFrontmatterSchema().parse(parsed)).toEqual(note.frontmatter);
			expect(note.frontmatter.tags).toEqual(["ai-chat", conversation.provider]);
			expect(note.frontmatter.source_id).toBe(conversation.id);
			expect(note.frontmatter.summary ?? "").not.toContain("\n");
		}
	});

	it("gives its parts as plain values, no getter (a getter per note kept each body alive in V8's young generation)", () => {
		// An object literal's getter is held in an AccessorPair that V8 allocates in its old generation: old garbage that
		// kept the getter's closure, and the body it closed over, through young-generation collections (issue 20).
		for (const conversation of all) {
			const note = renderNote(conversation, { sessionId: SESSION, notePath: notePathOf(conversation) });
			for (const [key, d] of Object.entries(Object.getOwnPropertyDescriptors(note))) expect("value" in d, key).toBe(true);
		}
	});

	it("file_id is the first 12 hex of SHA-256 over body + \\n---\\n + path, and body is what follows the frontmatter", () => {
		for (const conversation of all) {
			const note = render(conversation);
			expect(noteBody(note.markdown)).toBe(note.body);
			expect(note.frontmatter.file_id).toBe(computeFileId(note.body, notePathOf(conversation)));
			const other = renderNote(conversation, { sessionId: "x", notePath: "elsewhere/n.md" });
			expect(other.body).toBe(note.body);
			expect(other.frontmatter.file_id).not.toBe(note.frontmatter.file_id);
		}
	});

	it("keeps every code part byte-exact inside its fence", () => {
		for (const conversation of all) {
			const body = render(conversation).body;
			for (const message of conversation.messages) {
				for (const part of message.parts) {
					if (part.kind !== "code" || part.code === "") continue;
					const withNewline = part.code.endsWith("\n") ? part.code : `${part.code}\n`;
					const at = body.indexOf(`\n${withNewline}`);
					expect(at, `code of ${message.id} not found verbatim`).toBeGreaterThan(0);
					const fenceLine = body.slice(body.lastIndexOf("\n", at - 1) + 1, at);
					const fence = /^`+/.exec(fenceLine)?.[0] ?? "";
					expect(fence.length).toBeGreaterThanOrEqual(3);
					for (const run of part.code.match(/`+/g) ?? []) expect(run.length).toBeLessThan(fence.length);
					expect(body.slice(at + 1 + withNewline.length).startsWith(fence)).toBe(true);
				}
			}
		}
	});

	it("leaves thinking out by default and includes it when asked", () => {
		const conversation = load("tools-thinking");
		expect(render(conversation).markdown).not.toContain("Check the man page");
		expect(render(conversation, true).markdown).toContain("> [!quote]- Thinking");
		expect(render(conversation, true).markdown).toContain("Check the man page");
	});

	it("leaves out a turn with nothing to show, heading and all, and still counts its messages", () => {
		const conversation = load("tools-thinking");
		const thinkingOnly = conversation.messages.filter((m) => m.parts.length > 0 && m.parts.every((p) => p.kind === "thinking"));
		expect(thinkingOnly.length).toBeGreaterThan(0); // the fixture has one: the rule is exercised
		// Between two user messages, that message is a turn of its own: shown with thinking, gone without.
		const question = conversation.messages[0]!;
		const alone = { ...conversation, messages: [...conversation.messages, { ...question, id: "again" }, thinkingOnly[0]!] };
		const hidden = render(alone);
		const shown = render(alone, true);
		const headingCount = (body: string): number => body.split("\n").filter((l) => l.startsWith("## ")).length;
		expect(headingCount(hidden.body)).toBe(visibleTurns(alone, false));
		expect(headingCount(shown.body)).toBe(visibleTurns(alone, true));
		expect(headingCount(shown.body) - headingCount(hidden.body)).toBe(1);
		expect(hidden.markdown).not.toContain("no visible content");
		expect(hidden.frontmatter.message_count).toBe(alone.messages.length);
		expect(shown.frontmatter.message_count).toBe(alone.messages.length);
	});

	it("says of a file it cannot show what is true of the export: a Claude export lacks it, a ChatGPT zip may hold it", () => {
		const claude = load("attachments");
		expect(claude.provider).toBe("claude");
		const missing = claude.messages.flatMap((m) => m.parts).filter((p) => p.kind === "attachment" && p.missing === true);
		expect(missing.length).toBeGreaterThan(0);
		const claudeNote = render(claude).body;
		const chatgptNote = render({ ...claude, provider: "chatgpt" }).body;
		const titles = (body: string, phrase: string): number =>
			body.split("\n").filter((l) => l.includes("Attachment: ") && l.endsWith(`(${phrase})`)).length;
		expect(titles(claudeNote, "not included in the export")).toBe(missing.length);
		expect(titles(chatgptNote, "not imported")).toBe(missing.length);
		expect(chatgptNote).not.toContain("not included in the export");
	});

	it("says so when no message has anything to show (thinking alone, left out)", () => {
		const conversation = load("tools-thinking");
		const onlyThinking = {
			...conversation,
			messages: conversation.messages.map((m) => ({ ...m, parts: [{ kind: "thinking" as const, text: "pondering" }] })),
		};
		const body = render(onlyThinking).body;
		expect(body).not.toContain("## ");
		expect(body).toContain("*(no visible content: turn on thinking to see what there is)*");
		expect(render(onlyThinking, true).body).toContain("pondering");
		expect(render({ ...conversation, messages: [] }).body).toContain("*(no messages)*");
	});

	it("keeps level-1/2 headings for message boundaries only", () => {
		for (const conversation of all) {
			for (const includeThinking of [false, true]) {
				const body = render(conversation, includeThinking).body;
				const headings = body.split("\n").filter((l) => /^ {0,3}#{1,2}(\s|$)/.test(l));
				// Message headings are outside code; fenced code may hold `## ...` lines, so count outside fences.
				const outside = stripFences(body)
					.split("\n")
					.filter((l) => /^ {0,3}#{1,2}(\s|$)/.test(l));
				expect(outside.length).toBe(visibleTurns(conversation, includeThinking));
				for (const line of outside) expect(line).toMatch(/^## (User|Assistant)( · .+)?$/);
				expect(headings.length).toBeGreaterThanOrEqual(outside.length);
			}
		}
	});

	it("is deterministic", () => {
		for (const conversation of all) expect(render(conversation).markdown).toBe(render(conversation).markdown);
	});

	it("renders times in another time zone when asked", () => {
		const conversation = load("code-languages");
		const note = renderNote(conversation, { sessionId: SESSION, notePath: "n.md", timeZone: "Asia/Tokyo" });
		expect(note.body).toContain("## User · 2024-05-01 19:22\n");
	});

	it("uses a given title and keeps the original as alias", () => {
		const conversation = load("code-languages");
		const note = renderNote(conversation, { sessionId: SESSION, notePath: "n.md", title: "Nightly rsync snapshots" });
		expect(note.frontmatter.title).toBe("Nightly rsync snapshots");
		expect(note.frontmatter.aliases).toEqual([conversation.title]);
	});

	it("quotes YAML values that would otherwise change type or break", () => {
		const base = load("missing-timestamps");
		for (const title of ["true", "123", "null", "- dash", "key: value", "#hash", "@at", "'quote", '"dq', "[x]", "{y}", "a\nb"]) {
			const note = whole(renderNote({ ...base, title }, { sessionId: "007", notePath: "n.md" }));
			const parsed = parse(/^---\n([\s\S]*?)\n---\n/.exec(note.markdown)![1]!) as Record<string, unknown>;
			expect(parsed.title).toBe(title.replace(/\s+/g, " "));
			expect(parsed.session).toBe("007");
		}
	});
});

describe("summary excerpt of the first user message", () => {
	/** The definition: the whole text on one line, cut to 160 code points at a word boundary when longer. */
	const reference = (texts: string[]): string => {
		const text = texts.join(" ").replace(/\s+/g, " ").trim();
		const chars = Array.from(text);
		if (chars.length <= 160) return text;
		const cut = chars.slice(0, 160).join("");
		const space = cut.lastIndexOf(" ");
		return `${(space > 80 ? cut.slice(0, space) : cut).replace(/[\s.,;:!?]+$/, "")}…`;
	};
	const base = load("missing-timestamps");
	const summaryOf = (texts: string[]): string | undefined =>
		renderNote(
			{ ...base, messages: [{ id: "u", role: "user", time: null, parts: texts.map((text) => ({ kind: "text" as const, text })) }] },
			{ sessionId: SESSION, notePath: "n.md", deferFileId: true },
		).frontmatter.summary;
	const word = (i: number): string => ["alpha", "beta", "gamma", "delta", "ε", "🚀", "語語", "x"][i % 8]!;

	it.each<[string, string[]]>([
		["short", ["Hello there"]],
		["exactly 160", ["a".repeat(160)]],
		["161", ["a".repeat(161)]],
		["160 astral characters", ["🚀".repeat(160)]],
		["161 astral characters", ["🚀".repeat(161)]],
		["long words", [Array.from({ length: 2000 }, (_, i) => word(i)).join(" ")]],
		["long text, cut lands after punctuation", [`${"word, ".repeat(40)}end. ${"more ".repeat(1000)}`]],
		["no spaces", ["x".repeat(5000)]],
		["whitespace runs longer than the window", [`start ${" \n\t".repeat(3000)} after ${"y ".repeat(500)}`]],
		["the window is mostly whitespace", [`${"  ".repeat(1000)}${"z ".repeat(400)}`]],
		["a surrogate pair straddles the window edge", [`${"b".repeat(511)}🚀${"c ".repeat(100)}`]],
		["a surrogate pair straddles the old window edge", [`${"b".repeat(2047)}🚀${"c ".repeat(100)}`]],
		["a whitespace run straddles the window edge", [`${"f ".repeat(250)}${" ".repeat(40)}${"g ".repeat(300)}`]],
		["the window collapses to just under 322 units", [`${"h".repeat(321)}${" ".repeat(191)}${"i ".repeat(300)}`]],
		["the window collapses to just 322 units", [`${"h".repeat(322)}${" ".repeat(190)}${"i ".repeat(300)}`]],
		["the window ends inside the second part", ["j ".repeat(200), "k ".repeat(200)]],
		["astral text around the window edge", [`${"🚀 ".repeat(700)}`]],
		["the old window collapses to few astral code points", [`${`🚀🚀🚀🚀${" ".repeat(60)}`.repeat(40)}`]],
		// The window collapses to 201 UTF-16 units (100 astral characters and a space): 161 or more units, but only 100
		// code points, so not enough; the whole text is needed (a threshold of 161 units instead of 322 fails this).
		["the window collapses to few astral code points", [`${"🚀".repeat(100)}${" ".repeat(312)}${"z ".repeat(200)}`]],
		["lone surrogates", [`\ud800${"d\udc00 ".repeat(200)}`]],
		["several parts", ["first part", "   ", `second ${"part ".repeat(800)}`]],
		["the first part is long", [`${"e ".repeat(3000)}`, "tail"]],
	])("%s", (_name, texts) => {
		expect(summaryOf(texts)).toBe(reference(texts));
	});

	it("agrees with the definition on random messages (whitespace runs, punctuation, astral characters, parts)", () => {
		const random = seededRandom(21);
		const pieces = ["word", "é", "🚀", " ", "  ", "\n", "\t", "\u00a0", ".", ",", "!", "?", ";", ":", "\u3000", "\ud800", "x".repeat(30)];
		for (let n = 0; n < 400; n++) {
			const texts: string[] = [];
			const parts = 1 + Math.floor(random() * 3);
			for (let k = 0; k < parts; k++) {
				let text = "";
				const length = Math.floor(random() * (random() < 0.5 ? 80 : 600));
				for (let i = 0; i < length; i++) text += pieces[Math.floor(random() * pieces.length)]!;
				texts.push(text);
			}
			if (texts.every((t) => t.trim() === "")) continue;
			expect(summaryOf(texts), JSON.stringify(texts)).toBe(reference(texts));
		}
	});
});

describe("trimEndPunctuation", () => {
	const reference = (text: string): string => text.replace(/[\s.,;:!?]+$/, "");
	it.each(["", "a", "a.", "a. ", "a?!", "...", " \t\n", "a\u3000", "a\ufeff.", "a-", "a…", "a\u200b", "a\u00a0", "🚀."])("%j", (text) => {
		expect(trimEndPunctuation(text)).toBe(reference(text));
	});
	it("agrees with the regex for every UTF-16 unit at the end", () => {
		for (let c = 0; c <= 0xffff; c++) {
			const text = `ab${String.fromCharCode(c)}`;
			if (trimEndPunctuation(text) !== reference(text)) throw new Error(`differs for U+${c.toString(16)}`);
		}
	});
});

/** The body with fenced code blocks removed (a small scanner matching CommonMark fence rules). */
function stripFences(body: string): string {
	const out: string[] = [];
	let fence: string | null = null;
	for (const line of body.split("\n")) {
		const unquoted = line.replace(/^(?:> ?)+/, "");
		if (fence) {
			const close = /^ {0,3}(`+|~+)\s*$/.exec(unquoted)?.[1];
			if (close && close[0] === fence[0] && close.length >= fence.length) fence = null;
			continue;
		}
		const open = /^ {0,3}(`{3,}|~{3,})/.exec(unquoted)?.[1];
		if (open) {
			fence = open;
			continue;
		}
		out.push(line);
	}
	return out.join("\n");
}
