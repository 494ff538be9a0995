import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { InputError } from "../core/app/errors";
import { PROVIDER_MODULES } from "../core/app/catalog";
import { describeFsError, NodeByteSource } from "./node-byte-source";

/**
 * Expands the paths given on the command line into ByteSources: a file is used as is; a folder
 * contributes its export files (`*.zip`, `conversations.json`, `conversations-NNN.json` in numeric
 * order, and a Claude bundle `manifest-*.json`, which openExport skips when zips are present). When a
 * folder's own level holds none, its direct subfolders are looked at (an unzipped export folder). A folder with no
 * export at all is looked through for coding-agent session logs (`*.jsonl`, in any subfolder: Claude Code's
 * `~/.claude/projects/<project>/<session>.jsonl`, Codex's `~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl`), without
 * hidden folders and the prompt histories both tools keep beside them (`history.jsonl`: no conversation).
 * Sidecars such as users.json or projects.json are never read. Provider detection is not done here.
 */

const CONVERSATIONS = /^conversations(?:-(\d+))?\.json$/i;
const ZIP = /\.zip$/i;
const MANIFEST = /^manifest[^/\\]*\.json$/i;
const SESSION_LOG = /\.jsonl$/i;
const NOT_A_SESSION = /^history\.jsonl$/i;
/** How deep session logs are looked for (`sessions/YYYY/MM/DD/` is 4; a sub-agent's `<session>/subagents/` 3). */
const SESSION_DEPTH = 6;
/** Past this many files, each is opened only while it is read (see NodeByteSource `keepOpen`). */
const KEEP_OPEN_MAX = 64;

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
	if (NOT_A_SESSION.test(name)) return false;
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
	const folders = entries
		.filter((e) => e.isDirectory() && !e.name.startsWith(".") && e.name !== "__MACOSX")
		.map((e) => e.name)
		.sort();
	for (const sub of folders) {
		const files = (await readdir(join(folder, sub), { withFileTypes: true }))
			.filter((e) => e.isFile() && isExportFile(e.name))
			.map((e) => e.name)
			.sort(byRank);
		nested.push(...files.map((n) => join(folder, sub, n)));
	}
	return nested;
}

/** The session logs under a folder, in path order (see the module comment). */
async function sessionLogsIn(folder: string, depth = 0): Promise<string[]> {
	const entries = (await readdir(folder, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
	const out: string[] = [];
	for (const entry of entries) {
		const name = entry.name;
		if (entry.isFile() && SESSION_LOG.test(name) && !NOT_A_SESSION.test(name)) out.push(join(folder, name));
		else if (entry.isDirectory() && depth < SESSION_DEPTH && !name.startsWith("."))
			out.push(...(await sessionLogsIn(join(folder, name), depth + 1)));
	}
	return out;
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
			let found = await exportFilesIn(path);
			// Only session logs near the top (a Claude Code project folder): the deep walk finds those and the ones
			// further down (a sub-agent's `<session>/subagents/`, Codex's `YYYY/MM/DD/`).
			if (found.every((f) => SESSION_LOG.test(f))) found = await sessionLogsIn(path);
			if (found.length === 0) {
				throw new InputError(
					path,
					"the folder holds no export: no .zip, conversations.json or conversations-NNN.json (nor in its subfolders), and no session log (*.jsonl)",
				);
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
		const unique = [...new Set(files)];
		const keepOpen = unique.length <= KEEP_OPEN_MAX;
		for (const file of unique) sources.push(await NodeByteSource.open(file, file, { keepOpen }));
	} catch (e) {
		await close();
		throw e;
	}
	return { sources, close };
}
