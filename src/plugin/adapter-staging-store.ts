import { normalizePath, type DataAdapter } from "obsidian";
import type { StagingStore, StagingWriteOptions } from "../core/app/types";
import { nodeFs } from "./desktop-files";

/** A temp file of writeAtomic: `<name>.tmp-<hex>`. Hidden from list(); left behind only by a crash. */
export const TEMP_FILE_PATTERN = /\.tmp-[0-9a-f]{8,}$/;

/** Raised for a path that is absolute or contains `..`: the staging store never leaves the vault. */
export class StagingPathError extends Error {
	override readonly name = "StagingPathError";
	constructor(
		readonly path: string,
		reason: string,
	) {
		super(`Refusing staging path "${path}": ${reason}`);
	}
}

function randomHex(bytes: number): string {
	const buf = new Uint8Array(bytes);
	crypto.getRandomValues(buf);
	return Array.from(buf, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The StagingStore over Obsidian's `vault.adapter`. Sessions live under `.staging/`, a dot-folder the Vault
 * API cannot see (getAbstractFileByPath returns null there), so the adapter is the only API that works.
 * Every path is checked (no absolute path, no `..`) and passed through `normalizePath`.
 */
export class AdapterStagingStore implements StagingStore {
	/**
	 * Folders appended into: an append does not ask the adapter about its folder again (each ask is a file system
	 * call on Obsidian's UI thread, and an import appends to the same few logs over and over). An append whose
	 * folder was removed since (through this store or behind its back) fails, makes the folder again and is tried
	 * once more.
	 */
	private readonly known = new Set<string>();

	constructor(private readonly adapter: DataAdapter) {}

	/** The normalised vault-relative path, or a StagingPathError. */
	resolve(path: string): string {
		if (path.includes("\0")) throw new StagingPathError(path, "contains a NUL character");
		if (/^[\\/]/.test(path) || /^[A-Za-z]:/.test(path)) {
			throw new StagingPathError(path, "absolute paths are not allowed");
		}
		const segments = path.split(/[\\/]+/).filter((s) => s !== "" && s !== ".");
		if (segments.includes("..")) throw new StagingPathError(path, '".." is not allowed');
		if (segments.length === 0) throw new StagingPathError(path, "the vault root itself is not a staging path");
		return normalizePath(segments.join("/"));
	}

	private parentOf(path: string): string | null {
		const i = path.lastIndexOf("/");
		return i < 0 ? null : path.slice(0, i);
	}

	private async ensureParent(path: string): Promise<void> {
		const parent = this.parentOf(path);
		if (parent !== null && !(await this.adapter.exists(parent))) await this.adapter.mkdir(parent);
	}

	async exists(path: string): Promise<boolean> {
		return this.adapter.exists(this.resolve(path));
	}

	async read(path: string): Promise<string> {
		return this.adapter.read(this.resolve(path));
	}

	/**
	 * Writes `<path>.tmp-<hex>` then renames it over `path`. The adapter's rename refuses an existing target on
	 * some platforms; then the old file is removed and the rename retried. In that tiny window (between remove
	 * and rename) a crash leaves no `path` but a complete temp file beside it: never half a file.
	 */
	// `options` (private, sync): the adapter has neither file modes nor fsync; the write is done as usual.
	async writeAtomic(path: string, data: string, _options?: StagingWriteOptions): Promise<void> {
		const target = this.resolve(path);
		await this.ensureParent(target);
		const tmp = `${target}.tmp-${randomHex(6)}`;
		try {
			await this.adapter.write(tmp, data);
		} catch (e) {
			if (await this.adapter.exists(tmp)) await this.adapter.remove(tmp);
			throw e;
		}
		try {
			await this.adapter.rename(tmp, target);
			return;
		} catch (renameError) {
			if (!(await this.adapter.exists(target))) {
				await this.adapter.remove(tmp);
				throw renameError;
			}
		}
		await this.adapter.remove(target);
		try {
			await this.adapter.rename(tmp, target);
		} catch (e) {
			// The temp file is now the only copy: keep it and say where it is.
			throw new Error(`Could not move "${tmp}" to "${target}": ${e instanceof Error ? e.message : String(e)}`);
		}
	}

	async write(path: string, data: string, _options?: StagingWriteOptions): Promise<void> {
		const target = this.resolve(path);
		await this.ensureParent(target);
		await this.adapter.write(target, data);
	}

	async append(path: string, data: string, _options?: StagingWriteOptions): Promise<void> {
		const target = this.resolve(path);
		const parent = this.parentOf(target) ?? "";
		if (!this.known.has(parent)) await this.ensureParent(target);
		this.known.add(parent);
		try {
			await this.adapter.append(target, data);
		} catch (e) {
			// The folder is there: the error is the append's own (never appended twice).
			if (await this.adapter.exists(parent)) throw e;
			await this.ensureParent(target);
			await this.adapter.append(target, data);
		}
	}

	/** Exists-then-write: the adapter has no exclusive create. Enough within one Obsidian process (its runs take turns). */
	async createExclusive(path: string, data: string): Promise<boolean> {
		const target = this.resolve(path);
		if (await this.adapter.exists(target)) return false;
		await this.ensureParent(target);
		await this.adapter.write(target, data);
		return true;
	}

	async mkdir(path: string): Promise<void> {
		const target = this.resolve(path);
		if (!(await this.adapter.exists(target))) await this.adapter.mkdir(target);
	}

	async list(path: string): Promise<{ files: string[]; folders: string[] }> {
		const target = this.resolve(path);
		const stat = await this.adapter.stat(target);
		if (!stat || stat.type !== "folder") return { files: [], folders: [] };
		const listed = await this.adapter.list(target);
		const name = (p: string) => p.slice(p.lastIndexOf("/") + 1);
		return {
			files: listed.files
				.map(normalizePath)
				.filter((f) => !TEMP_FILE_PATTERN.test(name(f)))
				.sort(),
			folders: listed.folders.map(normalizePath).sort(),
		};
	}

	async remove(path: string): Promise<void> {
		const target = this.resolve(path);
		const stat = await this.adapter.stat(target);
		if (stat?.type === "file") await this.adapter.remove(target);
	}

	async removeFolder(path: string): Promise<void> {
		const target = this.resolve(path);
		const stat = await this.adapter.stat(target);
		if (stat?.type === "folder") await this.adapter.rmdir(target, true);
	}

	/**
	 * A byte range of a file. On the desktop (a FileSystemAdapter, whose files have a full path, and Node's fs) only
	 * that range is read; elsewhere the adapter can only read a whole file, which is then sliced (the caller still
	 * parses only the new part).
	 */
	async readRange(path: string, offset: number, length: number): Promise<Uint8Array> {
		if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(length) || length < 0)
			throw new RangeError(`${path}: bad range ${offset}+${length}`);
		const target = this.resolve(path);
		const full = (this.adapter as { getFullPath?: (p: string) => string }).getFullPath;
		const fs = nodeFs();
		if (typeof full === "function" && fs) {
			const handle = await fs.promises.open(full.call(this.adapter, target), "r");
			try {
				const { size } = await handle.stat();
				const want = Math.max(0, Math.min(length, size - offset));
				const buffer = new Uint8Array(want);
				let got = 0;
				while (got < want) {
					const { bytesRead } = await handle.read(buffer, got, want - got, offset + got);
					if (bytesRead === 0) break;
					got += bytesRead;
				}
				return got === want ? buffer : buffer.subarray(0, got);
			} finally {
				await handle.close();
			}
		}
		const whole = new Uint8Array(await this.adapter.readBinary(target));
		return whole.slice(Math.min(offset, whole.length), Math.min(whole.length, offset + length));
	}

	async stat(path: string): Promise<{ size: number; mtime: number } | null> {
		const stat = await this.adapter.stat(this.resolve(path));
		return stat ? { size: stat.size, mtime: stat.mtime } : null;
	}
}
