// A look at one conversation's element without parsing it (issue 20): a re-import decides most conversations
// "unchanged" from their id and source time alone, which sit at the element's top level. The splitter notes where the
// element's first-level strings are as it scans (see ElementPeek); from those, the members named here are found and
// their (short) values read. Anything the look is not sure of (a key written with escapes, a value of another type,
// a member missing) makes it give up: the element is then parsed as any other.
import { isWhitespace } from "./json-array-stream";
import { isoTime } from "./normalize/text-utils";

/** What a source's elements show at their top level (see ProviderModule.quick). */
export interface QuickShape {
	/** Keys holding the id, in order of preference: the first with a non-empty string (each present one a string or null). */
	id: readonly string[];
	/** The key of the source's update time: an ISO string, or seconds since the epoch (a JSON number). */
	updated: { key: string; type: "string" | "seconds" };
	/** The key of the title, a string (or null); trimmed, "Untitled" when empty (shown while the item is decided). */
	title: string;
	/** Keys every element of the source has at its top level (what detection looks at): all must be there. */
	has: readonly string[];
	/** Keys that would make detection choose another source (or fail the source's validation): none may be there. */
	hasNot: readonly string[];
	/**
	 * Strings (keys or values, at any depth) one of which every element holding an attachment the note may bring a
	 * file for holds (ConversationFacts.attachments): an element with none of them has none (the splitter looks for
	 * them: SplitOptions.marks).
	 */
	fileMarkers: readonly string[];
}

