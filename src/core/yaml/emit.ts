/**
 * Our YAML writer for frontmatter values: block style, two-space indentation, no line folding; strings plain when
 * YAML reads them back as the same string, else quoted (single quotes when the text has a `"` and no `'`, else
 * double), multi-line strings as literal block scalars. The output is what the `yaml` package wrote before
 * (`new Document(value).toString({ lineWidth: 0 })`), so notes written before keep their bytes
 * (test/core/yaml/emit.test.ts compares the two over generated values).
 */

import { parseYaml, resolvePlain } from "./parse";

export interface EmitOptions {
	/** Keys whose string values (and the strings of their lists) are always double-quoted. */
	doubleQuotedKeys?: ReadonlySet<string>;
}

/** The block mapping of `data` (each line ends with "\n"); `{}\n` when it has no keys. */
export function emitMapping(data: Readonly<Record<string, unknown>>, options: EmitOptions = {}): string {
	const text = mapping(data, "", options);
	return text === null ? "{}\n" : text + "\n";
}

/** One `key: value` entry of a top-level mapping, without its final line break ("" for an undefined value). */
export function emitEntry(key: string, value: unknown, options: EmitOptions = {}): string {
	if (value === undefined) return "";
	return pair(key, value, "", options);
}

/** `value` written after a key's `:` (with the space or line break that follows it), as `emitEntry` does. */
export function emitValueAfterKey(value: unknown, style: "plain" | "single" | "double" = "plain"): string {
	if (typeof value === "string" && style !== "plain" && !value.includes("\n") && !CONTROL.test(value)) {
		return " " + (style === "single" ? singleQuoted(value, "  ") : doubleQuoted(value, "  ", false));
	}
	return valueAfterKey(value, "", {}, false);
}

function mapping(data: Readonly<Record<string, unknown>>, indent: string, options: EmitOptions): string | null {
	const lines: string[] = [];
	for (const key of Object.keys(data)) {
		const value = data[key];
		if (value === undefined) continue;
		lines.push(pair(key, value, indent, options));
	}
	return lines.length === 0 ? null : lines.join(`\n${indent}`);
}

function pair(key: string, value: unknown, indent: string, options: EmitOptions): string {
	const inner = indent + "  ";
	const quoted = options.doubleQuotedKeys?.has(key) ?? false;
	return keyText(key, inner) + ":" + valueAfterKey(value, indent, options, quoted);
}

/** A value with a toJSON method (a Date) as that gives it, as the yaml package wrote it. */
function jsonValue(value: unknown): unknown {
	return value !== null && typeof value === "object" && typeof (value as { toJSON?: unknown }).toJSON === "function"
		? (value as { toJSON(): unknown }).toJSON()
		: value;
}

function valueAfterKey(value: unknown, indent: string, options: EmitOptions, quoted: boolean): string {
	value = jsonValue(value);
	const inner = indent + "  ";
	if (Array.isArray(value)) {
		if (value.length === 0) return " []";
		return `\n${inner}` + sequence(value, inner, options, quoted);
	}
	if (isPlainObject(value)) {
		const text = mapping(value, inner, options);
		return text === null ? " {}" : `\n${inner}` + text;
	}
	const text = scalar(value, inner, quoted);
	return text === "" || text.startsWith("\n") ? text : " " + text;
}

