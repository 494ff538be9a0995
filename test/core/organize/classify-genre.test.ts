import { describe, expect, it } from "vitest";
import {
	classifyByKeywords,
	foldText,
	keywordCounter,
	withoutLinkPaths,
	type ClassifyInput,
} from "../../../src/core/organize/classify-genre";
import { parseClassificationReply, llmClassifier } from "../../../src/core/organize/classify-genre-llm";
import { DEFAULT_GENRES, GenreTableSchema, type Genre } from "../../../src/core/organize/genres";
import { seededRandom } from "../../support/seeded-random";

describe("DEFAULT_GENRES", () => {
	it("is a valid table with other", () => {
		expect(GenreTableSchema().safeParse(DEFAULT_GENRES).success).toBe(true);
		expect(DEFAULT_GENRES.map((genre) => genre.key)).toContain("other");
	});
});

describe("keywordCounter", () => {
	it.each([
		["ai", "what ai can do, AI!", 2],
		["ai", "she said it rains", 0],
		["ai", "ＡＩの使い方", 1],
		["ci/cd", "our ci/cd pipeline", 1],
		["旅行", "京都旅行と大阪旅行", 2],
		["machine learning", "Machine Learning basics", 1],
	])("%s in %s", (keyword, text, count) => {
		expect(keywordCounter(keyword)(text.normalize("NFKC").toLowerCase())).toBe(count);
	});
});

describe("classifyByKeywords", () => {
	it.each([
		["English travel", { title: "Trip to Kyoto", body: "Booked a hotel and a flight for the trip.", tags: [] }, "travel", false],
		["Japanese travel", { title: "京都旅行", body: "ホテルを予約して観光地を回る旅行の計画。", tags: [] }, "travel", false],
		["Japanese AI", { title: "生成AIの使い方", body: "プロンプトの書き方と機械学習の基礎。", tags: [] }, "ai", false],
		["tag decides", { title: "Notes", body: "misc", tags: ["#docker"] }, "devops", false],
		["nested tag", { title: "Notes", body: "", tags: ["life/travel"] }, "travel", false],
		["unknown", { title: "Untitled", body: "Nothing special here at all.", tags: [] }, "other", false],
		["existing genre wins", { title: "Trip", body: "hotel", tags: [], genre: "health" }, "health", false],
		["ambiguous goes to review", { title: "x", body: "hotel and docker", tags: [] }, "devops", true],
	])("%s", (_name, input, genre, review) => {
		const result = classifyByKeywords(input, DEFAULT_GENRES);
		expect(result.genre).toBe(genre);
		expect(result.review).toBe(review);
		expect(result.confidence).toBeGreaterThanOrEqual(0);
		expect(result.confidence).toBeLessThanOrEqual(1);
	});
});

/**
 * The scores as the classifier first computed them: every keyword counted by its own regex (keywordCounter) over
 * the folded title and body. classifyByKeywords counts from one pass over the text; it must find the same.
 */
