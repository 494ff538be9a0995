import { JsonStreamError } from "./errors";

/**
 * Streaming splitter for a JSON document whose top level is an array.
 *
 * It scans the bytes once, tracking nesting depth and string/escape state across chunk boundaries,
 * copies the bytes of one top-level element at a time, and decodes + `JSON.parse`s that element only.
 * The document as a whole is never a string, so a 1 GB `conversations.json` works (V8 caps strings
 * near 512 MB); memory is bounded by the largest single element.
 *
 * Structural problems (not an array, garbage between elements, a truncated document) throw a
 * {@link JsonStreamError} with the byte offset: nothing after that point can be trusted. An element
 * whose bytes are delimited correctly but which is not valid JSON (or not valid UTF-8) is yielded as
 * `{ ok: false }` with its index and offset, and the scan goes on with the next element.
 */

export type JsonArrayItem =
	{ ok: true; index: number; offset: number; value: unknown } | { ok: false; index: number; offset: number; reason: string };

/**
 * An element taken from a look at its bytes (see SplitOptions.peek), not parsed: what the look returned, its length,
 * and a copy of its bytes to parse later if it is needed after all ({@link parseElement}), unless the caller reads
 * them again itself (PeekOptions.keep false).
 */
export interface PeekedArrayItem<P> {
	ok: true;
	index: number;
	offset: number;
	length: number;
	peeked: P;
	raw?: Uint8Array;
}

/**
 * A look at one complete element before it is decoded and parsed: its bytes (valid only during the call) and where
 * the strings at its first level of nesting are (`tops`: pairs of the offset of a string's first byte after its
 * quote and of its closing quote, from the element's start, `count` of them). Whatever it returns but null is
 * yielded instead of the parsed element (a PeekedArrayItem).
 */
export type ElementPeek<P> = (bytes: Uint8Array, tops: Int32Array, count: number) => P | null;

export interface SplitOptions {
	maxStringBytes?: number;
}

/**
 * With a peek: `shortStrings` is told of each string of an element (at any depth, a key or a value) of at most
 * `maxLength` bytes as the scan ends it, before the element's peek: where it is in `chunk` (`start` is negative when
 * it began in an earlier chunk, whose bytes are gone), and whether it holds escapes. `maxLength` is read at each
 * string: a peek may change it for the elements after its own (-1: none is told of).
 */
export interface PeekOptions<P> {
	peek: ElementPeek<P>;
	/** false: no copy of a peeked element's bytes (the caller can read them again). Default true. */
	keep?: boolean;
	shortStrings?: { maxLength: number; seen(chunk: Uint8Array, start: number, end: number, escaped: boolean): void };
}

/** First-level strings an element may hold for a peek: an element with more is parsed (no object of ours has as many keys). */
const TOPS_MAX = 512;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACK = 0x5b;
const RBRACK = 0x5d;
const COMMA = 0x2c;
const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const BOM = [0xef, 0xbb, 0xbf] as const;

const enum State {
	/** Before the opening `[` (BOM and whitespace allowed). */
	Start,
	/** Right after `[`: a value or `]`. */
	FirstValue,
	/** After a `,`: a value. */
	NextValue,
	/** Inside an object, array or string element. */
	InElement,
	/** Inside a number/true/false/null element (ends at a delimiter, which is not part of it). */
	InScalar,
	/** After an element: `,` or `]`. */
	AfterElement,
	/** After the closing `]`: whitespace only. */
	Done,
}

const INITIAL_BUFFER = 64 * 1024;
const KEEP_BUFFER_MAX = 16 * 1024 * 1024;

/** JSON's whitespace (space, LF, CR, tab); an index past the end of an array reads as not. */
export function isWhitespace(b: number | undefined): boolean {
	return b === SPACE || b === LF || b === CR || b === TAB;
}

function describeByte(b: number): string {
	if (b >= 0x21 && b <= 0x7e) return `'${String.fromCharCode(b)}'`;
	return `byte 0x${b.toString(16).padStart(2, "0")}`;
}

function indexOrEnd(chunk: Uint8Array, byte: number, from: number): number {
	// The length read on every call: read only when the byte is not found, it had no type feedback when V8 optimized
	// the splitter (which inlines this), and the first such chunk threw the splitter's optimized code away.
	const end = chunk.length;
	const at = chunk.indexOf(byte, from);
	return at < 0 ? end : at;
}

