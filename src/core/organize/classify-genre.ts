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

export const ClassificationSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.object({
		genre: z.string(),
		topic: z.optional(z.string()),
		/** 0..1 */
		confidence: z.number().check(z.gte(0), z.lte(1)),
		/** True when the confidence is below the threshold: the note goes to the review folder. */
		review: z.boolean(),
		/** Why, in a few words (for the plan). */
		reason: z.string(),
	}),
);
export type Classification = z.infer<ReturnType<typeof ClassificationSchema>>;

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
	| { kind: "word"; keyword: string; folded: string; run: number }
	| { kind: "words"; keyword: string; folded: string; run: number }
	| { kind: "other"; keyword: string; folded: string; count: (text: string) => number }
	| { kind: "substring"; keyword: string; folded: string };

interface PreparedGenre {
	genre: Genre;
	keywords: PreparedKeyword[];
}

interface PreparedTable {
	genres: PreparedGenre[];
	/**
	 * The ASCII word runs a Scanned text must find, by number: every "word" keyword and the first run of every "words"
	 * one (a run: a longest stretch of [a-z0-9]).
	 */
	runs: readonly string[];
	/** Each run's number. */
	runNumbers: ReadonlyMap<string, number>;
	/**
	 * The runs as one pattern (a trie of them between word boundaries: a stretch of [a-z0-9] that is one of them whole),
	 * four times (null when the table has none; see runPatterns for their order): for a text as it is (raw: A–Z read as
	 * a–z) or a folded one; bounded by look-arounds (any text) or by `\b` (a text without "_": the same matches, since
	 * `\b` parts [A-Za-z0-9_] from the rest, the runs' bounds part [a-z0-9] from the rest, and only "_" is on different
	 * sides; the engine then skips to where a run can begin, where the look-behind is tried at every character: ~40%
	 * less time in the pattern). The regular expression engine walks the text in native code and stops only at the runs
	 * wanted (a note holds a few), where a loop over every character in JavaScript ran interpreted for the first notes
	 * of a run and cost about a third of a 10,000-note preview's classification (issue 20).
	 */
	patterns: readonly RegExp[] | null;
	/**
	 * Which keywords can be found where a run is: for each run, the "word" and "words" keywords it begins, as indexes
	 * into the flat list of keywords (genre by genre, in table order). A note's candidates are the keywords of the runs
	 * it holds: the other ASCII-word keywords count 0 in it, and are not looked at (most notes hold a few of the
	 * table's ~250 keywords; counting every keyword twice per note was most of the classifier's time).
	 */
	byRun: readonly (readonly number[])[];
	/** The flat indexes of the "other" keywords (looked at in every note) and of the "substring" ones (non-ASCII text). */
	always: readonly number[];
	substrings: readonly number[];
	/** Each genre's first flat index (its keywords follow in order), and one past the last for the end. */
	offsets: readonly number[];
	/** A tag part (folded) → the genres (indexes into `genres`, ascending) whose key or a keyword it equals. */
	tagGenres: ReadonlyMap<string, readonly number[]>;
	/** One mark per flat keyword, all 0 between two calls (candidateKeywords' set of indexes). */
	marks: Uint8Array;
}

const ASCII_WORD = /^[a-z0-9]+$/;
const preparedTables = new WeakMap<readonly Genre[], PreparedTable>();

/** A non-ASCII character (a UTF-16 code unit above 0x7f) (a text holding one is folded by NFKC before it is scanned). */
const NON_ASCII = /[\u0080-\uffff]/;

/**
 * The source of a pattern that matches exactly the given words (lower-case [a-z0-9]+, at least one), as a trie: one
 * branch per first character, and so on, so the engine tries a few characters at each word rather than every word.
 */
