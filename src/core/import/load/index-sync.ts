import { parse } from "yaml";
import { editFrontmatter, splitFrontmatter } from "../../notes/frontmatter";
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
		const provider = ids ? ProviderSchema.safeParse(ids.source) : null;
		const entry = ids && provider?.success ? this.index.recordOf(provider.data, ids.sourceId) : this.index.recordAt(path);
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
		const entry = this.index.recordAt(from);
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
	let value: unknown;
	try {
		value = parse(yaml);
	} catch {
		return {};
	}
	if (value === null || typeof value !== "object" || Array.isArray(value)) return {};
	const fields = value as Record<string, unknown>;
	const out: Record<string, unknown> = {};
	for (const key of ORGANIZE_KEYS) if (fields[key] !== undefined) out[key] = fields[key];
	return out;
}

/** `text` (a note the import renders) with organize's keys of the note it replaces, where it has none of its own. */
export function withOrganizeKeys(text: string, kept: Record<string, unknown>): string {
	if (Object.keys(kept).length === 0) return text;
	return editFrontmatter(text, (fm) => {
		for (const [key, value] of Object.entries(kept)) if (fm[key] === undefined) fm[key] = value;
	});
}
