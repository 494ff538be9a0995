import { describe, expect, it } from "vitest";
import { detectDust } from "../../../src/core/organize/dust";

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
});
