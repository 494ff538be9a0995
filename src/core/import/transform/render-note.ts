import { providerModule } from "../extract/normalize/registry";
import type { Citation, Conversation, Message, Part } from "../../model/conversation";
import type { DraftFileCollector } from "../attachments/draft-files";
import { computeFileId } from "./file-id";
import { stringifyFrontmatter } from "./frontmatter-yaml";
import { backtickFence, convertMathDelimiters, fenceLanguage, isJsWhitespace, oneLine, quoteLines, safeMarkdown } from "./markdown-safety";
import type { NoteFrontmatter } from "./note-frontmatter";
import { formatTime, zonedIsoTime } from "./note-time";
import { utf8Bytes } from "../../util/utf8-bytes";

export interface RenderNoteOptions {
	/** The import session's id (`YYYYMMDD_HHMMSS`), written as `session`. */
	sessionId: string;
	/** The note's vault-relative path (`/` separators); part of `file_id`. */
	notePath: string;
	/** Render thinking blocks as collapsed callouts (default: left out). */
	includeThinking?: boolean;
	/**
	 * IANA time zone for message times in headings and for `created`/`updated` (default `UTC`, which keeps output
	 * machine-independent; the import passes the user's zone).
	 */
	timeZone?: string;
	/**
	 * Longest tool or code-interpreter output kept in a note, in characters (default: no limit, outputs are kept
	 * whole). A longer one is cut, and the note says where and how much was left out.
	 */
	toolOutputMaxChars?: number;
	/** A title to use instead of the conversation's (e.g. from an LLM); `aliases` keeps the original. */
	title?: string;
	/**
	 * Leave `file_id` as twelve zeros: for a draft whose path is not known yet (the import's load stage picks the path
	 * and sets the real one), so the body is not hashed twice.
	 */
	deferFileId?: boolean;
	/**
	 * Collects the files the import brings in (export files, artifacts): each such attachment is rendered as a token
	 * that load replaces with its embed or link. Without it, attachments render as text (artifacts as code).
	 */
	files?: DraftFileCollector;
}

/** A rendered note's parts; `composeNote(frontmatter, body)` is the whole note (it ends with one newline). */
export interface RenderedNote {
	frontmatter: NoteFrontmatter;
	/**
	 * The note's title (frontmatter \`title\`), also here: a frontmatter's shape varies with its optional keys (a
	 * ChatGPT note's \`model\`), and code reading it there, optimized on one source's notes, was thrown away at the
	 * other's first.
	 */
	title: string;
	/** The body alone (what `file_id` hashes). */
	body: string;
	/** The body's first line, the link back to the chat (empty when there is none). */
	link: string;
	/** The messages alone, without the link or the surrounding blank lines. */
	transcript: string;
}

/** The chat on the source's site (ProviderModule.chatUrlBase), or null when it has none or the id is blank. */
export function chatUrl(conversation: Pick<Conversation, "provider" | "id">): string | null {
	const id = conversation.id.trim();
	const base = providerModule(conversation.provider).chatUrlBase;
	if (id === "" || base === undefined) return null;
	// Parentheses too: a `)` would end the Markdown link early.
	return `${base}${encodeURIComponent(id).replace(/[()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
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
 * Layout: YAML frontmatter (see `NoteFrontmatter`), a blank line, a link back to the chat (`[Open in Claude](…)`,
 * the same URL as the `url` property) and a blank line, then one section per turn: a user message, or
 * everything the assistant did between two user messages (its tool steps and its answer, however many messages the
 * export splits them into), under a `## User · 2024-05-01 10:22 UTC` / `## Assistant · …` heading (no time when the
 * export has none). Then its parts, separated by blank lines: text (maths delimiters made Obsidian's, citations as
 * footnotes listed at the end of the message, made safe by `safeMarkdown`), code in a backtick fence longer than
 * any backtick run inside (byte-exact), each tool call with its result(s) as one collapsed callout labelled with
 * the tool and the call (`> [!example]- search: "…"`, output whole unless `toolOutputMaxChars`), attachments as
 * callouts, thinking only with `includeThinking`, unknown blocks as a one-line placeholder. A turn with nothing to
 * show (only thinking, left out; no parts at all) is left out with its heading. `message_count` counts messages.
 */