function trieSource(words: readonly string[]): string {
	interface Node {
		end: boolean;
		next: Map<string, Node>;
	}
	const root: Node = { end: false, next: new Map() };
	for (const word of words) {
		let node = root;
		for (const char of word) {
			let child = node.next.get(char);
			if (!child) node.next.set(char, (child = { end: false, next: new Map() }));
			node = child;
		}
		node.end = true;
	}
	const emit = (node: Node): string => {
		const branches = [...node.next.keys()].sort().map((char) => char + emit(node.next.get(char)!));
		if (branches.length === 0) return "";
		const group = branches.length === 1 && !node.end ? branches[0]! : `(?:${branches.join("|")})`;
		return node.end ? `${group}?` : group;
	};
	return emit(root);
}

/**
 * The four patterns of a trie's runs (trieSource), in PreparedTable.patterns' order: 0 raw and 1 folded between
 * look-arounds, 2 raw and 3 folded between `\b`s (numbers, not named constants: the plugin's bundle keeps a name).
 */
function runPatterns(trie: string): RegExp[] {
	return [0, 1, 2, 3].map((index) => new RegExp(index > 1 ? `\\b${trie}\\b` : `(?<![a-z0-9])${trie}(?![a-z0-9])`, index % 2 ? "g" : "gi"));
}

/** The table's keywords folded and sorted by how to count them, once per table (not once per note). */
// Long on purpose: one pass over the table builds every index the per-note code reads; they share the run numbers.
function prepareTable(genres: readonly Genre[]): PreparedTable {
	const cached = preparedTables.get(genres);
	if (cached) return cached;
	const runs: string[] = [];
	const runNumbers = new Map<string, number>();
	const runOf = (run: string): number => {
		let number = runNumbers.get(run);
		if (number === undefined) {
			number = runs.length;
			runs.push(run);
			runNumbers.set(run, number);
		}
		return number;
	};
	const prepared: PreparedGenre[] = [];
	const tagGenres = new Map<string, number[]>();
	for (const genre of genres) {
		if (genre.key === OTHER_GENRE_KEY) continue;
		const keywords: PreparedKeyword[] = genre.keywords.map((keyword) => {
			const folded = foldText(keyword.trim());
			if (!isAscii(folded)) return { kind: "substring", keyword, folded };
			if (ASCII_WORD.test(folded)) return { kind: "word", keyword, folded, run: runOf(folded) };
			// Starts and ends with a letter or digit: every match begins at the start of a word run equal to its first run.
			const first = /^[a-z0-9]+/.exec(folded)?.[0];
			if (first !== undefined && /[a-z0-9]$/.test(folded)) return { kind: "words", keyword, folded, run: runOf(first) };
			return { kind: "other", keyword, folded, count: keywordCounter(keyword) };
		});
		const index = prepared.length;
		prepared.push({ genre, keywords });
		for (const word of new Set([genre.key, ...genre.keywords].map((entry) => foldText(entry)))) {
			const list = tagGenres.get(word);
			if (list) list.push(index);
			else tagGenres.set(word, [index]);
		}
	}
	const byRun: number[][] = runs.map(() => []);
	const always: number[] = [];
	const substrings: number[] = [];
	const offsets: number[] = [];
	let flat = 0;
	for (const { keywords } of prepared) {
		offsets.push(flat);
		for (const keyword of keywords) {
			if (keyword.kind === "word" || keyword.kind === "words") byRun[keyword.run]!.push(flat);
			else if (keyword.kind === "other") always.push(flat);
			else substrings.push(flat);
			flat++;
		}
	}
	offsets.push(flat);
	const table: PreparedTable = {
		genres: prepared,
		runs,
		runNumbers,
		// One trie for the four (a recursive walk over ~250 words: run four times per table, the optimizing compiler
		// picked it up and compiled it for nothing).
		patterns: runs.length === 0 ? null : runPatterns(trieSource(runs)),
		byRun,
		always,
		substrings,
		offsets,
		tagGenres,
		marks: new Uint8Array(flat),
	};
	preparedTables.set(genres, table);
	return table;
}

/**
 * A text as the classifier reads it: folded (foldText) and where each wanted run of the table starts in it. An ASCII
 * text is not copied in lower case: scan reads A–Z as a–z (all that toLowerCase changes in ASCII), and the folded
 * copy is made only for a keyword that needs it (an "other" one).
 */
