import type { Conversation, Message, Part } from "../../../model/conversation";
import type { JsonArrayItem } from "../json-array-stream";
import { parseActivityTime } from "./activity-time";
import { decodeEntities, htmlToMarkdown } from "./html-text";
import type { GroupedResult, ProviderModule } from "./registry";
import { isRecord, knownTimes, str, titleFromText } from "./text-utils";

/**
 * Gemini Apps activity from Google Takeout (My Activity → Gemini Apps: `Takeout/My Activity/Gemini Apps/
 * MyActivity.json`, or `MyActivity.html` when the HTML format was chosen — Takeout's default) → canonical
 * Conversations.
 *
 * Learned from public descriptions and readers, not copied: vladsadovsky/llm-aggregator.ts
 * (electron/services/import/archive/parsers/geminiTakeout.ts: both forms, from an 875-record real export; the HTML
 * `outer-cell` / `content-cell` layout, verbs, non-prompt records), the incumbent Obsidian importer's types
 * (Superkikim/nexus-ai-chat-importer, src/providers/gemini/gemini-types.ts: `attachedFiles`, `imageFile`,
 * `details`), the PAM importer field-mapping notes, and the issue's pitfall list. The JSON form our fixtures
 * reproduce:
 *
 *     [{ "header": "Gemini Apps", "title": "Prompted how do I …", "time": "2025-03-02T09:14:05.120Z",
 *        "products": ["Gemini Apps"], "activityControls": ["Gemini Apps Activity"],
 *        "safeHtmlItem": [{ "html": "<p>…answer…</p>" }], "attachedFiles": ["photo.jpg"],
 *        "details": [{ "name": "https://gemini.google.com/app/3f2a…" }] }, …]   (newest first)
 *
 * Takeout exports an ACTIVITY LOG, not conversations: one record per prompt, newest first, the answer as HTML
 * (several `safeHtmlItem`s when it was regenerated: the first is the answer, the others follow as other drafts).
 * Records that are not a prompt ("Created …" canvas, "Used …", "Gave feedback …", "Selected …") are skipped and
 * counted. Records are put back into conversations:
 * - by the conversation's own link (`https://gemini.google.com/app/<id>`, in `details`/`titleUrl`/`subtitles`) when
 *   the record carries it: then the note's id is that conversation id;
 * - otherwise by time: in time order, a new conversation starts after 30 minutes without a prompt (the export has no
 *   conversation id then; the note's id is `activity-<time of its first prompt>`, stable across re-exports).
 *   Records of one chat with and without the link (an older export format for its first prompts) make two notes.
 * There is no title (the first prompt is) and no model. Attached files and generated images are named (the files
 * beside MyActivity.* are not imported). A "… was used in this chat" line (a Gem) is not a prompt or an answer.
 *
 * The HTML form is read per record from the stream (`<div class="outer-cell …">` blocks): the prompt, a Gem line
 * when present, then the time labelled with the export's time zone ("Mar 2, 2025, 10:14:05 AM CET", known zone
 * names are turned into offsets, others are read as UTC), then the answer HTML (possibly empty). Grouping holds the
 * prompt records of one file in memory (their text only) until the file is read: a Gemini Apps activity file holds
 * one record per prompt ever typed, far smaller than the conversation exports that stream one by one.
 */

const GAP_MS = 30 * 60 * 1000;
const PROMPT_VERBS = ["Prompted with: ", "Asked Gemini: ", "Asked Bard: ", "Prompted ", "Asked ", "Said ", "Branched ", "Answered "];
const NOT_PROMPTS = [
	"Created ",
	"Used ",
	"Added ",
	"Gave ",
	"Selected ",
	"Shared ",
	"Deleted ",
	"Viewed ",
	"Visited ",
	"Searched ",
	"Edited ",
	"Pinned ",
	"Renamed ",
	"Exported ",
	"Updated ",
];
const ATTACHED = /\s*Attached \d+ files?\.?\s*$/i;
const APP_LINK = /https:\/\/gemini\.google\.com\/app\/([A-Za-z0-9_-]+)/;
const GEM_LINE = /\bwas used in this chat\b/i;

