import { ItemStatusIndex } from "../../logs/item-status-index";
import type { Logger } from "../../ports/logger";
import type { StagingStore } from "../../ports/staging-store";
import { pipelineStagesFile, sessionDir, stageOutputDir, stepsFile } from "../../session/paths";
import { LOAD_MANIFEST_FILE, type ManifestLine } from "./load-stage";
import { foldedItemsFile, unchangedItemsFile, type FoldedItems } from "../../logs/pipeline-stages";
import { emptyCounts } from "../../model/counts";
import { STAGE_TYPES } from "../../model/status";
import { CONVERSATION_SHARDS, extractOutputDir } from "./extract-stage";
import { shardFiles } from "./jsonl-shards";
import { readLines } from "../../logs/jsonl";
import type { FingerprintList } from "../../util/hash64";
import { yieldWhenSliceOverOnUi } from "../../util/timers";

/**
 * A finished import session, made small: what a retry can still need is kept, the rest goes.
 * - `extract/output/` (the canonical copy of every conversation, as large as the export's text) keeps only the
 *   conversations a retry redoes: the failed ones and those waiting in review;
 * - the per-step logs (`<stage>/steps.jsonl`, timings of each step, read by nothing) are removed unless the
 *   session is in debug mode.
 * - the per-item log (`pipeline_stages.jsonl`) keeps the records of items a person or a retry may ask about
 *   (failed, skipped, review, preserved); the items that went through for good are folded into a count
 *   (`pipeline_folded.json`, see FoldedItems), unless the session is in debug mode.
 * The phase and the load manifest stay. Run only when the run ended on its own (not cancelled, not broken): a
 * resume needs everything.
 */
export interface CompactResult {
	/** Bytes of the session before and after. */
	before: number;
	after: number;
	/** Conversations kept in `extract/output/` for a retry. */
	kept: number;
}

export async function compactImportSession(
	store: StagingStore,
	sessionId: string,
	opts: {
		debugMode: boolean;
		logger?: Logger;
		/** The session's item status, when the caller has just read it (nothing written since). */
		status?: ItemStatusIndex;
		/** The ids of the lines of shard files written in this run (see ShardLedger): those files are not read back. */
		ledger?: ReadonlyMap<string, FingerprintList>;
	},
): Promise<CompactResult> {
	const before = await folderBytes(store, sessionDir(sessionId));
	const status = opts.status ?? (await ItemStatusIndex.read(store, sessionId, "import", opts.logger, { ids: false }));
	// Kept: review items, and every conversation not loaded for good (failed later, or never reached); skipped on
	// purpose (empty, too large) is not kept: a retry does not redo them. Decided by slot: no set of every id.
	const keepSlot = (slot: number): boolean => {
		if (slot < 0) return status.folded === null; // no record: folded away, or (no fold) never reached
		const transform = status.statusAt("transform", slot);
		const load = status.statusAt("load", slot);
		if (transform === "review" || load === "review") return true;
		return load !== "success" && status.statusAt("extract", slot) !== "skipped" && transform !== "skipped";
	};
	const keep = (id: string): boolean => keepSlot(status.slotOf(id));
	let kept = 0;
	for (const file of await shardFiles(store, extractOutputDir(sessionId), CONVERSATION_SHARDS)) {
		const ids = opts.ledger?.get(file);
		if (ids) {
			// Known line by line: kept whole or removed whole without reading it (the usual case); else read below.
			let wanted = 0;
			for (let i = 0; i < ids.length; i++) {
				const [a, b] = ids.at(i);
				if (keepSlot(status.slotOfFingerprint(a, b))) wanted++;
			}
			if (wanted === ids.length || wanted === 0) {
				kept += wanted;
				if (wanted === 0) await store.remove(file);
				continue;
			}
		}
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
		await foldFinishedItems(store, sessionId, status);
		await packLoadManifest(store, sessionId);
	}
	const after = await folderBytes(store, sessionDir(sessionId));
	return { before, after, kept };
}

/**
 * The load outcomes folded away: a new note (the manifest names it) or one found as it should be (the bulk of a
 * re-import). Updates, preserved notes, reviews, skips and failures keep their records: they are what a person
 * asks about.
 */
const FOLDED_OUTCOMES = new Set(["created", "unchanged"]);

