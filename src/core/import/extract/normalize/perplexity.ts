import type { Citation, Conversation, Message, Part } from "../../../model/conversation";
import { wholeJsonObject } from "../json-member-stream";
import type { ProviderModule } from "./registry";
import { describeRaw, type NormalizeResult } from "./result";
import { isoTime, isRecord, knownTimes, str, timeValue, titleFromText } from "./text-utils";

/**
 * Perplexity thread export → canonical Conversation. One file is one thread (one JSON object), in either of the two
 * shapes the incumbent Obsidian importer reads (Superkikim/nexus-ai-chat-importer, src/providers/perplexity/
 * perplexity-types.ts and perplexity-normalizer.ts; read for the shapes, not copied):
 *
 * - the thread export: `{ "metadata": { "thread_id", "thread_title", "thread_url", "thread_created_at",
 *   "thread_updated_at", "exported_at" }, "conversations": [{ "uuid", "query", "answer", "model", "mode",
 *   "timestamp", "related_queries": [], "sources": [{ "title", "url", "snippet" }] }] }`;
 * - the entries form: `{ "status", "thread_metadata": { "title", "created_at", "updated_at" }, "entries": [{ "uuid",
 *   "backend_uuid", "context_uuid", "thread_title", "thread_url_slug", "query_str", "display_model", "mode",
 *   "blocks": [{ "intended_usage", "markdown_block": { "answer", "chunks": [] } }], "entry_created_datetime" }] }`.
 *
 * Each turn is a question and its answer; the answer's sources are its citations (the `[n]` marks in the answer
 * say where; see citedAnswer), shown by the note as footnotes. The thread id is `thread_id` (entries:
 * `context_uuid`, else the URL slug).
 */

interface Turn {
	id: string;
	query: string;
	answer: string;
	model?: string;
	time: string | null;
	sources: { title: string; url: string }[];
}

function isThreadExport(raw: Record<string, unknown>): boolean {
	return (
		isRecord(raw.metadata) &&
		Array.isArray(raw.conversations) &&
		raw.conversations.some((t) => isRecord(t) && "uuid" in t && ("query" in t || "answer" in t))
	);
}

function isEntriesExport(raw: Record<string, unknown>): boolean {
	return (
		Array.isArray(raw.entries) &&
		raw.entries.some((e) => isRecord(e) && ("query_str" in e || "blocks" in e) && ("uuid" in e || "backend_uuid" in e))
	);
}

/** True when a raw value is one Perplexity thread (either shape). */
export function looksLikePerplexity(raw: unknown): boolean {
	return isRecord(raw) && (isThreadExport(raw) || isEntriesExport(raw));
}

function sourcesOf(value: unknown): { title: string; url: string }[] {
	if (!Array.isArray(value)) return [];
	return value.flatMap((s) => {
		if (!isRecord(s)) return [];
		const url = str(s.url) ?? "";
		const title = (str(s.title) ?? str(s.name) ?? "").trim();
		return url || title ? [{ title: title || url, url }] : [];
	});
}

function entryAnswer(entry: Record<string, unknown>): { answer: string; sources: { title: string; url: string }[] } {
	let answer = "";
	const sources: { title: string; url: string }[] = [];
	for (const block of Array.isArray(entry.blocks) ? entry.blocks : []) {
		if (!isRecord(block)) continue;
		const md = block.markdown_block;
		if (answer === "" && isRecord(md)) {
			answer = (
				str(md.answer) || (Array.isArray(md.chunks) ? md.chunks.filter((c): c is string => typeof c === "string").join("") : "")
			).trim();
		}
		const web = block.web_result_block;
		if (isRecord(web)) sources.push(...sourcesOf(web.web_results));
	}
	return { answer, sources };
}

function turnsOf(raw: Record<string, unknown>): Turn[] {
	if (isThreadExport(raw)) {
		return (raw.conversations as unknown[]).flatMap((t, i) => {
			if (!isRecord(t)) return [];
			const model = str(t.model);
			const turn: Turn = {
				id: str(t.uuid) ?? `turn-${i}`,
				query: (str(t.query) ?? "").trim(),
				answer: (str(t.answer) ?? "").trim(),
				time: isoTime(t.timestamp),
				sources: sourcesOf(t.sources),
			};
			if (model) turn.model = model;
			return turn.query || turn.answer ? [turn] : [];
		});
	}
	const turns = (raw.entries as unknown[]).flatMap((e, i) => {
		if (!isRecord(e)) return [];
		const { answer, sources } = entryAnswer(e);
		const model = str(e.display_model) ?? str(e.user_selected_model);
		const turn: Turn = {
			id: str(e.uuid) ?? str(e.backend_uuid) ?? `entry-${i}`,
			query: (str(e.query_str) ?? "").trim(),
			answer,
			time: isoTime(e.entry_created_datetime) ?? isoTime(e.entry_updated_datetime) ?? isoTime(e.updated_datetime),
			sources,
		};
		if (model) turn.model = model;
		return turn.query || turn.answer ? [turn] : [];
	});
	return turns.sort((a, b) => timeValue(a.time) - timeValue(b.time));
}