export function renderNote(conversation: Conversation, opts: RenderNoteOptions): RenderedNote {
	const timeZone = opts.timeZone ?? "UTC";
	const how: PartOptions = {
		includeThinking: opts.includeThinking ?? false,
		missingFile: providerModule(conversation.provider).missingFile,
		...(opts.toolOutputMaxChars !== undefined ? { outputMax: opts.toolOutputMaxChars } : {}),
		...(opts.files ? { files: opts.files } : {}),
	};
	const url = chatUrl(conversation);
	const link = url ? `[Open in ${providerModule(conversation.provider).label}](${url})` : "";
	// The body's pieces: the link, each turn's heading and blocks (renderTurn adds them), joined once at the end, so
	// the body is flat in one copy of the text and the transcript is a slice of it. Each turn joined apart, then the
	// turns, then wrapped (`\n${link}\n\n${transcript}\n`) copied every note twice more, and the reader thread's
	// postMessage flattened that rope while its batch was held, so that the copy outlived young-generation collections.
	const pieces: string[] = link ? ["\n", link, "\n\n"] : ["\n"];
	const linkPieces = pieces.length;
	const footnotes = { next: 1 };
	for (const turn of turnsOf(conversation.messages)) renderTurn(turn, how, timeZone, footnotes, pieces, pieces.length > linkPieces);
	if (pieces.length === linkPieces)
		pieces.push(conversation.messages.length > 0 ? "*(no visible content: turn on thinking to see what there is)*" : "*(no messages)*");
	pieces.push("\n");
	const body = pieces.join("");
	const transcript = body.slice(link ? link.length + 3 : 1, body.length - 1);
	const project = oneLine(conversation.project ?? "");

	const originalTitle = oneLine(conversation.title);
	const title = oneLine(opts.title ?? "") || noteTitle(conversation.title);
	const summary = oneLine(conversation.summary ?? "").replace(CLAUDE_SUMMARY_LABEL, "") || firstUserExcerpt(conversation);
	const model = conversation.models[0];

	const frontmatter: NoteFrontmatter = {
		title,
		aliases: originalTitle ? [originalTitle] : [],
		source: conversation.provider,
		source_id: conversation.id,
		...(url ? { url } : {}),
		...(project ? { project } : {}),
		...(conversation.created ? { created: zonedIsoTime(conversation.created, timeZone) } : {}),
		...(conversation.updated ? { updated: zonedIsoTime(conversation.updated, timeZone) } : {}),
		message_count: conversation.messages.length,
		...(model ? { model } : {}),
		...(conversation.models.length > 1 ? { models: [...conversation.models] } : {}),
		tags: ["ai-chat", conversation.provider],
		...(summary ? { summary } : {}),
		file_id: opts.deferFileId ? DEFERRED_FILE_ID : computeFileId(body, opts.notePath),
		session: opts.sessionId,
	};
	// The whole note is not made here (composeNote makes it: drafts, the import's path, use the parts, and load composes
	// them with the real file_id), nor offered by a getter: an object literal with a getter holds it in an AccessorPair
	// that V8 (Node 20) allocates in the old generation, one per note, and that old garbage kept the getter's closure,
	// its context and so the body alive through young-generation collections until a mark-compact. Every body the
	// reader thread drafted was promoted to its old generation, though garbage once posted (10,000 conversations:
	// 189 MB promoted, 21 mark-compacts; issue 20).
	return { frontmatter, title, body, link, transcript };
}

/** What composeNote puts before the body: the frontmatter between its `---` lines. */
export function frontmatterBlock(frontmatter: NoteFrontmatter): string {
	return ["---\n", stringifyFrontmatter(frontmatter), "---\n"].join("");
}

