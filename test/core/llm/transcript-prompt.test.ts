import { describe, expect, it } from "vitest";
import { buildKnowledgePrompt, buildSystemPrompt } from "../../../src/core/llm/prompt";
import { buildTranscript, fenceFor } from "../../../src/core/llm/transcript";
import { conversation, msg } from "./conversation-helpers";

describe("buildTranscript", () => {
	it("renders every kind of part, leaves thinking out and skips empty messages", () => {
		const c = conversation([
			msg("1", "user", "How do I list files?", {
				kind: "attachment",
				name: "notes.txt",
				mimeType: "text/plain",
				extractedText: "my notes",
			}),
			msg("2", "assistant", { kind: "thinking", text: "SECRET REASONING" }, "Use ls:", {
				kind: "code",
				language: "bash",
				code: "ls -la\n",
			}),
			msg(
				"3",
				"assistant",
				{ kind: "tool_call", name: "search", summary: "ls flags" },
				{ kind: "tool_result", name: "search", summary: "3 hits", isError: true },
			),
			msg("4", "user", "   "),
			msg("5", "user", { kind: "attachment", name: "photo.png", missing: true }, { kind: "unknown", blockType: "widget" }),
		]);
		expect(buildTranscript(c)).toBe(
			[
				"[User]\nHow do I list files?\n\n[Attachment: notes.txt (text/plain)]\n```\nmy notes\n```",
				"[Assistant]\nUse ls:\n\n```bash\nls -la\n```",
				"[Assistant]\n[Tool call: search] ls flags\n\n[Tool result: search, error] 3 hits",
				"[User]\n[Attachment: photo.png] (content not in the export)\n\n[Unsupported block: widget]",
			].join("\n\n"),
		);
	});

	it("uses a fence longer than any backtick run in the code", () => {
		expect(fenceFor("no ticks")).toBe("```");
		expect(fenceFor("has ```` four")).toBe("`````");
		const t = buildTranscript(conversation([msg("1", "assistant", { kind: "code", language: "md", code: "```js\nx\n```" })]));
		expect(t).toBe("[Assistant]\n````md\n```js\nx\n```\n````");
	});
});

describe("buildKnowledgePrompt", () => {
	const c = conversation([msg("1", "user", "hi")]);

	it("asks for the four sections and puts the transcript in the user message", () => {
		const [system, user] = buildKnowledgePrompt({ conversation: c, transcript: "[User]\nhi", language: "auto" });
		expect(system?.role).toBe("system");
		for (const h of ["## Title", "## Summary", "## Tags", "## Content"]) expect(system?.content).toContain(h);
		expect(system?.content).toContain("language the conversation is written in");
		expect(user?.content).toContain("Conversation title: Test chat");
		expect(user?.content).toContain("Created: 2024-05-01");
		expect(user?.content).toContain("--- Conversation ---\n\n[User]\nhi\n\n--- End of conversation ---");
		expect(user?.content).not.toContain("part 1");
	});

	it("fixes the output language when asked and names the part of a split conversation", () => {
		expect(buildSystemPrompt("Japanese")).toContain("in Japanese, whatever language");
		expect(buildSystemPrompt(" AUTO ")).toContain("language the conversation is written in");
		const [, user] = buildKnowledgePrompt({ conversation: c, transcript: "t", language: "auto", part: { index: 2, total: 3 } });
		expect(user?.content).toContain("This is part 2 of 3");
	});
});
