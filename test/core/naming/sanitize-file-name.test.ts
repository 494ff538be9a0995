import { describe, expect, it } from "vitest";
import {
	isWindowsReservedName,
	sanitizeByRules,
	sanitizeFileName,
	truncateUtf8,
	utf8ByteLength,
} from "../../../src/core/naming/sanitize-file-name";

const bytes = (s: string): number => new TextEncoder().encode(s).length;

/** No unpaired surrogate anywhere. */
const isWellFormed = (s: string): boolean => !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);

describe("sanitizeFileName", () => {
	it.each<[string, string, string]>([
		["plain title", "Rsync backup script", "Rsync backup script"],
		["NFD becomes NFC", "Cafe\u0301 notes", "Caf\u00e9 notes"],
		["slashes become dashes", "C/C++ and a\\b", "C-C++ and a-b"],
		["colon and question mark", "Q: what is rsync?", "Q what is rsync"],
		["every illegal and link-breaking character", 'a\\b/c:d*e?f"g<h>i|j#k^l[m]n', "a-b-c d e f g h i j k l m n"],
		["only illegal characters", ':*?"<>|#^[]', "Untitled"],
		["control characters removed", "tab\there\u0000nul\u0007bell\u009fc1", "tab herenulbellc1"],
		["newlines collapse", "line one\r\nline two\n\n", "line one line two"],
		["bidi override removed", "invoice\u202Efdp.exe", "invoicefdp.exe"],
		["whitespace collapses", "  many   spaces\u00a0\u3000here  ", "many spaces here"],
		["leading dots", "...hidden", "hidden"],
		["leading dot and space", ". .env file", "env file"],
		["trailing dots and spaces", "ends with dots... . ", "ends with dots"],
		["empty", "", "Untitled"],
		["only spaces", "   \t ", "Untitled"],
		["only dots", "....", "Untitled"],
		["emoji kept", "🚀 Launch plan 👩‍👩‍👧", "🚀 Launch plan 👩‍👩‍👧"],
		["RTL kept", "שלום עולם: מדריך", "שלום עולם מדריך"],
		["Arabic kept", "كيف أكتب سكربت؟", "كيف أكتب سكربت؟"],
		["CJK kept", "京都旅行の計画【3日間】", "京都旅行の計画【3日間】"],
		["reserved CON", "CON", "CON_"],
		["reserved lower case", "con", "con_"],
		["reserved with extension", "nul.txt", "nul_.txt"],
		["reserved COM1", "Com1", "Com1_"],
		["reserved LPT9 with ext", "LPT9.tar.gz", "LPT9_.tar.gz"],
		["reserved superscript", "COM¹", "COM¹_"],
		["reserved after trailing dot", "AUX.", "AUX_"],
		["reserved after leading dot", ".PRN", "PRN_"],
		// Bare, each first letter the end rules' shortcut must not skip (review21b: dropping p or a passed every test).
		["reserved bare prn", "prn", "prn_"],
		["reserved bare aux", "aux", "aux_"],
		["reserved bare nul", "nul", "nul_"],
		["reserved bare lpt1", "lpt1", "lpt1_"],
		["reserved bare com9", "com9", "com9_"],
		["not reserved: longer word", "Console log", "Console log"],
		["not reserved: COM10", "COM10", "COM10"],
		["not reserved: word after space", "AUX cable", "AUX cable"],
	])("%s", (_name, input, expected) => {
		expect(sanitizeFileName(input)).toBe(expected);
	});

	it("uses the fallback option", () => {
		expect(sanitizeFileName("###", { fallback: "Conversation" })).toBe("Conversation");
	});

	it.each<[string, string]>([
		["500 ASCII characters", "a".repeat(500)],
		["500 CJK characters", "日".repeat(500)],
		["emoji run", "😀".repeat(120)],
		["ZWJ families", "👩‍👩‍👧‍👦".repeat(30)],
		["combining marks", "e\u0301".repeat(150)],
		["RTL with spaces", "שלום ".repeat(100)],
		["words", "the quick brown fox jumps over the lazy dog ".repeat(12)],
	])("caps %s at 200 UTF-8 bytes at a character boundary", (_name, input) => {
		const out = sanitizeFileName(input);
		expect(bytes(out)).toBeLessThanOrEqual(200);
		expect(bytes(out)).toBeGreaterThan(150);
		expect(isWellFormed(out)).toBe(true);
		expect(input.normalize("NFC").startsWith(out)).toBe(true);
		expect(out).not.toMatch(/[ .]$/);
	});

	it("never splits a grapheme cluster when truncating", () => {
		const family = "👩‍👩‍👧‍👦"; // 25 bytes
		const out = truncateUtf8("x".repeat(190) + family, 200);
		expect(out).toBe("x".repeat(190));
		const accented = truncateUtf8("a".repeat(199) + "e\u0301", 200);
		expect(accented).toBe("a".repeat(199));
	});

	it("cuts one oversized cluster by code points rather than returning nothing", () => {
		const zalgo = "Z" + "\u0301".repeat(200);
		const out = truncateUtf8(zalgo, 20);
		expect(out.startsWith("Z")).toBe(true);
		expect(bytes(out)).toBeLessThanOrEqual(20);
		expect(isWellFormed(sanitizeFileName(zalgo))).toBe(true);
	});

	it("is idempotent", () => {
		const inputs = ["CON", "a/b: c?", " .x. ", "日".repeat(500), "😀".repeat(120), "LPT1.x", ""];
		for (const input of inputs) {
			const once = sanitizeFileName(input);
			expect(sanitizeFileName(once)).toBe(once);
		}
	});

	it("respects a custom byte cap and rejects an absurd one", () => {
		expect(bytes(sanitizeFileName("日本語".repeat(20), { maxBytes: 30 }))).toBeLessThanOrEqual(30);
		expect(() => sanitizeFileName("x", { maxBytes: 3 })).toThrow(/at least 16/);
	});
});