/** Frontmatter (serialised as renderNote does) followed by the body: the whole note text. */
export function composeNote(frontmatter: NoteFrontmatter, body: string): string {
	// Joined, not concatenated: `+` (or a template) makes a rope of the frontmatter and the body, which the first
	// encoder to meet it (the note's hash, the vault's write: TextEncoder, Node's Buffer.from) must flatten first, slowly
	// once the note has lived through a few awaits (issue 17: in the browser profile of 10,000 notes the hashes' UTF-8
	// step went 3.2 s -> 1.4 s with this and file-id's join). A join gives one flat string for the cost of a copy.
	return ["---\n", stringifyFrontmatter(frontmatter), "---\n", body].join("");
}

interface PartOptions {
	includeThinking: boolean;
	/** What the note says of a file it cannot hold (ProviderModule.missingFile). */
	missingFile: string;
	/** See RenderNoteOptions.toolOutputMaxChars. */
	outputMax?: number;
	/** See RenderNoteOptions.files. */
	files?: DraftFileCollector;
}

/** A user message alone, or the run of assistant messages up to the next user message. */
function turnsOf(messages: readonly Message[]): Message[][] {
	const turns: Message[][] = [];
	for (const message of messages) {
		const last = turns[turns.length - 1];
		if (message.role === "assistant" && last && last[0]!.role === "assistant") last.push(message);
		else turns.push([message]);
	}
	return turns;
}

type ToolCall = Extract<Part, { kind: "tool_call" }>;
type ToolResult = Extract<Part, { kind: "tool_result" }>;

/** A tool call and the results that answer it, rendered as one callout at `block` in the turn's blocks. */
interface ToolStep {
	call: ToolCall;
	results: ToolResult[];
	block: number;
}

/**
 * Adds one turn to `out` (the body's pieces, see renderNote): its heading and blocks, after a blank line when
 * `separated`; nothing, and false, when none of its parts shows anything. A tool result joins its call's callout: the
 * call with the same `callId`, else the call just before it (only results between them).
 */
function renderTurn(
	turn: readonly Message[],
	how: PartOptions,
	timeZone: string,
	footnotes: { next: number },
	out: string[],
	separated: boolean,
): boolean {
	const blocks: string[] = [];
	// Made when a call has an id (most turns have none): a Map per turn and per message was garbage for nearly all.
	let byCallId: Map<string, ToolStep> | null = null;
	let open: ToolStep | null = null;
	let firstShown: Message | undefined;
	for (const message of turn) {
		const before = blocks.length;
		const sources: Sources = { lines: [], numbers: null };
		for (const part of message.parts) {
			if (part.kind === "thinking" && !how.includeThinking) continue;
			if (part.kind === "tool_result") {
				const step: ToolStep | null =
					(part.callId ? byCallId?.get(part.callId) : undefined) ?? (open && (!part.callId || !open.call.callId) ? open : null);
				if (step) {
					step.results.push(part);
					blocks[step.block] = renderToolStep(step.call, step.results, how);
					continue;
				}
				open = null;
				blocks.push(renderToolStep(undefined, [part], how));
				continue;
			}
			open = null;
			if (part.kind === "tool_call") {
				open = { call: part, results: [], block: blocks.length };
				if (part.callId) (byCallId ??= new Map()).set(part.callId, open);
				blocks.push(renderToolStep(part, [], how));
				continue;
			}
			const block = part.kind === "text" ? renderText(part, footnotes, sources) : renderPart(part, how);
			if (block !== null && block !== "") blocks.push(block);
		}
		if (sources.lines.length > 0) blocks.push(sources.lines.join("\n"));
		if (!firstShown && blocks.length > before) firstShown = message;
	}
	if (!firstShown || blocks.length === 0) return false;
	const head = turn[0]!;
	const role = head.role === "user" ? "User" : "Assistant";
	const timed = firstShown.time ?? head.time;
	const time = timed ? formatTime(timed, timeZone) : null;
	if (separated) out.push("\n\n");
	out.push(`${"#".repeat(MESSAGE_HEADING_LEVEL)} ${role}${time ? ` · ${time}` : ""}\n\n`);
	for (let i = 0; i < blocks.length; i++) {
		if (i > 0) out.push("\n\n");
		out.push(blocks[i]!);
	}
	return true;
}

