import * as z from "zod";
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
	topic: z.string().optional(),
	/** 0..1 */
	confidence: z.number().min(0).max(1),
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
	return text.normalize("NFKC").toLowerCase();
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

/** Rule-based classification by tags, title and body keywords. Deterministic; works for Japanese and English. */
export function classifyByKeywords(input: ClassifyInput, genres: readonly Genre[], options: KeywordClassifierOptions = {}): Classification {
	const threshold = options.reviewThreshold ?? 0.5;
	const topic = input.topic?.trim() ? input.topic.trim() : undefined;
	const existing = input.genre ? genres.find((genre) => genre.key === foldText(input.genre!.trim())) : undefined;
	if (existing) {
		return { genre: existing.key, topic, confidence: 1, review: false, reason: "genre already set in the frontmatter" };
	}
	const title = foldText(input.title);
	const body = foldText(withoutLinkPaths(input.body));
	const tags = input.tags.map((tag) => foldText(tag.replace(/^#/, "")).split("/"));
	const scores: { key: string; score: number; hits: string[] }[] = [];
	for (const genre of genres) {
		if (genre.key === OTHER_GENRE_KEY) continue;
		let score = 0;
		const hits: string[] = [];
		const tagWords = [genre.key, ...genre.keywords].map((word) => foldText(word));
		for (const parts of tags) {
			if (parts.some((part) => tagWords.includes(part))) {
				score += TAG_WEIGHT;
				hits.push(`tag #${parts.join("/")}`);
			}
		}
		for (const keyword of genre.keywords) {
			const count = keywordCounter(keyword);
			const inTitle = count(title);
			const inBody = Math.min(count(body), BODY_HIT_CAP);
			if (inTitle + inBody > 0) {
				score += inTitle * TITLE_WEIGHT + inBody;
				hits.push(keyword);
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
 * Links reduced to what a reader sees (alias, or the target's name without folders), so that classification does
 * not depend on where linked notes live (an organize run moves them into genre folders).
 */
export function withoutLinkPaths(body: string): string {
	return body
		.replace(
			/\[\[([^\]|\n]*?)(?:\|([^\]\n]*))?\]\]/g,
			(_all, target: string, alias?: string) => alias ?? target.replace(/#.*$/, "").replace(/^.*\//, ""),
		)
		.replace(/\]\([^)\n]*\)/g, "]");
}

function isAscii(text: string): boolean {
	for (let index = 0; index < text.length; index++) if (text.charCodeAt(index) > 0x7f) return false;
	return true;
}

function round2(value: number): number {
	return Math.round(value * 100) / 100;
}
