/**
 * zod's messages as the user reads them, inside our reasons and warnings. src uses zod/mini, which loads no locale
 * by itself: src/core/model/zod.ts sets the English one. Without it each message below reads "Invalid input", so
 * this test fails if the locale is lost. It imports nothing but our modules (classic zod, which tests may import,
 * would set the English locale on its own and hide the loss). The texts are what classic zod gave before the move.
 */
import { describe, expect, it } from "vitest";
import { normalizeClaude } from "../../../src/core/import/extract/normalize/claude";
import { ConversationSchema } from "../../../src/core/model/conversation";
import { parseSettings } from "../../../src/core/config/settings";

describe("zod's messages in our reasons", () => {
	it("a wrong type and a missing key, in a bad conversation's reason", () => {
		const wrongType = normalizeClaude({ uuid: 7, name: "Trip", chat_messages: [{ uuid: "m1", sender: "human", text: 3 }] });
		expect(wrongType).toEqual({
			ok: false,
			title: "Trip",
			reason:
				"not a valid Claude conversation: uuid: Invalid input: expected string, received number; chat_messages.0.text: Invalid input: expected string, received number",
		});
		const missing = normalizeClaude({ uuid: "", name: "Trip" });
		expect(missing).toEqual({
			ok: false,
			title: "Trip",
			reason:
				"not a valid Claude conversation: uuid: Too small: expected string to have >=1 characters; chat_messages: Invalid input: expected array, received undefined",
		});
	});

	it("an enum miss and a discriminator miss", () => {
		const parsed = ConversationSchema().safeParse({
			id: "c1",
			provider: "gemini-pro",
			title: "T",
			created: null,
			updated: null,
			models: [],
			messages: [{ id: "m", role: "robot", time: null, parts: [{ kind: "video" }] }],
		});
		expect(parsed.success).toBe(false);
		expect(parsed.error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toEqual([
			'provider: Invalid option: expected one of "claude"|"chatgpt"|"deepseek"|"gemini"|"lechat"|"grok"|"perplexity"|"claude-code"|"codex"',
			'messages.0.role: Invalid option: expected one of "user"|"assistant"',
			"messages.0.parts.0.kind: Invalid discriminator value. Expected 'text' | 'code' | 'attachment' | 'tool_call' | 'tool_result' | 'thinking' | 'unknown'",
		]);
	});

	it("settings warnings: a number format, a length, an enum, a refinement's own message", () => {
		const warnings: string[] = [];
		parseSettings({ outputFolder: "  ", timeZone: "Mars/Base", llm: { provider: "gpt", concurrency: 1.5 }, genres: [{ key: 3 }] }, (m) =>
			warnings.push(m),
		);
		expect(warnings).toEqual([
			'Setting "outputFolder" is invalid (Too small: expected string to have >=1 characters); using the default.',
			'Setting "timeZone" is invalid (not a known time zone); using the default.',
			'Setting "llm.provider" is invalid (Invalid option: expected one of "none"|"ollama"|"openai"); using the default.',
			'Setting "llm.concurrency" is invalid (Invalid input: expected int, received number); using the default.',
			"Genre #1 is invalid (Invalid input: expected string, received number); dropped.",
			"The genre table is empty; using the default genre table.",
		]);
	});
});
