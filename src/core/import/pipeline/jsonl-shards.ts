import type { Logger } from "../../ports/logger";
import type { StagingStore } from "../../ports/staging-store";
import { endCutOffLine, parseJsonl } from "../../logs/jsonl";
import type * as z from "../../model/zod";
import { FingerprintList } from "../../util/hash64";
import { yieldWhenSliceOverOnUi } from "../../util/timers";

/**
 * Records of a stage's output as numbered JSONL files (`<prefix>-0001.jsonl`, `-0002`, …), rolled over every
 * `perFile` records so that no single file grows past what the Obsidian adapter can read in one go (an export of
 * a gigabyte never becomes one string). Appends are batched; `flush()` writes what is pending.
 */
/** Records per shard file (see ShardWriter). */
export const SHARD_RECORDS = 100;

/**
 * The ids of the records in each shard file, in order (as fingerprints, 8 bytes each: a million conversations'
 * ids as strings would be ~80 MB), for files a writer made itself and wrote every line of with an id: the
 * session's compaction decides from it which files to keep or remove without reading them back.
 */
export type ShardLedger = Map<string, FingerprintList>;

export class ShardWriter {
	/** Told after each flush how many records are on disk so far, in all (extract's run-ahead hand-off reads them back). */
	onFlushed?: (records: number) => void;
	/** Filled for the files this writer makes (see ShardLedger). */
	ledger?: ShardLedger;
	private flushedRecords = 0;
	private pending: string[] = [];
	private pendingIds: (string | undefined)[] = [];
	private pendingBytes = 0;
	private fileIndex = 1;
	private inFile = 0;
	private started = false;
	/** The shard files there before this writer started (it may append to the last one: not in the ledger). */
	private existing = new Set<string>();

	constructor(
		private readonly store: StagingStore,
		private readonly dir: string,
		private readonly prefix: string,
		// A reader holds one shard at a time as text, lines, parsed and validated records (~5× the file): 100 records
		// keep that near 10 MB; 1,000 made it the import's peak (620 MB export: 581 MB peak RSS).
		private readonly perFile = SHARD_RECORDS,
		private readonly flushBytes = 4 * 1024 * 1024,
	) {}

	/** Continues after the shards already there (a resume appends; it never rewrites). */
	private async start(): Promise<void> {
		if (this.started) return;
		this.started = true;
		const files = await shardFiles(this.store, this.dir, this.prefix);
		this.existing = new Set(files);
		const last = files[files.length - 1];
		if (last === undefined) return;
		this.fileIndex = files.length;
		const text = await this.store.read(last);
		await endCutOffLine(this.store, last, text);
		this.inFile = text.split("\n").filter((l) => l.trim() !== "").length;
	}

	/** Queues a record, as its `JSON.stringify` (the caller's, which may have it already), and its id for the ledger. */
	async writeLine(line: string, id?: string): Promise<void> {
		await this.start();
		if (this.inFile >= this.perFile) {
			await this.flush();
			this.fileIndex++;
			this.inFile = 0;
		}
		this.pending.push(line);
		this.pendingIds.push(id);
		this.pendingBytes += line.length;
		this.inFile++;
		if (this.pendingBytes >= this.flushBytes) await this.flush();
	}

	async flush(): Promise<void> {
		if (this.pending.length === 0) return;
		const lines = this.pending;
		const records = this.pending.length;
		const ids = this.pendingIds;
		this.pending = [];
		this.pendingIds = [];
		this.pendingBytes = 0;
		const path = shardPath(this.dir, this.prefix, this.fileIndex);
		if (this.store.appendLines) await this.store.appendLines(path, lines);
		else await appendInPieces(this.store, path, lines);
		if (this.ledger) {
			// Only a file this writer made, every line of it with an id, is known line by line.
			const known = this.existing.has(path)
				? undefined
				: (this.ledger.get(path) ?? (this.inFile === records ? new FingerprintList() : undefined));
			if (known && ids.every((id) => id !== undefined)) {
				for (const id of ids) known.push(id);
				this.ledger.set(path, known);
			} else this.ledger.delete(path);
		}
		this.flushedRecords += records;
		this.onFlushed?.(this.flushedRecords);
	}
}

/** Characters of lines joined into one append by a store without appendLines (see appendInPieces). */
export const APPEND_PIECE_CHARS = 512 * 1024;

/**
 * Lines appended to `path` through a store that takes only text (Obsidian's adapter): joined a piece of about
 * APPEND_PIECE_CHARS at a time, each piece one flat string (the line break after its last line joined in: one added
 * to the joined text made a rope, which the adapter's encoder flattens slowly), with a yield between pieces on a UI
 * thread. One join of a whole flush (up to 4 MiB) and its encoding made tasks of 100 ms and more on Obsidian's UI
 * thread (issue 17).
 */
async function appendInPieces(store: StagingStore, path: string, lines: readonly string[]): Promise<void> {
	let from = 0;
	while (from < lines.length) {
		let to = from;
		let chars = 0;
		while (to < lines.length && (to === from || chars + lines[to]!.length < APPEND_PIECE_CHARS)) chars += lines[to++]!.length + 1;
		const piece = lines.slice(from, to);
		piece.push("");
		await store.append(path, piece.join("\n"));
		from = to;
		if (from < lines.length) await yieldWhenSliceOverOnUi(10);
	}
}

export function shardPath(dir: string, prefix: string, index: number): string {
	return `${dir}/${prefix}-${String(index).padStart(4, "0")}.jsonl`;
}

export async function shardFiles(store: StagingStore, dir: string, prefix: string): Promise<string[]> {
	const { files } = await store.list(dir);
	const pattern = new RegExp(`/${prefix}-\\d{4,}\\.jsonl$`);
	return files.filter((f) => pattern.test(`/${f.slice(f.lastIndexOf("/") + 1)}`)).sort();
}

/**
 * Every record of a sharded output, in order, one file in memory at a time. Partial or corrupt lines (a crash
 * mid-append) and records failing the schema are skipped with a warning.
 */
export async function* readShards<T>(
	store: StagingStore,
	dir: string,
	prefix: string,
	schema: z.ZodMiniType<T>,
	logger?: Logger,
): AsyncGenerator<T> {
	for (const file of await shardFiles(store, dir, prefix)) {
		const { records } = parseJsonl(await store.read(file), file, { schema, ...(logger ? { logger } : {}) });
		yield* records;
	}
}

/** Removes every shard (a stage that starts over). */
export async function removeShards(store: StagingStore, dir: string, prefix: string): Promise<void> {
	for (const file of await shardFiles(store, dir, prefix)) await store.remove(file);
}
