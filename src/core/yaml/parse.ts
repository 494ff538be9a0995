/**
 * Our YAML reader for note frontmatter: the YAML 1.2 core schema over the constructs frontmatter uses, giving the same
 * plain values as the `yaml` package's `parse` (test/core/yaml/differential.test.ts compares the two over thousands of
 * generated blocks). Supported: block mappings and sequences (also `- ` items at their key's indent), flow sequences
 * and mappings (also over several lines), plain, single- and double-quoted scalars (every escape, line folding),
 * literal and folded block scalars with chomping and indentation indicators, comments, empty values, quoted keys.
 * Plain scalars resolve as the core schema does: null (`~`, `null`, empty), booleans (`true`/`false` only: `yes`,
 * `on` stay strings), decimal, `0o` and `0x` integers, floats, `.inf`, `.nan`; dates stay strings.
 *
 * What it does not read — anchors and aliases, tags, complex (`?`) keys, directives, a second document — it refuses
 * with a YamlError naming the line, as it does malformed YAML: it never guesses.
 */

export type YamlErrorKind =
	| "anchor"
	| "alias"
	| "tag"
	| "complex-key"
	| "directive"
	| "document-marker"
	| "tab"
	| "control-character"
	| "duplicate-key"
	| "indentation"
	| "unterminated"
	/** A form that YAML readers disagree on (the `yaml` package departs from the spec there): rewrite it. */
	| "ambiguous"
	| "syntax";

export class YamlError extends Error {
	constructor(
		readonly kind: YamlErrorKind,
		message: string,
		/** 1-based line in the YAML text. */
		readonly line: number,
	) {
		super(`${message} (line ${line})`);
		this.name = "YamlError";
		this.reason = message;
	}
	/** The message without the line. */
	readonly reason: string;
}

/** A key of the top-level block mapping and the lines it spans (0-based, `end` exclusive, comments after it excluded). */
export interface YamlEntry {
	key: string;
	/** The line of the key. */
	line: number;
	/** Where the key's text ends, after its `:` (an index into that line). */
	colonEnd: number;
	/** The line after the value's last line with content. */
	end: number;
	/** The value is a scalar written on the key's line alone (plain or quoted): its style and where a comment starts. */
	inline: { style: "plain" | "single" | "double"; commentAt: number } | null;
}

export interface ParsedYaml {
	/** The plain value (null for an empty document). */
	value: unknown;
	/** The top-level mapping's entries when the document is a block mapping, else null. */
	entries: YamlEntry[] | null;
	/** The top-level mapping's indent (0 for frontmatter as people write it). */
	indent: number;
}

/** Parses `text` to plain values (see above); throws YamlError. */
export function parseYaml(text: string): ParsedYaml {
	return new Parser(text).document();
}

const INT = /^[-+]?[0-9]+$/;
const OCT = /^0o[0-7]+$/;
const HEX = /^0x[0-9a-fA-F]+$/;
const NAN_INF = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

/** A plain scalar's value under the core schema. */
export function resolvePlain(text: string): unknown {
	switch (text) {
		case "":
		case "~":
		case "null":
		case "Null":
		case "NULL":
			return null;
		case "true":
		case "True":
		case "TRUE":
			return true;
		case "false":
		case "False":
		case "FALSE":
			return false;
	}
	const first = text.charCodeAt(0);
	// Only digits, signs and dots start a number.
	if (!((first >= 48 && first <= 57) || first === 43 || first === 45 || first === 46)) return text;
	if (INT.test(text)) return parseInt(text, 10);
	if (OCT.test(text)) return parseInt(text.slice(2), 8);
	if (HEX.test(text)) return parseInt(text.slice(2), 16);
	if (NAN_INF.test(text))
		return text.endsWith("nan") || text.endsWith("NaN") || text.endsWith("NAN") ? NaN : text[0] === "-" ? -Infinity : Infinity;
	if (FLOAT_EXP.test(text) || FLOAT.test(text)) return parseFloat(text);
	return text;
}

/** The JS object key a resolved YAML key becomes (as `yaml`'s toJS does). */
function jsKey(value: unknown): string {
	// A key is a scalar: null, a boolean, a number or a string.
	return typeof value === "string" ? value : typeof value === "number" || typeof value === "boolean" ? String(value) : "";
}

function setKey(map: Record<string, unknown>, key: string, value: unknown): void {
	if (key === "__proto__") Object.defineProperty(map, key, { value, writable: true, enumerable: true, configurable: true });
	else map[key] = value;
}

// eslint-disable-next-line no-control-regex -- control characters are what this finds
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufeff]/;
const SPACE = 32;
const TAB = 9;

/** Characters that cannot start a plain scalar (besides `-`, `?`, `:` followed by a space). */
const INDICATORS = new Set([",", "[", "]", "{", "}", "#", "&", "*", "!", "|", ">", "'", '"', "%", "@", "`"]);
const FLOW_INDICATORS = new Set([",", "[", "]", "{", "}"]);

interface Key {
	value: unknown;
	text: string;
}

/** A node's value and, for a scalar on its first line alone, its style. */
class Parser {
	private readonly lines: string[];
	private ln = 0;
	private readonly endsWithBreak: boolean;
	/** The last line that belongs to the latest block scalar's value. */
	private keptUntil = -1;

