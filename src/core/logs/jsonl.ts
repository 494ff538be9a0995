import type * as z from "zod";
import type { Logger } from "../ports/logger";
import type { StagingStore } from "../ports/staging-store";

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
	let queues = appendQueues.get(store);
	if (!queues) appendQueues.set(store, (queues = new Map<string, Promise<void>>()));
	const before = queues.get(path) ?? Promise.resolve();
	const mine = before.then(() => store.append(path, text));
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
	if (!(await store.exists(path))) return false;
	return endCutOffLine(store, path, await store.read(path));
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
	schema?: z.ZodType<T>;
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
		const line = lines[i]!.replace(/\r$/, "");
		if (line.trim() === "") continue;
		const partial = i === lastIndex; // no newline after it: the write was cut off
		let value: unknown;
		try {
			value = JSON.parse(line);
		} catch {
			skipped++;
			options.logger?.warn(
				partial ? `${path}: skipping a partial last line ${i + 1} (interrupted write)` : `${path}: skipping corrupt line ${i + 1}`,
				{ path, line: i + 1 },
			);
			continue;
		}
		if (options.schema) {
			const parsed = options.schema.safeParse(value);
			if (!parsed.success) {
				skipped++;
				const issue = parsed.error.issues[0];
				const field = issue ? issue.path.map(String).join(".") || "(root)" : "(root)";
				options.logger?.warn(`${path}: skipping line ${i + 1}: field "${field}": ${issue?.message ?? "invalid"}`, { path, line: i + 1 });
				continue;
			}
			records.push(parsed.data);
		} else {
			records.push(value as T);
		}
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
	if (!(await store.exists(path))) return { records: [], skipped: 0 };
	return parseJsonl(await store.read(path), path, options);
}
