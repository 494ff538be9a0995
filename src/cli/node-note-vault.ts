import * as fs from "node:fs";
import * as path from "node:path";
import type { MadeNoteParts, NoteStat, NoteVault } from "../core/app/types";
import { makeNoteBytes } from "./note-bytes";
import { utf8View } from "./utf8-scratch";
import { editFrontmatter } from "../core/app/services";
import { codeOf, createFileExclusive, resolveInsideSync, TEMP_FILE_PATTERN, writeFileAtomic } from "./vault-paths";
import { eventLoopTurn } from "./event-loop-turn";

/** O_NOFOLLOW where the platform has it (not on Windows). */
const NO_FOLLOW: number | undefined = fs.constants.O_NOFOLLOW;

/**
 * The NoteVault port over Node's filesystem, rooted at a vault folder. Notes are never overwritten by
 * name (create and rename claim names with hard links, which fail instead of clobbering), writes are
 * atomic, nothing resolves outside the root, and "trash" moves a note into the vault's `.trash/` folder,
 * as Obsidian's "Move to Obsidian trash" setting does. The methods use synchronous node:fs inside async
 * signatures (see vault-paths.ts for why). With `letLoopTurn` (organize), those a run calls per note first let the
 * event loop turn now and then (eventLoopTurn), so that a Ctrl-C is seen between two notes. Not for the import: its
 * writes run four at a time, and a turn would change the order in which they finish (and are recorded).
 */
export class NodeNoteVault implements NoteVault {
	/** Only the file moves: organize rewrites the links. */
	readonly renameUpdatesLinks: boolean = false;
	private readonly resolvedRoot: string;

	private readonly letLoopTurn: boolean;
	/**
	 * readHead's buffer, reused: it reads synchronously and decodes before it returns. A fresh Buffer a call cost a
	 * re-import of 2,000 unchanged conversations ~2% of its CPU when heads were 4 KiB (a size Node does not take from its
	 * pool; the 1.5 KiB asked for now it does, but one buffer is still cheaper).
	 */
	private headBuffer: Buffer | null = null;
	/** What the latest listing of the whole vault saw besides notes: see sweepHint. */
	private seenBesideNotes: TempFilesSeen | null = null;

	constructor(
		readonly root: string,
		options: { letLoopTurn?: boolean } = {},
	) {
		this.resolvedRoot = path.resolve(root);
		this.letLoopTurn = options.letLoopTurn === true;
	}

	/** See the class comment: a turn of the event loop now and then, for a run made only of synchronous I/O. */
	private async turn(): Promise<void> {
		if (this.letLoopTurn) await eventLoopTurn();
	}

	private abs(relative: string): string {
		return resolveInsideSync(this.resolvedRoot, relative);
	}

	/** The vault-relative, "/"-separated path of a path below the root as given (what abs returns). */
	private rel(full: string): string {
		return path.relative(this.resolvedRoot, full).split(path.sep).join("/");
	}

	/**
	 * The lstat of a note's name, one syscall where its folder is proven: `undefined` when nothing is there. A symlink
	 * at the name gets the full check (abs, which refuses one leading outside) before it is reported.
	 */
	private lstatNote(p: string): fs.Stats | undefined {
		const s = fs.lstatSync(resolveInsideSync(this.resolvedRoot, p, "nofollow"), { throwIfNoEntry: false });
		if (s?.isSymbolicLink()) this.abs(p);
		return s;
	}

	async exists(p: string): Promise<boolean> {
		await this.turn();
		return this.lstatNote(p) !== undefined;
	}

	async read(p: string): Promise<string> {
		await this.turn();
		return this.readNow(p);
	}

	readNow(p: string): string {
		// One open that refuses a symlink at the name (O_NOFOLLOW), instead of an lstat before every read: reading every
		// note of a folder (organize) made as many lstats as reads. A symlink there (ELOOP) gets the full check, as before.
		if (NO_FOLLOW !== undefined) {
			const target = resolveInsideSync(this.resolvedRoot, p, "nofollow");
			try {
				// Node takes numeric flags here (its types say string only); readFileSync by path reads in one native call.
				return fs.readFileSync(target, { encoding: "utf8", flag: (fs.constants.O_RDONLY | NO_FOLLOW) as unknown as string });
			} catch (error) {
				if (codeOf(error) !== "ELOOP") throw error;
			}
		}
		return fs.readFileSync(this.abs(p), "utf8");
	}

	async readHead(p: string, bytes: number): Promise<string> {
		let fd: number;
		try {
			// Without O_NOFOLLOW (Windows), abs checks a symlink at the name first, as read does.
			const target = NO_FOLLOW === undefined ? this.abs(p) : resolveInsideSync(this.resolvedRoot, p, "nofollow");
			fd = fs.openSync(target, fs.constants.O_RDONLY | (NO_FOLLOW ?? 0));
		} catch (error) {
			// A symlink at the name (ELOOP): the full check, then the whole note (rare).
			if (NO_FOLLOW === undefined || codeOf(error) !== "ELOOP") throw error;
			return (await this.read(p)).slice(0, bytes);
		}
		try {
			if (this.headBuffer === null || this.headBuffer.length < bytes) this.headBuffer = Buffer.allocUnsafe(bytes);
			const buffer = this.headBuffer;
			let filled = 0;
			for (let n = -1; n !== 0 && filled < bytes; filled += n) n = fs.readSync(fd, buffer, filled, bytes - filled, null);
			return buffer.toString("utf8", 0, filled);
		} finally {
			fs.closeSync(fd);
		}
	}