	constructor(text: string) {
		const lines = text.split("\n");
		// A final line break ends the last line; it does not start another.
		this.endsWithBreak = lines.length > 1 && lines[lines.length - 1] === "";
		if (this.endsWithBreak) lines.pop();
		for (let i = 0; i < lines.length; i++) {
			let line = lines[i]!;
			if (line.endsWith("\r") && (i < lines.length - 1 || this.endsWithBreak)) line = line.slice(0, -1);
			if (line.includes("\r")) throw new YamlError("control-character", "a carriage return that does not end a line", i + 1);
			const control = CONTROL.exec(line);
			if (control) {
				throw new YamlError(
					"control-character",
					`a control character (U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")})`,
					i + 1,
				);
			}
			if (line.startsWith("%")) throw new YamlError("directive", "a directive (%…) is not read in frontmatter", i + 1);
			if (/^(?:---|\.\.\.)(?:[ \t]|$)/.test(line))
				throw new YamlError("document-marker", "a document marker (--- or ...) inside the frontmatter", i + 1);
			lines[i] = line;
		}
		this.lines = lines;
	}

	document(): ParsedYaml {
		const first = this.nextContent(0);
		if (first === -1) return { value: null, entries: null, indent: 0 };
		this.ln = first;
		const indent = this.indentAt(first);
		let value: unknown;
		let entries: YamlEntry[] | null = null;
		if (this.isKeyLine(first, indent)) {
			entries = [];
			value = this.blockMap(indent, entries);
		} else {
			value = this.blockNode(-1, indent);
		}
		const rest = this.nextContent(this.ln);
		if (rest !== -1)
			throw new YamlError("indentation", "unexpected content after the end of the frontmatter's mapping (check the indentation)", rest + 1);
		return { value, entries, indent };
	}

	// ---- lines ----

	private fail(kind: YamlErrorKind, message: string, line = this.ln): never {
		throw new YamlError(kind, message, line + 1);
	}

	/** Whether line `i` holds only white space or a comment. */
	private isBlank(i: number): boolean {
		const line = this.lines[i]!;
		for (let c = 0; c < line.length; c++) {
			const code = line.charCodeAt(c);
			if (code === SPACE || code === TAB) continue;
			return code === 35; // '#'
		}
		return true;
	}

	/** The first line at or after `from` with content, or -1. */
	private nextContent(from: number): number {
		for (let i = from; i < this.lines.length; i++) if (!this.isBlank(i)) return i;
		return -1;
	}

	/** The number of leading spaces of line `i`; a tab among them (before the content) is refused. */
	private indentAt(i: number): number {
		const line = this.lines[i]!;
		let n = 0;
		while (line.charCodeAt(n) === SPACE) n++;
		if (line.charCodeAt(n) === TAB) {
			let m = n;
			while (line.charCodeAt(m) === SPACE || line.charCodeAt(m) === TAB) m++;
			if (m < line.length && line[m] !== "#") this.fail("tab", "a tab in the indentation (YAML indents with spaces)", i);
		}
		return n;
	}

	/** Index after the spaces and tabs from `c` on `line`. */
	private static skipWhite(line: string, c: number): number {
		while (c < line.length && (line.charCodeAt(c) === SPACE || line.charCodeAt(c) === TAB)) c++;
		return c;
	}

	/** Whether the rest of `line` from `c` is white space or a comment (a `#` after white space). */
	private static restIsEmpty(line: string, c: number): boolean {
		const d = Parser.skipWhite(line, c);
		return d === line.length || (line[d] === "#" && (d === c ? c === 0 || line[c - 1] === " " || line[c - 1] === "\t" : true));
	}

	private expectLineEnd(c: number): void {
		const line = this.lines[this.ln]!;
		if (!Parser.restIsEmpty(line, c)) {
			const d = Parser.skipWhite(line, c);
			if (line[d] === ":") this.fail("syntax", "a mapping on the same line as another key or item (nested mappings need their own lines)");
			this.fail("syntax", `unexpected text after a value: "${line.slice(d, d + 20)}"`);
		}
	}

	/** Whether the node at column `c` of line `i` is a mapping key (`key:` then a space or the line's end). */
	private isKeyLine(i: number, c: number): boolean {
		return this.keyEnd(i, c) !== -1;
	}

	/** For a `key:` at column `c` of line `i`: the index of its `:`; -1 when the node there is not a key. */
	private keyEnd(i: number, c: number): number {
		const line = this.lines[i]!;
		const ch = line[c];
		if (ch === undefined) return -1;
		if (ch === '"' || ch === "'") {
			// A quoted key closes on its line and a `:` follows.
			let d = c + 1;
			for (; d < line.length; d++) {
				if (ch === "'" && line[d] === "'") {
					if (line[d + 1] === "'") {
						d++;
						continue;
					}
					break;
				}
				if (ch === '"') {
					if (line[d] === "\\") {
						d++;
						continue;
					}
					if (line[d] === '"') break;
				}
			}
			if (d >= line.length) return -1;
			const e = Parser.skipWhite(line, d + 1);
			return line[e] === ":" && (e + 1 === line.length || line[e + 1] === " " || line[e + 1] === "\t") ? e : -1;
		}
		if (
			ch === "[" ||
			ch === "{" ||
			ch === "]" ||
			ch === "}" ||
			ch === "," ||
			ch === "#" ||
			ch === "|" ||
			ch === ">" ||
			ch === "&" ||
			ch === "*" ||
			ch === "!" ||
			ch === "%" ||
			ch === "@" ||
			ch === "`"
		) {
			return -1;
		}
		if ((ch === "-" || ch === "?") && (c + 1 === line.length || line[c + 1] === " " || line[c + 1] === "\t")) return -1;
		for (let d = c; d < line.length; d++) {
			const code = line.charCodeAt(d);
			if (code === 58 /* : */) {
				const next = line.charCodeAt(d + 1);
				if (d + 1 === line.length || next === SPACE || next === TAB) return d === c ? -1 : d;
			} else if (code === 35 /* # */ && d > c && (line.charCodeAt(d - 1) === SPACE || line.charCodeAt(d - 1) === TAB)) {
				return -1;
			}
		}
		return -1;
	}

