import { computeFileId } from "../import/transform/file-id";
import type { FrontmatterChange } from "./frontmatter/frontmatter-change";
import { codeLineFlags, splitLines } from "./markdown-regions";
import { stemOf, stripDatePrefix } from "./normalize-file-name";

/** Jekyll/Hugo leftovers that mean nothing in a vault. */
export const LEFTOVER_KEYS = ["draft", "private", "slug", "lastmod", "layout", "permalink"] as const;

const SUMMARY_MAX_CHARS = 200;

export interface NormalizeFrontmatterInput {
	frontmatter: Record<string, unknown>;
	body: string;
	/** The note's current vault path (for the title fallback, the date prefix and a new file_id). */
	path: string;
	genre: string;
	topic?: string;
	/** `created` when nothing else gives a date: YYYY-MM-DD (the file's modification day). */
	fallbackDate: string;
	/** Extra keys to set (e.g. `review_reason`). */
	extra?: Record<string, unknown>;
}

export interface NormalizedFrontmatter {
	/** The edits, in order: updates and removals of existing keys, then added keys. */
	changes: FrontmatterChange[];
	/** The note's title after normalisation (the file name is derived from it). */
	title: string;
}

/**
 * Ensures `title`, `created`, `tags` (a list), `summary`, `file_id` (generated when missing, never changed when
 * present), `genre`, `topic` and `normalized: true`; removes Jekyll leftovers; keeps every other key and its
 * order. Returns the changes only; `renderNote` or `applyFrontmatterChanges` applies them.
 */
export function normalizeFrontmatter(input: NormalizeFrontmatterInput): NormalizedFrontmatter {
	const fm = input.frontmatter;
	const wanted = new Map<string, unknown>();

	const existingTitle = typeof fm.title === "string" && fm.title.trim() !== "" ? fm.title : undefined;
	const title = existingTitle ?? deriveTitle(input.body, input.path);
	if (!existingTitle) wanted.set("title", title);

	if (!hasValue(fm.created)) wanted.set("created", deriveCreated(fm, input.path, input.fallbackDate));

	const tags = normalizeTags(fm.tags);
	if (!Array.isArray(fm.tags) || fm.tags.some((tag) => typeof tag !== "string")) wanted.set("tags", tags);

	if (typeof fm.summary !== "string") wanted.set("summary", deriveSummary(fm, input.body));

	if (!hasValue(fm.file_id)) wanted.set("file_id", computeFileId(input.body, input.path));

	if (fm.genre !== input.genre) wanted.set("genre", input.genre);
	const topic = input.topic ?? (typeof fm.topic === "string" ? fm.topic : "");
	if (fm.topic !== topic) wanted.set("topic", topic);

	for (const [key, value] of Object.entries(input.extra ?? {})) {
		if (!sameValue(fm[key], value)) wanted.set(key, value);
	}
	if (fm.normalized !== true) wanted.set("normalized", true);

	const changes: FrontmatterChange[] = [];
	for (const key of Object.keys(fm)) {
		if ((LEFTOVER_KEYS as readonly string[]).includes(key)) {
			changes.push({ key, kind: "remove", before: fm[key] });
		} else if (wanted.has(key)) {
			changes.push({ key, kind: "update", before: fm[key], after: wanted.get(key) });
			wanted.delete(key);
		}
	}
	for (const [key, after] of wanted) changes.push({ key, kind: "add", after });
	return { changes, title };
}

function hasValue(value: unknown): boolean {
	return value !== undefined && value !== null && !(typeof value === "string" && value.trim() === "");
}

function sameValue(a: unknown, b: unknown): boolean {
	return JSON.stringify(a) === JSON.stringify(b);
}

/** The first `# ` heading outside code, else the file name without a date prefix. */
export function deriveTitle(body: string, path: string): string {
	const lines = splitLines(body);
	const inCode = codeLineFlags(lines);
	for (const [index, line] of lines.entries()) {
		if (inCode[index]) continue;
		const match = /^# +(.+?)[ \t#]*$/.exec(line.text);
		if (match) return match[1]!.trim();
	}
	return stripDatePrefix(stemOf(path)).stem;
}

/** `created`: a Jekyll `date`, else the file name's date prefix, else the fallback day. */
export function deriveCreated(fm: Record<string, unknown>, path: string, fallbackDate: string): string {
	const date = fm.date;
	if (typeof date === "string") {
		const match = /^\d{4}-\d{2}-\d{2}/.exec(date.trim());
		if (match) return match[0];
	}
	if (date instanceof Date && !Number.isNaN(date.getTime())) return date.toISOString().slice(0, 10);
	return stripDatePrefix(stemOf(path)).date ?? fallbackDate;
}

/** Tags as a list of strings: "a, b" and "a b" split, `#` removed, duplicates and empties dropped. */
export function normalizeTags(value: unknown): string[] {
	let raw: unknown[];
	if (Array.isArray(value)) raw = value;
	else if (typeof value === "string") raw = value.split(/[,\s]+/);
	else if (value === undefined || value === null) raw = [];
	else raw = [value];
	const out: string[] = [];
	for (const item of raw) {
		if (typeof item !== "string" && typeof item !== "number" && typeof item !== "boolean") continue;
		const tag = String(item).trim().replace(/^#/, "");
		if (tag !== "" && !out.includes(tag)) out.push(tag);
	}
	return out;
}

/** `summary`: a `description`/`excerpt` key, else the first paragraph of prose (at most 200 characters). */
export function deriveSummary(fm: Record<string, unknown>, body: string): string {
	for (const key of ["description", "excerpt"]) {
		const value = fm[key];
		if (typeof value === "string" && value.trim() !== "") return truncate(value.trim().replace(/\s+/g, " "));
	}
	const lines = splitLines(body);
	const inCode = codeLineFlags(lines);
	const paragraph: string[] = [];
	for (const [index, line] of lines.entries()) {
		const text = line.text.trim();
		if (inCode[index] || text === "" || /^(#{1,6} |>|\||---|\*\*\*|!\[)/.test(text)) {
			if (paragraph.length > 0) break;
			continue;
		}
		paragraph.push(text.replace(/^([-*+]|\d+[.)]) +/, ""));
	}
	return truncate(plainText(paragraph.join(" ")));
}

/** Markdown → plain text for the summary: links become their text (so the summary holds no links), no markers. */
export function plainText(markdown: string): string {
	return markdown
		.replace(/!?\[\[([^\]|\n]*?)(?:\|([^\]\n]*))?\]\]/g, (_all, target: string, alias?: string) => alias ?? target.replace(/#.*$/, ""))
		.replace(/!?\[([^\]\n]*)\]\([^)\n]*\)/g, "$1")
		.replace(/`([^`]*)`/g, "$1")
		.replace(/(\*\*|__|\*|~~|==)/g, "")
		.replace(/\s+/g, " ")
		.trim();
}

function truncate(text: string): string {
	const chars = [...text];
	return chars.length <= SUMMARY_MAX_CHARS ? text : `${chars.slice(0, SUMMARY_MAX_CHARS - 1).join("")}…`;
}
