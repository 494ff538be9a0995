import { computeFileId } from "../import/transform/file-id";
import type { FrontmatterChange } from "./frontmatter/frontmatter-change";
import { codeLineFlags, splitLines } from "./markdown-regions";
import { stemOf, stripDatePrefix } from "./normalize-file-name";

/** Jekyll/Hugo leftovers that mean nothing in a vault. */
export const LEFTOVER_KEYS = ["draft", "private", "slug", "lastmod", "layout", "permalink"] as const;

const SUMMARY_MAX_CHARS = 200;

/**
 * The normalisation rules, each one switchable: organize applies all of them to notes that came from an import,
 * and to the user's own notes only the ones the user turned on (none by default: organize then only files them).
 */
export const NORMALIZE_RULES = [
	"title",
	"created",
	"tags",
	"summary",
	"file_id",
	"genre",
	"leftovers",
	"normalized",
	"whitespace",
] as const;
export type NormalizeRule = (typeof NORMALIZE_RULES)[number];

/** What each rule does, for the plan and the settings. */
export const NORMALIZE_RULE_TEXT: Record<NormalizeRule, string> = {
	title: "add `title` (first heading, else the file name)",
	created: "add `created` (a `date` key or a date in the file name, else the file's creation time; never the run's time)",
	tags: "make `tags` a list",
	summary: "add `summary` (a description key, else the first paragraph)",
	file_id: "add `file_id`",
	genre: "set `genre` and `topic`",
	leftovers: "remove Jekyll/Hugo leftovers (draft, slug, layout…)",
	normalized: "mark the note `normalized: true`",
	whitespace: "clean whitespace in the body (trailing spaces, extra blank lines, final newline)",
};

/** The user's own rule list from settings or flags: the known names, in the standard order. */
export function parseNormalizeRules(names: readonly string[]): NormalizeRule[] {
	const wanted = new Set(names.map((n) => n.trim().toLowerCase()).filter((n) => n !== ""));
	if (wanted.has("all")) return [...NORMALIZE_RULES];
	const unknown = [...wanted].filter((n) => !(NORMALIZE_RULES as readonly string[]).includes(n));
	if (unknown.length > 0)
		throw new Error(
			`Unknown normalisation rule ${unknown.map((n) => `"${n}"`).join(", ")}: the rules are ${NORMALIZE_RULES.join(", ")} (or all)`,
		);
	return NORMALIZE_RULES.filter((r) => wanted.has(r));
}