	// ---- block structures ----

	/** The node whose content starts at column `c` of the current line, inside a block whose indent is `parent`. */
	private blockNode(parent: number, c: number): unknown {
		const line = this.lines[this.ln]!;
		const ch = line[c]!;
		if (ch === "-" && (c + 1 === line.length || line[c + 1] === " " || line[c + 1] === "\t")) return this.blockSeq(c);
		if (this.isKeyLine(this.ln, c)) return this.blockMap(c, null);
		if (ch === ":" && (c + 1 === line.length || line[c + 1] === " " || line[c + 1] === "\t"))
			this.fail("complex-key", "a value without a key (: …) is not read in frontmatter");
		return this.inlineNode(parent, c);
	}

	/** A block mapping whose keys are at column `n`, starting at the current line (its first key at column n). */
	private blockMap(n: number, entries: YamlEntry[] | null): Record<string, unknown> {
		const out: Record<string, unknown> = {};
		const seen: unknown[] = [];
		let c = n;
		for (;;) {
			const keyLine = this.ln;
			const line = this.lines[keyLine]!;
			const colon = this.keyEnd(keyLine, c);
			if (colon === -1) this.mapLineError(line, c);
			const key = this.key(line, c, colon);
			if (seen.some((k) => k === key.value)) this.fail("duplicate-key", `the key "${key.text}" is there twice (map keys must be unique)`);
			seen.push(key.value);
			const { value, inline } = this.mapValue(n, colon + 1);
			setKey(out, jsKey(key.value), value);
			if (entries) {
				// A block scalar owns its last lines even when they look like comments or are blank (kept with `+`).
				const end = Math.max(this.lastContentBefore(this.ln, keyLine), this.keptUntil) + 1;
				entries.push({ key: jsKey(key.value), line: keyLine, colonEnd: colon + 1, end, inline });
			}
			const next = this.nextContent(this.ln);
			if (next === -1) return out;
			const indent = this.indentAt(next);
			if (indent < n) return out;
			if (indent > n) {
				if (/^:(?:[ \t]|$)/.test(this.lines[next]!.slice(indent)))
					this.fail("complex-key", "a value without a key (: …) is not read in frontmatter", next);
				this.fail("indentation", "this line is indented more than the keys above it (bad indentation)", next);
			}
			this.ln = next;
			c = n;
		}
	}

	private mapLineError(line: string, c: number): never {
		const ch = line[c];
		if (ch === "?" && (line[c + 1] === " " || line[c + 1] === undefined))
			this.fail("complex-key", "a complex key (? …) is not read in frontmatter");
		if (ch === "[" || ch === "{") {
			if (/^[[{].*[\]}]\s*:(?:\s|$)/.test(line.slice(c)))
				this.fail("complex-key", "a flow collection used as a key is not read in frontmatter");
		}
		if (ch === "&") this.fail("anchor", "an anchor (&name) is not read in frontmatter");
		if (ch === "*") this.fail("alias", "an alias (*name) is not read in frontmatter");
		if (ch === "!") this.fail("tag", "a tag (!name) is not read in frontmatter");
		if (ch === ":" && (line[c + 1] === " " || line[c + 1] === "\t" || line[c + 1] === undefined))
			this.fail("complex-key", "a value without a key (: …) is not read in frontmatter");
		if (ch === "-" && (line[c + 1] === " " || line[c + 1] === undefined)) this.fail("syntax", "a list item among the keys of a mapping");
		this.fail("syntax", `expected "key: value", found "${line.slice(c, c + 30)}"`);
	}

	private key(line: string, c: number, colon: number): Key {
		const ch = line[c];
		if (ch === '"' || ch === "'") {
			const saved = this.ln;
			const { value, endLine } = this.quoted(-1, c, ch);
			if (endLine !== saved) this.fail("syntax", "a key must be on one line");
			this.ln = saved;
			return { value, text: value };
		}
		const text = line.slice(c, colon).replace(/[ \t]+$/, "");
		if (text.length > 1024) this.fail("syntax", "a key over 1024 characters");
		return { value: resolvePlain(text), text };
	}

	/** The value after a key's `:` (at column `c` of the current line) in a mapping at indent `n`; moves past it. */
	private mapValue(n: number, c: number): { value: unknown; inline: YamlEntry["inline"] } {
		const line = this.lines[this.ln]!;
		const start = Parser.skipWhite(line, c);
		if (start === line.length || line[start] === "#") {
			// The value is on the lines below: more indented, or a list at the key's own indent.
			const keyLine = this.ln;
			const next = this.nextContent(keyLine + 1);
			this.noTabLines(keyLine + 1, next);
			if (next !== -1) {
				const indent = this.indentAt(next);
				const nextLine = this.lines[next]!;
				if (indent > n) {
					this.ln = next;
					return { value: this.blockNode(n, indent), inline: null };
				}
				if (indent === n && nextLine[n] === "-" && (nextLine.length === n + 1 || nextLine[n + 1] === " " || nextLine[n + 1] === "\t")) {
					this.ln = next;
					return { value: this.blockSeq(n), inline: null };
				}
			}
			this.ln = keyLine + 1;
			return { value: null, inline: start === line.length ? { style: "plain", commentAt: line.length } : null };
		}
		const ch = line[start]!;
		if (ch === "-" && (start + 1 === line.length || line[start + 1] === " " || line[start + 1] === "\t")) {
			this.fail("syntax", "a list cannot start on the same line as its key");
		}
		const keyLine = this.ln;
		const before = { ln: this.ln };
		const value = this.inlineNode(n, start);
		let inline: YamlEntry["inline"] = null;
		if (this.ln === before.ln + 1 && (ch === '"' || ch === "'" || !"[{|>".includes(ch))) {
			inline = { style: ch === '"' ? "double" : ch === "'" ? "single" : "plain", commentAt: this.commentAt(keyLine) };
		}
		return { value, inline };
	}

