import { providerModule } from "../extract/normalize/registry";
import type { Conversation, Message, Part } from "../conversation";
import { computeFileId } from "./file-id";
import { stringifyFrontmatter } from "./frontmatter-yaml";
import { backtickFence, fenceLanguage, oneLine, quoteLines, safeMarkdown } from "./markdown-safety";
import type { NoteFrontmatter } from "./note-frontmatter";
import { formatTime, isoTime } from "./note-time";


export interface RenderNoteOptions {
	/** The import session's id (`YYYYMMDD_HHMMSS`), written as `session`. */
	sessionId: string;
	/** The note's vault-relative path (`/` separators); part of `file_id`. */
	notePath: string;
	/** Render thinking blocks as collapsed callouts (default: left out). */
	includeThinking?: boolean;
	/** IANA time zone for message times in headings (default `UTC`, which keeps output machine-independent). */
	timeZone?: string;
	/** A title to use instead of the conversation's (e.g. from an LLM); `aliases` keeps the original. */
	title?: string;
	/**
	 * Leave `file_id` as twelve zeros: for a draft whose path is not known yet (the import's load stage picks the path
	 * and sets the real one), so the body is not hashed twice.
	 */
	deferFileId?: boolean;
}

export interface RenderedNote {
	/** The whole note: frontmatter, then the body. Ends with one newline. Composed on each read. */
	readonly markdown: string;
	frontmatter: NoteFrontmatter;
	/** The body alone (what `file_id` hashes). */
	body: string;
}

/** The `file_id` of a note rendered with `deferFileId`. */
export const DEFERRED_FILE_ID = "000000000000";

/** Heading level of each message; text headings inside a message are kept below it. */
const MESSAGE_HEADING_LEVEL = 2;
const SUMMARY_EXCERPT_CHARS = 160;
/** Claude summaries open with this bold label; it says nothing in a `summary` property. */
const CLAUDE_SUMMARY_LABEL = /^\**\s*Conversation overview\s*\**:?\s*/i;

/**
 * Renders one conversation as an Obsidian note. Pure and deterministic: the same conversation and options give
 * the same bytes on every machine.
 *
 * Layout: YAML frontmatter (see `NoteFrontmatter`), a blank line, then per message a `## User · 2024-05-01 10:22 UTC`
 * heading (`## Assistant …`; no time when the export has none) followed by its parts, separated by blank lines:
 * text (made safe by `safeMarkdown`), code in a backtick fence longer than any backtick run inside (byte-exact),
 * attachments and tool calls/results as collapsed callouts, thinking only with `includeThinking`, unknown blocks
 * as a one-line placeholder. A message with nothing to show (only thinking, left out; no parts at all) is left out
 * with its heading: an empty `## Assistant` says nothing. `message_count` still counts it.
 */
export function renderNote(conversation: Conversation, opts: RenderNoteOptions): RenderedNote {
	const timeZone = opts.timeZone ?? "UTC";
	const how: PartOptions = { includeThinking: opts.includeThinking ?? false, missingFile: providerModule(conversation.provider).missingFile };
	const messages: string[] = [];
	for (const message of conversation.messages) {
		const rendered = renderMessage(message, how, timeZone);
		if (rendered !== null) messages.push(rendered);
	}
	const empty = conversation.messages.length > 0 ? "*(no visible content: turn on thinking to see what there is)*" : "*(no messages)*";
	const body = `\n${messages.length > 0 ? messages.join("\n\n") : empty}\n`;

	const originalTitle = oneLine(conversation.title);
	const title = oneLine(opts.title ?? "") || originalTitle || "Untitled";
	const summary = oneLine(conversation.summary ?? "").replace(CLAUDE_SUMMARY_LABEL, "") || firstUserExcerpt(conversation);
	const model = conversation.models[0];

	const frontmatter: NoteFrontmatter = {
		title,
		aliases: originalTitle ? [originalTitle] : [],
		source: conversation.provider,
		source_id: conversation.id,
		...(conversation.created ? { created: isoTime(conversation.created) } : {}),
		...(conversation.updated ? { updated: isoTime(conversation.updated) } : {}),
		message_count: conversation.messages.length,
		...(model ? { model } : {}),
		...(conversation.models.length > 1 ? { models: [...conversation.models] } : {}),
		tags: ["ai-chat", conversation.provider],
		...(summary ? { summary } : {}),
		file_id: opts.deferFileId ? DEFERRED_FILE_ID : computeFileId(body, opts.notePath),
		session: opts.sessionId,
	};
	return {
		frontmatter,
		body,
		// Composed when read: drafts (the import's path) use the parts, and load composes them with the real file_id.
		get markdown(): string {
			return composeNote(frontmatter, body);
		},
	};
}

/** Frontmatter (serialised as renderNote does) followed by the body: the whole note text. */
export function composeNote(frontmatter: NoteFrontmatter, body: string): string {
	return `---\n${stringifyFrontmatter(frontmatter)}---\n${body}`;
}


interface PartOptions {
	includeThinking: boolean;
	/** What the note says of a file it cannot hold (ProviderModule.missingFile). */
	missingFile: string;
}

/** The message's heading and parts, or null when none of its parts shows anything. */
function renderMessage(message: Message, how: PartOptions, timeZone: string): string | null {
	const role = message.role === "user" ? "User" : "Assistant";
	const time = message.time ? formatTime(message.time, timeZone) : null;
	let out = `${"#".repeat(MESSAGE_HEADING_LEVEL)} ${role}${time ? ` · ${time}` : ""}`;
	let visible = false;
	// Concatenated, not joined: the note's body is copied into one flat string once, when the messages are joined.
	for (const part of message.parts) {
		const block = renderPart(part, how);
		if (block === null || block === "") continue;
		out += `\n\n${block}`;
		visible = true;
	}
	return visible ? out : null;
}

