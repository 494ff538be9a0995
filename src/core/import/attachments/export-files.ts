import { withRoom } from "../../util/typed-arrays";
import type { ByteSource } from "../../ports/byte-source";
import { hashes } from "../../util/hash64";
import { forEachZipEntry, looksLikeZip, readZipEntry, readZipEntryRecord, type ZipEntryLocation } from "../extract/zip-archive";

/**
 * The files of the export zips, found by the reference a conversation uses for them:
 * - **ChatGPT** holds each upload, image and generated image as an entry whose name starts with the file's id:
 *   `file-AbC…-photo.png` (older exports), `file_0000…-<uuid>.png` (newer), at the root, in `dalle-generations/`,
 *   in `user-…/` folders, and voice and video in per-conversation folders (`<conversation>/audio/file_…wav`).
 *   Reference: the id.
 * - **Grok** keeps every upload as `prod-mc-asset-server/<asset id>/content`, with no name and no type (the type
 *   comes from the bytes when the file is written). Reference: `grok-asset:<asset id>`.
 * - **Le Chat** keeps a chat's uploads under their own names in `chat-<chat id>-files/`. Reference:
 *   `lechat:<chat id>/<name>`.
 * - **Gemini** (Google Takeout) puts attached files and generated images beside `MyActivity.json` in
 *   `Takeout/My Activity/Gemini Apps/` (the folder names are translated; the Gemini one keeps "Gemini").
 *   Reference: `gemini:<file name>`.
 *
 * Memory: no object per entry. An entry that some reference can find costs where its central directory record is
 * (8 bytes) and, per reference, a slot of an open-addressing table keyed by the reference's 64-bit fingerprint
 * (12 bytes, the table at most half full): ~42 bytes an upload, where a Map of entry records cost ~520. Path,
 * sizes and CRC are read back from the record when a note asks for the file (one small read), and the reference is
 * checked against that path, so two references with one fingerprint are never mixed up.
 */
const FILE_ID = /^(file[-_][A-Za-z0-9]+)(?=[-.]|$)/;
const GROK_ASSET = /(?:^|\/)prod-mc-asset-server\/+([^/]+)\/content$/;
const LECHAT_FILE = /(?:^|\/)chat-([^/]+)-files\/(.+)$/;
const ACTIVITY_FILE = /^MyActivity\.(?:json|html)$/i;

/** The references an entry of an export zip can be found by (see the class comment). */
export function exportFileRefs(path: string): string[] {
	const refs: string[] = [];
	const base = baseName(path);
	const id = FILE_ID.exec(base)?.[1];
	if (id) refs.push(id);
	const asset = GROK_ASSET.exec(path);
	if (asset) refs.push(`grok-asset:${asset[1]}`);
	const lechat = LECHAT_FILE.exec(path);
	if (lechat) refs.push(`lechat:${lechat[1]}/${lechat[2]}`);
	const folders = path.split("/").slice(0, -1);
	if (base !== "" && !ACTIVITY_FILE.test(base) && folders.some((f) => /gemini/i.test(f))) refs.push(`gemini:${base}`);
	return refs;
}

function baseName(path: string): string {
	return path.slice(path.lastIndexOf("/") + 1);
}

export class ExportFiles {
	/** Each kept entry's central directory record position, in scan order (entries of `sources[s]` from `firstOf[s]` on). */
	private records = new Float64Array(0);
	private entries = 0;
	private readonly firstOf: number[] = [];
	/** The reference table: a reference's fingerprint (h1, h2) → entry number + 1 (0: empty; -1: dropped, see resolve). */
	private h1 = new Uint32Array(0);
	private h2 = new Uint32Array(0);
	private entryAt = new Int32Array(0);
	private mask = -1;
	private slots = 0;
	private fingerprints = 0;

	private constructor(private readonly sources: readonly ByteSource[]) {}

	/** Scans the zips among `sources` (others are skipped). Throws InputError for a zip that cannot be read. */
	static async open(sources: readonly ByteSource[]): Promise<ExportFiles> {
		const zips: ByteSource[] = [];
		for (const source of sources) if (source.size >= 4 && looksLikeZip(await source.read(0, 4))) zips.push(source);
		const files = new ExportFiles(zips);
		for (const source of zips) {
			files.firstOf.push(files.entries);
			await forEachZipEntry(source, (entry, record) => {
				if (entry.path.startsWith("__MACOSX/") || entry.path.endsWith("/")) return;
				const refs = exportFileRefs(entry.path);
				if (refs.length === 0) return;
				const n = files.keep(record);
				for (const ref of refs) files.index(ref, n);
			});
		}
		return files;
	}

