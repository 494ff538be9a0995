import type * as z from "../model/zod";
import type { Logger } from "../ports/logger";
import type { StagingStore } from "../ports/staging-store";
import { appendJsonl, endsCutOff, forEachJsonl, readJsonl } from "./jsonl";

/**
 * An append-only JSONL file read once at open (line by line) and appended to in batches: the shared mechanics of the vault-level
 * indexes (import index, attachment index). Records are queued by `push` and written by `flush`; when a crash cut
 * the file's last line off, the first flush ends that line before appending, so the cut line stays one bad line.
 */
export class JsonlAppendLog<T> {
	private pending: T[] = [];

	private constructor(
		private readonly store: StagingStore,
		private readonly file: string,
		/** Whether the file's last line was cut off: known from the text read at open, not by reading it again. */
		private cutOff: boolean,
	) {}

	/** Reads the file (absent: no records) and returns its valid records with the log to append to. */
	static async open<S extends z.ZodMiniType>(
		store: StagingStore,
		file: string,
		schema: S,
		logger?: Logger,
	): Promise<{ records: z.infer<S>[]; log: JsonlAppendLog<z.infer<S>> }> {
		// Line by line: the index of a million conversations is never one string.
		const { records } = await readJsonl(store, file, { schema, ...(logger ? { logger } : {}) });
		return { records: records as z.infer<S>[], log: new JsonlAppendLog<z.infer<S>>(store, file, await endsCutOff(store, file)) };
	}

	/** open, handing each valid record to `onRecord` as it is read (no array of them all). */
	static async openEach<R>(
		store: StagingStore,
		file: string,
		schema: z.ZodMiniType<R>,
		onRecord: (record: R) => void,
		logger?: Logger,
	): Promise<JsonlAppendLog<R>> {
		await forEachJsonl(store, file, { schema, ...(logger ? { logger } : {}) }, onRecord);
		return new JsonlAppendLog<R>(store, file, await endsCutOff(store, file));
	}

	push(record: T): void {
		this.pending.push(record);
	}

	async flush(): Promise<void> {
		if (this.pending.length === 0) return;
		if (this.cutOff) {
			await this.store.append(this.file, "\n");
			this.cutOff = false;
		}
		const batch = this.pending;
		this.pending = [];
		await appendJsonl(this.store, this.file, batch);
	}
}