function referenceScores(input: ClassifyInput, genres: readonly Genre[]): string {
	const title = input.title.normalize("NFKC").toLowerCase();
	const body = withoutLinkPaths(input.body).normalize("NFKC").toLowerCase();
	const tags = input.tags.map((tag) => foldText(tag.replace(/^#/, "")).split("/"));
	const scores: { key: string; score: number; hits: string[] }[] = [];
	for (const genre of genres) {
		if (genre.key === "other") continue;
		let score = 0;
		const hits: string[] = [];
		const tagWords = [genre.key, ...genre.keywords].map((word) => word.normalize("NFKC").toLowerCase());
		for (const parts of tags) {
			if (parts.some((part) => tagWords.includes(part))) {
				score += 5;
				hits.push(`tag #${parts.join("/")}`);
			}
		}
		for (const keyword of genre.keywords) {
			const count = keywordCounter(keyword);
			const inTitle = count(title);
			const inBody = Math.min(count(body), 3);
			if (inTitle + inBody > 0) {
				score += inTitle * 3 + inBody;
				hits.push(keyword);
			}
		}
		if (score > 0) scores.push({ key: genre.key, score, hits });
	}
	scores.sort((a, b) => b.score - a.score || a.key.localeCompare(b.key));
	const best = scores[0];
	return best ? `${best.key} keywords: ${best.hits.slice(0, 5).join(", ")}` : "other";
}

describe("classifyByKeywords counts as one regex per keyword would", () => {
	// Keywords of every kind: one ASCII word, several words, with punctuation at either end, CJK, full width.
	const keywords = [
		"ai",
		"a",
		"aa",
		"a a",
		"a-a",
		"a aa",
		"ml",
		"machine learning",
		"ci/cd",
		"c++",
		".net",
		"c#",
		"-x",
		"x-",
		"node.js",
		"旅行",
		"ＡＩ",
		"生成ai",
		"é",
		"a1",
		"1",
		"zz",
		"z-9",
	];
	const pieces = [
		...keywords,
		" ",
		"  ",
		"\n",
		".",
		"-",
		"/",
		"#",
		"_",
		"Ａ",
		"A",
		"AI",
		"x",
		"b",
		"[[a|ai]]",
		"[[x/a a#h]]",
		"](ai.md)",
		"said",
		"ai1",
		"ｍｌ",
		"ZZ",
		"Z",
		"Machine Learning",
	];
	const rnd = seededRandom(20261206);
	const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
	const text = (n: number): string => Array.from({ length: n }, () => pick(pieces)).join(rnd() < 0.5 ? "" : " ");

	it("on 3,000 random notes and tables", () => {
		let classified = 0;
		for (let round = 0; round < 3000; round++) {
			const genres: Genre[] = [
				{ key: "g1", folder: "G1", description: "", keywords: Array.from({ length: 1 + Math.floor(rnd() * 5) }, () => pick(keywords)) },
				{ key: "a", folder: "A", description: "", keywords: Array.from({ length: 1 + Math.floor(rnd() * 5) }, () => pick(keywords)) },
				{ key: "other", folder: "Other", description: "", keywords: [] },
			];
			const input: ClassifyInput = {
				title: text(Math.floor(rnd() * 6)),
				body: text(Math.floor(rnd() * 40)),
				tags: rnd() < 0.3 ? [pick(pieces)] : [],
			};
			const result = classifyByKeywords(input, genres);
			const got = result.genre === "other" ? "other" : `${result.genre} ${result.reason}`;
			expect(got, JSON.stringify({ input, genres })).toBe(referenceScores(input, genres));
			if (result.genre !== "other") classified++;
		}
		// The notes must exercise the keywords, not all fall to "other".
		expect(classified).toBeGreaterThan(1500);
	});

	it("on the default table", () => {
		for (let round = 0; round < 500; round++) {
			const words = DEFAULT_GENRES.flatMap((genre) => genre.keywords);
			const body = Array.from({ length: 30 }, () => (rnd() < 0.5 ? pick(words) : pick(pieces))).join(pick([" ", "", "-", ". "]));
			const input: ClassifyInput = { title: pick(words), body, tags: [] };
			const result = classifyByKeywords(input, DEFAULT_GENRES);
			expect(result.genre === "other" ? "other" : `${result.genre} ${result.reason}`).toBe(referenceScores(input, DEFAULT_GENRES));
		}
	});
});

describe("parseClassificationReply", () => {
	it.each([
		['{"genre":"travel","topic":"京都","confidence":0.9}', "travel", "京都", 0.9, false],
		['```json\n{"genre": "AI", "topic": "llm", "confidence": "high"}\n```', "ai", "llm", 0.9, false],
		['Sure! Here it is: {"genre":"economy","topic":"","confidence":0.3,} hope that helps', "economy", undefined, 0.3, true],
		['{"genre":"cooking","topic":"cake","confidence":0.95}', "other", "cake", 0, false],
		['{"genre":"health"}', "health", undefined, 0.5, false],
		['{"genre":"health","confidence":"80%"}', "health", undefined, 0.8, false],
	])("%s", (reply, genre, topic, confidence, review) => {
		const result = parseClassificationReply(reply, DEFAULT_GENRES);
		expect(result).toMatchObject({ genre, confidence, review });
		expect(result.topic).toBe(topic);
	});

	it("throws on a reply without JSON", () => {
		expect(() => parseClassificationReply("I cannot help with that.", DEFAULT_GENRES)).toThrow(/not JSON/);
	});

	it("llmClassifier sends the genre table and the note", async () => {
		const prompts: string[] = [];
		const classify = llmClassifier((prompt) => {
			prompts.push(prompt);
			return Promise.resolve('{"genre":"parenting","topic":"離乳食","confidence":0.8}');
		});
		const result = await classify({ title: "バナナプリン", body: "赤ちゃん向け", tags: [] }, DEFAULT_GENRES);
		expect(result.genre).toBe("parenting");
		expect(prompts[0]).toContain("- parenting:");
		expect(prompts[0]).toContain("バナナプリン");
	});
});
