import { describe, expect, it } from "vitest";
import { parseNote } from "../../../../src/core/organize/frontmatter/parse-note";
import { renderNote } from "../../../../src/core/organize/frontmatter/render-note";

describe("parseNote", () => {
	it.each([
		["no frontmatter", "# Hi\ntext\n", false, {}, "# Hi\ntext\n"],
		["simple", "---\ntitle: A\ntags: [x]\n---\nbody\n", true, { title: "A", tags: ["x"] }, "body\n"],
		["empty block", "---\n---\nbody", true, {}, "body"],
		["CRLF", "---\r\ntitle: A\r\n---\r\nbody\r\n", true, { title: "A" }, "body\r\n"],
		["BOM", "\uFEFF---\ntitle: A\n---\nbody", true, { title: "A" }, "body"],
		["unclosed fence is body", "---\ntitle: A\nbody", false, {}, "---\ntitle: A\nbody"],
		["dates stay strings", "---\ncreated: 2024-01-05\n---\n", true, { created: "2024-01-05" }, ""],
		["Japanese", "---\ntitle: 旅行の計画\n---\n本文\n", true, { title: "旅行の計画" }, "本文\n"],
	])("%s", (_name, text, hasFrontmatter, frontmatter, body) => {
		const result = parseNote(text);
		expect(result.ok).toBe(true);
		if (!result.ok) return;
		expect(result.note.hasFrontmatter).toBe(hasFrontmatter);
		expect(result.note.frontmatter).toEqual(frontmatter);
		expect(result.note.body).toBe(body);
		expect(result.note.prefix + result.note.body).toBe(text);
	});

	it.each([
		// The line named is the one to fix (the yaml package named the line before it, or the end of the block).
		["bad indentation", "---\ntitle: A\n  bad: : x\n---\n", 3],
		["unclosed quote", '---\ntitle: "A\nother: 1\n---\n', 2],
		["duplicate key", "---\na: 1\na: 2\n---\n", 3],
		["not a map", "---\n- a\n- b\n---\n", 2],
		// The YAML library throws these from toJS (a ReferenceError, a RangeError): they were a crash of the caller.
		["an alias with no anchor", "---\ntitle: *nowhere\n---\nbody\n", 2],
		[
			"too many aliases (a billion-laughs note)",
			"---\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n---\n",
			2,
		],
	])("fails on %s with a line and a reason", (_name, text, line) => {
		const result = parseNote(text);
		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.line).toBe(line);
		expect(result.reason.length).toBeGreaterThan(3);
	});

	it("keeps key order, comments and untouched keys when rendering changes", () => {
		const text = "---\nzeta: 1 # keep me\ntitle: 'Quoted'\nlayout: post\n2023: year\n---\nbody\n";
		const parsed = parseNote(text);
		if (!parsed.ok) throw new Error("parse failed");
		const out = renderNote(
			parsed.note,
			[
				{ key: "layout", kind: "remove", before: "post" },
				{ key: "tags", kind: "add", after: ["a", "b"] },
			],
			parsed.note.body,
		);
		expect(out).toBe("---\nzeta: 1 # keep me\ntitle: 'Quoted'\n2023: year\ntags:\n  - a\n  - b\n---\nbody\n");
		expect(renderNote(parsed.note, [], "new body")).toBe(parsed.note.prefix + "new body");
	});

	it("creates a block for a note without frontmatter and keeps CRLF", () => {
		const parsed = parseNote("line\r\nmore\r\n");
		if (!parsed.ok) throw new Error("parse failed");
		expect(renderNote(parsed.note, [{ key: "normalized", kind: "add", after: true }], parsed.note.body)).toBe(
			"---\r\nnormalized: true\r\n---\r\nline\r\nmore\r\n",
		);
	});
});