/**
 * Folds the items that went through every stage for good out of `pipeline_stages.jsonl` into the phase's
 * `pipeline_folded.json` (added to what an earlier completion of the session folded). The count is written
 * before the log is rewritten; a crash between the two counts those items twice in status, never loses one.
 */
async function foldFinishedItems(store: StagingStore, sessionId: string, status: ItemStatusIndex): Promise<void> {
	// By slot (one byte each), not a set of ids: the index may hold no id of an item that went through.
	const loads = status.slots("load");
	const folded = new Uint8Array(loads.length === 0 ? 0 : slotsMax(loads) + 1);
	let count = 0;
	const outcomes: Record<string, number> = { ...status.folded?.outcomes };
	for (let i = 0; i < loads.length; i++) {
		const slot = loads[i]!;
		if (i % 1024 === 1023) {
			const pause = yieldWhenSliceOverOnUi(10); // a UI thread: in slices (see readLines)
			if (pause) await pause;
		}
		const r = status.recordAt("load", slot)!;
		if (r.status !== "success") continue;
		const label = (r.reason ?? "").split(":")[0] ?? "";
		if (!FOLDED_OUTCOMES.has(label)) continue;
		if (status.statusAt("extract", slot) !== "success" || status.statusAt("transform", slot) !== "success") continue;
		folded[slot] = 1;
		count++;
		outcomes[label] = (outcomes[label] ?? 0) + 1;
	}
	// Those a re-import found unchanged while extracting (no record each) join them; their own count then goes.
	const early = status.unchangedEarly;
	if (count === 0 && early === 0) return;
	if (early > 0) outcomes.unchanged = (outcomes.unchanged ?? 0) + early;
	const n = count + early;
	const stages = Object.fromEntries(
		STAGE_TYPES.map((stage) => {
			const was = status.folded?.stages[stage] ?? emptyCounts();
			return [stage, { ...was, total: was.total + n, success: was.success + n }];
		}),
	) as FoldedItems["stages"];
	const summary: FoldedItems = { version: 1, items: (status.folded?.items ?? 0) + n, stages, outcomes };
	await store.writeAtomic(foldedItemsFile(sessionId, "import"), `${JSON.stringify(summary)}\n`);
	if (early > 0) await store.remove(unchangedItemsFile(sessionId, "import"));
	if (count === 0) return;
	const log = pipelineStagesFile(sessionId, "import");
	// Every line of the log was read into the index (none skipped) and every item it names is folded: nothing stays
	// (what reading it line by line below would find, for the CPU of 30,000 lines at 10,000 conversations).
	if (status.skippedLines === 0 && count === status.items) {
		await store.remove(log);
		return;
	}
	// Read line by line; what stays (failures, skips, reviews, updates) is what a person asks about, a few lines.
	const kept: string[] = [];
	for await (const { text: line } of readLines(store, log)) {
		if (line.trim() === "") continue;
		const id = itemIdOf(line);
		const slot = id === null ? -1 : status.slotOf(id);
		if (slot < 0 || folded[slot] !== 1) kept.push(line);
	}
	if (kept.length === 0) await store.remove(log);
	else await store.writeAtomic(log, `${kept.join("\n")}\n`);
}

/** The largest of some slots (one pass; a spread of a million numbers would overflow the stack). */
function slotsMax(slots: Uint32Array): number {
	let max = 0;
	for (const s of slots) if (s > max) max = s;
	return max;
}

/**
 * A packed manifest line: the notes a finished session wrote into one folder with one disposition, by name and
 * bytes (`[name, bytes]`). Their hashes are in the import index. Packed, a 10,000-note manifest is about 40 bytes a
 * note instead of 160.
 */
export interface PackedManifestLine {
	f: string;
	d: ManifestLine["d"];
	n: [string, number][];
}

const PACK_RUN = 500;

/**
 * Rewrites `load/output/manifest.jsonl` packed (see PackedManifestLine); lines already packed stay. Streamed through
 * the store's writeAtomicFrom where it has one: the packed manifest of a million notes is ~45 MB, never one string.
 */
async function packLoadManifest(store: StagingStore, sessionId: string): Promise<void> {
	const path = `${stageOutputDir(sessionId, "import", "load")}/${LOAD_MANIFEST_FILE}`;
	if (!(await store.exists(path))) return;
	if (store.writeAtomicFrom) {
		await store.writeAtomicFrom(path, packedManifestChunks(store, path));
		return;
	}
	const out: string[] = [];
	for await (const chunk of packedManifestChunks(store, path)) out.push(chunk);
	await store.writeAtomic(path, out.join(""));
}

