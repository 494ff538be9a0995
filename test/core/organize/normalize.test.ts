import { describe, expect, it } from "vitest";
import { normalizeFileName, stripDatePrefix } from "../../../src/core/organize/normalize-file-name";
import { deriveTitle, normalizeFrontmatter, normalizeTags, plainText } from "../../../src/core/organize/normalize-frontmatter";

describe("normalizeFileName", () => {
	it.each([
		["2020-01-05-my-first-post", "my-first-post"],
		["2020_01_05_notes", "notes"],
		["2024-01-05", "2024-01-05"],
		["What: is this?", "What is this"],
		["C/C++ tips", "C-C++ tips"],
		["京都旅行 2024", "京都旅行 2024"],
		["[[Link]] #tag", "Link tag"],
	])("%s → %s", (title, expected) => {
		expect(normalizeFileName(title)).toBe(expected);
		expect(normalizeFileName(normalizeFileName(title))).toBe(expected);
	});

	it("reports the date it removed", () => {
		expect(stripDatePrefix("2020-01-05-post")).toEqual({ stem: "post", date: "2020-01-05" });
	});
});

describe("normalizeTags", () => {
	it.each([
		[undefined, []],
		["a, b c", ["a", "b", "c"]],
		[
			["#a", "a", 1],
			["a", "1"],
		],
		[null, []],
	])("%j", (value, expected) => {
		expect(normalizeTags(value)).toEqual(expected);
	});
});

describe("deriveTitle", () => {
	it.each([
		["# Heading\ntext", "a/2020-01-01-file.md", "Heading"],
		["```\n# not a heading\n```\ntext", "a/2020-01-01-file.md", "file"],
		["no heading", "x/旅行メモ.md", "旅行メモ"],
	])("%j", (body, path, title) => {
		expect(deriveTitle(body, path)).toBe(title);
	});
});

describe("plainText", () => {
	it.each([
		["See [[Note|the note]] and [[Other#h]]", "See the note and Other"],
		["A [link](x.md) and ![img](p.png)", "A link and img"],
		["**bold** `code` ~~x~~", "bold code x"],
	])("%s", (markdown, expected) => {
		expect(plainText(markdown)).toBe(expected);
	});
});

describe("normalizeFrontmatter", () => {
	const base = { body: "# Title\n\nFirst paragraph.\n", path: "Inbox/2021-03-04-post.md", genre: "travel", fallbackDate: "2000-01-01" };

	it("adds every required key in order and removes Jekyll leftovers, keeping other keys", () => {
		const result = normalizeFrontmatter({
			...base,
			frontmatter: { layout: "post", custom: 1, title: "Post", permalink: "/p", tags: "a, b", draft: false },
		});
		expect(result.title).toBe("Post");
		expect(result.changes).toEqual([
			{ key: "layout", kind: "remove", before: "post" },
			{ key: "permalink", kind: "remove", before: "/p" },
			{ key: "tags", kind: "update", before: "a, b", after: ["a", "b"] },
			{ key: "draft", kind: "remove", before: false },
			{ key: "created", kind: "add", after: "2021-03-04" },
			{ key: "summary", kind: "add", after: "First paragraph." },
			{ key: "file_id", kind: "add", after: expect.stringMatching(/^[0-9a-f]{12}$/) as unknown },
			{ key: "genre", kind: "add", after: "travel" },
			{ key: "topic", kind: "add", after: "" },
			{ key: "normalized", kind: "add", after: true },
		]);
	});

	it("never changes an existing file_id and is idempotent", () => {
		const frontmatter = {
			title: "T",
			created: "2020-01-01",
			tags: [],
			summary: "",
			file_id: "keep",
			genre: "travel",
			topic: "",
			normalized: true,
		};
		expect(normalizeFrontmatter({ ...base, frontmatter }).changes).toEqual([]);
	});

	it("gives the title from the body (read when asked: the title rule off derives it only then), the frontmatter's first", () => {
		expect(normalizeFrontmatter({ ...base, frontmatter: {} }).title).toBe("Title");
		const off = normalizeFrontmatter({ ...base, frontmatter: {}, rules: [] });
		expect(off.changes).toEqual([]);
		expect(off.title).toBe("Title");
		expect(normalizeFrontmatter({ ...base, body: "No heading.\n", frontmatter: {}, rules: [] }).title).toBe("post");
		expect(normalizeFrontmatter({ ...base, frontmatter: { title: "Own" }, rules: ["title"] }).title).toBe("Own");
		expect(normalizeFrontmatter({ ...base, frontmatter: {}, rules: ["title"] }).changes).toEqual([
			{ key: "title", kind: "add", after: "Title" },
		]);
	});

	it("uses a Jekyll date for created", () => {
		const result = normalizeFrontmatter({ ...base, path: "a.md", frontmatter: { date: "2019-05-06 10:00:00 +0900" } });
		expect(result.changes).toContainEqual({ key: "created", kind: "add", after: "2019-05-06" });
	});
});
