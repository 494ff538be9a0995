import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Document, isScalar, isSeq, parse, Scalar, visit } from "yaml";
import { describe, expect, it } from "vitest";
import { ConversationSchema } from "../../../../src/core/model/conversation";
import {
	fastStringifyFrontmatter,
	stringifyFrontmatter,
	stringifyFrontmatterFully,
} from "../../../../src/core/import/transform/frontmatter-yaml";
import { renderNote } from "../../../../src/core/import/transform/render-note";
import { seededRandom } from "../../../support/seeded-random";

/**
 * The reference: what the `yaml` library wrote for our notes before we wrote our own writer (the free-text keys'
 * strings forced to double quotes). Both our writers must give exactly this.
 */
function stringifyFrontmatterWithYaml(frontmatter: Readonly<Record<string, unknown>>): string {
	const quoted = new Set(["title", "aliases", "summary"]);
	const doc = new Document(frontmatter);
	visit(doc, {
		Pair(_key, pair) {
			if (!isScalar(pair.key) || !quoted.has(String(pair.key.value))) return;
			const quote = (node: unknown): void => {
				if (isScalar(node) && typeof node.value === "string") node.type = Scalar.QUOTE_DOUBLE;
			};
			quote(pair.value);
			if (isSeq(pair.value)) pair.value.items.forEach(quote);
		},
	});
	return doc.toString({ lineWidth: 0, minContentWidth: 0 });
}

/** A frontmatter as renderNote writes it (plus the LLM transform's extra keys). */
const BASE: Record<string, unknown> = {
	title: "Rsync backup script",
	aliases: ["Rsync backup script"],
	source: "claude",
	source_id: "3f2a9c1e-1234-4bcd-9abc-0123456789ab",
	created: "2024-05-01T10:22:00.000Z",
	updated: "2024-05-02T08:00:00.000Z",
	message_count: 12,
	model: "claude-3-5-sonnet-20241022",
	models: ["claude-3-5-sonnet-20241022", "gpt-4o"],
	tags: ["ai-chat", "claude"],
	summary: "How to back up a home directory with rsync.",
	file_id: "0123456789ab",
	llm_model: "anthropic/claude-3.5-haiku:beta",
	review_reason: "the model gave no title",
	session: "20240501_120000",
};

/** Where a hostile string can land: a double-quoted key, an item of a quoted list, plain keys, plain list items. */
const SLOTS: ((fm: Record<string, unknown>, v: string) => void)[] = [
	(fm, v) => (fm.title = v),
	(fm, v) => (fm.aliases = [v, "second"]),
	(fm, v) => (fm.summary = v),
	(fm, v) => (fm.source_id = v),
	(fm, v) => (fm.model = v),
	(fm, v) => (fm.tags = ["ai-chat", v]),
	(fm, v) => (fm.models = [v]),
	(fm, v) => (fm.session = v),
	(fm, v) => (fm.review_reason = v),
];

const NASTY: string[] = [
	"",
	" ",
	"  leading",
	"trailing  ",
	'say "hi"',
	"it's",
	`both " and '`,
	"back\\slash",
	"\\",
	"key: value",
	"ends with colon:",
	"a:b",
	"http://example.com/x?y=1#z",
	"#hash",
	"not # a comment",
	"a #comment",
	"- dash",
	"-",
	"-x",
	"--",
	"---",
	"--- x",
	"...",
	"? q",
	"?",
	"?x",
	"!tag",
	"&anchor",
	"*alias",
	"@at",
	"`tick`",
	"%percent",
	"|pipe",
	">gt",
	"[x]",
	"{y}",
	"a, b",
	",",
	"~",
	"yes",
	"no",
	"Yes",
	"NO",
	"on",
	"off",
	"y",
	"n",
	"null",
	"Null",
	"NULL",
	"true",
	"True",
	"TRUE",
	"false",
	"0",
	"007",
	"123",
	"-5",
	"+5",
	"1.5",
	"1.",
	".5",
	"1e5",
	"1E+5",
	"1.5e-3",
	"0x1F",
	"0o17",
	"0b101",
	".inf",
	"-.Inf",
	".nan",
	"1_000",
	"12:30",
	"12:30:45",
	"2024-05-01",
	"2024-05-01T10:22:00.000Z",
	"2024-05-01 10:22",
	"20240501_120000",
	"3f2a9c1e-1234-4bcd-9abc-0123456789ab",
	"1234e567-89ab-cdef",
	"e",
	"E5",
	"face",
	"gpt-4o",
	"o1-preview",
	"claude-3.5-sonnet",
	"model:free",
	"tab\there",
	"new\nline",
	"cr\rreturn",
	"crlf\r\nx",
	"trailing newline\n",
	"space before \nnewline",
	"\u0000nul",
	"bell\u0007",
	"esc\u001b[0m",
	"vt\u000b",
	"del\u007f",
	"c1\u0085next",
	"nbsp\u00a0x",
	"line sep\u2028para sep\u2029",
	"\ufeffbom",
	"zero\u200bwidth",
	"🚀 launch 👩‍👩‍👧",
	"日本語のタイトル",
	"שלום עולם",
	"مرحبا بالعالم",
	"mixed \u202eRTL override\u202c",
	"lone high \ud800",
	"lone low \udc00 here",
	"\udbff",
	"é vs é",
	"x".repeat(5000),
	"word ".repeat(2000).trim(),
	`${"long title with: a colon ".repeat(100)}end`,
	`"${"q".repeat(300)}"`,
];

