import type { ByteSource } from "../../ports/byte-source";
import { InputError } from "./errors";

/**
 * Zip reading over a {@link ByteSource}, our own (the format's APPNOTE: end of central directory, its zip64 form,
 * central headers, local headers): the central directory is read in chunks, then one entry's compressed bytes at a
 * time, so the archive is never loaded whole. Deflate goes through the platform's DecompressionStream
 * ("deflate-raw": Electron, browsers, Node >= 20.12). Why not zip.js: its reader-only entry was 64 KB of the plugin's
 * main.js (the writer, encryption and web-worker codecs came along), and all an export needs is this.
 */

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

/** What reading one entry's bytes needs (no more than these few fields is kept per entry). */
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

export interface ZipFile {
	/** The entry path as stored (forward slashes). */
	path: string;
	size: number;
	entry: ZipEntryLocation;
}

/** A zip's structure is wrong (the caller names the file). */
class ZipFormatError extends Error {}

const u16 = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8);
const u32 = (b: Uint8Array, at: number): number => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
/** A little-endian 64-bit size or offset (exact up to 2^53, far past any export). */
const u64 = (b: Uint8Array, at: number): number => u32(b, at) + u32(b, at + 4) * 2 ** 32;

async function readExactly(source: ByteSource, offset: number, length: number): Promise<Uint8Array> {
	const out = new Uint8Array(length);
	for (let got = 0; got < length;) {
		const chunk = await source.read(offset + got, Math.min(length - got, 1024 * 1024));
		if (chunk.length === 0) throw new ZipFormatError("the zip ends early (a cut-off download?)");
		out.set(chunk, got);
		got += chunk.length;
	}
	return out;
}

/** Where the central directory is and how many entries it holds, from the end-of-central-directory record (zip64 too). */
async function findCentralDirectory(source: ByteSource): Promise<{ offset: number; size: number; entries: number }> {
	const tailLength = Math.min(source.size, 22 + 0xffff);
	const tailStart = source.size - tailLength;
	const tail = await readExactly(source, tailStart, tailLength);
	let at = -1;
	for (let i = tail.length - 22; i >= 0; i--) {
		if (tail[i] === 0x50 && tail[i + 1] === 0x4b && tail[i + 2] === 5 && tail[i + 3] === 6) {
			at = i;
			break;
		}
	}
	if (at < 0) throw new ZipFormatError("end of central directory not found");
	let entries = u16(tail, at + 10);
	let size = u32(tail, at + 12);
	let offset = u32(tail, at + 16);
	if (entries === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
		// Zip64: a locator just before the record points at the zip64 end-of-central-directory record.
		const locatorAt = tailStart + at - 20;
		if (locatorAt < 0) throw new ZipFormatError("zip64 end of central directory locator not found");
		const locator = await readExactly(source, locatorAt, 20);
		if (u32(locator, 0) !== 0x07064b50) throw new ZipFormatError("zip64 end of central directory locator not found");
		const record = await readExactly(source, u64(locator, 8), 56);
		if (u32(record, 0) !== 0x06064b50) throw new ZipFormatError("zip64 end of central directory not found");
		entries = u64(record, 32);
		size = u64(record, 40);
		offset = u64(record, 48);
	}
	if (offset + size > source.size) throw new ZipFormatError("the central directory lies past the end of the file (a cut-off download?)");
	return { offset, size, entries };
}

/** Code page 437 (the names of entries not flagged UTF-8), from 0x80 on; below, ASCII. */
const CP437 =
	"ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0";

function decodeName(bytes: Uint8Array, utf8: boolean): string {
	if (utf8) return new TextDecoder().decode(bytes);
	let out = "";
	for (const b of bytes) out += b < 0x80 ? String.fromCharCode(b) : CP437[b - 0x80]!;
	return out;
}

