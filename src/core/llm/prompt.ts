import type { Conversation } from "../model/conversation";
import type { ChatMessage } from "./llm-client";

/**
 * Our knowledge prompt: the model turns a conversation transcript into a note with four Markdown sections.
 * The section headings are always the English names below (the parser relies on them; it also accepts obvious
 * variants), whatever the output language.
 */

/** "auto" = the conversation's own language; anything else is a language name such as "English" or "日本語". */
export type OutputLanguage = "auto" | (string & {});

export interface KnowledgePromptInput {
	conversation: Pick<Conversation, "title" | "provider" | "created" | "summary">;
	/** The transcript (or one part of it) to read. */
	transcript: string;
	language: OutputLanguage;
	/** Set when the conversation was split: 1-based index and total. */
	part?: { index: number; total: number };
}

/**
 * The prompt's version: part of the key of every saved reply (see reply-cache.ts). Raise it when the prompt text
 * or the way replies are read changes, so that replies to the old prompt are not reused.
 */
export const KNOWLEDGE_PROMPT_VERSION = "1";

export const SECTION_HEADINGS = { title: "## Title", summary: "## Summary", tags: "## Tags", content: "## Content" } as const;

function languageRule(language: OutputLanguage): string {
	const trimmed = language.trim();
	if (trimmed === "" || trimmed.toLowerCase() === "auto") {
		return "Write the title, summary, tags and content in the language the conversation is written in (the language the user mostly writes in).";
	}
	return `Write the title, summary, tags and content in ${trimmed}, whatever language the conversation is in.`;
}

export function buildSystemPrompt(language: OutputLanguage): string {
	return [
		"You turn a conversation between a user and an AI assistant into a knowledge note for a personal notebook.",
		"Keep what is worth knowing later: facts, decisions, explanations, procedures, and every command, code block and configuration exactly and completely. Leave out greetings, chit-chat and dead ends unless the dead end teaches something.",
		"",
		"Answer with Markdown only, using exactly these four sections in this order:",
		"",
		SECTION_HEADINGS.title,
		"A short, specific title (at most about 60 characters), on one line.",
		"",
		SECTION_HEADINGS.summary,
		"One or two sentences saying what the knowledge is about.",
		"",
		SECTION_HEADINGS.tags,
		"3 to 8 tags on one line, separated by commas, lowercase, with hyphens instead of spaces.",
		"",
		SECTION_HEADINGS.content,
		"The knowledge itself, structured: ### subheadings for separate topics, numbered lists for procedures, bullet lists for points, tables for comparisons. Put code, commands and configuration in fenced code blocks with a language tag, complete and unchanged, right after the text that explains them. No walls of text.",
		"",
		"Rules:",
		`- ${languageRule(language)}`,
		"- Keep the four section headings exactly as written above (in English).",
		"- Inside Content use only ### and deeper headings.",
		"- Do not wrap the whole answer in a code block, and write nothing before the first section or after the content.",
	].join("\n");
}

export function buildUserPrompt(input: KnowledgePromptInput): string {
	const { conversation, transcript, part } = input;
	const lines = [`Conversation title: ${conversation.title.trim() === "" ? "(none)" : conversation.title.trim()}`];
	lines.push(`Source: ${conversation.provider}`);
	if (conversation.created) lines.push(`Created: ${conversation.created.slice(0, 10)}`);
	if (part && part.total > 1) {
		lines.push(
			`This is part ${part.index} of ${part.total} of a long conversation (consecutive parts overlap by a few messages). Extract the knowledge in this part only.`,
		);
	}
	lines.push("", "--- Conversation ---", "", transcript, "", "--- End of conversation ---");
	return lines.join("\n");
}

export function buildKnowledgePrompt(input: KnowledgePromptInput): ChatMessage[] {
	return [
		{ role: "system", content: buildSystemPrompt(input.language) },
		{ role: "user", content: buildUserPrompt(input) },
	];
}
