import * as obsidian from "obsidian";
import en from "./en";
import ja from "./ja";

/**
 * The plugin's one message table: every text the user sees (commands, panel, modals, settings, notices) is a
 * key here, in English and Japanese. `t(key, vars)` fills `{name}` placeholders; a key with a `_one` twin uses
 * the twin when `count` is 1. Numbers are written with the language's digit grouping ("1,204").
 */
export type MessageKey = keyof typeof en;
export type Messages = Record<MessageKey, string>;
export type Locale = "en" | "ja";
export type Vars = Readonly<Record<string, string | number>>;

export const MESSAGES: Readonly<Record<Locale, Messages>> = { en, ja };

let current: Locale = "en";

/** What the language is read from: the obsidian module, as far as this needs it (both parts may be missing). */
export interface LanguageApi {
	getLanguage?: () => string;
	moment?: { locale?: () => string };
}

/**
 * Obsidian's own language: `getLanguage()` (Obsidian 1.8.7+), else the locale Obsidian gives moment (older
 * versions set it to the app language). Looked up on the module, so an Obsidian without them falls back.
 */
export function obsidianLanguage(api: LanguageApi = obsidian): string {
	if (typeof api.getLanguage === "function") return api.getLanguage();
	if (typeof api.moment?.locale === "function") return api.moment.locale();
	return "en";
}

/** "ja", "ja-JP" → ja; anything else → en (the languages this table has). */
export function localeFor(language: string): Locale {
	return /^ja\b/i.test(language.trim()) ? "ja" : "en";
}

/** Chooses the table from Obsidian's language (called once on load; Obsidian restarts on a language change). */
export function initLocale(language: string = obsidianLanguage()): Locale {
	current = localeFor(language);
	return current;
}

export function setLocale(locale: Locale): void {
	current = locale;
}

export function getLocale(): Locale {
	return current;
}

/** A count as the language writes it: 1,204. */
export function formatNumber(n: number): string {
	// toLocaleString, not a new Intl.NumberFormat per call: V8 keeps the formatter of a locale (no options) between
	// calls; a new one per call was the largest part of the status bar's and the panel's text during an import
	// (issue 17). Same text.
	return n.toLocaleString(current === "ja" ? "ja-JP" : "en-US");
}

/** The text of `key` in the current language, placeholders filled. */
export function t(key: MessageKey, vars?: Vars): string {
	const table = MESSAGES[current];
	const one = `${key}_one`;
	const useOne = vars !== undefined && vars.count === 1 && one in table;
	const template = useOne ? table[one as MessageKey] : table[key];
	if (!vars) return template;
	return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
		const v = vars[name];
		if (v === undefined) return whole;
		return typeof v === "number" ? formatNumber(v) : v;
	});
}

/** Placeholders a template uses, sorted (the table test compares both languages' sets). */
export function placeholders(template: string): string[] {
	return [...new Set([...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? ""))].sort();
}