interface Scanned {
	/** The text as given (`raw`: ASCII, maybe with capitals) or folded already. */
	text: string;
	/** `text` may hold capitals A–Z (an ASCII text read as is). */
	raw: boolean;
	ascii: boolean;
	/** The runs found, in text order: each one's number (PreparedTable.runs) and where it starts. */
	found: number[];
	at: number[];
}

/** `code` as toLowerCase leaves it, for ASCII: A–Z to a–z. */
function lowerAscii(code: number): number {
	return code >= 65 && code <= 90 ? code | 32 : code;
}

function isWordChar(code: number): boolean {
	return (code >= 97 && code <= 122) || (code >= 48 && code <= 57);
}

/** The text folded (foldText): scanned as it is when it is ASCII (no copy), else NFKC and lower case first. */
function scanText(text: string, table: PreparedTable): Scanned {
	return scan(text, true, table) ?? (scan(foldText(text), false, table) as Scanned);
}

/**
 * Finds the table's runs in `text`; with `raw`, reads capitals as lower case and gives up (null) when the text holds
 * a non-ASCII character (such a text is folded by NFKC first). Only the runs of the table make a string.
 */
function scan(text: string, raw: boolean, table: PreparedTable): Scanned | null {
	const ascii = !NON_ASCII.test(text);
	if (raw && !ascii) return null;
	const scanned: Scanned = { text, raw, ascii, found: [], at: [] };
	// runPatterns' order: raw or folded, then bounded by `\b` when the text holds no "_".
	const pattern = table.patterns?.[(raw ? 0 : 1) + (text.includes("_") ? 0 : 2)];
	if (pattern === undefined) return scanned;
	pattern.lastIndex = 0;
	for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
		scanned.found.push(table.runNumbers.get(raw ? match[0].toLowerCase() : match[0])!);
		scanned.at.push(match.index);
	}
	return scanned;
}

/** Whether `text` at `from`, read with A–Z as a–z, starts with `folded` (ASCII, lower case). */
function matchesFolded(text: string, from: number, folded: string): boolean {
	if (from + folded.length > text.length) return false;
	for (let index = 0; index < folded.length; index++) {
		if (lowerAscii(text.charCodeAt(from + index)) !== folded.charCodeAt(index)) return false;
	}
	return true;
}

/** The folded text of a Scanned one (made here for a raw ASCII text: its lower case). */
function foldedOf(scanned: Scanned): string {
	if (scanned.raw) {
		scanned.text = scanned.text.toLowerCase();
		scanned.raw = false;
	}
	return scanned.text;
}

