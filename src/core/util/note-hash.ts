import type { Sha256Text } from "../ports/sha256";
import { sha256HexAsync } from "./sha256";
import { contentHash } from "./content-hash";

/**
 * The import index's fingerprint of a note's text, for telling whether the note changed since the import wrote it:
 * `s2:` + the SHA-256 of its UTF-8 bytes, hashed by the runtime's native SHA-256 where there is one (the Sha256Text
 * port), which is cheaper than the JavaScript `contentHash` that indexes written before held (`c1:`).
 */
export async function noteHash(text: string, sha256: Sha256Text = sha256HexAsync): Promise<string> {
	return `s2:${await sha256(text)}`;
}

/** A text's fingerprint of the same kind as `recorded` (an index entry's), so that the two can be compared. */
export async function noteHashLike(recorded: string, text: string, sha256?: Sha256Text): Promise<string> {
	return recorded.startsWith("c1:") ? contentHash(text) : noteHash(text, sha256);
}