function mentionsGemini(value: unknown): boolean {
	return typeof value === "string" && /gemini|bard/i.test(value);
}

/** True when a raw value is one Gemini Apps activity record (other Google products' records have other headers). */
export function looksLikeGemini(raw: unknown): boolean {
	if (!isRecord(raw) || typeof raw.title !== "string" || typeof raw.time !== "string") return false;
	return mentionsGemini(raw.header) || (Array.isArray(raw.products) && raw.products.some(mentionsGemini));
}

interface PromptRecord {
	index: number;
	offset: number;
	/** The record's time as given, and in ms (NaN when unreadable). */
	time: string | null;
	ms: number;
	prompt: string;
	answers: string[];
	images: string[];
	files: string[];
	conversationId?: string;
}

/** The user's words of a record title, or null when the record is not a prompt. */
function promptOf(title: string, hasAnswer: boolean): string | null {
	const t = title.trim();
	if (NOT_PROMPTS.some((v) => t.startsWith(v))) return null;
	const verb = PROMPT_VERBS.find((v) => t.startsWith(v));
	if (verb) return t.slice(verb.length).replace(ATTACHED, "").trim();
	// No known English verb (another language, a new verb): a prompt only when it was answered.
	return hasAnswer ? t.replace(ATTACHED, "").trim() : null;
}

function linkedId(raw: Record<string, unknown>): string | undefined {
	const candidates: unknown[] = [raw.titleUrl];
	for (const key of ["details", "subtitles"]) {
		const list = raw[key];
		if (Array.isArray(list)) for (const d of list) if (isRecord(d)) candidates.push(d.name, d.url, d.value);
	}
	for (const c of candidates) {
		const m = typeof c === "string" ? APP_LINK.exec(c) : null;
		if (m) return m[1];
	}
	return undefined;
}

function stringList(value: unknown): string[] {
	if (typeof value === "string") return value === "" ? [] : [value];
	return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string" && v !== "") : [];
}

/** One activity record → a prompt record, or why it is not one. */
function promptRecord(raw: unknown, index: number, offset: number): PromptRecord | { skip: string } {
	if (!isRecord(raw) || typeof raw.title !== "string") return { skip: "record without a title" };
	if (!looksLikeGemini(raw)) return { skip: "record of another product" };
	const answers: string[] = [];
	const images: string[] = [];
	for (const item of Array.isArray(raw.safeHtmlItem) ? raw.safeHtmlItem : []) {
		const html = isRecord(item) ? str(item.html) : undefined;
		if (!html) continue;
		const md = htmlToMarkdown(html);
		if (md.text !== "") answers.push(md.text);
		images.push(...md.images);
	}
	const prompt = promptOf(raw.title, answers.length > 0);
	if (prompt === null) return { skip: `"${raw.title.trim().split(/\s+/)[0] ?? ""}" record` };
	const time = str(raw.time) ?? null;
	const record: PromptRecord = {
		index,
		offset,
		time,
		ms: time ? Date.parse(time) : Number.NaN,
		prompt,
		answers,
		images,
		files: [...stringList(raw.attachedFiles), ...stringList(raw.imageFile)],
	};
	const id = linkedId(raw);
	if (id) record.conversationId = id;
	return record;
}

