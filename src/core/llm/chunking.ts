import type { Conversation } from "../model/conversation";
import { FenceTracker, demoteHeadings } from "./markdown-fences";
import type { ParsedKnowledge } from "./parse-knowledge";
import { TRANSCRIPT_SEPARATOR, renderMessageBody, roleLabel } from "./transcript";

/**
 * Long conversations: the context budget is counted in characters of transcript (an estimate; a token is
 * 1–4 characters depending on the language). A conversation over the budget is split at message boundaries,
 * each part starting with the last `overlapMessages` blocks of the previous one; a single message over the
 * budget is cut at paragraph, then line, then character boundaries (code fences closed and reopened across the
 * cut). The parts' knowledge is merged back into one result.
 */

/** A conservative characters budget for a model context of `numCtx` tokens, leaving room for prompt and reply. */
export function defaultContextChars(numCtx: number): number {
	return Math.max(2_000, Math.floor(numCtx * 0.6));
}

/** One transcript block: a message, or a piece of one that is too big on its own. */
export interface TranscriptBlock {
	messageIndex: number;
	text: string;
}

export interface ConversationPart {
	/** 1-based. */
	index: number;
	total: number;
	blocks: TranscriptBlock[];
	/** The blocks joined as a transcript. */
	transcript: string;
	/** Message indexes (0-based, inclusive) the part covers. */
	firstMessage: number;
	lastMessage: number;
}

export interface SplitOptions {
	contextChars: number;
	/** Blocks repeated from the end of the previous part (default 2). */
	overlapMessages?: number;
}

/** Cuts `text` into pieces of at most `limit` characters, at paragraph, else line, else character boundaries. */
export function splitText(text: string, limit: number): string[] {
	if (limit < 1) throw new RangeError("limit must be at least 1");
	if (text.length <= limit) return [text];
	const pieces: string[] = [];
	let rest = text;
	while (rest.length > limit) {
		// A boundary may start exactly at `limit` (the piece before it is then `limit` long).
		let cut = rest.lastIndexOf("\n\n", limit);
		if (cut < limit / 4) cut = rest.lastIndexOf("\n", limit);
		if (cut < limit / 4) cut = limit;
		pieces.push(rest.slice(0, cut).trimEnd());
		rest = rest.slice(cut).replace(/^\n+/, "");
	}
	if (rest.trim() !== "") pieces.push(rest);
	return pieces.filter((p) => p.trim() !== "");
}

/** Closes a code block left open at the end of a piece and reopens it at the start of the next. */
function balanceFences(pieces: string[]): string[] {
	const out: string[] = [];
	let carry: string | undefined;
	for (const piece of pieces) {
		const text = carry !== undefined ? `${carry}\n${piece}` : piece;
		const tracker = new FenceTracker();
		for (const line of text.split("\n")) tracker.step(line);
		const open = tracker.open;
		if (open) {
			const marker = open.char.repeat(open.length);
			out.push(`${text}\n${marker}`);
			carry = `${marker}${open.info}`;
		} else {
			out.push(text);
			carry = undefined;
		}
	}
	return out;
}

/** The transcript blocks of a conversation, with messages over `maxBlockChars` cut into pieces. */
export function transcriptBlocks(conversation: Pick<Conversation, "messages">, maxBlockChars = Infinity): TranscriptBlock[] {
	const blocks: TranscriptBlock[] = [];
	conversation.messages.forEach((message, messageIndex) => {
		const body = renderMessageBody(message);
		if (body === "") return;
		const label = roleLabel(message.role);
		const whole = `${label}\n${body}`;
		if (whole.length <= maxBlockChars) {
			blocks.push({ messageIndex, text: whole });
			return;
		}
		// Room for the label line, "(piece i of n)" and a reopened/closed fence.
		const headroom = label.length + 40 + 24;
		const limit = Math.max(1, maxBlockChars - headroom);
		const pieces = balanceFences(splitText(body, limit));
		pieces.forEach((piece, i) => {
			blocks.push({ messageIndex, text: `${label} (message ${messageIndex + 1}, piece ${i + 1} of ${pieces.length})\n${piece}` });
		});
	});
	return blocks;
}

function joinBlocks(blocks: TranscriptBlock[]): string {
	return blocks.map((b) => b.text).join(TRANSCRIPT_SEPARATOR);
}

