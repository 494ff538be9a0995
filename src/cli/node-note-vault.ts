import * as fs from "node:fs/promises";
import * as path from "node:path";
import type { NoteStat, NoteVault } from "../core/ports/note-vault";
import { editFrontmatter } from "../core/notes/frontmatter";
import { createFileExclusive, resolveInside, writeFileAtomic } from "./vault-paths";

/**
 * The NoteVault port over Node's filesystem, rooted at a vault folder. Notes are never overwritten by
 * name (create and rename claim names with hard links, which fail instead of clobbering), writes are
 * atomic, nothing resolves outside the root, and "trash" moves a note into the vault's `.trash/` folder,
 * as Obsidian's "Move to Obsidian trash" setting does.
 */
export class NodeNoteVault implements NoteVault {
	constructor(readonly root: string) {}

	private abs(relative: string): Promise<string> {
		return resolveInside(this.root, relative);
	}

	async exists(p: string): Promise<boolean> {
		try {
			await fs.lstat(await this.abs(p));
			return true;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
			throw error;
		}
	}

	async read(p: string): Promise<string> {
		return fs.readFile(await this.abs(p), "utf8");
	}

	async create(p: string, content: string): Promise<void> {
		try {
			await createFileExclusive(await resolveInside(this.root, p, { forWrite: true }), content);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === "EEXIST") throw new Error(`A file already exists at "${p}"; not overwriting it`);
			throw error;
		}
	}

	async modify(p: string, content: string): Promise<void> {
		const target = await this.abs(p);
		await fs.access(target); // modify is for existing notes only
		await writeFileAtomic(target, content);
	}

	async rename(from: string, to: string): Promise<void> {
		const source = await this.abs(from);
		const target = await this.abs(to);
		await fs.mkdir(path.dirname(target), { recursive: true });
		if (source.toLowerCase() === target.toLowerCase() && source !== target) {
			// A change of case only: link would see the same name on case-insensitive filesystems. On a
			// case-sensitive one both names can be distinct files, and rename would overwrite the other one.
			const [sourceStat, targetStat] = await Promise.all([fs.lstat(source), fs.lstat(target).catch(() => null)]);
			if (targetStat && (targetStat.ino !== sourceStat.ino || targetStat.dev !== sourceStat.dev)) {
				throw new Error(`Cannot move "${from}" to "${to}": a file already exists there`);
			}
			await fs.rename(source, target);
			return;
		}
		try {
			await fs.link(source, target);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === "EEXIST") throw new Error(`Cannot move "${from}" to "${to}": a file already exists there`);
			throw error;
		}
		await fs.unlink(source);
	}

	async processFrontMatter(p: string, fn: (frontmatter: Record<string, unknown>) => void): Promise<void> {
		const target = await this.abs(p);
		const text = await fs.readFile(target, "utf8");
		const next = editFrontmatter(text, fn);
		if (next !== text) await writeFileAtomic(target, next);
	}

	async trash(p: string): Promise<void> {
		const source = await this.abs(p);
		const trashDir = await this.abs(".trash");
		await fs.mkdir(trashDir, { recursive: true });
		const base = path.basename(source);
		const ext = path.extname(base);
		const stem = base.slice(0, base.length - ext.length);
		for (let n = 0; ; n++) {
			const candidate = path.join(trashDir, n === 0 ? base : `${stem} ${n}${ext}`);
			try {
				await fs.link(source, candidate);
				break;
			} catch (error) {
				if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
			}
		}
		await fs.unlink(source);
	}

	async ensureFolder(p: string): Promise<void> {
		await fs.mkdir(await this.abs(p), { recursive: true });
	}

	async listMarkdown(folder: string): Promise<string[]> {
		const start = await this.abs(folder);
		const out: string[] = [];
		const walk = async (dir: string): Promise<void> => {
			let entries;
			try {
				entries = await fs.readdir(dir, { withFileTypes: true });
			} catch (error) {
				if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
				throw error;
			}
			entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
			for (const entry of entries) {
				if (entry.name.startsWith(".")) continue;
				const full = path.join(dir, entry.name);
				if (entry.isDirectory()) await walk(full);
				else if (entry.isFile() && entry.name.toLowerCase().endsWith(".md")) out.push(full);
			}
		};
		await walk(start);
		const rootReal = await fs.realpath(this.root);
		return out.map((full) => path.relative(rootReal, full).split(path.sep).join("/"));
	}

	async stat(p: string): Promise<NoteStat | null> {
		try {
			const s = await fs.stat(await this.abs(p));
			return { size: s.size, mtime: s.mtimeMs };
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
			throw error;
		}
	}
}