function imageName(src: string): string {
	const clean = src.split(/[?#]/)[0] ?? src;
	return (
		clean
			.split("/")
			.filter((s) => s !== "")
			.pop() ?? src
	);
}

function toConversation(id: string, records: PromptRecord[], skipped: Record<string, number> | undefined): Conversation {
	const messages: Message[] = [];
	for (const r of records) {
		const userParts: Part[] = [];
		if (r.prompt !== "") userParts.push({ kind: "text", text: r.prompt });
		for (const f of r.files) userParts.push({ kind: "attachment", name: f, ref: `gemini:${f}`, missing: true });
		const time = r.time && !Number.isNaN(r.ms) ? new Date(r.ms).toISOString() : null;
		const key = `${id}@${r.time ?? r.index}`;
		if (userParts.length > 0) messages.push({ id: `${key}:prompt`, role: "user", time, parts: userParts });
		const answer: Part[] = r.answers.map((text, i) => ({
			kind: "text",
			text: i === 0 ? text : `*Another draft of this answer:*\n\n${text}`,
		}));
		for (const src of r.images) {
			const name = imageName(src);
			answer.push({ kind: "attachment", name, ref: `gemini:${name}`, missing: true });
		}
		if (answer.length > 0) messages.push({ id: `${key}:answer`, role: "assistant", time, parts: answer });
	}
	const times = knownTimes(messages);
	const first = records.find((r) => r.prompt !== "");
	const title = first ? titleFromText(first.prompt) : "";
	const conversation: Conversation = {
		id,
		provider: "gemini",
		title: title === "" ? "Untitled" : title,
		created: times[0] ?? null,
		updated: times[times.length - 1] ?? null,
		models: [],
		messages,
	};
	if (skipped && Object.keys(skipped).length > 0) conversation.unknown = { ...skipped };
	return conversation;
}

/** Activity records (newest first) → conversations, by their link when they have one, else by 30-minute gaps. */
async function* groupGemini(items: AsyncIterable<JsonArrayItem>): AsyncGenerator<GroupedResult> {
	const linked = new Map<string, PromptRecord[]>();
	const loose: PromptRecord[] = [];
	const skipped: Record<string, number> = {};
	for await (const item of items) {
		if (!item.ok) {
			yield { ok: false, reason: item.reason, index: item.index, offset: item.offset };
			continue;
		}
		const r = promptRecord(item.value, item.index, item.offset);
		if ("skip" in r) {
			const key = `skipped ${r.skip}`;
			skipped[key] = (skipped[key] ?? 0) + 1;
			continue;
		}
		if (r.conversationId) {
			const list = linked.get(r.conversationId) ?? [];
			list.push(r);
			linked.set(r.conversationId, list);
		} else {
			loose.push(r);
		}
	}
	const byTime = (a: PromptRecord, b: PromptRecord): number =>
		(Number.isNaN(a.ms) ? 1 : Number.isNaN(b.ms) ? -1 : a.ms - b.ms) || b.index - a.index;
	const groups: { id: string; records: PromptRecord[] }[] = [];
	for (const [id, records] of linked) groups.push({ id, records: records.sort(byTime) });
	loose.sort(byTime);
	let current: PromptRecord[] = [];
	const flush = (): void => {
		const head = current[0];
		if (head) groups.push({ id: `activity-${head.time ?? `record-${head.index}`}`, records: current });
		current = [];
	};
	for (const r of loose) {
		const last = current[current.length - 1];
		if (last && (Number.isNaN(r.ms) || Number.isNaN(last.ms) || r.ms - last.ms > GAP_MS)) flush();
		current.push(r);
	}
	flush();
	// Oldest conversation first; the skipped-record counts go with the first one (they are per file).
	groups.sort((a, b) => byTime(a.records[0]!, b.records[0]!));
	let counted = false;
	for (const g of groups) {
		const head = g.records[0]!;
		yield {
			ok: true,
			conversation: toConversation(g.id, g.records, counted ? undefined : skipped),
			index: head.index,
			offset: head.offset,
		};
		counted = true;
	}
}

// ---- The HTML form, read per record from the stream ----

export { parseActivityTime };

function plain(html: string): string {
	return decodeEntities(html.replace(/<[^>]*>/g, ""))
		.replace(/\s+/g, " ")
		.trim();
}

/** One `outer-cell` block of MyActivity.html → a record shaped like the JSON form's. */
export function htmlRecord(block: string): Record<string, unknown> | null {
	const header = /class="[^"]*header-cell[^"]*"[^>]*>\s*<p[^>]*>([\s\S]*?)<\/p>/i.exec(block);
	const body =
		/<div class="[^"]*content-cell[^"]*mdl-typography--body-1(?![^"]*text-right)[^"]*"[^>]*>([\s\S]*?)<\/div>\s*<div class="[^"]*content-cell/i.exec(
			block,
		);
	if (!body) return null;
	const segments = body[1]!.split(/<br\s*\/?>/i);
	const timeAt = segments.findIndex((s) => parseActivityTime(plain(s)) !== null);
	if (timeAt < 1) return null;
	const before = segments.slice(0, timeAt);
	const gems = before.filter((s, i) => i > 0 && GEM_LINE.test(plain(s)));
	const title = plain(before.filter((s) => !gems.includes(s)).join("\n"));
	const answer = segments
		.slice(timeAt + 1)
		.join("<br>")
		.trim();
	const record: Record<string, unknown> = {
		header: header ? plain(header[1]!) : "",
		title,
		time: parseActivityTime(plain(segments[timeAt]!)),
		products: [header ? plain(header[1]!) : ""],
	};
	if (answer !== "") record.safeHtmlItem = [{ html: answer }];
	if (gems.length > 0) record.subtitles = gems.map((g) => ({ name: plain(g) }));
	const link = APP_LINK.exec(block);
	if (link) record.titleUrl = link[0];
	return record;
}

