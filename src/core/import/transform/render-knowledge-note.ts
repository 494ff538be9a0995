import type { Conversation } from "../../model/conversation";
import { oneLine, quoteLines, safeMarkdown } from "./markdown-safety";
import type { NoteFrontmatter } from "./note-frontmatter";
import { renderNote } from "./render-note";

export interface KnowledgeParts {
	title?: string;
	summary?: string;
	tags: string[];
	content?: string;
}

export interface RenderKnowledgeOptions {
	sessionId: string;
	/** The model that wrote the knowledge (`llm_model`). */
	model: string;
	/** Append the whole conversation in a collapsed callout (default on; always on for review notes). */
	includeTranscript: boolean;
	includeThinking?: boolean;
	/** See RenderNoteOptions.timeZone. */
	timeZone?: string;
	/** The note goes to review: why (`review_reason` in the frontmatter). */
	reviewReason?: string;
}

/** A tag as Obsidian accepts it: no spaces or `#`, letters, digits, `-`, `_`, `/`. */
export function cleanTag(tag: string): string {
	return tag
		.normalize("NFC")
		.trim()
		.replace(/^#+/, "")
		.replace(/\s+/g, "-")
		.replace(/[^\p{L}\p{N}_/-]/gu, "")
		.replace(/^\/+|\/+$/g, "")
		.toLowerCase();
}

/**
 * A knowledge note: the deterministic note's frontmatter with the model's title, summary and tags (plus
 * `llm_model`, and `review_reason` for review), a body that is the model's knowledge content, then the
 * conversation itself in a collapsed callout. Nothing of the conversation is lost even when the model's
 * answer is poor: review notes always keep the transcript. `file_id` is set by load (it hashes the path).
 */
export function renderKnowledgeNote(
	conversation: Conversation,
	knowledge: KnowledgeParts,
	opts: RenderKnowledgeOptions,
): { frontmatter: NoteFrontmatter; body: string } {
	const title = oneLine(knowledge.title ?? "");
	const base = renderNote(conversation, {
		sessionId: opts.sessionId,
		notePath: "",
		deferFileId: true,
		includeThinking: opts.includeThinking ?? false,
		...(opts.timeZone !== undefined ? { timeZone: opts.timeZone } : {}),
		...(title ? { title } : {}),
	});
	const tags = [...new Set([...base.frontmatter.tags, ...knowledge.tags.map(cleanTag).filter((t) => t !== "")])];
	const summary = oneLine(knowledge.summary ?? "");
	const { session, ...rest } = base.frontmatter;
	const frontmatter: NoteFrontmatter = {
		...rest,
		tags,
		...(summary ? { summary } : {}),
		llm_model: opts.model,
		...(opts.reviewReason !== undefined ? { review_reason: oneLine(opts.reviewReason) } : {}),
		session,
	};
	const content = (knowledge.content ?? "").trim();
	const blocks: string[] = base.link ? [base.link] : [];
	if (opts.reviewReason !== undefined) {
		blocks.push(`> [!warning] Needs review\n${quoteLines(opts.reviewReason)}`);
	}
	blocks.push(content ? safeMarkdown(content, 2) : "*(the model gave no content)*");
	if (opts.includeTranscript || opts.reviewReason !== undefined) {
		blocks.push(`> [!quote]- Conversation\n${quoteLines(base.transcript)}`);
	}
	return { frontmatter, body: `\n${blocks.join("\n\n")}\n` };
}
