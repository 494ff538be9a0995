import { JsonStreamError } from "./errors";
import { splitJsonArray, type JsonArrayItem } from "./json-array-stream";

/**
 * Streams the elements of one array held by a top-level JSON object (`{"conversations": [ … ], "projects": …}`),
 * without reading the document into one string: the bytes are scanned once for the member's key (tracking nesting
 * and strings across chunk boundaries), the array's own bytes are handed to {@link splitJsonArray}, and reading
 * stops at its closing `]`. Element offsets are absolute (from the document's first byte). A document whose top
 * level is not an object throws a JsonStreamError; one without the member yields nothing.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACK = 0x5b;
const RBRACK = 0x5d;
const COLON = 0x3a;
const KEY_MAX = 256;

function isWhitespace(b: number): boolean {
	return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

const enum Scan {
	/** Before the top-level `{`. */
	Start,
	/** Inside the top-level object, outside any string or nested value. */
	Top,
	/** Inside a string at depth 1 (maybe a key). */
	TopString,
	/** After a depth-1 string: a `:` makes it a key. */
	AfterString,
	/** After the wanted key's `:`: whitespace, then the value. */
	BeforeValue,
	/** Inside a nested value (depth > 1) we are skipping. */
	Nested,
	/** Inside the wanted array: its bytes are passed on. */
	InArray,
}

export async function* splitMemberArray(chunks: AsyncIterable<Uint8Array>, key: string): AsyncGenerator<JsonArrayItem, void, undefined> {
	const wanted = new TextEncoder().encode(key);
	const found = { start: -1 };
	const arrayChunks = memberArrayChunks(chunks, wanted, found);
	const first = await arrayChunks.next();
	if (first.done) return; // no such member
	async function* again(): AsyncGenerator<Uint8Array, void, undefined> {
		yield first.value as Uint8Array;
		yield* arrayChunks;
	}
	for await (const item of splitJsonArray(again())) {
		yield { ...item, offset: item.offset + found.start };
	}
}

// Long on purpose: a byte-level state machine whose state stays in locals across chunks (speed on exports of hundreds
// of MB).
async function* memberArrayChunks(
	chunks: AsyncIterable<Uint8Array>,
	wanted: Uint8Array,
	found: { start: number },
): AsyncGenerator<Uint8Array, void, undefined> {
	let state: Scan = Scan.Start;
	let base = 0;
	let depth = 0;
	let inString = false;
	let escape = false;
	let keyLength = 0;
	let keyMatches = true;
	let keyIsWanted = false;
	let bom = 0;
	for await (const chunk of chunks) {
		let i = 0;
		let arrayFrom = state === Scan.InArray ? 0 : -1;
		for (; i < chunk.length; i++) {
			const b = chunk[i]!;
			switch (state) {
				case Scan.Start:
					if (base + i < 3 && b === [0xef, 0xbb, 0xbf][bom]) {
						bom++;
						continue;
					}
					if (isWhitespace(b)) continue;
					if (b !== LBRACE) throw new JsonStreamError(`not a JSON object: found '${String.fromCharCode(b)}' at byte ${base + i}`, base + i);
					state = Scan.Top;
					continue;
				case Scan.Top:
					if (b === QUOTE) {
						state = Scan.TopString;
						keyLength = 0;
						keyMatches = true;
						escape = false;
					} else if (b === LBRACE || b === LBRACK) {
						state = Scan.Nested;
						depth = 1;
						inString = false;
						escape = false;
					} else if (b === RBRACE) {
						return; // the object ended without the member
					}
					continue;
				case Scan.TopString:
					if (escape) {
						escape = false;
						keyMatches = false;
					} else if (b === BACKSLASH) {
						escape = true;
					} else if (b === QUOTE) {
						keyIsWanted = keyMatches && keyLength === wanted.length;
						state = Scan.AfterString;
					} else {
						if (keyLength >= wanted.length || wanted[keyLength] !== b) keyMatches = false;
						if (keyLength < KEY_MAX) keyLength++;
					}
					continue;
				case Scan.AfterString:
					if (isWhitespace(b)) continue;
					if (b === RBRACE) return;
					state = b === COLON && keyIsWanted ? Scan.BeforeValue : Scan.Top;
					continue;
				case Scan.BeforeValue:
					if (isWhitespace(b)) continue;
					if (b === LBRACK) {
						state = Scan.InArray;
						found.start = base + i;
						arrayFrom = i;
						depth = 1;
						inString = false;
						escape = false;
						continue;
					}
					// The member is not an array: skip its value like any other.
					state = b === LBRACE ? Scan.Nested : b === QUOTE ? Scan.TopString : Scan.Top;
					depth = 1;
					keyLength = KEY_MAX;
					keyMatches = false;
					continue;
				case Scan.Nested:
				case Scan.InArray:
					if (inString) {
						if (escape) escape = false;
						else if (b === BACKSLASH) escape = true;
						else if (b === QUOTE) inString = false;
						continue;
					}
					if (b === QUOTE) inString = true;
					else if (b === LBRACE || b === LBRACK) depth++;
					else if (b === RBRACE || b === RBRACK) {
						depth--;
						if (depth === 0) {
							if (state === Scan.InArray) {
								yield chunk.subarray(arrayFrom, i + 1);
								return;
							}
							state = Scan.Top;
						}
					}
					continue;
			}
		}
		if (state === Scan.InArray && arrayFrom >= 0) yield chunk.subarray(arrayFrom);
		base += chunk.length;
	}
	if (state === Scan.InArray) return; // cut inside the array: the splitter reports the truncation
	if (state !== Scan.Start)
		throw new JsonStreamError(`the document is truncated: the top-level object is not closed at byte ${base}`, base);
}

/** A document read whole (at most `maxBytes`) must be at most this big: a source of one small object per file. */
export const WHOLE_OBJECT_MAX = 32 * 1024 * 1024;

/**
 * A document that is ONE JSON object (a Perplexity thread file), as one item: read whole, since it is one
 * conversation. Over `maxBytes` it is an item failure, not read further; a document that is not a JSON object
 * yields nothing (it is not this layout).
 */
export async function* wholeJsonObject(
	chunks: AsyncIterable<Uint8Array>,
	maxBytes = WHOLE_OBJECT_MAX,
): AsyncGenerator<JsonArrayItem, void, undefined> {
	const parts: Uint8Array[] = [];
	let length = 0;
	for await (const chunk of chunks) {
		length += chunk.length;
		if (length > maxBytes) {
			yield {
				ok: false,
				index: 0,
				offset: 0,
				reason: `a single conversation file over ${Math.round(maxBytes / 1024 / 1024)} MB is not read`,
			};
			return;
		}
		parts.push(chunk);
	}
	const bytes = new Uint8Array(length);
	let at = 0;
	for (const p of parts) {
		bytes.set(p, at);
		at += p.length;
	}
	let value: unknown;
	try {
		value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
	} catch {
		return;
	}
	if (typeof value === "object" && value !== null && !Array.isArray(value)) yield { ok: true, index: 0, offset: 0, value };
}
