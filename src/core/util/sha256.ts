/**
 * SHA-256 (FIPS 180-4) for the pure core, which cannot use `node:crypto`.
 *
 * - `sha256Hex(text)` hashes the UTF-8 bytes of a string (lone surrogates become U+FFFD, as TextEncoder does),
 *   synchronously, in JavaScript.
 * - `sha256HexAsync(text)` gives the same digest through the Web Crypto API (`crypto.subtle`, native and several
 *   times faster; present in Node 20 and in Obsidian/Electron), falling back to the JavaScript one when it is absent.
 * - `sha256HexBytes(bytes)` hashes raw bytes.
 * - `Sha256` is incremental (`update`/`updateText` any number of times, then `digestHex`), so large inputs need not be
 *   one string or one array.
 *
 * Speed of the JavaScript path: text is encoded with `TextEncoder.encodeInto` straight into a shared scratch buffer
 * and hashed from there (no per-call copy of the whole input), and the compression function keeps its state in
 * locals with the rounds unrolled eight at a time; about 200 MB/s on V8.
 */

const K = new Int32Array([
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
	0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
	0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
	0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
	0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
	0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const INITIAL = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

const encoder = new TextEncoder();

/** The message schedule, shared: `compressBlocks` is synchronous and never re-entered. */
const W = new Int32Array(64);

/**
 * Where `updateText` encodes text before hashing it, shared for the same reason. Each call copies its pending
 * partial block to the front, encodes after it, hashes every whole block and keeps the rest (< 64 bytes) itself.
 */
const SCRATCH = new Uint8Array(64 * 1024);

/** Incremental SHA-256. Not reusable after `digest`/`digestHex`. */
export class Sha256 {
	private readonly h = new Int32Array(INITIAL);
	private readonly block = new Uint8Array(64);
	private blockLength = 0;
	/** Total bytes hashed so far (a double is exact up to 2^53 bytes). */
	private length = 0;
	private finished = false;

	/**
	 * Adds the UTF-8 bytes of `text` (lone surrogates as U+FFFD). Two calls equal one call on the joined text unless
	 * the first ends with a high surrogate and the second starts with a low one (each half is then a lone surrogate).
	 */
	updateText(text: string): this {
		if (this.finished) throw new Error("Sha256: update after digest");
		let pos = 0;
		while (pos < text.length) {
			const pending = this.blockLength;
			if (pending > 0) SCRATCH.set(this.block.subarray(0, pending));
			const { read, written } = encoder.encodeInto(pos === 0 ? text : text.slice(pos), SCRATCH.subarray(pending));
			pos += read;
			this.length += written;
			const total = pending + written;
			const whole = total - (total % 64);
			compressBlocks(this.h, SCRATCH, 0, whole);
			this.block.set(SCRATCH.subarray(whole, total));
			this.blockLength = total - whole;
		}
		return this;
	}

	/** Adds raw bytes. */
	update(bytes: Uint8Array): this {
		if (this.finished) throw new Error("Sha256: update after digest");
		this.length += bytes.length;
		let offset = 0;
		if (this.blockLength > 0) {
			const take = Math.min(64 - this.blockLength, bytes.length);
			this.block.set(bytes.subarray(0, take), this.blockLength);
			this.blockLength += take;
			offset = take;
			if (this.blockLength < 64) return this;
			compressBlocks(this.h, this.block, 0, 64);
			this.blockLength = 0;
		}
		const whole = offset + (bytes.length - offset - ((bytes.length - offset) % 64));
		compressBlocks(this.h, bytes, offset, whole);
		if (whole < bytes.length) {
			this.block.set(bytes.subarray(whole), 0);
			this.blockLength = bytes.length - whole;
		}
		return this;
	}

	/**
	 * The state so far as text (the eight words, the bytes not yet hashed, the length), for `Sha256.resume` to go on
	 * from, in another thread too: the plugin's reader worker hashes a note's body and the UI thread adds the path.
	 */
	save(): string {
		if (this.finished) throw new Error("Sha256: save after digest");
		let out = "";
		for (let i = 0; i < 8; i++) out += (this.h[i]! >>> 0).toString(16).padStart(8, "0");
		for (let i = 0; i < this.blockLength; i++) out += this.block[i]!.toString(16).padStart(2, "0");
		return `${out}:${this.length}`;
	}

	/** A hash that goes on from a state `save` gave. */
	static resume(saved: string): Sha256 {
		const m = /^([0-9a-f]{64})((?:[0-9a-f]{2}){0,63}):(\d+)$/.exec(saved);
		const length = m ? Number(m[3]) : NaN;
		if (!m || length % 64 !== m[2]!.length / 2) throw new Error("Sha256: not a saved state");
		const hash = new Sha256();
		for (let i = 0; i < 8; i++) hash.h[i] = parseInt(m[1]!.slice(i * 8, i * 8 + 8), 16) | 0;
		for (let i = 0; i < m[2]!.length / 2; i++) hash.block[i] = parseInt(m[2]!.slice(i * 2, i * 2 + 2), 16);
		hash.blockLength = m[2]!.length / 2;
		hash.length = length;
		return hash;
	}

	/** The 32-byte digest. */
	digest(): Uint8Array {
		this.finish();
		const out = new Uint8Array(32);
		for (let i = 0; i < 8; i++) writeUint32(out, i * 4, this.h[i]!);
		return out;
	}

	/** The digest as 64 lowercase hex digits. */
	digestHex(): string {
		this.finish();
		let hex = "";
		for (let i = 0; i < 8; i++) hex += (this.h[i]! >>> 0).toString(16).padStart(8, "0");
		return hex;
	}

	private finish(): void {
		if (this.finished) throw new Error("Sha256: digest called twice");
		const bitLengthHigh = Math.floor(this.length / 0x20000000);
		const bitLengthLow = (this.length * 8) >>> 0;
		const block = this.block;
		block[this.blockLength++] = 0x80;
		if (this.blockLength > 56) {
			block.fill(0, this.blockLength);
			compressBlocks(this.h, block, 0, 64);
			this.blockLength = 0;
		}
		block.fill(0, this.blockLength);
		writeUint32(block, 56, bitLengthHigh);
		writeUint32(block, 60, bitLengthLow);
		compressBlocks(this.h, block, 0, 64);
		this.finished = true;
	}
}

/**
 * Runs the compression function over the 64-byte blocks `bytes[start..end)` (`end - start` a multiple of 64),
 * updating `state`. The state stays in locals across blocks. Each round of FIPS 180-4 shifts the working
 * variables a..h down by one; instead of moving eight values per round, the rounds are unrolled eight at a time
 * with the names rotated, so round i+1 reads as round i with every letter moved one place (h,a,b,…,g), and after
 * eight rounds the names line up again.
 */
// Long on purpose: SHA-256's rounds unrolled eight at a time (see above), for speed.
function compressBlocks(state: Int32Array, bytes: Uint8Array, start: number, end: number): void {
	if (end <= start) return;
	const w = W;
	const k = K;
	let h0 = state[0]!;
	let h1 = state[1]!;
	let h2 = state[2]!;
	let h3 = state[3]!;
	let h4 = state[4]!;
	let h5 = state[5]!;
	let h6 = state[6]!;
	let h7 = state[7]!;
	for (let p = start; p < end; p += 64) {
		for (let i = 0, j = p; i < 16; i++, j += 4) {
			w[i] = (bytes[j]! << 24) | (bytes[j + 1]! << 16) | (bytes[j + 2]! << 8) | bytes[j + 3]!;
		}
		for (let i = 16; i < 64; i++) {
			const x = w[i - 15]!;
			const y = w[i - 2]!;
			const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
			const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
			w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
		}
		let a = h0;
		let b = h1;
		let c = h2;
		let d = h3;
		let e = h4;
		let f = h5;
		let g = h6;
		let h = h7;
		// One round, with (a..h) the current names: t1 = h + Σ1(e) + Ch(e,f,g) + K[i] + W[i]; d += t1;
		// h = t1 + Σ0(a) + Maj(a,b,c). Ch(e,f,g) = g ^ (e & (f ^ g)); Maj(a,b,c) = (a & b) | (c & (a | b)).
		for (let i = 0; i < 64; i += 8) {
			h = (h + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) + (g ^ (e & (f ^ g))) + k[i]! + w[i]!) | 0;
			d = (d + h) | 0;
			h = (h + (((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) + ((a & b) | (c & (a | b)))) | 0;

			g =
				(g + (((d >>> 6) | (d << 26)) ^ ((d >>> 11) | (d << 21)) ^ ((d >>> 25) | (d << 7))) + (f ^ (d & (e ^ f))) + k[i + 1]! + w[i + 1]!) |
				0;
			c = (c + g) | 0;
			g = (g + (((h >>> 2) | (h << 30)) ^ ((h >>> 13) | (h << 19)) ^ ((h >>> 22) | (h << 10))) + ((h & a) | (b & (h | a)))) | 0;

			f =
				(f + (((c >>> 6) | (c << 26)) ^ ((c >>> 11) | (c << 21)) ^ ((c >>> 25) | (c << 7))) + (e ^ (c & (d ^ e))) + k[i + 2]! + w[i + 2]!) |
				0;
			b = (b + f) | 0;
			f = (f + (((g >>> 2) | (g << 30)) ^ ((g >>> 13) | (g << 19)) ^ ((g >>> 22) | (g << 10))) + ((g & h) | (a & (g | h)))) | 0;

			e =
				(e + (((b >>> 6) | (b << 26)) ^ ((b >>> 11) | (b << 21)) ^ ((b >>> 25) | (b << 7))) + (d ^ (b & (c ^ d))) + k[i + 3]! + w[i + 3]!) |
				0;
			a = (a + e) | 0;
			e = (e + (((f >>> 2) | (f << 30)) ^ ((f >>> 13) | (f << 19)) ^ ((f >>> 22) | (f << 10))) + ((f & g) | (h & (f | g)))) | 0;

			d =
				(d + (((a >>> 6) | (a << 26)) ^ ((a >>> 11) | (a << 21)) ^ ((a >>> 25) | (a << 7))) + (c ^ (a & (b ^ c))) + k[i + 4]! + w[i + 4]!) |
				0;
			h = (h + d) | 0;
			d = (d + (((e >>> 2) | (e << 30)) ^ ((e >>> 13) | (e << 19)) ^ ((e >>> 22) | (e << 10))) + ((e & f) | (g & (e | f)))) | 0;

			c =
				(c + (((h >>> 6) | (h << 26)) ^ ((h >>> 11) | (h << 21)) ^ ((h >>> 25) | (h << 7))) + (b ^ (h & (a ^ b))) + k[i + 5]! + w[i + 5]!) |
				0;
			g = (g + c) | 0;
			c = (c + (((d >>> 2) | (d << 30)) ^ ((d >>> 13) | (d << 19)) ^ ((d >>> 22) | (d << 10))) + ((d & e) | (f & (d | e)))) | 0;

			b =
				(b + (((g >>> 6) | (g << 26)) ^ ((g >>> 11) | (g << 21)) ^ ((g >>> 25) | (g << 7))) + (a ^ (g & (h ^ a))) + k[i + 6]! + w[i + 6]!) |
				0;
			f = (f + b) | 0;
			b = (b + (((c >>> 2) | (c << 30)) ^ ((c >>> 13) | (c << 19)) ^ ((c >>> 22) | (c << 10))) + ((c & d) | (e & (c | d)))) | 0;

			a =
				(a + (((f >>> 6) | (f << 26)) ^ ((f >>> 11) | (f << 21)) ^ ((f >>> 25) | (f << 7))) + (h ^ (f & (g ^ h))) + k[i + 7]! + w[i + 7]!) |
				0;
			e = (e + a) | 0;
			a = (a + (((b >>> 2) | (b << 30)) ^ ((b >>> 13) | (b << 19)) ^ ((b >>> 22) | (b << 10))) + ((b & c) | (d & (b | c)))) | 0;
		}
		h0 = (h0 + a) | 0;
		h1 = (h1 + b) | 0;
		h2 = (h2 + c) | 0;
		h3 = (h3 + d) | 0;
		h4 = (h4 + e) | 0;
		h5 = (h5 + f) | 0;
		h6 = (h6 + g) | 0;
		h7 = (h7 + h) | 0;
	}
	state[0] = h0;
	state[1] = h1;
	state[2] = h2;
	state[3] = h3;
	state[4] = h4;
	state[5] = h5;
	state[6] = h6;
	state[7] = h7;
}

function writeUint32(out: Uint8Array, offset: number, value: number): void {
	out[offset] = (value >>> 24) & 0xff;
	out[offset + 1] = (value >>> 16) & 0xff;
	out[offset + 2] = (value >>> 8) & 0xff;
	out[offset + 3] = value & 0xff;
}

/** SHA-256 of the UTF-8 bytes of `text`, as 64 lowercase hex digits. */
export function sha256Hex(text: string): string {
	return new Sha256().updateText(text).digestHex();
}

/** SHA-256 of raw bytes, as 64 lowercase hex digits. */
export function sha256HexBytes(bytes: Uint8Array): string {
	return new Sha256().update(bytes).digestHex();
}

/** The Web Crypto digest API of this runtime, or null when it has none (or no secure context to offer it in). */
export function webCryptoSubtle(): SubtleCrypto | null {
	// Looked up once: `crypto.subtle` is a getter into the browser, paid twice per note by the default arguments
	// below (174 ms of self time over 20,000 calls in the browser profile of 10,000 notes, issue 17).
	if (subtleLooked === undefined) subtleLooked = lookUpSubtle();
	return subtleLooked;
}

let subtleLooked: SubtleCrypto | null | undefined;

function lookUpSubtle(): SubtleCrypto | null {
	// `crypto` is a global in browsers, Electron and Node >= 19; `typeof` keeps an older runtime from throwing.
	if (typeof crypto === "undefined") return null;
	const subtle = (crypto as Partial<Crypto>).subtle;
	return subtle && typeof subtle.digest === "function" ? subtle : null;
}

/** Room that text is encoded into (grown as needed up to SCRATCH_MAX_BYTES, beyond which text is encoded alone). */
let scratch: Uint8Array<ArrayBuffer> | null = null;
const SCRATCH_MAX_BYTES = 1 << 22;

/**
 * Text as UTF-8 for `digest`, by encodeInto into a scratch buffer that is reused: in a browser (Obsidian's UI
 * thread, where every note is hashed twice) TextEncoder.encode costs several times more than that, the largest part
 * of load's work there (issue 17). The view is handed to `digest`, which takes its own copy of the bytes before it
 * returns (Web Crypto: "getting a copy of the bytes held by the data parameter", synchronously), so the next call
 * may write over the scratch while an earlier digest still runs; a second copy here (it was `slice`d) was a fresh
 * ArrayBuffer per note for nothing.
 */
function utf8Of(text: string): Uint8Array<ArrayBuffer> {
	const most = text.length * 3;
	if (most > SCRATCH_MAX_BYTES) return encoder.encode(text);
	if (!scratch || scratch.length < most) scratch = new Uint8Array(Math.min(SCRATCH_MAX_BYTES, Math.max(most, 1 << 16)));
	const { written } = encoder.encodeInto(text, scratch);
	return scratch.subarray(0, written);
}

/**
 * `sha256Hex(text)`, computed by the Web Crypto API when the runtime has it (native; it also keeps the hashing off
 * the main thread's JavaScript), otherwise — or if it fails — by the JavaScript implementation. Same digest either
 * way: both hash TextEncoder's UTF-8 (lone surrogates as U+FFFD).
 *
 * `subtle` is for tests (pass null to force the JavaScript path); callers leave it out.
 */
export async function sha256HexAsync(text: string, subtle: SubtleCrypto | null = webCryptoSubtle()): Promise<string> {
	if (subtle) {
		let digest: ArrayBuffer | undefined;
		try {
			digest = await subtle.digest("SHA-256", utf8Of(text));
		} catch {
			digest = undefined; // e.g. a runtime that lists the API but refuses the call: the JavaScript path below
		}
		if (digest) return hexOf(new Uint8Array(digest));
	}
	return sha256Hex(text);
}

/** Room before the body in pairScratch for the head (a note's frontmatter block); a longer head is copied. */
const PAIR_ROOM = 1 << 14;
let pairScratch: Uint8Array<ArrayBuffer> | null = null;
/** pairScratch is in use (across the awaits of one call): another call at the same time takes a buffer of its own. */
let pairBusy = false;

/**
 * Two digests over one UTF-8 encoding of `body` (a note's: see premade-note.ts), by the Web Crypto API: first of
 * `body + suffix` (the file id's text), then of `headFor(that digest's hex) + body` (the note's). Null where there
 * is no Web Crypto or it fails (the caller hashes its own way). Same digests as sha256HexAsync of those texts: the
 * suffix starts and the head ends with ASCII, so no surrogate pair straddles a join.
 */
export async function sha256BodyThenNote(
	body: string,
	suffix: string,
	headFor: (bodyHex: string) => string,
	subtle: SubtleCrypto | null = webCryptoSubtle(),
): Promise<{ bodyHex: string; head: string; noteHex: string; bytes: number } | null> {
	if (!subtle) return null;
	const need = PAIR_ROOM + (body.length + suffix.length) * 3;
	let buf: Uint8Array<ArrayBuffer>;
	if (pairBusy || need > SCRATCH_MAX_BYTES) buf = new Uint8Array(need);
	else {
		if (!pairScratch || pairScratch.length < need) pairScratch = new Uint8Array(Math.max(need, 1 << 16));
		buf = pairScratch;
		pairBusy = true;
	}
	try {
		const bodyBytes = encoder.encodeInto(body, buf.subarray(PAIR_ROOM)).written;
		const suffixBytes = encoder.encodeInto(suffix, buf.subarray(PAIR_ROOM + bodyBytes)).written;
		const bodyHex = hexOf(new Uint8Array(await subtle.digest("SHA-256", buf.subarray(PAIR_ROOM, PAIR_ROOM + bodyBytes + suffixBytes))));
		const head = headFor(bodyHex);
		const headUtf8 = encoder.encode(head);
		let note: Uint8Array<ArrayBuffer>;
		if (headUtf8.length <= PAIR_ROOM) {
			buf.set(headUtf8, PAIR_ROOM - headUtf8.length);
			note = buf.subarray(PAIR_ROOM - headUtf8.length, PAIR_ROOM + bodyBytes);
		} else {
			note = new Uint8Array(headUtf8.length + bodyBytes);
			note.set(headUtf8);
			note.set(buf.subarray(PAIR_ROOM, PAIR_ROOM + bodyBytes), headUtf8.length);
		}
		const noteHex = hexOf(new Uint8Array(await subtle.digest("SHA-256", note)));
		return { bodyHex, head, noteHex, bytes: headUtf8.length + bodyBytes };
	} catch {
		return null;
	} finally {
		if (buf === pairScratch) pairBusy = false;
	}
}

/**
 * `sha256HexBytes(bytes)` by the Web Crypto API when the runtime has it, else (or if it fails) in JavaScript. For
 * hashes taken once at a run's start (an input's first and last MiB), where the JavaScript path runs before V8 has
 * compiled it and costs ~0.1 s per MiB.
 */
export async function sha256HexBytesAsync(bytes: Uint8Array, subtle: SubtleCrypto | null = webCryptoSubtle()): Promise<string> {
	if (subtle) {
		let digest: ArrayBuffer | undefined;
		try {
			digest = await subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
		} catch {
			digest = undefined;
		}
		if (digest) return hexOf(new Uint8Array(digest));
	}
	return sha256HexBytes(bytes);
}

function hexOf(bytes: Uint8Array): string {
	let hex = "";
	for (const byte of bytes) hex += (byte < 16 ? "0" : "") + byte.toString(16);
	return hex;
}
