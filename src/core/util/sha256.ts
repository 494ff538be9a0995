/**
 * A small, synchronous SHA-256 (FIPS 180-4) for the pure core, which cannot use `node:crypto` and
 * should not depend on the asynchronous Web Crypto API for a 12-character id.
 *
 * - `sha256Hex(text)` hashes the UTF-8 bytes of a string (lone surrogates become U+FFFD, as TextEncoder does).
 * - `sha256HexBytes(bytes)` hashes raw bytes.
 * - `Sha256` is incremental (`update` any number of times, then `digestHex`), so large inputs need not be one
 *   string or one array.
 *
 * Speed: a plain 32-bit loop over an Int32Array schedule; roughly 100+ MB/s on V8, plenty for notes of a few MB.
 */

const K = new Int32Array([
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
	0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
	0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
	0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
]);

const INITIAL = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

const encoder = new TextEncoder();

/** Incremental SHA-256. Not reusable after `digest`/`digestHex`. */
export class Sha256 {
	private readonly h = new Int32Array(INITIAL);
	private readonly w = new Int32Array(64);
	private readonly block = new Uint8Array(64);
	private blockLength = 0;
	/** Total bytes hashed so far (a double is exact up to 2^53 bytes). */
	private length = 0;
	private finished = false;

	/** Adds the UTF-8 bytes of `text`. */
	updateText(text: string): this {
		return this.update(encoder.encode(text));
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
			this.compress(this.block, 0);
			this.blockLength = 0;
		}
		while (offset + 64 <= bytes.length) {
			this.compress(bytes, offset);
			offset += 64;
		}
		if (offset < bytes.length) {
			this.block.set(bytes.subarray(offset), 0);
			this.blockLength = bytes.length - offset;
		}
		return this;
	}

	/** The 32-byte digest. */
	digest(): Uint8Array {
		if (this.finished) throw new Error("Sha256: digest called twice");
		const bitLengthHigh = Math.floor(this.length / 0x20000000);
		const bitLengthLow = (this.length * 8) >>> 0;
		const block = this.block;
		block[this.blockLength++] = 0x80;
		if (this.blockLength > 56) {
			block.fill(0, this.blockLength);
			this.compress(block, 0);
			this.blockLength = 0;
		}
		block.fill(0, this.blockLength);
		writeUint32(block, 56, bitLengthHigh);
		writeUint32(block, 60, bitLengthLow);
		this.compress(block, 0);
		this.finished = true;
		const out = new Uint8Array(32);
		for (let i = 0; i < 8; i++) writeUint32(out, i * 4, this.h[i]!);
		return out;
	}

	/** The digest as 64 lowercase hex digits. */
	digestHex(): string {
		let hex = "";
		for (const byte of this.digest()) hex += byte.toString(16).padStart(2, "0");
		return hex;
	}

	private compress(bytes: Uint8Array, offset: number): void {
		const w = this.w;
		for (let i = 0; i < 16; i++) {
			const j = offset + i * 4;
			w[i] = (bytes[j]! << 24) | (bytes[j + 1]! << 16) | (bytes[j + 2]! << 8) | bytes[j + 3]!;
		}
		for (let i = 16; i < 64; i++) {
			const x = w[i - 15]!;
			const y = w[i - 2]!;
			const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
			const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
			w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
		}
		const h = this.h;
		let a = h[0]!;
		let b = h[1]!;
		let c = h[2]!;
		let d = h[3]!;
		let e = h[4]!;
		let f = h[5]!;
		let g = h[6]!;
		let hh = h[7]!;
		for (let i = 0; i < 64; i++) {
			const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
			const ch = (e & f) ^ (~e & g);
			const t1 = (hh + S1 + ch + K[i]! + w[i]!) | 0;
			const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
			const maj = (a & b) ^ (a & c) ^ (b & c);
			const t2 = (S0 + maj) | 0;
			hh = g;
			g = f;
			f = e;
			e = (d + t1) | 0;
			d = c;
			c = b;
			b = a;
			a = (t1 + t2) | 0;
		}
		h[0] = (h[0]! + a) | 0;
		h[1] = (h[1]! + b) | 0;
		h[2] = (h[2]! + c) | 0;
		h[3] = (h[3]! + d) | 0;
		h[4] = (h[4]! + e) | 0;
		h[5] = (h[5]! + f) | 0;
		h[6] = (h[6]! + g) | 0;
		h[7] = (h[7]! + hh) | 0;
	}
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
