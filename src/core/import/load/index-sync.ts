import { editFrontmatter, splitFrontmatter } from "../../notes/frontmatter";
import { parseYaml } from "../../yaml/parse";
import { composeNote } from "../transform/render-note";
import type { NoteFrontmatter } from "../transform/note-frontmatter";
import type { Sha256Text } from "../../ports/sha256";
import { noteHash, noteHashLike } from "../../util/note-hash";
import { ProviderSchema } from "../../model/conversation";
import type { Logger } from "../../ports/logger";
import type { StagingStore } from "../../ports/staging-store";
import { ImportIndex, type ImportIndexRecord } from "./import-index";
import { sourceIdentity } from "./vault-note-finder";

/**
 * What organize tells the import index (issue 16.3: one truth for both): a note it moved, or rewrote. Organize
 * apply and undo call it for every change they make to a note, so the index follows imported notes to their new
 * path, and its hash covers organize's own edits (genre, topic, normalised keys, cleaned whitespace). A re-import
 * then finds the note where it is and sees it as the import left it, unless the user edited it: an edit made
 * before organize stays an edit (the hash is carried over only when the note was as the import wrote it).
 */
export interface NoteChangeListener {
	/** A note was rewritten in place (`before` → `after`). */
	modified(path: string, before: string, after: string): Promise<void>;
	/** A note moved (its text unchanged). */
	moved(from: string, to: string): Promise<void>;
}

export class ImportIndexSync implements NoteChangeListener {
	/** How many index records the changes updated (for tests and logs). */
	updated = 0;

	constructor(
		private readonly index: ImportIndex,
		private readonly sha256?: Sha256Text,
	) {}

	async modified(path: string, before: string, after: string): Promise<void> {
		const ids = sourceIdentity(before);
		const provider = ids ? ProviderSchema().safeParse(ids.source) : null;
		const entry = ids && provider?.success ? await this.index.recordOf(provider.data, ids.sourceId) : await this.index.recordAt(path);
		if (!entry) return; // not a note an import wrote
		// The note as the import (or an earlier organize) left it: organize's edit is ours too.
		const asWritten = (await noteHashLike(entry.hash, before, this.sha256)) === entry.hash;
		if (!asWritten) {
			if (entry.path !== path) this.put({ ...entry, path });
			return;
		}
		this.put({ ...entry, path, hash: await noteHash(after, this.sha256) });
	}

	async moved(from: string, to: string): Promise<void> {
		const entry = await this.index.recordAt(from);
		if (entry) this.put({ ...entry, path: to });
	}

	flush(): Promise<void> {
		return this.index.flush();
	}

	private put(record: ImportIndexRecord): void {
		this.index.record(record);
		this.updated++;
	}
}

/** Runs `fn` with a listener that keeps the import index in step with the notes it changes; the index is written after. */
export async function withImportIndexSync<T>(
	store: StagingStore,
	logger: Logger | undefined,
	fn: (changes: NoteChangeListener) => Promise<T>,
): Promise<T> {
	const sync = new ImportIndexSync(await ImportIndex.open(store, logger));
	try {
		return await fn(sync);
	} finally {
		await sync.flush();
	}
}

/**
 * The keys organize owns in an imported note (it sets them; the import never writes them): kept when a re-import
 * rewrites the note, and not an edit of the user's.
 */
export const ORGANIZE_KEYS = ["genre", "topic", "summary", "normalized"] as const;

const ORGANIZE_KEY_LINE = new RegExp(`^(?:${ORGANIZE_KEYS.join("|")}):`, "m");

/** The organize-owned keys of a note's frontmatter, with their values (none: an empty object). */
export function organizeKeysOf(text: string): Record<string, unknown> {
	const { yaml } = splitFrontmatter(text);
	// Most notes were never organized: no YAML parse for them.
	if (yaml === null || !ORGANIZE_KEY_LINE.test(yaml)) return {};
	return organizeKeysIn(frontmatterValues(yaml) ?? {});
}

function organizeKeysIn(fields: Record<string, unknown>): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const key of ORGANIZE_KEYS) if (fields[key] !== undefined) out[key] = fields[key];
	return out;
}

/** A note's frontmatter as data (null: none, or not a readable mapping). */
function frontmatterValues(yaml: string | null): Record<string, unknown> | null {
	if (yaml === null) return null;
	let value: unknown;
	try {
		value = parseYaml(yaml).value;
	} catch {
		return null;
	}
	return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

const isOrganizeKey = (key: string): boolean => (ORGANIZE_KEYS as readonly string[]).includes(key);

/**
 * Whether a note is the one the import wrote (`hash`: the index's hash of it) but for keys the user added to its
 * frontmatter (a property typed in Obsidian, a key another plugin writes) and the way the frontmatter is laid out:
 * the body and the values of the import's keys (`owned`) are what we wrote. Returns the added keys with their
 * values ({} when none), or null when anything else differs. Two ways to tell, both exact: the note with the added
 * keys taken out (every other line kept) hashes as written; or, when an editor laid the block out again (Obsidian's
 * property editor rewrites it whole), the import's keys written again in our layout, organize's after them, do.
 */
export async function addedKeysOnly(
	text: string,
	hash: string,
	owned: ReadonlySet<string>,
	sha256?: Sha256Text,
): Promise<Record<string, unknown> | null> {
	const { yaml, body } = splitFrontmatter(text);
	const values = frontmatterValues(yaml);
	if (values === null) return null;
	const theirs: Record<string, unknown> = {};
	for (const [key, v] of Object.entries(values)) if (!owned.has(key) && !isOrganizeKey(key)) theirs[key] = v;
	const same = async (candidate: string): Promise<boolean> => (await noteHashLike(hash, candidate, sha256)) === hash;
	const keys = Object.keys(theirs);
	if (keys.length > 0) {
		let stripped: string | null = null;
		try {
			stripped = editFrontmatter(text, (fm) => {
				for (const key of keys) delete fm[key];
			});
		} catch {
			stripped = null;
		}
		if (stripped !== null && (await same(stripped))) return theirs;
	}
	const ours: Record<string, unknown> = {};
	for (const key of owned) if (values[key] !== undefined) ours[key] = values[key];
	let again: string;
	try {
		again = withOrganizeKeys(composeNote(ours as NoteFrontmatter, body), organizeKeysIn(values));
	} catch {
		return null;
	}
	return (await same(again)) ? theirs : null;
}

/** `text` (a note the import renders) with organize's keys of the note it replaces, where it has none of its own. */
export function withOrganizeKeys(text: string, kept: Record<string, unknown>): string {
	if (Object.keys(kept).length === 0) return text;
	return editFrontmatter(text, (fm) => {
		for (const [key, value] of Object.entries(kept)) if (fm[key] === undefined) fm[key] = value;
	});
}
