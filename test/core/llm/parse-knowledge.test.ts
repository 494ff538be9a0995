import { describe, expect, it } from "vitest";
import { classifyHeading, parseKnowledge, parseTags, stripOuterFence } from "../../../src/core/llm/parse-knowledge";

const WELL_FORMED = `## Title
Docker bridge networks

## Summary
How containers on a user-defined bridge find each other.

## Tags
docker, networking, dns

## Content
### Create a network
\`\`\`bash
docker network create app
\`\`\`
Containers resolve each other by name.`;

const CODE_WITH_HEADINGS = `## Title
Shell comments

## Summary
Comments in scripts.

## Tags
bash

## Content
Example:
\`\`\`bash
# Title
## Summary
echo hi
\`\`\`
After the code.`;

interface Case {
	name: string;
	reply: string;
	title?: string;
	summary?: string;
	tags?: string[];
	content?: string | RegExp;
	missing?: string[];
	unclosed?: boolean;
}

const cases: Case[] = [
	{
		name: "well formed",
		reply: WELL_FORMED,
		title: "Docker bridge networks",
		summary: "How containers on a user-defined bridge find each other.",
		tags: ["docker", "networking", "dns"],
		content: "### Create a network\n```bash\ndocker network create app\n```\nContainers resolve each other by name.",
		missing: [],
		unclosed: false,
	},
	{
		name: "fenced as markdown",
		reply: "```markdown\n" + WELL_FORMED + "\n```",
		title: "Docker bridge networks",
		missing: [],
		unclosed: false,
		content: /docker network create app\n```\nContainers/,
	},
	{ name: "fenced, bare fence", reply: "```\n" + WELL_FORMED + "\n```\n", title: "Docker bridge networks", missing: [], unclosed: false },
	{
		name: "fenced with chatter before and after",
		reply: "Here is the note:\n\n```md\n" + WELL_FORMED + "\n```\nHope this helps!",
		title: "Docker bridge networks",
		missing: [],
		unclosed: false,
	},
	{ name: "unclosed outer fence", reply: "```markdown\n" + WELL_FORMED, title: "Docker bridge networks", missing: [], unclosed: true },
	{
		name: "unclosed outer fence ending with an inner block",
		reply: "```markdown\n## Title\nT\n## Summary\nS\n## Tags\na\n## Content\n```bash\nls\n```",
		content: "```bash\nls\n```",
		unclosed: true,
	},
	{
		name: "outer four-backtick fence around three-backtick code",
		reply: "````markdown\n## Title\nT\n## Summary\nS\n## Tags\na\n## Content\n```\nx\n```\n````",
		content: "```\nx\n```",
		unclosed: false,
	},
	{
		name: "outer fence with a bare inner block",
		reply: "```markdown\n## Title\nT\n## Summary\nS\n## Tags\na\n## Content\nRun:\n```\nmake\n```\nDone.\n```",
		content: "Run:\n```\nmake\n```\nDone.",
		unclosed: false,
	},
	{
		name: "truncated inside a code block",
		reply: "## Title\nT\n## Summary\nS\n## Tags\na\n## Content\n```bash\nrm -rf bu",
		unclosed: true,
		missing: [],
	},
	{
		name: "headings inside code are content",
		reply: CODE_WITH_HEADINGS,
		title: "Shell comments",
		summary: "Comments in scripts.",
		content: /# Title\n## Summary\necho hi\n```\nAfter the code\./,
		missing: [],
	},
	{
		name: "missing summary and tags",
		reply: "## Title\nOnly a title\n\n## Content\nBody text.",
		missing: ["summary", "tags"],
		title: "Only a title",
		content: "Body text.",
	},
	{
		name: "empty sections count as missing",
		reply: "## Title\n\n## Summary\n   \n## Tags\n\n## Content\nx",
		missing: ["title", "summary", "tags"],
	},
	{ name: "empty reply", reply: "  \n ", missing: ["title", "summary", "tags", "content"] },
	{
		name: "no headings at all",
		reply: "Just some prose about things.",
		missing: ["title", "summary", "tags"],
		content: "Just some prose about things.",
	},
	{
		name: "levels #, ### and case variants",
		reply: "# TITLE\nUpper\n### summary:\nLower\n# **Tags**\n#a, #b\n## CONTENT\nC",
		title: "Upper",
		summary: "Lower",
		tags: ["a", "b"],
		content: "C",
		missing: [],
	},
	{
		name: "inline values and numbered headings",
		reply: "## Title: Inline Title\n## 2. Summary\nS.\n## Tags: x, y\n## Content\nC",
		title: "Inline Title",
		tags: ["x", "y"],
		summary: "S.",
		missing: [],
	},
	{
		name: "Japanese section names",
		reply: "## タイトル\nDocker のネットワーク\n## 要約\n説明。\n## タグ\ndocker、ネットワーク\n## 内容\n本文",
		title: "Docker のネットワーク",
		summary: "説明。",
		tags: ["docker", "ネットワーク"],
		content: "本文",
		missing: [],
	},
	{
		name: "H1 title before the sections (the original format)",
		reply: "# Git rebase basics\n\n## Summary\nS\n## Tags\ngit\n## Content\nC",
		title: "Git rebase basics",
		missing: [],
	},
	{
		name: "subsections inside content stay content, even with section-like names",
		reply: "## Title\nT\n## Summary\nS\n## Tags\na\n## Content\n### Summary of steps\n1. one\n### Tags in git\ntext",
		content: "### Summary of steps\n1. one\n### Tags in git\ntext",
		summary: "S",
	},
	{
		name: "content first, then summary at the same level",
		reply: "## Title\nT\n## Content\nBody\n## Summary\nLate summary\n## Tags\nz",
		content: "Body",
		summary: "Late summary",
		tags: ["z"],
		missing: [],
	},
	{ name: "title cleaned of bold and quotes", reply: '## Title\n**"Quoted"**\n## Summary\nS\n## Tags\na\n## Content\nC', title: "Quoted" },
	{ name: "CRLF line endings", reply: WELL_FORMED.replace(/\n/g, "\r\n"), title: "Docker bridge networks", missing: [] },
	{
		name: "a python-fenced reply is not unwrapped",
		reply: "```python\nprint(1)\n```",
		missing: ["title", "summary", "tags"],
		content: "```python\nprint(1)\n```",
	},
];

describe("parseKnowledge", () => {
	it.each(cases)("$name", (c) => {
		const parsed = parseKnowledge(c.reply);
		if ("title" in c) expect(parsed.title).toBe(c.title);
		if ("summary" in c) expect(parsed.summary).toBe(c.summary);
		if (c.tags) expect(parsed.tags).toEqual(c.tags);
		if (typeof c.content === "string") expect(parsed.content).toBe(c.content);
		else if (c.content) expect(parsed.content).toMatch(c.content);
		if (c.missing) expect(parsed.missing).toEqual(c.missing);
		if (c.unclosed !== undefined) {
			expect(parsed.unclosedFence).toBe(c.unclosed);
			expect(parsed.problems.some((p) => p.includes("unclosed code fence"))).toBe(c.unclosed);
		}
	});
});

describe("parseTags", () => {
	it.each([
		["a, b, c", ["a", "b", "c"]],
		["#docker #k8s", ["docker", "k8s"]],
		["two words", ["two-words"]],
		["#docker, #k8s", ["docker", "k8s"]],
		["- one\n- two\n* three", ["one", "two", "three"]],
		["machine learning, Machine-Learning, `code`", ["machine-learning", "code"]],
		["日本語、テスト，x；y", ["日本語", "テスト", "x", "y"]],
		["\"quoted\", 'single'", ["quoted", "single"]],
		["", []],
	])("%j", (input, expected) => {
		expect(parseTags(input)).toEqual(expected);
	});
});

describe("classifyHeading", () => {
	it.each([
		["Title", "title"],
		["**Summary**", "summary"],
		["TL;DR", "summary"],
		["Keywords:", "tags"],
		["1. Content", "content"],
		["内容", "content"],
		["Key points", undefined],
		["Summary of the discussion", undefined],
	])("%s → %s", (text, section) => {
		expect(classifyHeading(text)?.section).toBe(section);
	});
});

describe("stripOuterFence", () => {
	it("leaves unfenced text alone", () => {
		expect(stripOuterFence("## Title\nx")).toEqual({ text: "## Title\nx", stripped: false, unclosed: false });
	});
	it("does not treat a fence after a heading as an outer fence", () => {
		expect(stripOuterFence("## Title\n```\nx\n```").stripped).toBe(false);
	});
	it("keeps content after a close followed by more blocks (no outer close there)", () => {
		const r = stripOuterFence("```\n## A\n```\nmiddle\n```js\nx\n```\nlast line\n```");
		expect(r.unclosed).toBe(false);
		expect(r.text).toBe("## A\n```\nmiddle\n```js\nx\n```\nlast line");
	});
});