describe("utf8ByteLength", () => {
	it.each(["", "abc", "é", "日本", "😀", "a\ud800b", "\udc00", "👩‍👩‍👧‍👦"])("matches TextEncoder for %j", (s) => {
		expect(utf8ByteLength(s)).toBe(bytes(s));
	});
});

describe("isWindowsReservedName", () => {
	it.each<[string, boolean]>([
		["CON", true],
		["con.md", true],
		["COM9", true],
		["lpt3.txt", true],
		["CONFIG", false],
		["COM10", false],
		["CON_", false],
	])("%s → %s", (name, expected) => {
		expect(isWindowsReservedName(name)).toBe(expected);
	});
});

describe("sanitizeFileName's pass over an ASCII title", () => {
	const titles = [
		"Rsync backup script",
		"a",
		"ab",
		"x.y",
		"Build Git rebase model 12",
		"C++ & Rust: a (short) comparison",
		"100% done, isn't it? {yes} ~ok~ @home $5 = 'five' `code` !bang; a,b _u_ -d- +p+",
		" leading space",
		"trailing space ",
		"double  space",
		"trailing dot.",
		"trailing dots...",
		".hidden",
		"..",
		"con",
		"CON",
		"con.txt",
		"Con.md",
		"nul",
		"aux",
		"prn",
		"com1",
		"COM9.log",
		"lpt3",
		"console",
		"conx",
		"com",
		"com10",
		"lpt",
		"c:/path",
		"a/b",
		"a\\b",
		"hash #tag",
		"caret ^",
		"[link]",
		"pipe|",
		'quote"',
		"star*",
		"less<more>",
		"tab\there",
		"new\nline",
		"del\u007fchar",
		"nbsp\u00a0here",
		"Café",
		"Cafe\u0301",
		"日本語",
		"emoji 🚀",
		"x".repeat(199),
		"x".repeat(200),
		"x".repeat(201),
		"é".repeat(100),
		`${"x".repeat(199)} `,
		`${"x".repeat(198)}.`,
		"",
		" ",
		".",
		"\u200e",
		"Build Git rebase model #0",
		"Q: what is rsync?",
		"#tag",
		" #1 ",
		"a / b",
		"a\\\\b",
		"\tcon\t",
		"con: the talk",
		"aux #3",
		"...and then.",
		". . .",
		"a\u0000 b",
		"a \u0000b",
		"x\u001fy",
		`${"x".repeat(198)}#y`,
		`#${"x".repeat(200)}`,
	];

	it.each(titles.map((t) => [JSON.stringify(t), t]))("%s: the same name as the full rules give", (_name, title) => {
		for (const maxBytes of [16, 100, 197, 200]) {
			expect(sanitizeFileName(title, { maxBytes })).toBe(sanitizeByRules(title, maxBytes, "Untitled"));
		}
		expect(sanitizeFileName(title, { fallback: "Note" })).toBe(sanitizeByRules(title, 200, "Note"));
	});

	it("gives the full rules' name for random titles of ASCII (controls and spaces among them) and a few others", () => {
		const alphabet = ' ...  abcXYZ019-_/\\:*?"<>|#^[]\t\n\v\f\r\u0000\u001c\u001f\u007f\u0085\u00a0é\u0301日🚀conlptCOMAUXnul';
		let seed = 42;
		const random = (n: number): number => {
			seed = (seed * 1103515245 + 12345) % 2147483648;
			return seed % n;
		};
		const chars = [...alphabet];
		for (let i = 0; i < 20000; i++) {
			let title = "";
			const length = random(30);
			for (let j = 0; j < length; j++) title += chars[random(chars.length)];
			const maxBytes = [16, 20, 200][random(3)]!;
			expect(sanitizeFileName(title, { maxBytes }), JSON.stringify(title)).toBe(sanitizeByRules(title, maxBytes, "Untitled"));
		}
	});
});
