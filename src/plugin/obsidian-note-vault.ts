import { normalizePath, TFile, TFolder, type App } from "obsidian";
import type { NoteStat, NoteVault } from "../core/app/types";

/** Raised for a note path the vault must not write: absolute, with `..`, or inside a dot-folder. */
export class NotePathError extends Error {
	override readonly name = "NotePathError";
	constructor(
		readonly path: string,
		reason: string,
	) {
		super(`Refusing note path "${path}": ${reason}`);
	}
}

/**
 * The NoteVault over Obsidian's Vault and FileManager, so the metadata cache, links and the user's
 * preferences stay right: renames go through `fileManager.renameFile` (links updated), frontmatter through
 * `fileManager.processFrontMatter`, deletions through `fileManager.trashFile` (the user's trash preference).
 */
export class ObsidianNoteVault implements NoteVault {
	/** FileManager.renameFile updates links as the user set Obsidian up. */
	readonly renameUpdatesLinks: boolean = true;
	constructor(private readonly app: App) {}

	/** The normalised vault-relative path; refuses what the Vault API cannot or must not reach. */
	resolve(path: string): string {
		if (path.includes("\0")) throw new NotePathError(path, "contains a NUL character");
		if (/^[\\/]/.test(path) || /^[A-Za-z]:/.test(path)) throw new NotePathError(path, "absolute paths are not allowed");
		const segments = path.split(/[\\/]+/).filter((s) => s !== "" && s !== ".");
		if (segments.includes("..")) throw new NotePathError(path, '".." is not allowed');
		if (segments.length === 0) throw new NotePathError(path, "the vault root is not a note");
		if (segments.some((s) => s.startsWith("."))) {
			throw new NotePathError(path, "notes cannot live in dot-folders (Obsidian does not index them)");
		}
		return normalizePath(segments.join("/"));
	}

	private file(path: string): TFile {
		const p = this.resolve(path);
		const file = this.app.vault.getFileByPath(p);
		if (!file) throw new Error(`Note not found: "${p}"`);
		return file;
	}

	private parentOf(path: string): string | null {
		const i = path.lastIndexOf("/");
		return i < 0 ? null : path.slice(0, i);
	}

	async exists(path: string): Promise<boolean> {
		const p = this.resolve(path);
		if (this.app.vault.getAbstractFileByPath(p)) return true;
		// Not yet indexed (just written by someone else): ask the disk.
		return this.app.vault.adapter.exists(p);
	}

	async read(path: string): Promise<string> {
		return this.app.vault.read(this.file(path));
	}

	async create(path: string, content: string): Promise<void> {
		const p = this.resolve(path);
		if (await this.exists(p)) throw new Error(`A note already exists at "${p}"; not overwriting it`);
		const parent = this.parentOf(p);
		if (parent !== null) await this.ensureFolder(parent);
		await this.app.vault.create(p, content);
	}

	async createBinary(path: string, data: Uint8Array): Promise<void> {
		const p = this.resolve(path);
		if (await this.exists(p)) throw new Error(`A file already exists at "${p}"; not overwriting it`);
		const parent = this.parentOf(p);
		if (parent !== null) await this.ensureFolder(parent);
		// createBinary takes an ArrayBuffer: the bytes' own one when they fill it, else a copy of just them.
		const buffer = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data.buffer : data.slice().buffer;
		await this.app.vault.createBinary(p, buffer as ArrayBuffer);
	}

	/** Obsidian's own choice for a new attachment (Settings → Files and links → Default location for new attachments). */
	async availablePathForAttachment(fileName: string, notePath: string): Promise<string> {
		return normalizePath(await this.app.fileManager.getAvailablePathForAttachment(fileName, this.resolve(notePath)));
	}

	async modify(path: string, content: string): Promise<void> {
		await this.app.vault.process(this.file(path), () => content);
	}

	async rename(from: string, to: string): Promise<void> {
		const file = this.file(from);
		const target = this.resolve(to);
		if (await this.exists(target)) throw new Error(`Cannot move "${file.path}" to "${target}": the target exists`);
		const parent = this.parentOf(target);
		if (parent !== null) await this.ensureFolder(parent);
		await this.app.fileManager.renameFile(file, target);
	}

	async processFrontMatter(path: string, fn: (frontmatter: Record<string, unknown>) => void): Promise<void> {
		const file = this.file(path);
		await this.app.fileManager.processFrontMatter(file, (fm: Record<string, unknown>) => fn(fm));
	}

	async trash(path: string): Promise<void> {
		await this.app.fileManager.trashFile(this.file(path));
	}

	/** Creates each missing folder on the way (createFolder throws on an existing one, so check first). */
	async ensureFolder(path: string): Promise<string[]> {
		const p = this.resolve(path);
		const segments = p.split("/");
		const created: string[] = [];
		for (let i = 1; i <= segments.length; i++) {
			const prefix = segments.slice(0, i).join("/");
			const existing = this.app.vault.getAbstractFileByPath(prefix);
			if (existing instanceof TFolder) continue;
			if (existing) throw new Error(`Cannot create folder "${prefix}": a file has that name`);
			try {
				await this.app.vault.createFolder(prefix);
				created.push(prefix);
			} catch (e) {
				// Lost a race with another writer: fine if the folder is there now (theirs, not ours).
				if (!(this.app.vault.getAbstractFileByPath(prefix) instanceof TFolder)) throw e;
			}
		}
		return created;
	}

	/**
	 * Asks the disk, not the vault's index, whether the folder is empty: the index leaves out hidden files. An
	 * empty folder goes to the trash like everything else the plugin removes.
	 */
	async removeFolderIfEmpty(path: string): Promise<boolean> {
		const folder = this.app.vault.getFolderByPath(this.resolve(path));
		if (!folder || folder.isRoot()) return false;
		const inside = await this.app.vault.adapter.list(folder.path);
		if (inside.files.length > 0 || inside.folders.length > 0) return false;
		await this.app.fileManager.trashFile(folder);
		return true;
	}

	async listMarkdown(folder: string): Promise<string[]> {
		const p = folder === "" || folder === "/" ? "/" : this.resolve(folder);
		const root = p === "/" ? this.app.vault.getRoot() : this.app.vault.getFolderByPath(p);
		if (!root) return [];
		const out: string[] = [];
		const walk = (dir: TFolder) => {
			for (const child of dir.children) {
				if (child.name.startsWith(".")) continue;
				if (child instanceof TFolder) walk(child);
				else if (child instanceof TFile && child.extension === "md") out.push(child.path);
			}
		};
		walk(root);
		return Promise.resolve(out.sort());
	}

	async stat(path: string): Promise<NoteStat | null> {
		const file = this.app.vault.getFileByPath(this.resolve(path));
		return Promise.resolve(
			file ? { size: file.stat.size, mtime: file.stat.mtime, ...(file.stat.ctime > 0 ? { ctime: file.stat.ctime } : {}) } : null,
		);
	}
}