/** One central directory record, parsed from `buffer` at `i` (the caller made all of its `total` bytes available). */
function parseCentralRecord(buffer: Uint8Array, i: number): ZipEntryLocation {
	if (u32(buffer, i) !== 0x02014b50) throw new ZipFormatError("a central directory entry is damaged (bad signature)");
	const flags = u16(buffer, i + 8);
	const method = u16(buffer, i + 10);
	const crc = u32(buffer, i + 16);
	let compressedSize = u32(buffer, i + 20);
	let size = u32(buffer, i + 24);
	const nameLength = u16(buffer, i + 28);
	const extraLength = u16(buffer, i + 30);
	let offset = u32(buffer, i + 42);
	let name = decodeName(buffer.subarray(i + 46, i + 46 + nameLength), (flags & 0x800) !== 0);
	for (let x = i + 46 + nameLength; x + 4 <= i + 46 + nameLength + extraLength;) {
		const id = u16(buffer, x);
		const length = u16(buffer, x + 2);
		const data = x + 4;
		if (id === 0x0001) {
			// Zip64 extended information: the 64-bit values of the fields set to 0xffffffff, in this order.
			let f = data;
			const next = (): number | null => (f + 8 <= data + length ? u64(buffer, (f += 8) - 8) : null);
			if (size === 0xffffffff) size = next() ?? size;
			if (compressedSize === 0xffffffff) compressedSize = next() ?? compressedSize;
			if (offset === 0xffffffff) offset = next() ?? offset;
		} else if (id === 0x7075 && (flags & 0x800) === 0 && length > 5 && buffer[data] === 1) {
			// Info-ZIP Unicode path: the UTF-8 name, when made from the same raw name.
			if (u32(buffer, data + 1) === crc32(buffer.subarray(i + 46, i + 46 + nameLength)))
				name = new TextDecoder().decode(buffer.subarray(data + 5, data + length));
		}
		x = data + length;
	}
	return {
		path: name.replace(/\\/g, "/"),
		offset,
		compressedSize,
		size,
		method,
		encrypted: (flags & 1) !== 0,
		crc32: crc,
	};
}

/** A folder, not a file: its name ends with a slash (either way) or its DOS attributes say so. */
const isFolderRecord = (buffer: Uint8Array, i: number, entry: ZipEntryLocation): boolean =>
	entry.path.endsWith("/") || (u32(buffer, i + 38) & 0x10) !== 0;

/** The length of the central directory record at `i`: its fixed 46 bytes, name, extra field and comment. */
const centralRecordLength = (buffer: Uint8Array, i: number): number => 46 + u16(buffer, i + 28) + u16(buffer, i + 30) + u16(buffer, i + 32);

/**
 * Calls `visit` for every entry of the central directory, in order, with `record`: where its central directory record
 * starts (readZipEntryRecord reads it again from there). The directory is read in chunks of about a megabyte and
 * walked without a promise per entry (an async generator cost more than the parsing: 100,000 entries, ~0.4 s).
 */
async function walkCentralDirectory(
	source: ByteSource,
	visit: (entry: ZipEntryLocation, folder: boolean, record: number) => void,
): Promise<void> {
	const cd = await findCentralDirectory(source);
	const end = cd.offset + cd.size;
	let buffer: Uint8Array = new Uint8Array(0);
	let bufferAt = cd.offset;
	const inBuffer = (at: number, length: number): boolean => at >= bufferAt && at + length <= bufferAt + buffer.length;
	/** Makes `[at, at + length)` of the file available in `buffer`; false past the directory's end. */
	const refill = async (at: number, length: number): Promise<boolean> => {
		if (at + length > end) return false;
		buffer = await readExactly(source, at, Math.min(end - at, Math.max(length, 1024 * 1024)));
		bufferAt = at;
		return true;
	};
	let at = cd.offset;
	for (let n = 0; n < cd.entries; n++) {
		if (!inBuffer(at, 46) && !(await refill(at, 46))) throw new ZipFormatError("the central directory ends before its last entry");
		if (u32(buffer, at - bufferAt) !== 0x02014b50) throw new ZipFormatError("a central directory entry is damaged (bad signature)");
		const total = centralRecordLength(buffer, at - bufferAt);
		if (!inBuffer(at, total) && !(await refill(at, total))) throw new ZipFormatError("the central directory ends inside an entry");
		const entry = parseCentralRecord(buffer, at - bufferAt);
		visit(entry, isFolderRecord(buffer, at - bufferAt, entry), at);
		at += total;
	}
}

