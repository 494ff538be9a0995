import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import * as nodePath from "node:path";
import type { StagingStore } from "../core/ports/staging-store";

/** A temp file of writeAtomic: `<name>.tmp-<hex>`. Hidden from list(); left behind only by a crash. */
export const TEMP_FILE_PATTERN = /\.tmp-[0-9a-f]{8,}$/;

/** Raised for a path that is absolute, contains `..`, or resolves (through a symlink) outside the root. */
export class PathEscapeError extends Error {
	override readonly name = "PathEscapeError";
	constructor(
		readonly path: string,
		reason: string,
	) {
		super(`Refusing path "${path}": ${reason}`);
	}
}

function isNotFound(e: unknown): boolean {
	return e instanceof Error && "code" in e && e.code === "ENOENT";
}

/** The StagingStore on Node's filesystem, rooted at a vault directory. Nothing outside the root is touched. */
export class NodeStagingStore implements StagingStore {
	readonly root: string;
	private realRoot: string | null = null;

	constructor(vaultDir: string) {
		this.root = nodePath.resolve(vaultDir);
	}

	/**
	 * The absolute path for a vault-relative one, after the lexical checks (no absolute path, no `..`) and
	 * the symlink check: the nearest existing ancestor (or the path itself) must really be inside the root.
	 */
	async resolve(path: string): Promise<string> {
		if (path.includes("\0")) throw new PathEscapeError(path, "contains a NUL character");
		if (path.startsWith("/") || path.startsWith("\\") || /^[A-Za-z]:/.test(path) || nodePath.isAbsolute(path)) {
			throw new PathEscapeError(path, "absolute paths are not allowed");
		}
		const segments = path.split(/[\\/]+/).filter((s) => s !== "" && s !== ".");
		if (segments.includes("..")) throw new PathEscapeError(path, '".." is not allowed');
		const abs = nodePath.join(this.root, ...segments);
		await this.checkRealPath(path, abs);
		return abs;
	}

	private async checkRealPath(path: string, abs: string): Promise<void> {
		this.realRoot ??= await fs.realpath(this.root).catch(() => this.root);
		let probe = abs;
		for (;;) {
			try {
				const real = await fs.realpath(probe);
				const rel = nodePath.relative(this.realRoot, real);
				if (rel.startsWith("..") || nodePath.isAbsolute(rel)) {
					throw new PathEscapeError(path, "it leads outside the vault (symlink)");
				}
				return;
			} catch (e) {
				if (!isNotFound(e)) throw e;
				// A dangling symlink also reports ENOENT; refuse it rather than write through it.
				const link = await fs.lstat(probe).catch(() => null);
				if (link?.isSymbolicLink()) throw new PathEscapeError(path, "it passes through a dangling symlink");
				const parent = nodePath.dirname(probe);
				if (parent === probe) return;
				probe = parent;
			}
		}
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
		const abs = await this.resolve(path);
		await fs.mkdir(nodePath.dirname(abs), { recursive: true });
		const tmp = `${abs}.tmp-${randomBytes(6).toString("hex")}`;
		try {
			const handle = await fs.open(tmp, "wx");
			try {
				await handle.writeFile(data, "utf8");
				await handle.sync();
			} finally {
				await handle.close();
			}
			await fs.rename(tmp, abs);
		} catch (e) {
			await fs.rm(tmp, { force: true });
			throw e;
		}
	}

	async append(path: string, data: string): Promise<void> {
		const abs = await this.resolve(path);
		await fs.mkdir(nodePath.dirname(abs), { recursive: true });
		await fs.appendFile(abs, data, "utf8");
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
