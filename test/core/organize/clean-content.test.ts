import { describe, expect, it } from "vitest";
import { cleanContent } from "../../../src/core/organize/clean-content";

describe("cleanContent", () => {
	it.each([
		["trailing spaces", "a  \nb\t\n", "a\nb\n"],
		["three blank lines", "a\n\n\n\nb\n", "a\n\nb\n"],
		["two blank lines", "a\n\n\nb\n", "a\n\nb\n"],
		["one blank line kept", "a\n\nb\n", "a\n\nb\n"],
		["whitespace-only lines are blank", "a\n  \n \t\n\nb", "a\n\nb\n"],
		["adds a final newline", "a", "a\n"],
		["one final newline", "a\n\n\n", "a\n"],
		["empty stays empty", "", ""],
		["only blanks", "\n\n  \n", ""],
		["code block untouched", "x\n```js\nconst a = 1;   \n\n\n\nb\t\n```\n\n\n\ny  \n", "x\n```js\nconst a = 1;   \n\n\n\nb\t\n```\n\ny\n"],
		["tilde fence", "~~~\n  \n\n\n~~~\n", "~~~\n  \n\n\n~~~\n"],
		["longer closing fence needed", "````\n```\n  \n````\nz  \n", "````\n```\n  \n````\nz\n"],
		["unclosed fence runs to the end", "a\n```\ncode  \n\n\n", "a\n```\ncode  \n\n\n"],
		["CRLF kept", "a  \r\n\r\n\r\n\r\nb", "a\r\n\r\nb\r\n"],
		["Japanese", "日本語のテキスト　 \n\n\n\n次", "日本語のテキスト　\n\n次\n"],
	])("%s", (_name, input, expected) => {
		const eol = input.includes("\r\n") ? "\r\n" : "\n";
		expect(cleanContent(input, eol)).toBe(expected);
		expect(cleanContent(expected, eol)).toBe(expected);
	});
});
