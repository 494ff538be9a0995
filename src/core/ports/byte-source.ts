/**
 * Random-access, read-only bytes of one input (an export zip or a conversations JSON file).
 * The CLI implements it over a Node file handle, the plugin over a Blob/File. The core never
 * needs the whole input in memory: it asks for ranges.
 */
export interface ByteSource {
	/** A name for people and logs (usually the file name or path as the user gave it). */
	readonly name: string;
	/** Total size in bytes. */
	readonly size: number;
	/**
	 * Reads up to `length` bytes at `offset`. Returns fewer bytes only at the end of the input
	 * (an empty array at or past the end). The returned array may be a view; callers do not keep it.
	 */
	read(offset: number, length: number): Promise<Uint8Array>;
	/**
	 * Optional: where the host can open this input again after a restart (a file path on the desktop), recorded in
	 * the session's manifest so a resume can reopen it. Absent where there is none (a browser File).
	 */
	readonly path?: string;
	/** Optional: the lowercase hex SHA-256 of the whole input, when the adapter can compute it cheaply. */
	sha256?(): Promise<string>;
	/**
	 * Optional: the CRC-32 (ISO-HDLC, as zip and zlib) of the whole input, 8 lowercase hex digits, when the adapter can
	 * compute it cheaply: what a session's manifest records to tell a changed input on resume (input-manifest.ts).
	 */
	crc32?(): Promise<string>;
	/**
	 * Optional: reads for one front-to-back pass in chunks of at most `chunkSize`, into arrays the source reuses (two,
	 * in turn): what a read returns is overwritten by the read after the next one, so the caller keeps at most one
	 * read in flight ahead of the chunk it works on, and copies what it keeps. A pass over a large file then
	 * allocates no buffer per chunk (a fresh 1 MiB a chunk costs about as much CPU in page faults as reading it).
	 */
	sequential?(chunkSize: number): (offset: number, length: number) => Promise<Uint8Array>;
}