/** keywordCounter's count, from a Scanned text: one pass over the text for all keywords instead of one per keyword. */
function countIn(keyword: PreparedKeyword, scanned: Scanned): number {
	switch (keyword.kind) {
		case "word": {
			let count = 0;
			const found = scanned.found;
			for (let index = 0; index < found.length; index++) if (found[index] === keyword.run) count++;
			return count;
		}
		case "words": {
			const { text, raw, found, at: starts } = scanned;
			const length = keyword.folded.length;
			let count = 0;
			let end = 0;
			for (let index = 0; index < found.length; index++) {
				if (found[index] !== keyword.run) continue;
				const at = starts[index]!;
				if (at < end || !(raw ? matchesFolded(text, at, keyword.folded) : text.startsWith(keyword.folded, at))) continue;
				const after = at + length;
				if (after < text.length && isWordChar(raw ? lowerAscii(text.charCodeAt(after)) : text.charCodeAt(after))) continue;
				count++;
				end = after;
			}
			return count;
		}
		case "other": {
			const text = foldedOf(scanned);
			return keyword.folded === "" || !text.includes(keyword.folded) ? 0 : keyword.count(text);
		}
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

/**
 * Each genre's tag hits (`tag #a/b`, in the tags' order), by genre index; null when no tag names a genre. A tag counts
 * for a genre once when any of its parts (split at "/") equals the genre's key or one of its keywords, folded.
 */
function tagHits(tags: readonly string[], table: PreparedTable): (string[] | undefined)[] | null {
	let out: (string[] | undefined)[] | null = null;
	for (let t = 0; t < tags.length; t++) {
		const tag = tags[t]!;
		const folded = foldText(tag.charCodeAt(0) === 35 ? tag.slice(1) : tag);
		// A tag without "/" is one part: looked up without an array (most tags name no genre).
		if (!folded.includes("/") && !table.tagGenres.has(folded)) continue;
		const parts = folded.split("/");
		let matched: number[] | null = null;
		for (let p = 0; p < parts.length; p++) {
			const genres = table.tagGenres.get(parts[p]!);
			if (genres) (matched ??= []).push(...genres);
		}
		if (matched === null) continue;
		const hit = `tag #${parts.join("/")}`;
		matched.sort((a, b) => a - b);
		for (let index = 0; index < matched.length; index++) {
			const genre = matched[index]!;
			if (index > 0 && matched[index - 1] === genre) continue;
			out ??= [];
			(out[genre] ??= []).push(hit);
		}
	}
	return out;
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
	const title = scanText(input.title, table);
	const body = scanText(withoutLinkPaths(input.body), table);
	const tagged = input.tags.length > 0 ? tagHits(input.tags, table) : null;
	const candidates = candidateKeywords(table, title, body);
	let scores: { key: string; score: number; hits: string[] }[] | null = null;
	let next = 0;
	for (let g = 0; g < table.genres.length; g++) {
		const fromTags = tagged?.[g];
		// This genre's candidates (in keyword order: the hits' order), as counting every keyword would find them.
		const end = table.offsets[g + 1]!;
		if (fromTags === undefined && (next >= candidates.length || candidates[next]! >= end)) continue;
		const { genre, keywords } = table.genres[g]!;
		const hits = fromTags ?? [];
		let score = hits.length * TAG_WEIGHT;
		const offset = table.offsets[g]!;
		for (; next < candidates.length && candidates[next]! < end; next++) {
			const keyword = keywords[candidates[next]! - offset]!;
			const inTitle = countIn(keyword, title);
			const inBody = Math.min(countIn(keyword, body), BODY_HIT_CAP);
			if (inTitle + inBody > 0) {
				score += inTitle * TITLE_WEIGHT + inBody;
				hits.push(keyword.keyword);
			}
		}
		if (score > 0) (scores ??= []).push({ key: genre.key, score, hits });
	}
	if (scores === null) {
		return { genre: OTHER_GENRE_KEY, topic, confidence: 0, review: false, reason: "no genre keyword or tag found" };
	}
	if (scores.length > 1) scores.sort((a, b) => b.score - a.score || a.key.localeCompare(b.key));
	const best = scores[0]!;
	let total = 0;
	for (let index = 0; index < scores.length; index++) total += scores[index]!.score;
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
	const { marks } = table;
	const out: number[] = [];
	addCandidates(table.always, marks, out);
	addFound(table, title, out);
	addFound(table, body, out);
	for (let index = 0; index < out.length; index++) marks[out[index]!] = 0;
	return sortAscending(out);
}

/**
 * Sorts a few distinct numbers in place, ascending (an insertion sort: a note has a few candidates, and
 * Array#sort with a comparator allocated its work arrays for each note).
 */
function sortAscending(numbers: number[]): number[] {
	for (let index = 1; index < numbers.length; index++) {
		const value = numbers[index]!;
		let at = index - 1;
		for (; at >= 0 && numbers[at]! > value; at--) numbers[at + 1] = numbers[at]!;
		numbers[at + 1] = value;
	}
	return numbers;
}

/** The candidates of one Scanned text: the keywords its runs begin, and the non-ASCII ones if it is not ASCII. */
function addFound(table: PreparedTable, scanned: Scanned, out: number[]): void {
	const found = scanned.found;
	for (let index = 0; index < found.length; index++) addCandidates(table.byRun[found[index]!]!, table.marks, out);
	if (!scanned.ascii) addCandidates(table.substrings, table.marks, out);
}

/** Adds the indexes not marked yet to `out`, marking them. */
function addCandidates(indexes: readonly number[], marks: Uint8Array, out: number[]): void {
	for (let index = 0; index < indexes.length; index++) {
		const flat = indexes[index]!;
		if (marks[flat] === 0) {
			marks[flat] = 1;
			out.push(flat);
		}
	}
}

/**
 * Links reduced to what a reader sees (alias, or the target's name without folders), so that classification does
 * not depend on where linked notes live (an organize run moves them into genre folders).
 */
export function withoutLinkPaths(body: string): string {
	// A pass whose pattern needs what the text does not hold is not run (most notes have no link). Each pass reads the
	// text with indexOf and joins the pieces between links, as the two replaces below would (kept as the reference in
	// fast-paths.test.ts); a replace with a callback cost ~1 µs and two copies of the body per note (issue 20):
	//   body.replace(/\[\[([^\]|\n]*?)(?:\|([^\]\n]*))?\]\]/g, (_all, target, alias) => alias ?? linkName(target))
	//       .replace(/\]\([^)\n]*\)/g, "]")
	const text = body.includes("[[") ? withoutWikilinkPaths(body) : body;
	return text.includes("](") ? withoutMarkdownLinkTargets(text) : text;
}

/** The first index at or after `from` of a character that ends a link's part (`]`, `\n`, or `|` when `bar`), or -1. */
function partEnd(text: string, from: number, bar: boolean): number {
	for (let index = from; index < text.length; index++) {
		const code = text.charCodeAt(index);
		if (code === 93 || code === 10 || (bar && code === 124)) return index;
	}
	return -1;
}

/**
 * Every `[[target]]` as linkName(target) and every `[[target|alias]]` as its alias (target: up to the first `]`, `|`
 * or line feed; alias: up to the first `]` or line feed; either then needs `]]`). Where a `[[` starts no link, the
 * next one is looked for from the character after it (a `[[[` may start one there), as the regular expression does.
 */
function withoutWikilinkPaths(text: string): string {
	let out = "";
	let done = 0;
	for (let at = text.indexOf("[["); at !== -1;) {
		const end = partEnd(text, at + 2, true);
		if (end === -1) break;
		let replacement: string | null = null;
		let after = -1;
		if (text.charCodeAt(end) === 124) {
			const aliasEnd = partEnd(text, end + 1, false);
			if (aliasEnd !== -1 && text.charCodeAt(aliasEnd) === 93 && text.charCodeAt(aliasEnd + 1) === 93) {
				replacement = text.slice(end + 1, aliasEnd);
				after = aliasEnd + 2;
			}
		} else if (text.charCodeAt(end) === 93 && text.charCodeAt(end + 1) === 93) {
			replacement = linkName(text.slice(at + 2, end));
			after = end + 2;
		}
		if (replacement === null) {
			at = text.indexOf("[[", at + 1);
			continue;
		}
		out += text.slice(done, at) + replacement;
		done = after;
		at = text.indexOf("[[", after);
	}
	return done === 0 ? text : out + text.slice(done);
}

/** Every `](target)` as `]` (target: no `)` or line feed). */
function withoutMarkdownLinkTargets(text: string): string {
	let out = "";
	let done = 0;
	for (let at = text.indexOf("]("); at !== -1;) {
		let end = at + 2;
		for (; end < text.length; end++) {
			const code = text.charCodeAt(end);
			if (code === 41 || code === 10) break;
		}
		if (end === text.length || text.charCodeAt(end) === 10) {
			at = text.indexOf("](", at + 1);
			continue;
		}
		out += text.slice(done, at + 1);
		done = end + 1;
		at = text.indexOf("](", done);
	}
	return done === 0 ? text : out + text.slice(done);
}

/** A link target as a reader sees it: without its heading (`#…`) and folders. Most targets hold neither. */
function linkName(target: string): string {
	return target.includes("#") || target.includes("/") ? target.replace(/#.*$/, "").replace(/^.*\//, "") : target;
}

function isAscii(text: string): boolean {
	for (let index = 0; index < text.length; index++) if (text.charCodeAt(index) > 0x7f) return false;
	return true;
}

function round2(value: number): number {
	return Math.round(value * 100) / 100;
}
