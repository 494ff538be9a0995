import { describe, expect, it } from "vitest";
import { computeFileId, noteBody } from "../../../../src/core/import/transform/file-id";
import {
	backtickFence,
	convertMathDelimiters,
	fenceLanguage,
	hasRawHtmlStart,
	oneLine,
	safeMarkdown,
	safeMarkdownWithoutShortcuts,
} from "../../../../src/core/import/transform/markdown-safety";
import { sha256Hex } from "../../../../src/core/util/sha256";
import { seededRandom } from "../../../support/seeded-random";

describe("safeMarkdown (message headings are level 2, so text headings start at 3)", () => {
	it.each<[string, string, string]>([
		["plain text unchanged", "Hello\nworld", "Hello\nworld"],
		["deep headings unchanged", "### A\n#### B", "### A\n#### B"],
		["top headings shift as a group", "# A\n## B\n### C", "### A\n#### B\n##### C"],
		["shift caps at 6", "# A\n###### F", "### A\n###### F"],
		["fake message heading demoted", "## User · 2024-01-01 10:00 UTC", "### User · 2024-01-01 10:00 UTC"],
		["leading --- is a rule", "---\n\nText", "---\n\nText"],
		["setext = becomes ATX", "Title\n=====", "### Title"],
		["setext - becomes ATX", "Title\n---", "### Title"],
		["multi-line setext joined", "One\ntwo\n---", "### One two"],
		["--- under a list item stays a rule", "- item\n---", "- item\n\n---"],
		["--- under a quote stays a rule", "> q\n---", "> q\n\n---"],
		["headings in fences untouched", "```\n# not a heading\n```", "```\n# not a heading\n```"],
		["tilde fences too", "~~~\n# x\n~~~", "~~~\n# x\n~~~"],
		["unclosed fence closed", "````py\nx = 1", "````py\nx = 1\n````"],
		["inline backticks are not a fence", "```a`b\n# H", "```a`b\n### H"],
		["CRLF normalised", "a\r\nb\r\n", "a\nb"],
		["blank edges trimmed", "\n\n  \nx\n\n", "x"],
		["unclosed HTML comment escaped", "<!-- open\n\nrest", "\\<!-- open\n\nrest"],
		["closed HTML comment shown as text", "<!-- c -->\ntext", "\\<!-- c -->\ntext"],
		["an HTML block shown as text", "<div>\nhidden?\n</div>\n\nrest", "\\<div>\nhidden?\n\\</div>\n\nrest"],
		["inline tags shown as text", "Use <b>bold</b> or <img src=x>", "Use \\<b>bold\\</b> or \\<img src=x>"],
		["a comparison without spaces", "if a<b and c>d", "if a\\<b and c>d"],
		["a spaced comparison untouched", "if a < b", "if a < b"],
		["tags in code spans kept", "`<div>` and ``a <b> ` c``", "`<div>` and ``a <b> ` c``"],
		["code span across lines kept", "see `<x\ny>` here <z>", "see `<x\ny>` here \\<z>"],
		["tags in fences kept", "```html\n<div>\n```", "```html\n<div>\n```"],
		["indented code kept", "text\n\n    <div>", "text\n\n    <div>"],
		["maths kept", "$a<b$ and $$x<y$$ but <p>", "$a<b$ and $$x<y$$ but \\<p>"],
		["autolinks kept", "<https://example.com/a?b=c> and <me@example.com>", "<https://example.com/a?b=c> and <me@example.com>"],
		["line breaks in tables kept", "| a<br>b | c<br/>d |", "| a<br>b | c<br/>d |"],
		["already escaped stays once", "\\<b> and \\\\<i>", "\\<b> and \\\\\\<i>"],
		["link destination in brackets kept", "[x](<a b.md>)", "[x](<a b.md>)"],
		["processing instruction and declaration", "<?php echo 1; ?> <!DOCTYPE html>", "\\<?php echo 1; ?> \\<!DOCTYPE html>"],
		["tags in a quote", "> <span>q</span>", "> \\<span>q\\</span>"],
		["odd %% escaped", "a %% b %% c %% d", "a %% b %% c \\%\\% d"],
		["even %% kept", "%%hidden%%", "%%hidden%%"],
		["seven hashes is text", "####### x", "####### x"],
	])("%s", (_name, input, expected) => {
		expect(safeMarkdown(input, 3)).toBe(expected);
	});
});

