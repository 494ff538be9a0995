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
