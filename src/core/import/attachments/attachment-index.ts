import * as z from "../../model/zod";
import { JsonlAppendLog } from "../../logs/append-log";
import type { Logger } from "../../ports/logger";
import type { StagingStore } from "../../ports/staging-store";

/**
 * The files the import brought into the vault, across sessions: what each is (an export file by its id, an
 * artifact by conversation and id), where it went and the SHA-256 of what was written. A re-import finds a file here
 * and copies nothing; the same bytes under another id go to the file already there. Append-only JSONL like the
 * import index (the latest record of a key wins).
 */
export const ATTACHMENT_INDEX_FILE = ".staging/@index/attachments.jsonl";

export const AttachmentRecordSchema = z.object({
	key: z.string(),
	path: z.string(),
	sha256: z.string(),
	size: z.number(),
	session_id: z.string(),
});
export type AttachmentRecord = z.infer<typeof AttachmentRecordSchema>;

export class AttachmentIndex {
	private readonly byKey = new Map<string, AttachmentRecord>();
	private readonly byHash = new Map<string, string>();

	private constructor(private readonly log: JsonlAppendLog<AttachmentRecord>) {}

	static async open(store: StagingStore, logger?: Logger, file = ATTACHMENT_INDEX_FILE): Promise<AttachmentIndex> {
		const { records, log } = await JsonlAppendLog.open(store, file, AttachmentRecordSchema, logger);
		const index = new AttachmentIndex(log);
		for (const r of records) index.remember(r);
		return index;
	}

	get(key: string): AttachmentRecord | null {
		return this.byKey.get(key) ?? null;
	}

	/** The path a file with these bytes was written to, if any. */
	pathForHash(sha256: string): string | null {
		return this.byHash.get(sha256) ?? null;
	}

	record(r: AttachmentRecord): void {
		this.remember(r);
		this.log.push(r);
	}

	private remember(r: AttachmentRecord): void {
		this.byKey.set(r.key, r);
		this.byHash.set(r.sha256, r.path);
	}

	flush(): Promise<void> {
		return this.log.flush();
	}
}
