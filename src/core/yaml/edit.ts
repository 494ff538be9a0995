/**
 * Edits a frontmatter block in place: sets, replaces or removes top-level keys and leaves every other line exactly as
 * the user wrote it (their keys, order, comments, quoting, blank lines, line endings). A replaced key keeps its own
 * key text and takes the new value where the old one was; a new key goes after the last key; a removed key's lines
 * go (the comments around it stay). The `yaml` package's Document, which did this before, wrote the whole block out
 * again (`[a, b]` became `[ a, b ]`, comments lost their spacing, CRLF became LF).
 */

import { emitEntry, emitMapping, emitValueAfterKey } from "./emit";
import { parseYaml, type ParsedYaml } from "./parse";

export type YamlChange = { key: string; kind: "set"; value: unknown } | { key: string; kind: "remove" };

export interface EditOptions {
	/** Line ending of new lines ("\n" by default). */
	eol?: "\n" | "\r\n";
	/**
	 * When a scalar replaces a scalar written on its key's line, keep its quoting (single or double) and its trailing
	 * comment, as the yaml package's `Document.set` with a plain value did.
	 */
	keepScalarStyle?: boolean;
}

/**
 * `yaml` (the text between the fences, as parsed into `parsed`) with `changes` applied. The result ends with a line
 * break unless it is empty. Changes to keys of a document that is not a block mapping rewrite the whole block.
 */
export function editYaml(yaml: string, parsed: ParsedYaml, changes: readonly YamlChange[], options: EditOptions = {}): string {
	const eol = options.eol ?? "\n";
	const edited = editInPlace(yaml, parsed, changes, options);
	if (edited !== null) return edited;
	const expected = changed(parsed.value, changes);
	return Object.keys(expected).length === 0 ? "" : emitMapping(expected).replace(/\n/g, eol);
}

/** The data after `changes`. */
function changed(value: unknown, changes: readonly YamlChange[]): Record<string, unknown> {
	const out: Record<string, unknown> = isRecord(value) ? { ...value } : {};
	for (const change of changes) {
		if (change.kind === "remove" || change.value === undefined) delete out[change.key];
		else Object.defineProperty(out, change.key, { value: change.value, enumerable: true, writable: true, configurable: true });
	}
	return out;
}

/**
 * editYaml keeping every untouched line; null when the result would not read back as the changed data (a comment
 * line the user indented under a key reads as text of a block scalar written before it), and editYaml then writes
 * the data out in full.
 */
export function editInPlace(yaml: string, parsed: ParsedYaml, changes: readonly YamlChange[], options: EditOptions = {}): string | null {
	const eol = options.eol ?? "\n";
	if (parsed.entries === null || parsed.indent !== 0) {
		// Empty (or only comments), or not a block mapping at column 0: the data written out in our layout.
		const data: Record<string, unknown> = isRecord(parsed.value) ? { ...parsed.value } : {};
		for (const change of changes) {
			if (change.kind === "remove") delete data[change.key];
			else data[change.key] = change.value;
		}
		const kept = parsed.value === null ? keptComments(yaml, eol) : "";
		if (Object.keys(data).length === 0) return kept;
		return kept + emitMapping(data).replace(/\n/g, eol);
	}
	const lines = splitLines(yaml);
	/** Replacement text for a line range, by the range's first line. */
	const replaced = new Map<number, { end: number; text: string | null }>();
	/** New keys, in the order a JS object would have them (a key removed and set again goes last). */
	const appended = new Map<string, string>();
	const removed = new Set<string>();
	const entries = new Map(parsed.entries.map((entry) => [entry.key, entry]));
	for (const change of changes) {
		const entry = removed.has(change.key) ? undefined : entries.get(change.key);
		if (change.kind === "remove" || change.value === undefined) {
			appended.delete(change.key);
			if (entry) {
				replaced.set(entry.line, { end: entry.end, text: null });
				removed.add(change.key);
			}
			continue;
		}
		if (!entry) {
			appended.delete(change.key);
			appended.set(change.key, emitEntry(change.key, change.value));
			continue;
		}
		const keyLine = lines[entry.line]!;
		const keyText = keyLine.text.slice(0, entry.colonEnd);
		const value = change.value;
		let text: string;
		if (options.keepScalarStyle && entry.inline && isScalar(value)) {
			const comment = keyLine.text.slice(entry.inline.commentAt);
			text = keyText + emitValueAfterKey(value, entry.inline.style) + (comment.startsWith(" ") || comment.startsWith("\t") ? comment : "");
		} else {
			text = keyText + emitValueAfterKey(value);
		}
		replaced.set(entry.line, { end: entry.end, text });
	}
	let out = "";
	const lastEntry = parsed.entries[parsed.entries.length - 1]!;
	for (let i = 0; i < lines.length;) {
		const change = replaced.get(i);
		if (change) {
			if (change.text !== null) out += change.text.replace(/\n/g, eol) + eol;
			i = change.end;
		} else {
			out += lines[i]!.text + lines[i]!.eol;
			i++;
		}
		if (i === lastEntry.end) {
			// New keys go after the last key's value, before comments and blank lines at the end.
			if (out !== "" && !out.endsWith("\n")) out += eol;
			for (const entry of appended.values()) out += entry.replace(/\n/g, eol) + eol;
			appended.clear();
		}
	}
	if (out !== "" && !out.endsWith("\n")) out += eol;
	// Nothing but white space left: no block at all.
	if (out.trim() === "") out = "";
	return readsAs(out, changed(parsed.value, changes)) ? out : null;
}

function readsAs(text: string, expected: Record<string, unknown>): boolean {
	try {
		return sameData(parseYaml(text).value ?? {}, expected);
	} catch {
		return false;
	}
}

/** Deep equality of what was read (`a`) and what was written (`b`: undefined in a list reads as null, in a map as absent). */
function sameData(a: unknown, b: unknown): boolean {
	if (b !== null && typeof b === "object" && typeof (b as { toJSON?: unknown }).toJSON === "function")
		b = (b as { toJSON(): unknown }).toJSON();
	if (b === undefined) b = null;
	if (typeof a === "number" && typeof b === "number") return Object.is(a, b);
	if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return a === b;
	if (Array.isArray(a) !== Array.isArray(b)) return false;
	if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((x, i) => sameData(x, (b as unknown[])[i]));
	const ka = Object.keys(a);
	const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
	return (
		ka.length === kb.length &&
		ka.every((k, i) => k === kb[i] && sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
	);
}

/** `yaml` parsed for editing; throws YamlError. */
export function parseForEdit(yaml: string): ParsedYaml {
	return parseYaml(yaml);
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return value !== null && typeof value === "object" && !Array.isArray(value);
}

function isScalar(value: unknown): boolean {
	return value === null || (typeof value !== "object" && typeof value !== "function");
}

/** The comment lines of a block with no keys, kept above the keys written into it. */
function keptComments(yaml: string, eol: string): string {
	const lines = splitLines(yaml).filter((line) => line.text.trim() !== "");
	return lines.map((line) => line.text + eol).join("");
}

function splitLines(text: string): { text: string; eol: string }[] {
	const out: { text: string; eol: string }[] = [];
	let start = 0;
	while (start < text.length) {
		const newline = text.indexOf("\n", start);
		if (newline === -1) {
			out.push({ text: text.slice(start), eol: "" });
			break;
		}
		const cr = newline > start && text[newline - 1] === "\r";
		out.push({ text: text.slice(start, cr ? newline - 1 : newline), eol: cr ? "\r\n" : "\n" });
		start = newline + 1;
	}
	return out;
}