describe("safeMarkdown's shortcuts change nothing", () => {
	/** Line openings that reach every rule (and near misses), then line contents, CR/LF variants and comment marks. */
	const starts = [
		"",
		" ",
		"  ",
		"   ",
		"    ",
		"\t",
		"\u00a0",
		"\u3000",
		"\ufeff",
		"#",
		"## ",
		"###### ",
		"####### ",
		"#x",
		"```",
		"````",
		"```js",
		"``` a`b",
		"~~~",
		"~~~~ ",
		"`",
		"``",
		"~",
		"---",
		"--",
		"- ",
		"-",
		"===",
		"=",
		"***",
		"* ",
		"*",
		"+ ",
		"+",
		"1. ",
		"1)",
		"12.",
		"1234567890. ",
		"0",
		"> ",
		">",
		"| ",
		"|",
		"<",
		"<!--",
		"-->",
		"%%",
		"%",
		"a",
		"Z",
		"é",
		"語",
		"🚀",
		// Characters trim() removes: a line of them alone is blank.
		"\u00a0",
		"\u3000",
		"\u2003",
		"\u2028",
		"\ufeff",
		"(",
		"[",
		"\\",
		"_",
		"!",
		'"',
		":",
	];
	const middles = ["", "text", " # x", " ``` ", "`", "~~~", " --- ", "%%", "<!--", "-->", " ", "\t", "é", "=", "-", "\u3000"];
	const ends = ["\n", "\n", "\n", "\r\n", "\r", "\n\n"];
	const random = seededRandom(0x1234);
	const pick = (list: readonly string[]): string => list[Math.floor(random() * list.length)]!;

	it("gives the same output as every line through every rule, over a seeded fuzz of Markdown-ish texts", () => {
		for (let round = 0; round < 4000; round++) {
			let text = "";
			const lines = Math.floor(random() * 14);
			for (let i = 0; i < lines; i++) text += pick(starts) + pick(middles) + (random() < 0.5 ? pick(middles) : "") + pick(ends);
			if (random() < 0.3) text = text.replace(/\n$/, "");
			for (const level of [1, 3]) {
				expect(safeMarkdown(text, level), JSON.stringify(text)).toBe(safeMarkdownWithoutShortcuts(text, level));
			}
		}
	});

	it("and for a line starting with each UTF-16 unit past ASCII (those trim() removes make the line blank)", () => {
		for (let c = 128; c <= 0xffff; c++) {
			const text = `a\n${String.fromCharCode(c)}\n---`;
			if (safeMarkdown(text, 3) !== safeMarkdownWithoutShortcuts(text, 3))
				expect(safeMarkdown(text, 3), `U+${c.toString(16)}`).toBe(safeMarkdownWithoutShortcuts(text, 3));
		}
	});

	it("and over the table above", () => {
		for (const text of ["Hello\nworld", "Title\n=====", "One\ntwo\n---", "- item\n---", "```\n# x\n```", "a %% b", "<!-- x"]) {
			expect(safeMarkdown(text, 3)).toBe(safeMarkdownWithoutShortcuts(text, 3));
		}
	});
});

describe("oneLine", () => {
	const definition = (text: string): string => text.replace(/\s+/g, " ").trim();

	it.each<[string, string]>([
		["", ""],
		["  a  b  ", "a b"],
		["a\nb", "a b"],
		["a \t\r\n b", "a b"],
		["a\u00a0\u2028b\u3000\ufeff", "a b"],
		["one two three", "one two three"],
	])("oneLine(%j) = %j", (text, expected) => {
		expect(oneLine(text)).toBe(expected);
	});

	it("equals collapsing every whitespace run, over a seeded fuzz", () => {
		const pieces = ["a", "bc", " ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u2028", "\u3000", "\ufeff", "\u200b", "é", "🚀"];
		let seed = 99;
		for (let round = 0; round < 3000; round++) {
			let text = "";
			for (let i = 0; i < round % 20; i++) {
				seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
				text += pieces[seed % pieces.length];
			}
			expect(oneLine(text), JSON.stringify(text)).toBe(definition(text));
		}
	});
});

describe("hasRawHtmlStart (the search for a tag-like `<` that decides whether a text needs its HTML escaped)", () => {
	const reference = (text: string): boolean => /<[A-Za-z/!?]/.test(text);
	it.each<[string, boolean]>([
		["", false],
		["<", false],
		["a <", false],
		["a < b", false],
		["1 <2", false],
		["<<", false],
		["<<b>", true],
		["x <div>", true],
		["</p>", true],
		["<!-- c -->", true],
		["<?xml", true],
		["<Z", true],
		["<[", false],
		["<@", false],
		["<`", false],
		["<{", false],
		["< <a", true],
		["<\u00e9", false],
	])("%j -> %s", (text, expected) => {
		expect(hasRawHtmlStart(text)).toBe(expected);
		expect(reference(text)).toBe(expected);
	});

	it("agrees with the regex it replaces for `<` followed by each UTF-16 unit, and on random texts", () => {
		for (let c = 0; c <= 0xffff; c++) {
			const text = `ab <${String.fromCharCode(c)} c`;
			if (hasRawHtmlStart(text) !== reference(text)) throw new Error(`differs after "<" + U+${c.toString(16)}`);
		}
		const random = seededRandom(20);
		const alphabet = ["<", "<", "a", "Z", "/", "!", "?", " ", "1", "\n", "[", "é", "\ud83d\ude00"];
		for (let n = 0; n < 5000; n++) {
			let text = "";
			const length = Math.floor(random() * 12);
			for (let k = 0; k < length; k++) text += alphabet[Math.floor(random() * alphabet.length)]!;
			expect(hasRawHtmlStart(text), JSON.stringify(text)).toBe(reference(text));
		}
	});
});

