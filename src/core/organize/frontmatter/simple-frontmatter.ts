/**
 * A reader for the frontmatter most notes have, much cheaper than a YAML parser: one `key: value` per line, and
 * lists written as `  - item` lines under a `key:`. Values are double- or single-quoted strings without escapes,
 * or plain scalars resolved as YAML 1.2's core schema does (null, booleans, small decimal integers, else a string;
 * other numbers are left to the parser).
 * Anything else — comments, blank lines, flow collections, escapes, anchors, tags, block scalars, numbers it does
 * not read itself, a repeated key, a multi-line value — makes it answer null, and the caller parses the YAML.
 * So it either gives exactly what `yaml`'s parseDocument(...).toJS() gives, or nothing (a test compares the two on
 * generated frontmatter).
 */

const KEY = /^([A-Za-z_][A-Za-z0-9_-]{0,63}):(?: +(.*))?$/;
const ITEM = /^( +)-(?: +(.*))?$/;
const SPECIAL_KEY = /^(?:null|Null|NULL|true|True|TRUE|false|False|FALSE|__proto__)$/;
/** A first character that makes a plain scalar something else (or that it cannot start with). */
const INDICATOR = /^[-?:,[\]{}#&*!|>'"%@`\s]/;
const INT = /^[0-9]{1,15}$/;
/** The core schema's numbers (as the `yaml` package writes them): a plain scalar like these is left to the parser. */
const NUMBERS = [
	/^0o[0-7]+$/,
	/^[-+]?[0-9]+$/,
	/^0x[0-9a-fA-F]+$/,
	/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
	/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/,
	/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/,
];
/** Control characters, and what YAML may take for a line break or a byte order mark. */
// eslint-disable-next-line no-control-regex -- the point is to find control characters
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/;

const NO = Symbol("not simple");

function scalar(raw: string): unknown {
	if (CONTROL.test(raw)) return NO;
	const value = raw.replace(/ +$/, "");
	const first = value[0];
	if (first === '"' || first === "'") {
		const close = value.indexOf(first, 1);
		if (close !== value.length - 1) return NO;
		const inner = value.slice(1, close);
		return first === '"' && inner.includes("\\") ? NO : inner;
	}
	if (value === "" || INDICATOR.test(value)) return NO;
	if (value.includes(": ") || value.endsWith(":") || value.includes(" #")) return NO;
	if (value === "~" || value === "null" || value === "Null" || value === "NULL") return null;
	if (value === "true" || value === "True" || value === "TRUE") return true;
	if (value === "false" || value === "False" || value === "FALSE") return false;
	if (INT.test(value)) return Number(value);
	if (NUMBERS.some((number) => number.test(value))) return NO;
	return value;
}

/** The frontmatter's data when it is simple (see above), else null. `yaml` is the text between the fences. */
export function readSimpleFrontmatter(yaml: string): Record<string, unknown> | null {
	if (yaml.includes("\r") || yaml.includes("\t")) return null;
	const out: Record<string, unknown> = {};
	const lines = yaml.split("\n");
	if (lines[lines.length - 1] === "") lines.pop();
	let list: unknown[] | null = null;
	let listKey = "";
	let indent = -1;
	for (const line of lines) {
		const item = ITEM.exec(line);
		if (item) {
			if (listKey === "" || (indent !== -1 && item[1]!.length !== indent) || item[2] === undefined) return null;
			indent = item[1]!.length;
			const value = scalar(item[2]);
			if (value === NO) return null;
			(list ??= []).push(value);
			out[listKey] = list;
			continue;
		}
		const entry = KEY.exec(line);
		if (!entry) return null;
		const key = entry[1]!;
		if (SPECIAL_KEY.test(key) || Object.prototype.hasOwnProperty.call(out, key)) return null;
		list = null;
		indent = -1;
		if (entry[2] === undefined || entry[2].trim() === "") {
			// `key:` alone: null, or the list on the lines below.
			if (entry[2] !== undefined && entry[2] !== "") return null;
			out[key] = null;
			listKey = key;
			continue;
		}
		listKey = "";
		const value = scalar(entry[2]);
		if (value === NO) return null;
		out[key] = value;
	}
	return out;
}
