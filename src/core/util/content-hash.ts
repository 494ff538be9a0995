/**
 * A fast, non-cryptographic fingerprint of a text: two independent 53-bit hashes over its UTF-16 code units plus
 * its length, as `c1:<hex>`. For telling whether a note changed since we wrote it (the import index); about an
 * order of magnitude cheaper than SHA-256 in JavaScript, and with ~106 bits, accidental collisions are not a concern.
 * Not for anything an adversary chooses (use sha256 there).
 */
export function contentHash(text: string): string {
	let h1 = 0xdeadbeef ^ text.length;
	let h2 = 0x41c6ce57 ^ text.length;
	let h3 = 0x9e3779b9;
	let h4 = 0x85ebca6b;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		h1 = Math.imul(h1 ^ c, 2654435761);
		h2 = Math.imul(h2 ^ c, 1597334677);
		h3 = Math.imul(h3 ^ c, 2246822507);
		h4 = Math.imul(h4 ^ c, 3266489909);
	}
	const mix = (a: number, b: number): number => {
		let x = Math.imul(a ^ (a >>> 16), 2246822507);
		x ^= Math.imul(b ^ (b >>> 13), 3266489909);
		let y = Math.imul(b ^ (b >>> 16), 2246822507);
		y ^= Math.imul(x ^ (x >>> 13), 3266489909);
		return 4294967296 * (2097151 & y) + (x >>> 0);
	};
	const a = mix(h1, h2);
	const b = mix(h3, h4);
	return `c1:${a.toString(16).padStart(14, "0")}${b.toString(16).padStart(14, "0")}${text.length.toString(16)}`;
}