	/** Resolves to the UTF-8 bytes written (the write's encoded text, held by utf8View: no second encoding). */
	async create(p: string, content: string): Promise<number | void> {
		await this.turn();
		this.createExclusive(p, content);
		return utf8View(content).length;
	}

	/** Writes a new file at `p`, refusing (never overwriting) anything already there. */
	private createExclusive(p: string, data: string | Uint8Array): void {
		// link(2) claims the name and fails on anything already there, a symlink included: "nofollow".
		const target = resolveInsideSync(this.resolvedRoot, p, "nofollow");
		try {
			createFileExclusive(target, data);
		} catch (error) {
			if (codeOf(error) === "EEXIST") throw new Error(`A file already exists at "${p}"; not overwriting it`);
			throw error;
		}
	}

	/** `create` of a note given as parts: encoded once, hashed twice and written from one buffer (see note-bytes.ts). */
	async createMade(p: string, note: MadeNoteParts): Promise<{ noteHex: string; bytes: number }> {
		await this.turn();
		// Made after the last await: its bytes are a view of a buffer the next note reuses, written here at once.
		const { data, noteHex } = makeNoteBytes(note);
		this.createExclusive(p, data);
		return { noteHex, bytes: data.length };
	}

	async createBinary(p: string, data: Uint8Array): Promise<void> {
		await this.turn();
		this.createExclusive(p, data);
	}

	/** Resolves to the UTF-8 bytes written, as `create`. */
	async modify(p: string, content: string): Promise<number | void> {
		await this.turn();
		const target = this.abs(p);
		// modify is for existing notes only; the rewrite keeps the note's permission bits (0600, read-only, ...)
		writeFileAtomic(target, content, { mode: fs.statSync(target).mode & 0o7777 });
		return utf8View(content).length;
	}

	async rename(from: string, to: string): Promise<void> {
		await this.turn();
		const source = this.abs(from);
		const target = this.abs(to);
		fs.mkdirSync(path.dirname(target), { recursive: true });
		if (source.toLowerCase() === target.toLowerCase() && source !== target) {
			// A change of case only: link would see the same name on case-insensitive filesystems. On a
			// case-sensitive one both names can be distinct files, and rename would overwrite the other one.
			const sourceStat = fs.lstatSync(source);
			const targetStat = fs.lstatSync(target, { throwIfNoEntry: false });
			if (targetStat && (targetStat.ino !== sourceStat.ino || targetStat.dev !== sourceStat.dev)) {
				throw new Error(`Cannot move "${from}" to "${to}": a file already exists there`);
			}
			fs.renameSync(source, target);
			return;
		}
		try {
			fs.linkSync(source, target);
		} catch (error) {
			if (codeOf(error) !== "EEXIST") throw error;
			// One note under both names: a move killed between its link and its unlink. Finish it.
			if (!this.sameFileSync(source, target)) throw new Error(`Cannot move "${from}" to "${to}": a file already exists there`);
		}
		fs.unlinkSync(source);
	}

	async sameFile(a: string, b: string): Promise<boolean> {
		return this.sameFileSync(this.abs(a), this.abs(b));
	}

	private sameFileSync(a: string, b: string): boolean {
		const first = fs.lstatSync(a, { throwIfNoEntry: false });
		const second = fs.lstatSync(b, { throwIfNoEntry: false });
		return !!first && !!second && first.isFile() && first.ino === second.ino && first.dev === second.dev;
	}

	async processFrontMatter(p: string, fn: (frontmatter: Record<string, unknown>) => void): Promise<void> {
		await this.turn();
		const target = this.abs(p);
		const text = fs.readFileSync(target, "utf8");
		const next = editFrontmatter(text, fn);
		if (next !== text) writeFileAtomic(target, next, { mode: fs.statSync(target).mode & 0o7777 });
	}

	/**
	 * Two steps, like rename: a hard link into `.trash/` (under the first free name: `Note.md`, `Note 1.md`, …), then
	 * the note's name removed. A trash cut between them (a kill) is finished, not done twice: a trash name that is
	 * already this very file is the first step's.
	 */
	async trash(p: string): Promise<void> {
		await this.turn();
		const source = this.abs(p);
		const trashDir = this.abs(".trash");
		fs.mkdirSync(trashDir, { recursive: true });
		for (const candidate of this.trashNames(source)) {
			try {
				fs.linkSync(source, candidate);
				break;
			} catch (error) {
				if (codeOf(error) !== "EEXIST") throw error;
				if (this.sameFileSync(source, candidate)) break; // linked there by a trash that was cut: finish it
			}
		}
		fs.unlinkSync(source);
	}

