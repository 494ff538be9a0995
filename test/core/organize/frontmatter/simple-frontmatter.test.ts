import { describe, expect, it } from "vitest";
import { parseNote, parseNoteData } from "../../../../src/core/organize/frontmatter/parse-note";
import { readSimpleFrontmatter } from "../../../../src/core/organize/frontmatter/simple-frontmatter";

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
	return () => {
		seed = (seed + 0x6d2b79f5) | 0;
		let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const KEYS = [
	"title",
	"tags",
	"aliases",
	"source",
	"source_id",
	"created",
	"n",
	"_x",
	"a-b",
	"null",
	"true",
	"Yes",
	"y",
	"toString",
	"__proto__",
	"1a",
	"é",
	"key with space",
];
/** Values of every kind the fast reader takes or refuses: quoted, plain, numbers, dates, YAML syntax of all sorts. */
const VALUES = [
	"plain",
	"alpha, beta",
	"two  spaces",
	"trailing   ",
	'"Debug Python asyncio function #1999"',
	'"with \\" escape"',
	'"with \\n escape"',
	'"unclosed',
	"'single'",
	"'it''s'",
	"''",
	'""',
	"https://chatgpt.com/c/9fc97b62-c53b",
	"2025-03-25T07:15:24+00:00",
	"2025-03-25",
	"2025-03-25 07:15",
	"2025-13-45",
	"3",
	"007",
	"0",
	"123456789012345",
	"1234567890123456789",
	"-5",
	"+5",
	"1.5",
	"1e5",
	".5",
	".inf",
	".NaN",
	"0x1F",
	"0o17",
	"1_000",
	"~",
	"null",
	"Null",
	"NULL",
	"nUll",
	"true",
	"False",
	"yes",
	"no",
	"on",
	"C#",
	"a # comment",
	"a: b",
	"a:b",
	"ends:",
	"[a, b]",
	"{a: 1}",
	"&anchor x",
	"*alias",
	"!tag x",
	"|",
	">",
	"%x",
	"@x",
	"`x`",
	"? x",
	"- x",
	"-x",
	"日本語のタイトル",
	"emoji 🙂",
	"it's fine",
	'say "hi"',
	"a, b, [c]",
	"x\u2028y",
	"tab\there",
	"",
	" ",
];

function line(rnd: () => number): string {
	const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
	const roll = rnd();
	if (roll < 0.55) return `${pick(KEYS)}:${pick(["", " ", "  "])}${pick(VALUES)}`;
	if (roll < 0.75) {
		const indent = pick(["", " ", "  ", "  ", "    "]);
		return [
			`${pick(KEYS)}:`,
			...Array.from({ length: Math.floor(rnd() * 4) }, () => `${rnd() < 0.9 ? indent : "   "}-${pick([" ", "", "  "])}${pick(VALUES)}`),
		].join("\n");
	}
	if (roll < 0.8) return `${pick(KEYS)}:`;
	if (roll < 0.84) return pick(["", "# comment", "  continued", "---x", "...", "%YAML 1.2", "key :x", "  key: indented", "\tkey: tab"]);
	return `${pick(KEYS)}: ${pick(VALUES)}`;
}

describe("readSimpleFrontmatter", () => {
	it("gives what the YAML parser gives, or nothing, on 6,000 generated frontmatters", () => {
		const rnd = random(20261206);
		let fast = 0;
		let failures = 0;
		for (let round = 0; round < 6000; round++) {
			const yaml = Array.from({ length: 1 + Math.floor(rnd() * 6) }, () => line(rnd)).join("\n");
			const eol = rnd() < 0.1 ? "\r\n" : "\n";
			const text = `---${eol}${yaml.split("\n").join(eol)}${eol}---${eol}# Body${eol}text${eol}`;
			const context = JSON.stringify(text);
			let full: ReturnType<typeof parseNote>;
			try {
				full = parseNote(text);
			} catch (error) {
				// The parser throws on some input (an alias to no anchor): the data reader must throw the same.
				expect(() => parseNoteData(text), context).toThrow((error as Error).message);
				failures++;
				continue;
			}
			const data = parseNoteData(text);
			if (!full.ok) {
				failures++;
				expect(data, context).toEqual(full);
				continue;
			}
			expect(data.ok, context).toBe(true);
			if (!data.ok) continue;
			expect(data.note.frontmatter, context).toStrictEqual(full.note.frontmatter);
			expect(Object.keys(data.note.frontmatter), context).toEqual(Object.keys(full.note.frontmatter));
			const { document: _document, frontmatter: _full, ...rest } = full.note;
			const { frontmatter: _data, ...restData } = data.note as typeof data.note & { document?: unknown };
			delete (restData as { document?: unknown }).document;
			expect(restData, context).toEqual(rest);
			if (readSimpleFrontmatter(yaml) !== null) fast++;
		}
		// Both paths are exercised: the fast reader answers often, the parser fails often.
		expect(fast).toBeGreaterThan(300);
		expect(failures).toBeGreaterThan(600);
	}, 120_000);

	it("reads an imported note's frontmatter itself", () => {
		const yaml = [
			'title: "Debug Python asyncio function #1999"',
			"aliases:",
			'  - "Debug Python asyncio function #1999"',
			"source: chatgpt",
			"source_id: 9fc97b62-c53b-48d6-a883-9dd4dd8e07f8",
			"url: https://chatgpt.com/c/9fc97b62-c53b-48d6-a883-9dd4dd8e07f8",
			"created: 2025-03-25T07:15:24+00:00",
			"message_count: 3",
			"tags:",
			"  - ai-chat",
			"  - chatgpt",
			'summary: "Array config stream at pipeline async token…"',
			"file_id: a44d57ae46f0",
			"",
		].join("\n");
		const data = readSimpleFrontmatter(yaml);
		expect(data).toStrictEqual({
			title: "Debug Python asyncio function #1999",
			aliases: ["Debug Python asyncio function #1999"],
			source: "chatgpt",
			source_id: "9fc97b62-c53b-48d6-a883-9dd4dd8e07f8",
			url: "https://chatgpt.com/c/9fc97b62-c53b-48d6-a883-9dd4dd8e07f8",
			created: "2025-03-25T07:15:24+00:00",
			message_count: 3,
			tags: ["ai-chat", "chatgpt"],
			summary: "Array config stream at pipeline async token…",
			file_id: "a44d57ae46f0",
		});
		const full = parseNote(`---\n${yaml}---\nbody\n`);
		expect(full.ok && full.note.frontmatter).toStrictEqual(data);
	});
});
