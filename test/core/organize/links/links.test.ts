import { describe, expect, it } from "vitest";
import { findLinks } from "../../../../src/core/organize/links/find-links";
import { pathIndex, resolveLink } from "../../../../src/core/organize/links/resolve-link";
import { rewriteLinks } from "../../../../src/core/organize/links/rewrite-links";

describe("findLinks", () => {
	it.each([
		["[[Old]]", "Old", "wiki", false],
		["[[Old|alias]]", "Old", "wiki", false],
		["[[Old#Heading|alias]]", "Old", "wiki", false],
		["![[Old]]", "Old", "wiki", true],
		["[[folder/Old]]", "folder/Old", "wiki", false],
		["| [[Old\\|alias]] |", "Old", "wiki", false],
		["[text](Old.md)", "Old.md", "markdown", false],
		["[text](../x/Old.md#part)", "../x/Old.md", "markdown", false],
		["[text](My%20Note.md)", "My Note.md", "markdown", false],
		["[text](<My Note.md>)", "My Note.md", "markdown", false],
		['[text](Old.md "title")', "Old.md", "markdown", false],
		["![img](pics/a%20b.png)", "pics/a b.png", "markdown", true],
		["[t](Note%20(1).md)", "Note (1).md", "markdown", false],
	])("%s", (text, linkPath, kind, embed) => {
		const links = findLinks(`before ${text} after`);
		expect(links).toHaveLength(1);
		expect(links[0]).toMatchObject({ linkPath, kind, embed });
	});

	it.each([
		["fenced code", "```\n[[Old]] [t](Old.md)\n```\n"],
		["inline code", "see `[[Old]]` and ``[t](Old.md)``"],
		["external", "[site](https://example.com/Old.md) [mail](mailto:a@b.c)"],
		["same-note heading", "[[#Heading]] [t](#heading)"],
	])("ignores %s", (_name, text) => {
		expect(findLinks(text)).toEqual([]);
	});
});

describe("resolveLink", () => {
	const paths = ["Inbox/Old.md", "Inbox/My Note.md", "Archive/Old.md", "Travel/京都.md", "a/b/Deep.md", "Root.md", "pics/a b.png"];
	it.each([
		["Old", "Inbox/x.md", "Inbox/Old.md"],
		["Old", "Travel/x.md", "Inbox/Old.md"], // same depth: the shorter path
		["old", "Inbox/x.md", "Inbox/Old.md"],
		["Archive/Old", "Inbox/x.md", "Archive/Old.md"],
		["Old.md", "Archive/y.md", "Archive/Old.md"],
		["../Archive/Old.md", "Inbox/x.md", "Archive/Old.md"],
		["./Old.md", "Archive/x.md", "Archive/Old.md"],
		["./Old.md", "Travel/x.md", null],
		["b/Deep", "Inbox/x.md", "a/b/Deep.md"],
		["Deep", "Root.md", "a/b/Deep.md"],
		["京都", "Inbox/x.md", "Travel/京都.md"],
		["My Note.md", "Travel/x.md", "Inbox/My Note.md"],
		["../pics/a b.png", "Inbox/x.md", "pics/a b.png"],
		["Missing", "Inbox/x.md", null],
		["../../../Old.md", "Inbox/x.md", null],
	])("%s from %s", (link, from, expected) => {
		expect(resolveLink(link, from, paths)).toBe(expected);
	});
});

describe("rewriteLinks", () => {
	const before = ["Inbox/Old.md", "Inbox/Linker.md", "Inbox/2020-01-01-post.md", "Other/Old.md", "pics/p.png"];
	const moves = new Map([
		["Inbox/Old.md", "Travel/Old.md"],
		["Inbox/2020-01-01-post.md", "AI/My Post.md"],
		["Inbox/Linker.md", "Daily/Linker.md"],
	]);
	const newPathOf = (p: string): string => moves.get(p) ?? p;
	const context = { before: pathIndex(before), after: pathIndex(before.map(newPathOf)), newPathOf };

	it.each([
		["[[Old]]", "[[Travel/Old]]"], // "Old" alone would now find Other/Old.md (same depth and length, alphabetical)
		["[[Old|alias]]", "[[Travel/Old|alias]]"],
		["![[Old#Part]]", "![[Travel/Old#Part]]"],
		["[[2020-01-01-post]]", "[[My Post]]"],
		["[[Inbox/2020-01-01-post|p]]", "[[AI/My Post|p]]"],
		["[t](2020-01-01-post.md)", "[t](My%20Post.md)"],
		["[t](<2020-01-01-post.md>)", "[t](<My Post.md>)"],
		["[t](../pics/p.png)", "[t](../pics/p.png)"],
		["[t](../Other/Old.md)", "[t](../Other/Old.md)"],
		["[[Other/Old]]", "[[Other/Old]]"],
		["[[Missing]]", "[[Missing]]"],
		["`[[Old]]`", "`[[Old]]`"],
	])("%s → %s", (link, expected) => {
		const result = rewriteLinks(`x ${link} y`, "Inbox/Linker.md", "Daily/Linker.md", context);
		expect(result.text).toBe(`x ${expected} y`);
		expect(result.unfixable).toEqual([]);
	});

	it("every link that resolved before resolves to the same file after", () => {
		const text = "[[Old]] [[2020-01-01-post]] [a](Old.md) [b](../Other/Old.md) ![[p.png]] [c](./Old.md)";
		const result = rewriteLinks(text, "Inbox/Linker.md", "Daily/Linker.md", context);
		const links = ["Old", "2020-01-01-post", "Old.md", "../Other/Old.md", "p.png", "./Old.md"];
		const rewritten = [...result.text.matchAll(/\[\[([^\]|#]+)|\]\(([^)]+)\)/g)].map((m) => decodeURIComponent(m[1] ?? m[2]!));
		expect(rewritten).toHaveLength(links.length);
		for (const [index, link] of links.entries()) {
			const target = resolveLink(link, "Inbox/Linker.md", before);
			expect(target).not.toBeNull();
			expect(resolveLink(rewritten[index]!, "Daily/Linker.md", before.map(newPathOf))).toBe(newPathOf(target!));
		}
	});
});
