// The reader-only entry of zip.js: ZipReader with inflate through the platform's DecompressionStream (Electron and
// Node >= 20.12 both have "deflate-raw"). The package root also bundles the writer and an inline zlib fallback:
// 62 KB here against 167 KB minified.
import { ERR_UNSAFE_FILENAME, ZipReader, type Entry, type FileEntry } from "@zip.js/zip.js/lib/zip-core-reader.js";
import type { ByteSource } from "../../ports/byte-source";
import { InputError } from "./errors";

/**
 * Zip reading over a {@link ByteSource}: zip.js asks for byte ranges (central directory first, then
 * one entry's compressed bytes at a time), so the archive is never loaded whole.
 */

/**
 * A zip.js reader over a ByteSource. zip.js takes any object with `size` and `readUint8Array` (the central directory
 * is read through it) and `createReadable` (an entry's bytes); zip.js's own Reader class is not in the reader-only entry.
 */
class ByteSourceReader {
	readonly size: number;
	initialized = true;

	constructor(private readonly source: ByteSource) {
		this.size = source.size;
	}

	init(): Promise<void> {
		return Promise.resolve();
	}

	readUint8Array(index: number, length: number): Promise<Uint8Array> {
		return this.source.read(index, length);
	}

	get readable(): ReadableStream<Uint8Array> {
		return this.createReadable();
	}

	/** The bytes from `offset` (`size` of them, or to the end) as a stream of ranges, as zip.js's own Reader does (same default chunk). */
	createReadable({ offset = 0, size = this.size - offset, chunkSize = 256 * 1024 }: { offset?: number; size?: number; chunkSize?: number } = {}): ReadableStream<Uint8Array> {
		let read = 0;
		return new ReadableStream<Uint8Array>({
			pull: async (controller) => {
				const want = Math.min(chunkSize, size - read);
				const data = want > 0 ? await this.source.read(offset + read, want) : new Uint8Array(0);
				read += data.length;
				if (data.length) controller.enqueue(data);
				if (read >= size || data.length === 0) controller.close();
			},
		});
	}
}

const ZIP_OPTIONS = { useWebWorkers: false } as const;

/** The local-file-header and empty-archive signatures: "PK\x03\x04", "PK\x05\x06". */
export function looksLikeZip(head: Uint8Array): boolean {
	return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6));
}

/** True when an entry path would escape the folder it is extracted into (`../`, absolute, drive letter). */
export function entryPathEscapes(path: string): boolean {
	const p = path.replace(/\\/g, "/");
	if (p.startsWith("/") || /^[A-Za-z]:/.test(p)) return true;
	return p.split("/").some((segment) => segment === "..");
}

function escapeMessage(path: string): string {
	return `zip entry "${path}" has a path that escapes the archive (absolute or with ".."); refusing the whole archive`;
}

export interface ZipFile {
	/** The entry path as stored (forward slashes). */
	path: string;
	size: number;
	entry: FileEntry;
}

export class ZipArchive {
	private constructor(
		readonly source: ByteSource,
		private readonly reader: ZipReader<ByteSource>,
		readonly files: ZipFile[],
	) {}

