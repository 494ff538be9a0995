import type { Logger } from "../../ports/logger";
import type { StagingStore } from "../../ports/staging-store";
import { ConversationSchema, type Conversation } from "../../model/conversation";
import type { ConversationFacts } from "../../model/conversation-facts";
import { stageOutputDir } from "../../session/paths";
import { CONVERSATION_SHARDS, extractOutputDir } from "./extract-stage";
import { shardPath, SHARD_RECORDS } from "./jsonl-shards";
import type { Extracted, NoteDraft } from "./transform-stage";

/**
 * Spilled drafts (and lines) kept in memory before any is written: a backlog this size costs no disk round trip
 * (UTF-8 out, and back, on the UI thread); beyond it memory stays bounded by writing them out.
 */
const SPILL_MEMORY_CHARS = 32 * 2 ** 20;

/** Where spilled note drafts wait (see RunAheadHandOff): `transform/output/spilled-drafts-0001.jsonl`, … */
export function spilledDraftsPath(sessionId: string, file: number): string {
	return shardPath(stageOutputDir(sessionId, "import", "transform"), "spilled-drafts", file);
}

/** A spilled conversation's draft as it waits on disk (its line follows it in the file). */
interface SpilledDraft {
	facts?: ConversationFacts;
	draft: NoteDraft;
}

/** A spilled conversation kept with its draft: the draft and the conversation's JSON line. */
interface Kept {
	spilled: SpilledDraft;
	line: string;
}

/** A spilled item as it waits: kept as it came, already made its two lines (past the memory budget), or null (read from the shards). */
type Spilled = Kept | string | null;

/** A drafts file being read back: item `i` of it. */
interface SpillCache {
	file: number;
	at: (i: number) => Kept | null;
}

/** The characters an item stands for: its line, its draft's texts, and room for the rest of the draft. */
function charsOf(k: Kept): number {
	const d = k.spilled.draft;
	return k.line.length + (d.body?.length ?? 0) + (d.append && "transcript" in d.append ? d.append.transcript.length : 0) + 1024;
}

/** An item's two lines in a drafts file: the draft's JSON, the conversation's line. */
function linesOf(k: Kept): string {
	return `${JSON.stringify(k.spilled)}\n${k.line}`;
}