/** Splits a conversation into parts that each fit `contextChars`; one part when it already fits. */
export function splitForContext(conversation: Pick<Conversation, "messages">, options: SplitOptions): ConversationPart[] {
	const budget = Math.floor(options.contextChars);
	if (!(budget >= 100)) throw new RangeError(`contextChars must be at least 100 (got ${options.contextChars})`);
	const overlap = Math.max(0, Math.floor(options.overlapMessages ?? 2));
	const blocks = transcriptBlocks(conversation, budget);
	const sep = TRANSCRIPT_SEPARATOR.length;

	const ranges: [number, number][] = [];
	let start = 0;
	while (start < blocks.length) {
		let size = 0;
		let end = start;
		while (end < blocks.length) {
			const add = (blocks[end]?.text.length ?? 0) + (end > start ? sep : 0);
			if (end > start && size + add > budget) break;
			size += add;
			end++;
		}
		ranges.push([start, end]);
		if (end >= blocks.length) break;
		// Overlap: at most `overlap` blocks, never the whole previous part, and at most half the budget.
		let ov = Math.min(overlap, end - start - 1);
		const overlapChars = (n: number): number => joinBlocks(blocks.slice(end - n, end)).length;
		while (ov > 0 && overlapChars(ov) > budget / 2) ov--;
		start = end - ov;
	}

	const total = Math.max(1, ranges.length);
	if (ranges.length === 0) return [{ index: 1, total: 1, blocks: [], transcript: "", firstMessage: 0, lastMessage: -1 }];
	return ranges.map(([from, to], i) => {
		const partBlocks = blocks.slice(from, to);
		return {
			index: i + 1,
			total,
			blocks: partBlocks,
			transcript: joinBlocks(partBlocks),
			firstMessage: partBlocks[0]?.messageIndex ?? 0,
			lastMessage: partBlocks[partBlocks.length - 1]?.messageIndex ?? 0,
		};
	});
}

const MAX_MERGED_SUMMARY_CHARS = 500;

function firstSentence(text: string): string {
	const match = /^[\s\S]*?(?:[.!?。！？](?=\s|$)|$)/.exec(text.trim());
	return (match?.[0] ?? text).trim();
}

/**
 * Merges the parsed knowledge of consecutive parts into one: the first title found; the summaries joined
 * (each cut to its first sentence when the whole would be too long); tags united in order; contents placed under
 * `## Part i of n` headings with their own headings demoted one level. A required section missing from any part
 * is missing from the whole (the problem names the part), and so is an unclosed fence.
 */
export function mergeKnowledge(parts: ParsedKnowledge[]): ParsedKnowledge {
	if (parts.length === 1 && parts[0]) return parts[0];
	const total = parts.length;
	const problems: string[] = [];
	const missing = new Set<ParsedKnowledge["missing"][number]>();
	parts.forEach((part, i) => {
		for (const problem of part.problems) problems.push(`part ${i + 1} of ${total}: ${problem}`);
		for (const section of part.missing) if (section !== "title" && section !== "tags" && section !== "summary") missing.add(section);
		if (part.missing.length > 0) problems.push(`part ${i + 1} of ${total}: missing ${part.missing.join(", ")}`);
	});

	const title = parts.map((p) => p.title).find((t) => t !== undefined && t.trim() !== "");
	const summaries = parts.map((p) => p.summary?.trim()).filter((s): s is string => s !== undefined && s !== "");
	let summary: string | undefined = summaries.join(" ");
	if (summary.length > MAX_MERGED_SUMMARY_CHARS) summary = summaries.map(firstSentence).join(" ");
	if (summary === "") summary = undefined;

	const seen = new Set<string>();
	const tags: string[] = [];
	for (const tag of parts.flatMap((p) => p.tags)) {
		if (seen.has(tag.toLowerCase())) continue;
		seen.add(tag.toLowerCase());
		tags.push(tag);
	}

	const sections = parts
		.map((p, i) =>
			p.content && p.content.trim() !== "" ? `## Part ${i + 1} of ${total}\n\n${demoteHeadings(p.content.trim())}` : undefined,
		)
		.filter((s): s is string => s !== undefined);
	const content = sections.length > 0 ? sections.join("\n\n") : undefined;

	const result: ParsedKnowledge = { tags, missing: [], problems, unclosedFence: parts.some((p) => p.unclosedFence) };
	if (title) result.title = title;
	if (summary) result.summary = summary;
	if (content) result.content = content;
	if (!result.title) missing.add("title");
	if (!result.summary) missing.add("summary");
	if (tags.length === 0) missing.add("tags");
	if (!result.content) missing.add("content");
	const order = ["title", "summary", "tags", "content"] as const;
	result.missing = order.filter((s) => missing.has(s));
	return result;
}
