import { describe, expect, it } from "vitest";
import { defaultSettings, parseSettings } from "../../../src/core/config/settings";
import { DEFAULT_GENRES } from "../../../src/core/organize/genres";

function parse(raw: unknown) {
	const warnings: string[] = [];
	return { settings: parseSettings(raw, (m) => warnings.push(m)), warnings };
}

describe("parseSettings", () => {
	it("gives the documented defaults", () => {
		const s = defaultSettings();
		expect(s).toMatchObject({
			debugMode: false,
			outputFolder: "AI Conversations",
			includeTranscript: true,
			includeThinking: false,
			retentionDays: 30,
			llm: {
				provider: "none",
				url: "http://127.0.0.1:11434",
				model: "",
				apiKey: "",
				concurrency: 1,
				timeoutSeconds: 120,
				retries: 3,
				outputLanguage: "auto",
				contextChars: 24000,
			},
		});
		expect(s.genres).toEqual(DEFAULT_GENRES);
		s.genres[0]!.keywords.push("mutated");
		expect(DEFAULT_GENRES[0]!.keywords).not.toContain("mutated");
	});

	it.each([
		["undefined", undefined],
		["null", null],
		["a string", "garbage"],
		["an array", [1, 2]],
		["an empty object", {}],
	])("never throws on %s", (_name, raw) => {
		expect(parse(raw).settings).toEqual(defaultSettings());
	});

	it.each([
		["debugMode", { debugMode: "yes" }, "debugMode"],
		["outputFolder empty", { outputFolder: "  " }, "outputFolder"],
		["provider unknown", { llm: { provider: "gemini" } }, "llm.provider"],
		["concurrency 0", { llm: { concurrency: 0 } }, "llm.concurrency"],
		["retries fractional", { llm: { retries: 1.5 } }, "llm.retries"],
		["retention negative", { retentionDays: -1 }, "retentionDays"],
		["llm not an object", { llm: 5 }, "llm"],
		["genres not a list", { genres: "x" }, "genres"],
	])("replaces an invalid %s with its default and warns", (_name, raw, field) => {
		const { settings, warnings } = parse(raw);
		expect(settings).toEqual(defaultSettings());
		expect(warnings.join("\n")).toContain(`"${field}"`);
	});

	it("keeps valid fields beside invalid ones and drops unknown keys", () => {
		const { settings, warnings } = parse({
			outputFolder: "Chats",
			debugMode: 1,
			llm: { model: "qwen", timeoutSeconds: "x" },
			legacy: true,
		});
		expect(settings.outputFolder).toBe("Chats");
		expect(settings.llm.model).toBe("qwen");
		expect(settings.llm.timeoutSeconds).toBe(120);
		expect("legacy" in settings).toBe(false);
		expect(warnings).toHaveLength(2);
	});

	it("drops invalid and duplicate genres, and falls back to the defaults when none is left", () => {
		const ok = { key: "travel", folder: "Travel", keywords: ["trip"] };
		const { settings, warnings } = parse({
			genres: [ok, { key: "Bad Key", folder: "X" }, { ...ok, folder: "Other" }, { key: "misc", folder: "Misc" }],
		});
		expect(settings.genres).toEqual([
			{ ...ok, description: "" },
			{ key: "misc", folder: "Misc", description: "", keywords: [] },
		]);
		expect(warnings).toHaveLength(2);
		expect(parse({ genres: [] }).settings.genres).toEqual(DEFAULT_GENRES);
	});

	it("round-trips through JSON", () => {
		const s = defaultSettings();
		s.llm.provider = "openai";
		s.llm.apiKey = "k";
		expect(parse(JSON.parse(JSON.stringify(s)))).toEqual({ settings: s, warnings: [] });
	});
});