/** What a look found: the conversation's id and source time as normalising would make them, and its title. */
export interface QuickLook {
	id: string;
	updated: string;
	title: string;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const COLON = 0x3a;
const COMMA = 0x2c;

/** The first byte at or after `i` that is not whitespace (its position). */
function skipSpace(bytes: Uint8Array, i: number): number {
	while (i < bytes.length && isWhitespace(bytes[i])) i++;
	return i;
}

/** The last byte before `i` that is not whitespace (its position), or -1. */
function skipSpaceBack(bytes: Uint8Array, i: number): number {
	while (i >= 0 && isWhitespace(bytes[i])) i--;
	return i;
}

/** Whether bytes[start, end) are the ASCII characters of `name`. */
function sameAscii(bytes: Uint8Array, start: number, end: number, name: string): boolean {
	if (end - start !== name.length) return false;
	for (let k = 0; k < name.length; k++) if (bytes[start + k] !== name.charCodeAt(k)) return false;
	return true;
}

/** A member's value: a string (its bytes without the quotes), null, a number (its text), or something else. */
type Value = { kind: "string"; start: number; end: number } | { kind: "null" } | { kind: "number"; text: string } | { kind: "other" };

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** A string value's text, as JSON.parse would give it; null when its bytes are not valid. */
function stringAt(bytes: Uint8Array, start: number, end: number): string | null {
	try {
		let plain = end - start <= 256;
		for (let k = start; plain && k < end; k++) {
			const b = bytes[k]!;
			if (b === BACKSLASH || b >= 0x80 || b < 0x20) plain = false;
		}
		if (plain) return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
		return JSON.parse(utf8.decode(bytes.subarray(start - 1, end + 1))) as string;
	} catch {
		return null;
	}
}

/**
 * The element's first-level members among `wanted` (by key; the last of a repeated key, as JSON.parse keeps), from
 * the places of its first-level strings; null when the look is unsure: the element is not an object, or a key it
 * holds is written with escapes (it could be any of them).
 */
function membersOf(bytes: Uint8Array, tops: Int32Array, count: number, wanted: readonly string[]): Map<string, Value> | null {
	if (bytes[skipSpace(bytes, 0)] !== LBRACE) return null;
	const found = new Map<string, Value>();
	for (let t = 0; t < count; t++) {
		const start = tops[2 * t]!;
		const end = tops[2 * t + 1]!;
		// A key follows `{` or `,` and is followed by `:` (a string value follows `:`).
		const before = bytes[skipSpaceBack(bytes, start - 2)];
		if (before !== LBRACE && before !== COMMA) continue;
		const colon = skipSpace(bytes, end + 1);
		if (bytes[colon] !== COLON) return null; // not JSON as expected: let the parser say
		for (let k = start; k < end; k++) if (bytes[k] === BACKSLASH) return null;
		const name = wanted.find((w) => sameAscii(bytes, start, end, w));
		if (name === undefined) continue;
		found.set(name, valueAt(bytes, skipSpace(bytes, colon + 1), tops, t + 1, count));
	}
	return found;
}

/** The value starting at `at` (the first-level string after the key is the `next`th, if it is one). */
function valueAt(bytes: Uint8Array, at: number, tops: Int32Array, next: number, count: number): Value {
	const b = bytes[at];
	if (b === QUOTE)
		return next < count && tops[2 * next] === at + 1 ? { kind: "string", start: at + 1, end: tops[2 * next + 1]! } : { kind: "other" };
	if (b === 0x6e /* n */) return sameAscii(bytes, at, at + 4, "null") && isEnd(bytes[at + 4]) ? { kind: "null" } : { kind: "other" };
	if (b === 0x2d /* - */ || (b !== undefined && b >= 0x30 && b <= 0x39)) {
		let end = at;
		while (end < bytes.length && !isEnd(bytes[end])) end++;
		const text = String.fromCharCode.apply(null, bytes.subarray(at, Math.min(end, at + 64)) as unknown as number[]);
		return end - at <= 64 && JSON_NUMBER.test(text) ? { kind: "number", text } : { kind: "other" };
	}
	return { kind: "other" };
}

function isEnd(b: number | undefined): boolean {
	return b === COMMA || b === 0x7d /* } */ || isWhitespace(b);
}

/** A shape made ready for many looks: the keys it reads. */
export interface QuickLooker {
	shape: QuickShape;
	wanted: readonly string[];
}

export function quickLooker(shape: QuickShape): QuickLooker {
	return { shape, wanted: [...new Set([...shape.id, shape.updated.key, shape.title, ...shape.has, ...shape.hasNot])] };
}

/**
 * The id, source time and title of an element of a source of `shape`, as its normaliser would make them; null when
 * the look is unsure (see membersOf) or the source time is not one (normalising would take another). Whether it may
 * hold a file is told by the splitter (QuickShape.fileMarkers).
 */
export function quickLook(looker: QuickLooker, bytes: Uint8Array, tops: Int32Array, count: number): QuickLook | null {
	const { shape, wanted } = looker;
	const members = membersOf(bytes, tops, count, wanted);
	if (members === null) return null;
	if (shape.has.some((k) => !members.has(k)) || shape.hasNot.some((k) => members.has(k))) return null;
	let id: string | null = null;
	for (const key of shape.id) {
		const v = members.get(key);
		if (v === undefined || v.kind === "null") continue;
		if (v.kind !== "string") return null;
		const text = stringAt(bytes, v.start, v.end);
		if (text === null) return null;
		if (id === null && text !== "") id = text;
	}
	if (id === null) return null;
	const time = members.get(shape.updated.key);
	let updated: string | null = null;
	if (shape.updated.type === "string" && time?.kind === "string") {
		const text = stringAt(bytes, time.start, time.end);
		updated = text === null ? null : isoTime(text);
	} else if (shape.updated.type === "seconds" && time?.kind === "number") {
		updated = isoTime(Number(time.text));
	}
	if (updated === null) return null;
	const name = members.get(shape.title);
	if (name !== undefined && name.kind !== "string" && name.kind !== "null") return null;
	const title = name?.kind === "string" ? (stringAt(bytes, name.start, name.end) ?? "").trim() : "";
	return { id, updated, title: title === "" ? "Untitled" : title };
}