/** The packed manifest's lines, each with its line break, read from the manifest as it is now. */
async function* packedManifestChunks(store: StagingStore, path: string): AsyncGenerator<string> {
	let run: PackedManifestLine | null = null;
	for await (const { text: line } of readLines(store, path)) {
		if (line.trim() === "") continue;
		let value: unknown;
		try {
			value = JSON.parse(line);
		} catch {
			continue; // a line a crash cut: nothing to keep
		}
		const v = value as Partial<ManifestLine & PackedManifestLine>;
		if (Array.isArray(v.n)) {
			yield `${line}\n`;
			continue;
		}
		if (typeof v.p !== "string" || typeof v.d !== "string") continue;
		const slash = v.p.lastIndexOf("/");
		const folder = slash < 0 ? "" : v.p.slice(0, slash);
		if (!run || run.f !== folder || run.d !== v.d || run.n.length >= PACK_RUN) {
			if (run) yield `${JSON.stringify(run)}\n`;
			run = { f: folder, d: v.d, n: [] };
		}
		run.n.push([v.p.slice(slash + 1), typeof v.b === "number" ? v.b : 0]);
	}
	if (run) yield `${JSON.stringify(run)}\n`;
}

/** The notes a session wrote, from its manifest, packed or not (hash: absent once packed; the index has it). */
export async function readLoadManifest(store: StagingStore, sessionId: string): Promise<(Omit<ManifestLine, "h"> & { h?: string })[]> {
	const path = `${stageOutputDir(sessionId, "import", "load")}/${LOAD_MANIFEST_FILE}`;
	const out: (Omit<ManifestLine, "h"> & { h?: string })[] = [];
	for await (const { text } of readLines(store, path)) manifestLineEntries(text, out);
	return out;
}

/** The entries of a manifest's text, packed or not (see readLoadManifest). */
export function manifestEntries(text: string): (Omit<ManifestLine, "h"> & { h?: string })[] {
	const out: (Omit<ManifestLine, "h"> & { h?: string })[] = [];
	for (const line of text.split("\n")) manifestLineEntries(line, out);
	return out;
}

/** The entries of one manifest line, packed or not, added to `out` (a line a crash cut adds none). */
function manifestLineEntries(line: string, out: (Omit<ManifestLine, "h"> & { h?: string })[]): void {
	if (line.trim() === "") return;
	try {
		const v = JSON.parse(line) as Partial<ManifestLine & PackedManifestLine>;
		if (Array.isArray(v.n) && typeof v.f === "string" && v.d) {
			for (const [name, b] of v.n) out.push({ p: v.f === "" ? name : `${v.f}/${name}`, d: v.d, b });
		} else if (typeof v.p === "string" && v.d) out.push({ p: v.p, d: v.d, b: v.b ?? 0, ...(v.h !== undefined ? { h: v.h } : {}) });
	} catch {
		// a line a crash cut
	}
}

/** A log line's item id, read from its start when it is written in the schema's order, else parsed. */
const LEADING_ITEM_ID = /^\{"timestamp":"[^"\\]*","session_id":"[^"\\]*","item_id":("(?:[^"\\]|\\.)*")[,}]/;

function itemIdOf(line: string): string | null {
	const leading = LEADING_ITEM_ID.exec(line);
	if (leading) {
		try {
			return JSON.parse(leading[1]!) as string;
		} catch {
			// not a JSON string after all: the whole line says
		}
	}
	try {
		const value: unknown = JSON.parse(line);
		if (typeof value === "object" && value !== null && typeof (value as { item_id?: unknown }).item_id === "string")
			return (value as { item_id: string }).item_id;
	} catch {
		return null;
	}
	return null;
}

/** A conversation line's id, read from its start when it begins with it (as the model writes it), else parsed. */
const LEADING_ID = /^\{"id":("(?:[^"\\]|\\.)*")[,}]/;

function idOf(line: string): string | null {
	const leading = LEADING_ID.exec(line.slice(0, 2048));
	if (leading) {
		try {
			return JSON.parse(leading[1]!) as string;
		} catch {
			// not a JSON string after all: the whole line says
		}
	}
	try {
		const value: unknown = JSON.parse(line);
		if (typeof value === "object" && value !== null && typeof (value as { id?: unknown }).id === "string")
			return (value as { id: string }).id;
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
