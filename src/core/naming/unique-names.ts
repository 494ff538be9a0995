import { StringHashSet } from "../util/hash64";
import { DEFAULT_MAX_FILE_NAME_BYTES, sanitizeFileName, truncateUtf8, utf8ByteLength } from "./sanitize-file-name";

/**
 * Collision-safe file-name stems for one folder.
 *
 * Give it the stems already in the folder (without extension; compared case-insensitively after NFC, because
 * macOS and Windows file systems are case-insensitive) and `claim` stems in a fixed order: each call returns
 * `stem`, or `stem 1`, `stem 2`, … — the first that is neither in the folder nor claimed earlier in this run.
 *
 * Stable: the same existing set and the same order of claims give the same names on every run.
 * The byte cap holds after the suffix: the stem is cut (at a grapheme boundary) to make room for ` N`.
 * Stems are passed through `sanitizeFileName` first (a no-op for names that are already sanitised).
 *
 * Note for callers that re-import: a note we wrote in an earlier run is in `existing`, so claiming its title
 * again yields `Title 1`. Re-imports must reuse the recorded path (by source id) instead of claiming anew.
 */
export class NameAllocator {
	/** Fingerprints of the names taken (a folder of 100,000 notes is 1.6 MB here, not 10: see StringHashSet). */
	private readonly taken = new StringHashSet();
	/** Per base key, the next suffix worth trying: keeps many claims of one title linear, not quadratic. */
	private readonly nextSuffix = new Map<string, number>();
	private readonly maxBytes: number;

	constructor(existing: Iterable<string> = [], options: { maxBytes?: number } = {}) {
		this.maxBytes = options.maxBytes ?? DEFAULT_MAX_FILE_NAME_BYTES;
		for (const name of existing) this.taken.add(nameKey(name));
	}

	/** True when `stem` is in the folder or was claimed (case-insensitively). */
	isTaken(stem: string): boolean {
		return this.taken.has(nameKey(stem));
	}

	/** Marks a name as used without allocating (e.g. a file that appeared meanwhile). */
	reserve(stem: string): void {
		this.taken.add(nameKey(stem));
	}

	/** Returns a free stem for `stem` and marks it as used. */
	claim(stem: string): string {
		const base = firstChoice(stem, this.maxBytes);
		const baseKey = nameKey(base);
		if (!this.taken.has(baseKey)) {
			this.taken.add(baseKey);
			return base;
		}
		for (let n = this.nextSuffix.get(baseKey) ?? 1; ; n++) {
			const suffix = ` ${n}`;
			const room = this.maxBytes - utf8ByteLength(suffix);
			const head = utf8ByteLength(base) > room ? truncateUtf8(base, room).replace(/[.\s]+$/, "") : base;
			const candidate = `${head}${suffix}`;
			const key = nameKey(candidate);
			if (!this.taken.has(key)) {
				this.taken.add(key);
				this.nextSuffix.set(baseKey, n + 1);
				return candidate;
			}
		}
	}
}

/**
 * What `claim(stem)` returns when the name is free in a folder capped at `maxBytes` (NameAllocator's option): the
 * name a note most likely gets, known before its folder is listed (see premade-note.ts).
 */
export function firstChoice(stem: string, maxBytes = DEFAULT_MAX_FILE_NAME_BYTES): string {
	return sanitizeFileName(stem, { maxBytes });
}

/** The comparison key of a name: NFC, lower case. */
export function nameKey(name: string): string {
	return name.normalize("NFC").toLowerCase();
}
