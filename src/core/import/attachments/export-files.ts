import type { ByteSource } from "../../ports/byte-source";
import { forEachZipEntry, looksLikeZip, readZipEntry, type ZipEntryLocation } from "../extract/zip-archive";

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
 * Memory: one small record per entry whose name starts with a file id (not zip.js's entry objects), so an export
 * of 30,000 uploads costs a few MB; the bytes of an entry are read only when a note needs it.
 */
interface Located extends ZipEntryLocation {
	source: ByteSource;
}

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
	private constructor(private readonly byRef: Map<string, Located>) {}

	/** Scans the zips among `sources` (others are skipped). Throws InputError for a zip that cannot be read. */
	static async open(sources: readonly ByteSource[]): Promise<ExportFiles> {
		const byRef = new Map<string, Located>();
		for (const source of sources) {
			if (source.size < 4 || !looksLikeZip(await source.read(0, 4))) continue;
			await forEachZipEntry(source, (entry) => {
				if (entry.path.startsWith("__MACOSX/") || entry.path.endsWith("/")) return;
				for (const ref of exportFileRefs(entry.path)) {
					const known = byRef.get(ref);
					// Several entries for one reference (a copy in two folders): the shortest name, then the first path, every time.
					if (known && !preferred(entry, known)) continue;
					byRef.set(ref, { ...entry, source });
				}
			});
		}
		return new ExportFiles(byRef);
	}

	/** An empty lookup (no zip among the inputs, or the inputs are gone). */
	static none(): ExportFiles {
		return new ExportFiles(new Map());
	}

	get size(): number {
		return this.byRef.size;
	}

	/** The entry for a file id, or null when the export does not hold it. */
	find(ref: string): (ZipEntryLocation & { name: string }) | null {
		const found = this.byRef.get(ref);
		return found ? { ...found, name: baseName(found.path) } : null;
	}

	/** The entry's bytes (see readZipEntry). */
	async read(ref: string): Promise<Uint8Array> {
		const found = this.byRef.get(ref);
		if (!found) throw new Error(`The export holds no file ${ref}`);
		return readZipEntry(found.source, found);
	}
}

function preferred(a: ZipEntryLocation, b: ZipEntryLocation): boolean {
	const la = baseName(a.path).length;
	const lb = baseName(b.path).length;
	return la !== lb ? la < lb : a.path < b.path;
}