	/** An empty lookup (no zip among the inputs, or the inputs are gone). */
	static none(): ExportFiles {
		return new ExportFiles([]);
	}

	/** How many references find a file (two with one fingerprint count once). */
	get size(): number {
		return this.fingerprints;
	}

	/** The entry for a file id, or null when the export does not hold it. Throws InputError when the zip changed since. */
	async find(ref: string): Promise<(ZipEntryLocation & { name: string }) | null> {
		const found = await this.resolve(ref);
		return found ? { ...found.entry, name: baseName(found.entry.path) } : null;
	}

	/** The entry's bytes (see readZipEntry). */
	async read(ref: string): Promise<Uint8Array> {
		const found = await this.resolve(ref);
		if (!found) throw new Error(`The export holds no file ${ref}`);
		return readZipEntry(found.source, found.entry);
	}

	private keep(record: number): number {
		this.records = withRoom(this.records, this.entries + 1);
		this.records[this.entries] = record;
		return this.entries++;
	}

	/** Adds a slot (fingerprint of `ref`, entry `n`); several entries for one reference each get one (see resolve). */
	private index(ref: string, n: number): void {
		if ((this.slots + 1) * 2 > this.entryAt.length) this.grow();
		const [a, b] = hashes(ref);
		let at = a & this.mask;
		let seen = false;
		for (; this.entryAt[at] !== 0; at = (at + 1) & this.mask) if (this.h1[at] === a && this.h2[at] === b) seen = true;
		this.place(at, a, b, n + 1);
		if (!seen) this.fingerprints++;
	}

	private place(at: number, a: number, b: number, value: number): void {
		this.h1[at] = a;
		this.h2[at] = b;
		this.entryAt[at] = value;
		this.slots++;
	}

	private grow(): void {
		const { h1, h2, entryAt } = this;
		const size = Math.max(64, entryAt.length * 2);
		this.h1 = new Uint32Array(size);
		this.h2 = new Uint32Array(size);
		this.entryAt = new Int32Array(size);
		this.mask = size - 1;
		this.slots = 0;
		// In slot order: a fingerprint's slots keep their relative order only by chance, so resolve orders by entry number.
		for (let i = 0; i < entryAt.length; i++) {
			if (entryAt[i]! <= 0) continue;
			let at = h1[i]! & this.mask;
			while (this.entryAt[at] !== 0) at = (at + 1) & this.mask;
			this.place(at, h1[i]!, h2[i]!, entryAt[i]!);
		}
	}

	private sourceOf(n: number): ByteSource {
		let s = this.firstOf.length - 1;
		while (s > 0 && this.firstOf[s]! > n) s--;
		return this.sources[s]!;
	}

	/**
	 * The entry `ref` finds: of the entries whose slot has its fingerprint and whose path (read back) gives `ref`, the
	 * shortest name, then the first path, then the first scanned — every time. The others' slots are dropped once
	 * decided, so a reference held by many copies costs their reads once, not on every look-up.
	 */
	private async resolve(ref: string): Promise<{ source: ByteSource; entry: ZipEntryLocation } | null> {
		if (this.mask < 0) return null;
		const [a, b] = hashes(ref);
		let best: { at: number; n: number; source: ByteSource; entry: ZipEntryLocation } | null = null;
		const losers: number[] = [];
		for (let at = a & this.mask; this.entryAt[at] !== 0; at = (at + 1) & this.mask) {
			const n = this.entryAt[at]! - 1;
			if (n < 0 || this.h1[at] !== a || this.h2[at] !== b) continue;
			const source = this.sourceOf(n);
			const entry = await readZipEntryRecord(source, this.records[n]!);
			if (!exportFileRefs(entry.path).includes(ref)) continue; // another reference with the same fingerprint
			const candidate = { at, n, source, entry };
			if (!best) best = candidate;
			else if (preferred(entry, best.entry) || (entry.path === best.entry.path && n < best.n)) {
				losers.push(best.at);
				best = candidate;
			} else losers.push(at);
		}
		for (const at of losers) this.entryAt[at] = -1;
		return best;
	}
}

function preferred(a: ZipEntryLocation, b: ZipEntryLocation): boolean {
	const la = baseName(a.path).length;
	const lb = baseName(b.path).length;
	return la !== lb ? la < lb : a.path < b.path;
}
