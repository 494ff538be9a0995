import type * as z from "../model/zod";
import type { Logger } from "../ports/logger";
import type { StagingStore } from "../ports/staging-store";
import { appendLinesQueued, endsCutOff, forEachJsonl, type ReadJsonlOptions } from "./jsonl";
import { hashes } from "../util/hash64";
import { utf8Bytes } from "../util/utf8-bytes";

/**
 * An append-only JSONL file of keyed records (the latest line of a key wins) that stays on disk: memory holds, per
 * key, two 32-bit hashes of it and where its latest line is (28 bytes or so with the table), never the record.
 * A lookup reads that one line back through the store's ranged read (a few 64 KB windows are kept, so records
 * asked for in the order they were written, as a re-import does, cost one read per window) and checks that the
 * line is the key's: a 64-bit collision, or a file changed behind our back, falls back to reading the file for it.
 * The vault-level indexes (import index, attachment index) of a million conversations are a few tens of MB of
 * typed arrays this way, not a million objects. The file format is the plain JSONL it always was.
 *
 * An optional second lookup (a note's path; an attachment's hash) is kept for every line: the latest line whose
 * second value is the one asked, optionally only when that line is still its key's latest.
 */
export interface KeyedJsonlOptions<T> {
	schema: z.ZodMiniType<T>;
	/** A faster exact check asked before the schema (see ReadJsonlOptions.check). */
	check?: (value: unknown) => T | null;
	key: (record: T) => string;
	second?: {
		of: (record: T) => string;
		/** Built while the file is read at open (else on the first lookup by it: a second read of the file). */
		eager?: boolean;
	};
	logger?: Logger;
}

/** Bytes read around a line that is looked up: the lines after it come with it. */
const WINDOW_BYTES = 64 * 1024;
/** Windows kept (most recently used last). */
const WINDOWS = 4;
/** Parsed records kept (a note's decision asks for its record a few times). */
const PARSED = 32;

const EMPTY = 0;

/**
 * Rows addressed by a 64-bit hash (h1, h2): an open-addressing table of row numbers over typed-array columns. A
 * row's place is `at`: a byte offset in the file (>= 0) or a line not yet written (-1 - its index in `pending`).
 * `prev` (for the second lookup, a row per line) links rows of the same hash, newest first.
 */
class HashRows {
	h1 = new Uint32Array(0);
	h2 = new Uint32Array(0);
	at = new Float64Array(0);
	len = new Uint32Array(0);
	prev: Int32Array | null;
	count = 0;
	private table = new Int32Array(0);
	private mask = -1;

	constructor(chained: boolean) {
		this.prev = chained ? new Int32Array(0) : null;
	}

	/** The newest row with this hash, or -1. */
	find(h1: number, h2: number): number {
		if (this.mask < 0) return -1;
		for (let slot = h1 & this.mask; ; slot = (slot + 1) & this.mask) {
			const r = this.table[slot]! - 1;
			if (r < 0) return -1;
			if (this.h1[r] === h1 && this.h2[r] === h2) return r;
		}
	}

	/**
	 * Unchained: the row of this hash, set to (at, len) (a new row when none). Chained: always a new row, which
	 * becomes the hash's newest and links to the one before.
	 */
	set(h1: number, h2: number, at: number, len: number): number {
		if ((this.count + 1) * 2 > this.table.length) this.grow();
		let slot = h1 & this.mask;
		for (; ; slot = (slot + 1) & this.mask) {
			const r = this.table[slot]! - 1;
			if (r < 0) break;
			if (this.h1[r] === h1 && this.h2[r] === h2) {
				if (!this.prev) {
					this.at[r] = at;
					this.len[r] = len;
					return r;
				}
				break;
			}
		}
		const row = this.count++;
		if (row >= this.h1.length) this.growRows();
		this.h1[row] = h1;
		this.h2[row] = h2;
		this.at[row] = at;
		this.len[row] = len;
		if (this.prev) this.prev[row] = this.table[slot]! - 1;
		this.table[slot] = row + 1;
		return row;
	}

	private growRows(): void {
		const n = Math.max(1024, this.h1.length * 2);
		const copy = <A extends Uint32Array | Float64Array | Int32Array>(a: A, make: (n: number) => A): A => {
			const b = make(n);
			b.set(a);
			return b;
		};
		this.h1 = copy(this.h1, (k) => new Uint32Array(k));
		this.h2 = copy(this.h2, (k) => new Uint32Array(k));
		this.at = copy(this.at, (k) => new Float64Array(k));
		this.len = copy(this.len, (k) => new Uint32Array(k));
		if (this.prev) this.prev = copy(this.prev, (k) => new Int32Array(k));
	}

	private grow(): void {
		const size = Math.max(2048, this.table.length * 2);
		this.table = new Int32Array(size);
		this.mask = size - 1;
		// Oldest first, so that in a chained table the newest row of a hash is the one left in its slot.
		for (let r = 0; r < this.count; r++) {
			let slot = this.h1[r]! & this.mask;
			while (this.table[slot] !== EMPTY) {
				const o = this.table[slot]! - 1;
				if (this.h1[o] === this.h1[r] && this.h2[o] === this.h2[r]) break;
				slot = (slot + 1) & this.mask;
			}
			this.table[slot] = r + 1;
		}
	}
}