	/** Where a trash of `p` cut between its two steps left the note's second name in `.trash/` (null: none). */
	async trashedAs(p: string): Promise<string | null> {
		const source = this.abs(p);
		for (const candidate of this.trashNames(source)) {
			if (!fs.existsSync(candidate)) return null;
			if (this.sameFileSync(source, candidate)) return this.rel(candidate);
		}
		return null;
	}

	/** The names a note is trashed under, in the order they are tried: `.trash/Note.md`, `.trash/Note 1.md`, … */
	private *trashNames(source: string): Generator<string> {
		const trashDir = this.abs(".trash");
		const base = path.basename(source);
		const ext = path.extname(base);
		const stem = base.slice(0, base.length - ext.length);
		for (let n = 0; ; n++) yield path.join(trashDir, n === 0 ? base : `${stem} ${n}${ext}`);
	}

	async ensureFolder(p: string): Promise<string[]> {
		const target = this.abs(p);
		// mkdir -p gives the first folder it made: that one and every folder below it on the way are new.
		const first = fs.mkdirSync(target, { recursive: true });
		if (first === undefined) return [];
		const created: string[] = [];
		for (let dir = target; ; dir = path.dirname(dir)) {
			created.unshift(this.rel(dir));
			if (dir === first || path.dirname(dir) === dir) break;
		}
		return created;
	}

	async removeFolderIfEmpty(p: string): Promise<boolean> {
		const target = this.abs(p);
		if (target === this.resolvedRoot) return false; // never the vault itself
		try {
			fs.rmdirSync(target); // removes an empty folder only
			return true;
		} catch (error) {
			const code = codeOf(error);
			if (code === "ENOTEMPTY" || code === "EEXIST" || code === "ENOENT" || code === "ENOTDIR") return false;
			throw error;
		}
	}

	async listMarkdown(folder: string): Promise<string[]> {
		const start = this.abs(folder);
		const out: string[] = [];
		const top = this.rel(start);
		// A listing of the whole vault also notes what the sweep after the run looks for (sweepHint); a listing of a
		// folder notes nothing and leaves the last one's as it was.
		const seen: TempFilesSeen | null = top === "" ? { tempFiles: [], dotFolders: [] } : null;
		// Each entry's vault-relative path is its folder's plus its name: no path.join and path.relative per note.
		// `start` is below the root as given (not its realpath), so the relative paths are taken from there too.
		const walk = (dir: string, relative: string): void => {
			let entries;
			try {
				entries = fs.readdirSync(dir, { withFileTypes: true });
			} catch (error) {
				if (codeOf(error) === "ENOENT") return;
				throw error;
			}
			entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
			// The sweep looks below the vault's top folders, not at files of the root itself or in its dot-folders.
			const sweepHere = seen !== null && relative !== "";
			for (const entry of entries) {
				const name = entry.name;
				if (name.startsWith(".")) {
					if (sweepHere) {
						if (entry.isDirectory()) seen.dotFolders.push(`${relative}/${name}`);
						else if (entry.isFile() && TEMP_FILE_PATTERN.test(name)) seen.tempFiles.push(`${relative}/${name}`);
					}
					continue;
				}
				const rel = relative === "" ? name : `${relative}/${name}`;
				if (entry.isDirectory()) walk(path.join(dir, name), rel);
				else if (entry.isFile() && name.toLowerCase().endsWith(".md")) out.push(rel);
				else if (sweepHere && entry.isFile() && TEMP_FILE_PATTERN.test(name)) seen.tempFiles.push(rel);
			}
		};
		walk(start, top);
		if (seen !== null) this.seenBesideNotes = seen;
		return out;
	}

	/**
	 * What the latest listing of the whole vault (listMarkdown("")) found below the vault's top folders (not below
	 * dot-folders at the top) besides notes: the temp files of atomic writes (`<name>.tmp-<hex>`), and the dot-folders
	 * it did not enter. null when this vault has not listed the whole vault. The sweep of stale temp files after an
	 * organize run (organize.ts) takes them instead of walking every folder of the vault a second time.
	 */
	sweepHint(): TempFilesSeen | null {
		return this.seenBesideNotes;
	}

	async stat(p: string): Promise<NoteStat | null> {
		await this.turn();
		// One lstat: for anything but a symlink it is the stat; a symlink is checked and followed.
		const l = this.lstatNote(p);
		const s = l?.isSymbolicLink() ? fs.statSync(this.abs(p), { throwIfNoEntry: false }) : l;
		// birthtime is 0 (the epoch) where the filesystem does not keep it.
		return s ? { size: s.size, mtime: s.mtimeMs, ...(s.birthtimeMs > 0 ? { ctime: s.birthtimeMs } : {}) } : null;
	}
}

/** See NodeNoteVault.sweepHint: vault-relative paths. */
export interface TempFilesSeen {
	tempFiles: string[];
	dotFolders: string[];
}
