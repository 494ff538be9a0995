import type { RenderStamp } from "../transform/note-draft";

/**
 * What re-importing a conversation does to the vault, decided from what we wrote last time (the import
 * index) and what is in the vault now. Pure: the load step does the I/O.
 *
 * - unchanged at the source            → leave the note alone (no write at all);
 * - updated at the source, note as we wrote it → update it in place;
 * - updated at the source, note edited by the user → preserve it, report `preserved`;
 * - unchanged at the source, but rendered with other options (or another renderer version), or a re-render asked
 *   for → update the note as we wrote it (`updated (options changed)`), preserve an edited one;
 * - a note we did not write is never overwritten; when in doubt, preserve.
 */
export interface IndexedNote {
	/** Vault path where we wrote the note. */
	path: string;
	/** Hash of the exact text we wrote. */
	hash: string;
	/** The source's updated time when we wrote it (ISO), or null when the export had none. */
	sourceUpdated: string | null;
	/** The knowledge transform's key when an LLM wrote the note. */
	llmKey?: string;
	/** How we rendered it; absent when not known (records of earlier versions, knowledge notes). */
	render?: RenderStamp;
	/** The conversation's messages when written (count, last id); absent in records of earlier versions. */
	messages?: { count: number; last: string | null };
	/** New messages were appended below the user's text: the note is the user's, never rewritten whole. */
	userText?: true;
}

export interface LoadFacts {
	/** What the import index says we wrote for this conversation, if anything. */
	indexed: IndexedNote | null;
	/** The note found for this conversation now: at the indexed path, or by `source_id` in frontmatter. */
	current: { path: string; hash: string; frontmatterUpdated: string | null } | null;
	/** Hash of the note we would write now (rendered for `current.path` when there is a current note). */
	renderedHash: string;
	/** The source's updated time in this export. */
	sourceUpdated: string | null;
	/**
	 * Why an unchanged conversation's note would be written again: its render options or the renderer changed since
	 * (known only when the index recorded them), or a re-render was asked for. Absent: no reason.
	 */
	rerender?: "options changed" | "re-render asked";
}

export type LoadDecision =
	| { action: "create" }
	| { action: "unchanged"; path: string; adopt: boolean }
	| { action: "update"; path: string; why?: string }
	| { action: "preserve"; path: string | null; reason: string };

export function decideLoad(facts: LoadFacts): LoadDecision {
	const { indexed, current, renderedHash, sourceUpdated } = facts;
	if (current === null) {
		if (indexed === null) return { action: "create" };
		return {
			action: "preserve",
			path: null,
			reason: `the note imported earlier at "${indexed.path}" is gone (deleted or moved outside the vault); not recreating it`,
		};
	}
	// The note in the vault is byte-for-byte what we would write: it is ours and up to date.
	if (current.hash === renderedHash)
		return {
			action: "unchanged",
			path: current.path,
			adopt: indexed === null || indexed.path !== current.path || indexed.hash !== current.hash,
		};
	if (indexed === null) {
		// No record of writing it (index lost, or a note the user made): only the frontmatter speaks for it.
		// Compared as times: the note writes `2025-03-01T10:00:00.000Z` for an export's `2025-03-01T10:00:00Z`.
		if (current.frontmatterUpdated !== null && sameTime(current.frontmatterUpdated, sourceUpdated)) {
			return { action: "unchanged", path: current.path, adopt: false };
		}
		return {
			action: "preserve",
			path: current.path,
			reason: "a note with this source_id exists but the import index has no record of writing it",
		};
	}
	// As we left it: not edited since (a note holding the user's text above appended messages never counts as ours).
	const ours = current.hash === indexed.hash && indexed.userText !== true;
	if (sameTime(indexed.sourceUpdated, sourceUpdated)) {
		if (facts.rerender === undefined) return { action: "unchanged", path: current.path, adopt: indexed.path !== current.path };
		if (ours) return { action: "update", path: current.path, why: facts.rerender };
		return {
			action: "preserve",
			path: current.path,
			reason: `${facts.rerender}, but the note was edited since it was imported; kept as it is`,
		};
	}
	if (ours) return { action: "update", path: current.path };
	return { action: "preserve", path: current.path, reason: "updated at the source, but the note was edited since it was imported" };
}

export function sameTime(a: string | null, b: string | null): boolean {
	if (a === b) return true;
	if (a === null || b === null) return false;
	const ta = Date.parse(a);
	const tb = Date.parse(b);
	// To the second: notes write times to the second (`2025-03-01T19:00:00+09:00`), exports to the millisecond.
	return !Number.isNaN(ta) && !Number.isNaN(tb) && Math.floor(ta / 1000) === Math.floor(tb / 1000);
}
