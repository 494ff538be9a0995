import type { ByteSource } from "../core/app/types";
import { filePathOf } from "./desktop-files";

/**
 * A ByteSource over a browser Blob or File (what the import modal's file input and drop zone give): ranges are
 * read with `blob.slice(...).arrayBuffer()`, so a multi-gigabyte export is never loaded whole.
 */
export class BlobByteSource implements ByteSource {
	readonly name: string;
	readonly size: number;
	/** The file's path on disk (desktop), recorded so a resume after a restart can open it again. */
	readonly path?: string;

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
		return new Uint8Array(await this.blob.slice(offset, end).arrayBuffer());
	}
}
