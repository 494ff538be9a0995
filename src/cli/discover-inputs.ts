import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { InputError } from "../core/import/extract/errors";
import { PROVIDER_MODULES } from "../core/import/extract/normalize/registry";
import { describeFsError, NodeByteSource } from "./node-byte-source";

/**
 * Expands the paths given on the command line into ByteSources: a file is used as is; a folder
 * contributes its export files (`*.zip`, `conversations.json`, `conversations-NNN.json` in numeric
 * order, and a Claude bundle `manifest-*.json`, which openExport skips when zips are present). When a
 * folder's own level holds none, its direct subfolders are looked at (an unzipped export folder).
 * Sidecars such as users.json or projects.json are never read. Provider detection is not done here.
 */

const CONVERSATIONS = /^conversations(?:-(\d+))?\.json$/i;
const ZIP = /\.zip$/i;
const MANIFEST = /^manifest[^/\\]*\.json$/i;

export interface DiscoveredInputs {
	sources: NodeByteSource[];
	close(): Promise<void>;
}

/** Sort key: zips by name, then the manifest, then conversations.json, then parts by number. */
function rank(name: string): [number, number, string] {
	const m = CONVERSATIONS.exec(name);
	if (m) return [2, m[1] === undefined ? -1 : Number(m[1]), name];
	if (MANIFEST.test(name)) return [1, 0, name];
	return [0, 0, name];
}

function isExportFile(name: string): boolean {
	// Also any file a source names as its own (MyActivity.json, chat-<id>.json, prod-grok-backend.json, …).
	return ZIP.test(name) || CONVERSATIONS.test(name) || MANIFEST.test(name) || PROVIDER_MODULES.some((m) => m.files.test(name));
}

function byRank(a: string, b: string): number {
	const [ra, na, sa] = rank(a);
	const [rb, nb, sb] = rank(b);
	if (ra !== rb) return ra - rb;
	if (na !== nb) return na - nb;
	return sa < sb ? -1 : sa > sb ? 1 : 0;
}

async function exportFilesIn(folder: string): Promise<string[]> {
	const entries = await readdir(folder, { withFileTypes: true });
	const own = entries
		.filter((e) => e.isFile() && isExportFile(e.name))
		.map((e) => e.name)
		.sort(byRank)
		.map((n) => join(folder, n));
	if (own.length > 0) return own;
	const nested: string[] = [];
	const folders = entries.filter((e) => e.isDirectory() && !e.name.startsWith(".") && e.name !== "__MACOSX").map((e) => e.name).sort();
	for (const sub of folders) {
		const files = (await readdir(join(folder, sub), { withFileTypes: true }))
			.filter((e) => e.isFile() && isExportFile(e.name))
			.map((e) => e.name)
			.sort(byRank);
		nested.push(...files.map((n) => join(folder, sub, n)));
	}
	return nested;
}

export async function discoverInputs(paths: readonly string[]): Promise<DiscoveredInputs> {
	const files: string[] = [];
	for (const path of paths) {
		let info;
		try {
			info = await stat(path);
		} catch (e) {
			throw new InputError(path, describeFsError(e));
		}
		if (info.isDirectory()) {
			const found = await exportFilesIn(path);
			if (found.length === 0) {
				throw new InputError(path, "the folder holds no export: no .zip, conversations.json or conversations-NNN.json (nor in its subfolders)");
			}
			files.push(...found);
		} else {
			files.push(path);
		}
	}
	const sources: NodeByteSource[] = [];
	const close = async (): Promise<void> => {
		for (const s of sources) await s.close();
	};
	try {
		for (const file of [...new Set(files)]) sources.push(await NodeByteSource.open(file));
	} catch (e) {
		await close();
		throw e;
	}
	return { sources, close };
}
