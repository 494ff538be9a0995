import * as z from "../../model/zod";
import { KeyedJsonl } from "../../logs/keyed-jsonl";
import type { Logger } from "../../ports/logger";
import type { StagingStore } from "../../ports/staging-store";

/**
 * The files the import brought into the vault, across sessions: what each is (an export file by its id, an
 * artifact by conversation and id), where it went and the SHA-256 of what was written. A re-import finds a file here
 * and copies nothing; the same bytes under another id go to the file already there. Append-only JSONL like the
 * import index (the latest record of a key wins).
 */
export const ATTACHMENT_INDEX_FILE = ".staging/@index/attachments.jsonl";

export const AttachmentRecordSchema = /* @__PURE__ */ z.lazySchema(() =>
	z.object({
		key: z.string(),
		path: z.string(),
		sha256: z.string(),
		size: z.number(),
		session_id: z.string(),
	}),
);
export type AttachmentRecord = z.infer<ReturnType<typeof AttachmentRecordSchema>>;

/** On disk like the import index (see KeyedJsonl): per key a hash and a place in memory, the record read back when asked. */
export class AttachmentIndex {
	private constructor(private readonly file: KeyedJsonl<AttachmentRecord>) {}

	static async open(store: StagingStore, logger?: Logger, file = ATTACHMENT_INDEX_FILE): Promise<AttachmentIndex> {
		return new AttachmentIndex(
			await KeyedJsonl.open(store, file, {
				schema: AttachmentRecordSchema(),
				key: (r) => r.key,
				second: { of: (r) => r.sha256 },
				...(logger ? { logger } : {}),
			}),
		);
	}

	get(key: string): Promise<AttachmentRecord | null> {
		return this.file.get(key);
	}

	/** The path a file with these bytes was written to (the latest record of them), if any. */
	async pathForHash(sha256: string): Promise<string | null> {
		return (await this.file.getBySecond(sha256))?.path ?? null;
	}

	record(r: AttachmentRecord): void {
		this.file.put(r);
	}

	flush(): Promise<void> {
		return this.file.flush();
	}
}