const OUTER = '<div class="outer-cell';

/** MyActivity.html → its records, one `outer-cell` block at a time (the page is never one string). */
export async function* splitActivityHtml(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<JsonArrayItem, void, undefined> {
	const decoder = new TextDecoder("utf-8");
	let buffer = "";
	let consumed = 0; // characters dropped from the front of buffer (offsets are approximate: characters, not bytes)
	let index = 0;
	let sawPage = false;
	const emit = (block: string, at: number): JsonArrayItem | null => {
		const record = htmlRecord(block);
		if (!record) return null;
		return { ok: true, index: index++, offset: at, value: record };
	};
	for await (const chunk of chunks) {
		buffer += decoder.decode(chunk, { stream: true });
		if (!sawPage) {
			if (!/^\s*(?:\ufeff)?\s*</.test(buffer)) return; // not HTML
			sawPage = true;
		}
		for (;;) {
			const start = buffer.indexOf(OUTER);
			if (start < 0) {
				// Keep only a tail that may hold the start of the marker.
				const keep = Math.max(0, buffer.length - OUTER.length);
				consumed += keep;
				buffer = buffer.slice(keep);
				break;
			}
			const next = buffer.indexOf(OUTER, start + OUTER.length);
			if (next < 0) {
				consumed += start;
				buffer = buffer.slice(start);
				break;
			}
			const item = emit(buffer.slice(start, next), consumed + start);
			if (item) yield item;
			consumed += next;
			buffer = buffer.slice(next);
		}
	}
	buffer += decoder.decode();
	const start = buffer.indexOf(OUTER);
	if (start >= 0) {
		const item = emit(buffer.slice(start), consumed + start);
		if (item) yield item;
	}
}

/** The Gemini source (see registry.ts). */
export const geminiSource: ProviderModule & { readonly id: "gemini" } = {
	id: "gemini",
	label: "Gemini",
	shape: 'Google Takeout "Gemini Apps" activity records ({"header": "Gemini Apps", "title": "Prompted …"})',
	missingFile: "not imported",
	files: /(^|\/)MyActivity\.(json|html)$/i,
	jsonArrays: true,
	split: splitActivityHtml,
	detect: looksLikeGemini,
	normalize: () => ({ ok: false, reason: "a Gemini activity record is read with the rest of its activity file" }),
	group: groupGemini,
};