	/** Reads the central directory. Throws InputError when the source is not a readable zip or an entry escapes. */
	static async open(source: ByteSource): Promise<ZipArchive> {
		const head = await source.read(0, 4);
		if (!looksLikeZip(head)) throw new InputError(source.name, "not a zip archive (it does not start with a zip signature)");
		const reader = new ZipReader(new ByteSourceReader(source), ZIP_OPTIONS);
		let entries: Entry[];
		try {
			entries = await reader.getEntries();
		} catch (e) {
			// zip.js refuses unsafe names itself (ERR_UNSAFE_FILENAME, with the name on the error).
			const unsafe = (e as { filename?: unknown } | null)?.filename;
			if (e instanceof Error && e.message === ERR_UNSAFE_FILENAME && typeof unsafe === "string") {
				throw new InputError(source.name, escapeMessage(unsafe), { cause: e });
			}
			throw new InputError(source.name, `not a readable zip archive: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
		}
		const files: ZipFile[] = [];
		for (const entry of entries) {
			if (entryPathEscapes(entry.filename)) {
				throw new InputError(source.name, escapeMessage(entry.filename));
			}
			if (entry.directory) continue;
			files.push({ path: entry.filename.replace(/\\/g, "/"), size: entry.uncompressedSize ?? 0, entry });
		}
		return new ZipArchive(source, reader, files);
	}

	/** Streams the decompressed bytes of one entry. */
	async *chunks(file: ZipFile): AsyncGenerator<Uint8Array, void, undefined> {
		if (file.entry.encrypted) throw new InputError(`${this.source.name}:${file.path}`, "the zip entry is encrypted");
		const pipe = new TransformStream<Uint8Array, Uint8Array>();
		let failure: unknown = null;
		const done = file.entry.getData(pipe.writable, ZIP_OPTIONS).then(
			() => undefined,
			(e: unknown) => {
				failure = e;
			},
		);
		const reader = pipe.readable.getReader();
		let finished = false;
		try {
			for (;;) {
				let step: ReadableStreamReadResult<Uint8Array>;
				try {
					step = await reader.read();
				} catch (e) {
					await done;
					throw this.entryError(file, failure ?? e);
				}
				if (step.done) break;
				yield step.value;
			}
			await done;
			if (failure !== null) throw this.entryError(file, failure);
			finished = true;
		} finally {
			if (!finished) {
				await reader.cancel().catch(() => undefined);
				await done;
			}
			reader.releaseLock();
		}
	}

	private entryError(file: ZipFile, e: unknown): InputError {
		return new InputError(`${this.source.name}:${file.path}`, `the zip entry cannot be read: ${e instanceof Error ? e.message : String(e)}`, {
			cause: e,
		});
	}

	async close(): Promise<void> {
		await this.reader.close();
	}
}

const CONVERSATIONS_FILE = /^conversations(?:-(\d+))?\.json$/i;

/**
 * The conversation files of an export zip: `conversations.json` and/or split `conversations-NNN.json`
 * (numeric order), at the root or in one top-level folder. Sidecar files (users.json, projects.json,
 * memories.json, attachments) are ignored.
 */
export function findConversationFiles(files: readonly ZipFile[]): ZipFile[] {
	const found: { file: ZipFile; folder: string; part: number }[] = [];
	for (const file of files) {
		const segments = file.path.split("/").filter((s) => s !== "");
		if (segments.length > 2) continue;
		if (segments[0] === "__MACOSX") continue;
		const base = segments[segments.length - 1] ?? "";
		const m = CONVERSATIONS_FILE.exec(base);
		if (!m) continue;
		found.push({ file, folder: segments.length === 2 ? (segments[0] ?? "") : "", part: m[1] === undefined ? -1 : Number(m[1]) });
	}
	// Root files first; then each top-level folder by name; within a folder the unsplit file, then parts in numeric order.
	found.sort((a, b) => (a.folder === b.folder ? a.part - b.part : a.folder === "" ? -1 : b.folder === "" ? 1 : a.folder < b.folder ? -1 : 1));
	const rootOnly = found.some((f) => f.folder === "");
	return found.filter((f) => !rootOnly || f.folder === "").map((f) => f.file);
}

/** What reading one entry's bytes later needs, without keeping zip.js's entry object (see readZipEntry). */
export interface ZipEntryLocation {
	/** The entry path as stored (forward slashes). */
	path: string;
	/** Offset of its local file header. */
	offset: number;
	compressedSize: number;
	size: number;
	/** 0 stored, 8 deflate; others are not read. */
	method: number;
	encrypted: boolean;
	/** The CRC-32 the directory records for the uncompressed bytes (null: none given, not checked). */
	crc32: number | null;
}

/**
 * Walks a zip's central directory one entry at a time, giving each file entry's location: a caller keeps only the
 * entries it wants, so a zip of 30,000 uploads is never 30,000 zip.js objects at once. Throws InputError like
 * ZipArchive.open for a source that is not a readable zip or an entry that escapes.
 */
export async function forEachZipEntry(source: ByteSource, visit: (entry: ZipEntryLocation) => void): Promise<void> {
	const head = await source.read(0, 4);
	if (!looksLikeZip(head)) throw new InputError(source.name, "not a zip archive (it does not start with a zip signature)");
	const reader = new ZipReader(new ByteSourceReader(source), ZIP_OPTIONS);
	try {
		for await (const entry of reader.getEntriesGenerator()) {
			if (entryPathEscapes(entry.filename)) throw new InputError(source.name, escapeMessage(entry.filename));
			if (entry.directory) continue;
			visit({
				path: entry.filename.replace(/\\/g, "/"),
				offset: entry.offset,
				compressedSize: entry.compressedSize,
				size: entry.uncompressedSize,
				method: entry.compressionMethod,
				encrypted: entry.encrypted,
				crc32: entry.crc32 === undefined ? null : entry.crc32 >>> 0,
			});
		}
	} catch (e) {
		if (e instanceof InputError) throw e;
		throw new InputError(source.name, `not a readable zip archive: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
	} finally {
		await reader.close();
	}
}

/**
 * The whole uncompressed bytes of one entry, read from its local header on: stored, or deflated (through the
 * platform's DecompressionStream, present in Node and Obsidian). Throws InputError naming the entry when it cannot
 * be read or its size is not the one the directory gives.
 */
export async function readZipEntry(source: ByteSource, entry: ZipEntryLocation): Promise<Uint8Array> {
	const where = `${source.name}:${entry.path}`;
	if (entry.encrypted) throw new InputError(where, "the zip entry is encrypted");
	if (entry.method !== 0 && entry.method !== 8) throw new InputError(where, `the zip entry uses compression method ${entry.method}, which cannot be read`);
	const header = await source.read(entry.offset, 30);
	const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
	if (header.length < 30 || view.getUint32(0, true) !== 0x04034b50) throw new InputError(where, "the zip entry's local header is missing or damaged");
	const start = entry.offset + 30 + view.getUint16(26, true) + view.getUint16(28, true);
	const compressed = new Uint8Array(entry.compressedSize);
	for (let got = 0; got < compressed.length; ) {
		const chunk = await source.read(start + got, Math.min(compressed.length - got, 1024 * 1024));
		if (chunk.length === 0) throw new InputError(where, "the zip ends inside this entry (a cut-off download?)");
		compressed.set(chunk, got);
		got += chunk.length;
	}
	let bytes: Uint8Array;
	if (entry.method === 0) bytes = compressed;
	else {
		try {
			bytes = await inflateRaw(compressed, entry.size);
		} catch (e) {
			throw new InputError(where, `the zip entry cannot be decompressed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
		}
	}
	if (bytes.length !== entry.size) throw new InputError(where, `the zip entry holds ${bytes.length} bytes, but the zip's directory says ${entry.size}`);
	if (entry.crc32 !== null && crc32(bytes) !== entry.crc32) throw new InputError(where, "the zip entry is damaged (its CRC-32 does not match)");
	return bytes;
}

/**
 * Raw deflate → bytes, through the platform's DecompressionStream. More bytes than `expected` (the directory's size)
 * is an error at once: a lying entry cannot make it inflate without bound.
 */
async function inflateRaw(compressed: Uint8Array, expected: number): Promise<Uint8Array> {
	const stream = new DecompressionStream("deflate-raw");
	const writer = stream.writable.getWriter();
	const written = writer.write(compressed as Uint8Array<ArrayBuffer>).then(() => writer.close());
	written.catch(() => undefined); // the reader below sees the same failure
	const reader = stream.readable.getReader();
	const out = new Uint8Array(expected);
	let length = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		if (length + value.length > out.length) {
			await reader.cancel().catch(() => undefined);
			throw new Error(`it inflates to more than the ${expected} bytes the zip's directory says`);
		}
		out.set(value, length);
		length += value.length;
	}
	await written;
	return length === out.length ? out : out.slice(0, length);
}

let CRC_TABLE: Uint32Array | null = null;

/** CRC-32 (IEEE, as zip uses). */
export function crc32(bytes: Uint8Array): number {
	if (!CRC_TABLE) {
		CRC_TABLE = new Uint32Array(256);
		for (let n = 0; n < 256; n++) {
			let c = n;
			for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
			CRC_TABLE[n] = c >>> 0;
		}
	}
	const table = CRC_TABLE;
	let crc = 0xffffffff;
	for (let i = 0; i < bytes.length; i++) crc = table[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
	return (crc ^ 0xffffffff) >>> 0;
}