function sequence(items: readonly unknown[], indent: string, options: EmitOptions, quoted: boolean): string {
	const itemIndent = indent + "  ";
	// Array.from: a hole in a sparse list is written as null.
	const lines = Array.from(items, (each) => {
		const item = jsonValue(each);
		if (Array.isArray(item)) return "- " + (item.length === 0 ? "[]" : sequence(item, itemIndent, options, false));
		if (isPlainObject(item)) return "- " + (mapping(item, itemIndent, options) ?? "{}");
		return "- " + scalar(item === undefined ? null : item, itemIndent, quoted);
	});
	return lines.join(`\n${indent}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** A scalar value (`indent`: the indentation of its continuation lines). */
function scalar(value: unknown, indent: string, quoted: boolean): string {
	if (value === null || value === undefined) return "null";
	if (typeof value === "boolean") return value ? "true" : "false";
	if (typeof value === "number") return number(value);
	if (typeof value === "bigint") return String(value);
	// Anything else (a symbol, a function: never in frontmatter data) as an empty string.
	const text = typeof value === "string" ? value : typeof value === "symbol" ? value.toString() : "";
	if (quoted) return doubleQuoted(text, indent, false);
	return stringValue(text, indent, false);
}

function number(value: number): string {
	if (!Number.isFinite(value)) return Number.isNaN(value) ? ".nan" : value < 0 ? "-.inf" : ".inf";
	return Object.is(value, -0) ? "-0" : JSON.stringify(value);
}

// eslint-disable-next-line no-control-regex -- control characters are what this finds
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u;
/** What a plain scalar cannot be: an indicator first, `: ` or ` #` inside, white space or `:` at the end, … */
const NOT_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
const DOCUMENT_MARKER = /^(%|---|\.\.\.)/m;

/** A key: plain when it reads back as the same string on one line, else quoted. */
function keyText(key: string, indent: string): string {
	if (CONTROL.test(key)) return doubleQuoted(key, indent, true);
	// A document marker starts a top-level key only (the yaml package's rule).
	if (key.includes("\n") || NOT_PLAIN.test(key) || (indent === "  " && DOCUMENT_MARKER.test(key)) || resolvePlain(key) !== key)
		return quoted(key, indent, true);
	return key;
}

/** A string value in block context. */
function stringValue(value: string, indent: string, implicitKey: boolean): string {
	if (CONTROL.test(value)) return doubleQuoted(value, indent, implicitKey);
	if (NOT_PLAIN.test(value)) return value.includes("\n") ? blockLiteral(value, indent) : quoted(value, indent, implicitKey);
	if (value.includes("\n")) return blockLiteral(value, indent);
	if (resolvePlain(value) !== value) return quoted(value, indent, implicitKey);
	return value;
}

function quoted(value: string, indent: string, implicitKey: boolean): string {
	const hasDouble = value.includes('"');
	const hasSingle = value.includes("'");
	if (hasDouble && !hasSingle && !(implicitKey && value.includes("\n")) && !/[ \t]\n|\n[ \t]/.test(value))
		return singleQuoted(value, indent);
	return doubleQuoted(value, indent, implicitKey);
}

function singleQuoted(value: string, indent: string): string {
	if (/[ \t]\n|\n[ \t]/.test(value)) return doubleQuoted(value, indent, false);
	return "'" + value.replace(/'/g, "''").replace(/\n+/g, `$&\n${indent}`) + "'";
}

const NAMED_ESCAPES: Record<string, string> = {
	"0000": "\\0",
	"0007": "\\a",
	"000b": "\\v",
	"001b": "\\e",
	"0085": "\\N",
	"00a0": "\\_",
	"2028": "\\L",
	"2029": "\\P",
};

/**
 * A double-quoted string: JSON's escapes, YAML's short ones for some control characters, and (outside keys, for
 * strings of 40 characters or more) a line break written as a real one so that long text stays readable.
 */
function doubleQuoted(value: string, indent: string, implicitKey: boolean): string {
	const json = JSON.stringify(value);
	let out = "";
	let start = 0;
	for (let i = 0; i < json.length; i++) {
		let ch = json[i];
		if (ch === " " && json[i + 1] === "\\" && json[i + 2] === "n") {
			// A space before a line break is escaped, or folding would eat it.
			out += json.slice(start, i) + "\\ ";
			i += 1;
			start = i;
			ch = "\\";
		}
		if (ch !== "\\") continue;
		const next = json[i + 1];
		if (next === "u") {
			out += json.slice(start, i);
			const code = json.slice(i + 2, i + 6);
			out += NAMED_ESCAPES[code] ?? (code.startsWith("00") ? "\\x" + code.slice(2) : json.slice(i, i + 6));
			i += 5;
			start = i + 1;
		} else if (next === "n") {
			if (implicitKey || json[i + 2] === '"' || json.length < 40) {
				i += 1;
			} else {
				out += json.slice(start, i) + "\n\n";
				while (json[i + 2] === "\\" && json[i + 3] === "n" && json[i + 4] !== '"') {
					out += "\n";
					i += 2;
				}
				out += indent;
				if (json[i + 2] === " ") out += "\\";
				i += 1;
				start = i + 1;
			}
		} else {
			i += 1;
		}
	}
	return start ? out + json.slice(start) : json;
}

/** A multi-line string as a literal block scalar (`|`), with the chomping its trailing line breaks need. */
function blockLiteral(value: string, indent: string): string {
	// White space only: the yaml package wrote `|+` and a line of spaces, which reads back as something else.
	if (/\n[\t ]+$/.test(value)) return quoted(value, indent, false);
	const block = blockText(value, indent);
	// White space only: the yaml package could write a block that reads back as something else (`|+` and a line of
	// spaces); such a string is written quoted instead.
	if (/^[ \t\n]*$/.test(value) && !readsBackAs(block, indent, value)) return quoted(value, indent, false);
	return block;
}

function readsBackAs(block: string, indent: string, value: string): boolean {
	try {
		const read = parseYaml(`${indent.slice(2)}k: ${block}\n`).value as Record<string, unknown> | null;
		return read?.k === value;
	} catch {
		return false;
	}
}

function blockText(value: string, indent: string): string {
	let endStart = value.length;
	while (endStart > 0 && "\n\t ".includes(value[endStart - 1]!)) endStart--;
	let end = value.slice(endStart);
	const endBreak = end.indexOf("\n");
	const chomp = endBreak === -1 ? "-" : value === end || endBreak !== end.length - 1 ? "+" : "";
	let body = value;
	if (end) {
		body = value.slice(0, -end.length);
		if (end.endsWith("\n")) end = end.slice(0, -1);
		end = end.replace(/(^|(?<!\n))\n+(?!\n|$)/g, `$&${indent}`);
	}
	let startWithSpace = false;
	let startEnd = 0;
	let startBreak = -1;
	for (; startEnd < body.length; startEnd++) {
		const ch = body[startEnd];
		if (ch === " ") startWithSpace = true;
		else if (ch === "\n") startBreak = startEnd;
		else break;
	}
	let start = body.slice(0, startBreak < startEnd ? startBreak + 1 : startEnd);
	if (start) {
		body = body.slice(start.length);
		start = start.replace(/\n+/g, `$&${indent}`);
	}
	const header = (startWithSpace ? "2" : "") + chomp;
	body = body.replace(/\n+/g, `$&${indent}`);
	return `|${header}\n${indent}${start}${body}${end}`;
}
