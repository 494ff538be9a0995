import { describe, expect, it } from "vitest";
import { detectDust, MIN_TEXT_CHARACTERS, surelyEnoughLetters, textOf } from "../../../src/core/organize/dust";

const long = "This note has plenty of real text in it, far more than fifty characters of prose.";

describe("detectDust", () => {
	it.each([
		["empty", "", true],
		["whitespace", "  \n\n", true],
		["short", "# Hi\n\nshort text\n", true],
		["short with markup", "## **a** [[b]] - c\n", true],
		["long", long, false],
		[
			"long Japanese",
			"これは十分な長さのある日本語のノートです。旅行の計画について詳しく書いてあり、ホテルや観光地の情報も含まれています。",
			false,
		],
		["TODO leftover", `${long}\n[TODO] fill in`, true],
		["lorem", `Lorem ipsum dolor sit amet. ${long}`, true],
		["templater", `${long}\n<% tp.date.now() %>`, true],
		["mustache", `${long}\n{{date}}`, true],
		["mustache inside code is fine", `${long}\n\`\`\`\n{{date}}\n\`\`\`\n`, false],
		["inline code is fine", `${long} Use \`{{title}}\` in templates.`, false],
	])("%s", (_name, body, dust) => {
		expect(detectDust(body).dust).toBe(dust);
	});

	it("is empty exactly when trim() leaves nothing (Unicode spaces, BOM and line separators too)", () => {
		for (const body of ["\u3000\ufeff\u2028\u2029\u00a0\u1680\u205f\v\f\r\n\t ", "\u200b", "\u0085", "x", " \u202f "]) {
			const verdict = detectDust(body);
			expect(verdict.dust && verdict.reason === "empty note", JSON.stringify(body)).toBe(body.trim() === "");
		}
	});

	it("finds each template leftover the single pass lets through, and the first in list order", () => {
		expect(detectDust(`${long} LOREM IPSUM [TODO]`)).toEqual({ dust: true, reason: "template leftover [TODO]" });
		expect(detectDust(`${long} [todo] placeholder {{ }`)).toEqual({ dust: false });
		expect(detectDust(`${long} a PLACEHOLDER`)).toEqual({ dust: true, reason: "template leftover PLACEHOLDER" });
	});

	it("a long body counts the same whether its text comes early, late or never (the first lines are looked at first)", () => {
		const markup = "- [[Some linked note|x]] ![](image.png) <br> **\n".repeat(60); // ~3,000 characters, 60 of text
		expect(detectDust(markup)).toEqual({ dust: false });
		const links = "ab [](https://example.com/a/very/long/path/that/is/not/text) <br> **\n".repeat(20); // 2 of text each
		expect(links.length).toBeGreaterThan(1200);
		expect(detectDust(links)).toEqual({ dust: true, reason: "only 40 characters of text (fewer than 50)" });
		expect(detectDust(`${links}${long}`)).toEqual({ dust: false });
		expect(detectDust(`${long}\n${links}`)).toEqual({ dust: false });
		expect(detectDust(`${long}\n${links}[TODO] later`)).toEqual({ dust: true, reason: "template leftover [TODO]" });
	});
});

