import { afterEach, describe, expect, it } from "vitest";
import { setStubLanguage } from "../stubs/obsidian";
import {
	getLocale,
	initLocale,
	localeFor,
	MESSAGES,
	obsidianLanguage,
	placeholders,
	setLocale,
	t,
	type MessageKey,
} from "../../src/plugin/i18n";

afterEach(() => {
	setLocale("en");
	setStubLanguage("en");
});

describe("the message table", () => {
	const en = MESSAGES.en;
	const ja = MESSAGES.ja;

	it("has every key in both languages, and no other", () => {
		const missingInJa = Object.keys(en).filter((k) => !(k in ja));
		const missingInEn = Object.keys(ja).filter((k) => !(k in en));
		expect(missingInJa).toEqual([]);
		expect(missingInEn).toEqual([]);
		expect(Object.keys(en).length).toBeGreaterThan(200);
	});

	it("gives no empty text, and the same placeholders in both languages", () => {
		const mismatched: string[] = [];
		for (const key of Object.keys(en) as MessageKey[]) {
			expect(en[key].trim(), key).not.toBe("");
			expect(ja[key].trim(), key).not.toBe("");
			if (placeholders(en[key]).join() !== placeholders(ja[key]).join()) mismatched.push(key);
		}
		expect(mismatched).toEqual([]);
	});

	it("has a singular only beside its plural", () => {
		const orphans = Object.keys(en).filter((k) => k.endsWith("_one") && !(k.slice(0, -4) in en));
		expect(orphans).toEqual([]);
	});

	it("is translated: Japanese differs from English except for names and units", () => {
		const same = (Object.keys(en) as MessageKey[]).filter((k) => en[k] === ja[k] && /[a-z]{3,}/i.test(en[k].replace(/\{\w+\}/g, "")));
		expect(same).toEqual(["llmProvider.ollama"]);
	});
});

describe("t", () => {
	it("fills placeholders, groups digits and picks the singular for a count of 1", () => {
		expect(t("panel.ofTotal.conversations", { done: 1204, count: 2000 })).toBe("1,204 of 2,000 conversations");
		expect(t("count.notes", { count: 1 })).toBe("1 note");
		expect(t("count.notes", { count: 3 })).toBe("3 notes");
		setLocale("ja");
		expect(t("panel.ofTotal.conversations", { done: 1204, count: 2000 })).toBe("2,000 件中 1,204 件の会話");
		expect(t("count.notes", { count: 1 })).toBe("1 件のノート");
	});

	it("leaves a placeholder it was not given as it is", () => {
		expect(t("notice.cleanNone", {})).toBe("No session is older than {days} days.");
	});
});

describe("the language", () => {
	it("follows Obsidian's getLanguage()", () => {
		setStubLanguage("ja");
		expect(obsidianLanguage()).toBe("ja");
		expect(initLocale()).toBe("ja");
		expect(getLocale()).toBe("ja");
		expect(t("command.startImport")).toBe("インポートを開始");
		setStubLanguage("fr");
		expect(initLocale()).toBe("en");
	});

	it("falls back to moment's locale where getLanguage() is missing (Obsidian before 1.8.7), then to English", () => {
		expect(obsidianLanguage({ moment: { locale: () => "ja" } })).toBe("ja");
		expect(obsidianLanguage({})).toBe("en");
		expect(localeFor("ja-JP")).toBe("ja");
		expect(localeFor("jam")).toBe("en");
		expect(localeFor("en-GB")).toBe("en");
	});
});