export class KeyedJsonl<T> {
	/**
	 * Records put and not yet in the file, oldest first, with the rows that point at them. The record put as the
	 * n-th of this object's life (`seq`, from 0) is `pending[n - pendingBase]`, and a row that points at it holds
	 * `at` = -1 - n until its line is written.
	 */
	private pending: { record: T; key: number; second: number }[] = [];
	private pendingBase = 0;
	/** The file's size as this object knows it (where the next written line starts); null: ask the store. */
	private end: number | null;
	private flushing: Promise<void> = Promise.resolve();
	private windows: { at: number; bytes: Uint8Array }[] = [];
	private readonly parsed = new Map<number, T>();
	private readonly decoder = new TextDecoder();

	private constructor(
		private readonly store: StagingStore,
		readonly file: string,
		private readonly options: KeyedJsonlOptions<T>,
		private readonly keys: HashRows,
		private seconds: HashRows | null,
		private cutOff: boolean,
		end: number,
	) {
		this.end = end;
	}

	/** Reads the file line by line (absent: no records); bad lines are skipped with a warning, as readJsonl does. */
	static async open<T>(store: StagingStore, file: string, options: KeyedJsonlOptions<T>): Promise<KeyedJsonl<T>> {
		const { schema, check, logger, second } = options;
		const keys = new HashRows(false);
		const seconds = second?.eager ? new HashRows(true) : null;
		await forEachJsonl(store, file, { schema, ...(check ? { check } : {}), ...(logger ? { logger } : {}) }, (record, line) => {
			const [a, b] = hashes(options.key(record));
			keys.set(a, b, line.offset, line.bytes);
			if (seconds && second) {
				const [c, d] = hashes(second.of(record));
				seconds.set(c, d, line.offset, line.bytes);
			}
		});
		const end = (await store.stat(file))?.size ?? 0;
		return new KeyedJsonl<T>(store, file, options, keys, seconds, await endsCutOff(store, file), end);
	}

	/** Keys with a record. */
	get size(): number {
		return this.keys.count;
	}

	/** The latest record of `key`, or null. */
	async get(key: string): Promise<T | null> {
		const [a, b] = hashes(key);
		const row = this.keys.find(a, b);
		if (row < 0) return null;
		const record = await this.recordAt(this.keys.at[row]!, this.keys.len[row]!);
		if (record !== null && this.options.key(record) === key) return record;
		return this.scanFor((r) => this.options.key(r) === key);
	}

	/**
	 * The record of the latest line whose second value is `value` (see KeyedJsonlOptions.second); with `current`,
	 * only a line that is still its key's latest.
	 */
	async getBySecond(value: string, current = false): Promise<T | null> {
		const of = this.options.second?.of;
		if (!of) throw new Error(`${this.file}: no second lookup`);
		const seconds = (this.seconds ??= await this.readSeconds());
		const [a, b] = hashes(value);
		for (let row = seconds.find(a, b); row >= 0; row = seconds.prev![row]!) {
			if (seconds.h1[row] !== a || seconds.h2[row] !== b) continue;
			const at = seconds.at[row]!;
			const record = await this.recordAt(at, seconds.len[row]!);
			if (record === null || of(record) !== value) continue;
			if (!current) return record;
			const [k1, k2] = hashes(this.options.key(record));
			const keyRow = this.keys.find(k1, k2);
			if (keyRow >= 0 && this.keys.at[keyRow] === at) return record;
		}
		return null;
	}

	/**
	 * Calls `fn` with each key's latest record, once per key: the file's lines that are still their key's latest, in
	 * file order, then the records not written yet. Read line by line; nothing but the record at hand is held.
	 */
	async forEachLatest(fn: (record: T) => void): Promise<void> {
		const end = this.end;
		await forEachJsonl(this.store, this.file, this.readOptions(), (record, line) => {
			if (end !== null && line.offset >= end) return;
			const [a, b] = hashes(this.options.key(record));
			const row = this.keys.find(a, b);
			if (row >= 0 && this.keys.at[row] === line.offset) fn(record);
		});
		this.pending.forEach((p, i) => {
			if (this.keys.at[p.key] === -1 - (this.pendingBase + i)) fn(p.record);
		});
	}

	/** Records a write: found at once by get; on disk at the next flush. */
	put(record: T): void {
		const at = -1 - (this.pendingBase + this.pending.length);
		const [a, b] = hashes(this.options.key(record));
		const key = this.keys.set(a, b, at, 0);
		let second = -1;
		if (this.seconds && this.options.second) {
			const [c, d] = hashes(this.options.second.of(record));
			second = this.seconds.set(c, d, at, 0);
		}
		this.pending.push({ record, key, second });
	}

	/** How many records were put so far: a mark for `flush(upTo)`. */
	mark(): number {
		return this.pendingBase + this.pending.length;
	}

