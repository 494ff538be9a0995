import type * as z from "../model/zod";
import type { StagingStore } from "../ports/staging-store";
import { yieldWhenSliceOverOnUi } from "../util/timers";

/** Bytes read per ranged read while catching up (a long log is read in slices, never as one string). */
const SLICE_BYTES = 4 * 1024 * 1024;
/** The first bytes of the file, kept to tell the same file grown from one replaced by another. */
const HEAD_BYTES = 256;

export interface FollowResult<T> {
	/** Records appended since the last read (or all of them after a reset). */
	records: T[];
	/** True when the file was truncated or replaced: earlier records no longer hold, and `records` start afresh. */
	reset: boolean;
}

/**
 * Follows an append-only JSONL file (a session's pipeline_stages.jsonl) from where the last read stopped: each
 * `read()` asks the store for the bytes appended since, through the port's ranged read, and parses only those.
 * A last line without its newline (a write in progress) is kept back until it is whole. A file that got shorter,
 * or whose first bytes changed (deleted and written anew), is read again from the start, and the caller is told
 * (`reset`). Lines that are not JSON or fail the schema are skipped (counted in `skipped`).
 */
export class JsonlFollower<T> {
	private offset = 0;
	private head: Uint8Array | null = null;
	/** Bytes of a line not ended yet (at most one line). */
	private partial: Uint8Array = new Uint8Array(0);
	private readonly decoder = new TextDecoder();
	skipped = 0;

	constructor(
		private readonly store: StagingStore,
		readonly path: string,
		private readonly schema?: z.ZodMiniType<T>,
	) {}

	/** Bytes consumed so far (whole lines; a partial last line is not counted). */
	get position(): number {
		return this.offset - this.partial.length;
	}

	/** The read going on (reads run one after another: each goes on from where the one before stopped). */
	private reading: Promise<unknown> = Promise.resolve();

	read(): Promise<FollowResult<T>> {
		const next = this.reading.then(
			() => this.readNow(),
			() => this.readNow(),
		);
		this.reading = next;
		return next;
	}

	private async readNow(): Promise<FollowResult<T>> {
		const stat = await this.store.stat(this.path);
		if (!stat) {
			const reset = this.offset > 0;
			this.restart();
			return { records: [], reset };
		}
		let reset = false;
		if (stat.size < this.offset || !(await this.sameHead(stat.size))) {
			this.restart();
			reset = true;
		}
		const records: T[] = [];
		while (this.offset < stat.size) {
			const bytes = await this.store.readRange(this.path, this.offset, Math.min(SLICE_BYTES, stat.size - this.offset));
			if (bytes.length === 0) break;
			if (this.head === null || this.head.length < HEAD_BYTES) this.keepHead(bytes);
			this.offset += bytes.length;
			await this.take(bytes, records);
		}
		return { records, reset };
	}

	private restart(): void {
		this.offset = 0;
		this.head = null;
		this.partial = new Uint8Array(0);
	}

	/** Whether the file still begins as it did (a replaced file of the same or greater size is read afresh). */
	private async sameHead(size: number): Promise<boolean> {
		if (this.head === null || this.head.length === 0) return true;
		if (size < this.head.length) return false;
		const now = await this.store.readRange(this.path, 0, this.head.length);
		if (now.length !== this.head.length) return false;
		for (let i = 0; i < now.length; i++) if (now[i] !== this.head[i]) return false;
		return true;
	}

	private keepHead(bytes: Uint8Array): void {
		const have = this.head ?? new Uint8Array(0);
		if (this.offset !== have.length) return; // only bytes from the file's start
		const more = bytes.subarray(0, HEAD_BYTES - have.length);
		const joined = new Uint8Array(have.length + more.length);
		joined.set(have);
		joined.set(more, have.length);
		this.head = joined;
	}

	/**
	 * Splits at newlines (byte 0x0a never occurs inside a UTF-8 sequence), keeping the unended rest back. The whole
	 * lines are decoded in one call and split as text: one decode per line was ~30,000 calls during a 10,000-item
	 * import with the panel open, ~0.4 s of Obsidian's UI thread in the browser profile (issue 17). On a UI thread
	 * the lines are parsed in slices of the shared 10 ms budget: a refresh that catches up with thousands of records
	 * (a reload during an import) was one task of several hundred ms.
	 */
	private async take(bytes: Uint8Array, out: T[]): Promise<void> {
		let buffer = bytes;
		if (this.partial.length > 0) {
			buffer = new Uint8Array(this.partial.length + bytes.length);
			buffer.set(this.partial);
			buffer.set(bytes, this.partial.length);
		}
		const end = buffer.lastIndexOf(0x0a);
		this.partial = buffer.slice(end + 1);
		if (end < 0) return;
		let taken = 0;
		for (const text of this.decoder.decode(buffer.subarray(0, end)).split("\n")) {
			this.line(text, out);
			if (++taken % 32 === 0) await yieldWhenSliceOverOnUi(10);
		}
	}

	private line(raw: string, out: T[]): void {
		const text = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
		if (text.trim() === "") return;
		let value: unknown;
		try {
			value = JSON.parse(text);
		} catch {
			this.skipped++;
			return;
		}
		if (!this.schema) {
			out.push(value as T);
			return;
		}
		const parsed = this.schema.safeParse(value);
		if (parsed.success) out.push(parsed.data);
		else this.skipped++;
	}
}
