import { sameRender, type NoteDraft } from "../transform/note-draft";
import { decideLoad, sameTime, type IndexedNote } from "./load-decision";
import { sourceIdentity } from "./vault-note-finder";

/**
 * The note found for a conversation now (at the indexed path, or by its `source_id`). `hash`: of its text, of the
 * index entry's kind when there is one (an older index holds c1 hashes); null for a kept draft, which is never
 * compared.
 */
export interface CurrentNote {
	path: string;
	text: string;
	hash: string | null;
}

/**
 * The note as this run would write it at the current note's path, organize's keys (and the user's added ones, see
 * `addedKeys`) kept. Absent when not rendered: a kept draft, no current note, or a note unchanged as written (see
 * unchangedAsWritten: the answer is known without it).
 */
export interface RenderedNote {
	text: string;
	hash: string;
	/**
	 * The current note differs from what we wrote only by properties the user added (issue 16.3; see addedKeysOnly):
	 * it is judged as the note we wrote, and `text` keeps those properties.
	 */
	addedKeys: boolean;
}

/** What NoteLoader.facts gathers for one conversation (reads and hashes); all decideNote looks at. */
export interface NoteFacts {
	/** The conversation as transform left it (its files brought in for the current note's path). */
	draft: NoteDraft;
	/** What the import index says we wrote for it, if anything. */
	indexed: IndexedNote | null;
	current: CurrentNote | null;
	rendered: RenderedNote | null;
}

/** The run's options that decideNote follows. */
export interface LoadRules {
	/** The vault path of the review folder (`<out>/_review`). */
	reviewFolder: string;
	/** A re-render of unchanged conversations was asked for. */
	rerender: boolean;
	/** What an edited note gets of a conversation that grew: new turns below the user's text, or nothing. */
	editedNotes: "append" | "preserve";
}

/**
 * What load does with one conversation. `expectHash`: the note's hash when decided; a write first checks it still
 * holds. `create` is named by NoteLoader.place (names are claimed in input order).
 */
export type NoteDecision =
	| { action: "create" }
	| { action: "unchanged"; path: string; adopt: boolean }
	| { action: "update"; path: string; expectHash: string; why?: string }
	/** A review note with a good transform now: moved to its provider folder, and rewritten. */
	| { action: "promote"; path: string; expectHash: string }
	/** Edited by the user and grown at the source: the new turns go below the user's text. */
	| { action: "append"; path: string; expectHash: string }
	| { action: "preserve"; path: string | null; reason: string };

function folderOf(path: string): string {
	const i = path.lastIndexOf("/");
	return i < 0 ? "" : path.slice(0, i);
}

/**
 * Unchanged at the source since the note was written, rendered the same way (same renderer and options), no
 * re-render asked, and the note is where and as we wrote it (not a review note): decideLoad can only answer
 * "unchanged" (adopt false) here, whatever the note would render to, so it is not rendered and hashed again to
 * compare. One hash of the note instead of a render and two: a re-import of an unchanged export cost more CPU than
 * its first import.
 */
export function unchangedAsWritten(
	draft: Pick<NoteDraft, "render" | "source_updated">,
	current: CurrentNote,
	indexed: IndexedNote,
	rules: Pick<LoadRules, "reviewFolder" | "rerender">,
): boolean {
	return (
		!rules.rerender &&
		current.path === indexed.path &&
		folderOf(current.path) !== rules.reviewFolder &&
		draft.render !== undefined &&
		indexed.render !== undefined &&
		sameRender(draft.render, indexed.render) &&
		sameTime(indexed.sourceUpdated, draft.source_updated) &&
		current.hash === indexed.hash
	);
}

/** A kept draft (transform saw from the index that nothing changed and made no model call): never a write. */
function decideKept(f: NoteFacts): NoteDecision {
	// Unchanged where the note is now, or preserved when it is gone. The hashes cannot match: the draft is not the note.
	const kept = decideLoad({
		indexed: f.indexed,
		current: f.current ? { path: f.current.path, hash: "", frontmatterUpdated: null } : null,
		renderedHash: "\u0000",
		sourceUpdated: f.draft.source_updated,
	});
	if (kept.action === "unchanged" || kept.action === "preserve") return kept;
	return { action: "preserve", path: f.current?.path ?? null, reason: "kept as it is" };
}

/**
 * What to do with one conversation's note, from what NoteLoader.facts gathered: pure (no I/O, no clock), so the
 * rules can be read and tested as a table (test/core/import/load/decide-note.test.ts). The load-decision.ts rules,
 * plus what only load knows: kept drafts, notes in review, properties the user added, appending to edited notes.
 */
export function decideNote(f: NoteFacts, rules: LoadRules): NoteDecision {
	const { draft, indexed, current } = f;
	if (draft.keep) return decideKept(f);
	// Found unchanged as written before it was rendered (see as-written.ts): the first rule below, already checked.
	if (draft.as_written !== undefined) return { action: "unchanged", path: draft.as_written, adopt: false };
	if (current && indexed && unchangedAsWritten(draft, current, indexed, rules))
		return { action: "unchanged", path: current.path, adopt: false };
	const currentHash = current?.hash ?? "";
	const renderedHash = f.rendered?.hash ?? "";
	// What the user can have changed is the body and the import's values (issue 16.3): a note that differs only by
	// properties they added is judged as the note we wrote.
	const asJudged = current && indexed && f.rendered?.addedKeys ? indexed.hash : currentHash;
	if (current && indexed && folderOf(current.path) === rules.reviewFolder && currentHash === indexed.hash && currentHash !== renderedHash) {
		// An untouched review note and a new transform of it (a retry): replace it.
		if (draft.review_reason === undefined) return { action: "promote", path: current.path, expectHash: currentHash };
		return { action: "update", path: current.path, expectHash: currentHash };
	}
	// Written with other render options (or by another renderer version) than this run's; known only when recorded.
	const stale = draft.render !== undefined && indexed?.render !== undefined && !sameRender(draft.render, indexed.render);
	const rerender = stale ? "options changed" : rules.rerender ? "re-render asked" : undefined;
	const decision = decideLoad({
		indexed,
		current: current ? { path: current.path, hash: asJudged, frontmatterUpdated: sourceIdentity(current.text)?.updated ?? null } : null,
		renderedHash,
		sourceUpdated: draft.source_updated,
		...(rerender ? { rerender } : {}),
	});
	if (
		decision.action === "preserve" &&
		current &&
		indexed &&
		draft.append &&
		rules.editedNotes === "append" &&
		!sameTime(indexed.sourceUpdated, draft.source_updated)
	) {
		// Edited by the user and grown at the source: the new turns go below the user's text, which stays as it is.
		if ("rewritten" in draft.append) {
			return {
				...decision,
				reason:
					"updated at the source, but earlier messages were rewritten or removed there (a regenerated answer) and the note was edited since it was imported; kept as it is, nothing merged",
			};
		}
		return { action: "append", path: current.path, expectHash: currentHash };
	}
	if (decision.action === "update") return { ...decision, expectHash: currentHash };
	return decision;
}
