/**
 * Title → file-name stem (without extension), safe on Windows, macOS, Linux, iOS and Android, and safe in
 * Obsidian links. Pure and idempotent: `sanitizeFileName(sanitizeFileName(x)) === sanitizeFileName(x)`.
 *
 * Rules, in order:
 * 1. Unicode NFC.
 * 2. Whitespace (tabs, newlines included) becomes a space; `/` and `\` become `-` (so "C/C++" stays
 *    readable); the other characters that are illegal on some OS or break links (`: * ? " < > | # ^ [ ]`)
 *    become a space; control characters (C0, DEL, C1), bidi embedding/override/isolate controls and the BOM
 *    are removed.
 * 3. Whitespace runs (any Unicode space, tabs, newlines) collapse to one space; ends are trimmed.
 * 4. No leading dot (hidden files), no trailing dots or spaces (Windows drops them).
 * 5. Windows reserved device names (CON, PRN, AUX, NUL, COM0–9, LPT0–9, also with superscript digits, with or
 *    without an extension, any case) get a `_` after the device name: `con.txt` → `con_.txt`.
 * 6. At most `maxBytes` UTF-8 bytes (default 200), cut at a grapheme-cluster boundary (never inside a surrogate
 *    pair, an emoji sequence or a combining sequence), then rules 4–5 again.
 * 7. Empty → `fallback` (default `Untitled`).
 *
 * The stem leaves room for an extension: 200 bytes + ".md" stays under the 255-byte limit of common file systems.
 */

export const DEFAULT_MAX_FILE_NAME_BYTES = 200;
export const UNTITLED = "Untitled";

export interface SanitizeFileNameOptions {
	/** UTF-8 byte cap for the stem (default 200). Must be at least 16. */
	maxBytes?: number;
	/** Used when nothing is left (default `Untitled`). */
	fallback?: string;
}

// eslint-disable-next-line no-control-regex -- control characters are exactly what this strips
const REMOVED = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;
const SLASHES = /[/\\]/g;
const SPACED = /[:*?"<>|#^[\]]/g;
const WHITESPACE = /\s+/g;
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(?=\.|$)/i;
const LEADING_DOTS = /^[.\s]+/;
const TRAILING_DOTS_SPACES = /[.\s]+$/;

const encoder = new TextEncoder();

/** The number of UTF-8 bytes of `text` (lone surrogates count as the 3 bytes of U+FFFD, as TextEncoder writes them). */
export function utf8ByteLength(text: string): number {
	let bytes = 0;
	for (let i = 0; i < text.length; i++) {
		const code = text.charCodeAt(i);
		if (code < 0x80) bytes += 1;
		else if (code < 0x800) bytes += 2;
		else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
			const next = text.charCodeAt(i + 1);
			if (next >= 0xdc00 && next <= 0xdfff) {
				bytes += 4;
				i++;
			} else bytes += 3;
		} else bytes += 3;
	}
	return bytes;
}

type Segmenter = { segment(text: string): Iterable<{ segment: string }> };

function graphemes(text: string): Iterable<string> {
	const intl = Intl as unknown as { Segmenter?: new (locale?: string, opts?: { granularity: string }) => Segmenter };
	if (intl.Segmenter) {
		const segmenter = new intl.Segmenter(undefined, { granularity: "grapheme" });
		return (function* () {
			for (const { segment } of segmenter.segment(text)) yield segment;
		})();
	}
	// Fallback without Intl.Segmenter: code points, keeping combining marks and joiners with their base.
	return text.match(/\P{M}(?:\p{M}|\u200d\P{M}?)*|\p{M}+/gu) ?? [];
}

/**
 * The longest prefix of `text` whose UTF-8 encoding fits in `maxBytes`, ending at a grapheme-cluster boundary.
 * Never returns invalid UTF-16. Exported for the name allocator and other callers that add suffixes.
 */
export function truncateUtf8(text: string, maxBytes: number): string {
	if (text.length <= maxBytes / 3 || utf8ByteLength(text) <= maxBytes) return text;
	let out = "";
	let used = 0;
	for (const cluster of graphemes(text)) {
		const size = encoder.encode(cluster).length;
		if (used + size > maxBytes) {
			// A single cluster larger than the cap (e.g. heavy stacked diacritics): cut it by code points,
			// which still never splits a surrogate pair.
			if (out === "")
				for (const codePoint of cluster) {
					const cpSize = encoder.encode(codePoint).length;
					if (used + cpSize > maxBytes) break;
					out += codePoint;
					used += cpSize;
				}
			break;
		}
		out += cluster;
		used += size;
	}
	return out;
}

/** An ASCII letter or digit (the rules leave it at either end of a name). */
function alphanumeric(code: number): boolean {
	return (code >= 48 && code <= 57) || ((code | 32) >= 97 && (code | 32) <= 122);
}

