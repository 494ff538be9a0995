import type * as z from "../model/zod";
import type { Logger } from "../ports/logger";
import type { StagingStore } from "../ports/staging-store";
import { yieldWhenSliceOverOnUi } from "../util/timers";

/** Appends waiting or running per store and file: appends to one file run one after another. */
const appendQueues = new WeakMap<StagingStore, Map<string, Promise<void>>>();

/**
 * Appends records as JSON lines, in one append call (one line each, newline-terminated). Appends to the same
 * file through the same store run one at a time, in call order: the import's stages log at the same time, and an
 * adapter's append need not be atomic.
 */
export function appendJsonl(store: StagingStore, path: string, records: readonly unknown[]): Promise<void> {
	if (records.length === 0) return Promise.resolve();
	const text = records.map((r) => JSON.stringify(r)).join("\n") + "\n";
	return appendQueued(store, path, () => store.append(path, text));
}

/**
 * Appends lines already made (each followed by a line break), in the same per-file queue as appendJsonl, through
 * the store's appendLines when it has one (no joined string).
 */
export function appendLinesQueued(store: StagingStore, path: string, lines: readonly string[]): Promise<void> {
	if (lines.length === 0) return Promise.resolve();
	return appendQueued(store, path, () =>
		store.appendLines ? store.appendLines(path, lines) : store.append(path, lines.join("\n") + "\n"),
	);
}

function appendQueued(store: StagingStore, path: string, append: () => Promise<void>): Promise<void> {
	let queues = appendQueues.get(store);
	if (!queues) appendQueues.set(store, (queues = new Map<string, Promise<void>>()));
	const before = queues.get(path) ?? Promise.resolve();
	const mine = before.then(append);
	const settled = mine.catch(() => undefined);
	queues.set(path, settled);
	void settled.then(() => {
		if (queues.get(path) === settled) queues.delete(path);
	});
	return mine;
}

/**
 * Before appending to a log that a crash may have left with a partial last line: terminates that line, so the
 * next record starts on a line of its own (the partial one is then skipped by readers as corrupt).
 * Returns true when a repair was needed.
 */
export async function ensureJsonlLineStart(store: StagingStore, path: string): Promise<boolean> {
	if (!(await endsCutOff(store, path))) return false;
	await store.append(path, "\n");
	return true;
}

/** Whether a file's last byte is not a newline (read alone: a log of any size is never read whole for this). */
export async function endsCutOff(store: StagingStore, path: string): Promise<boolean> {
	if (!(await store.exists(path))) return false;
	const stat = await store.stat(path);
	if (!stat || stat.size === 0) return false;
	const last = await store.readRange(path, stat.size - 1, 1);
	return last.length === 1 && last[0] !== 0x0a;
}

/** Bytes read per ranged read by readLines: a log is never one string, whatever its size. */
export const LINE_SLICE_BYTES = 4 * 1024 * 1024;

/** One line of a file read by readLines. */
export interface FileLine {
	/** The line's text, without its newline (and without a trailing carriage return). */
	text: string;
	/** 1-based. */
	number: number;
	/** The file's last line had no newline after it: a write was cut off. */
	partial: boolean;
	/** Where the line starts in the file, in bytes. */
	offset: number;
	/** The line's length in bytes, without its newline (a trailing carriage return counted). */
	bytes: number;
}

/**
 * The lines of a text file, read in slices through the port's ranged read (at most one slice and one line in
 * memory): how a log, the index or a manifest is read, never as one string. A missing file has no lines.
 */
export async function* readLines(store: StagingStore, path: string, sliceBytes = LINE_SLICE_BYTES): AsyncGenerator<FileLine> {
	const stat = await store.stat(path);
	if (!stat) return;
	const decoder = new TextDecoder();
	let offset = 0;
	let number = 0;
	/** Bytes of a line not ended yet: the tail of earlier slices. */
	let rest: Uint8Array[] = [];
	let restBytes = 0;
	const text = (bytes: Uint8Array): string => {
		const t = decoder.decode(bytes);
		return t.endsWith("\r") ? t.slice(0, -1) : t;
	};
	/** Where the line being read starts in the file. */
	let lineAt = 0;
	while (offset < stat.size) {
		const slice = await store.readRange(path, offset, Math.min(sliceBytes, stat.size - offset));
		if (slice.length === 0) break;
		offset += slice.length;
		let start = 0;
		for (;;) {
			// Byte 0x0a never occurs inside a UTF-8 sequence: lines are split on bytes, decoded one at a time.
			const nl = slice.indexOf(0x0a, start);
			if (nl < 0) break;
			let bytes = slice.subarray(start, nl);
			if (restBytes > 0) {
				bytes = concat([...rest, bytes], restBytes + bytes.length);
				rest = [];
				restBytes = 0;
			}
			number++;
			yield { text: text(bytes), number, partial: false, offset: lineAt, bytes: bytes.length };
			lineAt += bytes.length + 1;
			start = nl + 1;
			// On a UI thread a whole log is read in slices, whatever the reader does with each line (the end-of-run
			// compaction's loops read this directly: one task of over a second at 10,000 items in the browser).
			if (number % 64 === 0) {
				const pause = yieldWhenSliceOverOnUi(10);
				if (pause) await pause;
			}
		}
		if (start < slice.length) {
			rest.push(slice.slice(start));
			restBytes += slice.length - start;
		}
	}
	if (restBytes > 0) yield { text: text(concat(rest, restBytes)), number: number + 1, partial: true, offset: lineAt, bytes: restBytes };
}

