import { FenceTracker, closesFence, fenceOpening, type Fence } from "./markdown-fences";

/**
 * A tolerant parser for the model's knowledge reply (see prompt.ts): `## Title`, `## Summary`, `## Tags`,
 * `## Content`. It copes with what local models actually send back:
 * - the whole reply wrapped in a code fence (```` ```markdown ````, closed or not; an unclosed one is a problem),
 *   with a line or two of chatter before it or after it;
 * - headings of level # to ###, section names in any case, in a few languages, with a trailing colon, bold
 *   markers, numbering, or the value inline (`## Title: Docker networks`);
 * - headings inside code blocks, which are code, not sections;
 * - a plain `# Heading` before the sections, taken as the title when there is no Title section.
 * Within Content, headings deeper than the Content heading stay content.
 */

export type KnowledgeSection = "title" | "summary" | "tags" | "content";

export interface ParsedKnowledge {
	title?: string;
	summary?: string;
	tags: string[];
	content?: string;
	/** Sections absent or empty, in the order title, summary, tags, content. */
	missing: KnowledgeSection[];
	/** Human-readable problems met while parsing (for logs and review reasons). */
	problems: string[];
	/** An outer or inner code fence was never closed: the reply is probably truncated. */
	unclosedFence: boolean;
}

export const UNCLOSED_FENCE_PROBLEM = "unclosed code fence in the model reply (it may be truncated)";

const SECTION_NAMES: Record<KnowledgeSection, readonly string[]> = {
	title: ["title", "note title", "titel", "titre", "título", "titulo", "titolo", "タイトル", "題名", "标题", "標題"],
	summary: [
		"summary",
		"short summary",
		"tl;dr",
		"tldr",
		"abstract",
		"zusammenfassung",
		"résumé",
		"resume",
		"resumen",
		"riassunto",
		"要約",
		"概要",
		"摘要",
		"总结",
	],
	tags: ["tags", "tag", "keywords", "schlagwörter", "schlagworte", "étiquettes", "etiquetas", "タグ", "キーワード", "标签", "標籤"],
	content: [
		"content",
		"contents",
		"body",
		"knowledge",
		"note",
		"inhalt",
		"contenu",
		"contenido",
		"contenuto",
		"内容",
		"本文",
		"内容・詳細",
		"正文",
	],
};

const NAME_TO_SECTION = new Map<string, KnowledgeSection>();
for (const [section, names] of Object.entries(SECTION_NAMES) as [KnowledgeSection, readonly string[]][]) {
	for (const name of names) NAME_TO_SECTION.set(name, section);
}

const OUTER_FENCE_INFO = new Set(["", "markdown", "md", "text", "txt"]);
const HEADING = /^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;
const MAX_OUTER_CHATTER_LINES = 3;

function normalizeName(text: string): string {
	return text
		.replace(/[*_`]/g, "")
		.replace(/^\s*(?:\d+[.)]|[-•])\s*/, "")
		.replace(/\s+/g, " ")
		.trim()
		.toLowerCase();
}

/** The section a heading names, and a value written inline after a colon. */
export function classifyHeading(text: string): { section: KnowledgeSection; inline?: string } | undefined {
	const name = normalizeName(text);
	const exact = NAME_TO_SECTION.get(name.replace(/\s*[:：]\s*$/, ""));
	if (exact) return { section: exact };
	const colon = /^(.+?)\s*[:：]\s*(.+)$/.exec(name);
	if (colon) {
		const section = NAME_TO_SECTION.get(colon[1] ?? "");
		if (section) {
			// Take the inline value from the original text so its case is kept.
			const original = text.replace(/[*_`]/g, "");
			const at = original.search(/[:：]/);
			return { section, inline: original.slice(at + 1).trim() };
		}
	}
	return undefined;
}

function hasHeading(lines: string[]): boolean {
	return lines.some((line) => HEADING.test(line));
}

function nonBlank(lines: string[]): string[] {
	return lines.filter((line) => line.trim() !== "");
}

/** Removes a fence around the whole reply; reports an outer fence that never closes. */
export function stripOuterFence(text: string): { text: string; stripped: boolean; unclosed: boolean } {
	const lines = text.split("\n");
	let openAt = -1;
	let outer: Fence | undefined;
	for (let i = 0; i < lines.length; i++) {
		const line = lines[i] ?? "";
		if (line.trim() === "") continue;
		const fence = fenceOpening(line);
		if (fence && OUTER_FENCE_INFO.has(fence.info.toLowerCase())) {
			const before = lines.slice(0, i);
			if (nonBlank(before).length <= MAX_OUTER_CHATTER_LINES && !hasHeading(before)) {
				openAt = i;
				outer = fence;
			}
		}
		break;
	}
	// Allow a line or two of chatter ("Here is the note:") before the fence.
	if (!outer) {
		let seen = 0;
		for (let i = 0; i < lines.length && seen <= MAX_OUTER_CHATTER_LINES; i++) {
			const line = lines[i] ?? "";
			if (line.trim() === "") continue;
			if (HEADING.test(line)) break;
			const fence = fenceOpening(line);
			if (fence) {
				if (seen > 0 && OUTER_FENCE_INFO.has(fence.info.toLowerCase())) {
					openAt = i;
					outer = fence;
				}
				break;
			}
			seen++;
		}
	}
	if (!outer) return { text, stripped: false, unclosed: false };

	// Candidates for the closing fence: bare fences at the outer level (not closing an inner block).
	const inner = new FenceTracker();
	const candidates: number[] = [];
	for (let i = openAt + 1; i < lines.length; i++) {
		const line = lines[i] ?? "";
		if (!inner.inside && closesFence(line, outer)) candidates.push(i);
		inner.step(line);
	}
	for (let c = candidates.length - 1; c >= 0; c--) {
		const at = candidates[c] ?? 0;
		const after = lines.slice(at + 1);
		if (nonBlank(after).length <= MAX_OUTER_CHATTER_LINES && !hasHeading(after) && !after.some((l) => fenceOpening(l))) {
			return { text: lines.slice(openAt + 1, at).join("\n"), stripped: true, unclosed: false };
		}
	}
	return { text: lines.slice(openAt + 1).join("\n"), stripped: true, unclosed: true };
}

