import { describe, expect, it } from "vitest";
import { topicTags } from "../../../src/core/organize/plan-organize";
import { classifyByKeywords } from "../../../src/core/organize/classify-genre";
import { DEFAULT_GENRES } from "../../../src/core/organize/genres";

describe("topicTags", () => {
	it.each([
		["an imported Claude chat drops its provenance tags", ["ai-chat", "claude", "kyoto"], { source: "claude" }, ["kyoto"]],
		["an imported ChatGPT chat keeps a real 'claude' topic tag", ["ai-chat", "chatgpt", "claude"], { source: "chatgpt" }, ["claude"]],
		["a note without source keeps every tag", ["ai-chat", "claude"], {}, ["ai-chat", "claude"]],
		["hash-prefixed tags are recognised", ["#ai-chat", "#claude"], { source: "claude" }, []],
	])("%s", (_name, tags, fm, expected) => {
		expect(topicTags(tags, fm)).toEqual(expected);
	});

	it("an imported travel chat is filed under travel, not AI", () => {
		const input = { title: "京都2泊3日の紅葉旅行プラン", body: "紅葉の時期の計画", tags: ["ai-chat", "claude"] };
		expect(classifyByKeywords(input, DEFAULT_GENRES).genre).toBe("ai");
		expect(classifyByKeywords({ ...input, tags: topicTags(input.tags, { source: "claude" }) }, DEFAULT_GENRES).genre).toBe("travel");
	});
});