export interface NormalizeFrontmatterInput {
	frontmatter: Record<string, unknown>;
	body: string;
	/** The note's current vault path (for the title fallback, the date prefix and a new file_id). */
	path: string;
	genre: string;
	topic?: string;
	/**
	 * `created` when nothing else gives a date: YYYY-MM-DD, the file's creation day where the platform knows it.
	 * Absent: no `created` is added from the file (never the run's own date).
	 */
	fallbackDate?: string;
	/** The rules to apply (absent: all of them). */
	rules?: readonly NormalizeRule[];
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
export function normalizeFrontmatter(input: NormalizeFrontmatterInput): NormalizedFrontmatter & { createdFromFile?: boolean } {
	const fm = input.frontmatter;
	// No rule on (the user's own notes by default) and no extra key: nothing changes, and only a title is asked for.
	if (input.rules?.length === 0 && input.extra === undefined) return new NoChanges(input);
	const wanted = new Map<string, unknown>();
	const on = (rule: NormalizeRule): boolean => input.rules === undefined || input.rules.includes(rule);

	const existingTitle = typeof fm.title === "string" && fm.title.trim() !== "" ? fm.title : undefined;
	// Derived from the body only when asked for: with the title rule off (the user's own notes by default) organize
	// keeps the file name and never reads it.
	let derivedTitle: string | undefined;
	const titleOf = (): string => existingTitle ?? (derivedTitle ??= deriveTitle(input.body, input.path));
	if (!existingTitle && on("title")) wanted.set("title", titleOf());

	let createdFromFile = false;
	if (!hasValue(fm.created) && on("created")) {
		const fromNote = deriveCreated(fm, input.path);
		if (fromNote !== undefined) wanted.set("created", fromNote);
		else if (input.fallbackDate !== undefined) {
			wanted.set("created", input.fallbackDate);
			createdFromFile = true;
		}
	}

	const tags = normalizeTags(fm.tags);
	if ((!Array.isArray(fm.tags) || fm.tags.some((tag) => typeof tag !== "string")) && on("tags")) wanted.set("tags", tags);

	if (typeof fm.summary !== "string" && on("summary")) wanted.set("summary", deriveSummary(fm, input.body));

	if (!hasValue(fm.file_id) && on("file_id")) wanted.set("file_id", computeFileId(input.body, input.path));

	if (on("genre")) {
		if (fm.genre !== input.genre) wanted.set("genre", input.genre);
		const topic = input.topic ?? (typeof fm.topic === "string" ? fm.topic : "");
		if (fm.topic !== topic) wanted.set("topic", topic);
	}

	for (const [key, value] of Object.entries(input.extra ?? {})) {
		if (!sameValue(fm[key], value)) wanted.set(key, value);
	}
	if (fm.normalized !== true && on("normalized")) wanted.set("normalized", true);

	const changes: FrontmatterChange[] = [];
	for (const key of Object.keys(fm)) {
		if ((LEFTOVER_KEYS as readonly string[]).includes(key) && on("leftovers")) {
			changes.push({ key, kind: "remove", before: fm[key] });
		} else if (wanted.has(key)) {
			changes.push({ key, kind: "update", before: fm[key], after: wanted.get(key) });
			wanted.delete(key);
		}
	}
	for (const [key, after] of wanted)
		changes.push({ key, kind: "add", after, ...(key === "created" && createdFromFile ? { note: "from the file's creation time" } : {}) });
	return new Normalized(changes, titleOf, createdFromFile);
}

/** normalizeFrontmatter's answer: a class, so that `title`'s getter is its prototype's (see NoChanges). */
class Normalized implements NormalizedFrontmatter {
	/** Present (true) only when `created` was taken from the file's creation time. */
	declare readonly createdFromFile?: boolean;

	constructor(
		readonly changes: FrontmatterChange[],
		private readonly titleOf: () => string,
		createdFromFile: boolean,
	) {
		if (createdFromFile) this.createdFromFile = true;
	}

	get title(): string {
		return this.titleOf();
	}
}

/**
 * normalizeFrontmatter's answer when no rule is on: no change, and the title derived only if asked for. A class, so
 * that the getter is its prototype's (an object literal with a getter makes a new accessor per note).
 */
class NoChanges implements NormalizedFrontmatter {
	readonly changes: FrontmatterChange[] = [];
	private derived: string | undefined;

	constructor(private readonly input: NormalizeFrontmatterInput) {}

	get title(): string {
		const fm = this.input.frontmatter;
		return (this.derived ??=
			typeof fm.title === "string" && fm.title.trim() !== "" ? fm.title : deriveTitle(this.input.body, this.input.path));
	}
}

/**
 * Whether normalizeFrontmatter would take `created` from `fallbackDate` (the file's creation day): the rule is on,
 * the note has no `created`, and neither a `date` key nor the file name gives one. Only then is the file's stat needed.
 */
export function wantsFallbackDate(fm: Record<string, unknown>, path: string, rules?: readonly NormalizeRule[]): boolean {
	return (rules === undefined || rules.includes("created")) && !hasValue(fm.created) && deriveCreated(fm, path) === undefined;
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

/** `created`: a Jekyll `date`, else the file name's date prefix, else the fallback day (if any). */
export function deriveCreated(fm: Record<string, unknown>, path: string, fallbackDate?: string): string | undefined {
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
