/**
 * A seeded generator of YAML frontmatter text for the differential tests: every construct our reader claims (block
 * maps and lists, lists at their key's indent, flow collections on one line or several, plain / single / double
 * quoted scalars with escapes and folding, block scalars with chomping and indentation indicators, comments, empty
 * values, quoted keys), odd indentation, unicode, CRLF, tabs, trailing spaces, quotes inside values; some blocks also
 * carry what it refuses (anchors, aliases, tags, complex keys, directives, document markers) or a random corruption.
 */

/** A small deterministic generator (mulberry32): test/support/seeded-random.ts. */
export { seededRandom as random } from "../../support/seeded-random";

export class Gen {
	constructor(readonly rnd: () => number) {}
	int(n: number): number {
		return Math.floor(this.rnd() * n);
	}
	pick<T>(items: readonly T[]): T {
		return items[this.int(items.length)]!;
	}
	chance(p: number): boolean {
		return this.rnd() < p;
	}
}

const WORDS = [
	"note",
	"Python",
	"asyncio",
	"旅行の計画",
	"café",
	"naïve",
	"🚀 launch",
	"a-b",
	"x_y",
	"C++",
	"#hashtag",
	"tag/nested",
	"http://example.com/a?b=c#d",
	"2024-01-05",
	"2024-01-05T10:20:30Z",
	"2024-01-05 10:20",
	"10:30",
	"1.2.3",
	"v2",
	"yes",
	"No",
	"on",
	"off",
	"y",
	"n",
	"true",
	"False",
	"TRUE",
	"null",
	"Null",
	"~",
	"0",
	"-0",
	"007",
	"42",
	"+12",
	"-3",
	"0x1F",
	"0o17",
	"0b101",
	"1e3",
	"1.5e-3",
	".5",
	"3.",
	"3.14",
	"-2.5",
	".inf",
	"-.Inf",
	".NaN",
	"1_000",
	"12345678901234567890",
	"it's",
	'say "hi"',
	"a: b",
	"a:b",
	"a #b",
	"a#b",
	"[x]",
	"{y}",
	"x, y",
	"- item",
	"-x",
	"?q",
	"? q",
	":colon",
	"end:",
	"@at",
	"`tick`",
	"%pct",
	"&amp",
	"*star",
	"!bang",
	"|pipe",
	">gt",
	"back\\slash",
	"tab\there",
	"two  spaces",
	"",
	" lead",
	"trail ",
	"Ünïcödé ñ",
	"中文 标签",
	"emoji 🎉🎉",
	"---",
	"...",
	"a --- b",
];

const KEYS = [
	"title",
	"tags",
	"aliases",
	"cssclasses",
	"created",
	"updated",
	"date",
	"status",
	"rating",
	"source_id",
	"Related Notes",
	"due-date",
	"_private",
	"1",
	"2023",
	"true",
	"null",
	"~",
	"yes",
	"toString",
	"__proto__",
	"日本語",
	"a.b",
	"key with space",
	"x/y",
	"k",
];