/** A message's footnote definitions, and the number each of its sources got (made at its first citation). */
interface Sources {
	lines: string[];
	numbers: Map<string, number> | null;
}

/**
 * A text part: its citations as footnote marks (`[^n]`, numbered through the note; a source cited again in the same
 * message keeps its number), whose definitions go to `sources`; then maths delimiters made Obsidian's.
 */
function renderText(part: Extract<Part, { kind: "text" }>, footnotes: { next: number }, sources: Sources): string {
	let text = part.text;
	if (part.citations && part.citations.length > 0) {
		const marks = (sources.numbers ??= new Map<string, number>());
		const inserts: { at: number; mark: string }[] = [];
		for (const citation of part.citations) {
			const key = citation.url ?? (citation.file !== undefined ? `file:${citation.file}` : `title:${citation.title ?? ""}`);
			let n = marks.get(key);
			if (n === undefined) {
				n = footnotes.next++;
				marks.set(key, n);
				sources.lines.push(`[^${n}]: ${sourceLine(citation)}`);
			}
			const at = Math.max(0, Math.min(text.length, citation.at));
			const previous = inserts[inserts.length - 1];
			if (previous && previous.at === at && previous.mark.includes(`[^${n}]`)) continue;
			if (previous && previous.at === at) previous.mark += `[^${n}]`;
			else inserts.push({ at, mark: `[^${n}]` });
		}
		inserts.sort((a, b) => a.at - b.at);
		let out = "";
		let last = 0;
		for (const insert of inserts) {
			out += text.slice(last, insert.at) + insert.mark;
			last = insert.at;
		}
		text = out + text.slice(last);
	}
	return safeMarkdown(convertMathDelimiters(text), MESSAGE_HEADING_LEVEL + 1);
}

