import { describe, expect, it } from "vitest";
import { decideNote, type LoadRules, type NoteDecision, type NoteFacts } from "../../../../src/core/import/load/decide-note";
import type { IndexedNote } from "../../../../src/core/import/load/load-decision";
import { renderStamp, type NoteDraft } from "../../../../src/core/import/transform/note-draft";

// decideNote as a table: what load does with one conversation, from the facts NoteLoader.facts gathers (the draft,
// the index entry, the note now, the note as it would be written). Hashes are stand-ins: only equality counts.

const T1 = "2025-03-01T10:00:00.000Z";
const T2 = "2025-04-01T10:00:00.000Z";
const STAMP = renderStamp({ includeThinking: false, timeZone: "UTC" });
const OTHER_STAMP = renderStamp({ includeThinking: true, timeZone: "UTC" });
const PATH = "AI/Claude/Chat.md";
const REVIEW = "AI/_review/Chat.md";

const rules: LoadRules = { reviewFolder: "AI/_review", rerender: false, editedNotes: "append" };

function draft(over: Partial<NoteDraft> = {}): NoteDraft {
	return {
		item_id: "c1",
		provider: "claude",
		title: "Chat",
		source_updated: T1,
		frontmatter: { title: "Chat", source: "claude", source_id: "c1" } as NoteDraft["frontmatter"],
		body: "Body.\n",
		render: STAMP,
		...over,
	};
}

const indexed = (over: Partial<IndexedNote> = {}): IndexedNote => ({
	path: PATH,
	hash: "h-written",
	sourceUpdated: T1,
	render: STAMP,
	...over,
});

/** A note found now; its frontmatter's `updated` is what decideLoad reads when the index has no record. */
const current = (over: { path?: string; hash?: string | null; updated?: string } = {}): NoteFacts["current"] => ({
	path: over.path ?? PATH,
	text: `---\nsource: claude\nsource_id: c1\nupdated: ${over.updated ?? "2025-01-01T00:00:00Z"}\n---\nBody.\n`,
	hash: over.hash === undefined ? "h-written" : over.hash,
});

const rendered = (hash = "h-rendered", addedKeys = false): NoteFacts["rendered"] => ({ text: `rendered ${hash}`, hash, addedKeys });

const facts = (over: Partial<NoteFacts>): NoteFacts => ({ draft: draft(), indexed: null, current: null, rendered: null, ...over });

const GONE = `the note imported earlier at "${PATH}" is gone (deleted or moved outside the vault); not recreating it`;
const EDITED = "updated at the source, but the note was edited since it was imported";
const NO_RECORD = "a note with this source_id exists but the import index has no record of writing it";

