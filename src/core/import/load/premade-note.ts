import type { MadeNoteParts } from "../../ports/note-vault";
import type { Sha256Text } from "../../ports/sha256";
import { StringHashSet } from "../../util/hash64";
import { sha256BodyThenNote } from "../../util/sha256";
import { nameKey } from "../../naming/unique-names";
import { fileIdOfDraft, fileIdSuffix } from "../transform/file-id";
import type { NoteDraft } from "../transform/note-draft";
import { composeNote, frontmatterBlock } from "../transform/render-note";

/**
 * A new note made where its draft was rendered (the plugin's reader worker), for the path load most likely gives it
 * (firstNotePath: its name free in its folder): the text as `finalNote` composes it there, the import index's hash of
 * it (`s2:` + SHA-256, as noteHash) and its UTF-8 bytes. Load on Obsidian's UI thread then writes the text and
 * records the hash without composing the frontmatter or hashing the note itself (issue 17: ~1.3 s of the UI thread's
 * ~7.5 s in a 10,000-conversation import). A note given another path is made the usual way.
 */
export interface PremadeNote {
	path: string;
	text: string;
	hash: string;
	bytes: number;
}

/**
 * Where the draft was rendered: its note made for `path` (its first path, firstNotePath), the body encoded once for
 * both hashes (the file id's, then the note's: sha256BodyThenNote). Null without Web Crypto (load makes it then).
 */
export async function premakeNote(draft: NoteDraft, path: string): Promise<PremadeNote | null> {
	const made = await sha256BodyThenNote(draft.body, fileIdSuffix(path), (bodyHex) =>
		frontmatterBlock({ ...draft.frontmatter, file_id: bodyHex.slice(0, 12) }),
	);
	return made && { path, text: [made.head, draft.body].join(""), hash: `s2:${made.noteHex}`, bytes: made.bytes };
}

/**
 * The first paths of the notes premade so far in one run (fingerprints of their names as a folder compares them: a
 * run of 100,000 conversations keeps ~1.6 MB, not its paths). A later draft asking for one of them is named otherwise
 * by load, so it is not premade (a fingerprint shared by two paths only means one note fewer premade).
 */
export class PremadePaths {
	private readonly taken = new StringHashSet();

	/** True, and the path counted as taken, when no draft of the run asked for it before. */
	claim(path: string): boolean {
		return this.taken.add(nameKey(path));
	}
}

/**
 * Premade notes by draft object, with the body and the frontmatter object they were made from: a draft made from it
 * (`{ ...draft, body }`, its files brought in) is another object and is made again, and so is one whose body or
 * frontmatter object was replaced. Nothing changes a draft's frontmatter in place (as file-id.ts's body hashes assume
 * of the body).
 */
const premade = new WeakMap<object, { note: PremadeNote; body: string; frontmatter: object }>();

/**
 * On the side that loads: keeps `note` (premakeNote of this draft, made elsewhere) for it. The draft's body and
 * frontmatter must be the ones it was made from.
 */
export function rememberPremadeNote(draft: NoteDraft, note: PremadeNote): void {
	premade.set(draft, { note, body: draft.body, frontmatter: draft.frontmatter });
}

/** The premade note of `draft` at `path`, if one was made for that path from this draft's body and frontmatter. */
export function premadeNoteOf(draft: NoteDraft, path: string): PremadeNote | undefined {
	const entry = premade.get(draft);
	return entry && entry.note.path === path && entry.body === draft.body && entry.frontmatter === draft.frontmatter ? entry.note : undefined;
}

/**
 * A draft's note at a path as parts (NoteVault.createMade): the text `finalNote` composes, `headFor(bodyHex) + body`,
 * for a vault that encodes, hashes and writes it in one pass.
 */
export function madeNoteParts(draft: NoteDraft, path: string): MadeNoteParts {
	return {
		body: draft.body,
		suffix: fileIdSuffix(path),
		headFor: (bodyHex) => frontmatterBlock({ ...draft.frontmatter, file_id: bodyHex.slice(0, 12) }),
	};
}

/** The note text for a draft at a path: `file_id` hashes the body with that path (premade when it was, see PremadeNote). */
export async function finalNote(draft: NoteDraft, path: string, sha256?: Sha256Text): Promise<string> {
	const made = premadeNoteOf(draft, path);
	if (made) return made.text;
	return composeNote({ ...draft.frontmatter, file_id: await fileIdOfDraft(draft, path, sha256) }, draft.body);
}