/** A footnote's text: a link with the page's title, the file's name, or the title alone. */
function sourceLine(citation: Citation): string {
	const title = oneLine(citation.title ?? "");
	if (citation.url !== undefined) {
		const url = citation.url.trim().replace(/[\s()<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
		return `[${escapeInline(title || url)}](${url})`;
	}
	if (citation.file !== undefined) return escapeInline(oneLine(citation.file)) || "a file";
	return escapeInline(title) || "a source";
}

function renderPart(part: Exclude<Part, { kind: "tool_call" | "tool_result" }>, how: PartOptions): string | null {
	switch (part.kind) {
		case "text":
			return safeMarkdown(convertMathDelimiters(part.text), MESSAGE_HEADING_LEVEL + 1);
		case "code":
			return renderCode(part.code, part.language);
		case "attachment":
			return how.files?.tokenFor(part) ?? renderAttachment(part, how.missingFile);
		case "thinking": {
			if (!how.includeThinking) return null;
			const label = oneLine(part.label ?? "");
			return callout("quote", label ? `Thinking: ${escapeInline(label)}` : "Thinking", part.text);
		}
		case "unknown": {
			const type = part.blockType.replace(/[`\s]/g, "") || "unknown";
			const summary = oneLine(part.summary ?? "");
			return `*(unsupported content: \`${type}\`${summary ? ` — ${escapeInline(summary)}` : ""})*`;
		}
	}
}

/** Longest label of a tool callout, in characters, before it is cut with an ellipsis. */
const TOOL_LABEL_MAX = 120;

/**
 * One tool step as a collapsed callout: titled with the tool and the call (`search: "q"` for `search("q")`; else
 * `name: summary`), holding the call's whole input (fenced) and each result's whole output. A result without a call
 * is titled `Tool result: name`. An error makes it a `failure` callout.
 */
function renderToolStep(call: ToolCall | undefined, results: readonly ToolResult[], how: PartOptions): string {
	const failed = results.some((r) => r.isError === true);
	let title: string;
	if (call) title = callLabel(call) + (failed ? " (error)" : "");
	else {
		const name = oneLine(results[0]?.name ?? "");
		const label = failed ? "Tool error" : "Tool result";
		title = name ? `${label}: ${escapeInline(name)}` : label;
	}
	const pieces: string[] = [];
	if (call?.input !== undefined && call.input.trim() !== "") pieces.push(renderCode(call.input, call.language ?? ""));
	// Output of code is shown as it was printed (fenced); a tool's text as Markdown.
	const fenced = call?.language !== undefined && call.input !== undefined;
	for (const result of results) {
		const whole = result.output ?? result.summary;
		if (whole.trim() === "") continue;
		const { text, note } = capOutput(whole, how.outputMax);
		pieces.push(fenced ? renderCode(text, "") : safeMarkdown(text, MESSAGE_HEADING_LEVEL + 1));
		if (note) pieces.push(note);
	}
	const type = failed ? "failure" : "example";
	const content = pieces.join("\n\n");
	return content.trim() === "" ? `> [!${type}] ${title}` : `> [!${type}]- ${title}\n${quoteLines(content)}`;
}

/**
 * `search("q")` → `search: "q"`; `query: q` → `name: "q"`; otherwise `name: summary` (or the name alone), on one line,
 * cut and escaped.
 */
function callLabel(call: ToolCall): string {
	const summary = oneLine(call.summary);
	const name = oneLine(call.name) || "unknown tool";
	const fn = /^([A-Za-z_][\w.]*)\((.*)\)$/.exec(summary);
	// Only one call (`search("a")`), not several (`search("a"); open(b)`): its parenthesis closes at the end.
	const single = fn !== null && closingParen(summary, fn[1]!.length) === summary.length - 1;
	let label: string;
	if (fn && single) {
		const args = fn[2]!.trim();
		label = args !== "" ? `${fn[1]}: ${args}` : fn[1]!;
	} else {
		// A search reads best as its query in quotes (`summariseValue` gives `query: …`).
		const query = /^(?:query|q): (.+)$/.exec(summary)?.[1];
		label = query !== undefined ? `${name}: "${query}"` : summary !== "" ? `${name}: ${summary}` : name;
	}
	const chars = Array.from(label);
	if (chars.length > TOOL_LABEL_MAX)
		label = `${chars
			.slice(0, TOOL_LABEL_MAX - 1)
			.join("")
			.trimEnd()}…`;
	return escapeInline(label);
}

/** Where the parenthesis opened at `open` closes (quoted strings skipped), or -1. */
function closingParen(text: string, open: number): number {
	let depth = 0;
	let quote: string | null = null;
	for (let i = open; i < text.length; i++) {
		const c = text[i];
		if (quote) {
			if (c === "\\") i++;
			else if (c === quote) quote = null;
		} else if (c === '"' || c === "'") quote = c;
		else if (c === "(") depth++;
		else if (c === ")" && --depth === 0) return i;
	}
	return -1;
}

/** An output cut to `max` characters (code points), with a line saying so; whole when there is no cap or it fits. */
function capOutput(text: string, max: number | undefined): { text: string; note?: string } {
	if (max === undefined || text.length <= max) return { text };
	const chars = Array.from(text);
	if (chars.length <= max) return { text };
	const kept = chars.slice(0, Math.max(0, max)).join("");
	const left = utf8Bytes(text) - utf8Bytes(kept);
	return { text: kept, note: `*(output cut at ${max} characters by the note's output limit: ${formatSize(left)} left out)*` };
}

/** A fenced block whose content is `code` byte for byte (a final newline is added only when missing). */
function renderCode(code: string, language: string): string {
	const fence = backtickFence(code);
	if (code === "") return `${fence}${fenceLanguage(language)}\n${fence}`;
	return `${fence}${fenceLanguage(language)}\n${code}${code.endsWith("\n") ? "" : "\n"}${fence}`;
}

function renderAttachment(part: Extract<Part, { kind: "attachment" }>, missingFile: string): string {
	if (part.artifact) return renderCode(part.artifact.content, part.artifact.language);
	const name = oneLine(part.name) || "unnamed file";
	const meta = [part.mimeType ? oneLine(part.mimeType) : "", part.size !== undefined ? formatSize(part.size) : ""]
		.filter(Boolean)
		.join(" · ");
	const metaLine = meta ? `*${escapeInline(meta)}*` : "";
	if (part.missing) {
		// An image the note cannot show yet (a code-interpreter plot, an uploaded photo) says it is one.
		const noun = part.mimeType?.startsWith("image/") ? "Image" : "Attachment";
		const title = `${noun}: ${name} (${missingFile})`;
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

/**
 * Escapes characters that would start emphasis, code or links inside a short inline label. An underscore inside a
 * word (`web_search`) starts nothing and is left as it is.
 */
function escapeInline(text: string): string {
	return text.replace(/[\\`*_[\]<>|]/g, (c, at: number) =>
		c === "_" && /[\p{L}\p{N}]/u.test(text.charAt(at - 1)) && /[\p{L}\p{N}]/u.test(text.charAt(at + 1)) ? c : `\\${c}`,
	);
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
 * whitespace needs the whole text. (2,048 before: collapsing them was 45 ms of a 10,000-conversation import, issue 20.)
 */
const EXCERPT_WINDOW = 512;

/** The first user message's text, on one line, cut to about 160 characters at a word boundary. */
function firstUserExcerpt(conversation: Conversation): string {
	const first = conversation.messages.find((m) => m.role === "user" && m.parts.some((p) => p.kind === "text" && p.text.trim() !== ""));
	if (!first) return "";
	// Its text parts joined by spaces, up to the first `limit` characters or a little more (not a copy of a long message).
	const joined = (limit: number): string => {
		let out: string | null = null;
		for (const p of first.parts) {
			if (p.kind !== "text") continue;
			out = out === null ? p.text : `${out} ${p.text}`;
			if (out.length > limit) break;
		}
		return out ?? "";
	};
	const head = joined(EXCERPT_WINDOW);
	let text = head.length > EXCERPT_WINDOW ? oneLine(head.slice(0, EXCERPT_WINDOW)) : "";
	// 2 × 161 UTF-16 units hold at least 161 code points: more than the excerpt, so the whole is longer too.
	if (text.length < 2 * (SUMMARY_EXCERPT_CHARS + 1)) text = oneLine(head.length > EXCERPT_WINDOW ? joined(Infinity) : head);
	const end = codePointsEnd(text, SUMMARY_EXCERPT_CHARS);
	if (end < 0) return text;
	const cut = text.slice(0, end);
	const space = cut.lastIndexOf(" ");
	return `${trimEndPunctuation(space > SUMMARY_EXCERPT_CHARS / 2 ? cut.slice(0, space) : cut)}…`;
}

/** `text` less its trailing run of whitespace and `.,;:!?` (what `/[\s.,;:!?]+$/` removes: 56 ms a 10,000 import). */
export function trimEndPunctuation(text: string): string {
	let end = text.length;
	for (; end > 0; end--) {
		const c = text.charCodeAt(end - 1);
		if (c !== 0x2e && c !== 0x2c && c !== 0x3b && c !== 0x3a && c !== 0x21 && c !== 0x3f && !isJsWhitespace(c)) break;
	}
	return end === text.length ? text : text.slice(0, end);
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

/** The deterministic note's title (and its draft's): the conversation's on one line, or "Untitled". */
export function noteTitle(conversationTitle: string): string {
	return oneLine(conversationTitle) || "Untitled";
}
