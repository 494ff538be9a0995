import * as z from "../model/zod";
import { OTHER_GENRE_KEY, type Genre } from "./genres";

/** What a classifier sees of a note. */
export interface ClassifyInput {
	title: string;
	body: string;
	tags: readonly string[];
	/** The note's existing frontmatter `genre` and `topic`, if any (a valid existing genre wins). */
	genre?: string;
	topic?: string;
}

export const ClassificationSchema = z.object({
	genre: z.string(),
	topic: z.optional(z.string()),
	/** 0..1 */
	confidence: z.number().check(z.gte(0), z.lte(1)),
	/** True when the confidence is below the threshold: the note goes to the review folder. */
	review: z.boolean(),
	/** Why, in a few words (for the plan). */
	reason: z.string(),
});
export type Classification = z.infer<typeof ClassificationSchema>;

/** A classifier the organize plan can use: keywords (default) or an LLM. */
export type GenreClassifier = (input: ClassifyInput, genres: readonly Genre[]) => Promise<Classification>;

export interface KeywordClassifierOptions {
	/** Below this confidence a classified note goes to review (default 0.5). */
	reviewThreshold?: number;
}

const TAG_WEIGHT = 5;
const TITLE_WEIGHT = 3;
/** A keyword counts at most this many times in the body, so one repeated word does not decide alone. */
const BODY_HIT_CAP = 3;
/** Below this total evidence the best genre is a guess and goes to review. */
const MIN_EVIDENCE = 2;

/** Lower case, full-width letters folded (ＡＩ → ai), so keywords match in Japanese and English text alike. */
export function foldText(text: string): string {
	// NFKC leaves ASCII as it is: most notes skip the normalisation pass.
	return (isAscii(text) ? text : text.normalize("NFKC")).toLowerCase();
}

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}

const matcherCache = new Map<string, (text: string) => number>();

/**
 * Counts occurrences of a keyword in folded text. ASCII keywords match on word boundaries (so `ai` is not found
 * in `said`); keywords with any non-ASCII character (Japanese, accented words) match as substrings, because
 * CJK text has no spaces between words.
 */
export function keywordCounter(keyword: string): (text: string) => number {
	const folded = foldText(keyword.trim());
	const cached = matcherCache.get(folded);
	if (cached) return cached;
	let counter: (text: string) => number;
	if (isAscii(folded)) {
		const pattern = new RegExp(`(^|[^a-z0-9])${escapeRegExp(folded)}(?=$|[^a-z0-9])`, "g");
		counter = (text) => {
			pattern.lastIndex = 0;
			let count = 0;
			while (pattern.exec(text) !== null) count++;
			return count;
		};
	} else {
		counter = (text) => {
			let count = 0;
			let from = 0;
			for (;;) {
				const at = text.indexOf(folded, from);
				if (at === -1) return count;
				count++;
				from = at + folded.length;
			}
		};
	}
	matcherCache.set(folded, counter);
	return counter;
}

/** A keyword made ready to count: how it is found in a Scanned text (same counts as keywordCounter). */
type PreparedKeyword =
	| { kind: "word"; keyword: string; folded: string }
	| { kind: "words"; keyword: string; folded: string; first: string }
	| { kind: "other"; keyword: string; folded: string; count: (text: string) => number }
	| { kind: "substring"; keyword: string; folded: string };

interface PreparedGenre {
	genre: Genre;
	/** The genre's key and keywords, folded: a tag part equal to one of them counts. */
	tagWords: ReadonlySet<string>;
	keywords: PreparedKeyword[];
}

interface PreparedTable {
	genres: PreparedGenre[];
	/** The ASCII word runs a Scanned text must index: every "word" keyword and the first run of every "words" one. */
	runs: ReadonlySet<string>;
	/** The longest of them (a longer run is not looked up). */
	longest: number;
	/**
	 * Which keywords can be found where a run is: for each run of `runs`, the "word" and "words" keywords it begins, as
	 * indexes into the flat list of keywords (genre by genre, in table order). A note's candidates are the keywords of
	 * the runs it holds: the other ASCII-word keywords count 0 in it, and are not looked at (most notes hold a few of
	 * the table's ~250 keywords; counting every keyword twice per note was most of the classifier's time).
	 */
	byRun: ReadonlyMap<string, readonly number[]>;
	/** The flat indexes of the "other" keywords (looked at in every note) and of the "substring" ones (non-ASCII text). */
	always: readonly number[];
	substrings: readonly number[];
	/** Each genre's first flat index (its keywords follow in order), and one past the last for the end. */
	offsets: readonly number[];
	/**
	 * Which two leading characters a run of `runs` can start with (index: first code × 128 + second; a one-character
	 * run: second 0): scan slices a word only when it might be one of them.
	 */
	prefixes: Uint8Array;
}

