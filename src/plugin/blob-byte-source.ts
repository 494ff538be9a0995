import type { ByteSource } from "../core/app/types";
import { filePathOf } from "./desktop-files";

/**
 * Bytes read at once when the reads go on from where the last one ended (a document read front to back): the
 * reader asks for 1 MiB at a time, and each `blob.slice(...).arrayBuffer()` is a round trip to the browser's blob
 * store with a cost of its own, whatever its length (in the reader's worker, 7 % of its samples at 10,000
 * conversations: issue 17). Four of them in one read; the reads that follow are views of it.
 */
export const READ_AHEAD_BYTES = 4 * 1024 * 1024;

/**
 * A ByteSource over a browser Blob or File (what the import modal's file input and drop zone give): ranges are
 * read with `blob.slice(...).arrayBuffer()`, so a multi-gigabyte export is never loaded whole. Sequential reads are
 * served from one window of READ_AHEAD_BYTES read ahead (held until the reads move past it); any other read reads
 * only its range.
 */
export class BlobByteSource implements ByteSource {
	readonly name: string;
	readonly size: number;
	/** The file's path on disk (desktop), recorded so a resume after a restart can open it again. */
	readonly path?: string;
	/** The window read ahead: its range, and its bytes (once read). A new one is made for each; none is reused. */
	private window: { start: number; end: number; bytes: Promise<Uint8Array> } | null = null;
	/** Where the last read ended (a read from here is sequential). */
	private lastEnd = -1;

	constructor(
		readonly blob: Blob,
		name?: string,
	) {
		this.name = name ?? (blob instanceof File ? blob.name : "input");
		this.size = blob.size;
		const path = filePathOf(blob);
		if (path !== undefined) this.path = path;
	}

	async read(offset: number, length: number): Promise<Uint8Array> {
		if (!Number.isInteger(offset) || offset < 0) throw new RangeError(`${this.name}: bad read offset ${offset}`);
		if (!Number.isInteger(length) || length < 0) throw new RangeError(`${this.name}: bad read length ${length}`);
		if (offset >= this.size || length === 0) return new Uint8Array(0);
		const end = Math.min(this.size, offset + length);
		const sequential = offset === this.lastEnd;
		this.lastEnd = end;
		let w = this.window;
		if (!w || offset < w.start || end > w.end) {
			if (!sequential || length >= READ_AHEAD_BYTES) return this.slice(offset, end);
			const windowEnd = Math.min(this.size, offset + READ_AHEAD_BYTES);
			w = this.window = { start: offset, end: windowEnd, bytes: this.slice(offset, windowEnd) };
			// A failed read is not kept: the next read tries again.
			const failed = w;
			w.bytes.catch(() => {
				if (this.window === failed) this.window = null;
			});
		}
		const bytes = await w.bytes;
		// A view (callers do not keep it; and a window is never written again, so one kept stays right).
		return bytes.subarray(offset - w.start, end - w.start);
	}

	private async slice(start: number, end: number): Promise<Uint8Array> {
		return new Uint8Array(await this.blob.slice(start, end).arrayBuffer());
	}
}
