import { opendirSync, type Dir } from "node:fs";
import { rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { TempFilesSeen } from "./node-note-vault";
import { TEMP_FILE_PATTERN } from "./vault-paths";

/**
 * Removes the temp files an atomic write leaves when its process is killed between writing the temp file and
 * renaming (or linking) it into place: `<name>.tmp-<hex>`, under each of `folders` (vault-relative), recursively.
 * Called after a run, when this process has no write in flight. Only files matching that pattern are touched, never
 * a user's file; with `olderThanMs`, only those last written before that time (the moment the run asked for the
 * vault lock: a run that could still be writing then holds the lock, and this run would have been refused).
 * Returns the removed paths.
 */
export async function removeStaleTempFiles(vaultDir: string, folders: readonly string[], olderThanMs?: number): Promise<string[]> {
	const removed: string[] = [];
	const walk = async (relative: string): Promise<void> => {
		let entries: Dir;
		try {
			// Read as a stream of entries (opendir), not one array: a note folder of a million notes was ~130 MB of
			// directory entries at the end of a run, over the CLI's heap cap.
			entries = opendirSync(join(vaultDir, relative), { bufferSize: 256 });
		} catch {
			return; // missing or unreadable: nothing of ours to clean
		}
		try {
			// Taken synchronously (one syscall per 256 entries, as before), not one promise per entry: `for await` over
			// a vault of 10,000 notes cost ~80 ms of CPU after every organize preview.
			for (let entry = entries.readSync(); entry !== null; entry = entries.readSync()) {
				const path = relative === "" ? entry.name : `${relative}/${entry.name}`;
				if (entry.isDirectory()) await walk(path);
				else if (entry.isFile() && TEMP_FILE_PATTERN.test(entry.name) && (await removeIfStale(vaultDir, path, olderThanMs)))
					removed.push(path);
			}
		} finally {
			entries.closeSync();
		}
	};
	for (const folder of folders) if (folder !== "" && !folder.split("/").includes("..")) await walk(folder);
	return removed;
}

/** Removes a temp file found by a walk (vault-relative `path`), unless written at or after `olderThanMs`. */
async function removeIfStale(vaultDir: string, path: string, olderThanMs: number | undefined): Promise<boolean> {
	if (olderThanMs !== undefined) {
		const written = await stat(join(vaultDir, path)).then(
			(s) => s.mtimeMs,
			() => Infinity,
		);
		if (written >= olderThanMs) return false;
	}
	await rm(join(vaultDir, path), { force: true });
	return true;
}

/**
 * removeStaleTempFiles over every top folder of the vault (those not starting with "."), from what a listing of the
 * whole vault made in this run after it asked for the vault lock found there (NodeNoteVault.sweepHint): its temp
 * files are removed as the walk would remove them, and only the dot-folders below (which the listing does not enter)
 * are walked. The same files go: a temp file a killed run left was there when the listing ran, and none is written
 * into the vault's folders by another run since (this one holds the lock) or by this one before its sweep (an organize
 * preview writes only in .staging; an apply's own temp files are newer than `olderThanMs`). An organize preview of
 * 10,000 notes walked them a second time for it: ~8 ms of its CPU (issue 20).
 */
export async function removeSeenTempFiles(vaultDir: string, seen: TempFilesSeen, olderThanMs?: number): Promise<string[]> {
	const removed: string[] = [];
	for (const path of seen.tempFiles) if (await removeIfStale(vaultDir, path, olderThanMs)) removed.push(path);
	removed.push(...(await removeStaleTempFiles(vaultDir, seen.dotFolders, olderThanMs)));
	return removed;
}

/** Where the temp files of a run's writes can be: the staging folder (sessions, indexes, caches) and `noteFolders`. */
export const STAGING_FOLDER = ".staging";