/**
 * The entry whose central directory record starts at `record` (as forEachZipEntry gave it), read again from the
 * source: what lets a caller keep 8 bytes for an entry it may need later instead of its path and location. Throws
 * InputError naming the file when no file entry's record is there (the file changed since).
 */
export async function readZipEntryRecord(source: ByteSource, record: number): Promise<ZipEntryLocation> {
	try {
		// One read for a record of usual size (46 bytes, then name, extra field and comment).
		let bytes = await source.read(record, Math.max(0, Math.min(1024, source.size - record)));
		if (bytes.length < 46 || u32(bytes, 0) !== 0x02014b50) throw new ZipFormatError("a central directory entry is damaged (bad signature)");
		const total = centralRecordLength(bytes, 0);
		if (total > bytes.length) bytes = await readExactly(source, record, total);
		const entry = parseCentralRecord(bytes, 0);
		if (isFolderRecord(bytes, 0, entry) || entryPathEscapes(entry.path))
			throw new ZipFormatError("the entry read again is not the file entry it was");
		return entry;
	} catch (e) {
		throw new InputError(
			source.name,
			`not a readable zip archive (changed since it was opened?): ${e instanceof Error ? e.message : String(e)}`,
			{
				cause: e,
			},
		);
	}
}

/** Where an entry's data starts: after its local header, whose name and extra field lengths may differ from the directory's. */
async function dataStart(source: ByteSource, entry: ZipEntryLocation): Promise<number> {
	const header = await source.read(entry.offset, 30);
	if (header.length < 30 || u32(header, 0) !== 0x04034b50) throw new ZipFormatError("the zip entry's local header is missing or damaged");
	return entry.offset + 30 + u16(header, 26) + u16(header, 28);
}

export class ZipArchive {
	private constructor(
		readonly source: ByteSource,
		/** The file entries kept (all, or those `keep` took). */
		readonly files: ZipFile[],
		/** How many file entries the zip holds, kept or not. */
		readonly count: number,
		/** The paths of its first few file entries, kept or not (for a message about what the zip holds). */
		readonly firstPaths: string[],
	) {}

	/**
	 * Reads the central directory, keeping the file entries `keep` takes (all without it): an export of 100,000 uploads
	 * need not be 100,000 entry records while its conversations are read. Throws InputError when the source is not a
	 * readable zip or an entry escapes.
	 */
	static async open(source: ByteSource, keep?: (path: string) => boolean): Promise<ZipArchive> {
		const files: ZipFile[] = [];
		const firstPaths: string[] = [];
		let count = 0;
		await forEachZipEntry(source, (entry) => {
			if (count++ < 8) firstPaths.push(entry.path);
			if (!keep || keep(entry.path)) files.push({ path: entry.path, size: entry.size, entry });
		});
		return new ZipArchive(source, files, count, firstPaths);
	}

	/** Streams the decompressed bytes of one entry (the compressed bytes are read 256 KB at a time, as they are needed). */
	async *chunks(file: ZipFile): AsyncGenerator<Uint8Array, void, undefined> {
		const { entry } = file;
		if (entry.encrypted) throw new InputError(`${this.source.name}:${file.path}`, "the zip entry is encrypted");
		if (entry.method !== 0 && entry.method !== 8)
			throw this.entryError(file, new Error(`compression method ${entry.method} is not supported`));
		let start: number;
		try {
			start = await dataStart(this.source, entry);
		} catch (e) {
			throw this.entryError(file, e);
		}
		const source = this.source;
		let read = 0;
		const compressed = new ReadableStream<Uint8Array>({
			async pull(controller) {
				const want = Math.min(256 * 1024, entry.compressedSize - read);
				const data = want > 0 ? await source.read(start + read, want) : new Uint8Array(0);
				read += data.length;
				if (data.length) controller.enqueue(data);
				if (read >= entry.compressedSize || data.length === 0) controller.close();
			},
		});
		const stream =
			entry.method === 8
				? compressed.pipeThrough(new DecompressionStream("deflate-raw") as unknown as ReadableWritablePair<Uint8Array, Uint8Array>)
				: compressed;
		const reader = stream.getReader();
		let finished = false;
		try {
			for (;;) {
				let step: ReadableStreamReadResult<Uint8Array>;
				try {
					step = await reader.read();
				} catch (e) {
					throw this.entryError(file, e);
				}
				if (step.done) break;
				yield step.value;
			}
			finished = true;
		} finally {
			if (!finished) await reader.cancel().catch(() => undefined);
			reader.releaseLock();
		}
	}

