/**
 * Text encoded as UTF-8 into one reused buffer, for a write or a hash that consumes the bytes at once.
 *
 * An import writes every note twice (the vault, the session's copy) and hashes it twice (`file_id`, the index). Each
 * `Buffer.from(text)`, and each string handed to `fs.writeFileSync` or `hash.update`, allocates fresh memory for the
 * encoded copy; on thousands of notes that allocation (page faults, GC of external memory) costs more than the
 * encoding itself. Encoding into one buffer that stays allocated removes it.
 *
 * The view returned is valid only until the next call in the same thread: use it synchronously (the CLI's writes
 * and hashes are synchronous node:fs and node:crypto calls; see vault-paths.ts). Each worker thread has its own.
 */

/** Kept between calls up to this size; a larger text gets a buffer of its own (a rare huge note keeps no memory). */
const KEEP_MAX_BYTES = 16 * 1024 * 1024;

let scratch = Buffer.allocUnsafe(256 * 1024);
/**
 * The text the buffer holds now, and its length in bytes. A note is written, hashed and written again (its
 * session copy) one after the other: the second and third calls find it there and encode nothing.
 */
let held: string | null = null;
let heldLength = 0;

/** The UTF-8 bytes of `text` (lone surrogates as U+FFFD, as Buffer.from), as a view valid until the next call. */
export function utf8View(text: string): Buffer {
	// The same string object compares in constant time; an equal copy gives equal bytes.
	if (text === held) return scratch.subarray(0, heldLength);
	// A UTF-16 code unit is at most 3 UTF-8 bytes (a surrogate pair, 2 units, is 4), so this always fits.
	const most = text.length * 3;
	if (most > KEEP_MAX_BYTES) return Buffer.from(text, "utf8");
	const buffer = scratchBuffer(most);
	heldLength = buffer.write(text, 0, "utf8");
	held = text;
	return buffer.subarray(0, heldLength);
}

/**
 * The thread's scratch buffer, at least `bytes` long (grown, and kept, up to KEEP_MAX_BYTES; a buffer of its own
 * past that), for bytes used at once: valid until the next call of this module. What utf8View held is forgotten.
 */
export function scratchBuffer(bytes: number): Buffer {
	held = null;
	if (bytes > KEEP_MAX_BYTES) return Buffer.allocUnsafe(bytes);
	if (bytes > scratch.length) {
		let size = scratch.length * 2;
		while (size < bytes) size *= 2;
		scratch = Buffer.allocUnsafe(size);
	}
	return scratch;
}
