/**
 * parseNoteData reads a frontmatter of plain `key: value` lines without the YAML parser (flatFrontmatter). On
 * generated notes it must give exactly what parseNote gives (the YAML parser): the same data, key order and value
 * types, the same body and prefix, and the same failure where parseNote fails.
 */
import { describe, expect, it } from "vitest";
import { flatFrontmatter, parseNote, parseNoteData } from "../../../../src/core/organize/frontmatter/parse-note";

/** Seeded xorshift32: the same inputs every run. */
function generator(seed: number): (n: number) => number {
	let state = seed;
	return (n) => {
		state ^= state << 13;
		state ^= state >>> 17;
		state ^= state << 5;
		return (state >>> 0) % n;
	};
}

function same(a: unknown, b: unknown): boolean {
	if (typeof a === "number" && typeof b === "number") return Object.is(a, b);
	if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return a === b;
	if (Array.isArray(a) !== Array.isArray(b)) return false;
	if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((x, i) => same(x, (b as unknown[])[i]));
	if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
	const ka = Object.keys(a);
	const kb = Object.keys(b);
	return (
		ka.length === kb.length && ka.every((k, i) => k === kb[i] && same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
	);
}

const KEYS = [
	"tags",
	"title",
	"a",
	"A1",
	"_k",
	"x-y",
	"file_id",
	"null",
	"Null",
	"true",
	"FALSE",
	"__proto__",
	"constructor",
	"日本",
	"-a",
	"a b",
	"1",
];
const SEPARATORS = [": ", ":  ", ":", ": \t", " : ", ":\t"];
const VALUES = [
	"alpha, beta",
	"b",
	"Note 12",
	"a  b",
	"e1",
	"x.y",
	"a/b",
	"a-b_c",
	"true",
	"True",
	"null",
	"Yes",
	"nan",
	"inf",
	"1",
	"1.5",
	".5",
	"0x1F",
	"-x",
	"a # c",
	"a#c",
	"a: b",
	"a:b",
	"x ",
	"'q'",
	'"q"',
	"[a, b]",
	"{a: 1}",
	"&a x",
	"*a",
	"! x",
	"|",
	">",
	"@x",
	"%x",
	"é",
	"",
];
const LINE_ENDS = ["\n", "\n", "\n", "\r\n", " \n", "\t\n"];
const EXTRA_LINES = ["  indented\n", "# comment\n", "\n", "- item\n", "  - item\n", "...\n", "--- \n"];

describe("parseNoteData's flat frontmatter", () => {
	it("reads 30,000 generated notes as parseNote does", () => {
		const next = generator(20261207);
		const pick = <T>(list: readonly T[]): T => list[next(list.length)]!;
		let flat = 0;
		let failed = 0;
		for (let round = 0; round < 30_000; round++) {
			let yaml = "";
			for (let lines = next(5); lines > 0; lines--) {
				if (next(8) === 0) yaml += pick(EXTRA_LINES);
				else if (next(3) === 0) yaml += `${pick(KEYS)}${pick(SEPARATORS)}${pick(VALUES)}${pick(LINE_ENDS)}`;
				else yaml += `${pick(KEYS.slice(0, 7))}: ${pick(VALUES.slice(0, 18))}\n`;
			}
			const text = `${next(10) === 0 ? "---\r\n" : "---\n"}${yaml}---\n# Body\n\nText.\n`;
			const expected = parseNote(text);
			const got = parseNoteData(text);
			if (text.startsWith("---\n") && flatFrontmatter(yaml) !== null) flat++;
			expect(got.ok, JSON.stringify(text)).toBe(expected.ok);
			if (!got.ok || !expected.ok) {
				failed++;
				expect(got, JSON.stringify(text)).toEqual(expected);
				continue;
			}
			const { yaml: _yaml, ...data } = expected.note;
			expect(same(got.note.frontmatter, data.frontmatter), JSON.stringify(text)).toBe(true);
			const { yaml: _gotYaml, ...gotData } = got.note as typeof expected.note;
			expect({ ...gotData, frontmatter: null }, JSON.stringify(text)).toEqual({ ...data, frontmatter: null });
		}
		// All three kinds are exercised: read flat, read by the parser, refused.
		expect(flat).toBeGreaterThan(5_000);
		expect(failed).toBeGreaterThan(1_000);
		expect(30_000 - flat - failed).toBeGreaterThan(5_000);
	});

	it("the bench's frontmatter and a plain one read flat; others go to the parser", () => {
		expect(flatFrontmatter("tags: alpha, beta\n")).toEqual({ tags: "alpha, beta" });
		expect(flatFrontmatter("title: Note 1\nn: 12\nb: true\n")).toEqual({ title: "Note 1", n: 12, b: true });
		expect(flatFrontmatter("tags: [a]\n")).toBeNull();
		expect(flatFrontmatter("a: b\na: c\n")).toBeNull();
		expect(flatFrontmatter("")).toBeNull();
	});
});