function cleanLine(text: string): string {
	let out = text
		.trim()
		.replace(/^#+\s*/, "")
		.trim();
	for (;;) {
		const before = out;
		out = out.replace(/^\*\*(.*)\*\*$/, "$1").replace(/^__(.*)__$/, "$1");
		out = out
			.replace(/^"(.*)"$/, "$1")
			.replace(/^'(.*)'$/, "$1")
			.replace(/^「(.*)」$/, "$1")
			.replace(/^`(.*)`$/, "$1");
		out = out.trim();
		if (out === before) return out;
	}
}

/** Splits a tags section: commas (also 、，;), lines and list bullets; strips `#`, quotes; spaces → hyphens. */
export function parseTags(text: string): string[] {
	const seen = new Set<string>();
	const tags: string[] = [];
	const pieces = text
		.split(/[,，、;；\n]/)
		.flatMap((piece) => (/^\s*#\S+(?:\s+#\S+)+\s*$/.test(piece) ? piece.trim().split(/\s+/) : [piece]));
	for (const raw of pieces) {
		const tag = raw
			.trim()
			.replace(/^(?:[-*+•]|\d+[.)])\s+/, "")
			.replace(/[`"'“”«»]/g, "")
			.replace(/^#+/, "")
			.trim()
			.replace(/\s+/g, "-");
		if (tag === "" || tag === "-") continue;
		const key = tag.toLowerCase();
		if (seen.has(key)) continue;
		seen.add(key);
		tags.push(tag);
	}
	return tags;
}

/** Joins a section's lines without its leading blank lines and trailing whitespace; undefined when empty. */
function trimBlock(lines: string[]): string | undefined {
	const text = lines
		.join("\n")
		.replace(/^(?:[ \t]*\n)+/, "")
		.trimEnd();
	return text.trim() === "" ? undefined : text;
}

export function parseKnowledge(reply: string): ParsedKnowledge {
	const problems: string[] = [];
	const normalized = reply.replace(/\r\n?/g, "\n").trim();
	if (normalized === "") {
		return { tags: [], missing: ["title", "summary", "tags", "content"], problems: ["empty reply"], unclosedFence: false };
	}

	const outer = stripOuterFence(normalized);
	let unclosedFence = outer.unclosed;

	type Current = { kind: "preamble" } | { kind: KnowledgeSection; level: number };
	let current: Current = { kind: "preamble" };
	const sections: Partial<Record<KnowledgeSection, string[]>> = {};
	let headingTitle: string | undefined;
	let sawSection = false;

	const tracker = new FenceTracker();
	const preamble: string[] = [];
	for (const line of outer.text.split("\n")) {
		const isCode = tracker.step(line);
		const heading = isCode ? null : HEADING.exec(line);
		const level = heading ? (heading[1] ?? "").length : 0;
		if (heading && level <= 3) {
			const text = heading[2] ?? "";
			const match = classifyHeading(text);
			const nested = current.kind === "content" && level > current.level;
			if (match && sections[match.section] === undefined && !nested) {
				sawSection = true;
				current = { kind: match.section, level };
				sections[match.section] = match.inline !== undefined && match.inline !== "" ? [match.inline] : [];
				continue;
			}
			if (current.kind === "preamble" && !match && headingTitle === undefined) {
				headingTitle = cleanLine(text);
				continue;
			}
		}
		if (current.kind === "preamble") preamble.push(line);
		else sections[current.kind]?.push(line);
	}
	if (tracker.inside) unclosedFence = true;
	if (unclosedFence) problems.push(UNCLOSED_FENCE_PROBLEM);

	const result: ParsedKnowledge = { tags: [], missing: [], problems, unclosedFence };
	if (!sawSection) {
		const whole = trimBlock(preamble);
		if (headingTitle) result.title = headingTitle;
		if (whole !== undefined) {
			result.content = whole;
			problems.push("no section headings found; the whole reply was taken as the content");
		}
	} else {
		const titleLine = (sections.title ?? []).map(cleanLine).find((l) => l !== "");
		const title = titleLine ?? headingTitle;
		if (title) result.title = title;
		const summary = trimBlock(sections.summary ?? []);
		if (summary !== undefined) result.summary = summary.trim();
		result.tags = parseTags((sections.tags ?? []).join("\n"));
		const content = trimBlock(sections.content ?? []);
		if (content !== undefined) result.content = content;
	}
	if (!result.title) result.missing.push("title");
	if (!result.summary) result.missing.push("summary");
	if (result.tags.length === 0) result.missing.push("tags");
	if (!result.content) result.missing.push("content");
	return result;
}
