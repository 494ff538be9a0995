import { splitFrontmatter } from "../../notes/frontmatter";
import type { Sha256Text } from "../../ports/sha256";
import { Sha256, sha256HexAsync } from "../../util/sha256";

/**
 * The note's `file_id`, as in the original system: the first 12 hex digits of
 * SHA-256( UTF-8( content + "\n---\n" + path ) ).
 *
 * - `content` is the note **body**: every character after the frontmatter's closing `---\n` line, exactly as
 *   rendered (so `file_id` never hashes itself, and a frontmatter-only change such as a new session id does not
 *   change it). `renderNote` passes its body; anyone recomputing it from a note file uses `noteBody`.
 * - `path` is the note's vault-relative path with `/` separators (backslashes are turned into `/`), e.g.
 *   `AI Conversations/Claude/Rsync backup script.md`.
 *
 * Identical body and path give an identical id; a conversation that gains messages gets a new one.
 */
export function computeFileId(content: string, notePath: string): string {
	// Two updates, not one concatenated string: the same bytes (the second part starts with "\n", so no surrogate
	// pair can straddle the join), without building a copy of the body.
	return new Sha256().updateText(content).updateText(fileIdSuffix(notePath)).digestHex().slice(0, 12);
}

/**
 * `computeFileId`, hashed by `sha256` (default: the Web Crypto API when the runtime has it, see `sha256HexAsync`).
 * Always the same id as `computeFileId`.
 */
export async function computeFileIdAsync(content: string, notePath: string, sha256: Sha256Text = sha256HexAsync): Promise<string> {
	// One flat string (see composeNote): a concatenation is flattened again by the encoder, slowly.
	return (await sha256([content, fileIdSuffix(notePath)].join(""))).slice(0, 12);
}

/**
 * The SHA-256 state of a draft's body, hashed where the draft was rendered (the plugin's reader worker: see
 * saveBodyHash), kept by draft object: a draft made from it with another body (`{ ...draft, body }`) is another
 * object and is hashed whole. The body's length is kept too, and checked.
 */
const bodyHashes = new WeakMap<object, { saved: string; length: number }>();

/** The SHA-256 state of a note body's UTF-8, as text (see Sha256.save), for `rememberBodyHash` in another thread. */
export function saveBodyHash(body: string): string {
	return new Sha256().updateText(body).save();
}

/**
 * Keeps `saved` (saveBodyHash of `draft.body`) for the draft: its file id then costs only the hash of the path.
 * The draft's `body` must never be changed in place after this (every stage makes `{ ...draft, body }`): only its
 * length is checked, so an in-place edit of the same length would give the old body's file id.
 */
export function rememberBodyHash(draft: { body: string }, saved: string): void {
	bodyHashes.set(draft, { saved, length: draft.body.length });
}

/**
 * `computeFileIdAsync(draft.body, notePath)`, from the body's saved hash when there is one (the UI thread hashes the
 * path's few bytes instead of the whole note: ~2 s of 10,000 notes in the browser profile, issue 17).
 */
export function fileIdOfDraft(draft: { body: string }, notePath: string, sha256?: Sha256Text): Promise<string> {
	const known = bodyHashes.get(draft);
	if (known && known.length === draft.body.length)
		return Promise.resolve(Sha256.resume(known.saved).updateText(fileIdSuffix(notePath)).digestHex().slice(0, 12));
	return computeFileIdAsync(draft.body, notePath, sha256);
}

/** What follows the body in the text a file id hashes: `\n---\n` and the note's path. */
export function fileIdSuffix(notePath: string): string {
	return `\n---\n${notePath.replace(/\\/g, "/")}`;
}

/**
 * The body of a Markdown note: what follows a leading frontmatter block (`---` line … `---` line), or the whole
 * text when there is none. Line endings are kept as they are.
 */
export function noteBody(markdown: string): string {
	return splitFrontmatter(markdown).body;
}
