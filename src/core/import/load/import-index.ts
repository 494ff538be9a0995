import * as z from "../../model/zod";
import { JsonlAppendLog } from "../../logs/append-log";
import type { Logger } from "../../ports/logger";
import type { StagingStore } from "../../ports/staging-store";
import { ProviderSchema, type Provider } from "../../model/conversation";
import type { IndexedNote } from "./load-decision";
import { RenderStampSchema } from "../transform/note-draft";

/**
 * What the import wrote, across sessions: source_id → note path, a hash of the exact text written, and the
 * source's updated time, and how it was rendered. Append-only JSONL (the latest record of a source wins), so a crash costs at most the
 * last line, and writing one record never rewrites the file.
 */
export const IMPORT_INDEX_FILE = ".staging/@index/import-index.jsonl";

export const ImportIndexRecordSchema = z.object({
	provider: ProviderSchema,
	source_id: z.string(),
	path: z.string(),
	hash: z.string(),
	source_updated: z.nullable(z.string()),
	session_id: z.string(),
	written_at: z.string(),
	/** The knowledge transform's key when an LLM wrote the note (see NoteDraft.llm_key). */
	llm_key: z.optional(z.string()),
	/** How the note was rendered (renderer version and options); absent in records of earlier versions and for knowledge notes. */
	render: z.optional(RenderStampSchema),
	/** The conversation's messages when the note was written: how many, and the last one's id (new messages are the ones after it). */
	messages: z.optional(z.object({ count: z.number().check(z.int(), z.nonnegative()), last: z.nullable(z.string()) })),
	/** The note holds text of the user's (new messages were appended below it): never rewritten whole again. */
	user_text: z.optional(z.literal(true)),
});
export type ImportIndexRecord = z.infer<typeof ImportIndexRecordSchema>;

export class ImportIndex {
	private byPath: Map<string, ImportIndexRecord> | null = null;

	private constructor(
		private readonly log: JsonlAppendLog<ImportIndexRecord>,
		private readonly entries: Map<string, ImportIndexRecord>,
	) {}

	static async open(store: StagingStore, logger?: Logger, file = IMPORT_INDEX_FILE): Promise<ImportIndex> {
		// Line by line, each record into the map as it is read: the file is never one string, nor an array of records.
		const entries = new Map<string, ImportIndexRecord>();
		const log = await JsonlAppendLog.openEach<ImportIndexRecord>(
			store,
			file,
			ImportIndexRecordSchema,
			(r) => void entries.set(key(r.provider, r.source_id), r),
			logger,
		);
		return new ImportIndex(log, entries);
	}

	get size(): number {
		return this.entries.size;
	}

	get(provider: Provider, sourceId: string): IndexedNote | null {
		const r = this.entries.get(key(provider, sourceId));
		if (!r) return null;
		return {
			path: r.path,
			hash: r.hash,
			sourceUpdated: r.source_updated,
			...(r.llm_key !== undefined ? { llmKey: r.llm_key } : {}),
			...(r.render ? { render: r.render } : {}),
			...(r.messages ? { messages: r.messages } : {}),
			...(r.user_text ? { userText: true } : {}),
		};
	}

	/** The whole record of a source (for carrying it over to a new path or hash). */
	recordOf(provider: Provider, sourceId: string): ImportIndexRecord | null {
		return this.entries.get(key(provider, sourceId)) ?? null;
	}

	/** The record whose note is at `path` (the latest record of each source), or null. Built on first use. */
	recordAt(path: string): ImportIndexRecord | null {
		if (!this.byPath) {
			this.byPath = new Map();
			for (const r of this.entries.values()) this.byPath.set(r.path, r);
		}
		const r = this.byPath.get(path);
		// A later record of the same source may have moved it since the map was built.
		return r && this.entries.get(key(r.provider, r.source_id)) === r ? r : null;
	}

	/** Every source's latest record (see as-written.ts, the one reader of them all). */
	records(): IterableIterator<ImportIndexRecord> {
		return this.entries.values();
	}

	/** Records a write (kept in memory at once; on disk at the next flush). */
	record(r: ImportIndexRecord): void {
		this.entries.set(key(r.provider, r.source_id), r);
		this.byPath?.set(r.path, r);
		this.log.push(r);
	}

	flush(): Promise<void> {
		return this.log.flush();
	}
}

function key(provider: Provider, sourceId: string): string {
	return `${provider}\u0000${sourceId}`;
}
