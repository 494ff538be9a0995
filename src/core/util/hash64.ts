/**
 * Two independent 32-bit hashes of a string's UTF-16 code units (FNV-1a, and a multiply-xorshift one): a 64-bit
 * fingerprint for tables that keep a key's hash instead of the key (see KeyedJsonl, StringHashSet).
 */
export function hashes(s: string): [number, number] {
	let a = 0x811c9dc5;
	let b = 0x9e3779b9 ^ s.length;
	for (let i = 0; i < s.length; i++) {
		const c = s.charCodeAt(i);
		a = Math.imul(a ^ c, 0x01000193);
		b = Math.imul(b ^ c, 0x5bd1e995);
		b ^= b >>> 15;
	}
	b = Math.imul(b ^ (b >>> 13), 0xc2b2ae35);
	return [a >>> 0, (b ^ (b >>> 16)) >>> 0];
}

/**
 * A set of strings kept as their 64-bit fingerprints in typed arrays: 8 bytes a member (16 with the table's room),
 * where a Set of a million ids or note names holds a million strings (~100 bytes each). Two different strings with
 * one fingerprint are taken for one: at a million members the chance that any two do is about 1 in 30 million, so
 * it is for what such a mix-up costs little (a name numbered once more; an id's repeat told apart from the first).
 */
export class StringHashSet {
	private h1 = new Uint32Array(0);
	private h2 = new Uint32Array(0);
	private used = new Uint8Array(0);
	private mask = -1;
	private count = 0;

	constructor(members: Iterable<string> = []) {
		for (const m of members) this.add(m);
	}

	get size(): number {
		return this.count;
	}

	has(s: string): boolean {
		if (this.mask < 0) return false;
		const [a, b] = hashes(s);
		for (let slot = a & this.mask; this.used[slot] === 1; slot = (slot + 1) & this.mask)
			if (this.h1[slot] === a && this.h2[slot] === b) return true;
		return false;
	}

	/** Adds `s`; false when it was a member already. */
	add(s: string): boolean {
		if ((this.count + 1) * 2 > this.used.length) this.grow();
		const [a, b] = hashes(s);
		return this.insert(a, b);
	}

	private insert(a: number, b: number): boolean {
		let slot = a & this.mask;
		for (; this.used[slot] === 1; slot = (slot + 1) & this.mask) if (this.h1[slot] === a && this.h2[slot] === b) return false;
		this.used[slot] = 1;
		this.h1[slot] = a;
		this.h2[slot] = b;
		this.count++;
		return true;
	}

	private grow(): void {
		const { h1, h2, used } = this;
		const size = Math.max(64, used.length * 2);
		this.h1 = new Uint32Array(size);
		this.h2 = new Uint32Array(size);
		this.used = new Uint8Array(size);
		this.mask = size - 1;
		this.count = 0;
		for (let i = 0; i < used.length; i++) if (used[i] === 1) this.insert(h1[i]!, h2[i]!);
	}
}
