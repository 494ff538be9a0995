/**
 * The staging store: where sessions live (`.staging/@session/...`). Obsidian's Vault API cannot see
 * dot-folders, so the plugin implements this over `app.vault.adapter`; the CLI over Node's filesystem.
 *
 * All paths are vault-relative, POSIX-style (`a/b/c.json`), never absolute, never containing `..`.
 * Implementations must refuse any path that would escape the vault root.
 */
export interface StagingWriteOptions {
	/**
	 * The file holds notes' text (copies of notes, undo data): created readable by its owner only (0600) where the
	 * platform has file modes. Ignored where it has none (Obsidian's adapter).
	 */
	private?: boolean;
	/**
	 * Flushed to the disk before the call returns (fsync), for a write-ahead record that must hold even across a
	 * power cut. Where the platform cannot (Obsidian's adapter), the write is done as usual.
	 */
	sync?: boolean;
}

export interface StagingStore {
	exists(path: string): Promise<boolean>;
	/** Reads a UTF-8 text file. Rejects when the file does not exist. */
	read(path: string): Promise<string>;
	/**
	 * Writes a UTF-8 text file atomically: a temp file in the same folder, then rename over the target.
	 * A crash leaves either the old content or the new, never half of it. Creates parent folders.
	 */
	writeAtomic(path: string, data: string, options?: StagingWriteOptions): Promise<void>;
	/**
	 * Optional: writeAtomic of the concatenation of `chunks`, written as they come (no string of them all: a file
	 * rewritten from itself, as the load manifest of a million notes is packed, may be tens of megabytes). The
	 * target may be read while the chunks are made; it is replaced only after the last one. Without it, callers
	 * join the chunks and call writeAtomic.
	 */
	writeAtomicFrom?(path: string, chunks: AsyncIterable<string>, options?: StagingWriteOptions): Promise<void>;
	/**
	 * Writes a UTF-8 text file in place, replacing it: cheaper than writeAtomic, but a crash may leave it cut short.
	 * Only for files nothing reads back and that losing costs nothing (the session's copies of notes in
	 * `load/output/`; a resume writes again those of items it redoes). Creates parent folders.
	 */
	write(path: string, data: string, options?: StagingWriteOptions): Promise<void>;
	/**
	 * Creates a file only when nothing is at `path` (creating parent folders); false, touching nothing, when
	 * something is. On Node one exclusive open, so two processes racing for it cannot both win (the vault lock).
	 */
	createExclusive(path: string, data: string): Promise<boolean>;
	/** Appends UTF-8 text (creating the file and parent folders when missing). */
	append(path: string, data: string, options?: StagingWriteOptions): Promise<void>;
	/**
	 * Optional: appends each line followed by a line break, as `append(path, lines.join("\n") + "\n")` would, without
	 * making that one string (a batch of conversations is megabytes). Without it, callers join and append.
	 */
	appendLines?(path: string, lines: readonly string[], options?: StagingWriteOptions): Promise<void>;
	/** Creates a folder and its parents; no error when it exists. */
	mkdir(path: string): Promise<void>;
	/** Lists the direct children of a folder, as vault-relative paths. Empty lists when it does not exist. */
	list(path: string): Promise<{ files: string[]; folders: string[] }>;
	/** Removes a file; no error when it does not exist. */
	remove(path: string): Promise<void>;
	/** Removes a folder and everything below it; no error when it does not exist. */
	removeFolder(path: string): Promise<void>;
	/**
	 * Reads up to `length` bytes of a file from byte `offset`: fewer only at its end, none at or past it. Rejects
	 * when the file does not exist. For logs followed from where the last read stopped (the session panel reads
	 * only what was appended to pipeline_stages.jsonl since), never the whole file again.
	 */
	readRange(path: string, offset: number, length: number): Promise<Uint8Array>;
	/** Size in bytes and modification time (ms since epoch), or null when missing. */
	stat(path: string): Promise<{ size: number; mtime: number } | null>;
}