const cases: [string, NoteFacts, NoteDecision, Partial<LoadRules>?][] = [
	["a new conversation: create (named later, in input order)", facts({}), { action: "create" }],
	// Kept drafts: transform saw nothing changed; never a write, whatever the hashes.
	[
		"kept, the note where the index says: unchanged",
		facts({ draft: draft({ keep: true }), indexed: indexed(), current: current({ hash: null }) }),
		{ action: "unchanged", path: PATH, adopt: false },
	],
	[
		"kept, the note moved by organize: unchanged, the index learns the new path (adopt)",
		facts({ draft: draft({ keep: true }), indexed: indexed(), current: current({ path: "Genre/Chat.md", hash: null }) }),
		{ action: "unchanged", path: "Genre/Chat.md", adopt: true },
	],
	[
		"kept, the note gone: not recreated",
		facts({ draft: draft({ keep: true }), indexed: indexed() }),
		{ action: "preserve", path: null, reason: GONE },
	],
	[
		"kept, neither index entry nor note: kept as it is (a kept draft is never a create)",
		facts({ draft: draft({ keep: true }) }),
		{ action: "preserve", path: null, reason: "kept as it is" },
	],
	[
		"kept, a note but no index entry: preserved",
		facts({ draft: draft({ keep: true }), current: current({ hash: null }) }),
		{ action: "preserve", path: PATH, reason: NO_RECORD },
	],
	// Not kept.
	[
		"unchanged at the source and as written: unchanged without rendering",
		facts({ indexed: indexed(), current: current() }),
		{ action: "unchanged", path: PATH, adopt: false },
	],
	[
		"unchanged at the source, note edited: still left alone",
		facts({ indexed: indexed(), current: current({ hash: "h-user" }), rendered: rendered() }),
		{ action: "unchanged", path: PATH, adopt: false },
	],
	[
		"unchanged at the source, the note differs from the index but is what we would write: adopted (the index learns its hash)",
		facts({ indexed: indexed(), current: current({ hash: "h-rendered" }), rendered: rendered() }),
		{ action: "unchanged", path: PATH, adopt: true },
	],
	[
		"a re-render asked, note as written: updated, why given",
		facts({ indexed: indexed(), current: current(), rendered: rendered() }),
		{ action: "update", path: PATH, expectHash: "h-written", why: "re-render asked" },
		{ rerender: true },
	],
	[
		"written with other render options, note as written: updated (options changed)",
		facts({ indexed: indexed({ render: OTHER_STAMP }), current: current(), rendered: rendered() }),
		{ action: "update", path: PATH, expectHash: "h-written", why: "options changed" },
	],
	[
		"other render options, note edited: preserved",
		facts({ indexed: indexed({ render: OTHER_STAMP }), current: current({ hash: "h-user" }), rendered: rendered() }),
		{ action: "preserve", path: PATH, reason: "options changed, but the note was edited since it was imported; kept as it is" },
	],
	[
		"other render options but it renders the same bytes: unchanged",
		facts({ indexed: indexed({ render: OTHER_STAMP }), current: current(), rendered: rendered("h-written") }),
		{ action: "unchanged", path: PATH, adopt: false },
	],
	[
		"grown at the source, note as written: updated in place",
		facts({ draft: draft({ source_updated: T2 }), indexed: indexed(), current: current(), rendered: rendered() }),
		{ action: "update", path: PATH, expectHash: "h-written" },
	],
	[
		"grown, note moved by organize and not edited: updated where it is now",
		facts({ draft: draft({ source_updated: T2 }), indexed: indexed(), current: current({ path: "Code/Chat.md" }), rendered: rendered() }),
		{ action: "update", path: "Code/Chat.md", expectHash: "h-written" },
	],
	[
		"grown, note differs only by properties the user added: ours, updated (the write checks the note's own hash)",
		facts({
			draft: draft({ source_updated: T2 }),
			indexed: indexed(),
			current: current({ hash: "h-with-added-keys" }),
			rendered: rendered("h-rendered", true),
		}),
		{ action: "update", path: PATH, expectHash: "h-with-added-keys" },
	],
	[
		"grown, note edited, new turns rendered: appended below the user's text",
		facts({
			draft: draft({ source_updated: T2, append: { from: 2, transcript: "new turns" } }),
			indexed: indexed(),
			current: current({ hash: "h-user" }),
			rendered: rendered(),
		}),
		{ action: "append", path: PATH, expectHash: "h-user" },
	],
	[
		"grown, note edited, but the run says preserve edited notes: preserved",
		facts({
			draft: draft({ source_updated: T2, append: { from: 2, transcript: "new turns" } }),
			indexed: indexed(),
			current: current({ hash: "h-user" }),
			rendered: rendered(),
		}),
		{ action: "preserve", path: PATH, reason: EDITED },
		{ editedNotes: "preserve" },
	],
	[
		"grown, note edited, no appendix (a knowledge note): preserved",
		facts({ draft: draft({ source_updated: T2 }), indexed: indexed(), current: current({ hash: "h-user" }), rendered: rendered() }),
		{ action: "preserve", path: PATH, reason: EDITED },
	],
	[
		"grown, note edited, earlier messages rewritten at the source: preserved, nothing merged",
		facts({
			draft: draft({ source_updated: T2, append: { rewritten: true } }),
			indexed: indexed(),
			current: current({ hash: "h-user" }),
			rendered: rendered(),
		}),
		{
			action: "preserve",
			path: PATH,
			reason:
				"updated at the source, but earlier messages were rewritten or removed there (a regenerated answer) and the note was edited since it was imported; kept as it is, nothing merged",
		},
	],
	[
		"grown, the note holds the user's text above appended turns: appended again, never rewritten whole",
		facts({
			draft: draft({ source_updated: T2, append: { from: 4, transcript: "more turns" } }),
			indexed: indexed({ userText: true }),
			current: current(),
			rendered: rendered(),
		}),
		{ action: "append", path: PATH, expectHash: "h-written" },
	],
	[
		"an untouched review note, a good transform now: promoted out of review",
		facts({ indexed: indexed({ path: REVIEW }), current: current({ path: REVIEW }), rendered: rendered() }),
		{ action: "promote", path: REVIEW, expectHash: "h-written" },
	],
	[
		"an untouched review note, still for review: rewritten in place",
		facts({
			draft: draft({ review_reason: "model said so" }),
			indexed: indexed({ path: REVIEW }),
			current: current({ path: REVIEW }),
			rendered: rendered(),
		}),
		{ action: "update", path: REVIEW, expectHash: "h-written" },
	],
	[
		"a review note the user edited: not promoted, left alone",
		facts({ indexed: indexed({ path: REVIEW }), current: current({ path: REVIEW, hash: "h-user" }), rendered: rendered() }),
		{ action: "unchanged", path: REVIEW, adopt: false },
	],
	[
		"index lost, the note says the same source time: unchanged",
		facts({ current: current({ hash: "h-other", updated: T1 }), rendered: rendered() }),
		{ action: "unchanged", path: PATH, adopt: false },
	],
	[
		"index lost, the note is exactly what we would write: adopted",
		facts({ current: current({ hash: "h-rendered" }), rendered: rendered() }),
		{ action: "unchanged", path: PATH, adopt: true },
	],
	[
		"index lost, a note of another time: preserved (never overwrite a note we did not write)",
		facts({ current: current({ hash: "h-other" }), rendered: rendered() }),
		{ action: "preserve", path: PATH, reason: NO_RECORD },
	],
	[
		"indexed but the note is gone: not recreated",
		facts({ draft: draft({ source_updated: T2 }), indexed: indexed() }),
		{ action: "preserve", path: null, reason: GONE },
	],
];

describe("decideNote (what load does with one conversation)", () => {
	it.each(cases)("%s", (_name, f, expected, over) => {
		expect(decideNote(f, { ...rules, ...over })).toEqual(expected);
	});
});