const check = (fm: Record<string, unknown>, label: string): void => {
	const reference = stringifyFrontmatterWithYaml(fm);
	const fast = fastStringifyFrontmatter(fm);
	if (fast !== null) expect(fast, label).toBe(reference);
	expect(stringifyFrontmatterFully(fm), label).toBe(reference);
	expect(stringifyFrontmatter(fm), label).toBe(reference);
};

describe("stringifyFrontmatter = the yaml library's output", () => {
	it("takes the fast path for an ordinary frontmatter, and matches the library there", () => {
		const fast = fastStringifyFrontmatter(BASE);
		expect(fast).not.toBeNull();
		expect(fast).toBe(stringifyFrontmatterWithYaml(BASE));
		expect(parse(fast!)).toEqual(BASE);
	});

	it("takes the fast path for a deferred file_id (digits only, which the library quotes)", () => {
		const fm = { ...BASE, file_id: "000000000000" };
		expect(fastStringifyFrontmatter(fm)).toContain('file_id: "000000000000"\n');
		check(fm, "deferred");
	});

	it("takes the fast path for a hex file_id the core schema would read as a float (digits, e, digits), quoted as the library does", () => {
		for (const id of ["012345e67890", "1e5", "00000000e000", "9e9", "123456789e01"]) {
			const fm = { ...BASE, file_id: id };
			expect(fastStringifyFrontmatter(fm), id).toContain(`file_id: "${id}"\n`);
			check(fm, id);
		}
		// Seeded: every digits-e-digits string of a file_id's length matches the library.
		let seed = 7;
		const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
		for (let i = 0; i < 300; i++) {
			const at = 1 + Math.floor(next() * 10);
			const id = Array.from({ length: 12 }, (_, k) => (k === at ? "e" : String(Math.floor(next() * 10)))).join("");
			check({ ...BASE, file_id: id }, id);
			expect(fastStringifyFrontmatter({ ...BASE, file_id: id }), id).not.toBeNull();
		}
	});

	it("takes the fast path for every fixture note renderNote writes", () => {
		const dir = fileURLToPath(new URL("../../../fixtures/transform/", import.meta.url));
		const files = readdirSync(dir).filter((f) => f.endsWith(".conversation.json"));
		expect(files.length).toBeGreaterThan(0);
		for (const file of files) {
			const conversation = ConversationSchema().parse(JSON.parse(readFileSync(dir + file, "utf8")));
			const { frontmatter } = renderNote(conversation, { sessionId: "20240501_120000", notePath: "n.md" });
			expect(fastStringifyFrontmatter(frontmatter), file).not.toBeNull();
			check(frontmatter, file);
		}
	});

	it.each(NASTY.map((v) => [v]))("hostile value %j in every slot", (value) => {
		SLOTS.forEach((put, slot) => {
			const fm = structuredClone(BASE);
			put(fm, value);
			check(fm, `slot ${slot}`);
		});
	});

	it("double-quoted slots take the fast path for everything without control characters or lone surrogates", () => {
		for (const value of NASTY) {
			const fast = fastStringifyFrontmatter({ ...BASE, title: value, summary: value, aliases: [value] });
			const escapable = [...value].some((ch) => ch.charCodeAt(0) < 0x20 || (ch.length === 1 && /[\ud800-\udfff]/.test(ch)));
			expect(fast === null, JSON.stringify(value)).toBe(escapable);
		}
	});

	it.each<[string, Record<string, unknown>]>([
		["empty lists", { title: "t", aliases: [], tags: [], session: "s" }],
		["undefined values are left out", { title: "t", model: undefined, session: "s" }],
		["null", { title: "t", model: null }],
		["booleans", { title: "t", draft: true, hidden: false }],
		["negative zero", { title: "t", message_count: -0 }],
		["negative and large integers", { a: -5, b: Number.MAX_SAFE_INTEGER, c: Number.MAX_SAFE_INTEGER + 2 }],
		["floats and specials", { a: 1.5, b: 1e21, c: Number.NaN, d: Infinity, e: -Infinity }],
		["a number under a quoted key", { title: 42, summary: 0 }],
		["numbers in a list", { tags: ["a", 1, 2] }],
		["a list under title", { title: ["a", "b"] }],
		["nested list", { aliases: [["a"]] }],
		// eslint-disable-next-line no-sparse-arrays -- a hole in a list is the case under test
		["sparse list", { aliases: [, "a"] }],
		["an object", { title: "t", extra: { a: 1 } }],
		["a date object", { created: new Date(0) }],
		["keys that need quoting", { "key with space": "v", yes: "v", "1": "x", "a-b": "c", "": "e", "#k": "h" }],
		["an empty object", {}],
		["unicode key", { ключ: "v" }],
	])("%s", (_name, fm) => {
		check(fm, _name);
	});

	it("writes the same list met twice in full (the library wrote an anchor and an alias, which our reader refuses)", () => {
		const list = ["a", "b"];
		const text = stringifyFrontmatter({ aliases: list, tags: list });
		expect(text).toBe('aliases:\n  - "a"\n  - "b"\ntags:\n  - a\n  - b\n');
		expect(stringifyFrontmatterWithYaml({ aliases: list, tags: list })).toContain("*a1");
	});

	it("matches the library over a seeded fuzz of strings built from YAML-hostile pieces", () => {
		const pieces = [
			..."abcxyzAZ0123456789 _-./:+#?!&*@`%|>'\"\\[]{},~=\t\n\r",
			"\u0000",
			"\u0001",
			"\u001b",
			"\u007f",
			"\u0085",
			"\u00a0",
			"\u2028",
			"\u2029",
			"\ufeff",
			"\u200f",
			"\u202e",
			"é",
			"語",
			"א",
			"م",
			"🚀",
			"👩‍👩‍👧",
			"\ud800",
			"\udc00",
			"true",
			"null",
			"yes",
			"no",
			"---",
			"...",
			"0x",
			"0o",
			"1e5",
			".5",
			": ",
			" #",
			"- ",
			"? ",
			"12",
			"007",
		];
		const random = seededRandom(0x5eed);
		const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
		let fastQuoted = 0;
		let fastPlain = 0;
		const rounds = 3000;
		for (let round = 0; round < rounds; round++) {
			let value = "";
			const n = Math.floor(random() * 12);
			// Half the strings come from a narrow alphabet, so that plain-looking values (and near misses) are common.
			const narrow = random() < 0.5;
			for (let i = 0; i < n; i++) value += narrow ? pick([..."ab09e.x-_:o +"]) : pick(pieces);
			const quoted = { ...BASE, title: value, aliases: [value] };
			const plain = { ...BASE, source_id: value, tags: ["ai-chat", value] };
			check(quoted, `quoted ${JSON.stringify(value)}`);
			check(plain, `plain ${JSON.stringify(value)}`);
			if (fastStringifyFrontmatter(quoted) !== null) fastQuoted++;
			if (fastStringifyFrontmatter(plain) !== null) fastPlain++;
		}
		// The fuzz exercised the fast path itself, not only the fallback.
		expect(fastQuoted).toBeGreaterThan(rounds / 2);
		expect(fastPlain).toBeGreaterThan(rounds / 5);
	});
});
