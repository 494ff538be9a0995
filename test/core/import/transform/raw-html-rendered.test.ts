import { Window } from "happy-dom";
import { micromark } from "micromark";
import { gfm, gfmHtml } from "micromark-extension-gfm";
import { describe, expect, it } from "vitest";
import { safeMarkdown } from "../../../../src/core/import/transform/markdown-safety";

/**
 * What a reader sees: the message rendered by a CommonMark + GFM renderer that lets raw HTML through (as Obsidian
 * does), then parsed into a DOM. The chat apps show tags as text; the note must too.
 */
function rendered(markdown: string): Document {
	const html = micromark(markdown, { allowDangerousHtml: true, extensions: [gfm()], htmlExtensions: [gfmHtml()] });
	const window = new Window();
	return new window.DOMParser().parseFromString(html, "text/html") as unknown as Document;
}

const messages: [name: string, text: string, shown: string][] = [
	["inline tags", "what pairs with <b>gruyère</b>?", "what pairs with <b>gruyère</b>?"],
	["an HTML block", "<div>\nPaste this:\n</div>\n\nThen save.", "<div>"],
	["a comment that closes", "<!-- note to self -->\nAfter the comment.", "<!-- note to self -->"],
	["an unclosed comment", "<!-- oops\n\nEverything after.", "Everything after."],
	["an image tag", "Try <img src=x onerror=alert(1)> here", "<img src=x onerror=alert(1)>"],
	["a table cell", "| tag | use |\n|---|---|\n| <span> | inline |", "<span>"],
];

describe("raw HTML in a message reads as text once rendered", () => {
	it.each(messages)("%s", (_name, text, shown) => {
		const doc = rendered(safeMarkdown(text, 3));
		expect(doc.querySelectorAll("b, div, img, span, script").length).toBe(0);
		expect(doc.body.textContent).toContain(shown);
	});

	it("the same messages, not made safe, do render as HTML (the check can fail)", () => {
		const elements = messages
			.filter(([name]) => name !== "an unclosed comment" && name !== "a comment that closes")
			.map(([, text]) => rendered(text).querySelectorAll("b, div, img, span").length);
		expect(elements.every((n) => n > 0)).toBe(true);
	});

	it("code, autolinks and <br> in tables keep rendering as they should", () => {
		const doc = rendered(safeMarkdown("`<div>` <https://example.com> | a<br>b |\n|---|\n| c |", 3));
		expect(doc.querySelector("code")?.textContent).toBe("<div>");
		expect(doc.querySelector("a")?.getAttribute("href")).toBe("https://example.com");
		expect(doc.querySelectorAll("br").length).toBe(1);
	});
});
