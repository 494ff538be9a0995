import { parseYaml, resolvePlain, YamlError, type ParsedYaml } from "../../yaml/parse";

/**
 * A note split into its YAML frontmatter and its body. `prefix` is the exact text of the frontmatter block
 * (BOM, `---` fences, YAML and the line break after the closing fence), so `prefix + body === text` always holds
 * and a note whose frontmatter is not changed is written back byte for byte.
 */
export interface ParsedNote {
	hasFrontmatter: boolean;
	/** The frontmatter as plain data (keys in document order). Empty when there is none. */
	frontmatter: Record<string, unknown>;
	/** The frontmatter's YAML as read, for editing it in place (renderNote); null when there is none. */
	yaml: { text: string; parsed: ParsedYaml } | null;
	/** The frontmatter block exactly as in the file ("" when there is none). */
	prefix: string;
	/** Everything after the frontmatter block. */
	body: string;
	/** The line ending the note uses (of its first line). */
	eol: "\n" | "\r\n";
}

export type ParseNoteResult = { ok: true; note: ParsedNote } | { ok: false; /** 1-based line in the note */ line: number; reason: string };

const OPENING = /^(\uFEFF?)---[ \t]*(\r?\n)/;
const CLOSING = /^---[ \t]*$/;

/** What parseNoteData gives: a ParsedNote without the YAML kept for editing (only the data). */
export type NoteData = Omit<ParsedNote, "yaml">;

/**
 * parseNote for a reader that needs only the frontmatter's data, not what editing it needs (organize's plan). A
 * frontmatter of plain `key: value` lines (flatFrontmatter) is read without the YAML parser: same data.
 */
export function parseNoteData(text: string): { ok: true; note: NoteData } | Extract<ParseNoteResult, { ok: false }> {
	const opening = OPENING.exec(text);
	const closing = opening && opening[2] === "\n" ? closingFence(text, opening[0].length) : null;
	const flat = closing ? flatFrontmatter(text.slice(opening![0].length, closing.start)) : null;
	if (flat === null) return parseNote(text);
	return {
		ok: true,
		note: { hasFrontmatter: true, frontmatter: flat, prefix: text.slice(0, closing!.end), body: text.slice(closing!.end), eol: "\n" },
	};
}

/** A–Z or a–z. */
function isLetter(code: number): boolean {
	return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** A letter, a digit, `_` or `-`. */
function isKeyChar(code: number): boolean {
	return isLetter(code) || (code >= 48 && code <= 57) || code === 95 || code === 45;
}

/** A key character, a space, `,`, `.` or `/`. */
function isValueChar(code: number): boolean {
	return isKeyChar(code) || code === 32 || code === 44 || code === 46 || code === 47;
}

/**
 * The data of a frontmatter made only of lines `key: value` (most notes'), as parseYaml reads it; null for any other
 * (parseYaml reads it then). Each key: a letter or `_`, then letters, digits, `_` or `-`, a plain string under the
 * core schema (not `null`, `true`…), not seen before, not `__proto__`; then `: `. Each value: on its line alone, a
 * letter or a digit, then letters, digits, spaces and `,._/-`, not ending in a space: a plain scalar with no comment, no
 * `: ` and no indicator, resolved as parseYaml resolves it (resolvePlain). A line break ends every line (no `\r`, no
 * tab, no blank or comment line, no indented line that would continue a value).
 */
export function flatFrontmatter(yaml: string): Record<string, unknown> | null {
	if (yaml.length === 0) return null;
	const out: Record<string, unknown> = {};
	let start = 0;
	while (start < yaml.length) {
		const newline = yaml.indexOf("\n", start);
		if (newline === -1) return null;
		let c = start;
		const first = yaml.charCodeAt(c);
		if (!isLetter(first) && first !== 95) return null;
		while (c < newline && isKeyChar(yaml.charCodeAt(c))) c++;
		if (yaml.charCodeAt(c) !== 58 || yaml.charCodeAt(c + 1) !== 32) return null;
		const key = yaml.slice(start, c);
		c += 2;
		while (c < newline && yaml.charCodeAt(c) === 32) c++;
		const valueStart = c;
		const lead = yaml.charCodeAt(c);
		if (c === newline || !(isLetter(lead) || (lead >= 48 && lead <= 57)) || yaml.charCodeAt(newline - 1) === 32) return null;
		for (; c < newline; c++) if (!isValueChar(yaml.charCodeAt(c))) return null;
		if (key === "__proto__" || Object.hasOwn(out, key) || resolvePlain(key) !== key) return null;
		out[key] = resolvePlain(yaml.slice(valueStart, newline));
		start = newline + 1;
	}
	return out;
}

/** The closing fence after the opening one: a line that is exactly `---` (Obsidian's rule); null when none. */
function closingFence(text: string, from: number): { start: number; end: number } | null {
	let lineStart = from;
	while (lineStart <= text.length) {
		const newline = text.indexOf("\n", lineStart);
		const lineEnd = newline === -1 ? text.length : newline;
		const line = text.slice(lineStart, lineEnd).replace(/\r$/, "");
		if (CLOSING.test(line)) return { start: lineStart, end: newline === -1 ? text.length : newline + 1 };
		if (newline === -1) break;
		lineStart = newline + 1;
	}
	return null;
}

/** Splits a note into frontmatter and body. Invalid YAML is a failure with the line and the reason. */
export function parseNote(text: string): ParseNoteResult {
	const eol: "\n" | "\r\n" = /\r\n/.exec(text.slice(0, text.indexOf("\n") + 1)) ? "\r\n" : "\n";
	const opening = OPENING.exec(text);
	if (!opening) {
		return { ok: true, note: { hasFrontmatter: false, frontmatter: {}, yaml: null, prefix: "", body: text, eol } };
	}
	const closing = closingFence(text, opening[0].length);
	if (closing === null) {
		// No closing fence: Obsidian does not treat this as frontmatter either; the whole text is the body.
		return { ok: true, note: { hasFrontmatter: false, frontmatter: {}, yaml: null, prefix: "", body: text, eol } };
	}
	const yamlText = text.slice(opening[0].length, closing.start);
	let parsed: ParsedYaml;
	try {
		parsed = parseYaml(yamlText);
	} catch (e) {
		if (e instanceof YamlError) return { ok: false, line: e.line + 1, reason: e.reason };
		throw e;
	}
	const data = parsed.value;
	if (data !== null && (typeof data !== "object" || Array.isArray(data))) {
		return { ok: false, line: 2, reason: "the frontmatter is not a list of key: value pairs" };
	}
	const frontmatter = (data ?? {}) as Record<string, unknown>;
	return {
		ok: true,
		note: {
			hasFrontmatter: true,
			frontmatter,
			yaml: { text: yamlText, parsed },
			prefix: text.slice(0, closing.end),
			body: text.slice(closing.end),
			eol: opening[2] === "\r\n" ? "\r\n" : "\n",
		},
	};
}
