import { withRoom } from "./typed-arrays";

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

/**
 * Strings numbered 0, 1, 2, … in the order first added, kept as their 64-bit fingerprints (see hashes): the key of
 * a table of columns (typed arrays indexed by the number) where a Map of ids would hold every id as a string. About
 * 16–24 bytes a member: its fingerprint, and an open-addressing table of numbers at most half full. Two strings with
 * one fingerprint take one number (see StringHashSet for the odds).
 */
export class FingerprintSlots {
	private h1 = new Uint32Array(0);
	private h2 = new Uint32Array(0);
	/** slot + 1 at a fingerprint's place; 0 is empty. */
	private table = new Int32Array(0);
	private mask = -1;
	private count = 0;

	get size(): number {
		return this.count;
	}

	/** The number of `s`, or -1 when it was never added. */
	slotOf(s: string): number {
		const [a, b] = hashes(s);
		return this.slotOfFingerprint(a, b);
	}

	/** The number of the member with this fingerprint (two halves, as `hashes` gives them), or -1. */
	slotOfFingerprint(a: number, b: number): number {
		if (this.mask < 0) return -1;
		for (let at = a & this.mask; ; at = (at + 1) & this.mask) {
			const slot = this.table[at]! - 1;
			if (slot < 0) return -1;
			if (this.h1[slot] === a && this.h2[slot] === b) return slot;
		}
	}

	/** The number of `s`, given it now if it had none (the next one: `size` before the call). */
	add(s: string): number {
		const [a, b] = hashes(s);
		const known = this.slotOfFingerprint(a, b);
		if (known >= 0) return known;
		if ((this.count + 1) * 2 > this.table.length) this.grow();
		const slot = this.count++;
		this.h1 = withRoom(this.h1, slot + 1);
		this.h2 = withRoom(this.h2, slot + 1);
		this.h1[slot] = a;
		this.h2[slot] = b;
		this.place(slot);
		return slot;
	}

	private place(slot: number): void {
		let at = this.h1[slot]! & this.mask;
		while (this.table[at] !== 0) at = (at + 1) & this.mask;
		this.table[at] = slot + 1;
	}

	private grow(): void {
		this.table = new Int32Array(Math.max(128, this.table.length * 2));
		this.mask = this.table.length - 1;
		for (let slot = 0; slot < this.count; slot++) this.place(slot);
	}
}

/**
 * A list of strings kept as their fingerprints (8 bytes each), in order: what a caller needs to look each up again
 * later (in a FingerprintSlots) without holding the strings.
 */
export class FingerprintList {
	private pairs = new Uint32Array(16);
	private count = 0;

	get length(): number {
		return this.count;
	}

	push(s: string): void {
		this.pairs = withRoom(this.pairs, (this.count + 1) * 2, 16);
		const [a, b] = hashes(s);
		this.pairs[this.count * 2] = a;
		this.pairs[this.count * 2 + 1] = b;
		this.count++;
	}

	/** The fingerprint of the i-th string (the two halves `hashes` gives). */
	at(i: number): [number, number] {
		return [this.pairs[i * 2]!, this.pairs[i * 2 + 1]!];
	}
}