const ASCII_WORD = /^[a-z0-9]+$/;
const preparedTables = new WeakMap<readonly Genre[], PreparedTable>();

/** The table's keywords folded and sorted by how to count them, once per table (not once per note). */
function prepareTable(genres: readonly Genre[]): PreparedTable {
	const cached = preparedTables.get(genres);
	if (cached) return cached;
	const runs = new Set<string>();
	const prepared: PreparedGenre[] = [];
	for (const genre of genres) {
		if (genre.key === OTHER_GENRE_KEY) continue;
		const keywords: PreparedKeyword[] = genre.keywords.map((keyword) => {
			const folded = foldText(keyword.trim());
			if (!isAscii(folded)) return { kind: "substring", keyword, folded };
			if (ASCII_WORD.test(folded)) {
				runs.add(folded);
				return { kind: "word", keyword, folded };
			}
			// Starts and ends with a letter or digit: every match begins at the start of a word run equal to its first run.
			const first = /^[a-z0-9]+/.exec(folded)?.[0];
			if (first !== undefined && /[a-z0-9]$/.test(folded)) {
				runs.add(first);
				return { kind: "words", keyword, folded, first };
			}
			return { kind: "other", keyword, folded, count: keywordCounter(keyword) };
		});
		prepared.push({ genre, tagWords: new Set([genre.key, ...genre.keywords].map((word) => foldText(word))), keywords });
	}
	const byRun = new Map<string, number[]>();
	const always: number[] = [];
	const substrings: number[] = [];
	const offsets: number[] = [];
	let flat = 0;
	for (const { keywords } of prepared) {
		offsets.push(flat);
		for (const keyword of keywords) {
			const run = keyword.kind === "word" ? keyword.folded : keyword.kind === "words" ? keyword.first : null;
			if (run !== null) {
				const list = byRun.get(run);
				if (list) list.push(flat);
				else byRun.set(run, [flat]);
			} else if (keyword.kind === "other") always.push(flat);
			else substrings.push(flat);
			flat++;
		}
	}
	offsets.push(flat);
	const prefixes = new Uint8Array(128 * 128);
	for (const run of runs) prefixes[prefixIndex(run.charCodeAt(0), run.length > 1 ? run.charCodeAt(1) : 0)] = 1;
	const table: PreparedTable = {
		genres: prepared,
		runs,
		longest: Math.max(0, ...[...runs].map((run) => run.length)),
		byRun,
		always,
		substrings,
		offsets,
		prefixes,
	};
	preparedTables.set(genres, table);
	return table;
}

/** Folded text, with where each wanted ASCII word run starts (a run: a longest stretch of [a-z0-9]). */
interface Scanned {
	text: string;
	ascii: boolean;
	runs: Map<string, number[]>;
}

function isWordChar(code: number): boolean {
	return (code >= 97 && code <= 122) || (code >= 48 && code <= 57);
}

/** A run's place in PreparedTable.prefixes (both codes are word characters, or the second 0: below 128). */
function prefixIndex(first: number, second: number): number {
	return first * 128 + second;
}

function scan(text: string, { runs: wanted, longest, prefixes }: PreparedTable): Scanned {
	const runs = new Map<string, number[]>();
	let ascii = true;
	let start = -1;
	for (let index = 0; index <= text.length; index++) {
		const code = index < text.length ? text.charCodeAt(index) : 32;
		if (code > 0x7f) ascii = false;
		if (isWordChar(code)) {
			if (start < 0) start = index;
			continue;
		}
		// Sliced only when a wanted run can begin so (no string made for most words of a note).
		if (
			start >= 0 &&
			index - start <= longest &&
			prefixes[prefixIndex(text.charCodeAt(start), index - start > 1 ? text.charCodeAt(start + 1) : 0)] === 1
		) {
			const run = text.slice(start, index);
			if (wanted.has(run)) {
				const at = runs.get(run);
				if (at) at.push(start);
				else runs.set(run, [start]);
			}
		}
		start = -1;
	}
	return { text, ascii, runs };
}

/** keywordCounter's count, from a Scanned text: one pass over the text for all keywords instead of one per keyword. */
function countIn(keyword: PreparedKeyword, scanned: Scanned): number {
	switch (keyword.kind) {
		case "word":
			return scanned.runs.get(keyword.folded)?.length ?? 0;
		case "words": {
			const { text } = scanned;
			const length = keyword.folded.length;
			let count = 0;
			let end = 0;
			for (const at of scanned.runs.get(keyword.first) ?? []) {
				if (at < end || !text.startsWith(keyword.folded, at)) continue;
				const after = at + length;
				if (after < text.length && isWordChar(text.charCodeAt(after))) continue;
				count++;
				end = after;
			}
			return count;
		}
		case "other":
			return keyword.folded === "" || !scanned.text.includes(keyword.folded) ? 0 : keyword.count(scanned.text);
		case "substring":
			return scanned.ascii ? 0 : countSubstring(scanned.text, keyword.folded);
	}
}

