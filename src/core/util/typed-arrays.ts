/** The typed arrays the engine's compact tables are made of. */
export type NumberColumn = Uint8Array | Uint32Array | Int32Array | Float64Array;

/** A copy of `a` with room for `length` items (no fewer than it holds), its items kept and the rest 0. */
export function resized<A extends NumberColumn>(a: A, length: number): A {
	const made = new (a.constructor as new (length: number) => A)(length);
	made.set(a);
	return made;
}

/** `a` itself when it has room for `length` items, else a copy twice its size (at least `min`, at least `length`). */
export function withRoom<A extends NumberColumn>(a: A, length: number, min = 64): A {
	return length <= a.length ? a : resized(a, Math.max(min, a.length * 2, length));
}
