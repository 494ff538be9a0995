import { withRoom } from "../../util/typed-arrays";
import { hashes } from "../../util/hash64";

/**
 * Source times by conversation key, as fingerprints: `h1`/`h2` (see `hashes`), sorted by `h1`, and each one's
 * source time in whole seconds (`Infinity` for none, NaN for one that does not parse). Plain typed arrays, so that
 * it crosses to a reader thread as it is; 16 bytes a conversation where a Map held two strings (~150 bytes). Two
 * keys with one fingerprint make a wrong hint, which costs nothing but a render (see sourceTimesAsRendered).
 */
export interface SourceTimeHints {
	h1: Uint32Array;
	h2: Uint32Array;
	seconds: Float64Array;
}

/** Whether the hints hold that a conversation's source time was `updated` (to the second, as sameTime). */
export function hintedSameTime(hints: SourceTimeHints, key: string, updated: string | null): boolean {
	const i = slotOf(hints, key);
	return i >= 0 && hints.seconds[i] === secondsOf(updated);
}

/** Whether the hints hold a conversation's key at all (whatever its time). */
export function hintedKey(hints: SourceTimeHints, key: string): boolean {
	return slotOf(hints, key) >= 0;
}

/** Where the hints hold `key` (the first slot of its fingerprint), or -1. */
function slotOf(hints: SourceTimeHints, key: string): number {
	const [a, b] = hashes(key);
	const { h1, h2 } = hints;
	let lo = 0;
	let hi = h1.length;
	while (lo < hi) {
		const mid = (lo + hi) >>> 1;
		if (h1[mid]! < a) lo = mid + 1;
		else hi = mid;
	}
	for (let i = lo; i < h1.length && h1[i] === a; i++) if (h2[i] === b) return i;
	return -1;
}

/** A source time in whole seconds; Infinity for none, NaN for one that does not parse (equal to nothing). */
function secondsOf(time: string | null): number {
	if (time === null) return Number.POSITIVE_INFINITY;
	return Math.floor(Date.parse(time) / 1000);
}

/** Collects hints, then sorts them by their first hash (packed with the position in one float: a native sort). */
export class HintBuilder {
	private h1 = new Uint32Array(1024);
	private h2 = new Uint32Array(1024);
	private seconds = new Float64Array(1024);
	private count = 0;

	add(key: string, time: string | null): void {
		this.h1 = withRoom(this.h1, this.count + 1);
		this.h2 = withRoom(this.h2, this.count + 1);
		this.seconds = withRoom(this.seconds, this.count + 1);
		const [a, b] = hashes(key);
		this.h1[this.count] = a;
		this.h2[this.count] = b;
		this.seconds[this.count] = secondsOf(time);
		this.count++;
	}

	done(): SourceTimeHints {
		const n = this.count;
		const order = sortedByFirstHash(this.h1, n);
		const out: SourceTimeHints = { h1: new Uint32Array(n), h2: new Uint32Array(n), seconds: new Float64Array(n) };
		for (let i = 0; i < n; i++) {
			const from = order[i]!;
			out.h1[i] = this.h1[from]!;
			out.h2[i] = this.h2[from]!;
			out.seconds[i] = this.seconds[from]!;
		}
		return out;
	}
}

/** Positions 0..n-1 ordered by `h1`: packed as h1 · 2^21 + position in a Float64Array and sorted natively up to 2^21. */
function sortedByFirstHash(h1: Uint32Array, n: number): Uint32Array {
	const order = new Uint32Array(n);
	if (n <= 2 ** 21) {
		const packed = new Float64Array(n);
		for (let i = 0; i < n; i++) packed[i] = h1[i]! * 2 ** 21 + i;
		packed.sort();
		for (let i = 0; i < n; i++) order[i] = packed[i]! % 2 ** 21;
		return order;
	}
	for (let i = 0; i < n; i++) order[i] = i;
	return order.sort((x, y) => h1[x]! - h1[y]!);
}