/**
 * The bytes of an element that spans chunks, kept until it ends. A class, not closures made by each split: V8
 * optimizes the splitter for the function it calls, and a second document's own closure threw that code away.
 */
class ElementBytes {
	bytes = new Uint8Array(INITIAL_BUFFER);
	length = 0;

	append(part: Uint8Array): void {
		const needed = this.length + part.length;
		if (needed > this.bytes.length) {
			let size = this.bytes.length * 2;
			while (size < needed) size *= 2;
			const grown = new Uint8Array(size);
			grown.set(this.bytes.subarray(0, this.length));
			this.bytes = grown;
		}
		this.bytes.set(part, this.length);
		this.length = needed;
	}

	/** Empty again (a large buffer let go). */
	clear(): void {
		this.length = 0;
		if (this.bytes.length > KEEP_BUFFER_MAX) this.bytes = new Uint8Array(INITIAL_BUFFER);
	}
}

/**
 * The largest string value (a message's text, an attachment inlined as text) an element may hold by default: 64 MiB.
 * An element with a longer one is not kept in memory: it is yielded as `{ ok: false }` with the reason, and the scan
 * goes on (one such message fails its conversation, never the run).
 */
export const DEFAULT_MAX_STRING_BYTES = 64 * 1024 * 1024;
let maxStringBytesSetting = DEFAULT_MAX_STRING_BYTES;

/** Sets the limit of DEFAULT_MAX_STRING_BYTES for this thread (a host's setting or environment); ≤ 0 restores the default. */
export function setMaxStringBytes(bytes: number): void {
	maxStringBytesSetting = Number.isFinite(bytes) && bytes > 0 ? Math.floor(bytes) : DEFAULT_MAX_STRING_BYTES;
}

export function maxStringBytes(): number {
	return maxStringBytesSetting;
}

/** Bytes of an oversized element kept to name it (its title) in the failure. */
const HEAD_KEEP = 64 * 1024;