function concat(parts: readonly Uint8Array[], length: number): Uint8Array {
	if (parts.length === 1) return parts[0]!;
	const out = new Uint8Array(length);
	let at = 0;
	for (const p of parts) {
		out.set(p, at);
		at += p.length;
	}
	return out;
}

/** A log whose text does not end with a newline: a crash cut its last line off. */
export function isCutOff(text: string): boolean {
	return text !== "" && !text.endsWith("\n");
}

/** ensureJsonlLineStart for a caller that has just read the log's `text` (no second read). */
export async function endCutOffLine(store: StagingStore, path: string, text: string): Promise<boolean> {
	if (!isCutOff(text)) return false;
	await store.append(path, "\n");
	return true;
}

export interface JsonlReadResult<T> {
	records: T[];
	/** Lines skipped: a partial last line (crash), corrupt JSON, or records failing the schema. */
	skipped: number;
}

export interface ReadJsonlOptions<T> {
	schema?: z.ZodMiniType<T>;
	/**
	 * With `schema`: a faster exact check of a value, asked first: what `schema.parse` would give (a new object, unknown
	 * keys left out, keys in the schema's order), or null, when the schema decides (and words the warning). It must
	 * never pass what the schema refuses (a differential test beside each one shows it).
	 */
	check?: (value: unknown) => T | null;
	/** Each skipped line is reported with warn (file, line number, why). */
	logger?: Logger;
}

/** Parses JSONL text; see readJsonl. `path` only names the file in warnings. */
export function parseJsonl<T = unknown>(text: string, path: string, options: ReadJsonlOptions<T> = {}): JsonlReadResult<T> {
	const records: T[] = [];
	let skipped = 0;
	const lines = text.split("\n");
	const lastIndex = lines.length - 1;
	for (let i = 0; i < lines.length; i++) {
		// The last piece has no newline after it: a write was cut off.
		const record = parseLine(lines[i]!.replace(/\r$/, ""), i + 1, i === lastIndex, path, options);
		if (record === SKIPPED) skipped++;
		else if (record !== BLANK) records.push(record);
	}
	return { records, skipped };
}

/**
 * Reads a JSONL log. A missing file is an empty log. A crash leaves at most a partial last line; it (and any
 * corrupt or schema-failing line) is skipped with a warning and counted in `skipped`.
 */
export async function readJsonl<T = unknown>(
	store: StagingStore,
	path: string,
	options: ReadJsonlOptions<T> = {},
): Promise<JsonlReadResult<T>> {
	const records: T[] = [];
	const skipped = await forEachJsonl(store, path, options, (r) => void records.push(r));
	return { records, skipped };
}

/**
 * Reads a JSONL log line by line (see readLines), handing each valid record to `onRecord` as it is read; lines
 * that cannot be read are skipped as in readJsonl. Returns the number skipped. A missing file is an empty log.
 */
export async function forEachJsonl<T = unknown>(
	store: StagingStore,
	path: string,
	options: ReadJsonlOptions<T>,
	onRecord: (record: T, line: FileLine) => void,
): Promise<number> {
	let skipped = 0;
	for await (const line of readLines(store, path)) {
		const record = parseLine(line.text, line.number, line.partial, path, options);
		if (record === SKIPPED) skipped++;
		else if (record !== BLANK) onRecord(record, line);
	}
	return skipped;
}

const SKIPPED = Symbol("skipped");
const BLANK = Symbol("blank");

/** One line of a JSONL log: its record, BLANK for an empty line, or SKIPPED (warned) when it cannot be read. */
function parseLine<T>(
	line: string,
	number: number,
	partial: boolean,
	path: string,
	options: ReadJsonlOptions<T>,
): T | typeof SKIPPED | typeof BLANK {
	if (line.trim() === "") return BLANK;
	let value: unknown;
	try {
		value = JSON.parse(line);
	} catch {
		options.logger?.warn(
			partial ? `${path}: skipping a partial last line ${number} (interrupted write)` : `${path}: skipping corrupt line ${number}`,
			{ path, line: number },
		);
		return SKIPPED;
	}
	if (!options.schema) return value as T;
	const checked = options.check?.(value);
	if (checked) return checked;
	const parsed = options.schema.safeParse(value);
	if (parsed.success) return parsed.data;
	const issue = parsed.error.issues[0];
	const field = issue ? issue.path.map(String).join(".") || "(root)" : "(root)";
	options.logger?.warn(`${path}: skipping line ${number}: field "${field}": ${issue?.message ?? "invalid"}`, { path, line: number });
	return SKIPPED;
}
