import * as z from "../../model/zod";
import { KeyedJsonl } from "../../logs/keyed-jsonl";
import type { Logger } from "../../ports/logger";
import type { StagingStore } from "../../ports/staging-store";
import { ProviderSchema, type Provider } from "../../model/conversation";
import { PROVIDER_IDS } from "../../model/providers";
import { isRecord } from "../extract/normalize/text-utils";
import type { IndexedNote } from "./load-decision";
import { RenderStampSchema } from "../transform/note-draft";

/**
 * What the import wrote, across sessions: source_id → note path, a hash of the exact text written, and the
 * source's updated time, and how it was rendered. Append-only JSONL (the latest record of a source wins), so a crash costs at most the
 * last line, and writing one record never rewrites the file.
 */
export const IMPORT_INDEX_FILE = ".staging/@index/import-index.jsonl";

export const ImportIndexRecordSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.object({
		provider: ProviderSchema(),
		source_id: z.string(),
		path: z.string(),
		hash: z.string(),
		source_updated: z.nullable(z.string()),
		session_id: z.string(),
		written_at: z.string(),
		/** The knowledge transform's key when an LLM wrote the note (see NoteDraft.llm_key). */
		llm_key: z.optional(z.string()),
		/** How the note was rendered (renderer version and options); absent in records of earlier versions and for knowledge notes. */
		render: z.optional(RenderStampSchema()),
		/** The conversation's messages when the note was written: how many, and the last one's id (new messages are the ones after it). */
		messages: z.optional(z.object({ count: z.number().check(z.int(), z.nonnegative()), last: z.nullable(z.string()) })),
		/** The note holds text of the user's (new messages were appended below it): never rewritten whole again. */
		user_text: z.optional(z.literal(true)),
	}),
);
export type ImportIndexRecord = z.infer<ReturnType<typeof ImportIndexRecordSchema>>;

const PROVIDERS: ReadonlySet<string> = new Set(PROVIDER_IDS);
const isInt = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v);

/**
 * ImportIndexRecordSchema's parse, written out (KeyedJsonlOptions.check): what the schema gives for a record it
 * takes, or null for the schema to decide. A re-import reads every record of the index twice (at open, and when its
 * conversation comes); zod's checks of them were a tenth of an unchanged re-import's command thread (issue 20).
 * The differential test in import-index.test.ts holds it to the schema.
 */
export function importIndexRecordOf(v: unknown): ImportIndexRecord | null {
	if (!isRecord(v)) return null;
	const { provider, source_id, path, hash, source_updated, session_id, written_at, llm_key, render, messages, user_text } = v;
	if (typeof provider !== "string" || !PROVIDERS.has(provider)) return null;
	if (typeof source_id !== "string" || typeof path !== "string" || typeof hash !== "string") return null;
	if (source_updated !== null && typeof source_updated !== "string") return null;
	if (typeof session_id !== "string" || typeof written_at !== "string") return null;
	if (llm_key !== undefined && typeof llm_key !== "string") return null;
	if (user_text !== undefined && user_text !== true) return null;
	const record: ImportIndexRecord = {
		provider: provider as ImportIndexRecord["provider"],
		source_id,
		path,
		hash,
		source_updated,
		session_id,
		written_at,
	};
	if (llm_key !== undefined) record.llm_key = llm_key;
	if (render !== undefined) {
		if (!isRecord(render) || !isInt(render.version) || typeof render.include_thinking !== "boolean" || typeof render.time_zone !== "string")
			return null;
		record.render = { version: render.version, include_thinking: render.include_thinking, time_zone: render.time_zone };
	}
	if (messages !== undefined) {
		if (!isRecord(messages) || !isInt(messages.count) || messages.count < 0) return null;
		if (messages.last !== null && typeof messages.last !== "string") return null;
		record.messages = { count: messages.count, last: messages.last };
	}
	if (user_text !== undefined) record.user_text = true;
	return record;
}

/**
 * The index in memory is a hash of each source's key and where its latest line is (see KeyedJsonl): tens of bytes
 * per conversation, whatever the records hold, so a vault of a million imported conversations opens in a few tens
 * of MB. A lookup reads that line back.
 */
export class ImportIndex {
	private constructor(private readonly file: KeyedJsonl<ImportIndexRecord>) {}

	static async open(store: StagingStore, logger?: Logger, file = IMPORT_INDEX_FILE): Promise<ImportIndex> {
		// Line by line, each record's key and place kept as it is read: the file is never one string, nor its records objects.
		return new ImportIndex(
			await KeyedJsonl.open(store, file, {
				schema: ImportIndexRecordSchema(),
				check: importIndexRecordOf,
				key: (r) => key(r.provider, r.source_id),
				second: { of: (r) => r.path },
				...(logger ? { logger } : {}),
			}),
		);
	}

	get size(): number {
		return this.file.size;
	}

	async get(provider: Provider, sourceId: string): Promise<IndexedNote | null> {
		const r = await this.file.get(key(provider, sourceId));
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
	recordOf(provider: Provider, sourceId: string): Promise<ImportIndexRecord | null> {
		return this.file.get(key(provider, sourceId));
	}

	/** The record whose note is at `path` (the latest record of a source that is there now), or null. */
	recordAt(path: string): Promise<ImportIndexRecord | null> {
		return this.file.getBySecond(path, true);
	}

	/** Calls `fn` with every source's latest record, in file order (see as-written.ts, the one reader of them all). */
	forEachRecord(fn: (record: ImportIndexRecord) => void): Promise<void> {
		return this.file.forEachLatest(fn);
	}

	/** Records a write (found at once; on disk at the next flush). */
	record(r: ImportIndexRecord): void {
		this.file.put(r);
	}

	/** How many records were made so far (see flush). */
	mark(): number {
		return this.file.mark();
	}

	/** Appends the records made before the call, or before `mark()` gave `upTo` (one flush at a time). */
	flush(upTo?: number): Promise<void> {
		return this.file.flush(upTo);
	}
}

function key(provider: Provider, sourceId: string): string {
	return `${provider}\u0000${sourceId}`;
}
