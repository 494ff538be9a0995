import { describe, expect, it } from "vitest";
import { Document, isScalar, isSeq, parse, Scalar, visit } from "yaml";
import { emitMapping } from "../../../src/core/yaml/emit";
import { parseYaml } from "../../../src/core/yaml/parse";
import { Gen, random } from "./yaml-gen";

/**
 * Our writer against what the `yaml` package wrote before (a devDependency kept for this comparison): the same text
 * for the same data, so notes written before keep their bytes; and our reader reads it back as the data.
 */

function sameData(a: unknown, b: unknown): boolean {
	try {
		expect(a).toEqual(b);
		return true;
	} catch {
		return false;
	}
}

function library(data: Record<string, unknown>, doubleQuotedKeys?: ReadonlySet<string>): string {
	const doc = new Document(data, { aliasDuplicateObjects: false });
	if (doubleQuotedKeys) {
		visit(doc, {
			Pair(_key, pair) {
				if (!isScalar(pair.key) || !doubleQuotedKeys.has(String(pair.key.value))) return;
				const quote = (node: unknown): void => {
					if (isScalar(node) && typeof node.value === "string") node.type = Scalar.QUOTE_DOUBLE;
				};
				quote(pair.value);
				if (isSeq(pair.value)) pair.value.items.forEach(quote);
			},
		});
	}
	return doc.toString({ lineWidth: 0, minContentWidth: 0 });
}

const PIECES = [
	"a",
	"b c",
	"x: y",
	"#",
	" # ",
	"'",
	'"',
	"\\",
	"-",
	"- ",
	"? ",
	":",
	"[",
	"]",
	"{",
	",",
	"&",
	"*",
	"!",
	"|",
	">",
	"%",
	"@",
	"`",
	"---",
	"...",
	"\n",
	"\n\n",
	" \n",
	"\n ",
	"\t",
	"é",
	"旅行",
	"🚀",
	"\u0000",
	"\u0007",
	"\u001b",
	"\u0085",
	"\u00a0",
	"\u2028",
	"\ud800",
	"true",
	"null",
	"~",
	"1",
	"0x1F",
	"1e3",
	".5",
	"yes",
	"2024-01-05",
	" ",
	"  ",
];

function randomString(g: Gen): string {
	let out = "";
	const n = g.int(5);
	for (let i = 0; i < n; i++) out += g.pick(PIECES);
	if (g.chance(0.1)) out += "long text ".repeat(g.int(6) + 1);
	return out;
}

function randomValue(g: Gen, depth: number): unknown {
	const kind = g.int(depth > 1 ? 6 : 9);
	switch (kind) {
		case 0:
		case 1:
		case 2:
			return randomString(g);
		case 3:
			return g.pick([0, -0, 1, -5, 3.25, 1e21, 1e-7, NaN, Infinity, -Infinity, 123456789012]);
		case 4:
			return g.pick([true, false, null]);
		case 5:
			return g.pick(["plain", "two words", "Title: with colon", "it's", 'say "hi"']);
		case 6:
		case 7:
			return Array.from({ length: g.int(4) }, () => randomValue(g, depth + 1));
		default:
			return randomObject(g, depth + 1);
	}
}

function randomObject(g: Gen, depth: number): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	const n = g.int(4) + (depth === 0 ? 1 : 0);
	for (let i = 0; i < n; i++)
		out[g.chance(0.7) ? g.pick(["title", "tags", "aliases", "summary", "genre", "n", "key with space"]) : randomString(g)] = randomValue(
			g,
			depth,
		);
	return out;
}

describe("emitMapping", () => {
	it("writes what the yaml package wrote, over 5,000 generated frontmatters", () => {
		const g = new Gen(random(7));
		const quoted = new Set(["title", "aliases", "summary"]);
		let compared = 0;
		let differs = 0;
		for (let i = 0; i < 5000; i++) {
			const data = randomObject(g, 0);
			const keys = i % 2 === 0 ? quoted : undefined;
			const ours = emitMapping(data, { doubleQuotedKeys: keys });
			const theirs = library(data, keys);
			if (ours === theirs) {
				compared++;
				continue;
			}
			// Only where the library's text does not read back as the data (a string of white space and line breaks,
			// which it wrote as `|+` and a line of spaces) may ours differ, and then ours reads back.
			expect(sameData(parse(theirs), data), `${JSON.stringify(data)}\nours:\n${ours}\nlibrary:\n${theirs}`).toBe(false);
			expect(parse(ours), ours).toEqual(data);
			differs++;
		}
		expect(compared + differs).toBe(5000);
		expect(differs).toBeLessThan(100);
	});

	it("is read back by our reader as the same data", () => {
		const g = new Gen(random(8));
		let read = 0;
		for (let i = 0; i < 3000; i++) {
			const data = randomObject(g, 0);
			const text = emitMapping(data);
			let parsed: unknown;
			try {
				parsed = parseYaml(text).value;
			} catch {
				continue; // a form we refuse (e.g. a block scalar we do not read back): never a different value
			}
			expect(parsed, text).toEqual(data);
			read++;
		}
		expect(read).toBeGreaterThan(2000);
	});
});
