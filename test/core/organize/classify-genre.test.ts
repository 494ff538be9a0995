import { describe, expect, it } from "vitest";
import { classifyByKeywords, keywordCounter } from "../../../src/core/organize/classify-genre";
import { parseClassificationReply, llmClassifier } from "../../../src/core/organize/classify-genre-llm";
import { DEFAULT_GENRES, GenreTableSchema } from "../../../src/core/organize/genres";

describe("DEFAULT_GENRES", () => {
	it("is a valid table with other", () => {
		expect(GenreTableSchema.safeParse(DEFAULT_GENRES).success).toBe(true);
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