/**
 * The answer with its sources as citations: each `[n]` marker Perplexity writes after a claim becomes a citation of
 * source n at that place (the marker itself is removed: the note shows its own footnote mark); sources the text
 * never marks are cited at its end, so none is lost.
 */
export function citedAnswer(answer: string, sources: readonly { title: string; url: string }[]): { text: string; citations: Citation[] } {
	const citations: Citation[] = [];
	const cited = new Set<number>();
	const cite = (at: number, n: number): void => {
		const s = sources[n];
		if (!s) return;
		const c: Citation = { at };
		if (s.url) c.url = s.url;
		if (s.title && s.title !== s.url) c.title = s.title;
		citations.push(c);
		cited.add(n);
	};
	let text = "";
	let last = 0;
	for (const m of answer.matchAll(/\[(\d{1,3})\]/g)) {
		const n = Number(m[1]) - 1;
		if (!sources[n]) continue;
		text += answer.slice(last, m.index);
		last = m.index + m[0].length;
		// "late March [1]." → "late March." (the note's own mark takes the place).
		if (/^(?:[.,;:!?)]|$)/.test(answer.slice(last)) && text.endsWith(" ")) {
			text = text.trimEnd();
			for (const c of citations) c.at = Math.min(c.at, text.length);
		}
		cite(text.length, n);
	}
	text += answer.slice(last);
	sources.forEach((_, n) => {
		if (!cited.has(n)) cite(text.length, n);
	});
	return { text, citations };
}

export function normalizePerplexity(raw: unknown): NormalizeResult {
	if (!isRecord(raw) || !looksLikePerplexity(raw)) {
		return {
			ok: false,
			...describeRaw(raw, ["thread_id"], ["thread_title"]),
			reason: 'not a Perplexity thread: it has neither "metadata" with "conversations" nor "entries"',
		};
	}
	const meta = isRecord(raw.metadata) ? raw.metadata : isRecord(raw.thread_metadata) ? raw.thread_metadata : {};
	const firstEntry = Array.isArray(raw.entries) ? raw.entries.find(isRecord) : undefined;
	const turns = turnsOf(raw);
	const id = str(meta.thread_id) ?? str(firstEntry?.context_uuid) ?? str(firstEntry?.thread_url_slug) ?? turns[0]?.id;
	const titleGiven = (str(meta.thread_title) ?? str(meta.title) ?? str(firstEntry?.thread_title) ?? "").trim();
	if (!id) return { ok: false, reason: "a Perplexity thread with no thread id and no turn" };

	const messages: Message[] = [];
	const models: string[] = [];
	for (const t of turns) {
		if (t.query) messages.push({ id: `${t.id}:q`, role: "user", time: t.time, parts: [{ kind: "text", text: t.query }] });
		const parts: Part[] = [];
		if (t.answer || t.sources.length > 0) {
			const { text, citations } = citedAnswer(t.answer, t.sources);
			parts.push(citations.length > 0 ? { kind: "text", text, citations } : { kind: "text", text });
		}
		if (parts.length > 0) messages.push({ id: `${t.id}:a`, role: "assistant", time: t.time, parts });
		if (t.model && !models.includes(t.model)) models.push(t.model);
	}
	const times = knownTimes(messages);
	const title = titleGiven || titleFromText(turns[0]?.query ?? "");
	const created = isoTime(meta.thread_created_at) ?? isoTime(meta.created_at) ?? times[0] ?? null;
	const conversation: Conversation = {
		id,
		provider: "perplexity",
		title: title === "" ? "Untitled" : title,
		created,
		updated: isoTime(meta.thread_updated_at) ?? isoTime(meta.updated_at) ?? times[times.length - 1] ?? created,
		models,
		messages,
	};
	return { ok: true, conversation };
}

/** The Perplexity source (see registry.ts). */
export const perplexitySource: ProviderModule & { readonly id: "perplexity" } = {
	id: "perplexity",
	label: "Perplexity",
	shape: 'one thread per file: {"metadata", "conversations": [{"query", "answer", "sources"}]} or {"entries"}',
	missingFile: "not included in the export",
	files: /(^|\/)[^/]*(perplexity|thread)[^/]*\.json$/i,
	split: (chunks) => wholeJsonObject(chunks),
	detect: looksLikePerplexity,
	normalize: normalizePerplexity,
};
