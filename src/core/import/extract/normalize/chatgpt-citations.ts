import type { Citation } from "../../../model/conversation";
import { isRecord, str } from "./text-utils";

/**
 * ChatGPT's citation markers → clean text plus citations (where each footnote goes, and what it cites).
 *
 * Newer answers carry private-use markers: U+E200, fields separated by U+E202, U+E201 (`\uE200cite\uE202turn0search3
 * \uE201`, `\uE200filecite\uE202turn0file0\uE201`, `\uE200entity\uE202["company","Acme","…"]\uE201`). Older ones
 * carry `【13†source】`. What a marker stands for is in the message's metadata:
 * - `content_references[]`: `matched_text` is the marker itself; `type` says what it is (`grouped_webpages` with
 *   `items[].url/title`, `webpage` with `url/title`, a file with `name`, `entity` with `name`, `hidden`, and
 *   `sources_footnote`, the app's own list, which the note makes itself).
 * - `citations[]`: `start_ix`/`end_ix` over the text give the marker; `metadata` is a web page (`url`, `title`) or a
 *   file (`type: "file"`, `name`).
 * A marker that resolves to nothing is removed: a note never shows private-use characters.
 */

/** What a marker becomes. */
type Meaning = { sources: Source[] } | { text: string } | { drop: true };
type Source = Omit<Citation, "at">;

const MARKER = /\uE200([^\uE200\uE201]*)\uE201|【[^【】\n]{0,40}†[^【】\n]{0,40}】|[\uE200-\uE202]/g;
const HAS_MARKER = /[\uE200-\uE202]|【[^【】\n]{0,40}†/;

export interface ResolvedText {
	text: string;
	citations: Citation[];
}

export function resolveCitations(text: string, metadata: Record<string, unknown> | null | undefined): ResolvedText {
	if (!HAS_MARKER.test(text)) return { text, citations: [] };
	const meanings = markerMeanings(text, metadata ?? {});
	const citations: Citation[] = [];
	let out = "";
	let last = 0;
	for (const match of text.matchAll(MARKER)) {
		const at = match.index;
		out += text.slice(last, at);
		last = at + match[0].length;
		const meaning = meanings.get(match[0]) ?? fallbackMeaning(match[1]);
		if ("text" in meaning) {
			out += meaning.text;
			continue;
		}
		// A footnote mark sits right after the word it follows; a removed marker takes its leading space with it.
		const next = text.charAt(last);
		if ("sources" in meaning || next === "" || /[\s.,;:!?)\]]/.test(next)) out = out.replace(/[ \t]+$/, "");
		if ("sources" in meaning) for (const source of meaning.sources) citations.push({ at: out.length, ...source });
	}
	out += text.slice(last);
	return { text: out, citations };
}

function markerMeanings(text: string, metadata: Record<string, unknown>): Map<string, Meaning> {
	const meanings = new Map<string, Meaning>();
	const add = (marker: string, meaning: Meaning): void => {
		const had = meanings.get(marker);
		if (had && "sources" in had && "sources" in meaning) {
			for (const s of meaning.sources) if (!had.sources.some((h) => sameSource(h, s))) had.sources.push(s);
		} else if (!had) meanings.set(marker, meaning);
	};
	const references = Array.isArray(metadata.content_references) ? metadata.content_references : [];
	for (const ref of references) {
		if (!isRecord(ref)) continue;
		const marker = str(ref.matched_text);
		// Only a marker is replaced: never ordinary text that a reference happens to quote.
		if (!marker || !HAS_MARKER.test(marker)) continue;
		const meaning = referenceMeaning(ref, marker);
		if (meaning) add(marker, meaning);
	}
	const citations = Array.isArray(metadata.citations) ? metadata.citations : [];
	for (const c of citations) {
		if (!isRecord(c) || !isRecord(c.metadata)) continue;
		const marker = citedSpan(text, c.start_ix, c.end_ix);
		if (!marker) continue;
		const source = sourceOf(c.metadata);
		if (source) add(marker, { sources: [source] });
	}
	return meanings;
}

function referenceMeaning(ref: Record<string, unknown>, marker: string): Meaning | undefined {
	const type = str(ref.type) ?? "";
	if (type === "sources_footnote") return undefined;
	if (type === "hidden") return { drop: true };
	if (type === "entity") {
		const name = str(ref.name) ?? fallbackEntity(marker);
		return name ? { text: name } : { drop: true };
	}
	const sources: Source[] = [];
	const items = Array.isArray(ref.items) ? ref.items : [];
	for (const item of items) {
		const source = isRecord(item) ? sourceOf(item) : undefined;
		if (source && !sources.some((s) => sameSource(s, source))) sources.push(source);
	}
	if (sources.length === 0) {
		const own = sourceOf(ref);
		if (own) sources.push(own);
	}
	if (sources.length === 0 && Array.isArray(ref.safe_urls)) {
		const url = ref.safe_urls.find((u): u is string => typeof u === "string" && u !== "");
		if (url) sources.push({ url });
	}
	return sources.length > 0 ? { sources } : { drop: true };
}

/** A web page (`url`, with `title` or `attribution`) or a file (`name` when the type says file). */
function sourceOf(o: Record<string, unknown>): Source | undefined {
	const url = nonEmpty(str(o.url));
	const title = nonEmpty(str(o.title)) ?? nonEmpty(str(o.attribution));
	const type = str(o.type) ?? "";
	if (url && !url.startsWith("file-service://") && !url.startsWith("sediment://")) return title ? { url, title } : { url };
	const name = nonEmpty(str(o.name)) ?? nonEmpty(str(o.file_name)) ?? (type.includes("file") ? title : undefined);
	if (name && (type.includes("file") || !url)) return { file: name };
	return title ? { title } : undefined;
}

function sameSource(a: Source, b: Source): boolean {
	return a.url === b.url && a.file === b.file && (a.url !== undefined || a.file !== undefined || a.title === b.title);
}

/**
 * The marker a citation's offsets point at. Offsets count UTF-16 units in most exports; where the text has
 * characters outside the BMP they may count code points, so that reading is tried too.
 */
function citedSpan(text: string, start: unknown, end: unknown): string | undefined {
	if (typeof start !== "number" || typeof end !== "number" || end <= start) return undefined;
	const direct = text.slice(start, end);
	if (isWholeMarker(direct)) return direct;
	const points = Array.from(text);
	const byPoints = points.slice(start, end).join("");
	return isWholeMarker(byPoints) ? byPoints : undefined;
}

function isWholeMarker(span: string): boolean {
	return /^(?:\uE200[^\uE200\uE201]*\uE201|【[^【】\n]{0,40}†[^【】\n]{0,40}】)$/.test(span);
}

/** A marker no reference explains: an entity shows its name, anything else goes. */
function fallbackMeaning(inner: string | undefined): Meaning {
	if (inner === undefined) return { drop: true };
	const name = fallbackEntity(`\uE200${inner}\uE201`);
	return name ? { text: name } : { drop: true };
}

/** `entity` + `["kind","Name",…]` → `Name`. */
function fallbackEntity(marker: string): string | undefined {
	const fields = marker.replace(/^\uE200|\uE201$/g, "").split("\uE202");
	if (fields[0] !== "entity" || fields.length < 2) return undefined;
	try {
		const parsed: unknown = JSON.parse(fields.slice(1).join(""));
		if (Array.isArray(parsed) && typeof parsed[1] === "string" && parsed[1].trim() !== "") return parsed[1].trim();
	} catch {
		return undefined;
	}
	return undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
	return value !== undefined && value.trim() !== "" ? value.trim() : undefined;
}
