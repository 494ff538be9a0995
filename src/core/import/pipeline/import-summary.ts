import { ItemStatusIndex } from "../../logs/item-status-index";
import { yieldWhenSliceOverOnUi } from "../../util/timers";
import type { FoldedItems } from "../../logs/pipeline-stages";
import type { Logger } from "../../ports/logger";
import type { StagingStore } from "../../ports/staging-store";
import type { PhaseStatus } from "../../model/status";
import { NEW_MESSAGES_APPENDED } from "../load/note-loader";

export interface ImportSummary {
	session_id: string;
	status: PhaseStatus;
	/** `pending`: items read but not finished when the run stopped early (a resume does them). */
	counts: { total: number; success: number; failed: number; skipped: number; pending?: number };
	notes: { created: number; updated: number; unchanged: number; preserved: number; review: number };
	failures: { item_id: string; title: string | null; stage: string; reason: string }[];
	/** Set when the run stopped early: cancelled, or the input broke off. */
	error?: string;
	/** For people: what retry found to do ("nothing to retry"). */
	message?: string;
	/** Of `notes.updated`, how many were re-rendered although unchanged at the source (options changed, `rerender`). */
	rerendered?: number;
	/** Of `notes.updated`: notes the user had edited that got the conversation's new messages below their text. */
	appended?: number;
}

/** What summarize adds up, item by item. */
interface Tally {
	counts: ImportSummary["counts"];
	notes: ImportSummary["notes"];
	failures: ImportSummary["failures"];
	rerendered: number;
	appended: number;
}

/**
 * A load record written before records carried a typed `outcome`: "updated: path", "updated (options changed):
 * path", "preserved: path: why" (the first word is the outcome).
 */
function outcomeFromReason(reason: string | undefined): { outcome: string; rerendered: boolean } {
	const label = (reason ?? "").split(":")[0] ?? "";
	const outcome = label.split(" ")[0] ?? "";
	return { outcome, rerendered: label === "updated (options changed)" || label === "updated (re-render asked)" };
}

/**
 * The session's result from its log, over every run of it (a resume or retry included): each conversation
 * counted once, by its latest record in each stage.
 */
export async function summarize(
	store: StagingStore,
	sessionId: string,
	logger?: Logger,
	status: PhaseStatus = "pending",
	how: { unfinished?: "failed" | "pending"; /** The session's item status, read already. */ index?: ItemStatusIndex } = {},
): Promise<ImportSummary> {
	const index = how.index ?? (await ItemStatusIndex.read(store, sessionId, "import", logger, { ids: false }));
	const t: Tally = {
		counts: { total: 0, success: 0, failed: 0, skipped: 0 },
		notes: { created: 0, updated: 0, unchanged: 0, preserved: 0, review: 0 },
		failures: [],
		rerendered: 0,
		appended: 0,
	};
	if (index.folded) addFolded(t, index.folded);
	// Found unchanged as written while extracting (a re-import): no record each, their number only.
	t.counts.total += index.unchangedEarly;
	t.counts.success += index.unchangedEarly;
	t.notes.unchanged += index.unchangedEarly;
	// By slot: an index read without ids (see ItemStatusReadOptions) names only the items that did not go through.
	const unnamed = new Map<ImportSummary["failures"][number], number>();
	let counted = 0;
	for (const slot of index.slots("extract")) {
		// A UI thread takes the items in slices (10,000 were one task of 60-80 ms at the end of a run, issue 17).
		if ((++counted & 1023) === 0) await yieldWhenSliceOverOnUi(10);
		const before = t.failures.length;
		addItem(t, index, slot, how.unfinished ?? "failed");
		if (t.failures.length > before && t.failures[before]!.item_id === "") unnamed.set(t.failures[before]!, slot);
	}
	await nameFailures(store, sessionId, index, unnamed);
	await titleFailures(store, sessionId, t.failures);
	return {
		session_id: sessionId,
		status,
		counts: t.counts,
		notes: t.notes,
		failures: t.failures,
		...(t.rerendered > 0 ? { rerendered: t.rerendered } : {}),
		...(t.appended > 0 ? { appended: t.appended } : {}),
	};
}

