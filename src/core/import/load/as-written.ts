import type { Provider } from "../../model/conversation";
import type { NoteVault } from "../../ports/note-vault";
import { renderStamp, sameRender, type RenderChoices } from "../transform/note-draft";
import type { ImportIndex } from "./import-index";
import { sameTime } from "./load-decision";
import { sourceIdentity } from "./vault-note-finder";
import { conversationKey } from "./conversation-key";
import { HintBuilder, type SourceTimeHints } from "./source-time-hints";

export type { SourceTimeHints } from "./source-time-hints";

export { conversationKey } from "./conversation-key";

/**
 * A re-import decides "unchanged" before the conversation is rendered (issue 20): a conversation unchanged at the
 * source since its note was written, rendered the same way, whose note is where and as we wrote it, is left alone
 * whatever it would render to (NoteLoader's first rule, unchangedAsWritten). Knowing that needs the index entry and
 * one read and hash of the note, not the conversation's note text: the reader need not render it, nor transform.
 * The index is read here only (a compact or on-disk index changes these two functions, nothing else).
 */

/** What these decisions follow: the run's render choices, where review notes are, and whether a re-render is asked. */
export interface AsWrittenRules {
	render: RenderChoices;
	reviewFolder: string;
	rerender: boolean;
}

/**
 * The conversations whose notes this run would leave as they are if their source time is still the one recorded:
 * key → the source's updated time then. Those written with this run's render choices, outside the review folder;
 * none when a re-render is asked. A reader may skip rendering these (the transform renders any it needs after all:
 * this is a hint, never a decision).
 */
export async function sourceTimesAsRendered(
	index: ImportIndex,
	rules: AsWrittenRules,
	settings: { known?: boolean } = {},
): Promise<SourceTimeHints> {
	const hints = new HintBuilder();
	if (rules.rerender && !settings.known) return hints.done();
	const stamp = renderStamp(rules.render);
	await index.forEachRecord((r) => {
		if (!rules.rerender && r.render && sameRender(stamp, r.render) && folderOf(r.path) !== rules.reviewFolder)
			hints.add(conversationKey(r.provider, r.source_id), r.source_updated);
		// `known`: every other conversation whose messages the index recorded (a re-import may add its new turns to an
		// edited note) is there too, with an unparsable time: hintedKey finds it, hintedSameTime never matches it.
		else if (settings.known && r.messages) hints.add(conversationKey(r.provider, r.source_id), NOT_A_TIME);
	});
	return hints.done();
}

/** A source time that equals none (see SourceTimeHints.seconds: NaN). */
const NOT_A_TIME = "not a time";

/**
 * The path of a conversation's note when NoteLoader is bound to leave it as it is ("unchanged", nothing recorded):
 * the index entry says it was written from this source time with this run's render choices, outside the review
 * folder, and the note at the indexed path is that conversation's (or names none: currentNoteOf takes it then). Such
 * a note is unchanged whether or not the user edited it since (decideNote: unchangedAsWritten if not; else decideLoad,
 * unchanged at the source with no re-render, adopt false: a fresh render, which carries this run's session, never
 * equals the note), so neither the note's hash nor the conversation's render is needed: only its frontmatter, read
 * from the start of the file. Null otherwise (the conversation is then rendered and decided as usual). No read at
 * all for a conversation the index does not have.
 */
export async function noteAsWritten(
	deps: { index: ImportIndex; vault: NoteVault },
	rules: AsWrittenRules,
	conversation: { provider: Provider; id: string; updated: string | null },
): Promise<string | null> {
	const indexed = await deps.index.get(conversation.provider, conversation.id);
	if (!indexed || rules.rerender || !indexed.render || folderOf(indexed.path) === rules.reviewFolder) return null;
	if (!sameRender(renderStamp(rules.render), indexed.render) || !sameTime(indexed.sourceUpdated, conversation.updated)) return null;
	const head = await frontmatterOf(deps.vault, indexed.path);
	if (head === null) return null;
	const ids = sourceIdentity(head);
	if (ids && (ids.source !== conversation.provider || ids.sourceId !== conversation.id)) return null;
	return indexed.path;
}

/**
 * Bytes read from a note's start to find its frontmatter; a longer frontmatter makes a whole read. An import's note
 * has ~420-680 bytes of it (the bench's notes; a long title counts twice, as the title and its alias), organize's
 * keys add a few hundred: 1.5 KB holds nearly all. 4 KB was a quarter of an unchanged re-import's allocation in the
 * command thread (a 4 KB string per note) and twice the read and decoding (issue 20).
 */
const HEAD_BYTES = 1536;

/** A closed frontmatter at the start of a text, its closing line ended (not cut by the head's end). */
const CLOSED_FRONTMATTER = /^---\r?\n[\s\S]*?\r?\n---\r?\n/;

/** The note's start, holding its whole frontmatter if it has one (else the whole note); null when it cannot be read. */
async function frontmatterOf(vault: NoteVault, path: string): Promise<string | null> {
	if (vault.readHead) {
		const head = await vault.readHead(path, HEAD_BYTES).catch(() => null);
		if (head === null) return null;
		// No frontmatter at all, or one closed inside the head: the head tells what the whole note would. Else (a
		// frontmatter longer than the head, or never closed) the whole note.
		if (!head.startsWith("---") || CLOSED_FRONTMATTER.test(head)) return head;
	}
	return vault.read(path).catch(() => null);
}

function folderOf(path: string): string {
	const i = path.lastIndexOf("/");
	return i < 0 ? "" : path.slice(0, i);
}