function countSubstring(text: string, folded: string): number {
	let count = 0;
	let from = 0;
	for (;;) {
		const at = text.indexOf(folded, from);
		if (at === -1) return count;
		count++;
		from = at + folded.length;
	}
}

/** Rule-based classification by tags, title and body keywords. Deterministic; works for Japanese and English. */
export function classifyByKeywords(input: ClassifyInput, genres: readonly Genre[], options: KeywordClassifierOptions = {}): Classification {
	const threshold = options.reviewThreshold ?? 0.5;
	const topic = input.topic?.trim() ? input.topic.trim() : undefined;
	const existing = input.genre ? genres.find((genre) => genre.key === foldText(input.genre!.trim())) : undefined;
	if (existing) {
		return { genre: existing.key, topic, confidence: 1, review: false, reason: "genre already set in the frontmatter" };
	}
	const table = prepareTable(genres);
	const title = scan(foldText(input.title), table);
	const body = scan(foldText(withoutLinkPaths(input.body)), table);
	const tags = input.tags.map((tag) => foldText(tag.replace(/^#/, "")).split("/"));
	const candidates = candidateKeywords(table, title, body);
	const scores: { key: string; score: number; hits: string[] }[] = [];
	let next = 0;
	for (let g = 0; g < table.genres.length; g++) {
		const { genre, tagWords, keywords } = table.genres[g]!;
		let score = 0;
		const hits: string[] = [];
		for (const parts of tags) {
			if (parts.some((part) => tagWords.has(part))) {
				score += TAG_WEIGHT;
				hits.push(`tag #${parts.join("/")}`);
			}
		}
		// This genre's candidates, in keyword order (the hits' order), as counting every keyword would find them.
		const offset = table.offsets[g]!;
		const end = table.offsets[g + 1]!;
		for (; next < candidates.length && candidates[next]! < end; next++) {
			const keyword = keywords[candidates[next]! - offset]!;
			const inTitle = countIn(keyword, title);
			const inBody = Math.min(countIn(keyword, body), BODY_HIT_CAP);
			if (inTitle + inBody > 0) {
				score += inTitle * TITLE_WEIGHT + inBody;
				hits.push(keyword.keyword);
			}
		}
		if (score > 0) scores.push({ key: genre.key, score, hits });
	}
	if (scores.length === 0) {
		return { genre: OTHER_GENRE_KEY, topic, confidence: 0, review: false, reason: "no genre keyword or tag found" };
	}
	scores.sort((a, b) => b.score - a.score || a.key.localeCompare(b.key));
	const best = scores[0]!;
	const total = scores.reduce((sum, entry) => sum + entry.score, 0);
	const share = best.score / total;
	const confidence = round2(best.score < MIN_EVIDENCE ? share * 0.5 : share);
	const reason = `keywords: ${best.hits.slice(0, 5).join(", ")}`;
	return { genre: best.key, topic, confidence, review: confidence < threshold, reason };
}

/**
 * The flat indexes (ascending, each once) of the keywords that can count more than 0 in the title or the body: those
 * begun by a run either holds, the "other" ones, and the non-ASCII ones when either text is not ASCII.
 */
function candidateKeywords(table: PreparedTable, title: Scanned, body: Scanned): number[] {
	const out: number[] = [...table.always];
	for (const scanned of [title, body]) {
		for (const run of scanned.runs.keys()) out.push(...table.byRun.get(run)!);
		if (!scanned.ascii) out.push(...table.substrings);
	}
	out.sort((a, b) => a - b);
	let kept = 0;
	for (let index = 0; index < out.length; index++) if (index === 0 || out[index] !== out[kept - 1]) out[kept++] = out[index]!;
	out.length = kept;
	return out;
}

/**
 * Links reduced to what a reader sees (alias, or the target's name without folders), so that classification does
 * not depend on where linked notes live (an organize run moves them into genre folders).
 */
export function withoutLinkPaths(body: string): string {
	// A pass whose pattern needs what the text does not hold is not run (most notes have no link).
	const text = body.includes("[[")
		? body.replace(
				/\[\[([^\]|\n]*?)(?:\|([^\]\n]*))?\]\]/g,
				(_all, target: string, alias?: string) => alias ?? target.replace(/#.*$/, "").replace(/^.*\//, ""),
			)
		: body;
	return text.includes("](") ? text.replace(/\]\([^)\n]*\)/g, "]") : text;
}

function isAscii(text: string): boolean {
	for (let index = 0; index < text.length; index++) if (text.charCodeAt(index) > 0x7f) return false;
	return true;
}

function round2(value: number): number {
	return Math.round(value * 100) / 100;
}