/** Items folded out of the log when the session completed (see compactImportSession): counted from their summary. */
function addFolded(t: Tally, folded: FoldedItems): void {
	t.counts.total += folded.items;
	t.counts.success += folded.items;
	for (const [label, n] of Object.entries(folded.outcomes)) {
		const outcome = label.split(" ")[0] ?? "";
		if (outcome === "created" || outcome === "updated" || outcome === "unchanged" || outcome === "preserved") t.notes[outcome] += n;
		if (label === "updated (options changed)" || label === "updated (re-render asked)") t.rerendered += n;
		if (label === `updated (${NEW_MESSAGES_APPENDED})`) t.appended += n;
	}
}

/** One conversation, by its latest record in each stage: failed (at which stage), skipped, pending, or its note's outcome. */
function addItem(t: Tally, index: ItemStatusIndex, slot: number, unfinished: "failed" | "pending"): void {
	const extract = index.recordAt("extract", slot)!;
	const id = extract.item_id;
	const fail = (stage: string, reason: string): void => {
		t.counts.failed++;
		t.failures.push({ item_id: id, title: extract.title ?? null, stage, reason });
	};
	t.counts.total++;
	if (extract.status === "failed") return fail("extract", extract.error ?? extract.reason ?? "unknown error");
	if (extract.status === "skipped") {
		t.counts.skipped++;
		return;
	}
	const transform = index.recordAt("transform", slot);
	const load = index.recordAt("load", slot);
	// A note load wrote after the item's latest transform is the proof of the item, even when that transform's
	// record was lost (the stages log in batches of their own: a crash can keep load's and lose transform's).
	const loadedLast = (load?.status === "success" || load?.status === "review") && (!transform || transform.timestamp <= load.timestamp);
	if (transform?.status === "failed" && !loadedLast) return fail("transform", transform.error ?? "unknown error");
	if (transform?.status === "skipped" && !loadedLast) {
		t.counts.skipped++;
		return;
	}
	if (!load || (!transform && !loadedLast)) {
		// In flight or not reached when the run stopped: a resume does it (a failure only if a whole run missed it).
		if (unfinished === "pending") t.counts.pending = (t.counts.pending ?? 0) + 1;
		else fail(transform ? "load" : "transform", "not processed yet (the run stopped before this item); resume the session");
		return;
	}
	if (load.status === "failed") return fail("load", load.error ?? "unknown error");
	t.counts.success++;
	if (load.status === "review") t.notes.review++;
	const { outcome, rerendered: again } =
		load.outcome !== undefined ? { outcome: load.outcome, rerendered: load.rerendered === true } : outcomeFromReason(load.reason);
	if (outcome === "created" || outcome === "updated" || outcome === "unchanged" || outcome === "preserved") t.notes[outcome]++;
	if (outcome === "updated" && again) t.rerendered++;
	// New messages appended below a note the user edited: an update, told apart by its reason (not re-rendered).
	if ((load.reason ?? "").startsWith(`updated (${NEW_MESSAGES_APPENDED})`)) t.appended++;
}

/** Failures of items the index knows by slot only (read without ids: see ItemStatusReadOptions): named from the log. */
async function nameFailures(
	store: StagingStore,
	sessionId: string,
	index: ItemStatusIndex,
	unnamed: ReadonlyMap<ImportSummary["failures"][number], number>,
): Promise<void> {
	if (unnamed.size === 0) return;
	const ids = await index.idsOf(store, sessionId, "import", new Set(unnamed.values()));
	for (const [failure, slot] of unnamed) failure.item_id = ids.get(slot) ?? "";
}

/** The index keeps no title of a record that went through: the failures' titles are read again, only theirs. */
async function titleFailures(store: StagingStore, sessionId: string, failures: ImportSummary["failures"]): Promise<void> {
	const untitled = new Set(failures.filter((f) => f.title === null).map((f) => f.item_id));
	if (untitled.size === 0) return;
	const titles = await ItemStatusIndex.titles(store, sessionId, "import", untitled);
	for (const f of failures) if (f.title === null) f.title = titles.get(f.item_id) ?? null;
}