function renderPart(part: Part, how: PartOptions): string | null {
	switch (part.kind) {
		case "text":
			return safeMarkdown(part.text, MESSAGE_HEADING_LEVEL + 1);
		case "code":
			return renderCode(part.code, part.language);
		case "attachment":
			return renderAttachment(part, how.missingFile);
		case "tool_call":
			return callout("example", `Tool call: ${oneLine(part.name) || "unknown tool"}`, part.summary);
		case "tool_result": {
			const name = oneLine(part.name ?? "");
			const label = part.isError ? "Tool error" : "Tool result";
			return callout(part.isError ? "failure" : "example", name ? `${label}: ${name}` : label, part.summary);
		}
		case "thinking":
			return how.includeThinking ? callout("quote", "Thinking", part.text) : null;
		case "unknown": {
			const type = part.blockType.replace(/[`\s]/g, "") || "unknown";
			const summary = oneLine(part.summary ?? "");
			return `*(unsupported content: \`${type}\`${summary ? ` — ${escapeInline(summary)}` : ""})*`;
		}
	}
}

/** A fenced block whose content is `code` byte for byte (a final newline is added only when missing). */
function renderCode(code: string, language: string): string {
	const fence = backtickFence(code);
	if (code === "") return `${fence}${fenceLanguage(language)}\n${fence}`;
	return `${fence}${fenceLanguage(language)}\n${code}${code.endsWith("\n") ? "" : "\n"}${fence}`;
}

function renderAttachment(part: Extract<Part, { kind: "attachment" }>, missingFile: string): string {
	const name = oneLine(part.name) || "unnamed file";
	const meta = [part.mimeType ? oneLine(part.mimeType) : "", part.size !== undefined ? formatSize(part.size) : ""]
		.filter(Boolean)
		.join(" · ");
	const metaLine = meta ? `*${escapeInline(meta)}*` : "";
	if (part.missing) {
		const title = `Attachment: ${name} (${missingFile})`;
		return metaLine ? `> [!note]- ${title}\n${quoteLines(metaLine)}` : `> [!note] ${title}`;
	}
	const text = part.extractedText ?? "";
	const lines = [metaLine];
	if (text.trim() === "") lines.push("*No text was extracted from this file.*");
	else {
		const fence = backtickFence(text);
		const extension = /\.([A-Za-z0-9]+)$/.exec(name)?.[1] ?? (/^(dockerfile|makefile)$/i.test(name) ? name : "");
		lines.push(`${fence}${fenceLanguage(extension)}\n${text.replace(/\r\n?/g, "\n").replace(/\n$/, "")}\n${fence}`);
	}
	return `> [!note]- Attachment: ${name}\n${quoteLines(lines.filter(Boolean).join("\n\n"))}`;
}

/** A collapsed callout; the content is made safe and quoted line by line. No content → the title line alone. */
function callout(type: string, title: string, content: string): string {
	const safe = safeMarkdown(content, MESSAGE_HEADING_LEVEL + 1);
	return safe.trim() === "" ? `> [!${type}] ${title}` : `> [!${type}]- ${title}\n${quoteLines(safe)}`;
}

/** Escapes characters that would start emphasis, code or links inside a short inline label. */
function escapeInline(text: string): string {
	return text.replace(/([\\`*_[\]<>|])/g, "\\$1");
}

function formatSize(bytes: number): string {
	if (bytes < 1024) return `${bytes} B`;
	if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
	return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * Raw characters of the first user message looked at for its excerpt. `oneLine` of a prefix is a prefix of
 * `oneLine` of the whole (whitespace runs collapse the same way; only a trailing space can be missing), so once the
 * prefix gives comfortably more than 160 characters, its first 160 are the excerpt's; only a message that is mostly
 * whitespace needs the whole text.
 */
const EXCERPT_WINDOW = 2048;

/** The first user message's text, on one line, cut to about 160 characters at a word boundary. */
function firstUserExcerpt(conversation: Conversation): string {
	const first = conversation.messages.find(
		(m) => m.role === "user" && m.parts.some((p) => p.kind === "text" && p.text.trim() !== ""),
	);
	if (!first) return "";
	const joined = first.parts
		.filter((p): p is Extract<Part, { kind: "text" }> => p.kind === "text")
		.map((p) => p.text)
		.join(" ");
	let text = joined.length > EXCERPT_WINDOW ? oneLine(joined.slice(0, EXCERPT_WINDOW)) : "";
	// 2 × 161 UTF-16 units hold at least 161 code points: more than the excerpt, so the whole is longer too.
	if (text.length < 2 * (SUMMARY_EXCERPT_CHARS + 1)) text = oneLine(joined);
	const end = codePointsEnd(text, SUMMARY_EXCERPT_CHARS);
	if (end < 0) return text;
	const cut = text.slice(0, end);
	const space = cut.lastIndexOf(" ");
	return `${(space > SUMMARY_EXCERPT_CHARS / 2 ? cut.slice(0, space) : cut).replace(/[\s.,;:!?]+$/, "")}…`;
}

/**
 * Where the first `count` code points of `text` end (a surrogate pair is one, a lone surrogate is one, as in
 * `Array.from`), or -1 when `text` has no more than `count` of them.
 */
function codePointsEnd(text: string, count: number): number {
	let i = 0;
	for (let n = 0; n < count; n++) {
		if (i >= text.length) return -1;
		const c = text.charCodeAt(i);
		i += c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
	}
	return i < text.length ? i : -1;
}
