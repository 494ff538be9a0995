import { IMPORT_INDEX_FILE } from "../import/load/import-index";
import { DEFAULT_OUT_FOLDER, type ImportOptions } from "../import/pipeline/import-options";
import type { PhaseType } from "../model/status";
import { extractInputDir, sessionDir } from "../session/paths";
import { PhaseManager } from "../session/phase-manager";
import { SessionManager } from "../session/session-manager";
import type { Host } from "./host";

/** What a session recorded about itself, read for the hosts (they never read session files by path). */

/** The import options a session recorded (the latest session when none is named); null when it has none. */
export async function recordedImportOptions(
	host: Pick<Host, "store" | "clock">,
	sessionId?: string,
): Promise<Partial<ImportOptions> | null> {
	const id = sessionId ?? (await new SessionManager(host.store, host.clock).latest())?.session_id;
	if (!id) return null;
	const path = `${extractInputDir(id, "import")}/options.json`;
	if (!(await host.store.exists(path))) return null;
	return JSON.parse(await host.store.read(path)) as Partial<ImportOptions>;
}

/**
 * The vault folders where a killed run of this session may have left the temp files of atomic writes: the
 * session's own folder, the import's output folder and the index's folder.
 */
export async function leftoverFolders(host: Host, sessionId: string): Promise<string[]> {
	const recorded = await recordedImportOptions(host, sessionId).catch(() => null);
	const outFolder = typeof recorded?.outFolder === "string" ? recorded.outFolder : DEFAULT_OUT_FOLDER;
	return [outFolder, sessionDir(sessionId), IMPORT_INDEX_FILE.slice(0, IMPORT_INDEX_FILE.lastIndexOf("/"))];
}

/** How many items a phase goes through, from its phase.json (what extract counted); null when unknown. */
export async function itemTotal(host: Host, sessionId: string, phase: PhaseType): Promise<number | null> {
	try {
		const extract = (await new PhaseManager(host.store, host.clock).load(sessionId, phase)).stages.extract;
		return extract.counts?.total ?? extract.items_count;
	} catch {
		return null;
	}
}
