import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { ConversationSchema, type Conversation } from "../../../../src/core/model/conversation";
import { IMPORT_KEYS, NoteFrontmatterSchema } from "../../../../src/core/import/transform/note-frontmatter";
import { chatUrl, composeNote, renderNote } from "../../../../src/core/import/transform/render-note";
import { draftNote, RENDERER_VERSION } from "../../../../src/core/import/transform/note-draft";
import { renderKnowledgeNote } from "../../../../src/core/import/transform/render-knowledge-note";
import { useGolden } from "../../../support/golden";

const FIXTURES = fileURLToPath(new URL("../../../fixtures/metadata/", import.meta.url));
const golden = useGolden(FIXTURES);
const SESSION = "20250310_090000";

const projectZone = (): Conversation =>
	ConversationSchema().parse(JSON.parse(readFileSync(`${FIXTURES}project-zone.conversation.json`, "utf8")));

const chatgpt = (over: Partial<Conversation> = {}): Conversation => ({
	id: "67c9a1b2-0000-8000-9000-00000000abcd",
	provider: "chatgpt",
	title: "Regex help",
	created: "2025-03-10T05:22:05.123Z",
	updated: "2025-03-10T05:30:00.000Z",
	models: ["gpt-4o"],
	messages: [{ id: "u", role: "user", time: "2025-03-10T05:22:05.123Z", parts: [{ kind: "text", text: "Match a date" }] }],
	...over,
});

describe("metadata users ask for", () => {
	it("renders a project conversation in Tokyo time (golden)", () => {
		const note = renderNote(projectZone(), {
			sessionId: SESSION,
			notePath: "AI Conversations/Claude/Trip budget in yen.md",
			timeZone: "Asia/Tokyo",
		});
		golden.check("project-zone.tokyo.expected.md", composeNote(note.frontmatter, note.body));
	});

	it("links back to the chat: a url property and a link above the first message, the same URL", () => {
		const claude = renderNote(projectZone(), { sessionId: SESSION, notePath: "n.md" });
		expect(claude.frontmatter.url).toBe("https://claude.ai/chat/9a0c1e2f-1111-4aaa-8bbb-000000000007");
		expect(claude.body.startsWith("\n[Open in Claude](https://claude.ai/chat/9a0c1e2f-1111-4aaa-8bbb-000000000007)\n\n## User")).toBe(true);
		const gpt = renderNote(chatgpt(), { sessionId: SESSION, notePath: "n.md" });
		expect(gpt.frontmatter.url).toBe("https://chatgpt.com/c/67c9a1b2-0000-8000-9000-00000000abcd");
		expect(gpt.link).toBe("[Open in ChatGPT](https://chatgpt.com/c/67c9a1b2-0000-8000-9000-00000000abcd)");
		// An id is a path segment: anything that would break the URL or the Markdown link is escaped.
		expect(chatUrl({ provider: "chatgpt", id: "a b)c/d" })).toBe("https://chatgpt.com/c/a%20b%29c%2Fd");
		expect(chatUrl({ provider: "claude", id: "  " })).toBeNull();
	});

	it("writes the project's name as a property only when the export names it (an id alone is not a name)", () => {
		const named = renderNote(projectZone(), { sessionId: SESSION, notePath: "n.md" });
		expect(named.frontmatter.project).toBe("Japan trip: planning");
		expect(parse(composeNote(named.frontmatter, named.body).split("---\n")[1]!)).toMatchObject({ project: "Japan trip: planning" });
		const idOnly = renderNote(chatgpt({ projectId: "g-p-abc123" }), { sessionId: SESSION, notePath: "n.md" });
		expect(idOnly.frontmatter).not.toHaveProperty("project");
	});

	it("writes created/updated with the zone's offset, to the second, never with Z, and parsing back gives the same instant", () => {
		for (const zone of ["UTC", "Asia/Tokyo", "America/New_York", "Asia/Kathmandu"]) {
			const note = renderNote(chatgpt(), { sessionId: SESSION, notePath: "n.md", timeZone: zone });
			const created = note.frontmatter.created!;
			expect(created).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
			expect(Date.parse(created)).toBe(Date.parse("2025-03-10T05:22:05.000Z"));
			expect(NoteFrontmatterSchema().safeParse(note.frontmatter).success).toBe(true);
		}
		const tokyo = renderNote(chatgpt(), { sessionId: SESSION, notePath: "n.md", timeZone: "Asia/Tokyo" });
		expect(tokyo.frontmatter.created).toBe("2025-03-10T14:22:05+09:00");
		expect(tokyo.body).toContain("## User · 2025-03-10 14:22\n");
		const utc = renderNote(chatgpt(), { sessionId: SESSION, notePath: "n.md" });
		expect(utc.frontmatter.created).toBe("2025-03-10T05:22:05+00:00");
		expect(utc.body).toContain("## User · 2025-03-10 05:22 UTC\n");
	});

	it("the draft records the renderer version and the options it was rendered with", () => {
		const draft = draftNote(chatgpt(), SESSION, { includeThinking: true, timeZone: "Europe/Paris" });
		expect(draft.render).toEqual({ version: RENDERER_VERSION, include_thinking: true, time_zone: "Europe/Paris" });
		expect(draft.frontmatter.created).toBe("2025-03-10T06:22:05+01:00");
		expect(draftNote(chatgpt(), SESSION, { includeThinking: false }).render).toEqual({
			version: RENDERER_VERSION,
			include_thinking: false,
			time_zone: "UTC",
		});
	});

	it("a knowledge note has the link at its top and the transcript without it", () => {
		const note = renderKnowledgeNote(
			chatgpt(),
			{ tags: [], content: "Use \\d{4}." },
			{ sessionId: SESSION, model: "m", includeTranscript: true, timeZone: "Asia/Tokyo" },
		);
		expect(note.body.startsWith("\n[Open in ChatGPT](https://chatgpt.com/c/67c9a1b2-0000-8000-9000-00000000abcd)\n\n")).toBe(true);
		expect(note.body.match(/Open in ChatGPT/g)).toHaveLength(1);
		expect(note.body).toContain("> ## User · 2025-03-10 14:22");
		expect(note.frontmatter.created).toBe("2025-03-10T14:22:05+09:00");
	});
});

describe("IMPORT_KEYS", () => {
	it("is the frontmatter schema's keys, in its order (written out so that loading the module builds no schema)", () => {
		expect([...IMPORT_KEYS]).toEqual(Object.keys(NoteFrontmatterSchema().shape));
	});
});