	/** Where a line's trailing comment starts (its length when none), for a line whose value is a one-line scalar. */
	private commentAt(i: number): number {
		const line = this.lines[i]!;
		let quote: string | null = null;
		for (let c = 0; c < line.length; c++) {
			const ch = line[c];
			if (quote) {
				if (quote === '"' && ch === "\\") c++;
				else if (ch === quote) quote = null;
			} else if ((ch === '"' || ch === "'") && (c === 0 || /[\s:[{,]/.test(line[c - 1]!))) quote = ch;
			else if (ch === "#" && c > 0 && (line[c - 1] === " " || line[c - 1] === "\t")) {
				let d = c;
				while (d > 0 && (line[d - 1] === " " || line[d - 1] === "\t")) d--;
				return d;
			}
		}
		return line.length;
	}

	/** Refuses a line of only white space with a tab between `from` and `to` (where the yaml package looks for a value and refuses it). */
	private noTabLines(from: number, to: number): void {
		const end = to === -1 ? this.lines.length : to;
		for (let i = from; i < end; i++) {
			const line = this.lines[i]!;
			if (line.includes("\t") && line.trim() === "") this.fail("tab", "a line of white space with a tab where a value is expected", i);
		}
	}

	/** The last line before `end` (and not before `floor`) with content. */
	private lastContentBefore(end: number, floor: number): number {
		for (let i = end - 1; i > floor; i--) if (this.lines[i]!.trim() !== "" && !this.isBlank(i)) return i;
		return floor;
	}

	/** A block sequence whose `-` are at column `n`, starting at the current line. */
	private blockSeq(n: number): unknown[] {
		const out: unknown[] = [];
		for (;;) {
			const line = this.lines[this.ln]!;
			const start = Parser.skipWhite(line, n + 1);
			if (start === line.length || line[start] === "#") {
				const itemLine = this.ln;
				const next = this.nextContent(itemLine + 1);
				this.noTabLines(itemLine + 1, next);
				if (next !== -1 && this.indentAt(next) > n) {
					this.ln = next;
					out.push(this.blockNode(n, this.indentAt(next)));
				} else {
					this.ln = itemLine + 1;
					out.push(null);
				}
			} else {
				if (line.slice(n + 1, start).includes("\t") && (this.isKeyLine(this.ln, start) || /^-(?:[ \t]|$)/.test(line.slice(start)))) {
					this.fail("tab", "a tab before a nested list or mapping in a list item (YAML indents with spaces)");
				}
				out.push(this.blockNode(n, start));
			}
			const next = this.nextContent(this.ln);
			if (next === -1) return out;
			const indent = this.indentAt(next);
			if (indent < n) return out;
			if (indent > n) this.fail("indentation", "this line is indented more than the list items above it (bad indentation)", next);
			const nextLine = this.lines[next]!;
			if (nextLine[n] !== "-" || !(nextLine.length === n + 1 || nextLine[n + 1] === " " || nextLine[n + 1] === "\t")) return out;
			this.ln = next;
		}
	}

	/**
	 * A scalar or flow collection starting at column `c` of the current line, inside a block at indent `parent`
	 * Moves to the line after it.
	 */
	private inlineNode(parent: number, c: number): unknown {
		const line = this.lines[this.ln]!;
		const ch = line[c]!;
		switch (ch) {
			case "&":
				return this.fail("anchor", "an anchor (&name) is not read in frontmatter");
			case "*":
				return this.fail("alias", "an alias (*name) is not read in frontmatter");
			case "!":
				return this.fail("tag", "a tag (!name) is not read in frontmatter");
			case "%":
			case "@":
			case "`":
				return this.fail("syntax", `a plain value cannot start with "${ch}" (quote it)`);
			case "|":
			case ">":
				return this.blockScalar(parent, c);
			case "[":
			case "{": {
				const { value, endCol } = this.flowCollection(parent, c);
				const rest = this.lines[this.ln]!;
				const d = Parser.skipWhite(rest, endCol);
				if (rest[d] === ":") this.fail("complex-key", "a flow collection used as a key is not read in frontmatter");
				this.expectLineEnd(endCol);
				this.ln++;
				return value;
			}
			case '"':
			case "'": {
				const startLine = this.ln;
				const { value, endLine, endCol } = this.quoted(parent, c, ch);
				this.ln = endLine;
				const rest = this.lines[endLine]!;
				const d = Parser.skipWhite(rest, endCol);
				if (rest[d] === ":" && endLine !== startLine) this.fail("syntax", "a key must be on one line");
				this.expectLineEnd(endCol);
				this.ln++;
				return value;
			}
		}
		if (ch === "?" && (c + 1 === line.length || line[c + 1] === " " || line[c + 1] === "\t")) {
			this.fail("complex-key", "a complex key (? …) is not read in frontmatter");
		}
		if (ch === "-" && (c + 1 === line.length || line[c + 1] === " " || line[c + 1] === "\t"))
			this.fail("syntax", "a list where a value was expected");
		if (ch === "," || ch === "]" || ch === "}") this.fail("syntax", `a plain value cannot start with "${ch}" (quote it)`);
		return this.plainBlock(parent, c);
	}

	/** A plain scalar in block context from column `c`, continued on more indented lines. */
	private plainBlock(parent: number, c: number): unknown {
		let line = this.lines[this.ln]!;
		let text = this.plainLine(line, c, this.ln);
		let ended = text.comment;
		let value = text.value;
		let multi = false;
		let i = this.ln + 1;
		let empties = 0;
		while (!ended && i < this.lines.length) {
			line = this.lines[i]!;
			const d = Parser.skipWhite(line, 0);
			if (d === line.length) {
				empties++;
				i++;
				continue;
			}
			if (line[d] === "#") break;
			const indent = this.indentAt(i);
			if (indent <= parent) break;
			if (line[d] === "-" && (d + 1 === line.length || line[d + 1] === " " || line[d + 1] === "\t")) {
				this.fail("ambiguous", "a list item inside a plain value (check the indentation)", i);
			}
			text = this.plainLine(line, d, i, line[d] === ":" ? "ambiguous" : "syntax");
			value += empties === 0 ? " " + text.value : "\n".repeat(empties) + text.value;
			multi = true;
			ended = text.comment;
			empties = 0;
			this.ln = i;
			i++;
		}
		this.ln++;
		return multi ? value : resolvePlain(value);
	}

	/** One line of a plain scalar from column `c` (trailing white space and comment cut off). */
	private plainLine(line: string, c: number, lineIndex: number, kind: YamlErrorKind = "syntax"): { value: string; comment: boolean } {
		let end = line.length;
		let comment = false;
		for (let d = c; d < line.length; d++) {
			const code = line.charCodeAt(d);
			if (code === 58 /* : */ && (d + 1 === line.length || line[d + 1] === " " || line[d + 1] === "\t")) {
				this.fail(kind, 'a mapping inside a value (quote a value that contains ": ", or put the mapping on its own lines)', lineIndex);
			}
			if (code === 35 /* # */ && d > c && (line.charCodeAt(d - 1) === SPACE || line.charCodeAt(d - 1) === TAB)) {
				end = d;
				comment = true;
				break;
			}
		}
		return { value: line.slice(c, end).replace(/[ \t]+$/, ""), comment };
	}

	/** A block scalar (`|` or `>`) whose header is at column `c` of the current line, in a block at indent `parent`. */
	// Long on purpose: the header's indicators, indentation detection, then folding and chomping, each per the YAML 1.2 rules in order, read top to bottom against the spec.
	private blockScalar(parent: number, c: number): string {
		const line = this.lines[this.ln]!;
		const literal = line[c] === "|";
		let chomp: "clip" | "strip" | "keep" = "clip";
		let explicit = 0;
		let d = c + 1;
		for (let k = 0; k < 2; k++) {
			const ch = line[d];
			if ((ch === "+" || ch === "-") && chomp === "clip") {
				chomp = ch === "+" ? "keep" : "strip";
				d++;
			} else if (ch !== undefined && ch >= "1" && ch <= "9" && explicit === 0) {
				explicit = Number(ch);
				d++;
			}
		}
		if (d < line.length && line[d] !== " " && line[d] !== "\t") this.fail("syntax", "a block scalar header (| or >) followed by text");
		if (!Parser.restIsEmpty(line, d)) this.fail("syntax", "text after a block scalar's | or > (the text goes on the lines below)");
		let indent = explicit ? (parent < 0 ? 0 : parent) + explicit : -1;
		let i = this.ln + 1;
		const contents: string[] = [];
		if (indent === -1) {
			// The first line with content sets the indentation; empty lines before it must not be longer.
			let longest = 0;
			let j = i;
			for (; j < this.lines.length; j++) {
				const l = this.lines[j]!;
				let s = 0;
				while (l.charCodeAt(s) === SPACE) s++;
				if (s === l.length) {
					longest = Math.max(longest, s);
					continue;
				}
				indent = s;
				break;
			}
			if (indent === -1 || indent <= parent) indent = Math.max(longest, parent + 1);
			else if (longest > indent)
				this.fail("indentation", "a block scalar whose first lines are white space longer than its text (add an indentation indicator)", j);
		}
		for (; i < this.lines.length; i++) {
			const l = this.lines[i]!;
			let s = 0;
			while (s < indent && l.charCodeAt(s) === SPACE) s++;
			if (s < indent) {
				if (Parser.skipWhite(l, s) !== l.length) break;
				// The yaml package reads a tab here as the start of a new node; we do not guess.
				if (l.includes("\t")) this.fail("tab", "a tab in the indentation of a block scalar (| or >)", i);
				contents.push("");
				continue;
			}
			contents.push(l.slice(indent));
		}
		// With an indentation indicator, the yaml package reads trailing lines of spaces one way or another: refused.
		if (explicit) {
			for (let k = contents.length - 1; k >= 0 && contents[k]!.trim() === ""; k--) {
				if (contents[k] !== "")
					this.fail("ambiguous", "a block scalar with an indentation indicator ending in lines of spaces", this.ln + 1 + k);
			}
		}
		// Trailing lines that are empty (or white space shorter than the indentation) are the chomped part.
		let last = contents.length;
		while (last > 0 && contents[last - 1] === "") last--;
		// Only white space: the yaml package reads no content at all.
		if (contents.every((l) => /^ *$/.test(l))) last = 0;
		let trailing = contents.length - last;
		// The text's last line has no line break of its own to keep.
		if (trailing > 0 && last > 0 && i === this.lines.length && !this.endsWithBreak) trailing--;
		// Lines after the scalar that belong to what follows: comments at a lesser indent end it.
		// Its text lines (even one that looks like a comment) and, kept with `+`, its trailing blank lines are its value.
		this.keptUntil = chomp === "keep" ? i - 1 : this.ln + last;
		this.ln = i;
		const body = contents.slice(0, last);
		let text = literal ? body.join("\n") : this.fold(body);
		if (i < this.lines.length) {
			let s = 0;
			while (this.lines[i]!.charCodeAt(s) === SPACE) s++;
			if (s > Math.max(parent, 0) && s < indent && this.lines[i]![s] === "\t")
				this.fail("tab", "a tab in the indentation after a block scalar (| or >)", i);
		}
		if (body.length === 0 && chomp === "keep" && i === this.lines.length && !this.endsWithBreak) {
			this.fail("ambiguous", "an empty block scalar kept with + at the very end of the frontmatter", i - 1);
		}
		if (body.length === 0) {
			return chomp === "keep" ? "\n".repeat(trailing) : "";
		}
		if (chomp === "strip") return text;
		text += "\n";
		if (chomp === "keep") text += "\n".repeat(trailing);
		return text;
	}

	/** Folded block scalar content: single line breaks between text lines become spaces. */
	private fold(lines: readonly string[]): string {
		let out = "";
		let prev: string | null = null;
		let empties = 0;
		for (const line of lines) {
			if (line === "") {
				if (prev === null) out += "\n";
				else empties++;
				continue;
			}
			if (prev !== null) {
				const spaced = (s: string): boolean => s[0] === " " || s[0] === "\t";
				if (spaced(prev) || spaced(line)) out += "\n" + "\n".repeat(empties);
				else out += empties === 0 ? " " : "\n".repeat(empties);
			}
			out += line;
			prev = line;
			empties = 0;
		}
		return out;
	}

	// ---- quoted scalars ----

	/**
	 * A quoted scalar opening at column `c` of the current line (quote `q`); continuation lines must be indented more
	 * than `parent`. Returns its value and where it ends (the line, and the column after the closing quote).
	 */
	// Long on purpose: a character loop with escapes and line folding for both quote styles, whose state is its locals.
	private quoted(parent: number, c: number, q: string): { value: string; endLine: number; endCol: number } {
		const openLine = this.ln;
		let i = this.ln;
		let line = this.lines[i]!;
		let d = c + 1;
		let out = "";
		/** out's length up to which trailing white space may not be trimmed (escaped characters). */
		let kept = 0;
		for (;;) {
			if (d >= line.length) {
				// A line break inside the scalar: fold it.
				out = trimEndFrom(out, kept);
				let empties = 0;
				let j = i + 1;
				for (; j < this.lines.length; j++) {
					const l = this.lines[j]!;
					if (Parser.skipWhite(l, 0) === l.length) {
						empties++;
						continue;
					}
					break;
				}
				if (j >= this.lines.length)
					this.fail("unterminated", `a ${q === '"' ? "double" : "single"}-quoted value that is never closed`, openLine);
				const next = this.lines[j]!;
				let s = 0;
				while (next.charCodeAt(s) === SPACE) s++;
				if (s <= parent) {
					this.fail(
						"unterminated",
						`a ${q === '"' ? "double" : "single"}-quoted value not closed on its line (line ${j + 1}, not indented, cannot continue it)`,
						openLine,
					);
				}
				out += empties === 0 ? " " : "\n".repeat(empties);
				kept = out.length;
				i = j;
				line = next;
				d = Parser.skipWhite(line, 0);
				continue;
			}
			const ch = line[d]!;
			if (ch === q) {
				if (q === "'" && line[d + 1] === "'") {
					out += "'";
					kept = out.length;
					d += 2;
					continue;
				}
				return { value: out, endLine: i, endCol: d + 1 };
			}
			if (q === '"' && ch === "\\") {
				if (d + 1 >= line.length) {
					// An escaped line break: joined without a space; the next line's leading white space is dropped.
					let j = i + 1;
					let empties = 0;
					for (; j < this.lines.length; j++) {
						const l = this.lines[j]!;
						if (Parser.skipWhite(l, 0) === l.length) {
							empties++;
							continue;
						}
						break;
					}
					if (j >= this.lines.length) this.fail("unterminated", "a double-quoted value that is never closed", openLine);
					const next = this.lines[j]!;
					let s = 0;
					while (next.charCodeAt(s) === SPACE) s++;
					if (s <= parent) this.fail("indentation", "a quoted value continues on a line that is not indented", j);
					if (empties > 0) this.fail("ambiguous", "an escaped line break (\\ at the end of a line) followed by an empty line", j - 1);
					kept = out.length;
					i = j;
					line = next;
					d = Parser.skipWhite(line, 0);
					continue;
				}
				const { text, length } = this.escape(line, d, i);
				out += text;
				kept = out.length;
				d += length;
				continue;
			}
			out += ch;
			if (ch !== " " && ch !== "\t") kept = out.length;
			d++;
		}
	}

	/** The escape sequence at `d` (a backslash) of `line`: its text and its length in the source. */
	private escape(line: string, d: number, lineIndex: number): { text: string; length: number } {
		const e = line[d + 1]!;
		const simple = ESCAPES[e];
		if (simple !== undefined) return { text: simple, length: 2 };
		const digits = e === "x" ? 2 : e === "u" ? 4 : e === "U" ? 8 : 0;
		if (digits > 0) {
			const hex = line.slice(d + 2, d + 2 + digits);
			if (hex.length === digits && /^[0-9a-fA-F]+$/.test(hex)) {
				const code = parseInt(hex, 16);
				if (code <= 0x10ffff) return { text: String.fromCodePoint(code), length: 2 + digits };
			}
		}
		return this.fail("syntax", `an invalid escape "\\${e}" in a double-quoted value`, lineIndex);
	}

	// ---- flow collections ----

	private flowCollection(parent: number, c: number): { value: unknown; endCol: number } {
		const cursor = { i: this.ln, c, depth: 0 };
		const value = this.flowNode(parent, cursor);
		this.ln = cursor.i;
		return { value, endCol: cursor.c };
	}

	/** Skips white space, line breaks and comments inside a flow collection. */
	private flowSkip(parent: number, at: FlowCursor): void {
		for (;;) {
			const line = this.lines[at.i]!;
			const before = at.c;
			at.c = Parser.skipWhite(line, at.c);
			if (at.c < line.length && line[at.c] === "#") {
				if (at.c > 0 && at.c === before && line[at.c - 1] !== " " && line[at.c - 1] !== "\t")
					this.fail("syntax", "a comment must follow a space", at.i);
				at.c = line.length;
			}
			if (at.c < line.length) return;
			if (at.i + 1 >= this.lines.length) this.fail("unterminated", "a flow collection ([…] or {…}) that is never closed", at.i);
			at.i++;
			at.c = 0;
			const next = this.lines[at.i]!;
			const first = next[Parser.skipWhite(next, 0)];
			// A closing bracket may sit at any indent (as the yaml package reads it); other content must be indented.
			if (first !== undefined && first !== "#") {
				let s = 0;
				while (next.charCodeAt(s) === SPACE) s++;
				if ((first === "]" || first === "}") && at.depth === 1 ? s < parent : s <= parent)
					this.fail("indentation", "a flow collection continues on a line that is not indented", at.i);
			}
		}
	}

	/** A node inside (or opening) a flow collection at `at`; moves `at` past it. */
	private flowNode(parent: number, at: FlowCursor): unknown {
		const line = this.lines[at.i]!;
		const ch = line[at.c]!;
		at.depth++;
		try {
			return this.flowCollectionAt(parent, at, ch);
		} finally {
			at.depth--;
		}
	}

	// Long on purpose: sequences and maps share the separator and line-crossing rules; one loop for both keeps them the same.
	private flowCollectionAt(parent: number, at: FlowCursor, ch: string): unknown {
		if (ch === "[") {
			at.c++;
			const out: unknown[] = [];
			for (;;) {
				this.flowSkip(parent, at);
				if (this.lines[at.i]![at.c] === "]") {
					at.c++;
					return out;
				}
				const startLine = at.i;
				const item = this.flowItem(parent, at);
				this.flowSkip(parent, at);
				let l = this.lines[at.i]!;
				if (l[at.c] === ":" && !item.collection) {
					if (at.i !== startLine) this.fail("syntax", "a key must be on one line", at.i);
					at.c++;
					const map: Record<string, unknown> = {};
					this.flowSkip(parent, at);
					l = this.lines[at.i]!;
					const value = l[at.c] === "," || l[at.c] === "]" ? null : this.flowItem(parent, at).value;
					setKey(map, jsKey(item.key), value);
					out.push(map);
					this.flowSkip(parent, at);
					l = this.lines[at.i]!;
				} else if (l[at.c] === ":") {
					this.fail("complex-key", "a flow collection used as a key is not read in frontmatter", at.i);
				} else {
					out.push(item.value);
				}
				if (!this.flowNext(l, at, "]", "sequence")) return out;
			}
		}
		if (ch === "{") {
			at.c++;
			const out: Record<string, unknown> = {};
			const seen: unknown[] = [];
			for (;;) {
				this.flowSkip(parent, at);
				let l = this.lines[at.i]!;
				if (l[at.c] === "}") {
					at.c++;
					return out;
				}
				if (l[at.c] === "?" && (l[at.c + 1] === " " || at.c + 1 === l.length))
					this.fail("complex-key", "a complex key (? …) is not read in frontmatter", at.i);
				const key = this.flowItem(parent, at);
				if (key.collection) this.fail("complex-key", "a flow collection used as a key is not read in frontmatter", at.i);
				if (seen.some((k) => k === key.key))
					this.fail("duplicate-key", `the key "${String(key.key)}" is there twice (map keys must be unique)`, at.i);
				seen.push(key.key);
				this.flowSkip(parent, at);
				l = this.lines[at.i]!;
				let value: unknown = null;
				if (l[at.c] === ":") {
					at.c++;
					this.flowSkip(parent, at);
					l = this.lines[at.i]!;
					if (l[at.c] !== "," && l[at.c] !== "}") {
						value = this.flowItem(parent, at).value;
						this.flowSkip(parent, at);
						l = this.lines[at.i]!;
					}
				}
				setKey(out, jsKey(key.key), value);
				if (!this.flowNext(l, at, "}", "mapping")) return out;
			}
		}
		return this.fail("syntax", "expected a flow collection", at.i);
	}

	/** After an entry of a flow collection: past a `,` (true: another entry may follow) or its closer (false). */
	private flowNext(line: string, at: FlowCursor, closer: "]" | "}", kind: "sequence" | "mapping"): boolean {
		const ch = line[at.c];
		if (ch !== "," && ch !== closer) this.fail("syntax", `expected , or ${closer} in a flow ${kind}`, at.i);
		at.c++;
		return ch === ",";
	}

	/** An item inside a flow collection: its value, and its key value (a plain scalar resolved, a quoted one as is). */
	// Long on purpose: one case per what can open a flow item (a collection, a quoted scalar, the refused anchor, alias, tag and complex key), then the plain scalar that may run over several lines.
	private flowItem(parent: number, at: FlowCursor): { value: unknown; key: unknown; collection: boolean } {
		const line = this.lines[at.i]!;
		const ch = line[at.c]!;
		if (ch === "[" || ch === "{") {
			const value = this.flowNode(parent, at);
			return { value, key: value, collection: true };
		}
		if (ch === '"' || ch === "'") {
			const saved = this.ln;
			this.ln = at.i;
			const { value, endLine, endCol } = this.quoted(parent, at.c, ch);
			this.ln = saved;
			at.i = endLine;
			at.c = endCol;
			return { value, key: value, collection: false };
		}
		if (ch === "&") this.fail("anchor", "an anchor (&name) is not read in frontmatter", at.i);
		if (ch === "*") this.fail("alias", "an alias (*name) is not read in frontmatter", at.i);
		if (ch === "!") this.fail("tag", "a tag (!name) is not read in frontmatter", at.i);
		if (ch === "?" && (line[at.c + 1] === " " || at.c + 1 === line.length))
			this.fail("complex-key", "a complex key (? …) is not read in frontmatter", at.i);
		if (
			ch === ":" &&
			(at.c + 1 === line.length || line[at.c + 1] === " " || line[at.c + 1] === "\t" || FLOW_INDICATORS.has(line[at.c + 1]!))
		) {
			this.fail("complex-key", "a value without a key (: …) is not read in frontmatter", at.i);
		}
		if (
			INDICATORS.has(ch) ||
			((ch === "-" || ch === ":") &&
				(at.c + 1 === line.length || line[at.c + 1] === " " || line[at.c + 1] === "\t" || FLOW_INDICATORS.has(line[at.c + 1]!)))
		) {
			this.fail("syntax", `unexpected "${ch}" in a flow collection`, at.i);
		}
		// A plain scalar, possibly over several lines.
		let text = "";
		let empties = -1;
		for (;;) {
			const l = this.lines[at.i]!;
			let d = at.c;
			let end = d;
			for (; d < l.length; d++) {
				const code = l[d]!;
				if (FLOW_INDICATORS.has(code)) break;
				if (code === ":" && (d + 1 === l.length || l[d + 1] === " " || l[d + 1] === "\t" || FLOW_INDICATORS.has(l[d + 1]!))) break;
				if (code === "#" && d > 0 && (l[d - 1] === " " || l[d - 1] === "\t")) break;
				if (code !== " " && code !== "\t") end = d + 1;
			}
			const piece = l.slice(at.c, end);
			if (empties === -1) text = piece;
			else text += (empties === 0 ? " " : "\n".repeat(empties)) + piece;
			if (d < l.length) {
				at.c = end;
				break;
			}
			// The line ended inside the scalar: it may go on on the next line with content.
			let j = at.i + 1;
			let blank = 0;
			for (; j < this.lines.length; j++) {
				const next = this.lines[j]!;
				const s = Parser.skipWhite(next, 0);
				if (s === next.length) {
					blank++;
					continue;
				}
				break;
			}
			if (j >= this.lines.length) this.fail("unterminated", "a flow collection ([…] or {…}) that is never closed", at.i);
			const next = this.lines[j]!;
			const s = Parser.skipWhite(next, 0);
			const first = next[s]!;
			if (
				FLOW_INDICATORS.has(first) ||
				first === "#" ||
				(first === ":" && (s + 1 === next.length || next[s + 1] === " " || FLOW_INDICATORS.has(next[s + 1]!)))
			) {
				at.c = end;
				break;
			}
			let sp = 0;
			while (next.charCodeAt(sp) === SPACE) sp++;
			if (sp <= parent) this.fail("indentation", "a flow collection continues on a line that is not indented", j);
			at.i = j;
			at.c = s;
			empties = blank;
		}
		const multi = empties !== -1;
		const value = multi ? text : resolvePlain(text);
		return { value, key: value, collection: false };
	}
}

interface FlowCursor {
	/** Line and column. */
	i: number;
	c: number;
	/** How many flow collections are open. */
	depth: number;
}

const ESCAPES: Record<string, string> = {
	"0": "\0",
	a: "\x07",
	b: "\b",
	t: "\t",
	"\t": "\t",
	n: "\n",
	v: "\v",
	f: "\f",
	r: "\r",
	e: "\x1b",
	" ": " ",
	'"': '"',
	"/": "/",
	"\\": "\\",
	N: "\u0085",
	_: "\u00a0",
	L: "\u2028",
	P: "\u2029",
};

/** `s` with trailing spaces and tabs removed, but not before index `floor`. */
function trimEndFrom(s: string, floor: number): string {
	let end = s.length;
	while (end > floor && (s[end - 1] === " " || s[end - 1] === "\t")) end--;
	return s.slice(0, end);
}