function fixEnds(stem: string): string {
	// A letter or digit at both ends, the first not one a reserved name starts with (c, p, a, n, l): nothing to fix.
	const first = stem.charCodeAt(0);
	const lower = first | 32;
	if (
		alphanumeric(first) &&
		alphanumeric(stem.charCodeAt(stem.length - 1)) &&
		lower !== 99 &&
		lower !== 112 &&
		lower !== 97 &&
		lower !== 110 &&
		lower !== 108
	)
		return stem;
	let out = stem.replace(LEADING_DOTS, "").replace(TRAILING_DOTS_SPACES, "");
	out = out.replace(RESERVED, "$1_");
	return out;
}

/** What rules 2–3 do to each ASCII character: 0 kept, 1 a space (whitespace, and those replaced by one), 2 removed, 3 `-`. */
const ASCII_RULE = ((): Uint8Array => {
	const table = new Uint8Array(128);
	for (let code = 0; code < 32; code++) table[code] = 2;
	table[127] = 2;
	for (const c of ' \t\n\v\f\r:*?"<>|#^[]') table[c.charCodeAt(0)] = 1;
	table[47] = table[92] = 3;
	return table;
})();

/**
 * Rules 1–3 for an ASCII title in one pass (NFC leaves ASCII as it is): what the normalisation, the five regular
 * expressions and the trim give (the title itself when they change nothing); null for a title with any other
 * character. The import names each new note with it, twice; the rules one after another were a tenth of its naming's
 * CPU (issue 20).
 */
function asciiRules(title: string): string | null {
	let clean = true;
	for (let i = 0; i < title.length; i++) {
		const code = title.charCodeAt(i);
		if (code > 127) return null;
		// A single space inside the title stays as it is; anything else the rules change.
		if (ASCII_RULE[code] !== 0 && (code !== 32 || i === 0 || i === title.length - 1 || title.charCodeAt(i + 1) === 32)) clean = false;
	}
	if (clean) return title;
	let out = "";
	let space = false;
	let from = -1; // the first of the characters kept as they are, not in `out` yet (-1: none)
	for (let i = 0; i <= title.length; i++) {
		const rule = i < title.length ? ASCII_RULE[title.charCodeAt(i)] : 2;
		if (rule === 0) {
			if (from < 0) {
				if (space && out !== "") out += " ";
				space = false;
				from = i;
			}
			continue;
		}
		if (from >= 0) out += title.slice(from, i);
		from = -1;
		if (rule === 1) space = true;
		else if (rule === 3) {
			if (space && out !== "") out += " ";
			space = false;
			out += "-";
		}
	}
	return out;
}

/** Turns a title into a safe file-name stem. See the module comment for the rules. */
export function sanitizeFileName(title: string, options: SanitizeFileNameOptions = {}): string {
	const maxBytes = options.maxBytes ?? DEFAULT_MAX_FILE_NAME_BYTES;
	if (maxBytes < 16) throw new Error(`sanitizeFileName: maxBytes must be at least 16, got ${maxBytes}`);
	return rulesFourToSeven(asciiRules(title) ?? rulesOneToThree(title), maxBytes, options.fallback ?? UNTITLED);
}

/**
 * sanitizeFileName with rules 1-3 one after another, whatever the title (for the test that compares the two): its
 * ASCII pass skipped. Rules 4-7 are the same code as sanitizeFileName's (fixEnds' shortcut is checked by the table's
 * reserved names, each first letter among them).
 */
export function sanitizeByRules(title: string, maxBytes: number, fallback: string): string {
	return rulesFourToSeven(rulesOneToThree(title), maxBytes, fallback);
}

function rulesOneToThree(title: string): string {
	return title
		.normalize("NFC")
		.replace(WHITESPACE, " ")
		.replace(REMOVED, "")
		.replace(SLASHES, "-")
		.replace(SPACED, " ")
		.replace(WHITESPACE, " ")
		.trim();
}

function rulesFourToSeven(ruled: string, maxBytes: number, fallback: string): string {
	let stem = fixEnds(ruled);
	if (utf8ByteLength(stem) > maxBytes) stem = fixEnds(truncateUtf8(stem, maxBytes));
	// A reserved-name fix can add a byte after truncation; cut again (cannot re-create a reserved name).
	if (utf8ByteLength(stem) > maxBytes) stem = fixEnds(truncateUtf8(stem, maxBytes));
	return stem === "" ? fallback : stem;
}

/** True when `stem` is a Windows reserved device name (with or without extension), case-insensitively. */
export function isWindowsReservedName(stem: string): boolean {
	return RESERVED.test(stem.replace(/[ .]+$/, ""));
}
