import { promises as fs } from "node:fs";
import * as nodePath from "node:path";
import type { StagingStore } from "../core/ports/staging-store";
import { appendText, forgetMadeDirs, PathEscapeError, resolveInside, TEMP_FILE_PATTERN, writeFileAtomic } from "./vault-paths";

function isNotFound(e: unknown): boolean {
	return e instanceof Error && "code" in e && e.code === "ENOENT";
}

export { PathEscapeError, TEMP_FILE_PATTERN };

/** The StagingStore on Node's filesystem, rooted at a vault directory. Nothing outside the root is touched. */
export class NodeStagingStore implements StagingStore {
	readonly root: string;

	constructor(vaultDir: string) {
		this.root = nodePath.resolve(vaultDir);
	}

	/** The absolute path for a vault-relative one; see resolveInside (no `..`, no absolute path, no symlink out). */
	resolve(path: string): Promise<string> {
		return resolveInside(this.root, path);
	}

	private rel(abs: string): string {
		return nodePath.relative(this.root, abs).split(nodePath.sep).join("/");
	}

	async exists(path: string): Promise<boolean> {
		const abs = await this.resolve(path);
		try {
			await fs.stat(abs);
			return true;
		} catch (e) {
			if (isNotFound(e)) return false;
			throw e;
		}
	}

	async read(path: string): Promise<string> {
		return fs.readFile(await this.resolve(path), "utf8");
	}

	async writeAtomic(path: string, data: string): Promise<void> {
		// State files (session.json, phase.json, options) are synced; bulk copies of notes are not.
		await writeFileAtomic(await resolveInside(this.root, path, { forWrite: true }), data, { sync: path.endsWith(".json") });
	}

	async append(path: string, data: string): Promise<void> {
		await appendText(await this.resolve(path), data);
	}

	async mkdir(path: string): Promise<void> {
		await fs.mkdir(await this.resolve(path), { recursive: true });
	}

	async list(path: string): Promise<{ files: string[]; folders: string[] }> {
		const abs = await this.resolve(path);
		let entries;
		try {
			entries = await fs.readdir(abs, { withFileTypes: true });
		} catch (e) {
			if (isNotFound(e)) return { files: [], folders: [] };
			throw e;
		}
		const files: string[] = [];
		const folders: string[] = [];
		for (const entry of entries) {
			const child = this.rel(nodePath.join(abs, entry.name));
			if (entry.isDirectory()) folders.push(child);
			else if (entry.isFile() && !TEMP_FILE_PATTERN.test(entry.name)) files.push(child);
		}
		files.sort();
		folders.sort();
		return { files, folders };
	}

	async remove(path: string): Promise<void> {
		await fs.rm(await this.resolve(path), { force: true });
	}

	async removeFolder(path: string): Promise<void> {
		const abs = await this.resolve(path);
		if (abs === this.root) throw new PathEscapeError(path, "refusing to remove the vault root");
		await fs.rm(abs, { recursive: true, force: true });
		forgetMadeDirs(abs);
	}

	async stat(path: string): Promise<{ size: number; mtime: number } | null> {
		try {
			const s = await fs.stat(await this.resolve(path));
			return { size: s.size, mtime: s.mtimeMs };
		} catch (e) {
			if (isNotFound(e)) return null;
			throw e;
		}
	}
}