function mib(bytes: number): string {
	if (bytes < 1024 * 1024) return `${bytes.toLocaleString("en-US")} bytes`;
	return `${(bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}

/** The title near an element's start, if its first bytes show one (to name an item that is not parsed). */
function titleIn(head: Uint8Array): string | null {
	const text = new TextDecoder().decode(head);
	const m = /"(?:title|name)"\s*:\s*"((?:[^"\\]|\\.){0,300})"/.exec(text);
	if (!m) return null;
	try {
		return JSON.parse(`"${m[1]}"`) as string;
	} catch {
		return null;
	}
}

/** An element's bytes decoded and parsed, as the splitter yields it (`{ ok: false }` with the reason when it is not valid JSON). */
export function parseElement(bytes: Uint8Array, index: number, offset: number, decoder = elementDecoder()): JsonArrayItem {
	try {
		return { ok: true, index, offset, value: JSON.parse(decoder.decode(bytes)) as unknown };
	} catch (e) {
		const why = e instanceof Error ? e.message : String(e);
		return { ok: false, index, offset, reason: `element ${index} at byte ${offset} is not valid JSON: ${why}` };
	}
}

function elementDecoder(): TextDecoder {
	return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
}

export function splitJsonArray(chunks: AsyncIterable<Uint8Array>, opts?: SplitOptions): AsyncGenerator<JsonArrayItem, void, undefined>;
/**
 * With `peek`: each complete element of a document is first shown to it (see ElementPeek); one it takes is yielded as
 * a PeekedArrayItem, without decoding or parsing it. The first-level strings' places cost the scan nothing more
 * than a note at each string's end.
 */
export function splitJsonArray<P>(
	chunks: AsyncIterable<Uint8Array>,
	opts: SplitOptions & PeekOptions<P>,
): AsyncGenerator<JsonArrayItem | PeekedArrayItem<P>, void, undefined>;
// Long on purpose (see scripts/long-functions.mjs): one pass over the bytes as a state machine (Start → values →
// Done). The per-byte loops read and write the scan's state as locals; split into functions or an object, that state
// would become property reads in the hottest loop of an import. Its helpers (ElementBytes, tooLong, oversized, finish,
// checkEnded) are named.
export async function* splitJsonArray<P>(
	chunks: AsyncIterable<Uint8Array>,
	opts: SplitOptions & Partial<PeekOptions<P>> = {},
): AsyncGenerator<JsonArrayItem | PeekedArrayItem<P>, void, undefined> {
	if (!warmedUp) {
		warmedUp = true;
		await warmUp();
	}
	const maxString = opts.maxStringBytes ?? maxStringBytesSetting;
	const decoder = elementDecoder();
	const peek = opts.peek ?? null;
	/** The current element's first-level strings (see ElementPeek), when there is a peek. */
	const tops = peek ? new Int32Array(2 * TOPS_MAX) : null;
	let topCount = 0;
	const short = peek ? (opts.shortStrings ?? null) : null;
	/** The current string holds an escape (see PeekOptions.shortStrings). */
	let escapedString = false;
	let state: State = State.Start;
	let base = 0; // absolute offset of the current chunk's first byte
	let bomMatched = 0;
	let sawAnything = false;

	// Current element.
	let index = -1;
	let elementStart = 0; // absolute offset
	let depth = 0;
	let inString = false;
	let escape = false;
	/** Absolute offset of the current string's first byte (after its quote). */
	let stringStart = 0;
	/** Bytes of the longest string over the limit in the current element (0: none): its bytes are not kept. */
	let oversize = 0;
	/** The first bytes of an oversized element (to name it). */
	let head: Uint8Array | null = null;

	// Bytes of an element that spans chunks.
	const held = new ElementBytes();

	/** The current element holds a string over the limit: its bytes so far are let go, only its head is kept. */
	const tooLong = (length: number, pending: Uint8Array): void => {
		if (oversize === 0) {
			const first = held.length > 0 ? held.bytes.subarray(0, held.length) : pending;
			head = first.slice(0, HEAD_KEEP);
			held.clear();
		}
		oversize = Math.max(oversize, length);
	};

	const oversized = (): JsonArrayItem => {
		const title = head ? titleIn(head) : null;
		const item: JsonArrayItem = {
			ok: false,
			index,
			offset: elementStart,
			reason: `element ${index} at byte ${elementStart}${title !== null ? ` ("${title}")` : ""} holds a message of ${mib(oversize)}, over the limit of ${mib(maxString)} for one message; it is not imported (the other conversations are)`,
		};
		oversize = 0;
		head = null;
		held.length = 0;
		return item;
	};

	const finish = (bytes: Uint8Array): JsonArrayItem | PeekedArrayItem<P> => {
		const peeked = peek !== null && topCount <= TOPS_MAX ? peek(bytes, tops!, topCount) : null;
		const item: JsonArrayItem | PeekedArrayItem<P> =
			peeked !== null
				? {
						ok: true,
						index,
						offset: elementStart,
						length: bytes.length,
						peeked,
						...(opts.keep === false ? {} : { raw: new Uint8Array(bytes) }),
					}
				: parseElement(bytes, index, elementStart, decoder);
		held.clear();
		return item;
	};

	for await (const chunk of chunks) {
		const n = chunk.length;
		let i = 0;
		// Cached positions of the next quote / backslash in this chunk (native indexOf is far faster
		// than a byte loop over long string contents). -1 = not looked up yet.
		let nextQuote = -1;
		let nextBackslash = -1;
		// Where the current element's bytes begin in this chunk (0 when it began in an earlier chunk).
		let elementStartInChunk = 0;

		while (i < n) {
			if (state === State.InElement) {
				let end = -1;
				while (i < n) {
					if (inString) {
						if (escape) {
							escape = false;
							i++;
							continue;
						}
						if (nextQuote < i) nextQuote = indexOrEnd(chunk, QUOTE, i);
						if (nextBackslash < i) nextBackslash = indexOrEnd(chunk, BACKSLASH, i);
						if (nextBackslash < nextQuote) {
							escape = true;
							escapedString = true;
							i = nextBackslash + 1;
							continue;
						}
						if (nextQuote >= n) {
							i = n;
							break;
						}
						i = nextQuote + 1;
						inString = false;
						if (base + nextQuote - stringStart > maxString)
							tooLong(base + nextQuote - stringStart, chunk.subarray(elementStartInChunk, nextQuote));
						if (depth === 1 && tops !== null) {
							if (topCount < TOPS_MAX) {
								tops[2 * topCount] = stringStart - elementStart;
								tops[2 * topCount + 1] = base + nextQuote - elementStart;
							}
							topCount++;
						}
						if (short !== null && base + nextQuote - stringStart <= short.maxLength)
							short.seen(chunk, stringStart - base, nextQuote, escapedString);
						if (depth === 0) {
							end = i;
							break;
						}
						continue;
					}
					const b = chunk[i]!;
					i++;
					if (b === QUOTE) {
						inString = true;
						escapedString = false;
						stringStart = base + i;
					} else if (b === LBRACE || b === LBRACK) {
						depth++;
					} else if (b === RBRACE || b === RBRACK) {
						depth--;
						if (depth === 0) {
							end = i;
							break;
						}
					}
				}
				if (end < 0) break; // the element goes on in the next chunk
				let item: JsonArrayItem | PeekedArrayItem<P>;
				if (oversize > 0) {
					item = oversized();
				} else if (held.length === 0) {
					item = finish(chunk.subarray(elementStartInChunk, end));
				} else {
					held.append(chunk.subarray(elementStartInChunk, end));
					item = finish(held.bytes.subarray(0, held.length));
				}
				state = State.AfterElement;
				yield item;
				continue;
			}

			if (state === State.InScalar) {
				let end = -1;
				while (i < n) {
					const b = chunk[i]!;
					if (b === COMMA || b === RBRACK || isWhitespace(b)) {
						end = i;
						break;
					}
					i++;
				}
				if (end < 0) break; // the element goes on in the next chunk
				let item: JsonArrayItem | PeekedArrayItem<P>;
				if (held.length === 0) {
					item = finish(chunk.subarray(elementStartInChunk, end));
				} else {
					held.append(chunk.subarray(elementStartInChunk, end));
					item = finish(held.bytes.subarray(0, held.length));
				}
				state = State.AfterElement;
				yield item;
				continue;
			}

			const b = chunk[i]!;
			const at = base + i;
			if (isWhitespace(b)) {
				i++;
				continue;
			}
			switch (state) {
				case State.Start: {
					if (at < 3 && at === bomMatched && b === BOM[at]) {
						bomMatched++;
						i++;
						continue;
					}
					sawAnything = true;
					if (bomMatched > 0 && bomMatched < 3) throw new JsonStreamError(`not JSON: a broken byte-order mark at byte 0`, 0);
					if (b === LBRACK) {
						state = State.FirstValue;
						i++;
						continue;
					}
					if (b === LBRACE) {
						throw new JsonStreamError(`the top level is an object, not an array of conversations (at byte ${at})`, at);
					}
					throw new JsonStreamError(`not a JSON array: found ${describeByte(b)} at byte ${at} where '[' was expected`, at);
				}
				case State.FirstValue:
				case State.NextValue: {
					if (b === RBRACK) {
						if (state === State.NextValue) {
							throw new JsonStreamError(`unexpected ']' after ',' at byte ${at} (a trailing comma after element ${index})`, at);
						}
						state = State.Done;
						i++;
						continue;
					}
					if (b === COMMA || b === RBRACE || b === 0x3a /* : */) {
						throw new JsonStreamError(`unexpected ${describeByte(b)} at byte ${at} where element ${index + 1} was expected`, at);
					}
					index++;
					elementStart = at;
					elementStartInChunk = i;
					held.length = 0;
					depth = 0;
					escape = false;
					inString = false;
					oversize = 0;
					head = null;
					topCount = 0;
					escapedString = false;
					if (b === LBRACE || b === LBRACK) {
						depth = 1;
						state = State.InElement;
					} else if (b === QUOTE) {
						inString = true;
						stringStart = at + 1;
						state = State.InElement;
					} else {
						state = State.InScalar;
					}
					i++;
					continue;
				}
				case State.AfterElement: {
					// Both compared each time: the closing bracket, seen once a document, had no type feedback when V8
					// optimized the splitter during the first one, and threw that code away at its end.
					const comma = b === COMMA;
					const close = b === RBRACK;
					if (comma) {
						state = State.NextValue;
					} else if (close) {
						state = State.Done;
					} else {
						throw new JsonStreamError(`unexpected ${describeByte(b)} at byte ${at} after element ${index} (expected ',' or ']')`, at);
					}
					i++;
					continue;
				}
				case State.Done:
					throw new JsonStreamError(`unexpected ${describeByte(b)} at byte ${at} after the end of the top-level array`, at);
			}
		}
		// An element still open at the end of the chunk (even one that began on its last byte) keeps its bytes.
		if (state === State.InElement || state === State.InScalar) {
			// A string still open past the limit: the element is not kept (only scanned to its end).
			if (state === State.InElement && inString && base + n - stringStart > maxString)
				tooLong(base + n - stringStart, chunk.subarray(elementStartInChunk, n));
			if (oversize === 0) held.append(chunk.subarray(elementStartInChunk, n));
		}
		base += n;
	}

	checkEnded(state, { sawAnything: sawAnything || bomMatched > 0, base, index, elementStart });
}

/**
 * At the end of a document: throws unless the scan is Done. Its own function, called once a document: the
 * comparisons of a code path that runs once a document had no type feedback when V8 optimized the splitter during
 * the first document, and threw that code away at its end.
 */
function checkEnded(state: State, at: { sawAnything: boolean; base: number; index: number; elementStart: number }): void {
	const { base, index } = at;
	switch (state) {
		case State.Done:
			return;
		case State.Start:
			throw new JsonStreamError(
				at.sawAnything ? `not JSON: no '[' found (${base} bytes)` : `the file is empty (${base} bytes, no JSON array)`,
				base,
			);
		case State.InElement:
		case State.InScalar:
			throw new JsonStreamError(
				`the document is truncated: it ended inside element ${index} at byte ${base} (the element starts at byte ${at.elementStart})`,
				base,
			);
		default:
			throw new JsonStreamError(`the document is truncated: it ended at byte ${base} after element ${index} without the closing ']'`, base);
	}
}

/**
 * The splitter runs once over a small document in small chunks before its first real one in a thread: every chunk
 * ending, whitespace between elements, the closing bracket and the document's end, with and without a peek. V8
 * optimizes the splitter while it scans the first megabyte of an export, before such code has run (it runs once a
 * chunk or once a document); each then threw the optimized code away when first reached, and the splitter was
 * compiled again: 3 times in a 2,000-conversation import and 4 in its re-import (--trace-deopt; 20-60 ms of TurboFan
 * each), 2 in both with this warm-up, 1 in both once its watcher lived on and was of the reader's kind (warmUpWatcher).
 * It runs in the interpreter (~0.1 ms) and its items are dropped.
 */
let warmedUp = false;

const WARM_UP_DOCUMENT = new TextEncoder().encode(
	`\uFEFF [ {"id":"a\\"b","t":"${"x".repeat(48)}","m":[{"c":[1,2.5,true,null]},{}]} ,\n\t{"id":"é ✓","m":[]}, "s", 7 ] \n`,
);

export type WarmUpWatcher = NonNullable<PeekOptions<unknown>["shortStrings"]> & { take(): boolean };

/**
 * The string watcher the warm-up watches with, kept as long as the module. V8 optimizes the splitter with a check for
 * the watcher whose seen() it has seen called (the warm-up's: a first import watches nothing); when the warm-up's own
 * one died (the first collection after the first document) that code was thrown away ("weak objects") and compiled
 * again. A reader that watches (a re-import's, quick-results.ts) has one of its own kind set before the first split
 * (openExport, QuickReader.warmUpWatcher), so that the code is optimized for that kind and not thrown away ("wrong
 * map") at its first string.
 */
let warmUpWatcher: WarmUpWatcher = { maxLength: 8, seen: () => undefined, take: () => false };

/**
 * The watcher of the thread's warm-up, if it has not run yet (once it has, the one it ran with is kept: let go, its
 * code would be thrown away as above).
 */
export function setWarmUpWatcher(watcher: WarmUpWatcher): void {
	if (!warmedUp) warmUpWatcher = watcher;
}

async function warmUp(): Promise<void> {
	const marks = warmUpWatcher;
	// Each look ends its element's watch, as a re-import's does; the first takes its long elements all the same.
	const runs: (SplitOptions & Partial<PeekOptions<number>>)[] = [
		{},
		{
			peek: (bytes) => {
				marks.take();
				return bytes.length > 40 ? bytes.length : null;
			},
			shortStrings: marks,
			keep: false,
		},
		{
			peek: () => {
				marks.take();
				return null;
			},
			shortStrings: marks,
		},
	];
	for (const run of runs) {
		try {
			for await (const item of splitJsonArray(chunksOf(WARM_UP_DOCUMENT, 7), run)) void item;
		} catch {
			// Nothing to report: the sample is well formed, and a warm-up never fails a reading.
		}
	}
}

/** Chunks of an in-memory byte array (tests, small inputs). */
export async function* chunksOf(bytes: Uint8Array, chunkSize: number): AsyncGenerator<Uint8Array, void, undefined> {
	for (let at = 0; at < bytes.length; at += chunkSize) {
		await Promise.resolve();
		yield bytes.subarray(at, Math.min(bytes.length, at + chunkSize));
	}
}
