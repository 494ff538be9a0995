import { describe, expect, it } from "vitest";
import { editFrontmatter, FrontmatterError, splitFrontmatter } from "../../../src/core/notes/frontmatter";

describe("splitFrontmatter", () => {
	it.each([
		["no frontmatter", "# Title\nbody\n", null, "# Title\nbody\n"],
		["simple block", "---\na: 1\n---\nbody\n", "a: 1", "body\n"],
		["CRLF", "---\r\na: 1\r\n---\r\nbody", "a: 1", "body"],
		["empty block", "---\n---\nbody", "", "body"],
		["rule later in the note is not frontmatter", "text\n---\na: 1\n---\n", null, "text\n---\na: 1\n---\n"],
	])("%s", (_name, text, yaml, body) => {
		expect(splitFrontmatter(text)).toEqual({ yaml, body });
	});
});

describe("editFrontmatter", () => {
	it("keeps untouched keys, their order and comments; rewrites changed keys; appends new ones", () => {
		const note = "---\n# my comment\ntitle: Old\ncustom: [a, b]   # keep\ndraft: true\n---\nBody text\n";
		const out = editFrontmatter(note, (fm) => {
			fm.title = "New";
			delete fm.draft;
			fm.tags = ["x"];
		});
		// Untouched lines keep their bytes (the yaml package wrote `custom: [ a, b ] # keep`).
		expect(out).toBe("---\n# my comment\ntitle: New\ncustom: [a, b]   # keep\ntags:\n  - x\n---\nBody text\n");
	});

	it("adds frontmatter to a note that had none, leaving the body byte-identical", () => {
		const body = "Line 1  \n\n\n```\ncode\n```\n";
		expect(editFrontmatter(body, (fm) => (fm.title = "T"))).toBe(`---\ntitle: T\n---\n${body}`);
	});

	it("returns the text unchanged when nothing changes", () => {
		const note = "---\ntitle:   spaced\n---\nx";
		expect(editFrontmatter(note, () => undefined)).toBe("---\ntitle:   spaced\n---\nx");
	});

	it("throws FrontmatterError with a line for invalid YAML", () => {
		const note = "---\ntitle: ok\nbad: [unclosed\n---\nbody";
		expect(() => editFrontmatter(note, () => undefined)).toThrow(FrontmatterError);
		try {
			editFrontmatter(note, () => undefined);
		} catch (error) {
			expect((error as FrontmatterError).line).toBeGreaterThanOrEqual(2);
		}
	});

	it("throws FrontmatterError (not the YAML library's ReferenceError) for an alias with no anchor", () => {
		expect(() => editFrontmatter("---\ntitle: *nowhere\n---\nbody", (fm) => (fm.genre = "x"))).toThrow(FrontmatterError);
	});
});
