import { createHash } from "node:crypto";
import { open, type FileHandle } from "node:fs/promises";
import { basename } from "node:path";
import { crc32 } from "node:zlib";
import type { ByteSource } from "../core/app/types";
import { InputError } from "../core/app/errors";

const HASH_CHUNK = 1024 * 1024;

/**
 * A {@link ByteSource} over a Node file handle: random-access reads with `FileHandle.read`, so a
 * multi-gigabyte export is never loaded whole. Open with {@link NodeByteSource.open}, then `close()`.
 * With `keepOpen: false` the file is opened for each read and closed after it: for a folder of thousands of
 * small session logs, which would otherwise hold a descriptor each for the whole run (past the usual limit of 1024).
 */
export class NodeByteSource implements ByteSource {
	private closed = false;

	private constructor(
		readonly name: string,
		readonly path: string,
		readonly size: number,
		private handle: FileHandle | null,
	) {}

	/** Opens a file for reading. `name` defaults to the path as given. Throws InputError when it cannot be read. */
	static async open(path: string, name: string = path, opts: { keepOpen?: boolean } = {}): Promise<NodeByteSource> {
		let handle: FileHandle;
		try {
			handle = await open(path, "r");
		} catch (e) {
			throw new InputError(name, describeFsError(e));
		}
		try {
			const stat = await handle.stat();
			if (!stat.isFile()) throw new InputError(name, "not a regular file");
			if (opts.keepOpen === false) {
				await handle.close();
				return new NodeByteSource(name, path, stat.size, null);
			}
			return new NodeByteSource(name, path, stat.size, handle);
		} catch (e) {
			await handle.close();
			if (e instanceof InputError) throw e;
			throw new InputError(name, describeFsError(e));
		}
	}

	async read(offset: number, length: number): Promise<Uint8Array> {
		if (this.closed) throw new Error(`${this.name}: read after close`);
		const want = Math.max(0, Math.min(length, this.size - offset));
		if (want === 0) return new Uint8Array(0);
		// A Buffer (a Uint8Array), not a plain Uint8Array: the JSON splitter's indexOf on a Buffer is a native byte
		// search, about twice as fast as the generic TypedArray one on an export's long strings.
		return this.readInto(Buffer.allocUnsafe(want), offset, want);
	}

	/** Two Buffers of `chunkSize` read into in turn (see ByteSource.sequential): no allocation per chunk. */
	sequential(chunkSize: number): (offset: number, length: number) => Promise<Uint8Array> {
		// Each made at its first read: a document of one chunk needs one.
		const buffers: Buffer[] = [];
		let turn = 0;
		return (offset, length) => {
			if (this.closed) return Promise.reject(new Error(`${this.name}: read after close`));
			const want = Math.max(0, Math.min(length, chunkSize, this.size - offset));
			if (want === 0) return Promise.resolve(new Uint8Array(0));
			const buffer = (buffers[turn] ??= Buffer.allocUnsafe(chunkSize));
			turn ^= 1;
			return this.readInto(buffer, offset, want);
		};
	}

	/** Reads `want` bytes at `offset` into the start of `buffer` (fewer at the end of the file). */
	private async readInto(buffer: Buffer, offset: number, want: number): Promise<Buffer> {
		const handle = this.handle ?? (await open(this.path, "r"));
		let got = 0;
		try {
			while (got < want) {
				const { bytesRead } = await handle.read(buffer, got, want - got, offset + got);
				if (bytesRead === 0) break;
				got += bytesRead;
			}
		} finally {
			if (handle !== this.handle) await handle.close();
		}
		return got === buffer.length ? buffer : buffer.subarray(0, got);
	}

	/**
	 * SHA-256 of the file's `size` bytes in one pass (node:crypto), read as every front-to-back pass is (`sequential`:
	 * reused buffers, no allocation per chunk; a read stream's fresh buffer per chunk cost about twice the CPU of the
	 * hash itself, 0.4 s for a 229 MB export). The bytes hashed are the bytes the import reads: a file that grew since
	 * it was opened is hashed to the size it had then.
	 */
	async sha256(): Promise<string> {
		const hash = createHash("sha256");
		await this.eachChunk((chunk) => hash.update(chunk));
		return hash.digest("hex");
	}

	/**
	 * CRC-32 of the file's `size` bytes in one pass, read as sha256() reads (zlib's, ~4.7 GB/s here against SHA-256's
	 * ~1.75 with the CPU's SHA instructions: a session's manifest records it, see input-manifest.ts).
	 */
	async crc32(): Promise<string> {
		let crc = 0;
		await this.eachChunk((chunk) => {
			crc = crc32(chunk, crc);
		});
		return crc.toString(16).padStart(8, "0");
	}

	/** Every byte up to `size` once, front to back, in reused buffers (see sequential). */
	private async eachChunk(take: (chunk: Uint8Array) => void): Promise<void> {
		const read = this.sequential(HASH_CHUNK);
		for (let offset = 0; offset < this.size;) {
			const chunk = await read(offset, HASH_CHUNK);
			if (chunk.length === 0) break; // the file shrank: what there is
			take(chunk);
			offset += chunk.length;
		}
	}

	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		await this.handle?.close();
		this.handle = null;
	}

	/** The file name without folders (for messages that should stay short). */
	get baseName(): string {
		return basename(this.path);
	}
}

export function describeFsError(e: unknown): string {
	const code = (e as { code?: unknown } | null)?.code;
	if (code === "ENOENT") return "not found";
	if (code === "EACCES" || code === "EPERM") return "permission denied";
	if (code === "EISDIR") return "is a folder, not a file";
	return `cannot be read: ${e instanceof Error ? e.message : String(e)}`;
}