	private entryError(file: ZipFile, e: unknown): InputError {
		return new InputError(
			`${this.source.name}:${file.path}`,
			`the zip entry cannot be read: ${e instanceof Error ? e.message : String(e)}`,
			{
				cause: e,
			},
		);
	}

	/** Nothing is held open (the source is the caller's). */
	async close(): Promise<void> {
		await Promise.resolve();
	}
}

const CONVERSATIONS_FILE = /^conversations(?:-(\d+))?\.json$/i;

/** The match of a `conversations*.json` at the root or in one top-level folder (not `__MACOSX/`), or null. */
function conversationFileName(path: string): RegExpExecArray | null {
	const segments = path.split("/").filter((s) => s !== "");
	if (segments.length > 2 || segments[0] === "__MACOSX") return null;
	return CONVERSATIONS_FILE.exec(segments[segments.length - 1] ?? "");
}

/** True for an entry findConversationFiles may pick (a filter for ZipArchive.open). */
export function mayBeConversationFile(path: string): boolean {
	return conversationFileName(path) !== null;
}

/**
 * The conversation files of an export zip: `conversations.json` and/or split `conversations-NNN.json`
 * (numeric order), at the root or in one top-level folder. Sidecar files (users.json, projects.json,
 * memories.json, attachments) are ignored.
 */
export function findConversationFiles(files: readonly ZipFile[]): ZipFile[] {
	const found: { file: ZipFile; folder: string; part: number }[] = [];
	for (const file of files) {
		const m = conversationFileName(file.path);
		if (!m) continue;
		const segments = file.path.split("/").filter((s) => s !== "");
		found.push({ file, folder: segments.length === 2 ? (segments[0] ?? "") : "", part: m[1] === undefined ? -1 : Number(m[1]) });
	}
	// Root files first; then each top-level folder by name; within a folder the unsplit file, then parts in numeric order.
	found.sort((a, b) =>
		a.folder === b.folder ? a.part - b.part : a.folder === "" ? -1 : b.folder === "" ? 1 : a.folder < b.folder ? -1 : 1,
	);
	const rootOnly = found.some((f) => f.folder === "");
	return found.filter((f) => !rootOnly || f.folder === "").map((f) => f.file);
}

/**
 * Walks a zip's central directory one entry at a time, giving each file entry's location: a caller keeps only the
 * entries it wants, so a zip of 30,000 uploads is never 30,000 entry records at once. Throws InputError like
 * ZipArchive.open for a source that is not a readable zip or an entry that escapes.
 */
export async function forEachZipEntry(source: ByteSource, visit: (entry: ZipEntryLocation, record: number) => void): Promise<void> {
	const head = source.size === 0 ? new Uint8Array(0) : await source.read(0, 4);
	if (!looksLikeZip(head)) throw new InputError(source.name, "not a zip archive (it does not start with a zip signature)");
	try {
		await walkCentralDirectory(source, (entry, folder, record) => {
			if (entryPathEscapes(entry.path)) throw new InputError(source.name, escapeMessage(entry.path));
			if (!folder) visit(entry, record);
		});
	} catch (e) {
		if (e instanceof InputError) throw e;
		throw new InputError(source.name, `not a readable zip archive: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
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
	if (entry.method !== 0 && entry.method !== 8)
		throw new InputError(where, `the zip entry uses compression method ${entry.method}, which cannot be read`);
	let start: number;
	try {
		start = await dataStart(source, entry);
	} catch (e) {
		throw new InputError(where, e instanceof Error ? e.message : String(e), { cause: e });
	}
	const compressed = new Uint8Array(entry.compressedSize);
	for (let got = 0; got < compressed.length;) {
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
	if (bytes.length !== entry.size)
		throw new InputError(where, `the zip entry holds ${bytes.length} bytes, but the zip's directory says ${entry.size}`);
	if (entry.crc32 !== null && crc32(bytes) !== entry.crc32)
		throw new InputError(where, "the zip entry is damaged (its CRC-32 does not match)");
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