describe("fences", () => {
	it.each<[string, string]>([
		["no backticks", "```"],
		["a `tick`", "```"],
		["```inner```", "````"],
		["``````", "```````"],
	])("backtickFence(%j) = %j", (code, fence) => {
		expect(backtickFence(code)).toBe(fence);
	});

	it.each<[string, string]>([
		["Python", "python"],
		["c++", "c++"],
		["objective-c", "objective-c"],
		["js `x` y", "js"],
		["  ", ""],
	])("fenceLanguage(%j) = %j", (language, expected) => {
		expect(fenceLanguage(language)).toBe(expected);
	});
});

describe("file_id", () => {
	it("is the first 12 hex of SHA-256(content + \\n---\\n + path), with / separators", () => {
		const expected = sha256Hex("body\n---\nAI Conversations/Claude/A.md").slice(0, 12);
		expect(computeFileId("body", "AI Conversations/Claude/A.md")).toBe(expected);
		expect(computeFileId("body", "AI Conversations\\Claude\\A.md")).toBe(expected);
		expect(computeFileId("body", "AI Conversations/Claude/B.md")).not.toBe(expected);
		expect(expected).toMatch(/^[0-9a-f]{12}$/);
	});

	it.each<[string, string]>([
		["---\na: 1\n---\nbody\n", "body\n"],
		["---\n---\nbody", "body"],
		["---\r\na: 1\r\n---\r\n\r\nbody", "\r\nbody"],
		["no frontmatter\n---\n", "no frontmatter\n---\n"],
		["---\na: 1\n---", ""],
	])("noteBody(%j)", (markdown, body) => {
		expect(noteBody(markdown)).toBe(body);
	});
});

describe("convertMathDelimiters", () => {
	const cases: [name: string, input: string, expected: string][] = [
		["inline maths", "Energy is \\(E = mc^2\\).", "Energy is $E = mc^2$."],
		["spaces inside inline delimiters go (Obsidian needs $x$, not $ x $)", "so \\( x + 1 \\) here", "so $x + 1$ here"],
		[
			"display maths on its own lines",
			"Then\n\\[\n\\int_0^1 x\\,dx = \\tfrac12\n\\]\nend",
			"Then\n$$\n\\int_0^1 x\\,dx = \\tfrac12\n$$\nend",
		],
		["display maths inside a line", "where \\[a^2 + b^2 = c^2\\] holds", "where $$a^2 + b^2 = c^2$$ holds"],
		["an escaped backslash is not a delimiter", "a path C:\\\\(x) and \\\\[y]", "a path C:\\\\(x) and \\\\[y]"],
		["three backslashes: an escaped one, then a delimiter", "x \\\\\\(y\\) z", "x \\\\$y$ z"],
		["escaped brackets that are not maths stay", "the array a\\[0\\] and a\\[i\\]", "the array a\\[0\\] and a\\[i\\]"],
		["inline code is byte-exact", "use `\\(x\\)` or \\(x\\)", "use `\\(x\\)` or $x$"],
		["a longer code span with a backtick inside", "``a ` \\(b\\)`` then \\(c\\)", "``a ` \\(b\\)`` then $c$"],
		["fenced code is byte-exact", "```tex\n\\(x\\) and \\[y\\]\n```\nand \\(z\\)", "```tex\n\\(x\\) and \\[y\\]\n```\nand $z$"],
		["tilde fences too, unclosed to the end", "~~~\n\\(x\\)\n", "~~~\n\\(x\\)\n"],
		[
			"prices in prose are escaped when maths is there",
			"It costs $5, and \\(x = 2\\) while $10 is more",
			"It costs \\$5, and $x = 2$ while \\$10 is more",
		],
		["an escaped dollar stays as it is", "It costs \\$5 and \\(y\\)", "It costs \\$5 and $y$"],
		["a dollar inside the maths is kept", "\\(\\$5 + x\\)", "$\\$5 + x$"],
		["without maths delimiters, dollars are untouched", "It costs $5 and $10.", "It costs $5 and $10."],
		["inline maths does not cross lines", "\\(a\nb\\)", "\\(a\nb\\)"],
		["display maths does not cross a blank line", "\\[a\n\nb\\]", "\\[a\n\nb\\]"],
		["an unclosed delimiter stays", "open \\( only", "open \\( only"],
		["empty delimiters stay", "\\(\\) and \\[ \\]", "\\(\\) and \\[ \\]"],
		["existing dollar maths is left alone", "Already $x^2$ and $$y$$", "Already $x^2$ and $$y$$"],
	];
	for (const [name, input, expected] of cases) {
		it(name, () => expect(convertMathDelimiters(input)).toBe(expected));
	}
});