/** How one scalar string may be written; null when the style cannot hold it. */
function plain(s: string): string | null {
	if (s === "" || s !== s.trim() || /[\n\t]/.test(s)) return null;
	return s;
}
/** Whether a string can be written plain in block context (else it is quoted, or now and then left broken on purpose). */
function plainSafe(s: string): boolean {
	return plain(s) !== null && !/^[,[\]{}#&*!|>'"%@`]|^[?:-]( |$)|: |:$| #/.test(s) && !/^(?:---|\.\.\.)/.test(s);
}
function single(s: string): string {
	return `'${s.replace(/'/g, "''")}'`;
}
function double(g: Gen, s: string): string {
	let out = '"';
	for (const ch of s) {
		const code = ch.codePointAt(0)!;
		if (ch === '"') out += '\\"';
		else if (ch === "\\") out += "\\\\";
		else if (ch === "\n") out += "\\n";
		else if (ch === "\t") out += g.pick(["\\t", "\t", "\\u0009"]);
		else if (code > 127 && g.chance(0.2))
			out += code > 0xffff ? `\\U${code.toString(16).padStart(8, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
		else if (ch === "/" && g.chance(0.3)) out += "\\/";
		else if (ch === " " && g.chance(0.1)) out += "\\ ";
		else out += ch;
	}
	if (g.chance(0.1))
		out += g.pick(["\\0", "\\a", "\\b", "\\e", "\\v", "\\f", "\\r", "\\N", "\\_", "\\L", "\\P", "\\x41", "\\u00e9", "\\ud83d\\ude00"]);
	return out + '"';
}

export interface GenOptions {
	/** Chance of a construct the reader refuses. */
	refused: number;
	/** Chance of a random corruption of the text. */
	corrupt: number;
}

export function generateFrontmatter(g: Gen, options: GenOptions = { refused: 0.05, corrupt: 0.1 }): string {
	const step = g.pick([2, 2, 2, 4, 1, 3]);
	const lines: string[] = [];
	const keys = g.int(7) + (g.chance(0.05) ? 0 : 1);
	const topIndent = g.chance(0.03) ? " ".repeat(g.int(3) + 1) : "";
	if (g.chance(0.2)) lines.push(g.pick(["# a comment", "#", "  # indented comment", ""]));
	const used = new Set<string>();
	for (let k = 0; k < keys; k++) {
		let key = g.pick(KEYS);
		if (used.has(key) && !g.chance(0.05)) continue; // a duplicate now and then
		used.add(key);
		const keyText = writeKey(g, key);
		entry(g, lines, topIndent, keyText, step, 0, options);
		if (g.chance(0.1)) lines.push(g.pick(["", "# between", "   ", "\t", "  # indented"]));
	}
	if (g.chance(options.refused)) refusedConstruct(g, lines);
	let text = lines.join("\n") + (g.chance(0.8) ? "\n" : "");
	if (g.chance(0.1)) text = text.replace(/\n/g, "\r\n");
	if (g.chance(0.1)) text = text.replace(/\n/g, () => (g.chance(0.3) ? "  \n" : "\n"));
	if (g.chance(options.corrupt)) text = corrupt(g, text);
	return text;
}

function writeKey(g: Gen, key: string): string {
	const needsQuotes = /^[\s#&*!|>'"%@`[\]{},?-]|: |\s#|:$/.test(key) || key === "";
	if (needsQuotes || g.chance(0.1)) return g.chance(0.5) ? single(key) : `"${key.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
	return key;
}

function comment(g: Gen): string {
	return g.chance(0.15) ? g.pick([" # c", "  # comment: with colon", "\t# tab comment", " #"]) : "";
}

function entry(g: Gen, lines: string[], indent: string, keyText: string, step: number, depth: number, options: GenOptions): void {
	const sep = g.pick([" ", " ", " ", "  ", "\t"]);
	const kind = depth > 2 ? g.int(4) : g.int(12);
	const inner = indent + " ".repeat(step);
	switch (kind) {
		case 0:
		case 1:
		case 2:
			lines.push(`${indent}${keyText}:${sep}${scalarInline(g, inner.length - 1)}${comment(g)}`);
			return;
		case 3:
			lines.push(`${indent}${keyText}:${g.chance(0.3) ? comment(g) : g.pick(["", " ", ""])}`);
			return;
		case 4:
		case 5: {
			// A block list, indented or at the key's indent.
			lines.push(`${indent}${keyText}:${comment(g)}`);
			const itemIndent = g.chance(0.4) ? indent : inner;
			const n = g.int(4) + 1;
			for (let i = 0; i < n; i++) seqItem(g, lines, itemIndent, step, depth + 1, options);
			return;
		}
		case 6:
		case 7:
			lines.push(`${indent}${keyText}:${sep}${flowCollection(g, depth, inner)}${comment(g)}`);
			return;
		case 8: {
			lines.push(`${indent}${keyText}:${comment(g)}`);
			const n = g.int(3) + 1;
			const keys = new Set<string>();
			for (let i = 0; i < n; i++) {
				const k = g.pick(KEYS);
				if (keys.has(k) && !g.chance(0.05)) continue;
				keys.add(k);
				entry(g, lines, inner, writeKey(g, k), step, depth + 1, options);
			}
			return;
		}
		case 9:
			blockScalar(g, lines, indent, `${indent}${keyText}:${sep}`, inner);
			return;
		case 10: {
			// A multi-line plain, single- or double-quoted scalar.
			const words = Array.from({ length: g.int(4) + 2 }, () =>
				g.pick(WORDS.filter((w) => /^[A-Za-z0-9é旅中🚀]/u.test(w) && !/[:#]/.test(w))),
			);
			const style = g.int(3);
			const open = style === 0 ? "" : style === 1 ? "'" : '"';
			lines.push(`${indent}${keyText}:${sep}${open}${words[0]}`);
			for (let i = 1; i < words.length; i++) {
				if (g.chance(0.2)) lines.push(g.pick(["", "  "]));
				const cont = words[i]!.replace(/'/g, style === 1 ? "''" : "'").replace(/"/g, style === 2 ? '\\"' : '"');
				lines.push(
					`${inner}${g.chance(0.2) ? " " : ""}${cont}${i === words.length - 1 ? open : g.chance(0.2) ? (style === 2 ? "\\" : " ") : ""}`,
				);
			}
			return;
		}
		default:
			lines.push(`${indent}${keyText}:${sep}${scalarInline(g, inner.length - 1)}`);
	}
}

function seqItem(g: Gen, lines: string[], indent: string, step: number, depth: number, options: GenOptions): void {
	const kind = depth > 2 ? g.int(3) : g.int(8);
	const after = g.pick([" ", " ", "  ", "   "]);
	const inner = indent + " ".repeat(1 + after.length);
	switch (kind) {
		case 0:
		case 1:
		case 2:
			lines.push(`${indent}-${after}${scalarInline(g, indent.length)}${comment(g)}`);
			return;
		case 3: {
			// A compact mapping in the item.
			const k1 = g.pick(KEYS);
			lines.push(`${indent}-${after}${writeKey(g, k1)}: ${scalarInline(g, inner.length)}`);
			if (g.chance(0.6)) {
				const k2 = g.pick(KEYS.filter((k) => k !== k1));
				entry(g, lines, inner, writeKey(g, k2), step, depth + 1, options);
			}
			return;
		}
		case 4:
			lines.push(`${indent}-${after}${flowCollection(g, depth, inner)}`);
			return;
		case 5:
			blockScalar(g, lines, indent, `${indent}-${after}`, inner);
			return;
		case 6: {
			lines.push(`${indent}-${after}- ${scalarInline(g, inner.length)}`);
			if (g.chance(0.5)) lines.push(`${inner}- ${scalarInline(g, inner.length)}`);
			return;
		}
		default:
			lines.push(`${indent}-${g.chance(0.5) ? "" : " "}`);
	}
}

function scalarInline(g: Gen, _indent: number): string {
	const word = g.chance(0.7) ? g.pick(WORDS) : `${g.pick(WORDS)} ${g.pick(WORDS)}`;
	const style = g.int(10);
	if (style < 6) return plainSafe(word) || g.chance(0.05) ? word : single(word);
	if (style < 8) return single(word);
	return double(g, word + (g.chance(0.1) ? "\n" + g.pick(WORDS) : ""));
}

function flowScalar(g: Gen): string {
	const word = g.pick(WORDS);
	const style = g.int(10);
	if (style < 6 && plain(word) !== null && !/[,[\]{}#]|^[-?:]|:$|: /.test(word)) return word;
	return style < 8 ? single(word) : double(g, word);
}

function flowCollection(g: Gen, depth: number, inner: string): string {
	const multiline = g.chance(0.25);
	const sep = multiline ? `,\n${inner}${g.chance(0.2) ? "  " : ""}` : g.pick([", ", ",", " , ", ",  "]);
	const n = g.int(4);
	const map = g.chance(0.35);
	const items: string[] = [];
	for (let i = 0; i < n; i++) {
		const nested = depth < 2 && g.chance(0.15);
		const value = nested ? flowCollection(g, depth + 1, inner + "  ") : flowScalar(g);
		if (map) {
			const key = flowScalar(g);
			items.push(g.chance(0.1) ? key : `${key}:${g.pick([" ", " ", "  "])}${value}`);
		} else items.push(g.chance(0.05) ? `${flowScalar(g)}: ${value}` : value);
	}
	const [open, close] = map ? ["{", "}"] : ["[", "]"];
	const pad = g.pick(["", " ", ""]);
	const trailing = n > 0 && g.chance(0.1) ? "," : "";
	if (multiline) return `${open}\n${inner}${items.join(sep)}${trailing}\n${inner.slice(0, Math.max(0, inner.length - 2))}${close}`;
	return `${open}${pad}${items.join(sep)}${trailing}${pad}${close}`;
}

function blockScalar(g: Gen, lines: string[], indent: string, head: string, inner: string): void {
	const style = g.pick(["|", ">"]);
	const chomp = g.pick(["", "", "-", "+"]);
	const explicit = g.chance(0.15) ? String(inner.length - indent.length) : "";
	const header = g.chance(0.5) ? style + explicit + chomp : style + chomp + explicit;
	lines.push(`${head}${header}${comment(g)}`);
	const n = g.int(5) + (g.chance(0.1) ? 0 : 1);
	if (g.chance(0.1)) lines.push("");
	for (let i = 0; i < n; i++) {
		const more = g.chance(0.15) ? g.pick([" ", "  ", "\t"]) : "";
		const text = g.chance(0.15) ? "" : g.pick(WORDS) + (g.chance(0.3) ? " " + g.pick(WORDS) : "");
		lines.push(text === "" ? g.pick(["", inner.slice(0, 1), inner + " "]) : `${inner}${more}${text}`);
	}
	if (g.chance(0.3)) lines.push(g.pick(["", "", inner, "# after"]));
}

function refusedConstruct(g: Gen, lines: string[]): void {
	const i = g.int(lines.length + 1);
	const what = g.pick([
		"anchor: &a value",
		"alias: *a",
		"both: &x [1, 2]\nother: *x",
		"tagged: !!str 123",
		"custom: !local thing",
		"? complex\n: value",
		"%YAML 1.2",
		"...",
		"--- second",
		"[a, b]: flowkey",
		"<<: {a: 1}",
	]);
	lines.splice(i, 0, ...what.split("\n"));
}

function corrupt(g: Gen, text: string): string {
	if (text === "") return g.pick(["]", ":", "'"]);
	const at = g.int(text.length);
	const ops = [
		() => text.slice(0, at) + text.slice(at + 1),
		() =>
			text.slice(0, at) +
			g.pick(["'", '"', "[", "]", "{", "}", ":", "#", "-", " ", "\t", "\n", "  ", "\\", ",", "|", ">"]) +
			text.slice(at),
		() => text.slice(0, at) + "\n" + text.slice(at),
		() => text.replace(/^( *)/m, (m) => m + " "),
	];
	return g.pick(ops)();
}
