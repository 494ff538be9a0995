import type { Logger } from "../../ports/logger";
import type { StagingStore } from "../../ports/staging-store";
import { ConversationSchema } from "../../model/conversation";
import { CONVERSATION_SHARDS, extractOutputDir } from "./extract-stage";
import { shardPath, SHARD_RECORDS } from "./jsonl-shards";
import type { Extracted } from "./transform-stage";

/**
 * The hand-off from extract to transform when extract must not wait for the stages after it ("extract runs
 * ahead"): the plugin's import, where Obsidian may quit at any moment and the export (a browser File) cannot be
 * opened again after a restart. Extract writes every conversation to `extract/output/` as it reads; once that is
 * done the session no longer needs the export.
 *
 * Up to `capacity` conversations are handed over in memory, as the bounded Channel does. When transform is
 * further behind than that, extract does not wait: from that item on, conversations are only on disk, and
 * transform reads them back from the shards, in order, as they are flushed. The n-th conversation handed over is
 * the n-th line extract wrote (a fresh extract: it starts with no shards, and writes each conversation it hands
 * over exactly once, in the same order), so the reader finds it at shard n / SHARD_RECORDS, line n % SHARD_RECORDS.
 * Memory stays bounded: `capacity` conversations, plus one shard being read back.
 */
export class RunAheadHandOff implements AsyncIterable<Extracted> {
	private readonly queue: Extracted[] = [];
	private head = 0;
	/** Conversations handed over so far (= lines extract wrote for them). */
	private pushed = 0;
	/** From this conversation on, everything is read back from the shards (null: all in memory so far). */
	private spilledFrom: number | null = null;
	/** Lines extract has flushed to the shards. */
	private flushed = 0;
	private closed = false;
	private aborted = false;
	private wakeConsumer: (() => void) | null = null;
	/** Conversations read back from disk, for a log line at the end. */
	readBack = 0;

	constructor(
		private readonly store: StagingStore,
		private readonly sessionId: string,
		private readonly logger: Logger,
		private readonly capacity = 32,
	) {}

	/** Hands a conversation over; never waits (see the class). */
	push(item: Extracted): Promise<void> {
		if (this.closed) return Promise.reject(new Error("push after close"));
		if (this.aborted) return Promise.resolve();
		const n = this.pushed++;
		if (this.spilledFrom === null && this.queue.length - this.head >= this.capacity) this.spilledFrom = n;
		if (this.spilledFrom === null) this.queue.push(item);
		this.wake();
		return Promise.resolve();
	}

	/** Extract flushed lines to its shards: `total` lines so far. */
	written(total: number): void {
		this.flushed = total;
		this.wake();
	}

	close(): void {
		this.closed = true;
		this.wake();
	}

	/** Stops at once: the consumer ends, later pushes are dropped. */
	abort(): void {
		this.aborted = true;
		this.queue.length = 0;
		this.head = 0;
		this.wake();
	}

	private wake(): void {
		const w = this.wakeConsumer;
		this.wakeConsumer = null;
		w?.();
	}

	private waitForChange(): Promise<void> {
		return new Promise<void>((resolve) => (this.wakeConsumer = resolve));
	}

	async *[Symbol.asyncIterator](): AsyncIterator<Extracted> {
		let next = 0;
		// The shard being read back: its number and its lines (null: none read yet).
		let file: { index: number; lines: string[] } | null = null;
		try {
			while (!this.aborted) {
				if (this.spilledFrom === null || next < this.spilledFrom) {
					// Every conversation before the spill point is in the queue.
					if (this.head < this.queue.length) {
						const item = this.queue[this.head]!;
						this.queue[this.head] = undefined as unknown as Extracted; // let it be collected
						this.head++;
						if (this.head > 1024 && this.head * 2 > this.queue.length) {
							this.queue.splice(0, this.head);
							this.head = 0;
						}
						next++;
						yield item;
						continue;
					}
					if (this.spilledFrom === null) {
						if (this.closed) return;
						await this.waitForChange();
						continue;
					}
				}
				// Read back from the shards: conversation `next` is line next % SHARD_RECORDS of shard next / SHARD_RECORDS + 1.
				if (next >= this.pushed) {
					if (this.closed) return;
					await this.waitForChange();
					continue;
				}
				if (next >= this.flushed) {
					await this.waitForChange();
					continue;
				}
				const index = Math.floor(next / SHARD_RECORDS) + 1;
				const line = next % SHARD_RECORDS;
				if (!file || file.index !== index || file.lines.length <= line) {
					const path = shardPath(extractOutputDir(this.sessionId), CONVERSATION_SHARDS, index);
					const text = await this.store.read(path);
					const lines = text.split("\n");
					if (!text.endsWith("\n"))
						lines.pop(); // a line still being appended is not whole yet
					else lines.pop(); // the empty string after the last newline
					file = { index, lines };
					if (lines.length <= line) {
						// Flushed lines must be there; if not, the shard is not what extract wrote: stop rather than skip.
						throw new Error(`${path}: line ${line + 1} was written but is not there (the session's files changed during the run)`);
					}
				}
				const text = file.lines[line]!;
				next++;
				let value: unknown;
				try {
					value = JSON.parse(text);
				} catch {
					this.logger.warn(`extract output, conversation ${next}: unreadable line; skipped`);
					continue;
				}
				const parsed = ConversationSchema.safeParse(value);
				if (!parsed.success) {
					this.logger.warn(
						`extract output, conversation ${next}: not a conversation (${parsed.error.issues[0]?.message ?? "invalid"}); skipped`,
					);
					continue;
				}
				this.readBack++;
				yield { conversation: parsed.data };
			}
		} finally {
			// The consumer stopped early: the producer is never left waiting (push never waits), later items are dropped.
			if (!this.closed) this.aborted = true;
		}
	}
}