function keptOf(item: Spilled | undefined): Kept | null {
	if (item === undefined || item === null) return null;
	if (typeof item !== "string") return item;
	const cut = item.indexOf("\n");
	return { spilled: JSON.parse(item.slice(0, cut)) as SpilledDraft, line: item.slice(cut + 1) };
}

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
 *
 * A spilled conversation that came with its note draft and its JSON line (the plugin's reader renders drafts in
 * its Web Worker) keeps both: SHARD_RECORDS of them a file, each as two lines (the draft's JSON, the
 * conversation's line), in `transform/output/spilled-drafts-*.jsonl`, written once and read back once; the line
 * is parsed only if a stage asks for the conversation. Without this the UI thread parsed, validated and rendered
 * again every conversation past the spill point, most of a large import, and read each shard back as it grew
 * (issue 17). Each drafts file is removed once read back; what is left is removed when the hand-off ends. The
 * first SPILL_MEMORY_CHARS of them stay in memory instead (most imports never write one).
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
	/**
	 * Spilled items of the drafts file being filled: each kept as it came (its draft an object, never made JSON) while
	 * the drafts kept in memory stay within the budget, else already as its two lines (see spillDraft).
	 */
	private spillItems: Spilled[] = [];
	/** Characters the items being filled stand for (see charsOf). */
	private spillItemsChars = 0;
	private spillFilesWritten = 0;
	private readonly spillWrites = new Map<number, Promise<void>>();
	private spillError: Error | null = null;
	/** Full drafts files kept in memory instead of written (while they hold less than SPILL_MEMORY_CHARS). */
	private readonly spillInMemory = new Map<number, { items: Spilled[]; chars: number }>();
	private spillInMemoryChars = 0;

	constructor(
		private readonly store: StagingStore,
		private readonly sessionId: string,
		private readonly logger: Logger,
		private readonly capacity = 32,
		/** See SPILL_MEMORY_CHARS (tests make it 0: every drafts file written). */
		private readonly spillMemoryChars = SPILL_MEMORY_CHARS,
	) {}

	/** Hands a conversation over; never waits (see the class). */
	push(item: Extracted): Promise<void> {
		if (this.closed) return Promise.reject(new Error("push after close"));
		if (this.aborted) return Promise.resolve();
		const n = this.pushed++;
		if (this.spilledFrom === null && this.queue.length - this.head >= this.capacity) this.spilledFrom = n;
		if (this.spilledFrom === null) this.queue.push(item);
		else this.spillDraft(item);
		this.wake();
		return Promise.resolve();
	}

	/**
	 * Keeps a spilled conversation's draft (see the class); a full file of them is kept or written without waiting.
	 * While the drafts fit in memory they stay objects: no `JSON.stringify` of each draft on the UI thread, and no
	 * `JSON.parse` when it is read back (issue 17). Past that, each is made its JSON line here, one at a time.
	 */
	private spillDraft(item: Extracted): void {
		const kept: Kept | null =
			item.draft && item.line !== undefined
				? { spilled: { draft: item.draft, ...(item.facts ? { facts: item.facts } : {}) }, line: item.line }
				: null;
		const chars = kept ? charsOf(kept) : 2;
		const inMemory = this.spillInMemoryChars + this.spillItemsChars + chars <= this.spillMemoryChars;
		this.spillItems.push(inMemory || !kept ? kept : linesOf(kept));
		this.spillItemsChars += chars;
		if (this.spillItems.length < SHARD_RECORDS) return;
		this.flushSpill();
	}

	private flushSpill(): void {
		if (this.spillItems.length === 0) return;
		const file = ++this.spillFilesWritten;
		const items = this.spillItems;
		const chars = this.spillItemsChars;
		this.spillItems = [];
		this.spillItemsChars = 0;
		if (this.spillInMemoryChars + chars <= this.spillMemoryChars) {
			this.spillInMemory.set(file, { items, chars });
			this.spillInMemoryChars += chars;
			return;
		}
		// Two lines an item (empty ones for an item read back from the shards).
		const text = `${items.map((k) => (k === null ? "\n" : typeof k === "string" ? k : linesOf(k))).join("\n")}\n`;
		this.spillWrites.set(
			file,
			this.store.write(spilledDraftsPath(this.sessionId, file), text).catch((e: unknown) => {
				this.spillError ??= e instanceof Error ? e : new Error(String(e));
			}),
		);
	}

	/** What was kept of spilled conversation `j` (0: the first spilled), or null when it is read from the shards. */
	private async spilledDraft(j: number, cache: SpillCache | null): Promise<{ kept: Kept | null; cache: SpillCache | null }> {
		const file = Math.floor(j / SHARD_RECORDS) + 1;
		const at = j % SHARD_RECORDS;
		if (file > this.spillFilesWritten) {
			// The file being filled: its items are still here.
			return { kept: keptOf(this.spillItems[at]), cache };
		}
		const inMemory = this.spillInMemory.get(file);
		if (inMemory) {
			this.spillInMemory.delete(file);
			this.spillInMemoryChars -= inMemory.chars;
			const items = inMemory.items;
			cache = { file, at: (i) => keptOf(items[i]) };
		}
		if (!cache || cache.file !== file) {
			await this.spillWrites.get(file);
			if (this.spillError) throw this.spillError;
			const path = spilledDraftsPath(this.sessionId, file);
			const lines = new TextLines(await this.store.read(path));
			this.spillWrites.delete(file);
			await this.store.remove(path);
			cache = {
				file,
				at: (i) => {
					const draft = lines.line(2 * i);
					const line = lines.line(2 * i + 1);
					return draft && typeof line === "string" ? { spilled: JSON.parse(draft) as SpilledDraft, line } : null;
				},
			};
		}
		return { kept: cache.at(at), cache };
	}

	/** Removes the drafts files not read back (a run stopped early). */
	private async removeSpilled(): Promise<void> {
		const files = [...this.spillWrites];
		this.spillWrites.clear();
		for (const [file, written] of files) {
			await written;
			await this.store.remove(spilledDraftsPath(this.sessionId, file)).catch(() => undefined);
		}
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

	// Long on purpose: a generator's state (the shard being read back, the spill, the next number) lives in its locals.
	async *[Symbol.asyncIterator](): AsyncIterator<Extracted> {
		let next = 0;
		// The shard being read back: its number and its lines (null: none read yet).
		let file: { index: number; lines: TextLines } | null = null;
		// The drafts file being read back (see spilledDraft).
		let drafts: SpillCache | null = null;
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
				// Kept with its draft (see the class): nothing to read from the shards.
				const spilled = await this.spilledDraft(next - this.spilledFrom, drafts);
				drafts = spilled.cache;
				if (spilled.kept) {
					next++;
					this.readBack++;
					const { spilled: kept, line } = spilled.kept;
					yield readBackWithDraft(line, kept.draft, kept.facts, path(this.sessionId, next));
					continue;
				}
				if (next >= this.flushed) {
					await this.waitForChange();
					continue;
				}
				const index = Math.floor(next / SHARD_RECORDS) + 1;
				const line = next % SHARD_RECORDS;
				let text = file?.index === index ? file.lines.line(line) : null;
				if (text === null) {
					const path = shardPath(extractOutputDir(this.sessionId), CONVERSATION_SHARDS, index);
					// Only whole lines count (a line still being appended is not whole yet).
					file = { index, lines: new TextLines(await this.store.read(path)) };
					text = file.lines.line(line);
					if (text === null) {
						// Flushed lines must be there; if not, the shard is not what extract wrote: stop rather than skip.
						throw new Error(`${path}: line ${line + 1} was written but is not there (the session's files changed during the run)`);
					}
				}
				next++;
				let value: unknown;
				try {
					value = JSON.parse(text);
				} catch {
					this.logger.warn(`extract output, conversation ${next}: unreadable line; skipped`);
					continue;
				}
				const parsed = ConversationSchema().safeParse(value);
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
			await this.removeSpilled();
		}
	}
}

/** A file's whole lines (each ended by a line break; a line still being appended is not whole yet). */
class TextLines {
	private lines: string[] = [];
	constructor(text: string) {
		this.lines = text.split("\n");
		this.lines.pop(); // what follows the last line break
	}

	/** Line `i` (from 0) without its line break; null when the text has no whole line `i`. */
	line(i: number): string | null {
		return this.lines[i] ?? null;
	}
}

function path(sessionId: string, n: number): string {
	return `${extractOutputDir(sessionId)}, conversation ${n}`;
}

/** A read-back conversation with the draft it came with: its line is parsed (and checked) only if a stage uses it. */
function readBackWithDraft(line: string, draft: NoteDraft, facts: ConversationFacts | undefined, where: string): Extracted {
	let conversation: Conversation | undefined;
	const out: Extracted = {
		get conversation(): Conversation {
			if (conversation) return conversation;
			const parsed = ConversationSchema().safeParse(JSON.parse(line));
			if (!parsed.success) throw new Error(`${where}: not a conversation (${parsed.error.issues[0]?.message ?? "invalid"})`);
			return (conversation = parsed.data);
		},
		draft,
	};
	if (facts) out.facts = facts;
	return out;
}