/** textOf as it was before its passes were skipped when their pattern cannot match: every pass, always. */
function textOfEveryPass(body: string): string {
	return body
		.replace(/^ {0,3}(`{3,}|~{3,}).*$/gm, "")
		.replace(/!?\[\[([^\]|\n]*)\|?([^\]\n]*)\]\]/g, "$1$2")
		.replace(/!?\[([^\]\n]*)\]\([^)\n]*\)/g, "$1")
		.replace(/<[^>\n]+>/g, "")
		.replace(/^[ \t]*(#{1,6}|>|[-*+]|\d+[.)])(?=[ \t])/gm, "")
		.replace(/[*_~`=#|-]/g, "")
		.replace(/\s+/g, "");
}

describe("textOf", () => {
	it("gives what running every pass gives, on hand-picked and on 20,000 generated bodies of Markdown pieces", () => {
		const picked = [
			"```js\ncode\n```\ntext",
			"~~~\nx\n~~~",
			"[x[[y|z]](u) made by a wikilink pass",
			"![[img.png]] and [a](b.md) <b>bold</b> <br>",
			"# Head\n> quote\n- item\n1. one\n  2) two",
			"plain text only",
		];
		for (const body of picked) expect(textOf(body)).toBe(textOfEveryPass(body));
		const pieces = [
			"[",
			"]",
			"[[",
			"]]",
			"(",
			")",
			"](",
			"|",
			"!",
			"<",
			">",
			"`",
			"```",
			"~~~",
			"~",
			"#",
			"-",
			"*",
			"_",
			"=",
			" ",
			"\t",
			"\n",
			"1.",
			"a",
			"b",
			"日本",
			"x y",
		];
		let seed = 20261206;
		// xorshift32: small, seeded, the same bodies every run.
		const next = (n: number): number => {
			seed ^= seed << 13;
			seed ^= seed >>> 17;
			seed ^= seed << 5;
			return (seed >>> 0) % n;
		};
		let differing = 0;
		for (let i = 0; i < 20_000; i++) {
			let body = "";
			for (let k = next(40); k > 0; k--) body += pieces[next(pieces.length)];
			if (textOf(body) !== textOfEveryPass(body)) differing++;
		}
		expect(differing).toBe(0);
	});
});

describe("surelyEnoughLetters", () => {
	it("is a lower bound of textOf: whenever it says enough, textOf keeps at least 50 characters (generated bodies around the bound)", () => {
		const markup = ["[", "]", "[[", "]]", "(", ")", "](", "|", "!", "<", ">", "`", "```", "~~~", "#", "-", "*", " ", "\n", "1. ", "日本"];
		// Letters often enough that many bodies are near the bound (a third of the pieces).
		const words = ["word ", "Letters ", "ab", "x", "about a trip ", "Some prose "];
		const pieces = [...markup, ...words, ...words];
		let seed = 99;
		const next = (n: number): number => {
			seed ^= seed << 13;
			seed ^= seed >>> 17;
			seed ^= seed << 5;
			return (seed >>> 0) % n;
		};
		const codePoints = (text: string): number => [...text].length;
		let said = 0;
		let wrong = 0;
		for (let i = 0; i < 20_000; i++) {
			let body = "";
			for (let k = 10 + next(60); k > 0; k--) body += pieces[next(pieces.length)];
			if (!surelyEnoughLetters(body)) continue;
			said++;
			if (codePoints(textOf(body)) < MIN_TEXT_CHARACTERS) wrong++;
		}
		expect(wrong).toBe(0);
		expect(said).toBeGreaterThan(300); // the generator reaches the bound often enough to test it
	});

	it("counts what textOf keeps, not link targets, tags or fence lines", () => {
		const letters = "abcdefghij".repeat(5); // exactly 50
		expect(surelyEnoughLetters(letters)).toBe(true);
		expect(surelyEnoughLetters(letters.slice(1))).toBe(false);
		expect(surelyEnoughLetters(`${letters.slice(0, 25)}[1](${"t".repeat(40)})${letters.slice(0, 24)}`)).toBe(false);
		expect(surelyEnoughLetters(`${letters.slice(0, 25)}<span ${letters}>\n`)).toBe(false);
		expect(surelyEnoughLetters(`\`\`\`\n${letters}\n\`\`\``)).toBe(false);
		// A bench note: the paragraph has links in the middle and still counts.
		expect(
			surelyEnoughLetters(
				"# Note 1\n\nAbout a hotel and a flight for the trip. See [[Note 2]] and [n](Note%208.md). Enough ordinary prose so that this note is clearly not dust.\n",
			),
		).toBe(true);
	});
});
