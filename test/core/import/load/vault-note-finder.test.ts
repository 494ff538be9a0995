import { describe, expect, it } from "vitest";
import { sourceIdentity } from "../../../../src/core/import/load/vault-note-finder";
import { stringifyFrontmatter } from "../../../../src/core/import/transform/frontmatter-yaml";
import { seededRandom } from "../../../support/seeded-random";

/** A note as the import writes it: frontmatter through the same writer, then a body. */
function note(sourceId: string, updated = "2025-03-01T10:00:00Z"): string {
	return `---\n${stringifyFrontmatter({ title: "A title", source: "claude", source_id: sourceId, updated, message_count: 2 })}---\n# A title\n\nbody\n`;
}

const PIECES = [
	"a",
	"Z",
	"0",
	"9",
	"-",
	"_",
	".",
	"/",
	":",
	": ",
	" ",
	"'",
	'"',
	"\\",
	"\\n",
	"\n",
	"\r\n",
	"\t",
	"#",
	" #",
	"{",
	"}",
	"[",
	"]",
	"|",
	">",
	"&",
	"*",
	"!",
	"%",
	"@",
	"`",
	",",
	"?",
	"---",
	"é",
	"日本語",
	"🙂",
	"\u202e",
	"\u00a0",
	"null",
	"true",
	"0x1F",
	"1e5",
	"123",
];

function randomId(next: () => number): string {
	const length = 1 + Math.floor(next() * 8);
	let id = "";
	for (let i = 0; i < length; i++) id += PIECES[Math.floor(next() * PIECES.length)]!;
	return id;
}

describe("sourceIdentity reads back the source_id the import wrote", () => {
	it.each([
		"8a1c2f3e-0000-4bcd-9ef0-123456789abc",
		"conv-00001",
		"it's",
		'say "hi"',
		"back\\slash",
		"a: b",
		"ends with colon:",
		"line one\nline two",
		"trailing space ",
		" leading space",
		"#hash",
		"- dash",
		"日本語のID",
		"🙂",
		"123",
		"0123",
		"1e5",
		"true",
		"null",
		"'",
		'"',
		"''",
	])("%j", (id) => {
		expect(sourceIdentity(note(id))).toEqual({ source: "claude", sourceId: id, updated: "2025-03-01T10:00:00Z" });
	});

	it("round-trips 3,000 seeded ids built from quotes, backslashes, colons, newlines, YAML indicators and non-ASCII", () => {
		for (let seed = 1; seed <= 3000; seed++) {
			const id = randomId(seededRandom(seed));
			if (id.trim() === "" && id !== " ") continue;
			const read = sourceIdentity(note(id));
			expect(read?.sourceId, `seed ${seed}: ${JSON.stringify(id)}`).toBe(id);
		}
	});

	it("is null for a note without frontmatter, without source_id, or with broken YAML around a quoted id", () => {
		expect(sourceIdentity("# just a note\n")).toBeNull();
		expect(sourceIdentity("---\nsource: claude\n---\nbody\n")).toBeNull();
		expect(sourceIdentity('---\nsource: claude\nsource_id: "unclosed\n---\nbody\n')).toBeNull();
	});
});
