import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { TEMP_FILE_PATTERN } from "./vault-paths";

/**
 * Removes the temp files an atomic write leaves when its process is killed between writing the temp file and
 * renaming (or linking) it into place: `<name>.tmp-<hex>`, under each of `folders` (vault-relative), recursively.
 * Called after a resume or retry, when this process has no write in flight. Returns the removed paths.
 */
export async function removeStaleTempFiles(vaultDir: string, folders: readonly string[]): Promise<string[]> {
	const removed: string[] = [];
	const walk = async (relative: string): Promise<void> => {
		let entries;
		try {
			entries = await readdir(join(vaultDir, relative), { withFileTypes: true });
		} catch {
			return; // missing or unreadable: nothing of ours to clean
		}
		for (const entry of entries) {
			const path = relative === "" ? entry.name : `${relative}/${entry.name}`;
			if (entry.isDirectory()) await walk(path);
			else if (entry.isFile() && TEMP_FILE_PATTERN.test(entry.name)) {
				await rm(join(vaultDir, path), { force: true });
				removed.push(path);
			}
		}
	};
	for (const folder of folders) if (folder !== "" && !folder.split("/").includes("..")) await walk(folder);
	return removed;
}