	/**
	 * Appends the records put before the call (or before `mark()` gave `upTo`), one line each; their rows then point
	 * into the file. One flush at a time: what a flush writes is fixed when it is called, not when its turn comes (a
	 * record put meanwhile waits for the next flush), so that a caller that writes another file first (the load
	 * manifest) knows which records follow it.
	 */
	flush(upTo: number = this.mark()): Promise<void> {
		const run = this.flushing.then(() => this.write(upTo - this.pendingBase));
		this.flushing = run.catch(() => undefined);
		return run;
	}

	private async write(count: number): Promise<void> {
		if (count <= 0) return;
		const batch = this.pending.slice(0, count);
		try {
			if (this.end === null) this.end = (await this.store.stat(this.file))?.size ?? 0;
			if (this.cutOff) {
				await appendLinesQueued(this.store, this.file, [""]);
				this.cutOff = false;
				this.end += 1;
			}
			const lines = batch.map((p) => JSON.stringify(p.record));
			const lengths = lines.map(utf8Bytes);
			await appendLinesQueued(this.store, this.file, lines);
			let at = this.end;
			batch.forEach((p, i) => {
				const was = -1 - (this.pendingBase + i);
				if (this.keys.at[p.key] === was) {
					this.keys.at[p.key] = at;
					this.keys.len[p.key] = lengths[i]!;
				}
				const seconds = this.seconds;
				if (seconds && p.second >= 0 && seconds.at[p.second] === was) {
					seconds.at[p.second] = at;
					seconds.len[p.second] = lengths[i]!;
				}
				at += lengths[i]! + 1;
			});
			this.end = at;
			this.pending = this.pending.slice(count);
			this.pendingBase += count;
		} catch (e) {
			// Part of the batch may be in the file: its end is asked again, and the batch stays pending (written
			// again by the next flush: a line twice is harmless, the latest wins).
			this.end = null;
			this.cutOff = await endsCutOff(this.store, this.file).catch(() => true);
			throw e;
		}
	}

	/** How the file's lines are read back: the schema, and its faster check when there is one. */
	private readOptions(): ReadJsonlOptions<T> {
		return { schema: this.options.schema, ...(this.options.check ? { check: this.options.check } : {}) };
	}

	/** A record by where its line is (a pending one by its number), parsed and checked; null when it cannot be read. */
	private async recordAt(at: number, len: number): Promise<T | null> {
		if (at < 0) return this.pending[-1 - at - this.pendingBase]?.record ?? null;
		const cached = this.parsed.get(at);
		if (cached !== undefined) return cached;
		const bytes = await this.bytesAt(at, len);
		let record: T | null = null;
		try {
			const value: unknown = JSON.parse(this.decoder.decode(bytes));
			record = this.options.check?.(value) ?? null;
			if (record === null) {
				const parsed = this.options.schema.safeParse(value);
				if (parsed.success) record = parsed.data;
			}
		} catch {
			record = null;
		}
		if (record !== null) {
			if (this.parsed.size >= PARSED) this.parsed.delete(this.parsed.keys().next().value!);
			this.parsed.set(at, record);
		}
		return record;
	}

	/** `len` bytes of the file from `at`, from a window kept or a new one read there. */
	private async bytesAt(at: number, len: number): Promise<Uint8Array> {
		for (let i = this.windows.length - 1; i >= 0; i--) {
			const w = this.windows[i]!;
			if (at >= w.at && at + len <= w.at + w.bytes.length) {
				if (i !== this.windows.length - 1) this.windows.push(...this.windows.splice(i, 1));
				return w.bytes.subarray(at - w.at, at - w.at + len);
			}
		}
		const bytes = await this.store.readRange(this.file, at, Math.max(len, WINDOW_BYTES));
		if (bytes.length < len) return bytes;
		this.windows.push({ at, bytes });
		if (this.windows.length > WINDOWS) this.windows.shift();
		return bytes.subarray(0, len);
	}

	/** The second lookup, built from the file (and the records not written yet). */
	private async readSeconds(): Promise<HashRows> {
		const of = this.options.second!.of;
		const seconds = new HashRows(true);
		const end = this.end;
		await forEachJsonl(this.store, this.file, this.readOptions(), (record, line) => {
			if (end !== null && line.offset >= end) return;
			const [a, b] = hashes(of(record));
			seconds.set(a, b, line.offset, line.bytes);
		});
		this.pending.forEach((p, i) => {
			const [a, b] = hashes(of(p.record));
			p.second = seconds.set(a, b, -1 - (this.pendingBase + i), 0);
		});
		return seconds;
	}

	/**
	 * The slow way, for what the hashes could not settle (two keys with one 64-bit hash, or a file changed behind
	 * our back): the latest record that `match` accepts, in the file and then among the records not written yet.
	 */
	private async scanFor(match: (r: T) => boolean): Promise<T | null> {
		let found: T | null = null;
		await forEachJsonl(this.store, this.file, this.readOptions(), (record) => {
			if (match(record)) found = record;
		});
		for (const p of this.pending) if (match(p.record)) found = p.record;
		return found;
	}
}
