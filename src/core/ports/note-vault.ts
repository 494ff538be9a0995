/**
 * The notes side of the vault: everything the user sees. The plugin implements it over `app.vault` and
 * `app.fileManager` (so links and the metadata cache stay right); the CLI over Node's filesystem.
 * Paths are vault-relative, POSIX-style, normalised. Implementations refuse paths outside the vault.
 */
export interface NoteStat {
	size: number;
	/** Modification time, ms since epoch. */
	mtime: number;
	/** Creation time, ms since epoch, where the platform knows it (absent otherwise). */
	ctime?: number;
}

/** A new note as parts (NoteVault.createMade): its body, what follows the body in the file id's text, its head. */
export interface MadeNoteParts {
	body: string;
	suffix: string;
	/** The frontmatter block for the SHA-256 (hex) of body + suffix (pure, synchronous). */
	headFor: (bodyHex: string) => string;
}

export interface NoteVault {
	/**
	 * True when `rename` updates the links to the moved note across the vault itself (the plugin: FileManager.renameFile
	 * does, as the user set Obsidian up). Decided once per vault: the core rewrites links after a move only where
	 * this is false (the CLI).
	 */
	readonly renameUpdatesLinks: boolean;
	exists(path: string): Promise<boolean>;
	read(path: string): Promise<string>;
	/**
	 * Optional: `read` without a promise, for a vault whose reads are synchronous anyway (the CLI's); throws where `read`
	 * rejects. A loop over thousands of notes (organize's plan) then costs no promise and no turn of the microtask
	 * queue per note; such a loop lets the event loop turn itself.
	 */
	readNow?(path: string): string;
	/**
	 * Optional: the note's first `bytes` bytes as UTF-8 text (a character cut at the end may be lost), or the whole
	 * note when it is shorter; rejects like `read`. For looking at a frontmatter without reading the note (a
	 * re-import's check of thousands of notes). Without it, `read`.
	 */
	readHead?(path: string, bytes: number): Promise<string>;
	/**
	 * Creates a new note; rejects with an error if anything already exists at `path` (never overwrites). May resolve
	 * to the UTF-8 bytes written, where the vault knows them without counting (the core counts them otherwise).
	 */
	create(path: string, content: string): Promise<number | void>;
	/**
	 * Optional: `create` of a new note given as its parts, for a vault that can encode the text once, hash it and write
	 * the same bytes (the CLI's, with node:crypto). The note is `note.headFor(bodyHex) + note.body`, where `bodyHex` is
	 * the SHA-256 (hex) of the UTF-8 of `note.body + note.suffix` (the file id's text, file-id.ts). Resolves to the
	 * SHA-256 (hex) of the note's UTF-8 and its length in bytes; rejects as `create` (never overwrites). Without it,
	 * the core composes the text and hashes it itself.
	 */
	createMade?(path: string, note: MadeNoteParts): Promise<{ noteHex: string; bytes: number }>;
	/**
	 * Creates a new file with these bytes (an image, a PDF an export holds); rejects with an error if anything already
	 * exists at `path` (never overwrites). Atomic where the platform allows it.
	 */
	createBinary(path: string, data: Uint8Array): Promise<void>;
	/**
	 * Optional: a free path for a new attachment named `fileName` of the note at `notePath`, where the vault's own
	 * setting puts attachments (Obsidian's "Default location for new attachments"). Without it, the import uses a folder
	 * of its own.
	 */
	availablePathForAttachment?(fileName: string, notePath: string): Promise<string>;
	/** Replaces an existing note's content (atomic where the platform allows it). May resolve to the bytes written, as `create`. */
	modify(path: string, content: string): Promise<number | void>;
	/** Moves or renames a note (links: see `renameUpdatesLinks`). Rejects if the target exists. */
	rename(from: string, to: string): Promise<void>;
	/**
	 * Optional: whether two paths name the same file. A vault whose `rename` takes two steps (the CLI: a hard link,
	 * then the old name removed, so that it never overwrites) can be killed between them, leaving one note under both
	 * names; this tells that apart from two notes. Where it is given, `rename(from, to)` with both names on the same
	 * file finishes the move (removes `from`). Vaults whose rename is one step need not implement it.
	 */
	sameFile?(a: string, b: string): Promise<boolean>;
	/**
	 * Edits the frontmatter in place, keeping the body and any key not touched by `fn`
	 * (the plugin uses FileManager.processFrontMatter).
	 */
	processFrontMatter(path: string, fn: (frontmatter: Record<string, unknown>) => void): Promise<void>;
	/** Moves a note to the trash (never a hard delete). */
	trash(path: string): Promise<void>;
	/**
	 * Optional, with `sameFile`: a vault whose `trash` takes two steps (the CLI: a hard link into `.trash/`, then the
	 * note's name removed) can be killed between them, leaving the note at its path and in the trash. This gives the
	 * trash's name for it then (null when the note is not also in the trash), so that resume finishes the trash
	 * (`rename(path, that)`) and undo takes it back (`rename(that, path)`), as for a move cut the same way.
	 */
	trashedAs?(path: string): Promise<string | null>;
	/** Creates a folder and its parents; no error when it exists. Returns the folders it created, outermost first. */
	ensureFolder(path: string): Promise<string[]>;
	/**
	 * Removes a folder that holds nothing at all (hidden files count), for undoing a folder we created. Returns
	 * false, touching nothing, when it holds anything or is not there. The plugin moves it to the trash.
	 */
	removeFolderIfEmpty(path: string): Promise<boolean>;
	/** All Markdown files below `folder` (recursive), skipping dot-folders; vault-relative paths. */
	listMarkdown(folder: string): Promise<string[]>;
	stat(path: string): Promise<NoteStat | null>;
}
