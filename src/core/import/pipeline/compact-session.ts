import { ItemStatusIndex } from "../../logs/item-status-index";
import type { Logger } from "../../ports/logger";
import type { StagingStore } from "../../ports/staging-store";
import { sessionDir, stepsFile } from "../../session/paths";
import { CONVERSATION_SHARDS, extractOutputDir } from "./extract-stage";
import { shardFiles } from "./jsonl-shards";

/**
 * A finished import session, made small: what a retry can still need is kept, the rest goes.
 * - `extract/output/` (the canonical copy of every conversation, as large as the export's text) keeps only the
 *   conversations a retry redoes: the failed ones and those waiting in review;
 * - the per-step logs (`<stage>/steps.jsonl`, timings of each step, read by nothing) are removed unless the
 *   session is in debug mode.
 * The per-item log (`pipeline_stages.jsonl`), the phase and the load manifest stay: status, the panel and retry
 * read them. Run only when the run ended on its own (not cancelled, not broken): a resume needs everything.
 */
export interface CompactResult {
	/** Bytes of the session before and after. */
	before: number;
	after: number;
	/** Conversations kept in `extract/output/` for a retry. */
	kept: number;
}

export async function compactImportSession(store: StagingStore, sessionId: string, opts: { debugMode: boolean; logger?: Logger }): Promise<CompactResult> {
	const before = await folderBytes(store, sessionDir(sessionId));
	const status = await ItemStatusIndex.read(store, sessionId, "import", opts.logger);
	const loaded = status.succeeded("load");
	const review = new Set([...status.idsWithStatus("transform", "review"), ...status.idsWithStatus("load", "review")]);
	// Skipped on purpose (empty, too large): a retry does not redo them.
	const skipped = new Set([...status.idsWithStatus("extract", "skipped"), ...status.idsWithStatus("transform", "skipped")]);
	// Kept: review items, and every conversation not loaded for good (failed later, or never reached).
	const keep = (id: string): boolean => review.has(id) || (!loaded.has(id) && !skipped.has(id));
	let kept = 0;
	for (const file of await shardFiles(store, extractOutputDir(sessionId), CONVERSATION_SHARDS)) {
		const text = await store.read(file);
		const lines = text.split("\n").filter((line) => line.trim() !== "");
		const wanted = lines.filter((line) => {
			const id = idOf(line);
			// A line that cannot be read is of no use to a retry either (the reader skips it).
			return id !== null && keep(id);
		});
		kept += wanted.length;
		if (wanted.length === lines.length) continue;
		if (wanted.length === 0) await store.remove(file);
		else await store.writeAtomic(file, `${wanted.join("\n")}\n`);
	}
	if (!opts.debugMode) {
		for (const stage of ["extract", "transform", "load"] as const) await store.remove(stepsFile(sessionId, "import", stage));
	}
	const after = await folderBytes(store, sessionDir(sessionId));
	return { before, after, kept };
}

function idOf(line: string): string | null {
	try {
		const value: unknown = JSON.parse(line);
		if (typeof value === "object" && value !== null && typeof (value as { id?: unknown }).id === "string") return (value as { id: string }).id;
	} catch {
		return null;
	}
	return null;
}

/** Bytes of every file below a folder of the staging store. */
export async function folderBytes(store: StagingStore, folder: string): Promise<number> {
	let bytes = 0;
	const { files, folders } = await store.list(folder);
	for (const file of files) bytes += (await store.stat(file))?.size ?? 0;
	for (const sub of folders) bytes += await folderBytes(store, sub);
	return bytes;
}

/** A session's size on disk (for `status` and the panel). */
export function sessionBytes(store: StagingStore, sessionId: string): Promise<number> {
	return folderBytes(store, sessionDir(sessionId));
}
